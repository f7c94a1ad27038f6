//! Reports across run folders: `compare` joins their summaries.

pub mod compare;
