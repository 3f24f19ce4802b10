//! Holds no code: the trybuild cases live in `tests/`. The README's Rust examples are
//! compiled and run here as doctests, so they cannot drift from the API.

#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
