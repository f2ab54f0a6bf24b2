//! A [GradBench](https://github.com/gradbench/gradbench) tool backed by `autodiff`.
//!
//! Each module's objective is plain Rust annotated with `#[differentiate]`; the gradients
//! GradBench asks for come only from the functions the attribute generates.

pub mod modules;
pub mod protocol;
