//! The `#[differentiate]` attribute of [`autodiff`](https://docs.rs/autodiff).
//!
//! A small compiler with one file per stage: `args` (options) → `check` (what is accepted)
//! → `lower` (our IR, `ir`) → `exits` (break/continue/return as codes) → `activity` (what
//! carries derivatives, what the reverse sweep needs; with `reads`, `recompute`, `fusion`
//! and `replay` deciding what is recorded, computed again, or reversed in place) → `values`
//! (which operands are plain scalars and which are matrices, taken by reference) →
//! `forward` and `reverse` (the two sweeps; `held` keeps shadow elements in locals across a
//! loop's reverse, `increments` leaves an incremented element's shadow in place) → `expand`
//! (the generated functions; `wide` for `f_tangents`). Use it through the `autodiff` crate,
//! whose documentation has the examples.

mod activity;
mod args;
mod bulk;
mod carry;
mod check;
mod exits;
mod expand;
mod forward;
mod fusion;
mod held;
mod increments;
mod ir;
mod jacobian;
mod lower;
mod names;
mod nested;
mod params;
mod reads;
mod recompute;
mod replay;
mod reverse;
mod second_order;
mod split;
mod tangent;
mod values;
mod wide;
mod wrappers;

use proc_macro::TokenStream;

/// Generates the reverse-mode derivatives of a function; see the `autodiff` crate.
#[proc_macro_attribute]
pub fn differentiate(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::expand(args.into(), item.into()).into()
}

#[cfg(test)]
mod golden;
