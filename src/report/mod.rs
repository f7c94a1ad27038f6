//! Reports across run folders, read back through [`crate::record`]: `compare` joins their
//! summaries into one table; `html` draws report.html (with `charts`).

pub(crate) mod bench_charts;
pub(crate) mod charts;
pub(crate) mod compare;
pub(crate) mod html;
