//! A tour of `autodiff` through the scalar examples of a classic autograd chapter.
//!
//! The chapter differentiates small functions with PyTorch, MXNet and TensorFlow: it builds
//! a graph at run time, calls `backward()`, and reads `x.grad`. Here the same functions are
//! ordinary Rust functions marked `#[differentiate]`; their derivatives are generated at
//! compile time as more Rust functions. For each example the tour prints the generated
//! gradient next to the one derived by hand, and exits with status 1 if any pair disagrees.
//!
//! Run it with
//!
//! ```text
//! cargo run --release --example autograd_tour
//! ```

use std::f64::consts::PI;

use autodiff::prelude::*;

// ---- The functions --------------------------------------------------------------------------
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

/// z = y · x with y = x · x, that is z = x³: dz/dx = 3x².
#[differentiate]
fn cube(x: f64) -> f64 {
    let y = x * x;
    y * x
}

/// The same z, but with u = stop_gradient(y) as PyTorch's `u = y.detach()`: the derivative
/// treats u as a constant, so dz/dx = u = x².
#[differentiate]
fn cube_detached(x: f64) -> f64 {
    let y = x * x;
    let u = stop_gradient(y);
    u * x
}

/// One term of the chapter's y = 2xᵀx = Σᵢ 2xᵢ²: ∂y/∂xᵢ = 4xᵢ. Vectors come in a later
/// version; until then a vector gradient is taken one element at a time.
#[differentiate]
fn two_x_squared(xi: f64) -> f64 {
    2.0 * xi * xi
}

/// One term of y = x.sum() = Σᵢ xᵢ: ∂y/∂xᵢ = 1.
#[differentiate]
fn element(xi: f64) -> f64 {
    xi
}

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

// ---- The tour ---------------------------------------------------------------------------------

fn main() {
    println!(
        "autodiff: the scalar examples of the autograd chapter, differentiated at compile time."
    );
    println!("Each row compares the generated gradient with the one derived by hand.");
    let mut tour = Tour::default();
    let x_seed = [0.0, 1.0, 2.0, 3.0]; // the chapter's x = torch.arange(4.0)

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
        "3. Detaching: z = x·x·x against z = stop_gradient(x·x)·x",
        &[
            "cube(x)          = { let y = x * x; y * x }",
            "cube_detached(x) = { let y = x * x; let u = stop_gradient(y); u * x }",
            "by hand: 3x² for cube; for cube_detached u = x² is a constant, so dz/dx = u",
            "(PyTorch: u = y.detach(); z = u * x; z.sum().backward(); x.grad == u)",
        ],
    );
    tour.header("x", "z");
    for x in x_seed {
        let (value, grad) = cube_value_and_grad(x);
        tour.row(
            &format!("cube at {}", num(x)),
            Some(&[value]),
            &[grad],
            &[3.0 * x * x],
        );
    }
    for x in x_seed {
        let (value, grad) = cube_detached_value_and_grad(x);
        let u = x * x;
        tour.row(
            &format!("detached at {}", num(x)),
            Some(&[value]),
            &[grad],
            &[u],
        );
    }

    tour.section(
        "4. Gradients accumulate: y = 2xᵀx at x = [0, 1, 2, 3], elementwise",
        &[
            "two_x_squared(xᵢ) = 2 * xᵢ * xᵢ, one term of y = Σᵢ 2xᵢ²; element(xᵢ) = xᵢ",
            "PyTorch adds every backward() into x.grad until x.grad.zero_(). Here x.grad is",
            "a plain array, and each backward() is one call of the adjoint per element,",
            "added in: two_x_squared_adjoint(xᵢ, 1.0).1. By hand: 4x per backward().",
        ],
    );
    tour.header("x.grad after", "");
    let mut x_grad = [0.0; 4]; // x.requires_grad_(True): a place for the gradient
    let backward = |grad: &mut [f64; 4]| {
        for (g, &xi) in grad.iter_mut().zip(&x_seed) {
            *g += two_x_squared_adjoint(xi, 1.0).1;
        }
    };
    backward(&mut x_grad);
    tour.row("y.backward()", None, &x_grad, &x_seed.map(|x| 4.0 * x));
    backward(&mut x_grad); // a second backward() without zero_(): the chapter's [0, 8, 16, 24]
    tour.row("a 2nd, no zero_()", None, &x_grad, &x_seed.map(|x| 8.0 * x));
    x_grad = [0.0; 4]; // x.grad.zero_()
    for (g, &xi) in x_grad.iter_mut().zip(&x_seed) {
        *g += element_adjoint(xi, 1.0).1; // y = x.sum(); y.backward()
    }
    tour.row("zero_(), x.sum()", None, &x_grad, &[1.0; 4]);

    tour.section(
        "5. backward(v) is the adjoint seeded with v: a vector-Jacobian product",
        &[
            "f_adjoint(x.., d_out) returns (value, d_out × gradient), as y.backward(v) with v = d_out",
            "y = x * x elementwise, y.backward(v): square_adjoint(xᵢ, vᵢ).1    by hand: vᵢ · 2xᵢ",
            "v = [1, 1, 1, 1] is y.sum().backward(), the chapter's [0, 2, 4, 6]",
        ],
    );
    tour.header("v", "");
    for v in [[1.0; 4], [1.0, 0.5, -1.0, 10.0]] {
        let mut x_grad = [0.0; 4];
        for i in 0..4 {
            x_grad[i] = square_adjoint(x_seed[i], v[i]).1;
        }
        let by_hand: Vec<f64> = (0..4).map(|i| v[i] * 2.0 * x_seed[i]).collect();
        tour.row(&nums(&v), None, &x_grad, &by_hand);
    }
    let (value, (dx, dy)) = square_sum_adjoint(1.0, 2.0, 3.0);
    tour.row(
        "3 at (x, y) = (1, 2)",
        Some(&[value]),
        &[dx, dy],
        &[3.0 * 2.0, 3.0 * 4.0],
    );

    tour.section(
        "6. Control flow: f(a) loops while |b| < 1000, then branches on the sign",
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
        "7. sin x has derivative cos x",
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
        "8. Two more: softplus, and a loop with an integer parameter",
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

    tour.finish();
}

// ---- Printing and checking ------------------------------------------------------------------

/// Relative-or-absolute tolerance for "agrees".
const TOLERANCE: f64 = 1e-12;

const AT: usize = 22;
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

    fn header(&self, at: &str, value: &str) {
        println!(
            "   {at:<AT$}  {value:>VALUE$}  {:>GRAD$}  {:>GRAD$}  agree",
            "generated", "by hand"
        );
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
            println!(
                "All {} gradients agree with the hand-derived ones.",
                self.rows
            );
        } else {
            println!(
                "{} of {} gradients disagree with the hand-derived ones.",
                self.disagreements, self.rows
            );
            std::process::exit(1);
        }
    }
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
