//! Kubernetes Events of the namespace looked at (or all), oldest first, and with `follow` the
//! ones that come after, through a watch.

use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::events::ClusterEvent;
use crate::sanitize::one_line;
use futures::StreamExt;
use k8s_openapi::api::core::v1::Event as KEvent;
use kube::api::ListParams;
use kube::runtime::{WatchStreamExt, watcher};

/// When an Event last happened, in seconds and nanoseconds.
fn when(e: &KEvent) -> (i64, u32) {
    if let Some(t) = &e.last_timestamp {
        return (t.0.as_second(), t.0.subsec_nanosecond().max(0) as u32);
    }
    if let Some(t) = &e.event_time {
        return (t.0.as_second(), t.0.subsec_nanosecond().max(0) as u32);
    }
    e.metadata
        .creation_timestamp
        .as_ref()
        .map(|t| (t.0.as_second(), 0))
        .unwrap_or((0, 0))
}

pub(super) fn convert(e: &KEvent) -> ClusterEvent {
    let (time, nanos) = when(e);
    let o = &e.involved_object;
    let name = match (&o.namespace, &o.name) {
        (Some(ns), Some(n)) if ns != "default" => format!("{ns}/{n}"),
        (_, Some(n)) => n.clone(),
        _ => String::new(),
    };
    ClusterEvent {
        time,
        nanos,
        kind: one_line(o.kind.as_deref().unwrap_or("")),
        action: one_line(e.reason.as_deref().unwrap_or("")),
        name: one_line(&name),
        id: one_line(o.uid.as_deref().unwrap_or("")),
        message: one_line(e.message.as_deref().unwrap_or("")),
        count: e.count.unwrap_or(1).max(1) as u32,
        warning: e.type_.as_deref() == Some("Warning"),
    }
}

impl Kube {
    pub async fn events(
        &self,
        since: i64,
        follow: bool,
        tx: tokio::sync::mpsc::Sender<Vec<ClusterEvent>>,
    ) -> Result<(), Error> {
        let api = self.api::<KEvent>();
        let list = api.list(&ListParams::default()).await.map_err(kube_error)?;
        // What was sent, by the Event's UID and count: the watcher lists again first.
        let mut seen: std::collections::HashSet<(String, u32)> = list
            .items
            .iter()
            .map(|e| (e.metadata.uid.clone().unwrap_or_default(), convert(e).count))
            .collect();
        let mut first: Vec<ClusterEvent> = list
            .items
            .iter()
            .map(convert)
            .filter(|e| e.time >= since)
            .collect();
        first.sort_by_key(|e| (e.time, e.nanos));
        if !first.is_empty() && tx.send(first).await.is_err() {
            return Ok(());
        }
        if !follow {
            return Ok(());
        }
        let mut stream = watcher(api, watcher::Config::default())
            .applied_objects()
            .boxed();
        while let Some(ev) = stream.next().await {
            let e = ev.map_err(|e| Error::engine(one_line(&e.to_string())))?;
            let c = convert(&e);
            if !seen.insert((e.metadata.uid.clone().unwrap_or_default(), c.count)) {
                continue;
            }
            if tx.send(vec![c]).await.is_err() {
                break;
            }
        }
        Ok(())
    }
}
