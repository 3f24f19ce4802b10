//! The `RevisionId` newtype: the one definition of what a valid revision id is.

use std::borrow::Borrow;
use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::str::FromStr;
// Shared rather than boxed: plans, version-table rows and graphs clone ids freely.
use std::sync::Arc;

/// Longest accepted revision id, in bytes. The version table's column is sized to match.
pub const MAX_LEN: usize = 64;

/// Words that name targets (`head`, `base`, ...) and so cannot be revision ids.
const RESERVED: &[&str] = &["head", "heads", "base", "current"];

/// A validated revision id: 1 to 64 ASCII letters, digits or underscores, not a reserved
/// target word. Alembic's 12-hex ids (`1975ea83b712`, `0a1b2c3d4e5f`) and readable ids
/// (`0003_add_email`) are both valid.
///
/// Equality, ordering and hashing are those of the string, whichever way the id was made.
#[derive(Clone)]
pub struct RevisionId(Repr);

/// Where the id's text lives.
#[derive(Clone)]
enum Repr {
    /// In the binary: the ids `#[migration]` registers cost no allocation.
    Static(&'static str),
    /// On the heap, shared by every clone.
    Shared(Arc<str>),
}

/// Why a string is not a valid [`RevisionId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// The id is the empty string.
    #[error("revision id is empty")]
    Empty,
    /// The id is longer than [`MAX_LEN`] bytes.
    #[error("revision id is {len} characters long, the limit is {MAX_LEN}")]
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
        validate(s)?;
        Ok(Self(Repr::Shared(s.into())))
    }

    /// Validates `s` as a revision id without copying it: for ids that live as long as the
    /// program, such as string literals and the ids `#[migration]` registers.
    ///
    /// ```
    /// use migrate_core::RevisionId;
    ///
    /// let id = RevisionId::from_static("0001_create_users")?;
    /// assert_eq!(id, RevisionId::new("0001_create_users")?);
    /// # Ok::<(), migrate_core::IdError>(())
    /// ```
    pub fn from_static(s: &'static str) -> Result<Self, IdError> {
        validate(s)?;
        Ok(Self(Repr::Static(s)))
    }

    /// The id as a string slice.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(s) => s,
            Repr::Shared(s) => s,
        }
    }
}

/// Checks `s` against the rules [`RevisionId`] documents.
fn validate(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        return Err(IdError::Empty);
    }
    if s.len() > MAX_LEN {
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
    Ok(())
}

impl fmt::Debug for RevisionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("RevisionId").field(&self.as_str()).finish()
    }
}

impl PartialEq for RevisionId {
    fn eq(&self, other: &Self) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for RevisionId {}

impl PartialOrd for RevisionId {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for RevisionId {
    fn cmp(&self, other: &Self) -> Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Hash for RevisionId {
    // As `str` hashes: `Borrow<str>` lookups in hash maps rely on it.
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
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
        f.write_str(self.as_str())
    }
}

impl AsRef<str> for RevisionId {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for RevisionId {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl PartialEq<str> for RevisionId {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for RevisionId {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
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
        assert_eq!(
            RevisionId::from_static("base"),
            Err(IdError::Reserved("base"))
        );
    }

    #[test]
    fn static_and_shared_ids_compare_hash_and_order_as_their_text() {
        use std::collections::HashSet;
        let shared = RevisionId::new("0002_b").unwrap();
        let fixed = RevisionId::from_static("0002_b").unwrap();
        assert_eq!(shared, fixed);
        assert_eq!(format!("{fixed:?}"), format!("{shared:?}"));
        let set: HashSet<RevisionId> = [shared].into_iter().collect();
        assert!(set.contains(&fixed) && set.contains("0002_b"));
        let earlier = RevisionId::from_static("0001_a").unwrap();
        assert!(earlier < RevisionId::new("0002_b").unwrap());
        assert!(RevisionId::new("0003_c").unwrap() > fixed);
    }
}
