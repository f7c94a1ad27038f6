//! Leaving a switch as it was found: the running config read as sections (`config`), what
//! a baseline would change in it and the lines that undo a change (`change`, pure), and
//! the device operations built on them (`device`): the snapshot before and after every
//! push, `push --diff` and `restore`.

pub mod change;
pub mod config;
pub(crate) mod device;

pub use change::{expected, undo, unified};
pub use config::{Config, Entry};
