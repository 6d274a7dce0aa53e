//! Stacks: compose files loaded as `docker stack deploy` loads them, converted with docker's
//! conventions, and deployed through the Engine API.

pub mod compare;
pub mod container;
pub mod deploy;
pub mod facts;
pub mod interpolate;
pub mod load;
pub mod locate;
pub mod mounts;
pub mod objects;
pub mod service;
pub mod spec;
pub mod values;

pub use objects::{objects, used_networks};
pub use service::service;
pub use values::check;

pub use load::load;
pub use spec::{FileObject, NAMESPACE, StackError, StackSpec, valid_stack_name};

/// Which files each stack was last deployed from, kept in the data dir (`stacks.json`) so that
/// `edit STACK` opens the right file, whether the deploy ran in the console or on the CLI.
pub fn remembered(data_dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<String>> {
    std::fs::read_to_string(data_dir.join("stacks.json"))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

/// Records a deploy's files (as absolute paths) for `edit STACK`.
pub fn remember(data_dir: &std::path::Path, stack: &str, files: &[String]) {
    let mut all = remembered(data_dir);
    let abs: Vec<String> = files
        .iter()
        .map(|f| {
            std::path::absolute(f)
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| f.clone())
        })
        .collect();
    all.insert(stack.to_string(), abs);
    let _ = std::fs::create_dir_all(data_dir);
    let _ = std::fs::write(
        data_dir.join("stacks.json"),
        serde_json::to_string_pretty(&all).unwrap_or_default(),
    );
}
