//! In a folder collected by `migrations!`, a signature the macro cannot judge alone (the
//! error type, a downgrade's) and a misspelt downgrade are still reported on the user's
//! tokens, once each, and not again at `migrations!`.

migrate_runtime::migrations!("folder-wrong-signature");

fn main() {}
