// Both files of the folder declare revision `0002_add_email`.
migrate_runtime::migrations!("duplicate-across-files");

fn main() {}
