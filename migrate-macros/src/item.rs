//! The item model: the function `#[migration]` is attached to, its signature checks and its
//! doc comment.

use syn::parse::{Parse, ParseStream};
use syn::spanned::Spanned;
use syn::{Attribute, FnArg, GenericParam, Path, ReturnType, Signature, Type, Visibility};

use crate::errors::Errors;
use crate::scan::{Qualifier, ScannedFn};

/// What a migration function must look like, quoted by signature errors.
pub const EXPECTED_SIGNATURE: &str =
    "fn name(ctx: &mut MigrationContext<'_>) -> migrate_runtime::Result<()>";

/// A function item with its body left as tokens: what `#[migration]` inspects. Parsing the
/// body into a syntax tree, as `syn::ItemFn` does, would cost every expansion a walk of it
/// that only the checksum of a migration outside a collected folder needs.
pub struct Head {
    /// The outer attributes after `#[migration]`.
    pub attrs: Vec<Attribute>,
    /// The signature.
    pub sig: Signature,
}

impl Parse for Head {
    fn parse(input: ParseStream<'_>) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let _: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        let body: proc_macro2::Group = input.parse()?;
        if body.delimiter() != proc_macro2::Delimiter::Brace {
            return Err(syn::Error::new(body.span(), "expected a function body"));
        }
        Ok(Head { attrs, sig })
    }
}

/// Reports everything that stops `item` from being a migration function. The exact argument
/// and return types are left to rustc, which checks them against the registered fn pointer
/// type with the span on the function name.
pub fn check_signature(sig: &Signature, errors: &mut Errors) {
    let reject = |errors: &mut Errors, span: proc_macro2::Span, what: &str| {
        errors.push(syn::Error::new(
            span,
            format!("a migration cannot be {what}; write `{EXPECTED_SIGNATURE}`"),
        ));
    };
    if let Some(token) = &sig.constness {
        reject(errors, token.span, "a `const fn`");
    }
    if let Some(token) = &sig.asyncness {
        reject(errors, token.span, unfit(Qualifier::Async));
    }
    if let Some(token) = &sig.unsafety {
        reject(errors, token.span, unfit(Qualifier::Unsafe));
    }
    if let Some(abi) = &sig.abi {
        reject(errors, abi.span(), unfit(Qualifier::Extern));
    }
    for param in &sig.generics.params {
        match param {
            // Lifetime parameters still coerce to the registered fn pointer type.
            GenericParam::Lifetime(_) => {}
            GenericParam::Type(_) | GenericParam::Const(_) => reject(
                errors,
                param.span(),
                "generic: it is called through one fn pointer type",
            ),
        }
    }
    if let Some(clause) = &sig.generics.where_clause {
        reject(errors, clause.span(), "constrained by a `where` clause");
    }
    if let Some(variadic) = &sig.variadic {
        reject(errors, variadic.span(), "variadic");
    }

    let mut typed = 0;
    for arg in &sig.inputs {
        match arg {
            FnArg::Receiver(receiver) => reject(
                errors,
                receiver.span(),
                "a method: take the context as the only argument instead of `self`",
            ),
            FnArg::Typed(pat) => {
                typed += 1;
                if typed == 1 && !matches!(&*pat.ty, Type::Reference(r) if r.mutability.is_some()) {
                    errors.push(syn::Error::new_spanned(
                        &pat.ty,
                        "the migration context is passed as `&mut MigrationContext<'_>`",
                    ));
                }
            }
        }
    }
    let has_receiver = sig.inputs.iter().any(|a| matches!(a, FnArg::Receiver(_)));
    if typed != 1 && !has_receiver {
        let span = if sig.inputs.is_empty() {
            sig.paren_token.span.join()
        } else {
            sig.inputs.span()
        };
        errors.push(syn::Error::new(
            span,
            format!(
                "a migration takes exactly one argument, `ctx: &mut MigrationContext<'_>`, \
                 found {typed}; write `{EXPECTED_SIGNATURE}`"
            ),
        ));
    }

    match &sig.output {
        ReturnType::Default => errors.push(syn::Error::new(
            sig.paren_token.span.close(),
            "a migration returns `migrate_runtime::Result<()>`; add `-> Result<()>` \
             (from the prelude) and end with `Ok(())`",
        )),
        ReturnType::Type(_, ty) => {
            let is_result = matches!(&**ty, Type::Path(p)
                if p.qself.is_none()
                    && p.path.segments.last().is_some_and(|s| s.ident == "Result"));
            if !is_result {
                errors.push(syn::Error::new_spanned(
                    ty,
                    "a migration returns `migrate_runtime::Result<()>` so failures abort the \
                     migration; use `Result<()>` from the prelude",
                ));
            }
        }
    }
}

/// What a function with `qualifier` is, for "a migration cannot be ..." messages.
fn unfit(qualifier: Qualifier) -> &'static str {
    match qualifier {
        Qualifier::Async => {
            "`async`: migrations run inside the migration transaction, synchronously"
        }
        Qualifier::Unsafe => "an `unsafe fn`",
        Qualifier::Extern => "an `extern` function",
    }
}

/// Reports a `downgrade = path` naming `found`, a function of the migration's own file that
/// has a qualifier no migration function can have: rustc would only say that its fn item does
/// not coerce to the fn pointer type.
pub fn check_downgrade(path: &Path, found: &ScannedFn, errors: &mut Errors) {
    if let Some(qualifier) = found.unfit {
        errors.push(syn::Error::new_spanned(
            path,
            format!(
                "`downgrade` names `{}`, and a downgrade cannot be {}; write `{EXPECTED_SIGNATURE}`",
                found.name,
                unfit(qualifier)
            ),
        ));
    }
}

/// The first paragraph of the item's doc comment, lines joined by spaces: the message used
/// when `message = "..."` is absent.
pub fn doc_message(attrs: &[Attribute]) -> Option<String> {
    let docs = attrs.iter().filter_map(|attr| {
        if !attr.path().is_ident("doc") {
            return None;
        }
        let syn::Meta::NameValue(nv) = &attr.meta else {
            return None;
        };
        match &nv.value {
            syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) => Some(s.value()),
            _ => None,
        }
    });
    first_paragraph(docs)
}

/// The first paragraph of the doc strings `docs`, lines trimmed and joined by spaces.
pub fn first_paragraph(docs: impl Iterator<Item = String>) -> Option<String> {
    let mut lines = Vec::new();
    for doc in docs {
        // A `/** */` block arrives as one attribute with embedded newlines.
        lines.extend(doc.split('\n').map(|l| l.trim().to_owned()));
    }
    let paragraph: Vec<String> = lines
        .into_iter()
        .skip_while(String::is_empty)
        .take_while(|l| !l.is_empty())
        .collect();
    (!paragraph.is_empty()).then(|| paragraph.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(src: &str) -> Vec<String> {
        let item: syn::ItemFn = syn::parse_str(src).unwrap();
        let mut errors = Errors::default();
        check_signature(&item.sig, &mut errors);
        errors.messages()
    }

    #[test]
    fn accepts_the_expected_signature() {
        let ok = [
            "fn up(ctx: &mut MigrationContext<'_>) -> Result<()> { Ok(()) }",
            "pub fn up(c: &mut migrate_runtime::MigrationContext) -> migrate_runtime::Result<()> { Ok(()) }",
            "fn up<'a>(c: &mut MigrationContext<'a>) -> Result<()> { Ok(()) }",
        ];
        for src in ok {
            assert_eq!(problems(src), Vec::<String>::new(), "{src}");
        }
    }

    #[test]
    fn reports_each_problem() {
        let found = problems("async unsafe fn up<T>() where T: Copy {}");
        assert_eq!(found.len(), 6, "{found:#?}");
        assert!(found[0].contains("`async`"));
        assert!(found[1].contains("`unsafe fn`"));
        assert!(found[2].contains("generic"));
        assert!(found[3].contains("`where` clause"));
        assert!(found[4].contains("exactly one argument"));
        assert!(found[5].contains("add `-> Result<()>`"));
        let found = problems("fn up(ctx: MigrationContext, x: u8) -> u8 { 0 }");
        assert_eq!(found.len(), 3, "{found:#?}");
        let found = problems(
            "const extern \"C\" fn up<const N: usize>(&mut self) -> Result<()> { Ok(()) }",
        );
        assert_eq!(found.len(), 4, "{found:#?}");
        assert!(found[0].contains("`const fn`"));
        assert!(found[1].contains("`extern`"));
        assert!(found[2].contains("generic"));
        assert!(found[3].contains("instead of `self`"));
    }

    #[test]
    fn doc_message_is_the_first_paragraph() {
        let item: syn::ItemFn =
            syn::parse_str("///\n/// Add an email\n///   column.\n///\n/// Details.\nfn up() {}")
                .unwrap();
        assert_eq!(
            doc_message(&item.attrs).as_deref(),
            Some("Add an email column.")
        );
        let item: syn::ItemFn = syn::parse_str("fn up() {}").unwrap();
        assert_eq!(doc_message(&item.attrs), None);
    }
}
