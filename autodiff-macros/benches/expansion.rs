//! Expansion time of `#[differentiate]`: `expand::expand` on `proc_macro2` tokens, for every
//! function carrying the attribute in `examples/gmm.rs` (the GMM objective and its helpers)
//! and in the Rosenbrock, nalgebra and Lotka–Volterra benches of the `autodiff` package.
//!
//! Run with `cargo bench -p autodiff-macros --bench expansion`; results in BENCHMARKS.md.
//!
//! A proc-macro crate exports nothing but its attributes, so a bench target cannot call
//! `expand::expand` through the library. Instead this file compiles the macro's module tree a
//! second time, from the same sources: every module of `src/` is declared in `pipeline`, an
//! inline module whose `#[path]` points at `src/`, and imported at this file's root under its
//! own name, so the `crate::` paths inside them resolve as they do against `src/lib.rs`. (A
//! `#[path]` on each module would not do: a file loaded that way looks for its submodules
//! beside itself, so `lower.rs` would look for `src/buffers.rs`, not `src/lower/buffers.rs`.)
//! The list follows `src/lib.rs`; a module added there and left out here is a compile error
//! in this bench, which `cargo clippy --all-targets` builds. Only `src/lib.rs` touches
//! `proc_macro` (the compiler's token type, which exists only inside a macro invocation), and
//! it is not included. Outside the compiler `proc_macro2` runs on its own implementation of
//! tokens, so what is timed is the expansion itself, without the compiler's token bridge.
//!
//! The inputs are read from the files that the other benches compile, so they stay in sync:
//! each file is parsed with `syn`, and every function with a `#[differentiate]` attribute is
//! split into the attribute's arguments and the rest of the item, as the compiler does before
//! calling the macro. Each is expanded with its own options (`default`: no mode named, so the
//! reverse and forward modes and, where possible, the second order) and with `reverse` added
//! (`reverse`: the reverse mode only).

#[path = "../src"]
mod pipeline {
    pub mod activity;
    pub mod args;
    pub mod bulk;
    pub mod carry;
    pub mod check;
    pub mod exits;
    pub mod expand;
    pub mod forward;
    pub mod fusion;
    pub mod held;
    pub mod increments;
    pub mod ir;
    pub mod jacobian;
    pub mod lower;
    pub mod names;
    pub mod nested;
    pub mod params;
    pub mod reads;
    pub mod recompute;
    pub mod replay;
    pub mod reverse;
    pub mod second_order;
    pub mod split;
    pub mod tangent;
    pub mod values;
    pub mod wide;
    pub mod wrappers;
}
use pipeline::{
    activity, args, bulk, carry, check, exits, expand, forward, fusion, held, increments, ir,
    jacobian, lower, names, nested, params, reads, recompute, replay, reverse, second_order, split,
    tangent, values, wide, wrappers,
};

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, SamplingMode};
use proc_macro2::{TokenStream, TokenTree};
use quote::quote;

/// The source files, by the name used in the benchmark ids.
const SOURCES: [(&str, &str); 4] = [
    ("gmm", include_str!("../../examples/gmm.rs")),
    ("rosenbrock", include_str!("../../benches/rosenbrock.rs")),
    ("nalgebra", include_str!("../../benches/nalgebra.rs")),
    ("recurrence", include_str!("../../benches/recurrence.rs")),
];

/// One macro call: the attribute's arguments and the item without the attribute.
struct Input {
    id: String,
    args: TokenStream,
    item: TokenStream,
}

/// Every `#[differentiate]` function of `source`, inline modules included, with its own
/// arguments (`default`) and with `reverse` added to them (`reverse`).
fn inputs(file: &str, source: &str) -> Vec<Input> {
    let parsed: syn::File = syn::parse_str(source).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut functions = Vec::new();
    collect(&parsed.items, &mut functions);
    assert!(
        !functions.is_empty(),
        "{file}: no #[differentiate] function"
    );
    let mut inputs = Vec::new();
    for (args, item) in functions {
        let name = item.sig.ident.to_string();
        let reverse = if args.is_empty() {
            quote!(reverse)
        } else {
            quote!(#args, reverse)
        };
        for (options, args) in [("default", args), ("reverse", reverse)] {
            inputs.push(Input {
                id: format!("{file}/{name}/{options}"),
                args,
                item: quote!(#item),
            });
        }
    }
    inputs
}

fn collect(items: &[syn::Item], out: &mut Vec<(TokenStream, syn::ItemFn)>) {
    for item in items {
        match item {
            syn::Item::Fn(function) => {
                let mut function = function.clone();
                let Some(position) = function.attrs.iter().position(|a| {
                    a.path()
                        .segments
                        .last()
                        .is_some_and(|s| s.ident == "differentiate")
                }) else {
                    continue;
                };
                let args = match function.attrs.remove(position).meta {
                    syn::Meta::List(list) => list.tokens,
                    _ => TokenStream::new(),
                };
                out.push((args, function));
            }
            syn::Item::Mod(syn::ItemMod {
                content: Some((_, items)),
                ..
            }) => collect(items, out),
            _ => {}
        }
    }
}

/// Whether `tokens` call `compile_error!` anywhere, groups included.
fn has_compile_error(tokens: TokenStream) -> bool {
    tokens.into_iter().any(|tree| match tree {
        TokenTree::Ident(ident) => ident == "compile_error",
        TokenTree::Group(group) => has_compile_error(group.stream()),
        _ => false,
    })
}

fn expansion(c: &mut Criterion) {
    let mut group = c.benchmark_group("expansion");
    // Every expansion takes a millisecond or so, up to 7 ms: flat sampling (the same number
    // of iterations in every sample) fits 20 samples into the second for the largest ones.
    group.sampling_mode(SamplingMode::Flat);
    for (file, source) in SOURCES {
        for input in inputs(file, source) {
            // Never time an error path: the expansion must be free of errors and parse.
            let expanded = expand::expand(input.args.clone(), input.item.clone());
            assert!(
                !has_compile_error(expanded.clone()),
                "{}: the expansion reports an error:\n{expanded}",
                input.id
            );
            syn::parse2::<syn::File>(expanded)
                .unwrap_or_else(|e| panic!("{}: the expansion does not parse: {e}", input.id));
            group.bench_function(&input.id, |b| {
                b.iter_batched(
                    || (input.args.clone(), input.item.clone()),
                    |(args, item)| expand::expand(args, item),
                    BatchSize::SmallInput,
                )
            });
        }
    }
    group.finish();
}

/// As in the `autodiff` package's benches (`benches/common/mod.rs`): a short warm-up and
/// measurement, so the whole run takes well under a minute on a 2-core machine.
fn config() -> Criterion {
    Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20)
        .noise_threshold(0.05)
}

criterion_group! {
    name = benches;
    config = config();
    targets = expansion
}
criterion_main!(benches);
