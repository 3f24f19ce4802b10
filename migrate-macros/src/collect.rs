//! `migrations!("folder")`: one `mod` per `*.rs` file of a folder, and the registration of
//! that folder as the scope of its migrations' chain checks.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use proc_macro2::{Ident, Span, TokenStream};
use syn::LitStr;

use crate::chain::Origin;
use migrate_core::descriptor::{Descriptor, FILE_SEPARATOR};

use crate::scan::Decl;
use crate::scope::{self, display_name};

/// Expands `migrations!("folder")` invoked from `origin`.
pub fn migrations(input: TokenStream, origin: &Origin) -> TokenStream {
    expand(input, origin).unwrap_or_else(syn::Error::into_compile_error)
}

/// The folder a `migrations!` path that does not exist was probably meant to name: a tail
/// of it that exists (`src/migrations` written relative to the crate root, from
/// `src/lib.rs`), else the folder next to where it points whose name is a typo of its last
/// component.
fn folder_hint(base: &Path, written: &str) -> Option<String> {
    let parts: Vec<&str> = written.split('/').filter(|p| !p.is_empty()).collect();
    for start in 1..parts.len() {
        let tail = parts[start..].join("/");
        if base.join(&tail).is_dir() {
            return Some(tail);
        }
    }
    let (last, parent) = parts.split_last()?;
    let parent = parent.join("/");
    let siblings: Vec<String> = std::fs::read_dir(base.join(&parent))
        .ok()?
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.path().is_dir())
        .filter_map(|entry| entry.file_name().into_string().ok())
        .collect();
    let names: Vec<&str> = siblings.iter().map(String::as_str).collect();
    let found = migrate_core::suggest::closest(last, &names)?;
    Some(if parent.is_empty() {
        found.to_owned()
    } else {
        format!("{parent}/{found}")
    })
}

fn expand(input: TokenStream, origin: &Origin) -> syn::Result<TokenStream> {
    let lit: LitStr = syn::parse2(input).map_err(|err| {
        syn::Error::new(
            err.span(),
            "`migrations!` takes the migrations folder as a string, relative to this file: \
             `migrations!(\"migrations\")`",
        )
    })?;
    let Some(file) = &origin.file else {
        return Err(syn::Error::new(
            lit.span(),
            "`migrations!` cannot find the file it is invoked from, so it cannot resolve a \
             relative folder; invoke it directly in a source file, not through another macro",
        ));
    };
    let base = file.parent().unwrap_or(file);
    let dir = base.join(lit.value());
    let dir = dir.canonicalize().map_err(|err| {
        let hint = folder_hint(base, &lit.value())
            .map(|folder| format!("; did you mean `{folder}`?"))
            .unwrap_or_default();
        syn::Error::new(
            lit.span(),
            format!(
                "cannot open the migrations folder `{}`: {err}; the path is relative to the \
                 folder of this file{hint}",
                lit.value()
            ),
        )
    })?;
    let graph = scope::collect_folder(&dir).map_err(|err| {
        syn::Error::new(
            lit.span(),
            format!(
                "cannot list the migrations folder `{}`: {err}",
                dir.display()
            ),
        )
    })?;

    let mut seen: HashMap<String, String> = HashMap::new();
    let mut out = String::new();
    let mut folder = Group::default();
    let mut alone: Vec<(Vec<String>, Group)> = Vec::new();
    // Every file compiled, migrations or not, for the runtime to tell the folder's files
    // added since the build from helpers and files whose migrations `#[cfg]`s leave out.
    let mut files = String::new();
    for listed in &graph.files {
        let path = &listed.path;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = module_name(&stem);
        if let Some(other) = seen.insert(name.clone(), file_name.clone()) {
            return Err(syn::Error::new(
                lit.span(),
                format!(
                    "migration files `{other}` and `{file_name}` both become module `{name}`; \
                     rename one of them"
                ),
            ));
        }
        if !files.is_empty() {
            files.push(FILE_SEPARATOR);
        }
        files.push_str(&file_name);
        // `{:?}` of a `str` is a valid Rust string literal.
        let _ = writeln!(out, "#[path = {:?}] mod {name};", path.to_string_lossy());
        let Some(scan) = &listed.scan else { continue };
        let mut constants: HashMap<String, &str> = HashMap::new();
        for decl in scan.migrations.iter().filter(|d| d.module.is_empty()) {
            let constant = folder_item_name(&decl.fn_name);
            match constants.insert(constant, &decl.fn_name) {
                // The same name twice: alternatives under `#[cfg]`s, or else a clash the
                // compiler reports on the functions themselves.
                Some(other) if other == decl.fn_name => {}
                Some(other) => {
                    return Err(syn::Error::new(
                        lit.span(),
                        format!(
                            "migrations `{other}` and `{}` in `{file_name}` have names that \
                             differ only in case; rename one of them",
                            decl.fn_name
                        ),
                    ));
                }
                None => {}
            }
            if scan.cfgs.is_empty() && decl.cfgs.is_empty() {
                folder.push(decl, &name, &file_name);
            } else {
                // Under `#[cfg]`s of its own: registered alone, under them.
                let mut group = Group::default();
                group.push(decl, &name, &file_name);
                alone.push((scan.cfgs.iter().chain(&decl.cfgs).cloned().collect(), group));
            }
        }
    }
    // A subfolder a collected file loads with `mod name;` is compiled, as that module.
    let loaded: Vec<&str> = graph
        .files
        .iter()
        .filter_map(|listed| listed.scan.as_ref())
        .flat_map(|scan| scan.file_modules.iter().map(String::as_str))
        .collect();
    let uncollected = uncollected(&dir, &loaded, &lit);
    let dir = dir.to_string_lossy();
    // Written even without a migration: the list of files is the folder's own.
    folder.write(&mut out, &[], &dir, &files);
    for (cfgs, group) in &alone {
        if !group.steps.is_empty() {
            group.write(&mut out, cfgs, &dir, "");
        }
    }
    let mut tokens = generated(&out)?;
    tokens.extend(uncollected.map(syn::Error::into_compile_error));
    Ok(tokens)
}

/// An error on `lit` naming each `*.rs` file in a subfolder of `dir` (at any depth) that
/// declares migrations: `migrations!` does not collect subfolders, so these migrations would
/// be left out of the build without a word. The subfolders named in `loaded` are left
/// alone: a collected file loads them as modules (`mod shared;`), so they are compiled.
fn uncollected(dir: &Path, loaded: &[&str], lit: &LitStr) -> Option<syn::Error> {
    let mut found = Vec::new();
    let mut pending: Vec<PathBuf> = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        // Symbolic links to folders are not followed: they could lead back up.
        if entry.file_type().is_ok_and(|t| t.is_dir())
            && !loaded.iter().any(|name| entry.file_name() == *name)
        {
            pending.push(entry.path());
        }
    }
    while let Some(sub) = pending.pop() {
        for entry in std::fs::read_dir(&sub).into_iter().flatten().flatten() {
            let path = entry.path();
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs")
                && std::fs::read_to_string(&path).is_ok_and(|src| {
                    // Most files that mention no migration need no scan.
                    src.contains("migration")
                        && crate::scan::scan_source(&src).is_some_and(|s| !s.migrations.is_empty())
                })
            {
                found.push(path);
            }
        }
    }
    found.sort();
    let folder = display_name(dir);
    found
        .iter()
        .map(|path| {
            let relative = path.strip_prefix(dir).unwrap_or(path);
            let relative: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            syn::Error::new(
                lit.span(),
                format!(
                    "`{folder}/{}` declares migrations, but `migrations!` collects only the \
                     files directly in `{folder}`, not those of its subfolders, so they would \
                     not be part of the build; move the file into `{folder}`",
                    relative.join("/")
                ),
            )
        })
        .reduce(|mut all, err| {
            all.combine(err);
            all
        })
}

/// Lexes generated source text. Text rather than tokens built one by one, because each
/// token built costs a call into the compiler, and a folder of a thousand migrations
/// means tens of thousands of them; and through the compiler's lexer, which unlike
/// `proc_macro2`'s runs optimized in a debug build.
pub fn generated(text: &str) -> syn::Result<TokenStream> {
    if proc_macro::is_available() {
        text.parse::<proc_macro::TokenStream>()
            .map(TokenStream::from)
            .map_err(|err| syn::Error::new(Span::call_site(), err.to_string()))
    } else {
        Ok(text.parse::<TokenStream>()?)
    }
}

/// The strings of `list`.
fn strs(list: &[String]) -> Vec<&str> {
    list.iter().map(String::as_str).collect()
}

/// Migrations registered together: their descriptors' text and the paths of their
/// functions' constants.
#[derive(Default)]
struct Group {
    data: String,
    steps: Vec<String>,
}

impl Group {
    /// Adds `decl`, a top-level migration of the file `file_name` included as `module`.
    fn push(&mut self, decl: &Decl, module: &str, file_name: &str) {
        Descriptor {
            revision: decl.revision.as_deref().unwrap_or_default(),
            revises: strs(&decl.revises),
            depends_on: strs(&decl.depends_on),
            branch_labels: strs(&decl.branch_labels),
            message: &decl.message,
            reversible: decl.reversible,
            transactional: decl.transactional,
            checksum: &decl.checksum,
            file: file_name,
            line: u32::try_from(decl.attr_line).unwrap_or(u32::MAX),
        }
        .encode(&mut self.data);
        let steps = match &decl.direct {
            // The functions themselves, which the expansion then leaves alone.
            Some(direct) => format!(
                "({module}::{}, {})",
                decl.fn_name,
                direct.downgrade.as_ref().map_or_else(
                    || "::migrate_runtime::__private::IRREVERSIBLE".to_owned(),
                    |down| format!("{module}::{down}")
                )
            ),
            None => format!("{module}::{}", folder_item_name(&decl.fn_name)),
        };
        self.steps.push(steps);
    }

    /// Writes the group's registration, under `cfgs`, for the folder `dir`, with `files`
    /// (separated by [`FILE_SEPARATOR`]).
    fn write(&self, out: &mut String, cfgs: &[String], dir: &str, files: &str) {
        let private = "::migrate_runtime::__private";
        for cfg in cfgs {
            out.push_str(cfg);
        }
        let _ = write!(
            out,
            "const _: () = {{ static STEPS: [{private}::Steps; {len}] = [{steps}]; \
             {private}::inventory::submit! {{ {private}::Registration::Folder({private}::Folder \
             {{ dir: {dir:?}, data: {data:?}, steps: &STEPS, files: {files:?} }}) }} }};",
            len = self.steps.len(),
            steps = self.steps.join(", "),
            data = self.data,
        );
    }
}

/// The constant a `#[migration]` on `fn_name` at the top level of a collected file leaves
/// for `migrations!` to register: `__MIGRATE_ADD_EMAIL` for `add_email`.
///
/// Upper case, so that the constant needs no `#[allow(non_upper_case_globals)]`: each
/// attribute on a thousand items is work for the compiler. Only a name with non-ASCII
/// lowercase letters still needs it (see [`folder_item_allowance`]). Two migrations of one
/// file whose names differ only in case would share the constant; `migrations!` reports them.
pub fn folder_item(fn_name: &str, span: Span) -> Ident {
    Ident::new(&folder_item_name(fn_name), span)
}

/// The name of [`folder_item`], as text.
fn folder_item_name(fn_name: &str) -> String {
    let name = fn_name.strip_prefix("r#").unwrap_or(fn_name);
    format!("__MIGRATE_{}", name.to_ascii_uppercase())
}

/// `#[allow(non_upper_case_globals)]` when [`folder_item`] of `fn_name` keeps a lowercase
/// letter (one outside ASCII), else nothing.
pub fn folder_item_allowance(fn_name: &str) -> &'static str {
    if fn_name.chars().any(|c| !c.is_ascii() && c.is_lowercase()) {
        "#[allow(non_upper_case_globals)]"
    } else {
        ""
    }
}

/// A module name for a file stem: other characters than ASCII letters, digits and `_` become
/// `_`, and names that are not identifiers (`0003_add_email`, keywords) get an `m` prefix.
pub fn module_name(stem: &str) -> String {
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, 'm');
    }
    // `gen` is reserved from edition 2024 on, which syn's list (and so the scan's) predates.
    if crate::scan::KEYWORDS.contains(&name.as_str()) || name == "gen" {
        name.insert_str(0, "m_");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;
    use quote::quote;

    #[test]
    fn module_names_are_identifiers() {
        assert_eq!(module_name("0003_add_email"), "m0003_add_email");
        assert_eq!(
            module_name("1975ea83b712_add_email"),
            "m1975ea83b712_add_email"
        );
        assert_eq!(module_name("add-email.v2"), "add_email_v2");
        assert_eq!(module_name("create_users"), "create_users");
        assert_eq!(module_name("type"), "m_type");
        assert_eq!(module_name("gen"), "m_gen");
        assert_eq!(module_name("generate"), "generate");
        assert_eq!(module_name("_"), "m__");
    }

    #[test]
    fn emits_one_module_per_file_and_registers_the_folder() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("migrations");
        std::fs::create_dir(&dir).unwrap();
        for name in ["0002_b.rs", "0001_a.rs", "mod.rs"] {
            std::fs::write(dir.join(name), "").unwrap();
        }
        let origin = Origin {
            file: Some(root.path().join("lib.rs")),
        };
        let out: syn::File = syn::parse2(migrations(quote!("migrations"), &origin)).unwrap();
        let dir = dir.canonicalize().unwrap();
        let (mods, rest): (Vec<_>, Vec<_>) = out
            .items
            .iter()
            .partition(|item| matches!(item, syn::Item::Mod(_)));
        // Files without a migration are registered too, for the CLI to know them built.
        let [syn::Item::Const(registration)] = &rest[..] else {
            panic!(
                "{} items besides the modules, not one registration",
                rest.len()
            )
        };
        let registration = quote!(#registration).to_string();
        assert!(
            registration.contains(r#"files : "0001_a.rs/0002_b.rs""#),
            "{registration}"
        );
        let mods: Vec<(String, String)> = mods
            .iter()
            .map(|item| {
                let syn::Item::Mod(m) = item else {
                    panic!("not a module")
                };
                let syn::Meta::NameValue(path) = &m.attrs[0].meta else {
                    panic!("not #[path = ...]")
                };
                let syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(path),
                    ..
                }) = &path.value
                else {
                    panic!("not a string")
                };
                (m.ident.to_string(), path.value())
            })
            .collect();
        let path = |name: &str| dir.join(name).to_string_lossy().into_owned();
        assert_eq!(
            mods,
            [
                ("m0001_a".to_owned(), path("0001_a.rs")),
                ("m0002_b".to_owned(), path("0002_b.rs")),
            ]
        );
        assert_eq!(
            scope::collected_folder_of(&dir.join("0001_a.rs")),
            Some(dir.clone())
        );
    }

    #[test]
    fn constants_are_upper_case_and_a_case_only_clash_is_reported() {
        let name = |f: &str| folder_item(f, Span::call_site()).to_string();
        assert_eq!(name("add_email"), "__MIGRATE_ADD_EMAIL");
        assert_eq!(name("r#type"), "__MIGRATE_TYPE");
        assert_eq!(folder_item_allowance("add_email"), "");
        assert_eq!(
            folder_item_allowance("café"),
            "#[allow(non_upper_case_globals)]"
        );

        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("migrations");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(
            dir.join("0001_a.rs"),
            "#[migration(revision = \"a\", irreversible)]\n\
             fn up(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }\n\
             #[migration(revision = \"b\", revises = \"a\", irreversible)]\n\
             fn UP(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }\n",
        )
        .unwrap();
        let origin = Origin {
            file: Some(root.path().join("lib.rs")),
        };
        let out = migrations(quote!("migrations"), &origin).to_string();
        assert!(
            out.contains(
                "migrations `up` and `UP` in `0001_a.rs` have names that differ only in case"
            ),
            "{out}"
        );
    }

    #[test]
    fn migrations_in_subfolders_are_reported_and_helpers_there_are_not() {
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("migrations");
        for sub in ["sub", "foo", "helpers", "sub/deeper", "shared"] {
            std::fs::create_dir_all(dir.join(sub)).unwrap();
        }
        let migration = |id: &str| {
            format!(
                "#[migration(revision = \"{id}\", irreversible)]\n\
                 fn up(ctx: &mut MigrationContext<'_>) -> Result<()> {{ Ok(()) }}\n"
            )
        };
        // A collected file loading a subfolder as its module: compiled, so not reported.
        std::fs::write(
            dir.join("0001_a.rs"),
            format!("mod shared;\n{}", migration("0001_a")),
        )
        .unwrap();
        std::fs::write(dir.join("shared/mod.rs"), migration("0006_f")).unwrap();
        std::fs::write(dir.join("sub/0002_b.rs"), migration("0002_b")).unwrap();
        std::fs::write(dir.join("sub/deeper/0004_d.rs"), migration("0004_d")).unwrap();
        std::fs::write(dir.join("foo/mod.rs"), migration("0003_c")).unwrap();
        // Mentions migrations without declaring any.
        std::fs::write(
            dir.join("helpers/util.rs"),
            "/// Used by migrations.\npub fn migration_helper() {}\n",
        )
        .unwrap();
        std::fs::write(dir.join("helpers/notes.md"), migration("0005_e")).unwrap();
        let origin = Origin {
            file: Some(root.path().join("lib.rs")),
        };
        let out = migrations(quote!("migrations"), &origin);
        let file: syn::File = syn::parse2(out).unwrap();
        let mut errors = Vec::new();
        let mut modules = Vec::new();
        for item in &file.items {
            match item {
                syn::Item::Macro(m) => {
                    errors.push(syn::parse2::<LitStr>(m.mac.tokens.clone()).unwrap().value())
                }
                syn::Item::Mod(m) => modules.push(m.ident.to_string()),
                _ => {}
            }
        }
        let message = |file: &str| {
            format!(
                "`migrations/{file}` declares migrations, but `migrations!` collects only the \
                 files directly in `migrations`, not those of its subfolders, so they would not \
                 be part of the build; move the file into `migrations`"
            )
        };
        assert_eq!(
            errors,
            [
                message("foo/mod.rs"),
                message("sub/0002_b.rs"),
                message("sub/deeper/0004_d.rs")
            ]
        );
        // The folder's own files are still declared, so that nothing else cascades.
        assert_eq!(modules, ["m0001_a"]);
    }

    #[test]
    fn a_missing_folder_suggests_the_one_meant() {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("src/migrations")).unwrap();
        let base = root.path().join("src");
        // Written relative to the crate root rather than to `src/lib.rs`.
        assert_eq!(
            folder_hint(&base, "src/migrations").as_deref(),
            Some("migrations")
        );
        assert_eq!(
            folder_hint(&base, "migration").as_deref(),
            Some("migrations")
        );
        assert_eq!(
            folder_hint(root.path(), "src/migraitons").as_deref(),
            Some("src/migrations")
        );
        assert_eq!(folder_hint(&base, "schema"), None);
        assert_eq!(
            folder_hint(&base, "nowhere/migrations"),
            Some("migrations".into())
        );
    }

    #[test]
    fn reports_a_missing_folder_on_the_literal() {
        let root = tempfile::tempdir().unwrap();
        let origin = Origin {
            file: Some(root.path().join("lib.rs")),
        };
        let out = migrations(quote!("nowhere"), &origin).to_string();
        assert!(out.contains("cannot open the migrations folder"), "{out}");
        assert!(!out.contains("did you mean"), "{out}");
        let out = migrations(quote!(nowhere), &origin).to_string();
        assert!(
            out.contains("takes the migrations folder as a string"),
            "{out}"
        );
    }
}
