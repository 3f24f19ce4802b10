//! Holds no code: the trybuild cases live in `tests/`. The README's Rust examples are
//! compiled and run here as doctests, so they cannot drift from the API. The binary
//! `folder_with_helpers` is the CLI over a migrations folder with a helper file, which
//! `tests/unbuilt.rs` runs.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
