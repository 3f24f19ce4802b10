//! Scanning source files for `#[migration]` declarations.
//!
//! An attribute expansion sees only its own item, so the chain checks read the neighbours from
//! disk: the files of the folder collected by `migrations!` that holds the expanding item, or
//! else the expanding item's own file. [`crate::scope`] caches the scans.
//!
//! A scan does not parse the file with syn: proc macros run unoptimized in debug builds, and
//! parsing every function body of a large folder into a syntax tree, only to print it back
//! for the checksum, was a large part of the build. [`crate::lex`] cuts the file into tokens
//! and a light walk finds the items: functions at the top level and in inline modules, their
//! attributes, and their canonical text written straight from the tokens; and, so that
//! messages can name them, the `#[migration]`s on associated functions and those it cannot
//! read (in macros, function bodies, `cfg_attr`). Only
//! `#[migration(...)]` arguments beyond plain strings, arrays and paths and explicit
//! `#[doc = "..."]` strings go through syn, and a function whose printed syntax tree could
//! differ from its tokens (see [`Walker::needs_syn`]) is canonicalized by syn as before, so
//! checksums do not change. The tests compare every field with the former syn scan.

use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Mutex, MutexGuard, PoisonError};

use migrate_core::RevisionId;
use proc_macro2::TokenStream;
use syn::LitStr;

use crate::args::Args;
use crate::checksum;
use crate::errors::Errors;
use crate::lex::{self, Kind, Token};

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
    /// Whether the scan vouches for the declaration, so that its expansion can skip parsing
    /// and checking it again. It does when:
    /// - its arguments are plain (see `Walker::plain_args`) and valid: a valid revision id,
    ///   valid references and labels, exactly one of `downgrade` and `irreversible`;
    /// - its signature is plain (see `Walker::plain_signature`);
    /// - every attribute before `#[migration]` is a doc comment or one of [`INERT`], so that
    ///   no other attribute macro has rewritten the item before `#[migration]` expands: the
    ///   expansion then receives the tokens read here, and its checks would find nothing;
    /// - its downgrade function, when the scan finds it in the file, has no qualifier a
    ///   migration function cannot have (see [`ScannedFn::unfit`]).
    pub plain: bool,
    /// Set when `migrations!` names the functions themselves, so that the expansion leaves
    /// no constant for it (see [`Direct`]).
    pub direct: Option<Direct>,
}

/// A vouched-for migration at the top level of its file whose upgrade function, and
/// downgrade function when it has one, are top-level functions of the same file that the
/// module invoking `migrations!` can name (`pub`, `pub(crate)` or `pub(super)`; see
/// [`ScannedFn::reachable`]). `migrations!` then puts `(module::upgrade, module::downgrade)`
/// in its array, and the expansion emits nothing: each constant it would otherwise leave is
/// a body of its own for the compiler to type-check, which a folder of a thousand
/// migrations notices.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Direct {
    /// The downgrade function's name; `None` for an irreversible migration.
    pub downgrade: Option<String>,
}

/// The built-in attributes that may precede `#[migration]` on a declaration the scan vouches
/// for: none of them changes the item's tokens before the attribute expands. A macro cannot
/// take these names.
pub const INERT: [&str; 10] = [
    "doc",
    "cfg",
    "allow",
    "warn",
    "deny",
    "forbid",
    "expect",
    "deprecated",
    "must_use",
    "inline",
];

/// A function found by a scan, with the canonical text its checksum is computed from.
#[derive(Debug, Clone)]
pub struct ScannedFn {
    /// Inline modules enclosing the function within its file.
    pub module: Vec<String>,
    /// The function's name.
    pub name: String,
    /// [`checksum::canonical_fn`] of the function.
    pub canonical: String,
    /// Whether the module that includes the file can name the function: it is at the top
    /// level of its file and `pub`, `pub(crate)` or `pub(super)`.
    pub visible: bool,
    /// Whether the function is [`visible`](Self::visible) and a plain migration function as
    /// written: its signature is plain (see `Walker::plain_signature`) and it has no
    /// attribute but doc comments and [`INERT`] ones other than `cfg`, so that it exists
    /// whenever its file does.
    pub plain: bool,
    /// The first qualifier that keeps the function from coercing to a migration's fn pointer
    /// type, as [`crate::item::check_signature`] words it (`async`, `unsafe`, `extern`), so
    /// that a `downgrade` naming it is reported as such rather than as a type mismatch.
    pub unfit: Option<Qualifier>,
}

/// A function qualifier that a migration function cannot have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// `async fn`.
    Async,
    /// `unsafe fn`.
    Unsafe,
    /// `extern fn` or `extern "abi" fn`.
    Extern,
}

/// A `#[migration]` on an associated function, in an `impl` or `trait` block: no place
/// for the registration it expands to, which its expansion reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Associated {
    /// The function's name.
    pub fn_name: String,
    /// The 1-based line of the function's name.
    pub line: usize,
    /// `"impl"` or `"trait"`.
    pub block: &'static str,
}

/// Everything a scan of one file found.
#[derive(Debug, Default)]
pub struct FileScan {
    /// Migrations in source order.
    pub migrations: Vec<Decl>,
    /// `#[migration]`s on associated functions, in source order; they are no migrations.
    pub associated: Vec<Associated>,
    /// The 1-based lines of the `#[migration` attributes the walk did not read: in a
    /// `macro_rules!` or a macro call, in a function body, or anywhere else it does not look.
    /// The migrations they declare, if any, are unknown to the chain checks.
    pub unread: Vec<usize>,
    /// Every function (migrations, downgrades and helpers) in source order.
    pub fns: Vec<ScannedFn>,
    /// The file's own `#![cfg(...)]` attributes, as `#[cfg(...)]` source text.
    pub cfgs: Vec<String>,
    /// The modules the file declares at its top level in a file of their own (`mod
    /// shared;`): in a collected file they load `shared.rs` or `shared/mod.rs` beside it.
    pub file_modules: Vec<String>,
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
    let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
    resolve_segments(fns, module, &segments)
}

/// [`scan_resolve`] of a path given as its segments.
fn resolve_segments<'a>(
    fns: &'a [ScannedFn],
    module: &[String],
    segments: &[String],
) -> Option<&'a ScannedFn> {
    let mut module = module.to_vec();
    let mut rest = segments;
    while let Some((first, tail)) = rest.split_first() {
        if first == "self" {
            rest = tail;
        } else if first == "super" {
            module.pop()?;
            rest = tail;
        } else {
            break;
        }
    }
    let (name, inner) = rest.split_last()?;
    module.extend(inner.iter().cloned());
    fns.iter().find(|f| f.module == module && f.name == *name)
}

/// Lexes `src` as a Rust file and collects its migrations and functions. `None` when the
/// file does not lex (rustc reports that itself); other syntax errors are not looked for.
pub fn scan_source(src: &str) -> Option<FileScan> {
    scan_with(src, false).map(|(scan, _)| scan)
}

/// Reads and scans each of `paths` ([`scan_source`]; `None` for a file that cannot be read
/// or lexed), on several threads when there are many: `migrations!` scans a whole folder
/// while the compiler waits for it, with the machine's other cores idle.
pub fn scan_files(paths: &[&Path]) -> Vec<Option<FileScan>> {
    /// Fewer files than this per thread are not worth a thread.
    const PER_THREAD: usize = 64;
    let one = |path: &&Path| {
        std::fs::read_to_string(path)
            .ok()
            .and_then(|src| scan_source(&src))
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(paths.len() / PER_THREAD);
    if threads <= 1 {
        return paths.iter().map(one).collect();
    }
    // The threads have no bridge to the compiler, so the few things the scan still parses
    // with proc-macro2 must go through its own lexer in every thread, for the whole time.
    // Each thread's `scan_source` leaves the switch alone: only the caller's thread sees
    // the compiler.
    let _detached = Detached::enter();
    std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(paths.len().div_ceil(threads))
            .map(|chunk| scope.spawn(move || chunk.iter().map(one).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

/// [`scan_source`], with every canonical text written from the tokens when `tokens_only`
/// (for tests); also returns the indices of the functions [`Walker::needs_syn`] flagged.
fn scan_with(src: &str, tokens_only: bool) -> Option<(FileScan, Vec<usize>)> {
    // Held for the whole scan: the few things still parsed by proc-macro2 (arguments,
    // non-ASCII identifier characters) must go through its own lexer.
    let _detached = Detached::enter();
    let tokens = lex::lex(src)?;
    let mut walker = Walker::new(src, &tokens, tokens_only);
    walker.find_aliases();
    // The file's inner attributes; syn accepts them only before the first item.
    let mut attrs = Vec::new();
    let start = walker.inner_attrs(0, tokens.len(), &mut attrs);
    walker.scan.cfgs = walker.cfgs(&attrs);
    walker.items(start, tokens.len(), &mut Vec::new());
    walker.scan.unread = walker.unread();
    let Walker {
        mut scan,
        downgrades,
        flagged,
        ..
    } = walker;
    // Downgrades may follow their migration, so the checksums wait for every function.
    for (decl, downgrade) in scan.migrations.iter_mut().zip(downgrades) {
        let upgrade = scan
            .fns
            .iter()
            .find(|f| f.module == decl.module && f.name == decl.fn_name);
        let downgrade = downgrade.map(|path| resolve_segments(&scan.fns, &decl.module, &path));
        decl.checksum = checksum::digest(
            upgrade.map(|f| f.canonical.as_str()).unwrap_or_default(),
            downgrade.flatten().map(|f| f.canonical.as_str()),
        );
        // The expansion reports such a downgrade (see `Decl::plain`).
        if downgrade.flatten().is_some_and(|f| f.unfit.is_some()) {
            decl.plain = false;
        }
        decl.direct = direct(decl, upgrade, downgrade);
    }
    Some((scan, flagged))
}

/// [`Decl::direct`] for `decl`, whose upgrade function is `upgrade` and whose `downgrade`
/// path resolves (`Some(Some(_))`) or not (`Some(None)`), or is absent (`None`).
fn direct(
    decl: &Decl,
    upgrade: Option<&ScannedFn>,
    downgrade: Option<Option<&ScannedFn>>,
) -> Option<Direct> {
    // Under `#[cfg]`s of its own the migration may have alternatives of the same name.
    if !decl.plain || !decl.module.is_empty() || !decl.cfgs.is_empty() || !upgrade?.visible {
        return None;
    }
    let downgrade = match downgrade {
        None => None,
        Some(found) => {
            let found = found.filter(|f| f.visible && f.plain)?;
            Some(found.name.clone())
        }
    };
    Some(Direct { downgrade })
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock leaves only a cache behind, which stays consistent.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// An attribute as the walk sees it.
#[derive(Debug, Clone, Copy)]
enum Attr {
    /// A doc comment: the index of its token.
    Doc(usize),
    /// `#[...]` or `#![...]`: the indices of its `#` and of its `[`.
    Meta { pound: usize, open: usize },
}

/// The path at the start of an attribute's brackets.
struct MetaPath {
    /// Index of its last identifier.
    last: usize,
    /// Whether it is one identifier without a leading `::` (`syn::Path::is_ident`).
    single: bool,
    /// Index of the token after it.
    after: usize,
}

/// The walk over the items of one file.
struct Walker<'a> {
    src: &'a str,
    tokens: &'a [Token],
    scan: FileScan,
    /// Each migration's `downgrade` path, parallel to `scan.migrations`.
    downgrades: Vec<Option<Vec<String>>>,
    /// Never ask syn (tests compare the token path with it).
    tokens_only: bool,
    /// Indices in `scan.fns` of the functions [`Walker::needs_syn`] flagged.
    flagged: Vec<usize>,
    /// The `#` of every `#[migration]` read as a declaration or an associated function's.
    read: Vec<usize>,
    /// The names `migration` is imported under, besides its own.
    aliases: Vec<&'a str>,
}

impl<'a> Walker<'a> {
    fn new(src: &'a str, tokens: &'a [Token], tokens_only: bool) -> Self {
        Walker {
            src,
            tokens,
            scan: FileScan::default(),
            downgrades: Vec::new(),
            tokens_only,
            flagged: Vec::new(),
            read: Vec::new(),
            aliases: Vec::new(),
        }
    }

    /// The lines of the `#[migration` attributes of the whole file that the walk did not read
    /// (see [`FileScan::unread`]), `#[cfg_attr(..., migration(...))]` included.
    fn unread(&self) -> Vec<usize> {
        let mut lines = Vec::new();
        for i in 0..self.tokens.len() {
            let Some(open) = self.attr_open(i, self.tokens.len(), false) else {
                continue;
            };
            let Some(path) = self.meta_path(open) else {
                continue;
            };
            let close = self.tokens[open].close;
            let migration = self.names_migration(path.last)
                || (self.text(path.last) == "cfg_attr"
                    && path.after < close
                    && matches!(self.tokens[path.after].kind, Kind::Open(_))
                    && (path.after + 1..self.tokens[path.after].close).any(|j| {
                        self.names_migration(j)
                            && matches!(self.tokens.get(j + 1), Some(t) if matches!(t.kind, Kind::Open(_)))
                    }));
            if migration && !self.read.contains(&i) {
                lines.push(lex::line_of(self.src, self.tokens[i].start));
            }
        }
        lines
    }

    /// Whether token `i` names the `migration` attribute: `migration`, or a name it is
    /// imported under (`use migrate_runtime::migration as m;`).
    fn names_migration(&self, i: usize) -> bool {
        self.tokens[i].kind == Kind::Ident
            && (self.text(i) == "migration" || self.aliases.iter().any(|a| *a == self.text(i)))
    }

    /// The names `migration` is imported under: `migration as name` after `::`, `{` or `,`,
    /// as in a `use` tree, anywhere in the file.
    fn find_aliases(&mut self) {
        for i in 1..self.tokens.len().saturating_sub(2) {
            let after_path = self.is_punct(i - 1, i, b':')
                || self.is_punct(i - 1, i, b',')
                || self.tokens[i - 1].kind == Kind::Open(lex::Delim::Brace);
            if after_path
                && self.is_ident(i, i + 1, "migration")
                && self.is_ident(i + 1, i + 2, "as")
                && self.tokens[i + 2].kind == Kind::Ident
                && self.text(i + 2) != "_"
            {
                self.aliases.push(self.text(i + 2));
            }
        }
    }

    fn text(&self, i: usize) -> &'a str {
        let t = &self.tokens[i];
        &self.src[t.start..t.end]
    }

    fn is_ident(&self, i: usize, end: usize, word: &str) -> bool {
        i < end && self.tokens[i].kind == Kind::Ident && self.text(i) == word
    }

    fn is_punct(&self, i: usize, end: usize, c: u8) -> bool {
        i < end && self.tokens[i].is_punct(c)
    }

    /// Whether tokens `i` and `i + 1` are `::` (written together, as syn requires).
    fn is_path_sep(&self, i: usize, end: usize) -> bool {
        self.is_punct(i, end, b':')
            && self.is_punct(i + 1, end, b':')
            && self.tokens[i].end == self.tokens[i + 1].start
    }

    /// Index of the `[` when a `#[` (or `#![` when `inner`) attribute starts at `i`.
    fn attr_open(&self, i: usize, end: usize, inner: bool) -> Option<usize> {
        if !self.is_punct(i, end, b'#') {
            return None;
        }
        let open = if inner {
            if !self.is_punct(i + 1, end, b'!') {
                return None;
            }
            i + 2
        } else {
            i + 1
        };
        (open < end && self.tokens[open].kind == Kind::Open(lex::Delim::Bracket)).then_some(open)
    }

    /// Collects the inner attributes starting at `i` into `attrs` and returns where they end.
    fn inner_attrs(&self, mut i: usize, end: usize, attrs: &mut Vec<Attr>) -> usize {
        while i < end {
            if self.tokens[i].kind == (Kind::Doc { inner: true }) {
                attrs.push(Attr::Doc(i));
                i += 1;
            } else if let Some(open) = self.attr_open(i, end, true) {
                attrs.push(Attr::Meta { pound: i, open });
                i = self.tokens[open].close + 1;
            } else {
                break;
            }
        }
        i
    }

    /// Walks the items of tokens `i..end` (a file or an inline module's braces).
    fn items(&mut self, mut i: usize, end: usize, module: &mut Vec<String>) {
        while i < end {
            let mut attrs = Vec::new();
            loop {
                if i >= end {
                    return;
                }
                match self.tokens[i].kind {
                    Kind::Doc { inner: false } => {
                        attrs.push(Attr::Doc(i));
                        i += 1;
                    }
                    // Misplaced inner attributes (syn rejects them): skipped.
                    Kind::Doc { inner: true } => i += 1,
                    _ => {
                        if let Some(open) = self.attr_open(i, end, false) {
                            attrs.push(Attr::Meta { pound: i, open });
                            i = self.tokens[open].close + 1;
                        } else if let Some(open) = self.attr_open(i, end, true) {
                            i = self.tokens[open].close + 1;
                        } else {
                            break;
                        }
                    }
                }
            }
            let mut visible = false;
            if self.is_ident(i, end, "pub") {
                i += 1;
                visible = true;
                if i < end && self.tokens[i].kind == Kind::Open(lex::Delim::Paren) {
                    let close = self.tokens[i].close;
                    visible = close == i + 2
                        && (self.is_ident(i + 1, close, "crate")
                            || self.is_ident(i + 1, close, "super"));
                    i = close + 1;
                }
            }
            if let Some(fn_token) = self.fn_token(i, end) {
                i = self.function(i, fn_token, end, (attrs, visible), module);
            } else if let Some(next) = self.module(i, end, module) {
                i = next;
            } else {
                let next = self.skip_item(i, end);
                self.associated_items(i, next);
                i = next;
            }
        }
    }

    /// Records the `#[migration]`s on the associated functions of the item at tokens
    /// `i..next` when it is an `impl` or `trait` block.
    fn associated_items(&mut self, mut i: usize, next: usize) {
        for word in ["unsafe", "auto"] {
            if self.is_ident(i, next, word) {
                i += 1;
            }
        }
        let block = if self.is_ident(i, next, "impl") {
            "impl"
        } else if self.is_ident(i, next, "trait") {
            "trait"
        } else {
            return;
        };
        // `skip_item` ended the block after its braces.
        let close = next - 1;
        if self.tokens[close].kind != Kind::Close(lex::Delim::Brace) {
            return;
        }
        let Some(open) = (i..close).rfind(|&j| {
            self.tokens[j].kind == Kind::Open(lex::Delim::Brace) && self.tokens[j].close == close
        }) else {
            return;
        };
        let mut j = self.inner_attrs(open + 1, close, &mut Vec::new());
        while j < close {
            let mut migration = false;
            loop {
                if j >= close {
                    return;
                }
                if let Some(at) = self.attr_open(j, close, false) {
                    if self
                        .meta_path(at)
                        .is_some_and(|path| self.names_migration(path.last))
                    {
                        migration = true;
                        self.read.push(j);
                    }
                    j = self.tokens[at].close + 1;
                } else if let Kind::Doc { .. } = self.tokens[j].kind {
                    j += 1;
                } else {
                    break;
                }
            }
            // Visibility and `default`, then perhaps a function.
            let mut k = j;
            if self.is_ident(k, close, "pub") {
                k += 1;
                if k < close && self.tokens[k].kind == Kind::Open(lex::Delim::Paren) {
                    k = self.tokens[k].close + 1;
                }
            }
            if self.is_ident(k, close, "default") {
                k += 1;
            }
            if migration
                && let Some(fn_token) = self.fn_token(k, close)
                && fn_token + 1 < close
                && self.tokens[fn_token + 1].kind == Kind::Ident
            {
                let name = fn_token + 1;
                self.scan.associated.push(Associated {
                    fn_name: self.text(name).to_owned(),
                    line: lex::line_of(self.src, self.tokens[name].start),
                    block,
                });
            }
            j = self.skip_item(k, close);
        }
    }

    /// The index of `fn` when a function signature starts at `i`: `const`, `async`, `unsafe`
    /// and `extern "abi"`, each optional and in this order, then `fn` (syn's
    /// `peek_signature`).
    fn fn_token(&self, mut i: usize, end: usize) -> Option<usize> {
        for word in ["const", "async", "unsafe"] {
            if self.is_ident(i, end, word) {
                i += 1;
            }
        }
        if self.is_ident(i, end, "extern") {
            i += 1;
            if i < end
                && self.tokens[i].kind == Kind::Literal
                && (self.text(i).starts_with('"') || self.text(i).starts_with('r'))
            {
                i += 1;
            }
        }
        self.is_ident(i, end, "fn").then_some(i)
    }

    /// A function item whose signature starts at `sig` and its `fn` at `fn_token`: records it
    /// and returns where it ends.
    fn function(
        &mut self,
        sig: usize,
        fn_token: usize,
        end: usize,
        (mut attrs, visible): (Vec<Attr>, bool),
        module: &[String],
    ) -> usize {
        let name = fn_token + 1;
        if name >= end || self.tokens[name].kind != Kind::Ident {
            return self.skip_item(sig, end);
        }
        // The body is the first brace group outside `<...>` (a const generic argument may be
        // a block); a `;` first means a function without one, which syn does not count.
        let mut angle = 0i32;
        let mut j = name + 1;
        let body = loop {
            if j >= end {
                return end;
            }
            let t = &self.tokens[j];
            match t.kind {
                Kind::Open(lex::Delim::Brace) if angle <= 0 => break j,
                Kind::Open(_) => j = t.close,
                Kind::Punct(b'<') => angle += 1,
                Kind::Punct(b'>') if !self.is_arrow(j) => angle -= 1,
                Kind::Punct(b';') if angle <= 0 => return j + 1,
                _ => {}
            }
            j += 1;
        };
        let close = self.tokens[body].close;
        // Inner attributes of the body belong to the function, not to its block.
        let stmts = self.inner_attrs(body + 1, close, &mut attrs);
        let flagged = self.needs_syn(sig, close);
        if flagged {
            self.flagged.push(self.scan.fns.len());
        }
        let canonical = if flagged && !self.tokens_only {
            self.canonical_by_syn(sig, close)
        } else {
            None
        }
        .unwrap_or_else(|| {
            let mut out = String::new();
            self.write(&mut out, sig, body);
            out.push_str("{ ");
            self.write(&mut out, stmts, close);
            out.push_str("} ");
            out
        });
        let fn_name = self.text(name).to_owned();
        self.scan.fns.push(ScannedFn {
            module: module.to_vec(),
            name: fn_name.clone(),
            canonical,
            visible: visible && module.is_empty(),
            // Only a visible function may be named directly: the others are not looked at.
            plain: visible
                && module.is_empty()
                && self.plain_signature(sig, body)
                && attrs
                    .iter()
                    .all(|&attr| self.is_inert(attr) && !self.is_cfg(attr)),
            unfit: (sig..fn_token).find_map(|j| match self.text(j) {
                "async" => Some(Qualifier::Async),
                "unsafe" => Some(Qualifier::Unsafe),
                "extern" => Some(Qualifier::Extern),
                _ => None,
            }),
        });
        for &attr in &attrs {
            if let Attr::Meta { pound, open } = attr
                && self
                    .meta_path(open)
                    .is_some_and(|path| self.names_migration(path.last))
            {
                self.read.push(pound);
            }
        }
        if let Some(decl) = self.declaration(&attrs, fn_name, (sig, name, body), module) {
            self.scan.migrations.push(decl.0);
            self.downgrades.push(decl.1);
        }
        close + 1
    }

    /// Whether the `>` at `j` is the end of `->`.
    fn is_arrow(&self, j: usize) -> bool {
        j > 0 && self.tokens[j - 1].is_punct(b'-') && self.tokens[j - 1].end == self.tokens[j].start
    }

    /// An inline or external module at `i`: walks an inline one's items and returns where
    /// the module ends; `None` when no module starts at `i`.
    fn module(&mut self, mut i: usize, end: usize, module: &mut Vec<String>) -> Option<usize> {
        if self.is_ident(i, end, "unsafe") {
            i += 1;
        }
        if !self.is_ident(i, end, "mod") || i + 1 >= end || self.tokens[i + 1].kind != Kind::Ident {
            return None;
        }
        let name = i + 1;
        let next = name + 1;
        if next < end && self.tokens[next].kind == Kind::Open(lex::Delim::Brace) {
            let close = self.tokens[next].close;
            module.push(self.text(name).to_owned());
            let mut ignored = Vec::new();
            let start = self.inner_attrs(next + 1, close, &mut ignored);
            self.items(start, close, module);
            module.pop();
            Some(close + 1)
        } else {
            if module.is_empty() {
                self.scan.file_modules.push(self.text(name).to_owned());
            }
            Some(self.skip_item(next, end))
        }
    }

    /// Where the item (not a function or module) at `i` ends: after its `;`, or after its
    /// braces for the items that end with them (`struct`, `impl`, `trait`, `macro_rules!`...).
    fn skip_item(&self, i: usize, end: usize) -> usize {
        let first = if i < end && self.tokens[i].kind == Kind::Ident {
            self.text(i)
        } else {
            ""
        };
        // Items whose value may hold braces before their `;`.
        let semi_only = matches!(first, "use" | "static" | "const" | "type")
            || (first == "extern" && self.is_ident(i + 1, end, "crate"));
        let mut angle = 0i32;
        let mut j = i;
        while j < end {
            let t = &self.tokens[j];
            match t.kind {
                Kind::Punct(b';') if semi_only || angle <= 0 => return j + 1,
                Kind::Open(lex::Delim::Brace) if !semi_only && angle <= 0 => return t.close + 1,
                Kind::Open(_) => j = t.close,
                Kind::Punct(b'<') if !semi_only => angle += 1,
                Kind::Punct(b'>') if !semi_only && !self.is_arrow(j) => angle -= 1,
                _ => {}
            }
            j += 1;
        }
        end
    }

    /// Whether syn's printing of the function at tokens `from..=to` might differ from its
    /// tokens, so that its canonical text must come from syn as before. syn prints back
    /// what it parsed except in a few spots, all rare in migrations; this errs on the side of
    /// asking syn:
    ///
    /// - `x.0.1` splits the float `0.1` into two field indices, and a field index is
    ///   printed in decimal;
    /// - empty generics `<>`, bounds `T:` without bounds and `where` without predicates are
    ///   left out; the obsolete range `...` is printed `..=`.
    ///
    /// Negative literals, which syn merges into one in patterns (`-1 => ..`), need nothing:
    /// proc-macro2 splits them again when they are printed.
    fn needs_syn(&self, from: usize, to: usize) -> bool {
        let is_number = |k: usize| {
            k <= to
                && self.tokens[k].kind == Kind::Literal
                && self.text(k).as_bytes()[0].is_ascii_digit()
        };
        for j in from..=to {
            let t = &self.tokens[j];
            let next = (j < to).then(|| &self.tokens[j + 1]);
            let risky = match t.kind {
                Kind::Punct(b'.') => {
                    let index = |text: &str| {
                        text == "0"
                            || (!text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit()))
                    };
                    (is_number(j + 1) && !index(self.text(j + 1)))
                        || (j + 2 <= to
                            && self.tokens[j + 1].is_punct(b'.')
                            && self.tokens[j + 2].is_punct(b'.'))
                }
                Kind::Punct(b'<') => next.is_some_and(|n| n.is_punct(b'>')),
                Kind::Punct(b':') => next.is_some_and(|n| {
                    matches!(
                        n.kind,
                        Kind::Punct(b',' | b'>' | b'=' | b';') | Kind::Open(lex::Delim::Brace)
                    ) || (n.kind == Kind::Ident && self.text(j + 1) == "where")
                }),
                Kind::Ident if self.text(j) == "where" => next.is_some_and(|n| {
                    matches!(
                        n.kind,
                        Kind::Punct(b';' | b'=') | Kind::Open(lex::Delim::Brace)
                    )
                }),
                _ => false,
            };
            if risky {
                return true;
            }
        }
        false
    }

    /// The canonical text of the function at tokens `sig..=close` through syn, as the scan
    /// computed it before it had its own lexer.
    fn canonical_by_syn(&self, sig: usize, close: usize) -> Option<String> {
        let text = &self.src[self.tokens[sig].start..self.tokens[close].end];
        let f: syn::ItemFn = syn::parse_str(text).ok()?;
        Some(checksum::canonical_fn(&f.sig, &f.block))
    }

    /// Writes the canonical text of tokens `i..end` (see [`checksum`]): each token followed
    /// by a space, groups as `( ... )`, doc attributes left out.
    fn write(&self, out: &mut String, mut i: usize, end: usize) {
        while i < end {
            let t = &self.tokens[i];
            match t.kind {
                Kind::Doc { .. } => {
                    i += 1;
                    continue;
                }
                Kind::Punct(b'#') => {
                    if let Some(next) = self.doc_attr_end(i, end) {
                        i = next;
                        continue;
                    }
                    out.push('#');
                }
                Kind::Open(delim) => {
                    let (open, close) = delim.chars();
                    out.push(open);
                    out.push(' ');
                    self.write(out, i + 1, t.close);
                    out.push(close);
                    out.push(' ');
                    i = t.close + 1;
                    continue;
                }
                Kind::Punct(c) => out.push(char::from(c)),
                Kind::Ident | Kind::Literal | Kind::Close(_) => {
                    out.push_str(&self.src[t.start..t.end]);
                }
            }
            out.push(' ');
            i += 1;
        }
    }

    /// Where a `#[doc ...]` or `#![doc ...]` attribute at `i` ends, if there is one (the
    /// tokens `checksum` skips).
    fn doc_attr_end(&self, i: usize, end: usize) -> Option<usize> {
        let open = self
            .attr_open(i, end, false)
            .or_else(|| self.attr_open(i, end, true))?;
        let close = self.tokens[open].close;
        (open + 1 < close
            && self.tokens[open + 1].kind == Kind::Ident
            && self.text(open + 1) == "doc")
            .then_some(close + 1)
    }

    /// The path at the start of the attribute whose `[` is at `open`.
    fn meta_path(&self, open: usize) -> Option<MetaPath> {
        let close = self.tokens[open].close;
        let mut j = open + 1;
        let leading = self.is_path_sep(j, close);
        if leading {
            j += 2;
        }
        if j >= close || self.tokens[j].kind != Kind::Ident {
            return None;
        }
        let first = j;
        let mut last = j;
        j += 1;
        while self.is_path_sep(j, close) && j + 2 < close && self.tokens[j + 2].kind == Kind::Ident
        {
            last = j + 2;
            j += 3;
        }
        Some(MetaPath {
            last,
            single: !leading && last == first,
            after: j,
        })
    }

    /// Whether `attr` is a doc comment or one of the [`INERT`] built-in attributes.
    fn is_inert(&self, attr: Attr) -> bool {
        match attr {
            Attr::Doc(_) => true,
            Attr::Meta { open, .. } => self
                .meta_path(open)
                .is_some_and(|path| path.single && INERT.contains(&self.text(path.last))),
        }
    }

    /// Whether `attr` is `#[cfg(...)]`.
    fn is_cfg(&self, attr: Attr) -> bool {
        match attr {
            Attr::Doc(_) => false,
            Attr::Meta { open, .. } => self
                .meta_path(open)
                .is_some_and(|path| path.single && self.text(path.last) == "cfg"),
        }
    }

    /// The value of a doc attribute as `item::doc_message` reads it: a doc comment's text, or
    /// the string of `#[doc = "..."]`.
    fn doc_value(&self, attr: Attr) -> Option<String> {
        match attr {
            Attr::Doc(i) => {
                let (start, end) = self.tokens[i].text;
                Some(self.src[start..end].to_owned())
            }
            Attr::Meta { open, .. } => {
                let path = self.meta_path(open)?;
                if !path.single || self.text(path.last) != "doc" {
                    return None;
                }
                let close = self.tokens[open].close;
                let (eq, lit) = (path.after, path.after + 1);
                let is_string = lit + 1 == close
                    && self.tokens[eq].is_punct(b'=')
                    && self.tokens[lit].kind == Kind::Literal
                    && (self.text(lit).starts_with('"') || self.text(lit).starts_with('r'));
                if !is_string {
                    return None;
                }
                syn::parse_str::<LitStr>(self.text(lit))
                    .ok()
                    .map(|s| s.value())
            }
        }
    }

    /// The `#[cfg(...)]` among `attrs`, as outer-attribute source text.
    fn cfgs(&self, attrs: &[Attr]) -> Vec<String> {
        let mut out = Vec::new();
        for &attr in attrs {
            let Attr::Meta { open, .. } = attr else {
                continue;
            };
            if !self.is_cfg(attr) {
                continue;
            }
            // The tokens as written, a space wherever the source had whitespace or comments
            // between two tokens, so that what was joined (`::`) stays joined.
            let mut text = String::from("#[");
            let mut prev_end = self.tokens[open].end;
            for t in &self.tokens[open + 1..self.tokens[open].close] {
                if t.start > prev_end {
                    text.push(' ');
                }
                text.push_str(&self.src[t.start..t.end]);
                if let Kind::Doc { .. } = t.kind {
                    text.push('\n');
                }
                prev_end = t.end;
            }
            text.push(']');
            out.push(text);
        }
        out
    }

    /// The migration declared by `attrs` on the function whose name is token `name`, and its
    /// `downgrade` path.
    fn declaration(
        &self,
        attrs: &[Attr],
        fn_name: String,
        (sig, name, body): (usize, usize, usize),
        module: &[String],
    ) -> Option<(Decl, Option<Vec<String>>)> {
        let (at, pound, open, path) =
            attrs
                .iter()
                .enumerate()
                .find_map(|(at, &attr)| match attr {
                    Attr::Meta { pound, open } => {
                        let path = self.meta_path(open)?;
                        self.names_migration(path.last)
                            .then_some((at, pound, open, path))
                    }
                    Attr::Doc(_) => None,
                })?;
        let close = self.tokens[open].close;
        let list = match self.tokens.get(path.after) {
            Some(t) if path.after < close && matches!(t.kind, Kind::Open(_)) => {
                Some((path.after + 1, t.close))
            }
            _ => None,
        };
        let plain_args = list.and_then(|(from, to)| self.plain_args(from, to));
        let plain = list.is_some()
            && plain_args.as_ref().is_some_and(ScanArgs::is_valid)
            && self.plain_signature(sig, body)
            && attrs[..at].iter().all(|&attr| self.is_inert(attr));
        let args = match (list, plain_args) {
            (_, Some(args)) => args,
            (None, None) => ScanArgs::default(),
            (Some((from, to)), None) => {
                let text = &self.src[self.tokens[from - 1].end..self.tokens[to].start];
                let tokens = text.parse::<TokenStream>().unwrap_or_default();
                ScanArgs::from(Args::parse(tokens, &mut Errors::default()))
            }
        };
        let message = args.message.or_else(|| {
            crate::item::first_paragraph(attrs.iter().filter_map(|&attr| self.doc_value(attr)))
        });
        let decl = Decl {
            fn_name,
            line: lex::line_of(self.src, self.tokens[name].start),
            attr_line: lex::line_of(self.src, self.tokens[pound].start),
            message: message.unwrap_or_default(),
            reversible: args.downgrade.is_some(),
            transactional: args.transactional.unwrap_or(true),
            checksum: String::new(),
            module: module.to_vec(),
            revision: args.revision,
            revises: args.revises,
            depends_on: args.depends_on,
            branch_labels: args.branch_labels,
            cfgs: self.cfgs(attrs),
            plain,
            direct: None,
        };
        Some((decl, args.downgrade))
    }

    /// The arguments in tokens `from..to` when they are all well formed and plain: strings
    /// without escapes, arrays of them, a path of identifiers, `true`/`false`, each known
    /// key once. What [`Args::parse`] gives for them, without lexing and parsing them again
    /// through proc-macro2 and syn; `None` sends anything else to it.
    fn plain_args(&self, from: usize, to: usize) -> Option<ScanArgs> {
        let mut args = ScanArgs::default();
        let mut seen: Vec<&str> = Vec::new();
        let mut j = from;
        while j < to {
            if self.tokens[j].kind != Kind::Ident {
                return None;
            }
            let key = self.text(j);
            if !crate::args::KEYS.contains(&key) || seen.contains(&key) {
                return None;
            }
            seen.push(key);
            j += 1;
            if key == "irreversible" {
                args.irreversible = true;
            } else {
                // `=`, then a value, which starts with no punctuation (`==`, `=>`, `-1`...).
                if !self.is_punct(j, to, b'=')
                    || j + 1 >= to
                    || matches!(self.tokens[j + 1].kind, Kind::Punct(_))
                {
                    return None;
                }
                j += 1;
                match key {
                    "revision" => args.revision = Some(self.plain_string(j, to)?),
                    "message" => args.message = Some(self.plain_string(j, to)?),
                    "revises" | "depends_on" | "branch_labels" => {
                        let list = match self.tokens[j].kind {
                            Kind::Open(lex::Delim::Bracket) => {
                                let close = self.tokens[j].close;
                                let mut list = Vec::new();
                                let mut k = j + 1;
                                while k < close {
                                    list.push(self.plain_string(k, close)?);
                                    k += 1;
                                    if k < close {
                                        if !self.is_punct(k, close, b',') {
                                            return None;
                                        }
                                        k += 1;
                                    }
                                }
                                j = close;
                                list
                            }
                            _ => vec![self.plain_string(j, to)?],
                        };
                        match key {
                            "revises" => args.revises = list,
                            "depends_on" => args.depends_on = list,
                            _ => args.branch_labels = list,
                        }
                    }
                    "downgrade" => {
                        let mut segments = vec![self.path_segment(j, to)?];
                        while self.is_path_sep(j + 1, to) {
                            j += 3;
                            segments.push(self.path_segment(j, to)?);
                        }
                        args.downgrade = Some(segments);
                    }
                    "transactional" => {
                        args.transactional = match self.text(j) {
                            "true" if self.tokens[j].kind == Kind::Ident => Some(true),
                            "false" if self.tokens[j].kind == Kind::Ident => Some(false),
                            _ => return None,
                        };
                    }
                    _ => return None,
                }
                j += 1;
            }
            if j < to {
                if !self.is_punct(j, to, b',') {
                    return None;
                }
                j += 1;
            }
        }
        Some(args)
    }

    /// Whether the signature in tokens `sig..body` is plain, so that `item::check_signature`
    /// finds nothing wrong with it: `fn`, the name, lifetime parameters only, one argument
    /// `name: &mut Type` (not `self`), and `-> Result` or a path ending in it, with generic
    /// arguments. Anything else (qualifiers, other generics, `where`, `&'a mut`...) is left
    /// to the expansion's own checks.
    fn plain_signature(&self, sig: usize, body: usize) -> bool {
        if !self.is_ident(sig, body, "fn") {
            return false;
        }
        let mut i = sig + 2;
        if self.is_punct(i, body, b'<') {
            i += 1;
            loop {
                if i >= body {
                    return false;
                }
                match self.tokens[i].kind {
                    Kind::Punct(b'>') => break,
                    Kind::Punct(b'\'')
                        if i + 1 < body && self.tokens[i + 1].kind == Kind::Ident =>
                    {
                        i += 1;
                    }
                    Kind::Punct(b',' | b':' | b'+') => {}
                    _ => return false,
                }
                i += 1;
            }
            i += 1;
        }
        if i >= body || self.tokens[i].kind != Kind::Open(lex::Delim::Paren) {
            return false;
        }
        let close = self.tokens[i].close;
        if !self.plain_argument(i + 1, close) {
            return false;
        }
        // `-> Result<...>`, the path written with `::` between plain segments.
        i = close + 1;
        if !(self.is_punct(i, body, b'-')
            && self.is_punct(i + 1, body, b'>')
            && self.is_arrow(i + 1))
        {
            return false;
        }
        i += 2;
        if self.is_path_sep(i, body) {
            i += 2;
        }
        let last = loop {
            if self.path_segment(i, body).is_none() {
                return false;
            }
            if self.is_path_sep(i + 1, body) {
                i += 3;
            } else {
                i += 1;
                break i - 1;
            }
        };
        if self.text(last) != "Result" {
            return false;
        }
        i == body || (self.is_punct(i, body, b'<') && self.angle_end(i + 1, body) == Some(body))
    }

    /// Whether tokens `i..close` (a signature's parentheses) are one argument
    /// `[mut] name: &mut Type`, with an optional trailing comma.
    fn plain_argument(&self, mut i: usize, close: usize) -> bool {
        if self.is_ident(i, close, "mut") {
            i += 1;
        }
        let name_ok = i < close
            && self.tokens[i].kind == Kind::Ident
            && (self.text(i) == "_" || !KEYWORDS.contains(&self.text(i)));
        if !name_ok
            || !self.is_punct(i + 1, close, b':')
            || self.is_punct(i + 2, close, b':')
            || !self.is_punct(i + 2, close, b'&')
            || !self.is_ident(i + 3, close, "mut")
        {
            return false;
        }
        i += 4;
        if i >= close || self.tokens[i].is_punct(b',') {
            return false;
        }
        let mut angle = 0i32;
        while i < close {
            match self.tokens[i].kind {
                Kind::Open(_) => i = self.tokens[i].close,
                Kind::Punct(b'<') => angle += 1,
                Kind::Punct(b'>') => {
                    angle -= 1;
                    if angle < 0 {
                        return false;
                    }
                }
                Kind::Punct(b',') if angle == 0 && i + 1 != close => return false,
                Kind::Punct(b'-' | b'=' | b'.' | b'&') => return false,
                _ => {}
            }
            i += 1;
        }
        angle == 0
    }

    /// Where the `<...>` whose contents start at `i` ends (just past its `>`), when they hold
    /// no `->`, `=` or `.` (nothing but types, as far as a plain signature goes).
    fn angle_end(&self, mut i: usize, end: usize) -> Option<usize> {
        let mut angle = 1;
        while i < end {
            match self.tokens[i].kind {
                Kind::Open(_) => i = self.tokens[i].close,
                Kind::Punct(b'<') => angle += 1,
                Kind::Punct(b'>') => {
                    angle -= 1;
                    if angle == 0 {
                        return Some(i + 1);
                    }
                }
                Kind::Punct(b'-' | b'=' | b'.') => return None,
                _ => {}
            }
            i += 1;
        }
        None
    }

    /// The value of token `j` when it is a string literal without escapes, carriage returns
    /// or suffix (so that its value is its text).
    fn plain_string(&self, j: usize, end: usize) -> Option<String> {
        if j >= end || self.tokens[j].kind != Kind::Literal {
            return None;
        }
        let text = self.text(j);
        let inner = text.strip_prefix('"')?.strip_suffix('"')?;
        (!inner.contains(['\\', '\r'])).then(|| inner.to_owned())
    }

    /// Token `j` as a segment of an expression path: an identifier that is not a keyword,
    /// or one of the keywords a path may hold.
    fn path_segment(&self, j: usize, end: usize) -> Option<String> {
        if j >= end || self.tokens[j].kind != Kind::Ident {
            return None;
        }
        let text = self.text(j);
        let usable =
            matches!(text, "self" | "super" | "crate" | "Self") || !KEYWORDS.contains(&text);
        usable.then(|| text.to_owned())
    }
}

/// The identifiers syn does not take for a plain identifier.
pub(crate) const KEYWORDS: &[&str] = &[
    "_", "abstract", "as", "async", "await", "become", "box", "break", "const", "continue",
    "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "Self", "self", "static", "struct", "super", "trait", "true", "try", "type",
    "typeof", "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// The arguments of a `#[migration(...)]` as the scan keeps them.
#[derive(Debug, Default, PartialEq)]
struct ScanArgs {
    revision: Option<String>,
    revises: Vec<String>,
    depends_on: Vec<String>,
    branch_labels: Vec<String>,
    message: Option<String>,
    /// The segments of `downgrade = path`.
    downgrade: Option<Vec<String>>,
    irreversible: bool,
    transactional: Option<bool>,
}

impl ScanArgs {
    /// Whether the expansion's checks of the arguments alone would pass: a valid revision
    /// id, valid references and labels, and exactly one of `downgrade` and `irreversible`.
    fn is_valid(&self) -> bool {
        let valid = |id: &String| RevisionId::new(id).is_ok();
        self.revision.as_ref().is_some_and(valid)
            && self.revises.iter().all(valid)
            && self.depends_on.iter().all(valid)
            && self.branch_labels.iter().all(valid)
            && self.downgrade.is_some() != self.irreversible
    }
}

impl From<Args> for ScanArgs {
    fn from(args: Args) -> Self {
        let values = |list: &[LitStr]| list.iter().map(LitStr::value).collect();
        ScanArgs {
            revision: args.revision.as_ref().map(LitStr::value),
            revises: values(&args.revises),
            depends_on: values(&args.depends_on),
            branch_labels: values(&args.branch_labels),
            message: args.message.as_ref().map(LitStr::value),
            downgrade: args
                .downgrade
                .map(|path| path.segments.iter().map(|s| s.ident.to_string()).collect()),
            irreversible: args.irreversible.is_some(),
            transactional: args.transactional.map(|b| b.value),
        }
    }
}

/// Whether `attr` is `#[migration]`, however it is imported (`migration`,
/// `migrate_runtime::migration`, `prelude::migration`).
#[cfg(test)]
pub fn is_migration_attr(attr: &syn::Attribute) -> bool {
    attr.path()
        .segments
        .last()
        .is_some_and(|s| s.ident == "migration")
}

/// The `#[cfg(...)]` among `attrs`, as outer-attribute source text.
#[cfg(test)]
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
    use std::path::PathBuf;

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
    fn scan_files_keeps_the_order_and_matches_one_by_one_scans() {
        let dir = tempfile::tempdir().unwrap();
        // Enough files for several threads; every tenth does not lex, and one is missing.
        let mut files: Vec<(PathBuf, Option<String>)> = (0..200)
            .map(|i| {
                let path = dir.path().join(format!("m{i:03}.rs"));
                if i % 10 == 3 {
                    std::fs::write(&path, "fn broken() { \"unterminated }").unwrap();
                    return (path, None);
                }
                let src = format!(
                    "#[migration(revision = \"r{i}\", irreversible)]\n\
                     fn up_{i}(ctx: &mut MigrationContext<'_>) -> Result<()> {{ ctx.execute(\"{i}\") }}\n"
                );
                std::fs::write(&path, src).unwrap();
                (path, Some(format!("up_{i}")))
            })
            .collect();
        files.insert(50, (dir.path().join("missing.rs"), None));

        let paths: Vec<&Path> = files.iter().map(|(path, _)| path.as_path()).collect();
        let scans = scan_files(&paths);
        assert_eq!(scans.len(), files.len());
        for ((path, name), scan) in files.iter().zip(&scans) {
            let alone = std::fs::read_to_string(path)
                .ok()
                .and_then(|src| scan_source(&src));
            let decl = |scan: &FileScan| {
                let d = &scan.migrations[0];
                (d.fn_name.clone(), d.revision.clone(), d.checksum.clone())
            };
            assert_eq!(
                scan.as_ref().map(decl),
                alone.as_ref().map(decl),
                "{path:?}"
            );
            assert_eq!(scan.as_ref().map(|s| decl(s).0), *name, "{path:?}");
        }
    }

    #[test]
    fn reads_a_renamed_import_and_lists_what_it_cannot_read() {
        let src = r#"
use migrate_runtime::{migration as m, prelude::*};

#[m(revision = "a", irreversible)]
fn renamed(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

#[cfg_attr(unix, migration(revision = "b", irreversible))]
fn under_cfg_attr(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

macro_rules! table {
    ($id:literal) => {
        #[migration(revision = $id, irreversible)]
        fn generated(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    };
}

fn holder() {
    #[migrate_runtime::migration(revision = "c", irreversible)]
    fn in_body(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    let migration = 1;
    let _ = migration as u8;
}

#[cfg_attr(unix, allow(dead_code))]
#[migration(revision = "d", irreversible)]
fn plain(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
"#;
        let scan = scan_source(src).unwrap();
        let found: Vec<(&str, Option<&str>)> = scan
            .migrations
            .iter()
            .map(|d| (d.fn_name.as_str(), d.revision.as_deref()))
            .collect();
        assert_eq!(found, [("renamed", Some("a")), ("plain", Some("d"))]);
        assert_eq!(scan.unread, [7, 12, 18]);
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

/// The scan as it was before [`crate::lex`]: syn parses the whole file. The oracle of the
/// tests below; it must not change, as checksums computed by it are stored in databases.
#[cfg(test)]
mod reference {
    use syn::{Item, ItemFn, LitStr};

    use migrate_core::RevisionId;

    use super::{Decl, FileScan, ScannedFn, cfgs, scan_resolve};

    thread_local! {
        /// The names `migration` is imported under in the file being scanned.
        static ALIASES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// [`super::is_migration_attr`], or an attribute named by an alias of it.
    fn is_migration_attr(attr: &syn::Attribute) -> bool {
        super::is_migration_attr(attr)
            || ALIASES.with(|a| {
                attr.path()
                    .get_ident()
                    .is_some_and(|id| a.borrow().iter().any(|alias| id == alias))
            })
    }
    use crate::args::Args;
    use crate::checksum;
    use crate::errors::Errors;

    pub fn scan_source(src: &str) -> Option<FileScan> {
        let file = syn::parse_file(src).ok()?;
        let mut scan = FileScan {
            cfgs: cfgs(&file.attrs),
            ..FileScan::default()
        };
        let mut downgrades = Vec::new();
        // The names `migration` is imported under.
        struct Aliases(Vec<String>);
        impl<'ast> syn::visit::Visit<'ast> for Aliases {
            fn visit_use_rename(&mut self, rename: &'ast syn::UseRename) {
                if rename.ident == "migration" && rename.rename != "_" {
                    self.0.push(rename.rename.to_string());
                }
            }
        }
        let mut aliases = Aliases(Vec::new());
        syn::visit::Visit::visit_file(&mut aliases, &file);
        ALIASES.with(|a| *a.borrow_mut() = aliases.0);
        walk(&file.items, &mut Vec::new(), &mut scan, &mut downgrades);
        for (decl, downgrade) in scan.migrations.iter_mut().zip(downgrades) {
            let upgrade = scan
                .fns
                .iter()
                .find(|f| f.module == decl.module && f.name == decl.fn_name)
                .map(|f| f.canonical.as_str())
                .unwrap_or_default();
            let downgrade = downgrade.map(|path| scan_resolve(&scan.fns, &decl.module, &path));
            decl.checksum =
                checksum::digest(upgrade, downgrade.flatten().map(|f| f.canonical.as_str()));
            let upgrade = scan
                .fns
                .iter()
                .find(|f| f.module == decl.module && f.name == decl.fn_name);
            if downgrade.flatten().is_some_and(|f| f.unfit.is_some()) {
                decl.plain = false;
            }
            decl.direct = super::direct(decl, upgrade, downgrade);
        }
        Some(scan)
    }

    fn walk(
        items: &[Item],
        module: &mut Vec<String>,
        scan: &mut FileScan,
        downgrades: &mut Vec<Option<syn::Path>>,
    ) {
        for item in items {
            match item {
                Item::Fn(f) => {
                    let visible = match &f.vis {
                        syn::Visibility::Public(_) => true,
                        syn::Visibility::Restricted(r) => {
                            r.in_token.is_none()
                                && (r.path.is_ident("crate") || r.path.is_ident("super"))
                        }
                        syn::Visibility::Inherited => false,
                    };
                    let mut errors = Errors::default();
                    crate::item::check_signature(&f.sig, &mut errors);
                    scan.fns.push(ScannedFn {
                        module: module.clone(),
                        name: f.sig.ident.to_string(),
                        canonical: checksum::canonical_fn(&f.sig, &f.block),
                        visible: visible && module.is_empty(),
                        plain: errors.is_empty()
                            && f.attrs.iter().all(|a| {
                                !a.path().is_ident("cfg")
                                    && a.path().get_ident().is_some_and(|id| {
                                        super::INERT.iter().any(|inert| id == inert)
                                    })
                            }),
                        unfit: if f.sig.asyncness.is_some() {
                            Some(super::Qualifier::Async)
                        } else if f.sig.unsafety.is_some() {
                            Some(super::Qualifier::Unsafe)
                        } else if f.sig.abi.is_some() {
                            Some(super::Qualifier::Extern)
                        } else {
                            None
                        },
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

    fn declaration(f: &ItemFn, module: &[String]) -> Option<(Decl, Option<syn::Path>)> {
        let attr = f.attrs.iter().find(|a| is_migration_attr(a))?;
        let tokens = match &attr.meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => proc_macro2::TokenStream::new(),
        };
        let mut errors = Errors::default();
        let args = Args::parse(tokens.clone(), &mut errors);
        // What the expansion's own checks say (the oracle of `Plain`): no error from the
        // arguments, the ids and the signature.
        let valid = |lit: &LitStr| RevisionId::new(&lit.value()).is_ok();
        crate::item::check_signature(&f.sig, &mut errors);
        let plain = errors.is_empty()
            && args.revision.as_ref().is_some_and(valid)
            && args.revises.iter().all(valid)
            && args.depends_on.iter().all(valid)
            && args.branch_labels.iter().all(valid)
            && args.downgrade.is_some() != args.irreversible.is_some()
            && f.attrs
                .iter()
                .take_while(|a| !is_migration_attr(a))
                .all(|a| {
                    a.path()
                        .get_ident()
                        .is_some_and(|id| super::INERT.iter().any(|inert| id == inert))
                });
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
            plain,
            direct: None,
        };
        Some((decl, args.downgrade))
    }
}

/// The new scan against [`reference`] on the workspace's own sources and on hand-written
/// sources full of lexical corner cases.
#[cfg(test)]
mod oracle {
    use std::path::{Path, PathBuf};

    use super::*;

    /// Everything a scan found, cfgs without whitespace (their spelling may differ).
    fn normalized(scan: &FileScan) -> String {
        let strip = |list: &[String]| -> Vec<String> {
            list.iter()
                .map(|s| s.split_whitespace().collect())
                .collect()
        };
        let mut migrations = scan.migrations.clone();
        for decl in &mut migrations {
            decl.cfgs = strip(&decl.cfgs);
        }
        format!("{migrations:#?}\n{:#?}\n{:?}", scan.fns, strip(&scan.cfgs))
    }

    /// Asserts that every function whose canonical text written from its tokens differs from
    /// syn's is one `needs_syn` flags; returns how many were flagged and how many differ.
    fn flags_every_difference(what: &str, src: &str) -> (usize, usize) {
        let old = reference::scan_source(src).unwrap();
        let (new, flagged) = scan_with(src, true).unwrap();
        assert_eq!(new.fns.len(), old.fns.len(), "{what}");
        let mut differ = 0;
        for (k, (new, old)) in new.fns.iter().zip(&old.fns).enumerate() {
            if new.canonical != old.canonical {
                differ += 1;
                assert!(
                    flagged.contains(&k),
                    "{what}: `{}` is not flagged but syn prints\n{}\nwhere its tokens are\n{}",
                    old.name,
                    old.canonical,
                    new.canonical
                );
            }
        }
        (flagged.len(), differ)
    }

    /// Asserts that both scans agree on `src`, which syn must parse; returns the scan.
    fn agree(what: &str, src: &str) -> FileScan {
        flags_every_difference(what, src);
        let old = reference::scan_source(src).unwrap_or_else(|| panic!("syn rejects {what}"));
        let new = scan_source(src).unwrap_or_else(|| panic!("the scan rejects {what}"));
        // The scan vouches for fewer declarations and functions than the checks pass (it
        // leaves anything not plain to them), but for each one it vouches for, the checks
        // must pass; and so it names fewer migrations' functions directly.
        let mut old = old;
        for (old, new) in old.migrations.iter_mut().zip(&new.migrations) {
            if !new.plain {
                old.plain = false;
            }
            if new.direct.is_none() {
                old.direct = None;
            }
        }
        for (old, new) in old.fns.iter_mut().zip(&new.fns) {
            if !new.plain {
                old.plain = false;
            }
        }
        assert_eq!(normalized(&new), normalized(&old), "{what}");
        for cfg in new
            .cfgs
            .iter()
            .chain(new.migrations.iter().flat_map(|d| &d.cfgs))
        {
            let attrs = syn::parse::Parser::parse_str(syn::Attribute::parse_outer, cfg)
                .unwrap_or_else(|e| panic!("{what}: cfg `{cfg}` does not parse: {e}"));
            assert_eq!(attrs.len(), 1, "{what}: {cfg}");
        }
        new
    }

    fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            if path.is_dir() {
                if name != "target" && !name.to_string_lossy().starts_with('.') {
                    rust_files(&path, out);
                }
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }

    #[test]
    fn vouches_only_for_plain_correct_declarations() {
        let src = r#"
#[migration(revision = "a", irreversible)]
fn plain(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "b", revises = "a", downgrade = self::down)]
pub fn plain_too<'a>(mut ctx: &mut migrate_runtime::MigrationContext<'a>,) -> migrate_runtime::Result<()> { Ok(()) }
#[migration(revision = "c", downgrade = down, irreversible)]
fn both(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "bad id", irreversible)]
fn bad_id(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "d", irreversible)]
async fn qualified(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "e", irreversible)]
fn generic<T>(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "f", irreversible)]
fn two(ctx: &mut MigrationContext<'_>, x: u8) -> Result<()> { Ok(()) }
#[migration(revision = "g", irreversible)]
fn no_result(ctx: &mut MigrationContext<'_>) -> Option<()> { None }
#[migration(revision = "h", irreversible)]
fn lifetime_ref<'a>(ctx: &'a mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "i", irreversible, revison = "typo")]
fn typo(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "j", irreversible)]
fn where_clause(ctx: &mut MigrationContext<'_>) -> Result<()> where u8: Copy { Ok(()) }
#[migration(revision = "k", irreversible)]
fn receiver(&mut self) -> Result<()> { Ok(()) }
/// Built-in attributes before it leave the tokens alone.
#[allow(unused)]
#[cfg(all())]
#[migration(revision = "l", irreversible)]
#[instrument]
fn inert_before(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[instrument]
#[migration(revision = "m", irreversible)]
fn macro_before(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[cfg_attr(all(), instrument)]
#[migration(revision = "n", irreversible)]
fn cfg_attr_before(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[tracing::allow]
#[migration(revision = "o", irreversible)]
fn path_before(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
fn down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
"#;
        // Those it vouches for pass the expansion's checks. An attribute before
        // `#[migration]` that may be a macro could have rewritten the item: not vouched.
        let scan = agree("vouching", src);
        let vouched: Vec<&str> = scan
            .migrations
            .iter()
            .filter(|d| d.plain)
            .map(|d| d.fn_name.as_str())
            .collect();
        assert_eq!(vouched, ["plain", "plain_too", "inert_before"]);
    }

    #[test]
    fn names_the_functions_directly_only_when_the_including_module_can() {
        let src = r#"
#[migration(revision = "a", downgrade = down_a)]
pub(crate) fn a(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
/// Documented.
#[inline]
pub(crate) fn down_a(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "b", revises = "a", irreversible)]
pub fn b(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "c", revises = "b", downgrade = self::down_c)]
pub(super) fn c(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
pub(super) fn down_c(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "private_up", irreversible)]
fn private_up(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "private_down", downgrade = down)]
pub(crate) fn private_down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "self_vis", irreversible)]
pub(self) fn self_vis(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "in_path", irreversible)]
pub(in crate::m) fn in_path(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "cfg_down", downgrade = down_cfg)]
pub(crate) fn cfg_down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[cfg(unix)]
pub(crate) fn down_cfg(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "macro_down", downgrade = down_macro)]
pub(crate) fn macro_down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[instrument]
pub(crate) fn down_macro(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "odd_down", downgrade = down_odd)]
pub(crate) fn odd_down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
pub(crate) fn down_odd(ctx: &mut MigrationContext<'_>) -> u8 { 0 }
#[migration(revision = "elsewhere", downgrade = super::shared::down)]
pub(crate) fn elsewhere(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[migration(revision = "conditional", irreversible)]
#[cfg(unix)]
pub(crate) fn conditional(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
#[instrument]
#[migration(revision = "rewritten", irreversible)]
pub(crate) fn rewritten(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
mod inner {
    #[migration(revision = "nested", irreversible)]
    pub(crate) fn nested(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
}
fn down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
"#;
        let scan = agree("direct", src);
        let direct: Vec<(&str, Option<&str>)> = scan
            .migrations
            .iter()
            .filter_map(|d| {
                let direct = d.direct.as_ref()?;
                Some((d.fn_name.as_str(), direct.downgrade.as_deref()))
            })
            .collect();
        assert_eq!(
            direct,
            [("a", Some("down_a")), ("b", None), ("c", Some("down_c"))]
        );
    }

    #[test]
    fn agrees_with_syn_on_the_workspace_sources() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        let mut files = Vec::new();
        for dir in [
            "migrate-derive-tests",
            "examples",
            "migrate-macros/src",
            "migrate-runtime/src",
            "migrate-core/src",
        ] {
            rust_files(&root.join(dir), &mut files);
        }
        let (mut compared, mut migrations, mut fns) = (0, 0, 0);
        for file in &files {
            let src = std::fs::read_to_string(file).unwrap();
            if syn::parse_file(&src).is_err() {
                continue;
            }
            let scan = agree(&file.display().to_string(), &src);
            compared += 1;
            migrations += scan.migrations.len();
            fns += scan.fns.len();
            // The same file with Windows line endings.
            if !src.contains('\r') {
                agree(
                    &format!("{} (CRLF)", file.display()),
                    &src.replace('\n', "\r\n"),
                );
            }
        }
        let flagged: usize = files
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .filter(|src| syn::parse_file(src).is_ok())
            .map(|src| scan_with(&src, false).unwrap().1.len())
            .sum();
        println!("{compared} files, {fns} functions, {flagged} canonicalized by syn");
        assert!(compared >= 50, "only {compared} files compared");
        assert!(migrations >= 20, "only {migrations} migrations compared");
        assert!(fns >= 200, "only {fns} functions compared");
    }

    const TRICKY: &[&str] = &[
        r####"#!/usr/bin/env run-cargo-script
//! File docs.
#![cfg(feature = "x")]
#![allow(unused)]
#![cfg(any(unix, windows))]
use migrate_runtime::prelude::*;

/// Doc line one
///   and its second line.
/** block doc
 *  more */
///
/// Second paragraph.
#[migration(revision = "r1", downgrade = self::r#type)]
#[cfg(all(unix, not(feature = "y")))]
#[cfg_attr(test, allow(unused))]
fn up(ctx: &mut MigrationContext<'_>) -> Result<()> {
    //! Inner doc of the body.
    #![allow(unused_variables)]
    #![cfg(not(miri))]
    let raw = r#"raw "string" with // no comment /* either */"#;
    let raw2 = r##"x"#y"##;
    let bytes = b"bytes\x7f\n\0\"";
    let rawb = br#"rb"#;
    let c = c"cstr\x01\u{e9}";
    let rc = cr"rc";
    let ch = 'a'; let esc = '\''; let uni = '\u{1F600}'; let b = b'\\'; let q = '"';
    let nl = '\n'; let x7 = '\x7f'; let e = 'é';
    let life: &'static str = "x";
    let n = 1u8 + 0x1F + 0o17 + 0b1010 + 1_000 + 0xffu32 + 1i128;
    let f = 1.0 + 1e10 + 2.5E-3f64 + 1f32 + 3. + 1e+5 + 0.5e-2_0;
    let r = 1..2; let r2 = 1..=n; let m = 1.0f64.max(2.0); let t = (1, (2, 3));
    let x = 1.max(2) + t.0 + t.1 .0;
    let s = "multi
line \
        continued \u{1F600} \\ \" ";
    /* block /* nested */ comment */
    /// doc on a statement
    /** block doc on a statement */
    let y = n - 1;
    let z = y -1;
    let w = [1, 2][0] - 1;
    let v = (n) - 1;
    let label = 'outer: loop { break 'outer 5; };
    let closure = |a: u8, b| -> u8 { a + b };
    let empty = || ();
    let shift = 1 << 2 >> 1;
    let cmp = n >= 2 && n <= 3 || n != 4;
    let path = <Vec<u8> as Default>::default();
    let turbofish = Vec::<u8>::new();
    let r#match = 1;
    let café = 1; let über = café; let 名前 = über;
    println!("{} {:?}", r#match, vec![1, 2]);
    ctx.execute("SELECT 1")?;
    Ok(())
}

fn r#type(ctx: &mut MigrationContext<'_>) -> Result<()> {
    ctx.execute(r"DROP TABLE x")
}

#[migration(revision = "naïve", downgrade = naïve_down)]
fn naïve(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
fn naïve_down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
"####,
        r####"
use migrate_runtime::prelude::*;

#[migration(revision = "a", irreversible, message = "explicit \"message\"\twins")]
/// Not the message.
pub(crate) fn first(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

/// Ignored: not a migration.
fn helper<'a, T: Clone + 'a, const N: usize>(x: &'a T) -> impl Fn() -> u8 + 'a
where
    T: Copy,
{
    move || 1
}

const fn c() -> u8 { 1 }
unsafe extern "C" fn ext() {}
async fn asy() {}
pub(in crate::x) unsafe fn unsf() {}
extern "C" { fn foreign(); }
fn no_body();
struct S<T = u8> { a: T }
struct Tuple(u8, u16) ;
enum E { A = 1, B = { 2 } }
impl S { fn method(&self) {} }
impl<F: Fn() -> u8> Tr for F where F: Copy {}
trait Tr { fn provided(&self) {} }
const K: S = S { a: 1 };
static L: [u8; 2] = { [1, 2] };
type Alias<T> = Vec<T>;
macro_rules! m { () => { fn in_macro() {} }; }
m!();
m! { fn in_macro_call() {} }
mod external;
#[cfg(test)]
mod tests {
    //! Inner docs of a module.
    #![allow(dead_code)]
    use super::*;

    #[doc = "a\tb \"q\" \u{e9}\
             continued"]
    #[doc = r"raw doc"]
    #[doc(hidden)]
    #[migration(revision = "b", revises = "a", depends_on = ["x", "y"],
        branch_labels = ["l"], transactional = false, downgrade = super::tests::inner::down)]
    #[cfg(feature = "with space")]
    fn second(ctx: &mut MigrationContext<'_>) -> Result<()> {
        Ok(())
    }

    pub mod inner {
        use super::*;

        /// Down.
        pub fn down(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }

        #[prelude::migration(revision = "c", revises = "b", downgrade = super::super::first)]
        fn third(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
    }
}

#[::migrate_runtime::migration(revision = "d", revises = ["b", "c"], irreversible)]
/** Block doc message
    over two lines.

    Details. */
fn r#fn(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }
"####,
        // Constructs syn prints differently from their tokens, one per function, and
        // negative literals, which syn merges into one literal in patterns and generic
        // arguments but proc-macro2 splits again when they are printed.
        r####"
#[migration(revision = "e", irreversible)]
fn negative_patterns(ctx: &mut MigrationContext<'_>) -> Result<()> {
    match n {
        -1 => {}
        -5..=-2 | 7 => {}
        _ => {}
    }
    Ok(())
}
fn negative_let_pattern() { if let Some(-1) = Some(n) {} }
fn tuple_index() { let a = t.0.1; }
fn negative_generic_argument() { let b = x::<-1>(); }
fn empty_generics<>() {}
fn empty_where() where {}
fn bare_bound<T:>(x: &T) {}
fn guard_is_an_expression() { match n { x if x == -3 => {} _ => {} } }
fn subtraction() -> i64 { let y = n - 1; y -1 }
"####,
        "\u{feff}// BOM\nfn f() {}\n#[migration(revision = \"bom\", irreversible)]\nfn g(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }\n",
        "#![cfg(unix)]\n#[migration(revision = \"shebang-free\", irreversible)] fn h() { let x = 'a'; let y: &'a u8; }",
        "",
        "// only a comment",
    ];

    #[test]
    fn agrees_with_syn_on_tricky_sources() {
        for (n, src) in TRICKY.iter().enumerate() {
            agree(&format!("tricky source {n}"), src);
            agree(
                &format!("tricky source {n} (CRLF)"),
                &src.replace('\n', "\r\n"),
            );
        }
        let scan = scan_source(TRICKY[1]).unwrap();
        let names: Vec<_> = scan.migrations.iter().map(|d| d.fn_name.as_str()).collect();
        assert_eq!(names, ["first", "second", "third", "r#fn"]);
        assert_eq!(scan.migrations[0].message, "explicit \"message\"\twins");
        assert_eq!(
            scan.migrations[1].message,
            "a\tb \"q\" \u{e9}continued raw doc"
        );
        assert_eq!(
            scan.migrations[3].message,
            "Block doc message over two lines."
        );
        assert!(scan.fns.iter().all(|f| !f.name.starts_with("in_macro")));
        // The constructs syn prints differently are there, and flagged.
        let (flagged, differ) = flags_every_difference("printing", TRICKY[2]);
        assert_eq!((flagged, differ), (4, 4));
    }

    #[test]
    fn a_file_that_does_not_lex_is_none() {
        let bad = [
            "fn f() { let s = \"unterminated; }",
            "fn f() { ",
            "fn f() } {",
            "fn f() { (] }",
            "fn f() {} /* unterminated",
            "fn f() { \"\\q\" }",
            "fn f() { 'ab' }",
            "fn f() { r#\"x\" }",
            "fn f() { 0b102 }",
            "/// bare \r carriage return\nfn f() {}",
            "fn f() { let x = 1 → 2; }",
            "fn f() { let s = \"a\rb\"; }",
        ];
        for src in bad {
            assert!(scan_source(src).is_none(), "{src:?}");
            assert!(reference::scan_source(src).is_none(), "{src:?}");
        }
    }

    #[test]
    fn plain_arguments_read_as_syn_reads_them() {
        let plain = [
            r#"revision = "a""#,
            r#"revision = "a", revises = "b", downgrade = down"#,
            r#"revision = "a", revises = ["b", "c",], depends_on = ["x"], branch_labels = ["l"],
               message = "m é", transactional = false, irreversible,"#,
            r#"revision = "a", downgrade = self::inner::r#type, transactional = true"#,
            "downgrade = super::super::x",
            r#"revises = [], depends_on = "x", branch_labels = "y""#,
            "",
        ];
        let for_syn = [
            r#"revision = "a\tb""#,
            r#"revision = r"a""#,
            r#"revision = "a"suffix"#,
            "revision = 5",
            r#"revision = "a", revision = "b""#,
            r#"revison = "a""#,
            "downgrade = ::x",
            "downgrade = x::<T>",
            "downgrade = if",
            "downgrade = a + b",
            "transactional = r#true",
            "irreversible = true",
            "revision",
            r#"revision == "a""#,
            r#"revision = "a",, irreversible"#,
            r#"depends_on = ["a" "b"]"#,
            r#"message = /** doc */ "m""#,
        ];
        for (case, is_plain) in plain
            .iter()
            .map(|c| (c, true))
            .chain(for_syn.iter().map(|c| (c, false)))
        {
            let src = format!("#[migration({case})] fn f() {{}}");
            let tokens = lex::lex(&src).unwrap();
            let walker = Walker::new(&src, &tokens, false);
            let read = walker.plain_args(4, tokens[3].close);
            let by_syn = ScanArgs::from(Args::parse(case.parse().unwrap(), &mut Errors::default()));
            if is_plain {
                assert_eq!(read.as_ref(), Some(&by_syn), "{case}");
            } else {
                assert_eq!(read, None, "{case}");
            }
        }
    }

    /// A migration file as `migrate-bench` generates them (`migration_file`, with the
    /// attribute).
    fn bench_file(i: usize) -> String {
        let up = format!(
            "CREATE TABLE bench_{i:05} (id BIGINT NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, \
             created_at BIGINT NOT NULL); CREATE INDEX ix_bench_{i:05}_name ON bench_{i:05} (name);"
        );
        let down = format!("DROP TABLE bench_{i:05};");
        let attr = if i == 0 {
            "#[migration(revision = \"r00000\", downgrade = down)]\n".to_owned()
        } else {
            format!(
                "#[migration(revision = \"r{i:05}\", revises = \"r{:05}\", downgrade = down)]\n",
                i - 1
            )
        };
        format!(
            "//! Migration {i}.\n\nuse migrate_runtime::prelude::*;\n\n/// Create bench_{i:05}\n\
             {attr}fn up(ctx: &mut MigrationContext<'_>) -> Result<()> {{\n    \
             ctx.execute({up:?})\n}}\n\n\
             fn down(ctx: &mut MigrationContext<'_>) -> Result<()> {{\n    \
             ctx.execute({down:?})\n}}\n"
        )
    }

    #[test]
    fn benchmark_files_agree_without_syn_fallback() {
        let src = bench_file(7);
        agree("bench file", &src);
        let (scan, flagged) = scan_with(&src, false).unwrap();
        assert_eq!(scan.fns.len(), 2);
        assert_eq!(flagged, Vec::<usize>::new());
    }

    /// `cargo test -p migrate-macros scan_speed -- --ignored --nocapture`: the old and the
    /// new scan of 1,000 benchmark files, in the test profile (unoptimized, as proc macros in
    /// a debug build).
    #[test]
    #[ignore = "a timing, not a check"]
    fn scan_speed() {
        let files: Vec<String> = (0..1000).map(bench_file).collect();
        let time = |f: &dyn Fn(&str) -> Option<FileScan>| {
            let start = std::time::Instant::now();
            for src in &files {
                assert!(f(src).is_some());
            }
            start.elapsed()
        };
        for _ in 0..3 {
            let old = time(&reference::scan_source);
            let new = time(&scan_source);
            println!(
                "1,000 files: syn {old:.3?}, lexer {new:.3?}, {:.1}x",
                old.as_secs_f64() / new.as_secs_f64()
            );
        }
    }
}
