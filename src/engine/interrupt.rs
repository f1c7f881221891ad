//! What an interrupted run leaves behind: nothing new, and the previous outputs as they were.
//!
//! Every file or directory a command writes before moving it into place (a scan's staging
//! directory, `dedup`'s `.OUT.tmp-PID` files, `gen`'s temporary files, the spooled copy of
//! standard input, a spill directory) is registered here, as a [`Pending`], for as long as
//! it exists. The binary calls [`install`] first thing: on SIGINT, SIGTERM or SIGHUP a watcher thread removes every
//! registered path and exits with 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM).
//! Moving finished files into place happens while holding the registry ([`hold`]), so a
//! signal that arrives then waits for the last rename: an output directory holds either all
//! of the previous run's files or all of the new run's, never a mix. SIGKILL cannot be caught;
//! what it leaves (a hidden staging directory or temporary file) the next run removes or
//! overwrites, except a spill directory, which stays until removed by hand.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// Paths to remove if the process is interrupted now.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Attempts at removing a registered directory: a worker thread may create a file in it
/// between the listing and the removal of the directory itself, which the next attempt takes.
const REMOVE_ATTEMPTS: usize = 5;

/// The registry, whatever a panicking thread did while holding it (a plain list of paths
/// cannot be left half-updated).
fn lock() -> MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The registry held: no interruption can clean up until this is dropped. Held while moving
/// finished files into place.
pub struct Hold(MutexGuard<'static, Vec<PathBuf>>);

/// Holds the registry (see [`Hold`]).
pub fn hold() -> Hold {
    Hold(lock())
}

/// A temporary file or directory, removed if the run is interrupted while it exists.
#[derive(Debug)]
pub struct Pending {
    path: PathBuf,
    registered: bool,
}

impl Pending {
    /// Registers `path` (before it is created, so no moment is left uncovered).
    pub fn new(path: &Path) -> Pending {
        lock().push(path.to_path_buf());
        Pending { path: path.to_path_buf(), registered: true }
    }

    /// The registered path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Unregisters the path, which has been moved into place or removed, under a held
    /// registry.
    pub fn done(mut self, hold: &mut Hold) {
        unregister(&mut hold.0, &self.path);
        self.registered = false;
    }
}

impl Drop for Pending {
    /// Unregisters the path; whoever dropped it removes it (or has moved it into place).
    fn drop(&mut self) {
        if self.registered {
            unregister(&mut lock(), &self.path);
        }
    }
}

fn unregister(pending: &mut Vec<PathBuf>, path: &Path) {
    if let Some(i) = pending.iter().rposition(|p| p == path) {
        pending.swap_remove(i);
    }
}

/// Removes a file or a directory tree; what is already gone is no error.
fn remove(path: &Path) {
    for _ in 0..REMOVE_ATTEMPTS {
        let gone = match std::fs::symlink_metadata(path) {
            Err(_) => true,
            Ok(meta) if meta.is_dir() => std::fs::remove_dir_all(path).is_ok(),
            Ok(_) => std::fs::remove_file(path).is_ok(),
        };
        if gone {
            return;
        }
    }
}

/// Watches for SIGINT, SIGTERM and SIGHUP on a thread of its own: on the first, removes every
/// pending path, says so on stderr and exits with 128 + the signal number.
#[cfg(unix)]
pub fn install() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new().name("reprint-signals".into()).spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let pending = lock();
            for path in pending.iter() {
                remove(path);
            }
            let name = match signal {
                SIGINT => "SIGINT",
                SIGTERM => "SIGTERM",
                _ => "SIGHUP",
            };
            eprintln!("reprint: interrupted by {name}; unfinished outputs removed, finished ones left in place");
            // Exits holding the registry, so no rename can start after the clean-up.
            std::process::exit(128 + signal);
        }
    })?;
    Ok(())
}

/// Elsewhere the platform's default handling stays (the process ends; what it leaves, the
/// next run removes or overwrites).
#[cfg(not(unix))]
pub fn install() -> std::io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pending_paths_are_registered_until_done_or_dropped() {
        let a = Pending::new(Path::new("/nonexistent/reprint-a"));
        let b = Pending::new(Path::new("/nonexistent/reprint-b"));
        let registered = |p: &str| lock().iter().any(|x| x == Path::new(p));
        assert!(registered("/nonexistent/reprint-a") && registered("/nonexistent/reprint-b"));
        let mut h = hold();
        a.done(&mut h);
        drop(h);
        assert!(!registered("/nonexistent/reprint-a") && registered("/nonexistent/reprint-b"));
        drop(b);
        assert!(!registered("/nonexistent/reprint-b"));
    }

    #[test]
    fn remove_takes_files_and_trees_and_ignores_what_is_gone() {
        let dir = std::env::temp_dir().join(format!("reprint-interrupt-test-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("sub/f"), b"x").unwrap();
        let file = dir.with_extension("tmp");
        std::fs::write(&file, b"y").unwrap();
        remove(&dir);
        remove(&file);
        remove(&dir);
        assert!(!dir.exists() && !file.exists());
    }
}
