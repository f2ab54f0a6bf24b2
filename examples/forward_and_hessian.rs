//! Forward mode beside reverse mode on the same function, the generated Hessian beside the
//! hand-derived one (and beside nested dual numbers), and Newton's method on Rosenbrock's
//! function with the generated gradient and Hessian.
//!
//! Run with `cargo run --release --example forward_and_hessian`.
//!
//! `#[differentiate]` generates `rosenbrock_hessian` and `rosenbrock_hvp` too (forward over
//! the generated reverse mode); the forward-mode helper [`autodiff::forward::hessian`]
//! on a generic copy of the function gives the same matrix from nested dual numbers.

use autodiff::num_traits::Float;
use autodiff::prelude::*;

/// f(x, y) = sin(x)·exp(y) + x·y, with ∂f/∂x = cos(x)·exp(y) + y and ∂f/∂y = sin(x)·exp(y) + x.
#[differentiate]
fn wave(x: f64, y: f64) -> f64 {
    x.sin() * y.exp() + x * y
}

/// Rosenbrock's function, minimised at (1, 1).
#[differentiate]
fn rosenbrock(x: f64, y: f64) -> f64 {
    (1.0 - x).powi(2) + 100.0 * (y - x * x).powi(2)
}

/// The same function, generic so that it runs on nested dual numbers.
fn rosenbrock_generic<T: Float>(p: &[T]) -> T {
    let one = T::one();
    let hundred = T::from(100.0).unwrap();
    (one - p[0]).powi(2) + hundred * (p[1] - p[0] * p[0]).powi(2)
}

/// Hand-derived: [[2 − 400y + 1200x², −400x], [−400x, 200]].
fn rosenbrock_hessian_by_hand(x: f64, y: f64) -> [[f64; 2]; 2] {
    [
        [2.0 - 400.0 * y + 1200.0 * x * x, -400.0 * x],
        [-400.0 * x, 200.0],
    ]
}

fn main() {
    println!("Forward mode and reverse mode on f(x, y) = sin(x)·exp(y) + x·y at (0.7, -0.3)");
    let (x, y) = (0.7, -0.3);
    // Forward mode: one pass per input direction, each giving a directional derivative.
    let (_, along_x) = wave_tangent(x, 1.0, y, 0.0);
    let (_, along_y) = wave_tangent(x, 0.0, y, 1.0);
    // Reverse mode: one pass for the whole gradient.
    let (dx, dy) = wave_grad(x, y);
    let by_hand = (x.cos() * y.exp() + y, x.sin() * y.exp() + x);
    println!("  forward  (f_tangent twice): ({along_x:.12}, {along_y:.12})");
    println!("  reverse  (f_grad once):     ({dx:.12}, {dy:.12})");
    println!(
        "  by hand:                    ({:.12}, {:.12})",
        by_hand.0, by_hand.1
    );
    assert!((along_x - dx).abs() < 1e-14 && (along_y - dy).abs() < 1e-14);
    assert!((dx - by_hand.0).abs() < 1e-14 && (dy - by_hand.1).abs() < 1e-14);

    println!("\nHessian of Rosenbrock at (-1.2, 1.0)");
    // A 2 × 2 nalgebra matrix, seen row by row here.
    let generated: Vec<Vec<f64>> = rosenbrock_hessian(-1.2, 1.0)
        .row_iter()
        .map(|row| row.iter().copied().collect())
        .collect();
    let (_, _, nested) = autodiff::forward::hessian(rosenbrock_generic, &[-1.2, 1.0]);
    let by_hand = rosenbrock_hessian_by_hand(-1.2, 1.0);
    for ((row, nested_row), hand_row) in generated.iter().zip(&nested).zip(&by_hand) {
        println!(
            "  generated {row:>8.3?}   nested duals {nested_row:>8.3?}   by hand {hand_row:>8.3?}"
        );
        for ((a, n), b) in row.iter().zip(nested_row).zip(hand_row) {
            assert!((a - b).abs() < 1e-9 * b.abs().max(1.0));
            assert!((n - b).abs() < 1e-9 * b.abs().max(1.0));
        }
    }
    // One Hessian-vector product, without forming the matrix.
    let (hv_x, hv_y) = rosenbrock_hvp(-1.2, 1.0, 1.0, -1.0);
    println!("  H·(1, -1) from rosenbrock_hvp: ({hv_x:.3}, {hv_y:.3})");
    assert!((hv_x - (by_hand[0][0] - by_hand[0][1])).abs() < 1e-9);
    assert!((hv_y - (by_hand[1][0] - by_hand[1][1])).abs() < 1e-9);

    println!("\nNewton's method on Rosenbrock from (-1.2, 1.0): p ← p − H⁻¹ ∇f");
    let (mut x, mut y) = (-1.2, 1.0);
    for step in 1..=20 {
        let (gx, gy) = rosenbrock_grad(x, y);
        let h = rosenbrock_hessian(x, y);
        let det = h[(0, 0)] * h[(1, 1)] - h[(0, 1)] * h[(1, 0)];
        x -= (h[(1, 1)] * gx - h[(0, 1)] * gy) / det;
        y -= (h[(0, 0)] * gy - h[(1, 0)] * gx) / det;
        println!(
            "  step {step:2}: ({x:+.12}, {y:+.12})   f = {:.3e}",
            rosenbrock(x, y)
        );
        if gx.hypot(gy) < 1e-12 {
            break;
        }
    }
    assert!((x - 1.0).abs() < 1e-10 && (y - 1.0).abs() < 1e-10);
    println!("  converged to the minimum (1, 1)");
}
