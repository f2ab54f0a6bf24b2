//! Golden expansions: the generated code for a few representative functions, checked in as
//! `tests/expand/NAME.expanded.rs` beside each `tests/expand/NAME.rs`, so that a change to
//! what users read with `cargo expand` shows up in review.
//!
//! Regenerate after an intended change with
//! `AUTODIFF_BLESS=1 cargo test -p autodiff-macros golden`.

use std::path::Path;

fn expand_file(source: &str) -> String {
    let item: syn::ItemFn = syn::parse_str(source).expect("a golden input is one function");
    let (attr, item) = split_attribute(item);
    let tokens = crate::expand::expand(attr, quote::quote!(#item));
    let file: syn::File = syn::parse2(tokens).expect("the expansion parses as a file");
    prettyplease::unparse(&file)
}

/// Takes the `#[differentiate(..)]` attribute off, as the compiler does before calling us.
fn split_attribute(mut item: syn::ItemFn) -> (proc_macro2::TokenStream, syn::ItemFn) {
    let position = item
        .attrs
        .iter()
        .position(|a| a.path().is_ident("differentiate"))
        .expect("a golden input carries #[differentiate]");
    let attr = item.attrs.remove(position);
    let args = match attr.meta {
        syn::Meta::List(list) => list.tokens,
        _ => proc_macro2::TokenStream::new(),
    };
    (args, item)
}

#[test]
fn golden_expansions_match() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let bless = std::env::var_os("AUTODIFF_BLESS").is_some();
    let mut checked = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "rs")
                && !p.to_string_lossy().ends_with(".expanded.rs")
        })
        .collect();
    entries.sort();
    for input in entries {
        let expected_path = input.with_extension("expanded.rs");
        let source = std::fs::read_to_string(&input).expect("readable input");
        let actual = expand_file(&source);
        if bless {
            std::fs::write(&expected_path, &actual).expect("writable golden file");
        } else {
            let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
            assert!(
                expected == actual,
                "{} changed; if intended, rerun with AUTODIFF_BLESS=1.\n--- generated ---\n{actual}",
                expected_path.display()
            );
        }
        checked += 1;
    }
    assert!(
        checked >= 3,
        "expected at least three golden inputs, found {checked}"
    );
}

/// Prints the expansion of the one-function file named by `AUTODIFF_EXPAND`, for looking at
/// generated code while working on the macro:
/// `AUTODIFF_EXPAND=f.rs cargo test -p autodiff-macros expand_one -- --nocapture`.
#[test]
fn expand_one() {
    if let Some(path) = std::env::var_os("AUTODIFF_EXPAND") {
        let source = std::fs::read_to_string(path).expect("readable input");
        println!("{}", expand_file(&source));
    }
}
