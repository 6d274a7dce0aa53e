//! Any kind as the server prints it (`as=Table`, as kubectl asks): its columns (a CRD's printer
//! columns too) and rows. A view follows it as the panes' listings are followed: one LIST, in
//! pages, then a WATCH of the same table from its resourceVersion, with bookmarks; a 410 lists
//! again, anything else resumes from the last version seen.

use super::{Kube, kube_error};
use crate::backend::Error;
use crate::model::kube::ApiKind;
use crate::model::listing::{Listing, ViewKind};
use futures::{AsyncBufReadExt, StreamExt};
use serde::Deserialize;
use std::collections::BTreeMap;
use tokio::sync::mpsc;

const TABLE: &str = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json";
const PAGE: usize = 500;

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
struct Column {
    name: String,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    priority: i32,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct Table {
    /// Sent with the first event of a watch only (`null` after).
    #[serde(default)]
    column_definitions: Option<Vec<Column>>,
    #[serde(default)]
    rows: Option<Vec<Row>>,
    #[serde(default)]
    metadata: ListMeta,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct ListMeta {
    resource_version: Option<String>,
    #[serde(rename = "continue")]
    next: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Row {
    #[serde(default)]
    cells: Option<Vec<serde_json::Value>>,
    #[serde(default)]
    object: Option<Partial>,
}

/// The row's object as `includeObject=Metadata` sends it.
#[derive(Debug, Deserialize, Default)]
struct Partial {
    #[serde(default)]
    metadata: kube::api::ObjectMeta,
}

#[derive(Debug, Deserialize)]
struct WatchLine {
    #[serde(rename = "type")]
    kind: String,
    object: serde_json::Value,
}

/// One kind's rows by namespace and name, with the columns the server prints by default.
struct Rows {
    kind: ApiKind,
    word: String,
    all: bool,
    columns: Vec<Column>,
    rows: BTreeMap<(String, String), Vec<String>>,
    version: Option<String>,
    /// Several namespaces looked at: the others' rows are left out.
    only: Option<Vec<String>>,
}

impl Rows {
    fn new(kind: ApiKind, word: &str, all: bool) -> Rows {
        Rows {
            kind,
            word: word.to_string(),
            all,
            columns: Vec::new(),
            rows: BTreeMap::new(),
            version: None,
            only: None,
        }
    }

    /// Takes a page of the list, or the one-row table of a watch event.
    fn take(&mut self, table: Table, deleted: bool) {
        if let Some(c) = table.column_definitions.filter(|c| !c.is_empty()) {
            self.columns = c;
        }
        for row in table.rows.unwrap_or_default() {
            let meta = row.object.unwrap_or_default().metadata;
            let key = (
                meta.namespace.clone().unwrap_or_default(),
                meta.name.clone().unwrap_or_default(),
            );
            if let Some(v) = &meta.resource_version {
                self.version = Some(v.clone());
            }
            if self.only.as_ref().is_some_and(|o| !o.contains(&key.0)) {
                continue;
            }
            if deleted {
                self.rows.remove(&key);
                continue;
            }
            let cells = self
                .columns
                .iter()
                .zip(row.cells.iter().flatten())
                .filter(|(c, _)| c.priority == 0)
                .map(|(_, v)| cell(v))
                .collect();
            self.rows.insert(key, cells);
        }
        if let Some(v) = table.metadata.resource_version {
            self.version = Some(v);
        }
    }

    /// The rows as the view's listing: kubectl's default columns, the name first (with its
    /// namespace when every namespace is shown).
    fn listing(&self) -> Listing {
        let shown: Vec<&Column> = self.columns.iter().filter(|c| c.priority == 0).collect();
        let with_ns = self.all && self.kind.namespaced;
        let rows = self
            .rows
            .iter()
            .map(|((ns, _), cells)| {
                let mut cells = cells.clone();
                if with_ns && let Some(first) = cells.first_mut() {
                    *first = format!("{ns}/{first}");
                }
                cells
            })
            .collect();
        Listing {
            kind: ViewKind::Resource,
            columns: shown
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 { "name" } else { "cell" })
                .collect(),
            rows,
            titles: shown.iter().map(|c| c.name.to_uppercase()).collect(),
            resource: Some(self.word.clone()),
        }
    }
}

/// A cell as kubectl prints it: as the server wrote it (a custom resource's dates already as
/// ages, a CRD's creation time as a time), `<none>` for nothing, a list joined.
fn cell(v: &serde_json::Value) -> String {
    use serde_json::Value;
    let text = match v {
        Value::Null => "<none>".to_string(),
        Value::String(s) => s.clone(),
        Value::Array(items) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect::<Vec<_>>()
            .join(","),
        other => other.to_string(),
    };
    crate::sanitize::one_line(&text)
}

fn get(path: &str, query: &str) -> Result<http::Request<Vec<u8>>, Error> {
    http::Request::get(format!("{path}?{query}"))
        .header(http::header::ACCEPT, TABLE)
        .body(Vec::new())
        .map_err(|e| Error::engine(e.to_string()))
}

impl Kube {
    /// The namespace a kind is listed in: the scope's, none for a cluster-wide kind.
    fn table_path(&self, kind: &ApiKind) -> (String, bool) {
        let scope = self.scope();
        let ns = scope.single();
        (kind.path(ns), ns.is_none())
    }

    /// Lists `rows`' kind in pages, calling `page` after each.
    async fn list_table(&self, rows: &mut Rows, mut page: impl FnMut(&Rows)) -> Result<(), Error> {
        let (path, _) = self.table_path(&rows.kind);
        rows.rows.clear();
        let mut next: Option<String> = None;
        loop {
            let mut query = format!("limit={PAGE}&includeObject=Metadata");
            if let Some(c) = &next {
                query.push_str(&format!("&continue={c}"));
            }
            let table: Table = self
                .client()
                .request(get(&path, &query)?)
                .await
                .map_err(kube_error)?;
            next = table.metadata.next.clone().filter(|c| !c.is_empty());
            rows.take(table, false);
            page(rows);
            if next.is_none() {
                return Ok(());
            }
        }
    }

    /// `estiba --kube get KIND`: the whole table once.
    pub async fn kind_table(&self, word: &str) -> Result<Listing, Error> {
        let kind = self.kind_named(word).await?;
        if !kind.can("list") {
            return Err(Error::Refused(crate::tr!(
                "kube.cannot_list",
                kind = kind.full_name()
            )));
        }
        let mut rows = Rows::new(kind, word, self.table_path_all());
        rows.only = self.scope().several();
        self.list_table(&mut rows, |_| {}).await?;
        Ok(rows.listing())
    }

    fn table_path_all(&self) -> bool {
        self.scope().single().is_none()
    }

    /// Keeps `tx` fed with the kind's table while the view is open: a listing per page of the
    /// first list, then one per batch of changes (gathered as the panes' are). Ends when `tx`
    /// closes; a namespace switch lists again in the new scope.
    pub async fn follow_table(&self, word: &str, tx: mpsc::Sender<Listing>) -> Result<(), Error> {
        let kind = self.kind_named(word).await?;
        if !kind.can("list") {
            return Err(Error::Refused(crate::tr!(
                "kube.cannot_list",
                kind = kind.full_name()
            )));
        }
        let mut switched = self.switched.subscribe();
        loop {
            let mut rows = Rows::new(kind.clone(), word, self.table_path_all());
            rows.only = self.scope().several();
            tokio::select! {
                r = self.follow_rows(&mut rows, &tx) => return r,
                changed = switched.changed() => if changed.is_err() { return Ok(()) },
            }
        }
    }

    async fn follow_rows(&self, rows: &mut Rows, tx: &mpsc::Sender<Listing>) -> Result<(), Error> {
        let mut attempt = 0u32;
        loop {
            if rows.version.is_none() {
                let mut pages = Vec::new();
                self.list_table(rows, |r| pages.push(r.listing())).await?;
                for l in pages {
                    if tx.send(l).await.is_err() {
                        return Ok(());
                    }
                }
            }
            if !rows.kind.can("watch") {
                // Nothing to follow: the list stays as it was.
                tx.closed().await;
                return Ok(());
            }
            match self.watch_rows(rows, tx).await {
                Ok(true) => attempt = 0,
                Ok(false) => return Ok(()),
                Err(e) => {
                    tracing::debug!(error = %e, "table watch ended, resuming");
                    attempt += 1;
                    let wait = std::time::Duration::from_millis(500 << attempt.min(5));
                    tokio::time::sleep(wait).await;
                }
            }
        }
    }

    /// One watch from the rows' version. `Ok(true)`: it ended as watches do (the server's
    /// timeout, or a 410 that asks for a list again); `Ok(false)`: nobody listens any more.
    async fn watch_rows(&self, rows: &mut Rows, tx: &mpsc::Sender<Listing>) -> Result<bool, Error> {
        let (path, _) = self.table_path(&rows.kind);
        let version = rows.version.clone().unwrap_or_default();
        let query = format!(
            "watch=1&allowWatchBookmarks=true&includeObject=Metadata&timeoutSeconds=290&resourceVersion={version}"
        );
        let stream = self
            .client()
            .request_stream(get(&path, &query)?)
            .await
            .map_err(kube_error)?;
        let mut lines = stream.lines();
        let mut due: Option<tokio::time::Instant> = None;
        loop {
            let flush = async {
                match due {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                line = lines.next() => {
                    let Some(line) = line else { break };
                    let line = line.map_err(|e| Error::engine(e.to_string()))?;
                    match apply_line(rows, &line) {
                        Seen::Changed if due.is_none() => {
                            let pace = crate::backend::dirty::pace(rows.rows.len());
                            due = Some(tokio::time::Instant::now() + pace);
                        }
                        Seen::Gone => {
                            rows.version = None;
                            break;
                        }
                        _ => {}
                    }
                }
                _ = flush => {
                    due = None;
                    if tx.send(rows.listing()).await.is_err() {
                        return Ok(false);
                    }
                }
                _ = tx.closed() => return Ok(false),
            }
        }
        if due.is_some() && tx.send(rows.listing()).await.is_err() {
            return Ok(false);
        }
        Ok(true)
    }
}

enum Seen {
    Changed,
    Quiet,
    /// 410: the version is gone, list again.
    Gone,
}

/// Applies one line of a watch to the rows.
fn apply_line(rows: &mut Rows, line: &str) -> Seen {
    let Ok(event) = serde_json::from_str::<WatchLine>(line) else {
        return Seen::Quiet;
    };
    match event.kind.as_str() {
        "ADDED" | "MODIFIED" | "DELETED" => {
            match serde_json::from_value::<Table>(event.object) {
                Ok(t) => rows.take(t, event.kind == "DELETED"),
                Err(_) => return Seen::Quiet,
            }
            Seen::Changed
        }
        "BOOKMARK" => {
            let v = event
                .object
                .pointer("/metadata/resourceVersion")
                .or_else(|| {
                    event
                        .object
                        .pointer("/rows/0/object/metadata/resourceVersion")
                })
                .and_then(|v| v.as_str());
            if let Some(v) = v {
                rows.version = Some(v.to_string());
            }
            Seen::Quiet
        }
        "ERROR" if event.object.get("code").and_then(|c| c.as_i64()) == Some(410) => Seen::Gone,
        _ => Seen::Quiet,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(namespaced: bool) -> ApiKind {
        ApiKind {
            group: "example.com".into(),
            version: "v1".into(),
            kind: "Widget".into(),
            plural: "widgets".into(),
            singular: "widget".into(),
            namespaced,
            short_names: vec!["wd".into()],
            verbs: vec!["list".into(), "watch".into()],
        }
    }

    #[test]
    fn a_watch_keeps_the_table_as_the_server_prints_it() {
        let mut rows = Rows::new(kind(true), "wd", true);
        let page = r#"{"kind":"Table","metadata":{"resourceVersion":"10"},
          "columnDefinitions":[{"name":"Name","type":"string","priority":0},
            {"name":"Size","type":"integer","priority":0},{"name":"Hidden","type":"string","priority":1},
            {"name":"Tags","type":"string","priority":0}],
          "rows":[{"cells":["a",3,"x",["red","blue"]],"object":{"metadata":{"name":"a","namespace":"dev","resourceVersion":"9"}}},
                  {"cells":["b",null,"y","t"],"object":{"metadata":{"name":"b","namespace":"dev"}}}]}"#;
        rows.take(serde_json::from_str(page).unwrap(), false);
        let l = rows.listing();
        assert_eq!(l.titles, ["NAME", "SIZE", "TAGS"]);
        assert_eq!(l.rows[0], ["dev/a", "3", "red,blue"]);
        assert_eq!(l.rows[1], ["dev/b", "<none>", "t"]);
        assert_eq!(rows.version.as_deref(), Some("10"));
        let modified = r#"{"type":"MODIFIED","object":{"kind":"Table","columnDefinitions":null,"rows":[{"cells":["b",4,"y","z"],"object":{"metadata":{"name":"b","namespace":"dev","resourceVersion":"11"}}}]}}"#;
        assert!(matches!(apply_line(&mut rows, modified), Seen::Changed));
        assert_eq!(rows.listing().rows[1], ["dev/b", "4", "z"]);
        let deleted = r#"{"type":"DELETED","object":{"kind":"Table","rows":[{"cells":["a",3,"x","t"],"object":{"metadata":{"name":"a","namespace":"dev","resourceVersion":"12"}}}]}}"#;
        assert!(matches!(apply_line(&mut rows, deleted), Seen::Changed));
        assert_eq!(rows.listing().rows.len(), 1);
        assert_eq!(rows.version.as_deref(), Some("12"));
        let bookmark =
            r#"{"type":"BOOKMARK","object":{"kind":"Table","metadata":{"resourceVersion":"15"}}}"#;
        assert!(matches!(apply_line(&mut rows, bookmark), Seen::Quiet));
        assert_eq!(rows.version.as_deref(), Some("15"));
        let gone = r#"{"type":"ERROR","object":{"kind":"Status","code":410}}"#;
        assert!(matches!(apply_line(&mut rows, gone), Seen::Gone));
    }
}
