//! The seeds' control-flow example: `b = 2a; while |b| < 1000 { b = 2b }; c = b if b > 0
//! else 100 b`. The smaller |a|, the more the loop runs (about 1005 times at a = 1e-300,
//! never at a = 1500). The generated code records only the trip count and the branch.
//! `generated_tangent` is the generated forward mode, `f_tangent(a, 1.0)`: with one input it
//! gives the same derivative in one pass.

// The body is the seeds' code as written.
#![allow(clippy::assign_op_pattern, clippy::let_and_return)]

mod common;

use std::hint::black_box;

use autodiff::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion};

#[differentiate]
fn f(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b = b * 2.0;
    }
    let c = if b > 0.0 { b } else { 100.0 * b };
    c
}

/// Value and derivative by hand: f(a) = k a, so f'(a) = k = f(a) / a, found by the same
/// loop (the doublings are exact in floating point).
fn f_hand(a: f64) -> (f64, f64) {
    let mut b = a * 2.0;
    let mut k = 2.0;
    while b.abs() < 1000.0 {
        b *= 2.0;
        k *= 2.0;
    }
    if b > 0.0 {
        (b, k)
    } else {
        (100.0 * b, 100.0 * k)
    }
}

const POINTS: [f64; 6] = [1500.0, -2.4, 0.3, 1e-3, 1e-100, 1e-300];

fn trips(a: f64) -> u32 {
    let mut b = a * 2.0;
    let mut t = 0;
    while b.abs() < 1000.0 {
        b *= 2.0;
        t += 1;
    }
    t
}

fn bench(c: &mut Criterion) {
    for &a in &POINTS {
        let (value, slope) = f_hand(a);
        assert_eq!(f_value_and_grad(a), (value, slope), "f at {a}");
        assert_eq!(f_tangent(a, 1.0), (value, slope), "f_tangent at {a}");
        let mut group = c.benchmark_group(format!("control_flow/a={a:e}"));
        eprintln!("a = {a:e}: {} trips", trips(a));
        group.bench_function("primal", |b| b.iter(|| f(black_box(a))));
        group.bench_function("generated_grad", |b| b.iter(|| f_grad(black_box(a))));
        group.bench_function("generated_adjoint", |b| {
            b.iter(|| f_adjoint(black_box(a), black_box(1.0)))
        });
        group.bench_function("generated_tangent", |b| {
            b.iter(|| f_tangent(black_box(a), black_box(1.0)))
        });
        group.bench_function("hand", |b| b.iter(|| f_hand(black_box(a))));
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
