//! The `reprint` binary: the command line is the library's [`reprint::cli`]; this file only
//! picks the allocator.

/// jemalloc instead of the platform allocator. A scan makes millions of small per-article
/// allocations that live for a whole stage; glibc's per-thread arenas grow and trim their heaps
/// a few pages at a time (182,249 `mprotect` calls in a 100,000-article scan), so pages are
/// faulted in and zeroed again and again, and time per article grew with the dump: 400,000
/// articles took 128.5 s (43.7 s of it in the kernel) with glibc and 76.5 s (18.9 s) with
/// jemalloc, which maps large extents and reuses them (BENCHMARKS.md, "Second round").
#[cfg(all(feature = "jemalloc", not(target_env = "msvc")))]
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

fn main() -> std::process::ExitCode {
    reprint::cli::main()
}
