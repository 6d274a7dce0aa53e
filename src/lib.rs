//! estiba: a full-screen terminal console for Docker Swarm and Kubernetes, made for
//! DevOps labs. The crate's modules, top layer first; ARCHITECTURE.md says who may import whom.

pub mod app;
pub mod backend;
pub mod build;
pub mod certs;
pub mod cli;
pub mod columns;
pub mod command;
pub mod compose;
pub mod config;
pub mod export;
pub mod i18n;
pub mod lab;
pub mod model;
pub mod output;
pub mod presets;
pub mod runtime;
pub mod sanitize;
pub mod shell;
pub mod stack;
pub mod start;
pub mod suggest;
pub mod time;
pub mod ui;

pub use start::main_entry;
