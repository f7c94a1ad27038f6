//! A lock that a panicking holder poisoned still guards plain data (counters, a file, a
//! table): take it anyway rather than spread the panic.

use std::sync::{Mutex, MutexGuard};

pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}
