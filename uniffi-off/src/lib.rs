//! What `uniffi::...` means inside `quayside-core` when its `ffi` feature is off: the same
//! derives, attributes and scaffolding macro, each accepted and producing nothing, so the core's
//! exported API is written once with uniffi's own markers and compiles as plain Rust for the
//! server and the CLI (which do not need the bindings) without compiling uniffi.
//!
//! Gating each marker with `cfg_attr` instead does not work: uniffi's `export` macro reads the
//! `#[uniffi::method(default(...))]` markers of the methods inside it before `cfg_attr` is
//! expanded, so the defaults silently vanished from the bindings.

use proc_macro::TokenStream;

/// `#[uniffi::export]` on an impl, a function or a trait: the item unchanged, its methods'
/// `#[uniffi::constructor]` and `#[uniffi::method(...)]` markers taken out.
#[proc_macro_attribute]
pub fn export(_args: TokenStream, item: TokenStream) -> TokenStream {
    without_markers(item)
}

/// `#[uniffi::constructor]` outside an exported impl (never written, kept for completeness of
/// the marker set).
#[proc_macro_attribute]
pub fn constructor(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// `#[uniffi::method(...)]` outside an exported impl.
#[proc_macro_attribute]
pub fn method(_args: TokenStream, item: TokenStream) -> TokenStream {
    item
}

/// `uniffi::setup_scaffolding!()`: no scaffolding without bindings.
#[proc_macro]
pub fn setup_scaffolding(_input: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// `#[derive(uniffi::Record)]`, with its `#[uniffi(default = ...)]` field markers.
#[proc_macro_derive(Record, attributes(uniffi))]
pub fn record(_item: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// `#[derive(uniffi::Enum)]`.
#[proc_macro_derive(Enum, attributes(uniffi))]
pub fn enumeration(_item: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// `#[derive(uniffi::Error)]`.
#[proc_macro_derive(Error, attributes(uniffi))]
pub fn error(_item: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// `#[derive(uniffi::Object)]`.
#[proc_macro_derive(Object, attributes(uniffi))]
pub fn object(_item: TokenStream) -> TokenStream {
    TokenStream::new()
}

/// Removes every `#[uniffi::...]` attribute (a `#` followed by a bracket group whose first token
/// is `uniffi`), at any depth: what stays is the plain Rust the markers decorated.
fn without_markers(stream: TokenStream) -> TokenStream {
    use proc_macro::{Group, TokenTree};
    let mut out: Vec<TokenTree> = Vec::new();
    let mut tokens = stream.into_iter().peekable();
    while let Some(token) = tokens.next() {
        match token {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                if let Some(TokenTree::Group(g)) = tokens.peek()
                    && is_uniffi_attribute(g)
                {
                    tokens.next();
                    continue;
                }
                out.push(TokenTree::Punct(p));
            }
            TokenTree::Group(g) => {
                let mut inner = Group::new(g.delimiter(), without_markers(g.stream()));
                inner.set_span(g.span());
                out.push(TokenTree::Group(inner));
            }
            other => out.push(other),
        }
    }
    out.into_iter().collect()
}

fn is_uniffi_attribute(g: &proc_macro::Group) -> bool {
    g.delimiter() == proc_macro::Delimiter::Bracket
        && matches!(g.stream().into_iter().next(),
            Some(proc_macro::TokenTree::Ident(i)) if i.to_string() == "uniffi")
}
