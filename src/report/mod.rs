//! Reports across run folders, read back through [`crate::record`]: `compare` joins their
//! summaries into one table; `html` draws report.html (with `charts`).

pub mod charts;
pub mod compare;
pub mod html;
