use super::*;

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let f = dir.join(name);
    std::fs::write(&f, text).unwrap();
    f
}

fn env(k: &str) -> Option<String> {
    match k {
        "REGISTRY" => Some("127.0.0.1:5000".into()),
        "REPLICAS" => Some("3".into()),
        _ => None,
    }
}

#[test]
fn a_stack_converts_with_dockers_conventions() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "api.env",
        "# comment\nMONGO_URI=mongodb://mongo:27017\nDEBUG\n",
    );
    write(d.path(), "nginx.conf", "server {}\n");
    let f = write(
        d.path(),
        "stack.yml",
        r#"
x-common: &common
  restart: always
services:
  backend:
    <<: *common
    image: ${REGISTRY}/api-semana-3:latest
    env_file: api.env
    environment:
      - APP_PORT=5000
    ports: ["5000:5000"]
    networks: [back]
    deploy:
      replicas: ${REPLICAS}
      resources: { limits: { cpus: "0.5", memory: 256M } }
  frontend:
    image: nginx:1.25
    container_name: web
    configs:
      - source: nginx
        target: /etc/nginx/conf.d/default.conf
    ports:
      - target: 443
        published: 443
        mode: host
networks:
  back: { internal: true }
configs:
  nginx: { file: ./nginx.conf }
"#,
    );
    let spec = load(&[f], "gopenux", &env).unwrap();
    let b = &spec.services["backend"];
    assert_eq!(b["Name"], "gopenux_backend");
    assert_eq!(b["Labels"]["com.docker.stack.namespace"], "gopenux");
    assert_eq!(
        b["Labels"]["com.docker.stack.image"],
        "127.0.0.1:5000/api-semana-3:latest"
    );
    assert_eq!(b["Mode"]["Replicated"]["Replicas"], 3);
    assert_eq!(
        b["TaskTemplate"]["ContainerSpec"]["Env"],
        // DEBUG (no value) is not in the environment: the env file's kvfile leaves it out.
        serde_json::json!(["APP_PORT=5000", "MONGO_URI=mongodb://mongo:27017"])
    );
    assert_eq!(
        b["TaskTemplate"]["Resources"]["Limits"]["NanoCPUs"],
        500_000_000
    );
    assert_eq!(
        b["TaskTemplate"]["Resources"]["Limits"]["MemoryBytes"],
        268_435_456
    );
    assert_eq!(
        b["TaskTemplate"]["RestartPolicy"]["Condition"], "any",
        "restart: always, through the anchor"
    );
    assert_eq!(b["TaskTemplate"]["Networks"][0]["Target"], "gopenux_back");
    assert_eq!(
        b["TaskTemplate"]["Networks"][0]["Aliases"],
        serde_json::json!(["backend"])
    );
    let f = &spec.services["frontend"];
    assert_eq!(
        f["TaskTemplate"]["Networks"][0]["Target"],
        "gopenux_default"
    );
    assert_eq!(f["EndpointSpec"]["Ports"][0]["PublishMode"], "host");
    assert_eq!(
        f["TaskTemplate"]["ContainerSpec"]["Configs"][0]["ConfigName"],
        "gopenux_nginx"
    );
    assert_eq!(
        f["TaskTemplate"]["ContainerSpec"]["Configs"][0]["File"]["Mode"],
        0o444
    );
    assert!(
        spec.networks.contains_key("gopenux_back") && spec.networks.contains_key("gopenux_default")
    );
    assert_eq!(spec.networks["gopenux_back"]["Internal"], true);
    assert_eq!(spec.configs["gopenux_nginx"].data, b"server {}\n");
    assert!(
        spec.warnings
            .iter()
            .any(|w| w == "Ignoring unsupported options: restart"),
        "{:?}",
        spec.warnings
    );
    assert!(
        spec.warnings
            .iter()
            .any(|w| w.contains("container_name: Setting the container name is not supported."))
    );
}

#[test]
fn errors_name_the_file_line_and_key() {
    let d = tempfile::tempdir().unwrap();
    let cases = [
        (
            "services:\n  web:\n    image: nginx\n    deploy:\n      replica: 2\n",
            "services.web.deploy.replica",
            5,
            "replicas",
        ),
        (
            "services:\n  web:\n    image: nginx\n    ports:\n      - \"80:eighty\"\n",
            "services.web.ports[0]",
            5,
            "80:eighty",
        ),
        (
            "services:\n  web:\n    command: sh\n",
            "services.web",
            2,
            "no image",
        ),
        (
            "services:\n  web:\n    image: ${TAG:?set TAG first}\n",
            "services.web.image",
            3,
            "set TAG first",
        ),
        (
            "services:\n  web:\n    image: nginx\n    env_file: missing.env\n",
            "services.web.env_file[0]",
            4,
            "missing.env",
        ),
        (
            "services:\n  web:\n    image: nginx\n    deploy:\n      replicas: many\n",
            "services.web.deploy.replicas",
            5,
            "many",
        ),
    ];
    for (text, path, line, needle) in cases {
        let f = write(d.path(), "bad.yml", text);
        let e = load(&[f], "s", &env).unwrap_err();
        assert_eq!(e.path, path, "{text}");
        assert_eq!(e.line, line, "{text}: {e}");
        assert!(
            e.to_string().contains(needle) && e.to_string().contains("bad.yml"),
            "{e}"
        );
    }
    let f = write(d.path(), "broken.yml", "services:\n  web: [\n");
    let e = load(&[f], "s", &env).unwrap_err();
    assert!(e.line >= 2, "{e}");
    let f = write(d.path(), "ok.yml", "services:\n  web:\n    image: nginx\n");
    assert!(load(&[f], "Bad Name", &env).is_err());
}

#[test]
fn later_files_override_earlier_ones() {
    let d = tempfile::tempdir().unwrap();
    let a = write(
        d.path(),
        "a.yml",
        "services:\n  web:\n    image: nginx:1\n    deploy: { replicas: 2 }\n",
    );
    let b = write(d.path(), "b.yml", "services:\n  web:\n    image: nginx:2\n");
    let spec = load(&[a, b], "s", &env).unwrap();
    assert_eq!(
        spec.services["web"]["TaskTemplate"]["ContainerSpec"]["Image"],
        "nginx:2"
    );
    assert_eq!(spec.services["web"]["Mode"]["Replicated"]["Replicas"], 2);
}

#[test]
fn values_read_as_the_docker_cli_reads_them() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "vars.env",
        "FROM_FILE=\nBARE_SET\nBARE_UNSET\n  INDENTED=kept \n",
    );
    let f = write(
        d.path(),
        "stack.yml",
        r#"
services:
  map:
    image: redis
    env_file: vars.env
    environment:
      EMPTY: ""
      NULLED:
      SHELL_EMPTY: ""
      SHELL_NULL:
    secrets:
      - source: s
        mode: 0400
      - source: t
        target: t2
        mode: 0440
      - source: u
        target: u3
        mode: 493
    volumes:
      - .:/code
      - ./static:/var/www/html:ro
  list:
    image: docker.io/library/nginx:1.25
    environment:
      - LISTED=
      - BARE
      - SHELL_NULL
secrets:
  s: { file: ./vars.env }
  t: { file: ./vars.env }
  u: { file: ./vars.env }
"#,
    );
    let shell = |k: &str| match k {
        "SHELL_EMPTY" => Some("from-shell".to_string()),
        "SHELL_NULL" => Some("also-shell".to_string()),
        "BARE_SET" => Some("bare".to_string()),
        _ => None,
    };
    let spec = load(&[f], "s", &shell).unwrap();
    let c = &spec.services["map"]["TaskTemplate"]["ContainerSpec"];
    assert_eq!(
        c["Env"],
        serde_json::json!([
            "BARE_SET=bare",
            "EMPTY=",
            "FROM_FILE=",
            "INDENTED=kept ",
            "NULLED",
            "SHELL_EMPTY=from-shell",
            "SHELL_NULL=also-shell"
        ])
    );
    let modes: Vec<u64> = c["Secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["File"]["Mode"].as_u64().unwrap())
        .collect();
    assert_eq!(modes, [0o400, 0o440, 0o755]);
    let dir = std::path::absolute(d.path()).unwrap();
    assert_eq!(c["Mounts"][0]["Source"], dir.display().to_string());
    assert_eq!(
        c["Mounts"][1]["Source"],
        dir.join("static").display().to_string()
    );
    assert_eq!(
        c["Privileges"],
        serde_json::json!({}),
        "always sent, as the CLI does"
    );
    let l = &spec.services["list"]["TaskTemplate"]["ContainerSpec"];
    assert_eq!(
        l["Env"],
        serde_json::json!(["BARE", "LISTED=", "SHELL_NULL=also-shell"])
    );
    // The file's image stays in the label; the client's normal form is made at deploy time.
    assert_eq!(
        spec.services["list"]["Labels"]["com.docker.stack.image"],
        "docker.io/library/nginx:1.25"
    );
}

#[test]
fn keys_the_cli_refuses_or_ignores_are_named() {
    let d = tempfile::tempdir().unwrap();
    let f = write(
        d.path(),
        "bad.yml",
        "services:\n  web:\n    image: nginx\n    mem_limit: 64m\n",
    );
    let e = load(&[f], "s", &env).unwrap_err();
    assert_eq!((e.line, e.path.as_str()), (4, "services.web.mem_limit"));
    assert!(e.to_string().contains("deploy.resources"), "{e}");
    let f = write(
        d.path(),
        "ok.yml",
        "services:\n  web:\n    image: nginx\n    depends_on: [db]\n    restart: always\n    cap_add: [NET_ADMIN]\n  db:\n    image: mongo\n",
    );
    let spec = load(&[f], "s", &env).unwrap();
    assert_eq!(
        spec.warnings,
        [
            "Ignoring unsupported options: restart",
            "Ignoring options swarm services do not use: depends_on"
        ]
    );
    let missing = load(&[d.path().join("nowhere.yml")], "s", &env).unwrap_err();
    assert!(
        missing
            .to_string()
            .starts_with(&format!("{}: ", d.path().join("nowhere.yml").display())),
        "{missing}"
    );
}
