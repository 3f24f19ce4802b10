//! Procedural macros of migrate: `#[migration]` and `migrations!`.

use proc_macro::TokenStream;

/// Placeholder until the attribute lands; passes the item through unchanged.
#[proc_macro_attribute]
pub fn migration(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}
