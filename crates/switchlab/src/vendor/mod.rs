//! Vendor profiles as data: the schema (`profile`), the checked and compiled form the rest
//! of switchlab uses (`compiled`, its patterns compiled with located errors by
//! `compiler`: session patterns with `regex-lite` (`pattern`), `[[parse]]` rules with
//! `regex`, their `\d`, `\w` and `\s` read as ASCII (`ascii`)), the mode graph's names
//! (`mode`: `privileged` and `config` as variants), port-name forms
//! (`ports`), how a config is read and undone (`restore`), how many lines a push may type
//! ahead (`type_ahead`), and the registry of built-in and folder-supplied profiles and
//! templates (`registry`).

pub mod ascii;
pub mod compiled;
mod compiled_parse;
mod compiler;
pub mod mode;
pub mod pattern;
pub mod ports;
pub mod profile;
pub mod registry;
pub mod restore;
pub mod type_ahead;

pub use compiled::{Origin, Vendor};
pub use compiled_parse::TRANSCEIVER_FIELDS;
pub use mode::ModeName;
pub use pattern::{Pattern, PatternSet};
pub use registry::Registry;
