//! nalgebra workloads: the quadratic form `xᵀAx` and a two-layer perceptron's softmax
//! cross-entropy, at n = 10, 100 and 1000. Each is timed as the primal, the generated
//! gradient and a gradient written by hand with the same nalgebra kernels.

mod common;

use std::hint::black_box;

use autodiff::nalgebra::{DMatrix, DVector};
use autodiff::prelude::*;
use criterion::{criterion_group, criterion_main, Criterion};

const SIZES: [usize; 3] = [10, 100, 1000];
/// The perceptron's number of classes.
const CLASSES: usize = 10;

/// `xᵀAx`, differentiated with respect to `x` only.
#[differentiate(wrt(x))]
fn quadratic_form(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    let ax = a * x;
    x.dot(&ax)
}

/// `(A + Aᵀ)x` by hand, as two matrix-vector products.
fn quadratic_form_by_hand(x: &DVector<f64>, a: &DMatrix<f64>) -> (f64, DVector<f64>) {
    let ax = a * x;
    let value = x.dot(&ax);
    (value, ax + a.tr_mul(x))
}

/// `−log softmax(W₂ tanh(W₁x + b₁) + b₂)[label]`.
#[differentiate(wrt(w1, b1, w2, b2))]
fn perceptron(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DMatrix<f64>,
    b2: &DVector<f64>,
    x: &DVector<f64>,
    label: usize,
) -> f64 {
    let hidden = (w1 * x + b1).map(|z| z.tanh());
    let logits = w2 * &hidden + b2;
    let shift = stop_gradient(logits.max());
    let total = logits.map(|z| (z - shift).exp()).sum();
    total.ln() + shift - logits[label]
}

type Gradients = (DMatrix<f64>, DVector<f64>, DMatrix<f64>, DVector<f64>);

/// Backpropagation by hand.
fn perceptron_by_hand(
    w1: &DMatrix<f64>,
    b1: &DVector<f64>,
    w2: &DMatrix<f64>,
    b2: &DVector<f64>,
    x: &DVector<f64>,
    label: usize,
) -> (f64, Gradients) {
    let hidden = (w1 * x + b1).map(f64::tanh);
    let logits = w2 * &hidden + b2;
    let shift = logits.max();
    let exps = logits.map(|z| (z - shift).exp());
    let total = exps.sum();
    let value = total.ln() + shift - logits[label];
    let mut d_logits = exps / total;
    d_logits[label] -= 1.0;
    let d_pre = w2
        .tr_mul(&d_logits)
        .zip_map(&hidden, |d, h| d * (1.0 - h * h));
    let gradients = (
        &d_pre * x.transpose(),
        d_pre,
        &d_logits * hidden.transpose(),
        d_logits,
    );
    (value, gradients)
}

fn value(i: usize, scale: f64) -> f64 {
    (0.37 * i as f64 + 0.1).sin() * scale
}

fn bench(c: &mut Criterion) {
    for &n in &SIZES {
        let x = DVector::from_fn(n, |i, _| value(i, 1.0));
        let a = DMatrix::from_fn(n, n, |i, j| value(i * n + j, 1.0 / n as f64));
        let (_, hand) = quadratic_form_by_hand(&x, &a);
        common::assert_agree(
            "quadratic_form_grad",
            quadratic_form_grad(&x, &a).as_slice(),
            hand.as_slice(),
            1e-12,
        );
        let mut group = c.benchmark_group(format!("quadratic_form/n={n}"));
        group.bench_function("primal", |b| {
            b.iter(|| quadratic_form(black_box(&x), black_box(&a)))
        });
        group.bench_function("generated_grad", |b| {
            b.iter(|| quadratic_form_grad(black_box(&x), black_box(&a)))
        });
        group.bench_function("hand", |b| {
            b.iter(|| quadratic_form_by_hand(black_box(&x), black_box(&a)))
        });
        group.finish();

        let w1 = DMatrix::from_fn(n, n, |i, j| value(i * n + j, 1.0 / (n as f64).sqrt()));
        let b1 = DVector::from_fn(n, |i, _| value(i + 7, 0.1));
        let w2 = DMatrix::from_fn(CLASSES, n, |i, j| {
            value(i * n + j + 3, 1.0 / (n as f64).sqrt())
        });
        let b2 = DVector::from_fn(CLASSES, |i, _| value(i + 11, 0.1));
        let label = 3;
        let generated = perceptron_grad(&w1, &b1, &w2, &b2, &x, label);
        let (_, hand) = perceptron_by_hand(&w1, &b1, &w2, &b2, &x, label);
        common::assert_agree("∂W₁", generated.0.as_slice(), hand.0.as_slice(), 1e-12);
        common::assert_agree("∂b₁", generated.1.as_slice(), hand.1.as_slice(), 1e-12);
        common::assert_agree("∂W₂", generated.2.as_slice(), hand.2.as_slice(), 1e-12);
        common::assert_agree("∂b₂", generated.3.as_slice(), hand.3.as_slice(), 1e-12);
        let mut group = c.benchmark_group(format!("perceptron/n={n}"));
        group.bench_function("primal", |b| {
            b.iter(|| perceptron(&w1, &b1, &w2, &b2, black_box(&x), label))
        });
        group.bench_function("generated_grad", |b| {
            b.iter(|| perceptron_grad(&w1, &b1, &w2, &b2, black_box(&x), label))
        });
        group.bench_function("hand", |b| {
            b.iter(|| perceptron_by_hand(&w1, &b1, &w2, &b2, black_box(&x), label))
        });
        group.finish();
    }
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = bench
}
criterion_main!(benches);
