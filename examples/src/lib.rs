//! Video catalogue example: the schema of a video-metadata catalogue, evolved through
//! migrate migrations.
//!
//! Each file of `src/migrations/` holds one migration named `<revision>_<slug>.rs`. The graph
//! they form (newest on top; run `video-catalog history` to print it):
//!
//! ```text
//! 9c3a7e1f5d20  lowercase codecs (irreversible)
//! 8b2f6d4a0c19  create thumbnails
//! 7d1e5a3c8f02  merge tagging and orientation      (merge point)
//!    |      \
//!    |     ae7d52c1f948  tag videos by orientation  (depends on 6a4c0e9f2b83)
//!    |     d81f4b2a6c30  create tags                (branch label `tagging`)
//! 6a4c0e9f2b83  backfill orientation (typed diesel data migration)
//! 5f3b8d2e7a91  add orientation
//!    |     /
//! 0a7e4c2d9b16  index videos by codec (non-transactional)   (branch point)
//! ae3c1d9e7a05  add codec and bitrate
//! 2b6f0c81d4a9  add resolution
//! 1975ea83b712  create videos
//! ```
//!
//! The binary (`src/main.rs`) is the migrate CLI with these migrations compiled in.

pub mod schema;

migrate_runtime::migrations!("migrations");
