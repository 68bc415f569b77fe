//! Keeps glibc's allocator from hoarding memory, by re-executing the binary once with a fixed
//! mmap threshold.
//!
//! glibc serves an allocation above its mmap threshold (128 KiB at first) with its own
//! `mmap`, returned to the system when freed — but freeing one raises the threshold to its
//! size. Password hashing allocates 19 MiB blocks (Argon2id), so after the first login the
//! threshold is 19 MiB for the life of the process, every smaller allocation of every thread
//! lands in the thread's arena, and the arenas keep what they once held: measured with
//! `hearth-bench throughput-ws` (64 registrations, then sends), peak RSS 830 MB, against
//! 62 MB with the threshold fixed at 1 MiB (same throughput). The threshold can only be fixed
//! before the process starts (`GLIBC_TUNABLES`) or through `mallopt`, which is `unsafe`; so
//! `hearth` re-executes itself once with the tunable set. A `GLIBC_TUNABLES` given by the
//! operator is left alone, and if the re-execution fails the process simply goes on.

/// The tunable `hearth` runs with unless the operator sets `GLIBC_TUNABLES` themselves.
const TUNABLES: &str = "glibc.malloc.mmap_threshold=1048576";

/// Re-executes the current binary with [`TUNABLES`] unless `GLIBC_TUNABLES` is already set.
/// Returns only when it did not (or could not) re-execute.
pub(crate) fn apply() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::os::unix::process::CommandExt;

        if std::env::var_os("GLIBC_TUNABLES").is_some() {
            return;
        }
        let Ok(exe) = std::env::current_exe() else {
            return;
        };
        // `exec` only returns on failure; then we carry on with the default allocator.
        let _failed = std::process::Command::new(exe)
            .args(std::env::args_os().skip(1))
            .env("GLIBC_TUNABLES", TUNABLES)
            .exec();
    }
}
