//! The `RevisionId` newtype: the one definition of what a valid revision id is.

use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;
// Shared rather than boxed: plans, version-table rows and graphs clone ids freely.
use std::sync::Arc;

/// Longest accepted revision id (and branch label), in bytes. The version table's column is
/// sized to match.
pub const MAX_ID_LEN: usize = 64;

/// Words that name targets (`head`, `base`, ...) and so cannot be revision ids.
const RESERVED: &[&str] = &["head", "heads", "base", "current"];

/// A validated revision id: 1 to 64 ASCII letters, digits or underscores, not a reserved
/// target word. Alembic's 12-hex ids (`1975ea83b712`, `0a1b2c3d4e5f`) and readable ids
/// (`0003_add_email`) are both valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RevisionId(Arc<str>);

/// Why a string is not a valid [`RevisionId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id is the empty string.
    #[error("revision id is empty")]
    Empty,
    /// The id is longer than 64 bytes, the limit.
    #[error("revision id is {len} characters long, the limit is {MAX_ID_LEN}")]
    TooLong {
        /// Length of the rejected id.
        len: usize,
    },
    /// The id contains a character other than an ASCII letter, digit or underscore.
    #[error(
        "revision id contains {ch:?} at position {pos}, only ASCII letters, digits and `_` are allowed"
    )]
    InvalidChar {
        /// The offending character.
        ch: char,
        /// Its character position.
        pos: usize,
    },
    /// The id is a reserved target word.
    #[error("`{0}` is a reserved target name and cannot be a revision id")]
    Reserved(&'static str),
}

impl RevisionId {
    /// Validates `s` as a revision id.
    pub fn new(s: &str) -> Result<Self, IdError> {
        if s.is_empty() {
            return Err(IdError::Empty);
        }
        if s.len() > MAX_ID_LEN {
            return Err(IdError::TooLong { len: s.len() });
        }
        if let Some((pos, ch)) = s
            .chars()
            .enumerate()
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
        {
            return Err(IdError::InvalidChar { ch, pos });
        }
        if let Some(word) = RESERVED.iter().find(|w| w.eq_ignore_ascii_case(s)) {
            return Err(IdError::Reserved(word));
        }
        Ok(Self(s.into()))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for RevisionId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::new(s)
    }
}

impl fmt::Display for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for RevisionId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for RevisionId {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for RevisionId {
    fn eq(&self, other: &str) -> bool {
        &*self.0 == other
    }
}

impl PartialEq<&str> for RevisionId {
    fn eq(&self, other: &&str) -> bool {
        &*self.0 == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_alembic_and_readable_ids() {
        for ok in ["1975ea83b712", "0a1b2c3d4e5f", "0003_add_email", "a", "_x"] {
            assert_eq!(RevisionId::new(ok).unwrap().as_str(), ok);
        }
    }

    #[test]
    fn rejects_malformed_ids() {
        assert_eq!(RevisionId::new(""), Err(IdError::Empty));
        assert_eq!(
            RevisionId::new("add-email"),
            Err(IdError::InvalidChar { ch: '-', pos: 3 })
        );
        assert_eq!(RevisionId::new("Head"), Err(IdError::Reserved("head")));
        assert_eq!(
            RevisionId::new(&"a".repeat(65)),
            Err(IdError::TooLong { len: 65 })
        );
    }
}
