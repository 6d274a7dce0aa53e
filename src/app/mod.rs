//! The console: the event loop and the state it owns.

pub mod certs_form;
pub mod editor;
pub mod input;
pub mod keymap;
mod run;
pub mod snap;
pub mod state;

pub use run::{Options, restore_terminal, run};
