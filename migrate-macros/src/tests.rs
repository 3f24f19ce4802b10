//! Expansion tests through the `proc_macro2` twins: snapshots of pretty-printed expansions
//! and the chain checks over files written to a temporary folder.

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::{self, VisitMut};

use crate::chain::Origin;
use crate::expand;

/// The expansion pretty-printed. prettyplease leaves macro bodies on long lines, so the
/// `inventory::submit! { value }` is shown as `static SUBMITTED: _ = value;` to get the
/// registered value formatted too.
fn pretty(tokens: TokenStream) -> String {
    struct ShowSubmitted;
    impl VisitMut for ShowSubmitted {
        fn visit_stmt_mut(&mut self, stmt: &mut syn::Stmt) {
            let mac = match stmt {
                syn::Stmt::Macro(m) => &m.mac,
                syn::Stmt::Item(syn::Item::Macro(m)) => &m.mac,
                _ => return visit_mut::visit_stmt_mut(self, stmt),
            };
            if mac
                .path
                .segments
                .last()
                .is_some_and(|s| s.ident == "submit")
            {
                let value: syn::Expr = syn::parse2(mac.tokens.clone()).unwrap();
                *stmt = syn::parse_quote!(static SUBMITTED: _ = #value;);
            }
        }
    }
    let mut file: syn::File = syn::parse2(tokens).expect("the expansion is a list of items");
    ShowSubmitted.visit_file_mut(&mut file);
    prettyplease::unparse(&file)
}

/// The messages of the `compile_error!`s in an expansion.
fn errors(tokens: TokenStream) -> Vec<String> {
    let file: syn::File = syn::parse2(tokens).unwrap();
    file.items
        .iter()
        .filter_map(|item| match item {
            syn::Item::Macro(m) if m.mac.path.segments.last().unwrap().ident == "compile_error" => {
                Some(
                    syn::parse2::<syn::LitStr>(m.mac.tokens.clone())
                        .unwrap()
                        .value(),
                )
            }
            _ => None,
        })
        .collect()
}

fn expand_alone(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::migration(args, item, &Origin::default())
}

#[test]
fn registration_of_a_reversible_migration() {
    let out = expand_alone(
        quote!(
            revision = "1975ea83b712",
            revises = "ae1027a6acf0",
            message = "add email to users",
            downgrade = drop_email
        ),
        quote! {
            fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
                ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn registration_of_an_irreversible_merge_with_doc_message() {
    let out = expand_alone(
        quote!(
            revision = "0003_merge",
            revises = ["0002_a", "0002_b"],
            depends_on = ["0001_base"],
            branch_labels = ["accounts"],
            irreversible,
            transactional = false
        ),
        quote! {
            /// Merge the two branches.
            ///
            /// Nothing to do.
            pub fn merge(_ctx: &mut MigrationContext<'_>) -> Result<()> {
                Ok(())
            }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn every_argument_problem_is_reported_and_the_item_kept() {
    let out = expand_alone(
        quote!(
            revison = "a",
            revises = 5,
            depends_on = ["bad-id"],
            transactional = "no",
            message = "m",
            message = "n"
        ),
        quote! {
            async fn up(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        },
    );
    insta::assert_snapshot!(pretty(out));
}

#[test]
fn a_non_function_is_rejected() {
    let out = expand_alone(
        quote!(revision = "a", irreversible),
        quote!(
            struct S;
        ),
    );
    assert_eq!(
        errors(out),
        [
            "`#[migration]` goes on a function: `fn name(ctx: &mut MigrationContext<'_>) -> migrate_runtime::Result<()>`"
        ]
    );
}

/// Expands the migration `fn_name` of `src`, written to `file`, as the compiler would.
fn expand_in_file(file: &std::path::Path, src: &str, fn_name: &str) -> TokenStream {
    expand_in_file_with(file, src, fn_name, expand::migration)
}

/// [`expand_in_file`] through `expand`.
fn expand_in_file_with(
    file: &std::path::Path,
    src: &str,
    fn_name: &str,
    expand: impl Fn(TokenStream, TokenStream, &Origin) -> TokenStream,
) -> TokenStream {
    std::fs::write(file, src).unwrap();
    let parsed = syn::parse_file(src).unwrap();
    let mut found = None;
    find_fn(&parsed.items, fn_name, &mut found);
    let mut item = found.unwrap_or_else(|| panic!("no fn {fn_name}"));
    let index = item
        .attrs
        .iter()
        .position(crate::scan::is_migration_attr)
        .unwrap();
    let attr = item.attrs.remove(index);
    let args = match attr.meta {
        syn::Meta::List(list) => list.tokens,
        _ => TokenStream::new(),
    };
    let origin = Origin {
        file: Some(file.to_owned()),
    };
    expand(args, quote!(#item), &origin)
}

fn find_fn(items: &[syn::Item], name: &str, found: &mut Option<syn::ItemFn>) {
    for item in items {
        match item {
            syn::Item::Fn(f) if f.sig.ident == name => *found = Some(f.clone()),
            syn::Item::Mod(syn::ItemMod {
                content: Some((_, items)),
                ..
            }) => find_fn(items, name, found),
            _ => {}
        }
    }
}

const CHAIN: &str = r#"
use migrate_runtime::prelude::*;

#[migration(revision = "a", irreversible)]
fn root(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

#[migration(revision = "a", revises = "root_typo", irreversible)]
fn dup(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

mod inner {
    use super::*;

    #[migration(revision = "c", revises = ["a", "d"], branch_labels = ["x"], irreversible)]
    fn c(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

    #[migration(revision = "d", depends_on = ["c"], branch_labels = ["x"], irreversible)]
    fn d(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
}
"#;

#[test]
fn chain_checks_report_on_the_expanding_migration_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("chain.rs");
    assert_eq!(
        errors(expand_in_file(&file, CHAIN, "root")),
        [
            "duplicate revision id `a`, also declared by `fn dup` at chain.rs:8; every migration needs its own id, give one of them a new one"
        ]
    );
    assert_eq!(
        errors(expand_in_file(&file, CHAIN, "dup")),
        [
            "duplicate revision id `a`, also declared by `fn root` at chain.rs:5; every migration needs its own id, give one of them a new one",
            "unknown revision `root_typo` in `revises`: no migration in this file has this id; migrations in other files are visible only when their folder is collected with `migrations!`; if `root_typo` is declared elsewhere (another crate, say), add `external = [\"root_typo\"]`, and it is checked when the binary starts",
        ]
    );
    assert_eq!(
        errors(expand_in_file(&file, CHAIN, "c")),
        [
            "revision cycle `c` -> `d` -> `c`: each one revises or depends on the next, so none can be applied first; remove one of these references",
            "branch label `x` is also used by `fn d` at chain.rs:17; branch labels must be unique, rename one of them",
        ]
    );
    assert_eq!(
        errors(expand_in_file(&file, CHAIN, "d")),
        [
            "revision cycle `d` -> `c` -> `d`: each one revises or depends on the next, so none can be applied first; remove one of these references",
            "branch label `x` is also used by `fn c` at chain.rs:14; branch labels must be unique, rename one of them",
        ]
    );
}

#[test]
fn an_unknown_dependency_is_worded_for_ids_and_branch_labels() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("deps.rs");
    let src = r#"
#[migration(revision = "0001_users", branch_labels = ["accounts"], irreversible)]
fn users(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

#[migration(revision = "0002_posts", depends_on = ["acounts", "0001_user"], irreversible)]
fn posts(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

#[migration(revision = "0003_tags", revises = "acounts", irreversible)]
fn tags(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
"#;
    assert_eq!(
        errors(expand_in_file(&file, src, "posts")),
        [
            "unknown revision or branch label `acounts` in `depends_on`: no migration in this file has this id or branch label; did you mean `accounts`?",
            "unknown revision or branch label `0001_user` in `depends_on`: no migration in this file has this id or branch label; did you mean `0001_users`?",
        ]
    );
    // `revises` takes ids only: a label is no suggestion there.
    let tags = errors(expand_in_file(&file, src, "tags"));
    assert_eq!(tags.len(), 1, "{tags:#?}");
    assert!(
        tags[0].starts_with(
            "unknown revision `acounts` in `revises`: no migration in this file has this id; \
             migrations in other files"
        ),
        "{tags:#?}"
    );
}

#[test]
fn the_checksum_covers_a_downgrade_in_the_same_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("m.rs");
    let checksum = |src: &str| {
        let out = pretty(expand_in_file(&file, src, "up"));
        let at = out.find("checksum").expect(&out);
        let start = at + out[at..].find('"').unwrap() + 1;
        out[start..start + 64].to_owned()
    };
    let src = r#"
        #[migration(revision = "a", downgrade = down)]
        fn up(ctx: &mut MigrationContext<'_>) -> Result<()> { ctx.execute("CREATE TABLE t (x INT)") }
        fn down(ctx: &mut MigrationContext<'_>) -> Result<()> { ctx.execute("DROP TABLE t") }
    "#;
    let base = checksum(src);
    let reformatted = src
        .replace("{ ctx", "{\n    // why\n    ctx")
        .replace(") }", ")\n}");
    assert_eq!(base, checksum(&reformatted));
    assert_ne!(base, checksum(&src.replace("DROP TABLE t", "DROP TABLE u")));
    assert_ne!(base, checksum(&src.replace("x INT", "x BIGINT")));
}

/// A temporary crate root holding an empty `migrations` folder: the guard, the root, the folder.
fn temp_migrations_folder() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().canonicalize().unwrap();
    let dir = root.join("migrations");
    std::fs::create_dir(&dir).unwrap();
    (tmp, root, dir)
}

#[test]
fn a_collected_folder_is_one_scope() {
    let (_tmp, root, dir) = temp_migrations_folder();
    let first = r#"
        #[migration(revision = "0001_users", irreversible)]
        fn users(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    "#;
    std::fs::write(dir.join("0001_users.rs"), first).unwrap();
    let second = r#"
        #[migration(revision = "0002_posts", revises = "0001_users", depends_on = ["0001_tags"], irreversible)]
        fn posts(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    "#;
    let second_file = dir.join("0002_posts.rs");

    // Before `migrations!` collects the folder, each file is its own scope.
    let alone = errors(expand_in_file(&second_file, second, "posts"));
    assert_eq!(alone.len(), 2, "{alone:#?}");
    assert!(
        alone[0]
            .starts_with("unknown revision `0001_users` in `revises`: no migration in this file")
    );

    collect_folder(&root);
    assert_eq!(
        errors(expand_in_file(&second_file, second, "posts")),
        [
            "unknown revision or branch label `0001_tags` in `depends_on`: no migration in the folder `migrations` has this id or branch label; if `0001_tags` is declared outside this folder (another crate, say), add `external = [\"0001_tags\"]`, and it is checked when the binary starts"
        ]
    );
    assert_eq!(
        errors(expand_in_file(&dir.join("0001_users.rs"), first, "users")),
        Vec::<String>::new()
    );
}

#[test]
fn a_collected_folder_is_registered_once_by_migrations() {
    let (_tmp, root, dir) = temp_migrations_folder();
    let first = r#"
        #[migration(revision = "0001_users", irreversible)]
        fn users(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

        #[migration(revision = "0001_extra", revises = "0001_users", irreversible)]
        #[cfg(feature = "extra")]
        fn extra(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

        mod inner {
            #[migration(revision = "0001_inner", revises = "0001_users", irreversible)]
            fn nested(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        }
    "#;
    let first_file = dir.join("0001_users.rs");
    std::fs::write(&first_file, first).unwrap();
    let second = r#"
        #![cfg(unix)]
        #[migration(revision = "0002_posts", revises = "0001_user", downgrade = down)]
        fn posts(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        fn down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    "#;
    let second_file = dir.join("0002_posts.rs");
    std::fs::write(&second_file, second).unwrap();

    let origin = Origin {
        file: Some(root.join("lib.rs")),
    };
    let out: syn::File =
        syn::parse2(crate::collect::migrations(quote!("migrations"), &origin)).expect("items");
    // The modules' `#[path]`s name the temporary folder; the registration is what matters.
    let registration: Vec<&syn::Item> = out
        .items
        .iter()
        .filter(|item| !matches!(item, syn::Item::Mod(_)))
        .collect();
    let registration = pretty(quote!(#(#registration)*)).replace(&*dir.to_string_lossy(), "<dir>");
    insta::assert_snapshot!("folder_registration", registration);

    // Top-level migrations leave a constant for it, under their own `#[cfg]`s; one in an
    // inline module registers itself.
    insta::assert_snapshot!(
        "folder_migration_constant",
        pretty(expand_in_file(&first_file, first, "extra"))
    );
    // The scan vouches for the plain ones: their expansion skips the checks and is what the
    // checks give. It does not for one with a problem, nor for one in an inline module.
    for name in ["users", "extra"] {
        let vouched = expand_in_file_with(&first_file, first, name, |args, item, origin| {
            let steps = expand::vouched_folder_steps(&args, &item, origin).expect("vouched");
            quote!(#item #steps)
        });
        let checked = expand_in_file_with(&first_file, first, name, expand::checked);
        assert_eq!(vouched.to_string(), checked.to_string());
    }
    let not_vouched = |file: &std::path::Path, src: &str, name: &str| {
        expand_in_file_with(file, src, name, |args, item, origin| {
            assert!(
                expand::vouched_folder_steps(&args, &item, origin).is_none(),
                "{name}"
            );
            TokenStream::new()
        });
    };
    not_vouched(&first_file, first, "nested");
    not_vouched(&second_file, second, "posts");

    let nested = expand_in_file(&first_file, first, "nested").to_string();
    assert!(nested.contains("inventory :: submit"), "{nested}");
    assert!(!nested.contains("__MIGRATE_NESTED"), "{nested}");

    // A failed expansion still leaves the constant, so that its error comes alone.
    let failed = expand_in_file(&second_file, second, "posts");
    assert_eq!(
        errors(failed.clone()),
        [
            "unknown revision `0001_user` in `revises`: no migration in the folder `migrations` has this id; did you mean `0001_users`?"
        ]
    );
    let failed = failed.to_string();
    assert!(
        failed.contains(":: migrate_runtime :: __private :: FAILED"),
        "{failed}"
    );
}

/// Expands `migrations!("migrations")` from `root/lib.rs`, as the crate would first.
fn collect_folder(root: &std::path::Path) {
    let origin = Origin {
        file: Some(root.join("lib.rs")),
    };
    crate::collect::migrations(quote!("migrations"), &origin);
}

/// Whether the scan of the collected folder vouches for migration `name` of `file`
/// (holding `src`), so that its expansion skips parsing and checking the tokens.
fn vouched_in(file: &std::path::Path, src: &str, name: &str) -> bool {
    let vouched = std::cell::Cell::new(None);
    expand_in_file_with(file, src, name, |args, item, origin| {
        vouched.set(Some(
            expand::vouched_folder_steps(&args, &item, origin).is_some(),
        ));
        TokenStream::new()
    });
    vouched.get().unwrap()
}

#[test]
fn an_attribute_macro_before_migration_sends_it_through_the_checks() {
    let (_tmp, root, dir) = temp_migrations_folder();
    let src = r#"
        /// Inert attributes before `#[migration]` leave the tokens as the scan read them.
        #[allow(unused)]
        #[migration(revision = "0001_a", irreversible)]
        fn a(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

        #[instrument]
        #[migration(revision = "0001_b", revises = "0001_a", irreversible)]
        fn b(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    "#;
    let file = dir.join("0001_a.rs");
    std::fs::write(&file, src).unwrap();
    collect_folder(&root);
    let vouched = |name: &str| vouched_in(&file, src, name);
    assert!(vouched("a"));
    // `#[instrument]` expands first and may have rewritten `b`: its expansion checks the
    // tokens it receives, and still leaves the constant `migrations!` names.
    assert!(!vouched("b"));
    let checked = expand_in_file(&file, src, "b");
    assert_eq!(errors(checked.clone()), Vec::<String>::new());
    assert!(checked.to_string().contains("__MIGRATE_B"), "{checked}");
}

#[test]
fn functions_the_including_module_can_name_are_registered_without_a_constant() {
    let (_tmp, root, dir) = temp_migrations_folder();
    let src = r#"
        #[migration(revision = "0001_a", downgrade = down)]
        pub(crate) fn a(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        pub(crate) fn down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

        #[migration(revision = "0001_b", revises = "0001_a", irreversible)]
        pub fn b(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

        #[migration(revision = "0001_c", revises = "0001_b", downgrade = private)]
        pub(crate) fn c(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        fn private(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    "#;
    let file = dir.join("0001_a.rs");
    std::fs::write(&file, src).unwrap();
    let origin = Origin {
        file: Some(root.join("lib.rs")),
    };
    let registration = crate::collect::migrations(quote!("migrations"), &origin).to_string();
    assert!(
        registration.contains(
            "[(m0001_a :: a , m0001_a :: down) , \
             (m0001_a :: b , :: migrate_runtime :: __private :: IRREVERSIBLE) , \
             m0001_a :: __MIGRATE_C]"
        ),
        "{registration}"
    );
    // `a` and `b` expand to their items alone, through either path; `c`, whose downgrade
    // function is private, still leaves its constant.
    for name in ["a", "b"] {
        let out = expand_in_file(&file, src, name);
        assert!(!out.to_string().contains("__MIGRATE"), "{out}");
        let checked = expand_in_file_with(&file, src, name, expand::checked);
        assert_eq!(errors(checked.clone()), Vec::<String>::new());
        assert!(!checked.to_string().contains("__MIGRATE"), "{checked}");
    }
    let c = expand_in_file(&file, src, "c").to_string();
    assert!(c.contains("const __MIGRATE_C"), "{c}");
}

#[test]
fn a_downgrade_that_cannot_be_a_migration_function_is_named_in_the_error() {
    let src = r#"
        #[migration(revision = "0001_a", downgrade = down_a)]
        pub(crate) fn a(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        pub(crate) async fn down_a(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

        #[migration(revision = "0002_b", revises = "0001_a", downgrade = self::inner::down_b)]
        fn b(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        mod inner {
            pub unsafe fn down_b(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        }

        #[migration(revision = "0003_c", revises = "0002_b", downgrade = down_c)]
        fn c(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        extern "C" fn down_c(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

        #[migration(revision = "0004_d", revises = "0003_c", downgrade = down_d)]
        fn d(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
        const fn down_d(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    "#;
    let expected = |name: &str, what: &str| {
        vec![format!(
            "`downgrade` names `{name}`, and a downgrade cannot be {what}; write `fn name(ctx: \
             &mut MigrationContext<'_>) -> migrate_runtime::Result<()>`"
        )]
    };
    let check = |file: &std::path::Path| {
        assert_eq!(
            errors(expand_in_file(file, src, "a")),
            expected(
                "down_a",
                "`async`: migrations run inside the migration transaction, synchronously"
            )
        );
        assert_eq!(
            errors(expand_in_file(file, src, "b")),
            expected("down_b", "an `unsafe fn`")
        );
        assert_eq!(
            errors(expand_in_file(file, src, "c")),
            expected("down_c", "an `extern` function")
        );
        // A `const fn` coerces to the fn pointer type.
        assert_eq!(errors(expand_in_file(file, src, "d")), Vec::<String>::new());
    };
    // A file of its own.
    let dir = tempfile::tempdir().unwrap();
    check(&dir.path().join("m.rs"));

    // In a collected folder, where the scan vouches for plain declarations: not for one
    // whose downgrade is `async`, which would leave the compiler a bare type mismatch.
    let (_tmp, root, dir) = temp_migrations_folder();
    let file = dir.join("0001_a.rs");
    std::fs::write(&file, src).unwrap();
    collect_folder(&root);
    let vouched = |name: &str| vouched_in(&file, src, name);
    assert!(!vouched("a") && !vouched("b") && !vouched("c"));
    assert!(vouched("d"));
    check(&file);
}

#[test]
fn a_migration_on_an_associated_function_says_where_it_belongs() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("assoc.rs");
    let src = r#"
#[migration(revision = "0001_a", irreversible)]
fn up(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

struct S;
impl<T: Clone> Tr<T> for S where T: Copy {
    /// Docs.
    #[migration(revision = "0002_b", revises = "0001_a", irreversible)]
    pub(crate) fn up(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
}

pub unsafe trait Tr<T> {
    type X;
    const N: usize = { 1 };
    #[inline]
    #[migrate_runtime::migration(revision = "0003_c", irreversible)]
    fn in_trait(&self, ctx: &mut MigrationContext<'_>) -> Result<()>;
}
"#;
    let scanned = crate::scan::scan_source(src).unwrap();
    let found: Vec<(&str, usize, &str)> = scanned
        .associated
        .iter()
        .map(|a| (a.fn_name.as_str(), a.line, a.block))
        .collect();
    assert_eq!(found, [("up", 9, "impl"), ("in_trait", 17, "trait")]);
    assert_eq!(scanned.migrations.len(), 1);

    // The associated `up` is told apart from the module-level `up` by its line.
    let expand = |line: usize, name: &str| {
        let item: TokenStream = format!(
            "{}fn {name}(ctx: &mut MigrationContext<'_>) -> Result<()> {{ Ok(()) }}",
            "\n".repeat(line - 1)
        )
        .parse()
        .unwrap();
        std::fs::write(&file, src).unwrap();
        let origin = Origin {
            file: Some(file.clone()),
        };
        expand::migration(quote!(revision = "0002_b", irreversible), item, &origin)
    };
    assert_eq!(
        errors(expand(9, "up")),
        [
            "`#[migration]` cannot go on an associated function: `up` is inside an `impl` block, where the migration cannot be registered; move `fn up` out of the `impl` block, to the module level"
        ]
    );
    assert_eq!(
        errors(expand(17, "in_trait")),
        [
            "`#[migration]` cannot go on an associated function: `in_trait` is inside a `trait`, where the migration cannot be registered; move `fn in_trait` out of the `trait` block, to the module level"
        ]
    );
    let at_module_level = expand(3, "up");
    assert_eq!(errors(at_module_level.clone()), Vec::<String>::new());
    assert!(at_module_level.to_string().contains("submit"));
}
