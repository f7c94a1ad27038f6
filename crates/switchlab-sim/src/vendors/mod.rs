//! The simulated vendors, one file each, hand-written from VENDORS.md and independent of
//! `vendors/*.toml`: a wrong profile fails a test instead of agreeing with itself.

use super::dialect::Dialect;

mod arista;
mod cisco;
mod fastiron;
mod fastpath;
mod force10;

pub static ALL: [&Dialect; 5] = [
    &cisco::DIALECT,
    &arista::DIALECT,
    &force10::DIALECT,
    &fastiron::DIALECT,
    &fastpath::DIALECT,
];

pub fn dialect(name: &str) -> Option<&'static Dialect> {
    ALL.iter().copied().find(|d| d.name == name)
}

pub fn names() -> Vec<&'static str> {
    ALL.iter().map(|d| d.name).collect()
}
