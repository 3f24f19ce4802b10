//! Compile-fail and compile-pass cases of `#[migration]` and `migrations!`.
//!
//! Re-bless with `TRYBUILD=overwrite cargo test -p migrate-derive-tests`, then read the
//! `.stderr` diff as a user would meet the error.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/fail/*.rs");
    t.pass("tests/ui/pass/*.rs");
}
