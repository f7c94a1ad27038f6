//! What a run leaves on disk, as types that are written and read back by one module each:
//! so far summary.csv (ports.csv, flaps.csv, throughput.csv and run.json are still written
//! by their own writers in `watch` and `run::traffic`).

pub mod summary;

/// SHA-256 of `text`, hex: what run.json records of each input, so runs can be told apart.
pub fn digest(text: &str) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(text.as_bytes());
    hash.iter().map(|b| format!("{b:02x}")).collect()
}
