//! Holds no code: the trybuild cases live in `tests/`.
