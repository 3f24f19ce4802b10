//! Rebuilds the crate when a migration file is added, removed or renamed: `migrations!`
//! scans the folder at compile time, and cargo does not otherwise watch a folder's listing.

fn main() {
    println!("cargo::rerun-if-changed=src/migrations");
}
