//! Stacks: compose files loaded as `docker stack deploy` loads them, converted with docker's
//! conventions, and deployed through the Engine API.

pub mod convert;
pub mod interpolate;
pub mod load;
pub mod locate;

pub use load::{StackError, StackSpec, load};
