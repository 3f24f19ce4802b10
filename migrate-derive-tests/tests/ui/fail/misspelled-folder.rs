// A typo in the folder name: the error suggests the folder next to it.
migrate_runtime::migrations!("folder-wrong-signatur");

fn main() {}
