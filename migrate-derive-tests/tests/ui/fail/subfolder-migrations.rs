//! A migration file in a subfolder of the collected folder is not collected: an error says
//! so rather than leaving the migration out of the build.

migrate_runtime::migrations!("subfolder-migrations");

fn main() {}
