//! Video catalogue example.
