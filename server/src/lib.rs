//! The DevLog server: configuration, the axum router around the Leptos app, and the layers
//! that keep a local server safe to run.

pub mod activity;
pub mod config;
pub mod declarations;
pub mod health;
pub mod router;
pub mod security;
pub mod serve;
pub mod site;
pub mod sse;
pub mod usage_export;

pub use config::Config;
pub use router::build_router;

/// Server rendering makes many small allocations (a 5,000-card board: most of its time was in
/// glibc's malloc and free); mimalloc serves them much faster. Declared in the library so the
/// binary, the tests and the benchmarks all measure the same allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Turns transparent huge pages off for this process. mimalloc asks for them on its arenas
/// (`madvise(MADV_HUGEPAGE)`), and under a flood of events it purges freed memory and touches
/// it again: each touch made the kernel zero a whole 2 MB page. Profiled (`perf record -g`
/// around `cargo bench --bench stream`): 34% of all CPU in `clear_page_erms` from
/// `do_huge_pmd_anonymous_page`; without them the stream's p99 over 20 sessions went from
/// 260–290 ms to 100–118 ms, one session's rate from 56–99k to 130–153k events/s, and the
/// RSS with 20 sessions from 180–235 MB to 82–90 MB. `mimalloc`'s own switch
/// (`MIMALLOC_ALLOW_THP=0`) is read before `main` could set it; the process flag is checked
/// at each page fault, so it holds for the arenas already mapped. Children (git, agents)
/// inherit it, which changes nothing for them where THP is `madvise`-only, as on Debian.
pub fn without_transparent_huge_pages() -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; it sets a flag on this process.
    // prctl is variadic and reads its arguments as unsigned longs.
    let (on, unused): (libc::c_ulong, libc::c_ulong) = (1, 0);
    if unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, on, unused, unused, unused) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    #[test]
    fn transparent_huge_pages_are_off_after_the_call() {
        super::without_transparent_huge_pages().unwrap();
        // SAFETY: PR_GET_THP_DISABLE takes no pointers; it reads this process's flag.
        let unused: libc::c_ulong = 0;
        let flag = unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, unused, unused, unused, unused) };
        assert_eq!(flag, 1);
    }
}
