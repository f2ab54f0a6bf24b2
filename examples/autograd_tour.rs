//! A tour of `autodiff` through the examples of a classic autograd chapter.
//!
//! The chapter differentiates small functions with PyTorch, MXNet and TensorFlow: it builds
//! a graph at run time, calls `backward()`, and reads `x.grad`. Here the same functions are
//! ordinary Rust functions marked `#[differentiate]`, over `f64`s and over slices of them;
//! their derivatives are generated at compile time as more Rust functions. For each example
//! the tour prints the generated gradient next to the one derived by hand (a
//! vector-Jacobian product next to vᵀJ built from the Jacobian), and exits with status 1 if
//! any pair disagrees.
//!
//! Run it with
//!
//! ```text
//! cargo run --release --example autograd_tour
//! ```

use std::f64::consts::PI;

use autodiff::nalgebra::{DMatrix, DVector};
use autodiff::prelude::*;
use autodiff::Tangents;

// ---- Scalars --------------------------------------------------------------------------------
//
// For every `#[differentiate] fn f(..) -> f64`, the attribute keeps `f` and adds `f_grad`,
// `f_value_and_grad` and `f_adjoint`.

/// y = x², the chapter's first derivative: dy/dx = 2x.
#[differentiate]
fn square(x: f64) -> f64 {
    x * x
}

/// f(x, y) = x² + y²: ∇f = (2x, 2y).
#[differentiate]
fn square_sum(x: f64, y: f64) -> f64 {
    x * x + y * y
}

// ---- Vectors --------------------------------------------------------------------------------
//
// The chapter's tensor x = torch.arange(4.0) is a slice `&[f64]` here. For
// `#[differentiate] fn f(x: &[f64]) -> f64`:
//
// - `f_grad(&x)` returns the gradient, a `Vec<f64>` shaped like x;
// - `f_adjoint(&x, &mut x_grad, d_out)` returns `(f(x), ())` and ADDS d_out × the gradient
//   into `x_grad`, the "shadow" of x: it plays the part of PyTorch's `x.grad`, and like it
//   keeps accumulating until you zero it.
//
// For a function returning a vector, `g(x: &[f64]) -> Vec<f64>`, there is no single gradient:
// `g_jacobian(&x)` returns the whole Jacobian, and `g_adjoint(&x, &mut x_grad, &v)` adds the
// vector-Jacobian product vᵀJ into `x_grad`: PyTorch's `y.backward(v)`.

/// torch.dot(a, b) = Σᵢ aᵢ bᵢ. (`tangents`: `mat_vec`'s forward mode in many directions calls
/// `dot`'s.)
#[differentiate(tangents)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(ai, bi)| ai * bi).sum()
}

/// y = 2xᵀx = 2 * torch.dot(x, x): ∂y/∂xⱼ = 4xⱼ. x goes into `dot` twice, and its gradient
/// collects both contributions, 2xⱼ each.
#[differentiate]
fn two_x_dot_x(x: &[f64]) -> f64 {
    2.0 * dot(x, x)
}

/// y = x.sum() = Σᵢ xᵢ: every ∂y/∂xⱼ is 1.
#[differentiate]
fn sum(x: &[f64]) -> f64 {
    x.iter().sum()
}

/// y = x * x, elementwise: a vector, whose derivative is a matrix, the Jacobian diag(2x).
#[differentiate]
fn squares(x: &[f64]) -> Vec<f64> {
    let mut y = Vec::with_capacity(x.len());
    for xi in x {
        y.push(xi * xi);
    }
    y
}

/// y = x * x; y.sum(): the chapter's `y.sum().backward()`, with gradient 2x.
#[differentiate]
fn sum_of_squares(x: &[f64]) -> f64 {
    let y: Vec<f64> = x.iter().map(|xi| xi * xi).collect();
    sum(&y)
}

/// y = x * x; z = y * x; z.sum(), that is Σᵢ xᵢ³: gradient 3x².
#[differentiate]
fn sum_of_cubes(x: &[f64]) -> f64 {
    let y: Vec<f64> = x.iter().map(|xi| xi * xi).collect();
    let z: Vec<f64> = y.iter().zip(x).map(|(yi, xi)| yi * xi).collect();
    sum(&z)
}

/// The same z with u = stop_gradient(y), PyTorch's `u = y.detach()`: u has y's values but
/// is a constant to the derivative, so the gradient of z.sum() = Σᵢ uᵢ xᵢ is u.
#[differentiate]
fn sum_detached(x: &[f64]) -> f64 {
    let y: Vec<f64> = x.iter().map(|xi| xi * xi).collect();
    let u: Vec<f64> = stop_gradient(y);
    let z: Vec<f64> = u.iter().zip(x).map(|(ui, xi)| ui * xi).collect();
    sum(&z)
}

/// y = A x for a matrix `a` stored row by row: the Jacobian is A itself. `wrt(x)`
/// differentiates with respect to x only; `a` is passed through. `tangents` adds
/// `mat_vec_tangents`, the forward mode in many directions at once.
#[differentiate(wrt(x), tangents)]
fn mat_vec(a: &[f64], x: &[f64]) -> Vec<f64> {
    let mut y = Vec::new();
    for row in a.chunks(x.len()) {
        y.push(dot(row, x));
    }
    y
}

/// A 3 × 4 matrix for `mat_vec`, row by row.
const A: [f64; 12] = [
    1.0, 2.0, 0.0, -1.0, //
    0.0, 1.0, 3.0, 0.0, //
    2.0, 0.0, 1.0, 1.0,
];

// ---- Control flow and a few more ------------------------------------------------------------

/// The chapter's control-flow example. The loop runs a data-dependent number of times and
/// the branch depends on the sign, yet f is piecewise linear, f(a) = k·a, so f'(a) = f(a)/a.
/// (At a = 0 the loop never ends, in PyTorch as here.) Written as in the chapter, hence the
/// `allow`, which the generated functions inherit.
#[differentiate]
#[allow(clippy::assign_op_pattern, clippy::let_and_return)]
fn f(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b = b * 2.0;
    }
    let c = if b > 0.0 { b } else { 100.0 * b };
    c
}

/// sin x, whose derivative is cos x.
#[differentiate]
fn sine(x: f64) -> f64 {
    x.sin()
}

/// softplus(x) = ln(1 + eˣ), whose derivative is the logistic sigmoid 1 / (1 + e⁻ˣ).
#[differentiate]
fn softplus(x: f64) -> f64 {
    (1.0 + x.exp()).ln()
}

/// The Taylor polynomial of eˣ of degree n, summed by a `for` loop; n is an integer, so it
/// is passed through and carries no derivative. Its derivative is the polynomial of degree
/// n - 1.
#[differentiate]
fn exp_taylor(x: f64, n: usize) -> f64 {
    let mut sum = 1.0;
    let mut term = 1.0;
    for k in 1..=n {
        term *= x / k as f64;
        sum += term;
    }
    sum
}

// ---- Matrices -------------------------------------------------------------------------------
//
// The chapter's vectors and matrices are nalgebra types here, differentiated as written: a
// gradient comes back as a value of the parameter's own type. `examples/matrix_calculus.rs`
// has every identity of the chapter this way.

/// y = 2xᵀx with `x: DVector<f64>`: the gradient is 4x, a `DVector`.
#[differentiate]
fn two_xtx_nalgebra(x: &DVector<f64>) -> f64 {
    2.0 * x.dot(x)
}

/// y = xᵀAx: ∇ₓ = (A + Aᵀ)x.
#[differentiate(wrt(x))]
fn quadratic_form(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    (x.transpose() * a * x)[(0, 0)]
}

/// y = ‖X‖²_F: ∇ = 2X, a `DMatrix`.
#[differentiate]
fn frobenius_squared(m: &DMatrix<f64>) -> f64 {
    m.norm_squared()
}

// ---- The tour -------------------------------------------------------------------------------

fn main() {
    println!("autodiff: the examples of the autograd chapter, differentiated at compile time.");
    println!("Each row compares a generated derivative with one derived by hand.");
    let mut tour = Tour::default();
    let x = [0.0, 1.0, 2.0, 3.0]; // the chapter's x = torch.arange(4.0)
    let times = |k: f64, v: &[f64]| -> Vec<f64> { v.iter().map(|vi| k * vi).collect() };

    tour.section(
        "1. The derivative of x² is 2x",
        &[
            "square(x) = x * x",
            "generated: square_grad(x)    by hand: 2x",
        ],
    );
    tour.header("x", "x²");
    for x in [-1.5, 0.0, 1.0, 3.0] {
        let (value, grad) = square_value_and_grad(x);
        tour.row(&num(x), Some(&[value]), &[grad], &[2.0 * x]);
    }

    tour.section(
        "2. The gradient of x² + y² at (1, 2) is (2, 4)",
        &[
            "square_sum(x, y) = x * x + y * y",
            "generated: square_sum_grad(x, y) -> (∂f/∂x, ∂f/∂y)    by hand: (2x, 2y)",
        ],
    );
    tour.header("(x, y)", "x² + y²");
    for (x, y) in [(1.0, 2.0), (-3.0, 0.5)] {
        let (value, (dx, dy)) = square_sum_value_and_grad(x, y);
        tour.row(
            &nums(&[x, y]),
            Some(&[value]),
            &[dx, dy],
            &[2.0 * x, 2.0 * y],
        );
    }

    tour.section(
        "3. y = 2xᵀx at x = [0, 1, 2, 3]: the gradient is 4x",
        &[
            "two_x_dot_x(x: &[f64]) = 2.0 * dot(x, x)    (PyTorch: y = 2 * torch.dot(x, x))",
            "generated: two_x_dot_x_grad(&x) -> Vec<f64>    by hand: ∂y/∂xⱼ = 4xⱼ",
            "(PyTorch: y.backward(); x.grad == 4 * x)",
        ],
    );
    tour.header("x", "y");
    for at in [x, [0.5, -1.5, 2.0, 0.25]] {
        let (value, grad) = two_x_dot_x_value_and_grad(&at);
        tour.row(&nums(&at), Some(&[value]), &grad, &times(4.0, &at));
    }

    tour.section(
        "4. Another function of x: y = x.sum(), whose gradient is all ones",
        &["sum(x: &[f64]) = x.iter().sum()    by hand: ∂y/∂xⱼ = 1"],
    );
    tour.header("x", "y");
    let (value, grad) = sum_value_and_grad(&x);
    tour.row(&nums(&x), Some(&[value]), &grad, &[1.0; 4]);

    tour.section(
        "5. A vector y = x * x: y.sum().backward() gives 2x",
        &[
            "y = x * x is a vector; PyTorch differentiates the scalar y.sum() instead, which is",
            "y.backward(torch.ones(len(x))). Both spellings here:",
            "sum_of_squares(x) = { let y = x * x (elementwise); sum(&y) }    by hand: 2x",
            "squares(x) -> Vec<f64> = x * x, and squares_adjoint(&x, &mut x_grad, &[1.0; 4])",
        ],
    );
    tour.header("PyTorch", "y.sum()");
    let (value, grad) = sum_of_squares_value_and_grad(&x);
    tour.row("y.sum().backward()", Some(&[value]), &grad, &times(2.0, &x));
    let mut x_grad = [0.0; 4];
    let (y, ()) = squares_adjoint(&x, &mut x_grad, &[1.0; 4]);
    let y_sum: f64 = y.iter().sum();
    tour.row("y.backward(ones)", Some(&[y_sum]), &x_grad, &times(2.0, &x));

    tour.section(
        "6. Detaching: z = u * x with u = stop_gradient(x * x)",
        &[
            "sum_of_cubes(x) = { y = x * x; z = y * x; z.sum() }    by hand: 3x²",
            "sum_detached(x) = { y = x * x; u = stop_gradient(y); z = u * x; z.sum() }",
            "   u has the values of y but no derivative, so by hand: the gradient is u = x²",
            "   (PyTorch: u = y.detach(); z = u * x; z.sum().backward(); x.grad == u)",
            "Detaching u does not change y: y.sum() still has gradient 2x",
            "   (PyTorch: x.grad.zero_(); y.sum().backward(); x.grad == 2 * x)",
        ],
    );
    tour.header("PyTorch", "z.sum()");
    let u: Vec<f64> = x.iter().map(|xi| xi * xi).collect();
    let (value, grad) = sum_of_cubes_value_and_grad(&x);
    let three_x_squared = times(3.0, &u);
    tour.row("z = y * x", Some(&[value]), &grad, &three_x_squared);
    let (value, grad) = sum_detached_value_and_grad(&x);
    tour.row("z = u * x, u = y.detach()", Some(&[value]), &grad, &u);
    let (value, grad) = sum_of_squares_value_and_grad(&x);
    tour.row("y.sum().backward()", Some(&[value]), &grad, &times(2.0, &x));

    tour.section(
        "7. Gradients accumulate until zeroed: y = 2xᵀx, backward() twice",
        &[
            "PyTorch adds every backward() into x.grad until x.grad.zero_(). Here x_grad is",
            "the shadow the adjoint adds into: two_x_dot_x_adjoint(&x, &mut x_grad, 1.0) is",
            "y.backward(), and x_grad.fill(0.0) is x.grad.zero_(). By hand: 4x per backward().",
        ],
    );
    tour.header("PyTorch", "y");
    let mut x_grad = [0.0; 4]; // x.requires_grad_(True): a place for the gradient
    let (value, ()) = two_x_dot_x_adjoint(&x, &mut x_grad, 1.0);
    tour.row("y.backward()", Some(&[value]), &x_grad, &times(4.0, &x));
    let (value, ()) = two_x_dot_x_adjoint(&x, &mut x_grad, 1.0); // no zero_() in between
    tour.row(
        "y.backward(), no zero_()",
        Some(&[value]),
        &x_grad,
        &times(8.0, &x),
    );
    x_grad.fill(0.0); // x.grad.zero_()
    tour.row("x.grad.zero_()", None, &x_grad, &[0.0; 4]);
    let (value, ()) = sum_adjoint(&x, &mut x_grad, 1.0);
    tour.row(
        "y = x.sum(); y.backward()",
        Some(&[value]),
        &x_grad,
        &[1.0; 4],
    );

    tour.section(
        "8. Jacobians, and backward(v) as a vector-Jacobian product",
        &[
            "The derivative of a vector y = g(x) with respect to x is the Jacobian matrix J,",
            "Jᵢⱼ = ∂yᵢ/∂xⱼ: row i is the gradient of yᵢ. g_jacobian(&x) returns it, row by row.",
            "squares(x) = x * x: by hand J = diag(2x).    mat_vec(A, x) = A x: by hand J = A.",
        ],
    );
    tour.header("squares at x", "yᵢ");
    let y = squares(&x);
    let j_squares = squares_jacobian(&x);
    for (i, row) in j_squares.iter().enumerate() {
        let mut by_hand = [0.0; 4];
        by_hand[i] = 2.0 * x[i];
        tour.row(
            &format!("row {i}: ∂y{}/∂x", sub(i)),
            Some(&[y[i]]),
            row,
            &by_hand,
        );
    }
    println!();
    tour.header("mat_vec at x", "yᵢ");
    let y = mat_vec(&A, &x);
    let j_mat_vec = mat_vec_jacobian(&A, &x);
    for (i, row) in j_mat_vec.iter().enumerate() {
        let by_hand = &A[4 * i..4 * (i + 1)];
        tour.row(
            &format!("row {i}: ∂y{}/∂x", sub(i)),
            Some(&[y[i]]),
            row,
            by_hand,
        );
    }

    tour.notes(&[
        "The same Jacobian by columns, from ONE forward pass: mat_vec_tangents carries four",
        "tangents per number (direction j moves xⱼ), so each yᵢ comes out with its whole row.",
    ]);
    tour.header("mat_vec_tangents, 4 directions", "yᵢ");
    let (y, y_dots) = mat_vec_tangents(&A, &x, &Tangents::<f64, 4>::seeds(x.len(), 0));
    for (i, dots) in y_dots.iter().enumerate() {
        tour.row(
            &format!("row {i}: ∂y{}/∂x", sub(i)),
            Some(&[y[i]]),
            &dots.0,
            &A[4 * i..4 * (i + 1)],
        );
    }

    tour.notes(&[
        "y.backward(v) for a vector y computes vᵀJ, the gradient of the scalar v·y, without",
        "forming J: one reverse sweep. That is g_adjoint(&x, &mut x_grad, &v). Below, the",
        "adjoint against vᵀJ from the Jacobians above; v = ones is y.sum().backward(), and for",
        "a scalar y, v is a number and J is the gradient as one row.",
    ]);
    tour.columns("v", "", "y.backward(v)", "vᵀJ");
    for v in [[1.0; 4], [1.0, 0.5, -1.0, 10.0]] {
        let mut x_grad = [0.0; 4];
        squares_adjoint(&x, &mut x_grad, &v);
        let at = format!("squares, {}", nums(&v));
        tour.row(&at, None, &x_grad, &vector_jacobian(&v, &j_squares));
    }
    for v in [[1.0; 3], [1.0, 0.5, -1.0]] {
        let mut x_grad = [0.0; 4];
        mat_vec_adjoint(&A, &x, &mut x_grad, &v);
        let at = format!("mat_vec, {}", nums(&v));
        tour.row(&at, None, &x_grad, &vector_jacobian(&v, &j_mat_vec));
    }
    let v = 0.5;
    let mut x_grad = [0.0; 4];
    two_x_dot_x_adjoint(&x, &mut x_grad, v);
    let j_two_x_dot_x = [two_x_dot_x_grad(&x)];
    let at = format!("2xᵀx, {}", num(v));
    tour.row(&at, None, &x_grad, &vector_jacobian(&[v], &j_two_x_dot_x));

    tour.section(
        "9. Control flow: f(a) loops while |b| < 1000, then branches on the sign",
        &[
            "f(a) = { b = 2a; while |b| < 1000 { b = 2b }; c = if b > 0 { b } else { 100b } }",
            "generated: f_grad(a)    by hand: f(a)/a, as f(a) = k·a, k = 2ⁿ (a > 0) or 100·2ⁿ (a < 0)",
            "(the chapter: d = f(a); d.backward(); a.grad == d / a)",
        ],
    );
    tour.header("a", "f(a)");
    for (a, remark) in [
        (0.3, ""),
        (-2.3988, " (chapter)"),
        (1e-3, ""),
        (-0.7, ""),
        (1500.0, " (loop skipped)"),
    ] {
        let (value, grad) = f_value_and_grad(a);
        let at = format!("{}{remark}", num(a));
        tour.row(&at, Some(&[value]), &[grad], &[f(a) / a]);
    }

    tour.section(
        "10. sin x has derivative cos x",
        &[
            "sine(x) = x.sin()",
            "generated: sine_grad(x)    by hand: cos x",
        ],
    );
    tour.header("x", "sin x");
    for (label, x) in [
        ("-π", -PI),
        ("-π/2", -PI / 2.0),
        ("0", 0.0),
        ("π/6", PI / 6.0),
        ("π/3", PI / 3.0),
        ("π/2", PI / 2.0),
        ("π", PI),
    ] {
        let (value, grad) = sine_value_and_grad(x);
        tour.row(label, Some(&[value]), &[grad], &[x.cos()]);
    }

    tour.section(
        "11. Two more: softplus, and a loop with an integer parameter",
        &[
            "softplus(x) = (1 + x.exp()).ln()    by hand: 1 / (1 + e^-x)",
            "exp_taylor(x, n) = Σ_{k=0..n} x^k / k!, a for loop    by hand: exp_taylor(x, n - 1)",
        ],
    );
    tour.header("at", "value");
    for x in [-20.0, -1.0, 0.0, 2.5] {
        let (value, grad) = softplus_value_and_grad(x);
        let sigmoid = 1.0 / (1.0 + (-x).exp());
        tour.row(
            &format!("softplus at {}", num(x)),
            Some(&[value]),
            &[grad],
            &[sigmoid],
        );
    }
    for (x, n) in [(0.5, 1), (0.5, 6), (-2.0, 12)] {
        let (value, grad) = exp_taylor_value_and_grad(x, n);
        tour.row(
            &format!("exp_taylor({}, {n})", num(x)),
            Some(&[value]),
            &[grad],
            &[exp_taylor(x, n - 1)],
        );
    }

    tour.section(
        "12. The same with nalgebra vectors and matrices",
        &[
            "two_xtx_nalgebra(x: &DVector<f64>) = 2.0 * x.dot(x)    by hand: 4x",
            "quadratic_form(x, a: &DMatrix<f64>) = (xᵀ A x)[(0, 0)]    by hand: (A + Aᵀ)x",
            "frobenius_squared(m: &DMatrix<f64>) = m.norm_squared()    by hand: 2X",
            "(gradients come back as DVector and DMatrix, shown here entry by entry, column-major)",
        ],
    );
    tour.header("at", "value");
    let xv = DVector::from_column_slice(&x);
    let (value, grad) = two_xtx_nalgebra_value_and_grad(&xv);
    tour.row(
        "2xᵀx, x = [0, 1, 2, 3]",
        Some(&[value]),
        grad.as_slice(),
        (4.0 * &xv).as_slice(),
    );
    let a = DMatrix::from_row_slice(
        4,
        4,
        &[
            1.0, 2.0, 0.0, -1.0, 0.5, 3.0, 1.0, 0.0, 0.0, -2.0, 1.0, 4.0, 1.0, 0.0, 0.0, 2.0,
        ],
    );
    let (value, grad) = quadratic_form_value_and_grad(&xv, &a);
    let by_hand = (&a + a.transpose()) * &xv;
    tour.row(
        "xᵀAx, A 4×4",
        Some(&[value]),
        grad.as_slice(),
        by_hand.as_slice(),
    );
    let m = DMatrix::from_row_slice(2, 3, &[1.0, -2.0, 0.5, 3.0, 0.0, -1.0]);
    let (value, grad) = frobenius_squared_value_and_grad(&m);
    tour.row(
        "‖X‖²_F, X 2×3",
        Some(&[value]),
        grad.as_slice(),
        (2.0 * &m).as_slice(),
    );

    tour.finish();
}

// ---- Printing and checking ------------------------------------------------------------------

/// Relative-or-absolute tolerance for "agrees".
const TOLERANCE: f64 = 1e-12;

const AT: usize = 26;
const VALUE: usize = 14;
const GRAD: usize = 18;

/// Prints the tour's tables and counts the rows that disagree.
#[derive(Default)]
struct Tour {
    rows: usize,
    disagreements: usize,
}

impl Tour {
    fn section(&self, title: &str, notes: &[&str]) {
        println!("\n{title}");
        for note in notes {
            println!("   {note}");
        }
        println!();
    }

    /// Notes inside a section, before another table.
    fn notes(&self, notes: &[&str]) {
        println!();
        for note in notes {
            println!("   {note}");
        }
        println!();
    }

    /// The header of a table comparing the generated gradient with the hand-derived one.
    fn header(&self, at: &str, value: &str) {
        self.columns(at, value, "generated", "by hand");
    }

    /// A table header naming the two columns compared.
    fn columns(&self, at: &str, value: &str, left: &str, right: &str) {
        println!("   {at:<AT$}  {value:>VALUE$}  {left:>GRAD$}  {right:>GRAD$}  agree");
        println!(
            "   {}  {}  {}  {}  -----",
            "-".repeat(AT),
            "-".repeat(VALUE),
            "-".repeat(GRAD),
            "-".repeat(GRAD)
        );
    }

    fn row(&mut self, at: &str, value: Option<&[f64]>, generated: &[f64], by_hand: &[f64]) {
        let agree = generated.len() == by_hand.len()
            && generated.iter().zip(by_hand).all(|(&g, &h)| close(g, h));
        self.rows += 1;
        if !agree {
            self.disagreements += 1;
        }
        let value = value.map(nums).unwrap_or_default();
        println!(
            "   {at:<AT$}  {value:>VALUE$}  {:>GRAD$}  {:>GRAD$}  {}",
            nums(generated),
            nums(by_hand),
            if agree { "yes" } else { "NO" }
        );
    }

    fn finish(self) {
        println!();
        if self.disagreements == 0 {
            println!("All {} rows agree.", self.rows);
        } else {
            println!("{} of {} rows disagree.", self.disagreements, self.rows);
            std::process::exit(1);
        }
    }
}

/// vᵀJ for a matrix `j` given row by row: Σᵢ vᵢ · (row i).
fn vector_jacobian(v: &[f64], j: &[impl AsRef<[f64]>]) -> Vec<f64> {
    let mut product = vec![0.0; j[0].as_ref().len()];
    for (vi, row) in v.iter().zip(j) {
        for (p, jij) in product.iter_mut().zip(row.as_ref()) {
            *p += vi * jij;
        }
    }
    product
}

/// `i` as a subscript, for `yᵢ`.
fn sub(i: usize) -> String {
    i.to_string()
        .chars()
        .map(|d| char::from_u32('₀' as u32 + d.to_digit(10).unwrap()).unwrap())
        .collect()
}

/// `a` and `b` are equal, or within `TOLERANCE` (absolute up to magnitude 1, relative above).
fn close(a: f64, b: f64) -> bool {
    a == b || (a - b).abs() <= TOLERANCE * 1.0_f64.max(a.abs()).max(b.abs())
}

/// A number, short: integers as integers, others to 6 significant decimals.
fn num(v: f64) -> String {
    if v == v.trunc() && v.abs() < 1e15 {
        format!("{v}")
    } else if (1e-4..1e9).contains(&v.abs()) {
        let fixed = format!("{v:.6}");
        fixed.trim_end_matches('0').to_string()
    } else {
        format!("{v:.4e}")
    }
}

/// One number as `num`, several as a tuple `(a, b)` (two) or a list `[a, b, c, d]`.
fn nums(vs: &[f64]) -> String {
    let parts: Vec<String> = vs.iter().map(|&v| num(v)).collect();
    match vs.len() {
        1 => parts[0].clone(),
        2 => format!("({})", parts.join(", ")),
        _ => format!("[{}]", parts.join(", ")),
    }
}
