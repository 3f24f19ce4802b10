//! Parsing of `#[migration(...)]` arguments into [`Args`], collecting every problem.
//!
//! The same parser serves the expanding attribute (strict: every problem becomes a
//! compile error) and the scan of neighbouring migrations (lenient: problems are dropped,
//! because each malformed attribute is reported by its own expansion).

use proc_macro2::{Span, TokenStream};
use syn::meta::ParseNestedMeta;
use syn::parse::Parser;
use syn::{Expr, ExprArray, ExprLit, Lit, LitBool, LitStr, Path};

use crate::errors::Errors;

/// Every key `#[migration(...)]` accepts, in the order messages list them.
pub const KEYS: &[&str] = &[
    "revision",
    "revises",
    "depends_on",
    "branch_labels",
    "message",
    "downgrade",
    "irreversible",
    "transactional",
    "external",
];

/// The arguments of one `#[migration(...)]`, as written. Ids are not validated here.
#[derive(Default)]
pub struct Args {
    /// `revision = "..."`.
    pub revision: Option<LitStr>,
    /// `revises = "..."` or `revises = [...]`.
    pub revises: Vec<LitStr>,
    /// `depends_on = [...]`.
    pub depends_on: Vec<LitStr>,
    /// `branch_labels = [...]`.
    pub branch_labels: Vec<LitStr>,
    /// `message = "..."`.
    pub message: Option<LitStr>,
    /// `downgrade = path`.
    pub downgrade: Option<Path>,
    /// The `irreversible` flag's token.
    pub irreversible: Option<Span>,
    /// `transactional = bool`.
    pub transactional: Option<LitBool>,
    /// `external = [...]`: references declared outside the checked scope.
    pub external: Vec<LitStr>,
    /// Every known key given, well formed or not, so that a malformed value is not reported
    /// a second time as a missing key.
    present: Vec<String>,
    /// The keys that unknown ones were likely meant to be (`downgrade` for `Downgrade`).
    meant: Vec<&'static str>,
    /// Whether some argument could not be read at all (an unknown key like no known one,
    /// or tokens that do not parse).
    unreadable: bool,
}

impl Args {
    /// Parses the tokens inside `#[migration(...)]`, pushing every problem onto `errors`
    /// and keeping whatever was well formed.
    pub fn parse(tokens: TokenStream, errors: &mut Errors) -> Self {
        let mut args = Args::default();
        let mut seen: Vec<String> = Vec::new();
        let parser = syn::meta::parser(|meta| args.parse_one(meta, &mut seen, errors));
        if let Err(err) = parser.parse2(tokens) {
            errors.push(err);
            args.unreadable = true;
        }
        args.present = seen;
        args
    }

    /// Whether some argument could not be read at all: an unknown key like no known one, or
    /// tokens that do not parse. A key reported missing may then be there.
    pub fn unreadable(&self) -> bool {
        self.unreadable
    }

    /// Whether `key` was given, even with a malformed value or misspelled.
    pub fn has(&self, key: &str) -> bool {
        self.present.iter().any(|k| k == key) || self.meant.contains(&key)
    }

    fn parse_one(
        &mut self,
        meta: ParseNestedMeta<'_>,
        seen: &mut Vec<String>,
        errors: &mut Errors,
    ) -> syn::Result<()> {
        let Some(key) = meta.path.get_ident().map(ToString::to_string) else {
            let err = meta.error(format!(
                "unknown `migration` argument, expected one of {}",
                key_list()
            ));
            skip_value(&meta)?;
            errors.push(err);
            self.unreadable = true;
            return Ok(());
        };
        if !KEYS.contains(&key.as_str()) {
            let meant = known_key(&key);
            let err = meta.error(match meant {
                Some(known) => {
                    format!("unknown `migration` argument `{key}`; did you mean `{known}`?")
                }
                None => format!(
                    "unknown `migration` argument `{key}`, expected one of {}",
                    key_list()
                ),
            });
            skip_value(&meta)?;
            errors.push(err);
            match meant {
                Some(known) => self.meant.push(known),
                None => self.unreadable = true,
            }
            return Ok(());
        }
        if seen.contains(&key) {
            let err = meta.error(format!(
                "`{key}` is given more than once; keep a single `{key}`"
            ));
            skip_value(&meta)?;
            errors.push(err);
            return Ok(());
        }
        seen.push(key.clone());

        if key == "irreversible" {
            if meta.input.peek(syn::Token![=]) || meta.input.peek(syn::token::Paren) {
                let err = meta.error("`irreversible` is a flag: write `irreversible` alone");
                skip_value(&meta)?;
                errors.push(err);
            } else {
                self.irreversible = Some(meta.path.segments[0].ident.span());
            }
            return Ok(());
        }

        if !meta.input.peek(syn::Token![=]) {
            let err = meta.error(format!("`{key}` needs a value: {}", expected(&key)));
            skip_value(&meta)?;
            errors.push(err);
            return Ok(());
        }
        let value = peel(meta.value()?.parse()?);
        match key.as_str() {
            "revision" => self.revision = string(&value, &key, errors),
            "message" => self.message = string(&value, &key, errors),
            "revises" => {
                self.revises = match &value {
                    Expr::Array(array) => strings(array, &key, errors),
                    _ => string(&value, &key, errors).into_iter().collect(),
                };
            }
            "depends_on" | "branch_labels" | "external" => {
                let list = match &value {
                    Expr::Array(array) => strings(array, &key, errors),
                    // A lone string is what the user meant; accept it rather than nag.
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(s), ..
                    }) => vec![s.clone()],
                    other => {
                        errors.push(type_error(other, &key));
                        Vec::new()
                    }
                };
                match key.as_str() {
                    "depends_on" => self.depends_on = list,
                    "external" => self.external = list,
                    _ => self.branch_labels = list,
                }
            }
            "downgrade" => match value {
                Expr::Path(p) if p.qself.is_none() && p.attrs.is_empty() => {
                    self.downgrade = Some(p.path);
                }
                other => errors.push(type_error(&other, &key)),
            },
            "transactional" => match value {
                Expr::Lit(ExprLit {
                    lit: Lit::Bool(b), ..
                }) => self.transactional = Some(b),
                other => errors.push(type_error(&other, &key)),
            },
            _ => unreachable!("every key of KEYS is handled"),
        }
        Ok(())
    }
}

/// The key meant by an unknown one: Alembic's name for it, or a known key within a typo
/// or two (case ignored).
fn known_key(key: &str) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    match key.as_str() {
        "down_revision" | "down_revisions" | "parent" | "parents" => return Some("revises"),
        "id" | "rev_id" => return Some("revision"),
        "depends" | "dependencies" => return Some("depends_on"),
        "branch_label" | "labels" => return Some("branch_labels"),
        _ => {}
    }
    KEYS.iter()
        .map(|k| (strsim::osa_distance(&key, k), *k))
        .filter(|&(d, k)| d <= 2.max(k.len() / 4))
        .min()
        .map(|(_, k)| k)
}

/// `value` without the invisible groups a `macro_rules!` fragment (`$id:literal`,
/// `$f:path`, `$e:expr`) is wrapped in.
fn peel(value: Expr) -> Expr {
    match value {
        Expr::Group(group) if group.attrs.is_empty() => peel(*group.expr),
        other => other,
    }
}

/// `` `revision`, `revises`, ... `` for messages.
fn key_list() -> String {
    KEYS.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a key's value must look like, for messages.
fn expected(key: &str) -> &'static str {
    match key {
        "revision" => "a string such as `revision = \"1975ea83b712\"`",
        "message" => "a string such as `message = \"add email to users\"`",
        "revises" => {
            "a string such as `revises = \"ae1027a6acf0\"`, or an array of strings for a merge point"
        }
        "depends_on" => "an array of strings such as `depends_on = [\"ae1027a6acf0\"]`",
        "branch_labels" => "an array of strings such as `branch_labels = [\"accounts\"]`",
        "downgrade" => "the path of a function such as `downgrade = drop_email`",
        "transactional" => "`true` or `false`",
        "external" => "an array of strings such as `external = [\"ae1027a6acf0\"]`",
        _ => "a value",
    }
}

fn type_error(value: &Expr, key: &str) -> syn::Error {
    syn::Error::new_spanned(value, format!("`{key}` expects {}", expected(key)))
}

fn string(value: &Expr, key: &str, errors: &mut Errors) -> Option<LitStr> {
    match value {
        Expr::Lit(ExprLit {
            lit: Lit::Str(s), ..
        }) => Some(s.clone()),
        other => {
            errors.push(type_error(other, key));
            None
        }
    }
}

fn strings(array: &ExprArray, key: &str, errors: &mut Errors) -> Vec<LitStr> {
    let mut out = Vec::new();
    for elem in &array.elems {
        match &peel(elem.clone()) {
            Expr::Lit(ExprLit {
                lit: Lit::Str(s), ..
            }) => out.push(s.clone()),
            other => {
                let example = if key == "branch_labels" {
                    "\"accounts\""
                } else {
                    "\"ae1027a6acf0\""
                };
                errors.push(syn::Error::new_spanned(
                    other,
                    format!("expected a string in `{key}`, such as `{example}`"),
                ));
            }
        }
    }
    out
}

/// Consumes `= value` or `(...)` after a rejected key so parsing can go on to the next key.
fn skip_value(meta: &ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        meta.value()?.parse::<Expr>()?;
    } else if meta.input.peek(syn::token::Paren) {
        let _group: proc_macro2::Group = meta.input.parse()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::*;

    fn parse(tokens: TokenStream) -> (Args, Vec<String>) {
        let mut errors = Errors::default();
        let args = Args::parse(tokens, &mut errors);
        (args, errors.messages())
    }

    #[test]
    fn parses_every_key() {
        let (args, errors) = parse(quote! {
            revision = "b", revises = ["a", "x"], depends_on = ["c"], branch_labels = ["l"],
            message = "m", downgrade = self::down, transactional = false
        });
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(args.revision.unwrap().value(), "b");
        let revises: Vec<_> = args.revises.iter().map(LitStr::value).collect();
        assert_eq!(revises, ["a", "x"]);
        assert_eq!(args.depends_on[0].value(), "c");
        assert_eq!(args.branch_labels[0].value(), "l");
        assert_eq!(args.message.unwrap().value(), "m");
        assert_eq!(args.downgrade.unwrap().segments.len(), 2);
        assert!(!args.transactional.unwrap().value);
        assert!(args.irreversible.is_none());
    }

    #[test]
    fn collects_every_problem_and_keeps_the_rest() {
        let (args, errors) = parse(quote! {
            revison = "a", revision = "b", revision = "c", revises = 5,
            transactional = "no", irreversible
        });
        assert_eq!(
            errors,
            [
                "unknown `migration` argument `revison`; did you mean `revision`?",
                "`revision` is given more than once; keep a single `revision`",
                "`revises` expects a string such as `revises = \"ae1027a6acf0\"`, or an array of \
                 strings for a merge point",
                "`transactional` expects `true` or `false`",
            ]
        );
        assert!(args.has("revision") && !args.unreadable());
        assert_eq!(args.revision.unwrap().value(), "b");
        assert!(args.irreversible.is_some());
    }

    #[test]
    fn an_unknown_key_names_the_key_it_looks_like() {
        let (args, errors) = parse(quote! {
            Downgrade = down, irreversable, down_revision = "a", frobnicate = 1
        });
        assert_eq!(
            errors,
            [
                "unknown `migration` argument `Downgrade`; did you mean `downgrade`?",
                "unknown `migration` argument `irreversable`; did you mean `irreversible`?",
                "unknown `migration` argument `down_revision`; did you mean `revises`?",
                "unknown `migration` argument `frobnicate`, expected one of `revision`, \
                 `revises`, `depends_on`, `branch_labels`, `message`, `downgrade`, \
                 `irreversible`, `transactional`, `external`",
            ]
        );
        // What they were meant to say is not reported missing on top of it.
        assert!(args.has("downgrade") && args.has("irreversible") && args.has("revises"));
        assert!(args.unreadable());
    }

    #[test]
    fn values_from_macro_rules_fragments_are_read_through_their_invisible_groups() {
        use proc_macro2::{Delimiter, Group, TokenTree};
        let invisible = |tokens: TokenStream| TokenTree::Group(Group::new(Delimiter::None, tokens));
        let (id, down, labels) = (
            invisible(quote!("0001_users")),
            invisible(quote!(self::drop_users)),
            invisible(quote!(["accounts", "users"])),
        );
        let (args, errors) = parse(quote! {
            revision = #id, downgrade = #down, branch_labels = #labels
        });
        assert_eq!(errors, Vec::<String>::new());
        assert_eq!(args.revision.unwrap().value(), "0001_users");
        assert_eq!(args.downgrade.unwrap().segments.len(), 2);
        assert_eq!(args.branch_labels.len(), 2);
    }
}
