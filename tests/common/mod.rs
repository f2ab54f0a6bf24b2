//! Helpers shared by the integration tests: every generated gradient is compared with a
//! hand-derived one and with central finite differences.

#![allow(dead_code)]

use autodiff::testing::{assert_gradient_close, central_difference, gradient};

/// Tolerance against a hand-derived formula: only rounding separates the two.
pub const HAND_TOL: f64 = 1e-10;
/// Tolerance against central finite differences (step `1e-6 · max(1, |x|)`).
pub const FD_TOL: f64 = 1e-6;

/// Checks a generated gradient `generated` of `f` at `at` against `hand` (derived by hand)
/// and against central finite differences of `f`.
#[track_caller]
pub fn check(name: &str, at: &[f64], generated: &[f64], hand: &[f64], f: impl Fn(&[f64]) -> f64) {
    check_tol(name, at, generated, hand, f, HAND_TOL, FD_TOL);
}

/// [`check`] with explicit tolerances.
#[track_caller]
pub fn check_tol(
    name: &str,
    at: &[f64],
    generated: &[f64],
    hand: &[f64],
    f: impl Fn(&[f64]) -> f64,
    hand_tol: f64,
    fd_tol: f64,
) {
    println!("{name} at {at:?}: generated {generated:?}, hand-derived {hand:?}");
    assert_gradient_close(generated, hand, hand_tol);
    let numeric = gradient(f, at);
    println!("    finite differences {numeric:?}");
    assert_gradient_close(generated, &numeric, fd_tol);
}

/// Central differences with an explicit step, for `f32` functions whose rounding needs a
/// large step.
pub fn gradient_with_step(f: impl Fn(&[f64]) -> f64, at: &[f64], h: f64) -> Vec<f64> {
    (0..at.len())
        .map(|i| {
            central_difference(
                |xi| {
                    let mut p = at.to_vec();
                    p[i] = xi;
                    f(&p)
                },
                at[i],
                h,
            )
        })
        .collect()
}

/// Asserts `|a - e| ≤ tol · max(1, |a|, |e|)`, with a message naming the check.
#[track_caller]
pub fn assert_close(name: &str, actual: f64, expected: f64, tol: f64) {
    println!("{name}: actual {actual}, expected {expected}");
    assert_gradient_close(&[actual], &[expected], tol);
}
