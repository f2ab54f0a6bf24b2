//! Rosenbrock's function over a slice, `Σᵢ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²`, at n = 2, 100,
//! 10 000 and 1 000 000: the primal, the generated `rosenbrock_grad` (which returns a fresh
//! `Vec`) and `rosenbrock_adjoint` (into a reused shadow, zeroed before every call), a fused
//! gradient written by hand, forward mode with num-dual's `Dual64` (one pass per input), and
//! central finite differences. `hand_two_sweep` is a diagnostic: the generated adjoint's
//! structure (a forward loop, then a reverse loop recomputing `a` and `b`) written by hand with
//! plain `f64` adjoints, to separate the cost of that structure from the cost of the code
//! inside it. `adjoint_store_zeroed` (n ≤ 100) is another: the generated adjoint with its
//! shadow zeroed without `memset`.

#![allow(clippy::needless_range_loop)]

mod common;

use std::hint::black_box;

use autodiff::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion};
use num_dual::{Dual64, DualNum};

const SIZES: [usize; 4] = [2, 100, 10_000, 1_000_000];
/// num-dual needs n passes of O(n) each: quadratic in n.
const DUAL_MAX: usize = 10_000;
/// Central differences need 2n evaluations of O(n) each.
const FD_MAX: usize = 100;

/// The function as a user writes it.
#[differentiate]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// Value and gradient in one loop, written by hand: every entry of `g` is written exactly
/// once (no zeroing pass), the `xᵢ₊₁` part of term `i` carried to the next iteration.
fn rosenbrock_fused(x: &[f64], g: &mut [f64]) -> f64 {
    let n = x.len();
    assert_eq!(g.len(), n);
    let mut s = 0.0;
    let mut carry = 0.0; // ∂(term i−1)/∂xᵢ
    for i in 0..n - 1 {
        let xi = x[i];
        let a = x[i + 1] - xi * xi;
        let b = 1.0 - xi;
        s += 100.0 * a * a + b * b;
        g[i] = carry - 400.0 * a * xi - 2.0 * b;
        carry = 200.0 * a;
    }
    g[n - 1] = carry;
    s
}

/// The generated adjoint's two sweeps, by hand: the primal loop, then a reverse loop that
/// recomputes what it needs and adds into `x_bar` (which the caller zeroes), with plain `f64`
/// adjoints instead of `Option`s.
fn rosenbrock_two_sweep(x: &[f64], x_bar: &mut [f64], d_out: f64) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    // No `assert_eq!(x_bar.len(), n)` up front, on purpose: with the bounds checks gone LLVM
    // merges the two updates below into one 16-byte load and store of x_bar[i..i + 2], which
    // the next iteration's load overlaps by half. Store-to-load forwarding fails on such a
    // partial overlap and the loop runs about five times slower (see BENCHMARKS.md). The
    // generated code updates x_bar[i] first, so a bounds check for x_bar[i + 1] stands
    // between the two and they stay apart. Updating x_bar[i + 1] first would merge them again:
    // its check then covers x_bar[i] too.
    for i in (0..n - 1).rev() {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        let a_bar = 200.0 * a * d_out;
        let b_bar = 2.0 * b * d_out;
        x_bar[i] += -b_bar - 2.0 * x[i] * a_bar;
        x_bar[i + 1] += a_bar;
    }
    s
}

/// The same function, generic over num-dual's number types.
fn rosenbrock_generic<T: DualNum<Primitive = f64> + Copy>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = T::one() - x[i];
        s += a * a * 100.0 + b * b;
    }
    s
}

/// Forward mode: n passes, each seeding one input's derivative part. `work` is reused.
fn rosenbrock_num_dual(x: &[f64], work: &mut Vec<Dual64>, g: &mut [f64]) -> f64 {
    work.clear();
    work.extend(x.iter().map(|&v| Dual64::from_re(v)));
    let mut value = 0.0;
    for j in 0..x.len() {
        work[j].eps = 1.0;
        let r = rosenbrock_generic(work);
        work[j].eps = 0.0;
        g[j] = r.eps;
        value = r.re;
    }
    value
}

/// Central differences with step `1e-6 · max(1, |xⱼ|)`, perturbing a reused copy of x.
fn rosenbrock_fd(x: &[f64], work: &mut [f64], g: &mut [f64]) -> f64 {
    work.copy_from_slice(x);
    for j in 0..x.len() {
        let h = 1e-6 * x[j].abs().max(1.0);
        work[j] = x[j] + h;
        let up = rosenbrock(work);
        work[j] = x[j] - h;
        let down = rosenbrock(work);
        work[j] = x[j];
        g[j] = (up - down) / (2.0 * h);
    }
    rosenbrock(x)
}

fn input(n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| 1.2 * (0.37 * i as f64 + 0.1).sin())
        .collect()
}

/// Every variant must compute the same gradient before any is timed.
fn check(x: &[f64]) {
    let n = x.len();
    let mut hand = vec![0.0; n];
    let value = rosenbrock_fused(x, &mut hand);
    assert!((value - rosenbrock(x)).abs() <= 1e-12 * value.abs());
    common::assert_agree("rosenbrock_grad", &rosenbrock_grad(x), &hand, 1e-13);
    let mut x_bar = vec![0.0; n];
    let (v, ()) = rosenbrock_adjoint(x, &mut x_bar, 1.0);
    assert_eq!(v, rosenbrock(x));
    common::assert_agree("rosenbrock_adjoint", &x_bar, &hand, 1e-13);
    x_bar.fill(0.0);
    rosenbrock_two_sweep(x, &mut x_bar, 1.0);
    common::assert_agree("two sweeps by hand", &x_bar, &hand, 1e-13);
    if n <= 100 {
        let mut g = vec![0.0; n];
        rosenbrock_num_dual(x, &mut Vec::new(), &mut g);
        common::assert_agree("num-dual", &g, &hand, 1e-13);
        rosenbrock_fd(x, &mut vec![0.0; n], &mut g);
        common::assert_agree("finite differences", &g, &hand, 1e-6);
    }
}

fn bench(c: &mut Criterion) {
    for &n in &SIZES {
        let x = input(n);
        check(&x);
        let mut group = c.benchmark_group(format!("rosenbrock/n={n}"));
        if n >= 1_000_000 {
            common::slow(&mut group);
        }
        group.bench_function("primal", |b| b.iter(|| rosenbrock(black_box(&x))));
        group.bench_function("generated_grad", |b| {
            b.iter(|| rosenbrock_grad(black_box(&x)))
        });
        let mut x_bar = vec![0.0; n];
        group.bench_function("generated_adjoint", |b| {
            b.iter(|| {
                x_bar.fill(0.0);
                rosenbrock_adjoint(black_box(&x), black_box(&mut x_bar), 1.0).0
            })
        });
        if n <= FD_MAX {
            // A diagnostic: the same call with the shadow zeroed by plain stores. For fewer
            // than 64 bytes glibc's AVX-512 `memset` (behind `fill`) writes with one masked
            // store, which this Zen 4 cannot forward to a later load, so the adjoint's first
            // read of `x_bar` waits for the store to reach the cache: at n = 2 most of the
            // difference between `generated_adjoint` and the primal.
            group.bench_function("adjoint_store_zeroed", |b| {
                b.iter(|| {
                    x_bar.iter_mut().for_each(|v| *v = black_box(0.0));
                    rosenbrock_adjoint(black_box(&x), black_box(&mut x_bar), 1.0).0
                })
            });
        }
        group.bench_function("hand_two_sweep", |b| {
            b.iter(|| {
                x_bar.fill(0.0);
                rosenbrock_two_sweep(black_box(&x), black_box(&mut x_bar), 1.0)
            })
        });
        let mut g = vec![0.0; n];
        group.bench_function("hand_fused", |b| {
            b.iter(|| rosenbrock_fused(black_box(&x), black_box(&mut g)))
        });
        if n <= DUAL_MAX {
            let mut work = Vec::with_capacity(n);
            // n passes over n inputs: at n = 10 000 one gradient takes a good part of a
            // second, so a handful of iterations is all the time allows.
            if n > FD_MAX {
                group
                    .sample_size(10)
                    .sampling_mode(criterion::SamplingMode::Flat);
            }
            group.bench_function("num_dual", |b| {
                b.iter(|| rosenbrock_num_dual(black_box(&x), &mut work, &mut g))
            });
        }
        if n <= FD_MAX {
            let mut work = vec![0.0; n];
            group.bench_function("finite_differences", |b| {
                b.iter(|| rosenbrock_fd(black_box(&x), &mut work, &mut g))
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
