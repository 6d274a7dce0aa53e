use super::*;
use crate::model::{Availability, Mode, NodeStatus, Port};
use crate::tr;
use std::collections::BTreeMap;

fn node(id: &str, role: Role, label: Option<&str>) -> Node {
    Node {
        id: id.into(),
        hostname: id.into(),
        role,
        leader: role == Role::Manager,
        status: NodeStatus::Ready,
        availability: Availability::Active,
        engine: "27".into(),
        addr: String::new(),
        labels: label
            .and_then(|l| l.split_once('='))
            .map(|(k, v)| BTreeMap::from([(k.to_string(), v.to_string())]))
            .unwrap_or_default(),
    }
}

fn svc(name: &str, image: &str, running: u64, desired: u64, ports: &[u16]) -> Workload {
    Workload {
        id: format!("id-{name}"),
        name: name.into(),
        stack: name.split_once('_').map(|(s, _)| s.to_string()),
        mode: Mode::Replicated,
        running,
        desired,
        image: image.into(),
        ports: ports
            .iter()
            .map(|p| Port {
                published: Some(*p),
                target: *p,
                protocol: "tcp".into(),
                mode: "ingress".into(),
            })
            .collect(),
        update: None,
        labels: BTreeMap::new(),
        created: 0,
    }
}

fn task(w: &Workload, slot: u64, node: &str) -> Instance {
    Instance {
        id: format!("{}-{slot}", w.id),
        workload_id: w.id.clone(),
        name: format!("{}.{slot}", w.name),
        slot: Some(slot),
        node_id: node.into(),
        node: node.into(),
        desired: "running".into(),
        state: "running".into(),
        since: 0,
        error: None,
        image: w.image.clone(),
        container: String::new(),
        containers: vec![],
    }
}

fn info(role: SwarmRole) -> ClusterInfo {
    ClusterInfo {
        endpoint: "unix:///x".into(),
        engine: "27".into(),
        swarm: role,
        node_id: "m".into(),
        hostname: "m".into(),
        kube: None,
        id: "engine-m".into(),
        swarm_id: String::new(),
        demo: false,
    }
}

fn parse(yaml: &str) -> Check {
    serde_norway::with::singleton_map_recursive::deserialize(serde_norway::Deserializer::from_str(
        yaml,
    ))
    .unwrap()
}

const STACK: &str = "services:\n  backend:\n    image: ${REGISTRY}/api-semana-3:latest\n    deploy:\n      replicas: 3\n  frontend:\n    image: ${REGISTRY}/frontend-semana-3:test\n";

#[test]
fn service_checks_say_why_in_words_and_pass_at_the_right_moment() {
    crate::i18n::set_lang(crate::i18n::Lang::En);
    let i = info(SwarmRole::Manager);
    let backend = svc(
        "gopenux_backend",
        "127.0.0.1:5000/api-semana-3:latest",
        3,
        3,
        &[5000],
    );
    let workloads = [backend.clone()];
    let snap = Snapshot {
        info: Some(&i),
        nodes: &[],
        workloads: &workloads,
        instances: &[],
        images: &[],
    };
    let mut probed = Probed::default();
    probed.files.insert("stack.yml".into(), Some(STACK.into()));
    let scale = parse("service: { name: gopenux_backend, replicas_above_file: stack.yml }");
    assert_eq!(
        evaluate(&scale, &snap, None),
        Verdict::Unknown(tr!("check.not_probed"))
    );
    let Verdict::Fail(why) = evaluate(&scale, &snap, Some(&probed)) else {
        panic!()
    };
    assert_eq!(
        why,
        "gopenux_backend runs 3 replicas; the step asks for more than stack.yml's 3"
    );
    let scaled = [svc("gopenux_backend", &backend.image, 4, 5, &[5000])];
    let snap5 = Snapshot {
        workloads: &scaled,
        ..snap
    };
    assert_eq!(evaluate(&scale, &snap5, Some(&probed)), Verdict::Pass);
    let full = parse("service: { name: gopenux_backend, running: true, port: 5000, tag: latest }");
    assert!(
        matches!(evaluate(&full, &snap5, None), Verdict::Fail(ref w) if w.contains("4/5")),
        "{:?}",
        evaluate(&full, &snap5, None)
    );
    assert_eq!(evaluate(&full, &snap, None), Verdict::Pass);
    let test = parse("service: { name: gopenux_backend, tag: test }");
    assert!(matches!(evaluate(&test, &snap, None), Verdict::Fail(ref w) if w.contains("latest")));
    let file = parse("file_image: { file: stack.yml, service: gopenux_frontend, tag: test }");
    assert_eq!(evaluate(&file, &snap, Some(&probed)), Verdict::Pass);
    let file = parse("file_image: { file: stack.yml, service: gopenux_backend, tag: test }");
    assert!(matches!(
        evaluate(&file, &snap, Some(&probed)),
        Verdict::Fail(_)
    ));
    let missing = parse("service: { name: gopenux_api }");
    assert!(
        matches!(evaluate(&missing, &snap, None), Verdict::Fail(ref w) if w.contains("gopenux_api"))
    );
    // A swarm check on a cluster that is no swarm says so.
    let none = info(SwarmRole::None);
    let snap_none = Snapshot {
        info: Some(&none),
        ..snap
    };
    let Verdict::Fail(why) = evaluate(&parse("swarm: manager"), &snap_none, None) else {
        panic!()
    };
    assert!(
        why.contains("manager") && why.contains("not part of a swarm"),
        "{why}"
    );
    assert_eq!(
        evaluate(&parse("swarm: manager"), &snap, None),
        Verdict::Pass
    );
}

#[test]
fn nodes_labels_and_placement_are_read_from_the_snapshot() {
    crate::i18n::set_lang(crate::i18n::Lang::En);
    let i = info(SwarmRole::Manager);
    let nodes = [
        node("m", Role::Manager, Some("app=database")),
        node("w1", Role::Worker, Some("app=ingress")),
        node("w2", Role::Worker, None),
    ];
    let api = svc("semana4_api", "api:latest", 2, 2, &[]);
    let tasks = [task(&api, 1, "w2"), task(&api, 2, "w2")];
    let workloads = [api];
    let snap = Snapshot {
        info: Some(&i),
        nodes: &nodes,
        workloads: &workloads,
        instances: &tasks,
        images: &[],
    };
    assert_eq!(
        evaluate(&parse("nodes: { min: 3, workers: 2 }"), &snap, None),
        Verdict::Pass
    );
    assert!(matches!(
        evaluate(&parse("nodes: { min: 4 }"), &snap, None),
        Verdict::Fail(_)
    ));
    assert_eq!(
        evaluate(
            &parse("node_label: { label: app=database, role: manager }"),
            &snap,
            None
        ),
        Verdict::Pass
    );
    let Verdict::Fail(why) = evaluate(
        &parse("node_label: { label: app=api, role: worker }"),
        &snap,
        None,
    ) else {
        panic!()
    };
    assert!(why.contains("app=api"), "{why}");
    let placed = parse("service: { name: semana4_api, on_label: app=api, no_ports: true }");
    let Verdict::Fail(why) = evaluate(&placed, &snap, None) else {
        panic!()
    };
    assert!(why.contains("semana4_api.1@w2"), "{why}");
    let mut labelled = nodes.clone();
    labelled[2] = node("w2", Role::Worker, Some("app=api"));
    let snap = Snapshot {
        nodes: &labelled,
        ..snap
    };
    assert_eq!(evaluate(&placed, &snap, None), Verdict::Pass);
}

#[test]
fn listings_answer_networks_secrets_and_kubernetes_objects() {
    crate::i18n::set_lang(crate::i18n::Lang::En);
    let i = info(SwarmRole::Manager);
    let workloads = [svc("gopenux_backend", "a:latest", 1, 1, &[])];
    let snap = Snapshot {
        info: Some(&i),
        nodes: &[],
        workloads: &workloads,
        instances: &[],
        images: &[],
    };
    let mut p = Probed::default();
    p.listings.push(Listing {
        kind: ViewKind::Networks,
        titles: Vec::new(),
        resource: None,
        columns: crate::model::listing::NETWORK_COLUMNS.to_vec(),
        rows: vec![vec![
            "gopenux_data".into(),
            "overlay".into(),
            "swarm".into(),
            "false".into(),
            "false".into(),
            "10.0.1.0/24".into(),
            "gopenux_backend,gopenux_mongo".into(),
        ]],
    });
    let internal = parse("service: { name: gopenux_backend, internal_network: true }");
    assert_eq!(
        evaluate(&internal, &snap, None),
        Verdict::Unknown(tr!("check.not_probed"))
    );
    assert!(matches!(
        evaluate(&internal, &snap, Some(&p)),
        Verdict::Fail(_)
    ));
    p.listings[0].rows[0][3] = "true".into();
    assert_eq!(evaluate(&internal, &snap, Some(&p)), Verdict::Pass);
    // Kubernetes checks are a Kubernetes cluster's: on the swarm, the Secret does not count.
    let secret = parse("kube_secret: { name: jwt-key, key: key }");
    assert_eq!(
        evaluate(&secret, &snap, Some(&p)),
        Verdict::Fail(tr!("check.needs_kube"))
    );
    let mut k = info(SwarmRole::None);
    k.kube = Some(crate::model::KubeScope {
        context: "lab".into(),
        namespace: None,
    });
    let snap = Snapshot {
        info: Some(&k),
        ..snap
    };
    p.listings.push(Listing {
        kind: ViewKind::Secrets,
        titles: Vec::new(),
        resource: None,
        columns: vec!["name", "type", "keys"],
        rows: vec![vec![
            "dev/jwt-key".into(),
            "Opaque".into(),
            "key,other".into(),
        ]],
    });
    assert_eq!(
        evaluate(
            &parse("kube_secret: { name: jwt-key, key: key }"),
            &snap,
            Some(&p)
        ),
        Verdict::Pass
    );
    assert!(matches!(
        evaluate(
            &parse("kube_secret: { name: jwt-key, key: nope }"),
            &snap,
            Some(&p)
        ),
        Verdict::Fail(_)
    ));
}

#[test]
fn pushed_images_are_looked_up_under_their_registry_name() {
    crate::i18n::set_lang(crate::i18n::Lang::En);
    let images = [Image {
        id: "sha256:1".into(),
        repo: "127.0.0.1:5000/api-semana-3".into(),
        tag: "latest".into(),
        size: 1,
        created: 0,
    }];
    let snap = Snapshot {
        info: None,
        nodes: &[],
        workloads: &[],
        instances: &[],
        images: &images,
    };
    let c = parse("pushed: { name: api-semana-3, tag: latest }");
    let mut needs = Needs::default();
    add_needs(&mut needs, &c, &snap);
    assert_eq!(needs.registry, ["127.0.0.1:5000/api-semana-3:latest"]);
    let mut p = Probed::default();
    p.registry
        .insert(needs.registry[0].clone(), Err("not there".into()));
    assert!(
        matches!(evaluate(&c, &snap, Some(&p)), Verdict::Fail(ref w) if w.contains("not there"))
    );
    p.registry.insert(needs.registry[0].clone(), Ok(()));
    assert_eq!(evaluate(&c, &snap, Some(&p)), Verdict::Pass);
    assert_eq!(
        evaluate(
            &parse("image: { name: api-semana-3, tag: latest }"),
            &snap,
            None
        ),
        Verdict::Pass
    );
    let c = parse("pushed: { name: frontend-semana-3, tag: latest }");
    assert!(matches!(evaluate(&c, &snap, Some(&p)), Verdict::Fail(_)));
}
