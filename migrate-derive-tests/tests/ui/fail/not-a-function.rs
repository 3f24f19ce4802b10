use migrate_runtime::prelude::*;

#[migration(revision = "1975ea83b712", irreversible)]
struct AddEmail;

fn main() {}
