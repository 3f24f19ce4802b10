//! Benchmarks of migrate, run by `cargo xtask bench` (end to end, written to
//! `BENCHMARKS.md`) and `cargo bench -p migrate-bench` (criterion, the pure graph code).
//!
//! The end-to-end suite re-executes its own binary once per measured figure, so that
//! every figure includes a process start and a connection like the database CLIs it is
//! compared with, and so that the peak memory of that one run can be read.

pub mod child;
pub mod compile;
#[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub mod databases;
pub mod plot;
pub mod pure;
#[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub mod report;
pub mod stats;
#[cfg(all(feature = "sqlite", feature = "postgres", feature = "mysql"))]
pub mod suite;
pub mod workload;

/// The error type of the suite: a message for a human, the suite stops on the first one.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;
