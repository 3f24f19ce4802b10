//! [`Errors`]: every problem found in one expansion, combined into one `syn::Error` at the end
//! so the user sees them all at once.

use proc_macro2::TokenStream;

/// Problems collected while expanding one macro invocation.
#[derive(Default)]
pub struct Errors {
    always: Vec<syn::Error>,
    /// Problems that exist only when `#[cfg]`s the macro cannot evaluate hold: each with
    /// those attributes, as source text, for the compiler to evaluate.
    conditional: Vec<(Vec<String>, syn::Error)>,
}

impl Errors {
    /// Records a problem.
    pub fn push(&mut self, err: syn::Error) {
        self.always.push(err);
    }

    /// Records a problem that exists only when every one of `cfgs` (`#[cfg(...)]`
    /// attributes, as source text) holds; a problem under no `#[cfg]` is recorded as is.
    pub fn push_under(&mut self, cfgs: Vec<String>, err: syn::Error) {
        if cfgs.is_empty() {
            self.push(err);
        } else {
            self.conditional.push((cfgs, err));
        }
    }

    /// Whether no unconditional problem was recorded: the expansion can go ahead, emitting
    /// [`Errors::to_compile_errors`] beside it for the conditional ones.
    pub fn is_empty(&self) -> bool {
        self.always.is_empty()
    }

    /// One `compile_error!` per problem, the conditional ones under their `#[cfg]`s, or
    /// nothing.
    pub fn to_compile_errors(&self) -> TokenStream {
        let mut out = TokenStream::new();
        let mut iter = self.always.iter().cloned();
        if let Some(mut all) = iter.next() {
            for err in iter {
                all.combine(err);
            }
            out.extend(all.to_compile_error());
        }
        for (cfgs, err) in &self.conditional {
            for cfg in cfgs {
                // Scanned from the source, where they were valid attributes.
                out.extend(cfg.parse::<TokenStream>().unwrap_or_default());
            }
            out.extend(err.to_compile_error());
        }
        out
    }

    /// The messages, for unit tests: the unconditional ones, then each conditional one
    /// prefixed by its `#[cfg]`s.
    #[cfg(test)]
    pub fn messages(&self) -> Vec<String> {
        let always = self.always.iter().map(ToString::to_string);
        let conditional = self
            .conditional
            .iter()
            .map(|(cfgs, err)| format!("{} {err}", cfgs.join(" ")));
        always.chain(conditional).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proc_macro2::Span;

    #[test]
    fn a_conditional_problem_is_emitted_under_its_cfgs_and_does_not_stop_the_expansion() {
        let mut errors = Errors::default();
        errors.push_under(
            vec!["#[cfg(unix)]".into(), "#[cfg(feature = \"pg\")]".into()],
            syn::Error::new(Span::call_site(), "clash"),
        );
        assert!(
            errors.is_empty(),
            "only unconditional problems stop the expansion"
        );
        let tokens = errors.to_compile_errors().to_string();
        assert!(
            tokens.starts_with("# [cfg (unix)] # [cfg (feature = \"pg\")]"),
            "{tokens}"
        );
        assert!(tokens.contains("compile_error ! { \"clash\" }"), "{tokens}");

        errors.push_under(Vec::new(), syn::Error::new(Span::call_site(), "always"));
        assert!(
            !errors.is_empty(),
            "a problem under no `#[cfg]` is unconditional"
        );
        assert_eq!(
            errors.messages(),
            ["always", "#[cfg(unix)] #[cfg(feature = \"pg\")] clash"]
        );
    }
}
