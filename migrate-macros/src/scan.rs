//! Scanning source files for `#[migration]` declarations.
//!
//! An attribute expansion sees only its own item, so the chain checks read the neighbours from
//! disk: the files of the folder collected by `migrations!` that holds the expanding item, or
//! else the expanding item's own file. [`crate::scope`] caches the scans.

use std::sync::{Mutex, MutexGuard, PoisonError};

use syn::{Item, ItemFn, LitStr};

use crate::args::Args;
use crate::checksum;
use crate::errors::Errors;

/// One `#[migration(...)]` found by a scan, its arguments parsed leniently: anything
/// malformed is dropped here and reported by that migration's own expansion.
#[derive(Debug, Clone)]
pub struct Decl {
    /// The function's name.
    pub fn_name: String,
    /// The 1-based line of the function's name.
    pub line: usize,
    /// Inline modules enclosing the function within its file.
    pub module: Vec<String>,
    /// `revision = "..."`.
    pub revision: Option<String>,
    /// `revises`.
    pub revises: Vec<String>,
    /// `depends_on`.
    pub depends_on: Vec<String>,
    /// `branch_labels`.
    pub branch_labels: Vec<String>,
    /// The 1-based line of the `#[migration]` attribute (what `line!()` says in its expansion).
    pub attr_line: usize,
    /// `message = "..."`, else the doc comment's first paragraph, else empty.
    pub message: String,
    /// Whether `downgrade = path` is given.
    pub reversible: bool,
    /// `transactional = false` clears it.
    pub transactional: bool,
    /// [`checksum::digest`] of the function and of its downgrade when in the same file.
    pub checksum: String,
    /// The function's `#[cfg(...)]` attributes, as source text, for `migrations!` to put on
    /// its reference to the migration so that both disappear together.
    pub cfgs: Vec<String>,
}

/// A function found by a scan, with the canonical text its checksum is computed from.
#[derive(Debug, Clone)]
pub struct ScannedFn {
    /// Inline modules enclosing the function within its file.
    pub module: Vec<String>,
    /// The function's name.
    pub name: String,
    /// [`checksum::canonical_fn`] of the function.
    pub canonical: String,
}

/// Everything a scan of one file found.
#[derive(Debug, Default)]
pub struct FileScan {
    /// Migrations in source order.
    pub migrations: Vec<Decl>,
    /// Every function (migrations, downgrades and helpers) in source order.
    pub fns: Vec<ScannedFn>,
    /// The file's own `#![cfg(...)]` attributes, as `#[cfg(...)]` source text.
    pub cfgs: Vec<String>,
}

impl FileScan {
    /// The function a `downgrade = path` written in `module` names, if it is in this file.
    /// Handles plain names and `self::`/`super::` prefixes; other paths are not followed.
    pub fn resolve_fn(&self, module: &[String], path: &syn::Path) -> Option<&ScannedFn> {
        scan_resolve(&self.fns, module, path)
    }
}

/// [`FileScan::resolve_fn`] over any list of functions (`scan_source` needs it before the
/// scan is complete).
fn scan_resolve<'a>(
    fns: &'a [ScannedFn],
    module: &[String],
    path: &syn::Path,
) -> Option<&'a ScannedFn> {
    let mut module = module.to_vec();
    let mut segments = path.segments.iter().peekable();
    while let Some(seg) = segments.peek() {
        if seg.ident == "self" {
            segments.next();
        } else if seg.ident == "super" {
            module.pop()?;
            segments.next();
        } else {
            break;
        }
    }
    let rest: Vec<String> = segments.map(|s| s.ident.to_string()).collect();
    let (name, inner) = rest.split_last()?;
    module.extend(inner.iter().cloned());
    fns.iter().find(|f| f.module == module && f.name == *name)
}

/// Parses `src` as a Rust file and collects its migrations and functions. `None` when the
/// file does not parse (rustc reports that itself).
pub fn scan_source(src: &str) -> Option<FileScan> {
    let _detached = Detached::enter();
    let file = syn::parse_file(src).ok()?;
    let mut scan = FileScan {
        cfgs: cfgs(&file.attrs),
        ..FileScan::default()
    };
    let mut downgrades = Vec::new();
    walk(&file.items, &mut Vec::new(), &mut scan, &mut downgrades);
    // Downgrades may follow their migration, so the checksums wait for every function.
    for (decl, downgrade) in scan.migrations.iter_mut().zip(downgrades) {
        let upgrade = scan
            .fns
            .iter()
            .find(|f| f.module == decl.module && f.name == decl.fn_name)
            .map(|f| f.canonical.as_str())
            .unwrap_or_default();
        let downgrade = downgrade
            .and_then(|path| scan_resolve(&scan.fns, &decl.module, &path))
            .map(|f| f.canonical.as_str());
        decl.checksum = checksum::digest(upgrade, downgrade);
    }
    Some(scan)
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves only a cache behind, which stays consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Collects the functions and migrations of `items`, and each migration's `downgrade` path.
fn walk(
    items: &[Item],
    module: &mut Vec<String>,
    scan: &mut FileScan,
    downgrades: &mut Vec<Option<syn::Path>>,
) {
    for item in items {
        match item {
            Item::Fn(f) => {
                scan.fns.push(ScannedFn {
                    module: module.clone(),
                    name: f.sig.ident.to_string(),
                    canonical: checksum::canonical_fn(&f.sig, &f.block),
                });
                if let Some((decl, downgrade)) = declaration(f, module) {
                    scan.migrations.push(decl);
                    downgrades.push(downgrade);
                }
            }
            Item::Mod(m) => {
                if let Some((_, items)) = &m.content {
                    module.push(m.ident.to_string());
                    walk(items, module, scan, downgrades);
                    module.pop();
                }
            }
            _ => {}
        }
    }
}

/// Whether `attr` is `#[migration]`, however it is imported (`migration`,
/// `migrate_runtime::migration`, `prelude::migration`).
pub fn is_migration_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "migration")
}

fn declaration(f: &ItemFn, module: &[String]) -> Option<(Decl, Option<syn::Path>)> {
    let attr = f.attrs.iter().find(|a| is_migration_attr(a))?;
    let tokens = match &attr.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => proc_macro2::TokenStream::new(),
    };
    let args = Args::parse(tokens, &mut Errors::default());
    let values = |list: &[LitStr]| list.iter().map(LitStr::value).collect();
    let decl = Decl {
        fn_name: f.sig.ident.to_string(),
        line: f.sig.ident.span().start().line,
        attr_line: attr.pound_token.span.start().line,
        message: args
            .message
            .as_ref()
            .map(LitStr::value)
            .or_else(|| crate::item::doc_message(&f.attrs))
            .unwrap_or_default(),
        reversible: args.downgrade.is_some(),
        transactional: args.transactional.as_ref().is_none_or(|b| b.value),
        checksum: String::new(),
        module: module.to_vec(),
        revision: args.revision.as_ref().map(LitStr::value),
        revises: values(&args.revises),
        depends_on: values(&args.depends_on),
        branch_labels: values(&args.branch_labels),
        cfgs: cfgs(&f.attrs),
    };
    Some((decl, args.downgrade))
}

/// The `#[cfg(...)]` among `attrs`, as outer-attribute source text.
pub fn cfgs(attrs: &[syn::Attribute]) -> Vec<String> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .map(|a| {
            let meta = &a.meta;
            quote::quote!(#[#meta]).to_string()
        })
        .collect()
}

/// While alive, proc-macro2 parses strings with its own implementation, which knows line
/// numbers, instead of the compiler's, whose tokens parsed from a string all carry the call
/// site span. Outside a proc macro (unit tests) that is already the case and it does nothing.
///
/// The switch is process-wide, so it is held under a lock, kept only for the duration of one
/// parse, and nothing parsed while it is on outlives it (scans keep plain strings).
struct Detached {
    _lock: Option<MutexGuard<'static, ()>>,
}

impl Detached {
    fn enter() -> Self {
        static LOCK: Mutex<()> = Mutex::new(());
        if !proc_macro::is_available() {
            return Self { _lock: None };
        }
        let guard = lock(&LOCK);
        proc_macro2::fallback::force();
        Self { _lock: Some(guard) }
    }
}

impl Drop for Detached {
    fn drop(&mut self) {
        if self._lock.is_some() {
            // Frees the source text the fallback keeps for spans; the proc-macro server
            // lives long under rust-analyzer.
            proc_macro2::extra::invalidate_current_thread_spans();
            proc_macro2::fallback::unforce();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = r#"
use migrate_runtime::prelude::*;

#[migration(revision = "a", irreversible)]
fn first(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

mod inner {
    use super::*;

    #[migrate_runtime::migration(revision = "b", revises = "a", revison = "typo",
        depends_on = ["bad-id", 5], downgrade = down)]
    fn second(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

    fn down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
}
"#;

    #[test]
    fn finds_migrations_in_inline_modules_leniently() {
        let scan = scan_source(SRC).unwrap();
        let names: Vec<_> = scan.migrations.iter().map(|d| &d.fn_name).collect();
        assert_eq!(names, ["first", "second"]);
        let second = &scan.migrations[1];
        assert_eq!(second.line, 12);
        assert_eq!(second.module, ["inner"]);
        assert_eq!(second.revision.as_deref(), Some("b"));
        assert_eq!(second.revises, ["a"]);
        // Malformed entries are kept as strings (ids are validated later) or dropped.
        assert_eq!(second.depends_on, ["bad-id"]);
        assert_eq!(scan.fns.len(), 3);
    }

    #[test]
    fn resolves_downgrade_paths_relative_to_the_module() {
        let scan = scan_source(SRC).unwrap();
        let inner = ["inner".to_owned()];
        let path = |s: &str| syn::parse_str::<syn::Path>(s).unwrap();
        assert_eq!(scan.resolve_fn(&inner, &path("down")).unwrap().name, "down");
        assert_eq!(
            scan.resolve_fn(&inner, &path("self::down")).unwrap().name,
            "down"
        );
        assert_eq!(
            scan.resolve_fn(&[], &path("inner::down")).unwrap().name,
            "down"
        );
        assert_eq!(
            scan.resolve_fn(&inner, &path("super::first")).unwrap().name,
            "first"
        );
        assert!(scan.resolve_fn(&[], &path("down")).is_none());
        assert!(scan.resolve_fn(&[], &path("super::down")).is_none());
    }
}
