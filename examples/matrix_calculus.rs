//! The matrix calculus of the classic autograd chapter, with nalgebra.
//!
//! Each identity is a plain Rust function over `DVector`/`DMatrix`, marked
//! `#[differentiate]`; its gradient is generated at compile time and comes back as a value
//! of the parameter's own type. For each, this prints the generated gradient next to the
//! one derived by hand and checks both against central finite differences; it exits with
//! status 1 if any disagree.
//!
//! ```text
//! cargo run --release --example matrix_calculus
//! ```

use autodiff::nalgebra::{DMatrix, DVector, RowDVector};
use autodiff::prelude::*;
use autodiff::testing::gradient;

/// y = 2xᵀx: ∇ = 4x.
#[differentiate]
fn two_xtx(x: &DVector<f64>) -> f64 {
    2.0 * x.dot(x)
}

/// y = Ax, a vector: the vector-Jacobian product with v is Aᵀv, the Jacobian is A.
#[differentiate(wrt(x))]
fn a_x(a: &DMatrix<f64>, x: &DVector<f64>) -> DVector<f64> {
    a * x
}

/// y = xᵀA, a row vector: ∇ₓ (in the chapter's layout) is A, the transpose of its Jacobian.
#[differentiate(wrt(x))]
fn xt_a(x: &DVector<f64>, a: &DMatrix<f64>) -> RowDVector<f64> {
    x.transpose() * a
}

/// y = xᵀAx: ∇ₓ = (A + Aᵀ)x.
#[differentiate(wrt(x))]
fn xt_a_x(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    (x.transpose() * a * x)[(0, 0)]
}

/// y = ‖x‖²: ∇ = 2x.
#[differentiate]
fn norm_squared(x: &DVector<f64>) -> f64 {
    x.norm().powi(2)
}

/// y = ‖X‖²_F: ∇ = 2X.
#[differentiate]
fn frobenius_squared(m: &DMatrix<f64>) -> f64 {
    m.norm_squared()
}

/// y = ⟨Ax, sin x⟩: by the product rule ∇ = Aᵀ sin x + cos x ∘ Ax.
#[differentiate(wrt(x))]
fn product_rule(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    let f = a * x;
    let g = x.map(|v| v.sin());
    f.dot(&g)
}

/// The chapter's control flow with a vector: c = k·a for a k chosen by the loop and the
/// branch, so ∇ Σc = k·1.
#[differentiate]
fn control_flow(a: &DVector<f64>) -> f64 {
    let mut b = a * 2.0;
    while b.norm() < 1000.0 {
        b = &b * 2.0;
    }
    let c = if b.sum() > 0.0 { b } else { 100.0 * b };
    c.sum()
}

/// y = ‖Ax − b‖²: ∇ₓ = 2Aᵀ(Ax − b).
#[differentiate(wrt(x))]
fn least_squares(a: &DMatrix<f64>, x: &DVector<f64>, b: &DVector<f64>) -> f64 {
    (a * x - b).norm_squared()
}

/// A two-layer perceptron's softmax cross-entropy, −log softmax(W₂ tanh(W₁x) )[label],
/// differentiated with respect to both weight matrices.
#[differentiate(wrt(w1, w2))]
fn perceptron(w1: &DMatrix<f64>, w2: &DMatrix<f64>, x: &DVector<f64>, label: usize) -> f64 {
    let hidden = (w1 * x).map(|z| z.tanh());
    let logits = w2 * &hidden;
    let shift = stop_gradient(logits.max());
    let total = logits.map(|z| (z - shift).exp()).sum();
    total.ln() + shift - logits[label]
}

/// Backpropagation by hand for [`perceptron`]: (∂W₁, ∂W₂).
fn perceptron_by_hand(
    w1: &DMatrix<f64>,
    w2: &DMatrix<f64>,
    x: &DVector<f64>,
    label: usize,
) -> (DMatrix<f64>, DMatrix<f64>) {
    let hidden = (w1 * x).map(f64::tanh);
    let logits = w2 * &hidden;
    let exps = logits.map(|z| (z - logits.max()).exp());
    let mut d_logits = &exps / exps.sum();
    d_logits[label] -= 1.0;
    let d_hidden = (w2.transpose() * &d_logits).component_mul(&hidden.map(|h| 1.0 - h * h));
    (&d_hidden * x.transpose(), &d_logits * hidden.transpose())
}

fn main() {
    let mut report = Report::default();
    let x = DVector::from_vec(vec![0.0, 1.0, 2.0, 3.0]);
    let a = DMatrix::from_row_slice(
        3,
        4,
        &[1.0, 2.0, 0.0, -1.0, 0.5, 3.0, 1.0, 0.0, 0.0, -2.0, 1.0, 4.0],
    );
    let square = DMatrix::from_row_slice(
        4,
        4,
        &[
            1.0, 2.0, 0.0, -1.0, 0.5, 3.0, 1.0, 0.0, 0.0, -2.0, 1.0, 4.0, 1.0, 0.0, 0.0, 2.0,
        ],
    );
    let vector_at = |v: &[f64]| DVector::from_column_slice(v);

    println!("The chapter's matrix calculus with nalgebra, x = [0, 1, 2, 3]\n");

    report.check(
        "∇ 2xᵀx = 4x",
        &two_xtx_grad(&x),
        &(4.0 * &x),
        gradient(|v| two_xtx(&vector_at(v)), x.as_slice()),
    );

    let ones = DVector::from_element(3, 1.0);
    // Like PyTorch's `x.grad`, the adjoint adds into a shadow of x, which starts at zero.
    let mut x_bar = DVector::zeros(4);
    a_x_adjoint(&a, &x, &mut x_bar, ones.clone());
    let numeric: Vec<f64> = gradient(|v| (&a * vector_at(v)).sum(), x.as_slice());
    report.check(
        "∇ Ax with v = 1: Aᵀ1",
        &x_bar,
        &(a.transpose() * &ones),
        numeric,
    );
    let jacobian = a_x_jacobian(&a, &x);
    report.compare("Jacobian of Ax = A", &jacobian, &a);

    let jacobian = xt_a_jacobian(&x.rows(0, 3).into_owned(), &a);
    report.compare(
        "∇ xᵀA = A (its Jacobian transposed)",
        &jacobian.transpose(),
        &a,
    );

    report.check(
        "∇ xᵀAx = (A + Aᵀ)x",
        &xt_a_x_grad(&x, &square),
        &((&square + square.transpose()) * &x),
        gradient(|v| xt_a_x(&vector_at(v), &square), x.as_slice()),
    );

    report.check(
        "∇ ‖x‖² = 2x",
        &norm_squared_grad(&x),
        &(2.0 * &x),
        gradient(|v| norm_squared(&vector_at(v)), x.as_slice()),
    );

    report.check(
        "∇ ‖X‖²_F = 2X (X = A)",
        &frobenius_squared_grad(&a),
        &(2.0 * &a),
        gradient(
            |v| frobenius_squared(&DMatrix::from_column_slice(3, 4, v)),
            a.as_slice(),
        ),
    );

    let by_hand =
        square.transpose() * x.map(f64::sin) + x.map(f64::cos).component_mul(&(&square * &x));
    report.check(
        "∇ ⟨Ax, sin x⟩ = Aᵀ sin x + cos x ∘ Ax",
        &product_rule_grad(&x, &square),
        &by_hand,
        gradient(|v| product_rule(&vector_at(v), &square), x.as_slice()),
    );

    for at in [x.clone(), DVector::from_vec(vec![-0.3, 0.1, -0.2, 0.05])] {
        let (value, grad) = control_flow_value_and_grad(&at);
        let k = value / at.sum();
        report.check(
            "∇ Σ f(a) = k·1 (control flow)",
            &grad,
            &DVector::from_element(4, k),
            gradient(|v| control_flow(&vector_at(v)), at.as_slice()),
        );
    }

    let b = DVector::from_vec(vec![1.0, -1.0, 0.5]);
    report.check(
        "∇ ‖Ax − b‖² = 2Aᵀ(Ax − b)",
        &least_squares_grad(&a, &x, &b),
        &(2.0 * a.transpose() * (&a * &x - &b)),
        gradient(|v| least_squares(&a, &vector_at(v), &b), x.as_slice()),
    );

    let w1 = DMatrix::from_fn(5, 4, |i, j| ((i * 4 + j) as f64 * 0.7).sin() * 0.5);
    let w2 = DMatrix::from_fn(3, 5, |i, j| ((i * 5 + j) as f64 * 1.3).cos() * 0.5);
    let (g1, g2) = perceptron_grad(&w1, &w2, &x, 2);
    let (h1, h2) = perceptron_by_hand(&w1, &w2, &x, 2);
    let numeric = gradient(
        |v| perceptron(&DMatrix::from_column_slice(5, 4, v), &w2, &x, 2),
        w1.as_slice(),
    );
    report.check("perceptron ∂W₁ = backpropagation", &g1, &h1, numeric);
    let numeric = gradient(
        |v| perceptron(&w1, &DMatrix::from_column_slice(3, 5, v), &x, 2),
        w2.as_slice(),
    );
    report.check("perceptron ∂W₂ = backpropagation", &g2, &h2, numeric);

    report.finish();
}

/// Prints each comparison and counts the disagreements.
#[derive(Default)]
struct Report {
    checks: usize,
    failures: usize,
}

impl Report {
    /// The generated gradient against the hand-derived one and against finite differences.
    fn check<R: nalgebra_shape::Shape>(
        &mut self,
        name: &str,
        generated: &R,
        by_hand: &R,
        finite_differences: Vec<f64>,
    ) {
        let hand_ok = close(generated.entries(), by_hand.entries(), 1e-12);
        let fd_ok = close(generated.entries(), &finite_differences, 1e-6);
        self.record(name, hand_ok && fd_ok);
        println!("    generated           {}", show(generated.entries()));
        println!("    by hand             {}", show(by_hand.entries()));
        println!("    finite differences  {}", show(&finite_differences));
    }

    /// A generated matrix against the hand-derived one.
    fn compare(&mut self, name: &str, generated: &DMatrix<f64>, by_hand: &DMatrix<f64>) {
        let agree = generated.shape() == by_hand.shape()
            && close(generated.as_slice(), by_hand.as_slice(), 1e-12);
        self.record(name, agree);
        println!("    generated {generated:.3}    by hand {by_hand:.3}");
    }

    fn record(&mut self, name: &str, agree: bool) {
        self.checks += 1;
        if !agree {
            self.failures += 1;
        }
        println!("{name}: {}", if agree { "agree" } else { "DISAGREE" });
    }

    fn finish(self) {
        if self.failures == 0 {
            println!("\nAll {} identities agree.", self.checks);
        } else {
            println!(
                "\n{} of {} identities disagree.",
                self.failures, self.checks
            );
            std::process::exit(1);
        }
    }
}

/// Vectors and matrices seen as their entries (column-major), for printing and comparing.
mod nalgebra_shape {
    use autodiff::nalgebra::{DMatrix, DVector};

    pub trait Shape {
        fn entries(&self) -> &[f64];
    }

    impl Shape for DVector<f64> {
        fn entries(&self) -> &[f64] {
            self.as_slice()
        }
    }

    impl Shape for DMatrix<f64> {
        fn entries(&self) -> &[f64] {
            self.as_slice()
        }
    }
}

fn close(a: &[f64], b: &[f64], tolerance: f64) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| (x - y).abs() <= tolerance * 1.0_f64.max(x.abs()).max(y.abs()))
}

fn show(values: &[f64]) -> String {
    let shown: Vec<String> = values.iter().map(|v| format!("{v:.6}")).collect();
    format!("[{}]", shown.join(", "))
}
