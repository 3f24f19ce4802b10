//! Shared by the migrations of the folder; declares none.

/// The table the migrations create.
pub(crate) const USERS: &str = "users";
