//! The console's state machine, pure: the state, keys and palette applied to it, and the effects
//! (backend operations, files, evidence, certificates) that `runtime` carries out. Nothing here
//! touches the terminal, the network or the disk.

pub mod act;
pub mod build_form;
pub mod certs_form;
pub mod class;
pub mod cluster;
mod commands;
pub mod copy;
pub mod editor;
pub mod effect;
mod events;
pub mod evidence;
pub mod forwards;
pub mod input;
pub mod inspect;
pub mod keymap;
pub mod lab;
pub mod lab_session;
pub mod logs;
pub mod mouse;
mod open;
mod palette;
pub mod regions;
pub mod snap;
pub mod sort;
pub mod sorted;
pub mod state;
mod view_keys;
pub mod views;
