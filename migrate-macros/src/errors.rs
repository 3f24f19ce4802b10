//! [`Errors`]: every problem found in one expansion, combined into one `syn::Error` at the end
//! so the user sees them all at once.

use proc_macro2::TokenStream;

/// Problems collected while expanding one macro invocation.
#[derive(Default)]
pub struct Errors(Vec<syn::Error>);

impl Errors {
    /// Records a problem.
    pub fn push(&mut self, err: syn::Error) {
        self.0.push(err);
    }

    /// Whether nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One `compile_error!` per problem, or nothing.
    pub fn to_compile_errors(&self) -> TokenStream {
        let mut iter = self.0.iter().cloned();
        let Some(mut all) = iter.next() else {
            return TokenStream::new();
        };
        for err in iter {
            all.combine(err);
        }
        all.to_compile_error()
    }

    /// The messages, for unit tests.
    #[cfg(test)]
    pub fn messages(&self) -> Vec<String> {
        self.0.iter().map(ToString::to_string).collect()
    }
}
