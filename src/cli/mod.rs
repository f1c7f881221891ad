//! The command line's library half: `reprint show` (one cluster in the terminal, read back
//! from a run's outputs). The binary (`src/main.rs`) parses flags, maps results to exit codes,
//! draws progress bars and tables.

pub mod show;
