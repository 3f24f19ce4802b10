//! `migrations!("folder")`: one `mod` per `*.rs` file of a folder, and the registration of
//! that folder as the scope of its migrations' chain checks.

use std::collections::HashMap;
use std::fmt::Write as _;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use syn::LitStr;

use crate::chain::Origin;
use crate::scan::{Decl, FileScan};
use crate::scope;

/// Expands `migrations!("folder")` invoked from `origin`.
pub fn migrations(input: TokenStream, origin: &Origin) -> TokenStream {
    expand(input, origin).unwrap_or_else(syn::Error::into_compile_error)
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
        syn::Error::new(
            lit.span(),
            format!(
                "cannot open the migrations folder `{}`: {err}; the path is relative to the \
                 folder of this file",
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
    let mut mods = Vec::with_capacity(graph.files.len());
    let mut entries = String::new();
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
        let ident = Ident::new(&name, lit.span());
        let path = path.to_string_lossy();
        if let Some(scan) = &listed.scan {
            for decl in scan.migrations.iter().filter(|d| d.module.is_empty()) {
                entry(&mut entries, scan, decl, &name, &path);
            }
        }
        mods.push(quote! {
            #[path = #path]
            mod #ident;
        });
    }
    if entries.is_empty() {
        // No migration in the folder (yet).
        return Ok(quote!(#(#mods)*));
    }
    let entries: TokenStream = entries.parse()?;
    let private = quote!(::migrate_runtime::__private);
    Ok(quote! {
        #(#mods)*
        const _: () = {
            const MIGRATIONS: &[#private::StaticMigration] = &[#entries];
            #private::inventory::submit! {
                #private::Registration(MIGRATIONS)
            }
        };
    })
}

/// Appends to `out` the registration of `decl`, a top-level migration of the file of module
/// `module` at `path`, from its scan: the attribute's expansion gives only the functions (see
/// `expand::folder_steps`). Under the same `#[cfg]`s as its function and its file.
///
/// Written as source text and lexed once for the whole folder: building a thousand struct
/// literals token by token costs the compiler a call per token.
fn entry(out: &mut String, scan: &FileScan, decl: &Decl, module: &str, path: &str) {
    let private = "::migrate_runtime::__private";
    for cfg in scan.cfgs.iter().chain(&decl.cfgs) {
        out.push_str(cfg);
    }
    let list = |items: &[String]| {
        items
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let steps = folder_item(&decl.fn_name, Span::call_site());
    let downgrade = if decl.reversible {
        format!("::core::option::Option::Some({module}::{steps}.1)")
    } else {
        "::core::option::Option::None".to_owned()
    };
    // `{:?}` of a `str` is a valid Rust string literal.
    let _ = write!(
        out,
        "{private}::StaticMigration {{ revision: {revision:?}, down_revisions: &[{revises}], \
         depends_on: &[{depends_on}], branch_labels: &[{labels}], message: {message:?}, \
         upgrade: {module}::{steps}.0, downgrade: {downgrade}, transactional: {transactional}, \
         checksum: {checksum:?}, file: {path:?}, line: {line}, \
         module_path: ::core::concat!(::core::module_path!(), \"::{module}\") }},",
        revision = decl.revision.as_deref().unwrap_or_default(),
        revises = list(&decl.revises),
        depends_on = list(&decl.depends_on),
        labels = list(&decl.branch_labels),
        message = decl.message,
        transactional = decl.transactional,
        checksum = decl.checksum,
        line = u32::try_from(decl.attr_line).unwrap_or(u32::MAX),
    );
}

/// The constant a `#[migration]` on `fn_name` at the top level of a collected file leaves
/// for `migrations!` to register.
pub fn folder_item(fn_name: &str, span: Span) -> Ident {
    format_ident!(
        "__MIGRATE_{}",
        fn_name.strip_prefix("r#").unwrap_or(fn_name),
        span = span
    )
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
    if syn::parse_str::<Ident>(&name).is_err() {
        name.insert_str(0, "m_");
    }
    name
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let mods: Vec<(String, String)> = out
            .items
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
    fn reports_a_missing_folder_on_the_literal() {
        let root = tempfile::tempdir().unwrap();
        let origin = Origin {
            file: Some(root.path().join("lib.rs")),
        };
        let out = migrations(quote!("nowhere"), &origin).to_string();
        assert!(out.contains("cannot open the migrations folder"), "{out}");
        let out = migrations(quote!(nowhere), &origin).to_string();
        assert!(
            out.contains("takes the migrations folder as a string"),
            "{out}"
        );
    }
}
