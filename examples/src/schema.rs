//! Diesel table definitions for the typed data migrations.
//!
//! They describe the columns as the data migrations see them, not the latest schema: a data
//! migration must keep working when later migrations change the tables, so a column is
//! listed here only while some migration reads or writes it with typed queries.

diesel::table! {
    /// The catalogue's videos.
    videos (id) {
        /// Surrogate key.
        id -> BigInt,
        /// File name as uploaded.
        file_name -> Text,
        /// Storage path, unique.
        path -> Text,
        /// Frame width in pixels, when probed.
        width -> Nullable<Integer>,
        /// Frame height in pixels, when probed.
        height -> Nullable<Integer>,
        /// `landscape`, `portrait` or `square`, derived from the resolution.
        orientation -> Nullable<Text>,
    }
}

diesel::table! {
    /// Free-form tags.
    tags (id) {
        /// Surrogate key.
        id -> BigInt,
        /// Tag name, unique.
        name -> Text,
    }
}

diesel::table! {
    /// Which video carries which tag.
    video_tags (video_id, tag_id) {
        /// The tagged video.
        video_id -> BigInt,
        /// The tag.
        tag_id -> BigInt,
    }
}

diesel::joinable!(video_tags -> videos (video_id));
diesel::joinable!(video_tags -> tags (tag_id));
diesel::allow_tables_to_appear_in_same_query!(videos, tags, video_tags);
