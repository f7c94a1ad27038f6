//! The TOML inputs: `lab.toml` (what is on the bench) and `manifest.toml` (what to test),
//! read with every error located at file:line:col and naming its key.

pub mod access;
pub mod error;
pub mod lab;
mod lab_direct;
pub mod manifest;
pub mod sim_spec;
pub mod source;
pub mod values;

pub use error::{FormatError, Location};
pub use lab::Lab;
pub use manifest::Manifest;
pub use source::Source;
