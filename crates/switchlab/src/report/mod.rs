//! Reports across run folders, read back through [`crate::record`]: `compare` joins their
//! summaries into one table; `html` draws report.html (with `charts`); `junit` writes
//! junit.xml, the run as a test suite for CI.

pub(crate) mod bench_charts;
pub(crate) mod charts;
pub mod compare;
pub mod html;
pub(crate) mod junit;
