//! What the demo cluster holds when it starts: a three-node minikube (the control plane's
//! static pods, CoreDNS, kube-proxy, the storage provisioner), and, without a lab, the two
//! Kubernetes labs' applications running (practica-k8s in `default`, desafio-final in
//! `challenge-dev` and `challenge-prd`). With a lab it starts with none of the lab's objects.

use super::make::{Target, create_value};
use super::resources;
use super::store::World;
use serde_json::{Value, json};

/// Makes `v` (its kind from apiVersion and kind), in `ns` when it names none, as kubectl would.
pub fn make(w: &mut World, v: Value, ns: &str) -> Result<Value, super::objects::Refusal> {
    make_by(w, v, ns, "kubectl-client-side-apply")
}

/// Makes `v` as `manager` writes it (none: the server records no managedFields for it, as for
/// what some controllers make).
pub fn make_by(
    w: &mut World,
    v: Value,
    ns: &str,
    manager: &str,
) -> Result<Value, super::objects::Refusal> {
    let api_version = v
        .get("apiVersion")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let kind = v.get("kind").and_then(Value::as_str).unwrap_or_default();
    let Some(res) = resources::of_kind(api_version, kind) else {
        return Err(super::objects::Refusal::bad(format!(
            "no matches for kind \"{kind}\" in version \"{api_version}\""
        )));
    };
    let ns = super::make::namespace_or(&v, ns);
    let t = Target {
        res,
        ns: Some(ns),
        name: None,
        sub: None,
    };
    create_value(w, &t, v, false, (manager, "Update"))
}

/// Every document of a manifest file, made.
pub fn manifests(w: &mut World, text: &str, ns: &str) {
    for doc in text.split("\n---") {
        let Ok(v) = serde_norway::from_str::<Value>(doc) else {
            continue;
        };
        if v.is_object() {
            let _ = make(w, v, ns);
        }
    }
}

fn node(name: &str, ip: &str, control_plane: bool, cidr: &str, at: &str) -> Value {
    let mut labels = json!({
        "beta.kubernetes.io/arch": "amd64",
        "beta.kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "minikube.k8s.io/name": "minikube",
        "minikube.k8s.io/primary": if control_plane { "true" } else { "false" },
        "minikube.k8s.io/version": "v1.37.0",
    });
    if control_plane && let Some(l) = labels.as_object_mut() {
        l.insert("node-role.kubernetes.io/control-plane".into(), json!(""));
        l.insert(
            "node.kubernetes.io/exclude-from-external-load-balancers".into(),
            json!(""),
        );
    }
    let capacity = json!({
        "cpu": "2", "ephemeral-storage": "61202244Ki", "hugepages-1Gi": "0",
        "hugepages-2Mi": "0", "memory": "4005180Ki", "pods": "110",
    });
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "labels": labels,
            "annotations": {
                "node.alpha.kubernetes.io/ttl": "0",
                "volumes.kubernetes.io/controller-managed-attach-detach": "true",
            },
        },
        "spec": {"podCIDR": cidr, "podCIDRs": [cidr]},
        "status": {
            "addresses": [{"address": ip, "type": "InternalIP"}, {"address": name, "type": "Hostname"}],
            "allocatable": capacity,
            "capacity": capacity,
            "conditions": [
                {"type": "MemoryPressure", "status": "False", "reason": "KubeletHasSufficientMemory", "message": "kubelet has sufficient memory available", "lastHeartbeatTime": at, "lastTransitionTime": at},
                {"type": "DiskPressure", "status": "False", "reason": "KubeletHasNoDiskPressure", "message": "kubelet has no disk pressure", "lastHeartbeatTime": at, "lastTransitionTime": at},
                {"type": "PIDPressure", "status": "False", "reason": "KubeletHasSufficientPID", "message": "kubelet has sufficient PID available", "lastHeartbeatTime": at, "lastTransitionTime": at},
                {"type": "Ready", "status": "True", "reason": "KubeletReady", "message": "kubelet is posting ready status", "lastHeartbeatTime": at, "lastTransitionTime": at},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "architecture": "amd64",
                "bootID": format!("{:032x}", super::store::hash(name)),
                "containerRuntimeVersion": "docker://28.4.0",
                "kernelVersion": "6.1.0-41-amd64",
                "kubeProxyVersion": "",
                "kubeletVersion": "v1.34.4",
                "machineID": format!("{:032x}", super::store::hash(&format!("{name}m"))),
                "operatingSystem": "linux",
                "osImage": "Ubuntu 22.04.5 LTS",
                "systemUUID": format!("{:032x}", super::store::hash(&format!("{name}u"))),
            },
        },
    })
}

/// A control-plane static pod, owned by its node as the kubelet's mirror pods are.
fn static_pod(w: &World, component: &str, image: &str) -> Value {
    let node_uid = w
        .get(super::store::node_index(), "", "minikube")
        .and_then(|n| n.pointer("/metadata/uid"))
        .cloned()
        .unwrap_or_default();
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "name": format!("{component}-minikube"),
            "namespace": "kube-system",
            "labels": {"component": component, "tier": "control-plane"},
            "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": "minikube", "uid": node_uid, "controller": true}],
        },
        "spec": {
            "nodeName": "minikube",
            "hostNetwork": true,
            "priorityClassName": "system-node-critical",
            "containers": [{"name": component, "image": image}],
        },
    })
}

/// The minikube every demo starts from.
pub fn base(w: &mut World) {
    for (n, ip, cp, cidr) in [
        ("minikube", "192.168.49.2", true, "10.244.0.0/24"),
        ("minikube-m02", "192.168.49.3", false, "10.244.1.0/24"),
        ("minikube-m03", "192.168.49.4", false, "10.244.2.0/24"),
    ] {
        let at = w.clock.stamp_now();
        if let Ok(mut made) = make(w, node(n, ip, cp, cidr, &at), "") {
            super::managed::manage(&mut made, "kubelet", "Update", true, &at);
            w.put(super::store::node_index(), made);
        }
    }
    for ns in ["default", "kube-node-lease", "kube-public", "kube-system"] {
        let _ = make(
            w,
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
            "",
        );
    }
    for (component, image) in [
        ("etcd", "registry.k8s.io/etcd:3.6.4-0"),
        ("kube-apiserver", "registry.k8s.io/kube-apiserver:v1.34.4"),
        (
            "kube-controller-manager",
            "registry.k8s.io/kube-controller-manager:v1.34.4",
        ),
        ("kube-scheduler", "registry.k8s.io/kube-scheduler:v1.34.4"),
    ] {
        let pod = static_pod(w, component, image);
        let _ = make(w, pod, "kube-system");
    }
    let system = r#"
apiVersion: v1
kind: Service
metadata: {name: kubernetes, namespace: default, labels: {component: apiserver, provider: kubernetes}}
spec:
  clusterIP: 10.96.0.1
  ports: [{name: https, port: 443, targetPort: 8443}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: coredns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  replicas: 1
  selector: {matchLabels: {k8s-app: kube-dns}}
  template:
    metadata: {labels: {k8s-app: kube-dns}}
    spec:
      priorityClassName: system-cluster-critical
      containers:
        - name: coredns
          image: registry.k8s.io/coredns/coredns:v1.12.1
          args: [-conf, /etc/coredns/Corefile]
          ports: [{containerPort: 53, name: dns, protocol: UDP}, {containerPort: 53, name: dns-tcp}, {containerPort: 9153, name: metrics}]
---
apiVersion: v1
kind: Service
metadata: {name: kube-dns, namespace: kube-system, labels: {k8s-app: kube-dns}}
spec:
  clusterIP: 10.96.0.10
  selector: {k8s-app: kube-dns}
  ports: [{name: dns, port: 53, protocol: UDP}, {name: dns-tcp, port: 53}, {name: metrics, port: 9153}]
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: kube-proxy, namespace: kube-system, labels: {k8s-app: kube-proxy}}
spec:
  selector: {matchLabels: {k8s-app: kube-proxy}}
  template:
    metadata: {labels: {k8s-app: kube-proxy}}
    spec:
      hostNetwork: true
      priorityClassName: system-node-critical
      containers: [{name: kube-proxy, image: "registry.k8s.io/kube-proxy:v1.34.4", command: [/usr/local/bin/kube-proxy, --config=/var/lib/kube-proxy/config.conf]}]
---
apiVersion: v1
kind: Pod
metadata: {name: storage-provisioner, namespace: kube-system, labels: {addonmanager.kubernetes.io/mode: Reconcile, integration-test: storage-provisioner}}
spec:
  serviceAccountName: storage-provisioner
  containers: [{name: storage-provisioner, image: "gcr.io/k8s-minikube/storage-provisioner:v5", command: [/storage-provisioner]}]
---
apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: standard, annotations: {storageclass.kubernetes.io/is-default-class: "true"}}
provisioner: k8s.io/minikube-hostpath
reclaimPolicy: Delete
volumeBindingMode: Immediate
"#;
    manifests(w, system, "default");
}

/// The labs' applications, running, for a demo without a lab.
pub fn labs(w: &mut World) {
    for lab in ["practica-k8s", "desafio-final"] {
        if let Some(text) = crate::presets::manifests(lab) {
            manifests(w, text, "default");
        }
    }
}

/// Whether `lab` is one of the Kubernetes presets (its objects are left for the class to make).
pub fn is_kube_lab(lab: &str) -> bool {
    crate::presets::manifests(lab).is_some()
}
