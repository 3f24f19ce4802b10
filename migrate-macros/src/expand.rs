//! `#[migration]`: validation of one item and the registration it expands to.

use migrate_core::{IdError, MAX_ID_LEN, RevisionId};
use proc_macro2::{Delimiter, Group, Punct, Spacing, Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{ItemFn, LitStr};

use crate::args::Args;
use crate::chain::{self, Origin, Own, Scope};
use crate::checksum;
use crate::collect;
use crate::errors::Errors;
use crate::item::{self, Head};

/// Expands `#[migration(args)] item`. On any problem the item is emitted unchanged next to
/// the errors, without registration, so that one mistake does not cascade.
pub fn migration(args: TokenStream, input: TokenStream, origin: &Origin) -> TokenStream {
    match vouched_folder_steps(&args, &input, origin) {
        Some(steps) => quote!(#input #steps),
        None => checked(args, input, origin),
    }
}

/// [`migration`] through every check.
pub(crate) fn checked(args: TokenStream, input: TokenStream, origin: &Origin) -> TokenStream {
    let mut errors = Errors::default();
    let args = Args::parse(args, &mut errors);
    let item: Head = match syn::parse2(input.clone()) {
        Ok(item) => item,
        Err(_) => {
            errors.push(syn::Error::new(
                Span::call_site(),
                format!(
                    "`#[migration]` goes on a function: `{}`",
                    item::EXPECTED_SIGNATURE
                ),
            ));
            let errors = errors.to_compile_errors();
            return quote!(#errors #input);
        }
    };

    let revision = match &args.revision {
        Some(lit) => valid_id(lit, "revision id", &mut errors).map(|id| (id, lit)),
        None if args.has("revision") || args.unreadable() => None,
        None => {
            errors.push(syn::Error::new(
                Span::call_site(),
                "missing `revision = \"...\"`: every migration needs a unique id such as \
                 `revision = \"1975ea83b712\"` or `revision = \"0003_add_email\"`",
            ));
            None
        }
    };
    item::check_signature(&item.sig, &mut errors);
    match (&args.downgrade, args.irreversible) {
        // Given but malformed or misspelled, or perhaps in what could not be read: that
        // error is the one to fix.
        (None, None) if args.has("downgrade") || args.has("irreversible") || args.unreadable() => {}
        (None, None) => errors.push(syn::Error::new(
            item.sig.ident.span(),
            "a migration must say how it is reverted: add `downgrade = <fn>` naming the \
             function that reverts it, or `irreversible` if it cannot be reverted",
        )),
        (Some(path), Some(flag)) => {
            let message = "`downgrade` and `irreversible` contradict each other; keep \
                           `downgrade = <fn>` if the migration can be reverted, else `irreversible`";
            errors.push(syn::Error::new(flag, message));
            errors.push(syn::Error::new_spanned(path, message));
        }
        (Some(path), None) if path.is_ident(&item.sig.ident) => {
            errors.push(syn::Error::new_spanned(
                path,
                format!(
                    "`downgrade` names `{}` itself; name the function that reverts it, or say \
                 `irreversible`",
                    item.sig.ident
                ),
            ))
        }
        _ => {}
    }
    let revises = refs(&args.revises, &mut errors);
    let depends_on = refs(&args.depends_on, &mut errors);
    let external = refs(&args.external, &mut errors);
    for (id, lit) in &external {
        if !args
            .revises
            .iter()
            .chain(&args.depends_on)
            .any(|r| r.value() == id.as_str())
        {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "`{id}` is in `external` but not in `revises` or `depends_on`; `external` \
                     only vouches for references this migration makes, remove it"
                ),
            ));
        }
    }
    for label in &args.branch_labels {
        valid_label(label, &mut errors);
    }

    let line = item.sig.ident.span().start().line;
    let scope = Scope::find(origin, &item.sig.ident.to_string(), line);
    if let Some(block) = scope.associated {
        // Whatever else is wrong, the registration has no place there.
        let what = if block == "impl" {
            "an `impl` block"
        } else {
            "a `trait`"
        };
        errors.push(syn::Error::new(
            item.sig.ident.span(),
            format!(
                "`#[migration]` cannot go on an associated function: `{name}` is inside {what}, \
                 where the migration cannot be registered; move `fn {name}` out of the `{block}` \
                 block, to the module level",
                name = item.sig.ident
            ),
        ));
        let errors = errors.to_compile_errors();
        return quote!(#errors #input);
    }
    if let (Some(path), Some((scanned, module))) = (&args.downgrade, &scope.own_file)
        && let Some(found) = scanned.resolve_fn(module, path)
    {
        item::check_downgrade(path, found, &mut errors);
    }
    if let Some(revision) = revision.clone() {
        let own = Own {
            fn_name: item.sig.ident.to_string(),
            revision,
            revises,
            depends_on,
            branch_labels: &args.branch_labels,
            external,
        };
        chain::check(&own, &scope, &mut errors);
    }

    if !errors.is_empty() {
        let errors = errors.to_compile_errors();
        // `migrations!` names this migration's constant whatever happens here.
        let placeholder = (scope.in_folder && !scope.is_direct()).then(|| {
            let name = folder_item(&item, Span::call_site());
            let cfgs = cfgs(&item);
            let allowance = allowance(&item);
            quote! {
                #(#cfgs)*
                #allowance
                pub(crate) const #name: ::migrate_runtime::__private::Steps =
                    ::migrate_runtime::__private::FAILED;
            }
        });
        return quote!(#errors #input #placeholder);
    }
    let registration = if scope.is_direct() {
        TokenStream::new()
    } else if scope.in_folder {
        folder_steps(&item, &args)
    } else {
        match syn::parse2::<ItemFn>(input.clone()) {
            Ok(item) => registration(&item, &args, &scope),
            // A body that does not parse: rustc reports it.
            Err(_) => TokenStream::new(),
        }
    };
    // What is left are problems under `#[cfg]`s, for the compiler to evaluate.
    let conditional = errors.to_compile_errors();
    quote! {
        #input
        #registration
        #conditional
    }
}

/// The expansion of a migration at the top level of a collected folder's file whose scan
/// vouched for it (see [`crate::scan::Decl::plain`]): it receives the tokens the scan read,
/// and the checks would find nothing in them, so the parsing they need is skipped, which a
/// folder of a thousand migrations notices in a debug build. `None` sends the migration
/// through the checks.
pub(crate) fn vouched_folder_steps(
    args: &TokenStream,
    input: &TokenStream,
    origin: &Origin,
) -> Option<TokenStream> {
    let trees: Vec<TokenTree> = input.clone().into_iter().collect();
    // The other outer attributes, and the `#[cfg]`s among them, which the constant shares.
    let mut i = 0;
    let mut cfgs = Vec::new();
    while let (Some(TokenTree::Punct(pound)), Some(TokenTree::Group(group))) =
        (trees.get(i), trees.get(i + 1))
    {
        if pound.as_char() != '#' || group.delimiter() != Delimiter::Bracket {
            break;
        }
        if matches!(group.stream().into_iter().next(), Some(TokenTree::Ident(id)) if id == "cfg") {
            cfgs.push(&trees[i..i + 2]);
        }
        i += 2;
    }
    if matches!(trees.get(i), Some(TokenTree::Ident(id)) if id == "pub") {
        i += 1;
        if matches!(trees.get(i), Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis)
        {
            i += 1;
        }
    }
    let (Some(TokenTree::Ident(name)), Some(TokenTree::Group(body))) =
        (trees.get(i + 1), trees.last())
    else {
        return None;
    };
    if body.delimiter() != Delimiter::Brace {
        return None;
    }
    let scope = Scope::find(origin, &name.to_string(), name.span().start().line);
    if !scope.in_folder || !scope.unreported()?.plain {
        return None;
    }
    if scope.is_direct() {
        // `migrations!` names the functions themselves.
        return Some(TokenStream::new());
    }
    // `downgrade = path`: the path's tokens, up to the next `,`.
    let args: Vec<TokenTree> = args.clone().into_iter().collect();
    let downgrade = args
        .iter()
        .position(|t| matches!(t, TokenTree::Ident(id) if id == "downgrade"))
        .map(|key| {
            args[key + 2..]
                .iter()
                .take_while(|t| !matches!(t, TokenTree::Punct(p) if p.as_char() == ','))
                .cloned()
                .collect::<TokenStream>()
        })
        .unwrap_or_else(|| quote!(::migrate_runtime::__private::IRREVERSIBLE));
    // What `folder_steps` emits, with the fixed part as text for the compiler to lex at
    // once: each token built here would be a call into the compiler, in unoptimized code.
    let constant = collect::folder_item(&name.to_string(), Span::call_site());
    let mut out: TokenStream = cfgs.into_iter().flatten().cloned().collect();
    out.extend(
        collect::generated(&format!(
            "{} pub(crate) const {constant}: ::migrate_runtime::__private::Steps =",
            collect::folder_item_allowance(&name.to_string())
        ))
        .ok()?,
    );
    let mut steps = TokenStream::from(TokenTree::Ident(name.clone()));
    steps.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
    steps.extend(downgrade);
    out.extend([
        TokenTree::Group(Group::new(Delimiter::Parenthesis, steps)),
        TokenTree::Punct(Punct::new(';', Spacing::Alone)),
    ]);
    Some(out)
}

/// The valid ids of `list`, each with its literal; the others are reported.
fn refs<'a>(list: &'a [LitStr], errors: &mut Errors) -> Vec<(RevisionId, &'a LitStr)> {
    list.iter()
        .filter_map(|lit| valid_id(lit, "revision id", errors).map(|id| (id, lit)))
        .collect()
}

/// Validates `lit` as a branch label (the rules of an id: labels and ids share the
/// namespace of targets), reporting on the literal in terms of labels.
fn valid_label(lit: &LitStr, errors: &mut Errors) {
    let Err(err) = RevisionId::new(&lit.value()) else {
        return;
    };
    let problem = match err {
        IdError::Empty => "it is empty".to_owned(),
        IdError::TooLong { len } => {
            format!("it is {len} characters long, the limit is {MAX_ID_LEN}")
        }
        IdError::InvalidChar { ch, pos } => format!(
            "it contains {ch:?} at position {pos}, only ASCII letters, digits and `_` are allowed"
        ),
        IdError::Reserved(word) => format!("`{word}` is a reserved target name"),
        other => other.to_string(),
    };
    errors.push(syn::Error::new(
        lit.span(),
        format!(
            "invalid branch label {:?}: {problem}; labels look like `accounts` or `billing_v2`",
            lit.value()
        ),
    ));
}

/// Validates `lit` as a revision id, reporting on the literal.
fn valid_id(lit: &LitStr, what: &str, errors: &mut Errors) -> Option<RevisionId> {
    RevisionId::new(&lit.value())
        .map_err(|err| {
            errors.push(syn::Error::new(
                lit.span(),
                format!(
                    "invalid {what} {:?}: {err}; ids look like `1975ea83b712` or `0003_add_email`",
                    lit.value()
                ),
            ));
        })
        .ok()
}

fn registration(item: &ItemFn, args: &Args, scope: &Scope) -> TokenStream {
    let ident = &item.sig.ident;
    let revision = args.revision.as_ref().map(LitStr::value);
    let values = |list: &[LitStr]| list.iter().map(LitStr::value).collect::<Vec<_>>();
    let down_revisions = values(&args.revises);
    let depends_on = values(&args.depends_on);
    let branch_labels = values(&args.branch_labels);
    let message = args
        .message
        .as_ref()
        .map(LitStr::value)
        .or_else(|| item::doc_message(&item.attrs))
        .unwrap_or_default();
    let transactional = args.transactional.as_ref().is_none_or(|b| b.value);

    let upgrade_text = checksum::canonical_fn(&item.sig, &item.block);
    let downgrade_text = args.downgrade.as_ref().and_then(|path| {
        let (scan, module) = scope.own_file.as_ref()?;
        Some(scan.resolve_fn(module, path)?.canonical.as_str())
    });
    let checksum = checksum::digest(&upgrade_text, downgrade_text);

    let private = quote!(::migrate_runtime::__private);
    // Typed constants, spanned on the user's tokens: a wrong signature or a missing downgrade
    // function is reported there as one plain "expected fn pointer" or "cannot find value".
    let upgrade = quote_spanned! {ident.span()=>
        const __MIGRATE_UPGRADE: #private::MigrationFnPtr = #ident;
    };
    let (downgrade_const, downgrade) = match &args.downgrade {
        Some(path) => (
            quote_spanned! {path.span()=>
                const __MIGRATE_DOWNGRADE: #private::MigrationFnPtr = #path;
            },
            quote!(::core::option::Option::Some(__MIGRATE_DOWNGRADE)),
        ),
        None => (TokenStream::new(), quote!(::core::option::Option::None)),
    };

    let migration = quote! {
        #private::StaticMigration {
            revision: #revision,
            down_revisions: &[#(#down_revisions),*],
            depends_on: &[#(#depends_on),*],
            branch_labels: &[#(#branch_labels),*],
            message: #message,
            upgrade: __MIGRATE_UPGRADE,
            downgrade: #downgrade,
            transactional: #transactional,
            checksum: #checksum,
            file: ::core::file!(),
            line: ::core::line!(),
            module_path: ::core::module_path!(),
        }
    };
    quote! {
        const _: () = {
            #upgrade
            #downgrade_const
            #private::inventory::submit! {
                #private::Registration::Static(&[#migration])
            }
        };
    }
}

/// For a migration at the top level of a file collected by `migrations!`, which registers the
/// whole folder from its scan (ids, message, checksum): only the functions, which the scan
/// cannot name from outside the file. Their tuple is typed, and each is spanned on the user's
/// token, so that a wrong signature or a missing downgrade function is reported there as one
/// plain "expected fn pointer" or "cannot find value".
fn folder_steps(item: &Head, args: &Args) -> TokenStream {
    let ident = &item.sig.ident;
    let name = folder_item(item, Span::call_site());
    let cfgs = cfgs(item);
    let upgrade = quote_spanned!(ident.span()=> #ident);
    let private = quote!(::migrate_runtime::__private);
    let downgrade = match &args.downgrade {
        Some(path) => quote_spanned!(path.span()=> #path),
        None => quote!(#private::IRREVERSIBLE),
    };
    let allowance = allowance(item);
    quote! {
        #(#cfgs)*
        #allowance
        pub(crate) const #name: #private::Steps = (#upgrade, #downgrade);
    }
}

/// The constant `migrations!` names for `item`: see [`collect::folder_item`].
fn folder_item(item: &Head, span: Span) -> proc_macro2::Ident {
    collect::folder_item(&item.sig.ident.to_string(), span)
}

/// [`collect::folder_item_allowance`] for `item`.
fn allowance(item: &Head) -> TokenStream {
    let text = collect::folder_item_allowance(&item.sig.ident.to_string());
    text.parse().expect("an attribute")
}

/// The `#[cfg]` attributes left on `item` (those written after `#[migration]`), which its
/// constant must share.
fn cfgs(item: &Head) -> impl Iterator<Item = &syn::Attribute> {
    item.attrs.iter().filter(|a| a.path().is_ident("cfg"))
}
