//! Macro calls in a body (`println!`, `assert!`, ..), whose input is tokens, not syntax: the
//! bindings the macro renamed (shadowed names) must be renamed inside them too, without
//! touching the names of format arguments, and inline captures such as `{y}` in the format
//! string must keep naming the binding the user meant.

use proc_macro2::{Punct, Spacing, TokenStream, TokenTree};
use quote::{quote, ToTokens};

use super::Lowering;

impl Lowering<'_> {
    /// `mac`'s input with renamed bindings rewritten, for a macro with format arguments.
    pub(super) fn rename_format_macro(&self, mac: &syn::Macro) -> syn::Macro {
        let mut segments: Vec<Vec<TokenTree>> = vec![Vec::new()];
        for tree in mac.tokens.clone() {
            match &tree {
                TokenTree::Punct(p) if p.as_char() == ',' => segments.push(Vec::new()),
                _ => segments.last_mut().expect("one segment").push(tree),
            }
        }
        let mut named = Vec::new();
        let mut captured = Vec::new();
        let mut renamed_segments = Vec::new();
        for segment in segments {
            match segment.as_slice() {
                [TokenTree::Ident(name), TokenTree::Punct(eq), rest @ ..]
                    if eq.as_char() == '=' && eq.spacing() == Spacing::Alone =>
                {
                    named.push(name.to_string());
                    let value = self.rename_tokens(rest.iter().cloned().collect());
                    renamed_segments.push(quote!(#name #eq #value));
                }
                [TokenTree::Literal(literal)] => {
                    captured.extend(inline_captures(&literal.to_string()));
                    renamed_segments.push(literal.to_token_stream());
                }
                other => renamed_segments.push(self.rename_nested(other.iter().cloned().collect())),
            }
        }
        for name in captured {
            if named.contains(&name) {
                continue;
            }
            if let Some(new) = self.renamed_ident(&name) {
                let original = proc_macro2::Ident::new(&name, new.span());
                renamed_segments.push(quote!(#original = #new));
                named.push(name);
            }
        }
        let mut tokens = TokenStream::new();
        for (i, segment) in renamed_segments.into_iter().enumerate() {
            if i > 0 {
                tokens.extend([TokenTree::Punct(Punct::new(',', Spacing::Alone))]);
            }
            tokens.extend(segment);
        }
        let mut mac = mac.clone();
        mac.tokens = tokens;
        mac
    }
}

impl Lowering<'_> {
    /// Renames bindings in `tokens`, treating each nested `name!(..)` as a format macro.
    fn rename_nested(&self, tokens: TokenStream) -> TokenStream {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out = Vec::with_capacity(trees.len());
        let mut i = 0;
        while i < trees.len() {
            if let (
                TokenTree::Ident(_),
                Some(TokenTree::Punct(bang)),
                Some(TokenTree::Group(group)),
            ) = (&trees[i], trees.get(i + 1), trees.get(i + 2))
            {
                if bang.as_char() == '!' {
                    let path = syn::Path::from(match &trees[i] {
                        TokenTree::Ident(ident) => ident.clone(),
                        _ => unreachable!("matched an identifier"),
                    });
                    let mac = syn::Macro {
                        path,
                        bang_token: Default::default(),
                        delimiter: syn::MacroDelimiter::Paren(Default::default()),
                        tokens: group.stream(),
                    };
                    let renamed = self.rename_format_macro(&mac).tokens;
                    let mut new_group = proc_macro2::Group::new(group.delimiter(), renamed);
                    new_group.set_span(group.span());
                    out.extend([
                        trees[i].clone(),
                        trees[i + 1].clone(),
                        TokenTree::Group(new_group),
                    ]);
                    i += 3;
                    continue;
                }
            }
            match &trees[i] {
                TokenTree::Group(group) => {
                    let mut new_group = proc_macro2::Group::new(
                        group.delimiter(),
                        self.rename_nested(group.stream()),
                    );
                    new_group.set_span(group.span());
                    out.push(TokenTree::Group(new_group));
                }
                other => out.extend(self.rename_tokens(TokenStream::from(other.clone()))),
            }
            i += 1;
        }
        out.into_iter().collect()
    }
}

/// The names captured inline by a format string literal: `{y}`, `{y:.3}`, not `{{y}}`.
fn inline_captures(literal: &str) -> Vec<String> {
    if !literal.starts_with('"') && !literal.starts_with('r') {
        return Vec::new();
    }
    let chars: Vec<char> = literal.chars().collect();
    let mut names = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '{' {
            if chars.get(i + 1) == Some(&'{') {
                i += 2;
                continue;
            }
            let start = i + 1;
            let mut end = start;
            while end < chars.len() && (chars[end].is_alphanumeric() || chars[end] == '_') {
                end += 1;
            }
            let name: String = chars[start..end].iter().collect();
            let starts_like_ident = name
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic() || c == '_');
            if starts_like_ident && matches!(chars.get(end), Some('}') | Some(':')) {
                names.push(name);
            }
            i = end;
        } else {
            i += 1;
        }
    }
    names
}
