//! What a run leaves on disk, as types that are written and read back by one module each:
//! so far summary.csv (ports.csv, flaps.csv, throughput.csv and run.json are still written
//! by their own writers in `watch` and `run::traffic`).

pub mod summary;
