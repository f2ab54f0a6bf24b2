//! GradBench's `det` eval: the determinant of a square matrix by expansion by minors.

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of both `det` functions.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// The matrix, row-major, `ell * ell` entries.
    #[serde(rename = "A")]
    pub a: Vec<f64>,
    /// The edge length.
    pub ell: usize,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// The lowest column still free in `used` (64 if none is).
pub fn first_free(used: u64) -> usize {
    (!used).trailing_zeros() as usize
}

/// Determinant of the minor of the row-major `ell × ell` matrix `a` made of the rows
/// `row..ell` and the columns not in `used`, expanded along its first row.
///
/// The removed columns travel as a bit set (so `ell <= 64`) rather than as a list of column
/// indices: `#[differentiate]` does not yet accept a locally built index `Vec` passed by
/// reference to a differentiated callee inside a loop (its reverse sweep keeps the borrow
/// past the loop body).
#[differentiate]
pub fn minor_det(a: &[f64], ell: usize, row: usize, used: u64) -> f64 {
    if row + 1 == ell {
        // A 1 × 1 minor: its entry, in the one column left.
        let col: usize = first_free(used);
        return a[row * ell + col];
    }
    let mut total = 0.0;
    let mut sign = 1.0;
    for col in 0..ell {
        // Bit `col` of `used` is set once column `col` is removed.
        if used & (1 << col) == 0 {
            let minor_used = used | (1 << col);
            total += sign * a[row * ell + col] * minor_det(a, ell, row + 1, minor_used);
            sign = -sign;
        }
    }
    total
}

/// The largest edge length the column bit set of [`minor_det`] can describe.
pub const MAX_ELL: usize = 64;

/// The determinant of the row-major `ell × ell` matrix `a` (1 for `ell = 0`).
#[differentiate]
pub fn det(a: &[f64], ell: usize) -> f64 {
    let mut result = 1.0;
    if ell > 0 {
        result = minor_det(a, ell, 0, 0);
    }
    result
}

/// Runs `primal` (the determinant) or `gradient` (its generated gradient `det_grad`).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let Input { a, ell, runs } = parse_input("det", input)?;
    if ell > MAX_ELL {
        return Err(format!("invalid det input: ell = {ell} exceeds {MAX_ELL}"));
    }
    if ell.checked_mul(ell) != Some(a.len()) {
        return Err(format!(
            "invalid det input: A has {} entries, ell = {ell} needs ell²",
            a.len()
        ));
    }
    match function {
        "primal" => {
            let (output, timings) = run_timed(runs, || det(&a, ell));
            Ok((json!(output), timings))
        }
        "gradient" => {
            let (output, timings) = run_timed(runs, || det_grad(&a, ell));
            Ok((json!(output), timings))
        }
        _ => Err(unknown_function("det", function)),
    }
}
