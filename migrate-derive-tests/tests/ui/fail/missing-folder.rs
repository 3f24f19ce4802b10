migrate_runtime::migrations!("no-such-folder");

fn main() {}
