//! The process's heap, tuned for many sessions at once (glibc; elsewhere these do
//! nothing): one malloc arena, and freed memory handed back before a large new phase.

/// One glibc malloc arena, not one per thread: a watch of 500 switches frees and
/// allocates small buffers on every runtime thread, and per-thread arenas kept what was
/// freed on one thread from use on another (a peak of 117 MiB against 100). The threads
/// are few and spend their time waiting on the network, so they do not contend for it.
pub fn one_malloc_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt sets an allocator parameter and touches no Rust memory; main calls
    // it first, before any other thread exists.
    unsafe {
        nix::libc::mallopt(nix::libc::M_ARENA_MAX, 1);
    }
}

/// Hand what is free back to the system: when every session of a run has closed, before
/// the report is drawn. glibc kept the sessions' freed pages and the report took new
/// ones beside them: a 500-switch watch peaked at 101 MiB drawing it, 88 MiB without.
pub(crate) fn give_back_freed() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; no live allocation
    // moves, and it is safe to call from any thread at any time.
    unsafe {
        nix::libc::malloc_trim(0);
    }
}
