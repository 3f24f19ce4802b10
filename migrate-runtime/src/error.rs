//! The crate's one error type.

/// Shorthand for results whose error is [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong while building, planning or applying migrations.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A SQL statement failed.
    #[error(transparent)]
    Database(#[from] diesel::result::Error),
    /// A connection could not be opened.
    #[error(transparent)]
    Connection(#[from] diesel::ConnectionError),
    /// The URL's backend is not compiled in.
    #[error("{0} support is not compiled in; enable the `{feature}` feature of migrate-runtime", feature = .0.feature())]
    BackendDisabled(crate::Backend),
    /// The database URL could not be understood. The URL in the message is redacted.
    #[error("invalid database URL `{url}`: {reason}")]
    InvalidUrl {
        /// The redacted URL.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A migration function reported a failure of its own.
    #[error("{0}")]
    Message(String),
}

impl Error {
    /// An error carrying a free-form message, for migration functions to return.
    pub fn msg(message: impl Into<String>) -> Self {
        Self::Message(message.into())
    }
}
