//! `det`: the determinant by minors and its generated gradient against the cofactor matrix
//! and central differences.

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, det};
use serde_json::json;

/// Determinant by Gaussian elimination with partial pivoting: a different algorithm from
/// expansion by minors, to check against.
fn det_by_elimination(a: &[f64], ell: usize) -> f64 {
    let mut m = a.to_vec();
    let mut result = 1.0;
    for k in 0..ell {
        let pivot = (k..ell)
            .max_by(|&i, &j| m[i * ell + k].abs().total_cmp(&m[j * ell + k].abs()))
            .unwrap();
        if pivot != k {
            for c in 0..ell {
                m.swap(k * ell + c, pivot * ell + c);
            }
            result = -result;
        }
        let p = m[k * ell + k];
        result *= p;
        for i in k + 1..ell {
            let factor = m[i * ell + k] / p;
            for c in k..ell {
                m[i * ell + c] -= factor * m[k * ell + c];
            }
        }
    }
    result
}

/// The cofactor matrix, ∂det/∂aᵢⱼ = (−1)^(i+j) det(minor without row i and column j).
fn cofactors(a: &[f64], ell: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(ell * ell);
    for i in 0..ell {
        for j in 0..ell {
            let minor: Vec<f64> = (0..ell)
                .filter(|&r| r != i)
                .flat_map(|r| (0..ell).filter(|&c| c != j).map(move |c| a[r * ell + c]))
                .collect();
            let sign = if (i + j) % 2 == 0 { 1.0 } else { -1.0 };
            out.push(sign * det_by_elimination(&minor, ell - 1));
        }
    }
    out
}

/// A fixed, well-conditioned-enough test matrix with entries in (−1, 1).
fn matrix(ell: usize) -> Vec<f64> {
    (0..ell * ell)
        .map(|k| ((k as f64 + 1.0) * 0.7548776662).sin())
        .collect()
}

#[test]
fn small_determinants() {
    assert_eq!(det::det(&[], 0), 1.0);
    assert_eq!(det::det(&[4.0], 1), 4.0);
    assert_eq!(det::det(&[1.0, 2.0, 3.0, 4.0], 2), -2.0);
    for ell in 3..=6 {
        let a = matrix(ell);
        assert_relative_eq!(
            det::det(&a, ell),
            det_by_elimination(&a, ell),
            max_relative = 1e-10
        );
    }
}

#[test]
fn gradient_is_the_cofactor_matrix() {
    // 2 × 2 by hand: ∇ det [[a, b], [c, d]] = [[d, −c], [−b, a]].
    assert_eq!(
        det::det_grad(&[1.0, 2.0, 3.0, 4.0], 2),
        vec![4.0, -3.0, -2.0, 1.0]
    );
    assert_eq!(det::det_grad(&[5.0], 1), vec![1.0]);
    for ell in 3..=5 {
        let a = matrix(ell);
        let got = det::det_grad(&a, ell);
        for (g, e) in got.iter().zip(&cofactors(&a, ell)) {
            assert_relative_eq!(*g, *e, max_relative = 1e-10, epsilon = 1e-13);
        }
    }
}

#[test]
fn gradient_matches_central_differences() {
    let ell = 4;
    let a = matrix(ell);
    let numeric = common::central_difference(|a| det::det(a, ell), &a, 1e-5);
    for (g, e) in det::det_grad(&a, ell).iter().zip(&numeric) {
        assert_relative_eq!(*g, *e, max_relative = 1e-7, epsilon = 1e-12);
    }
}

#[test]
fn dispatch_and_bad_inputs() {
    let input = json!({"A": [1.0, 2.0, 3.0, 4.0], "ell": 2, "min_runs": 2, "min_seconds": 0});
    let (output, timings) = modules::evaluate("det", "gradient", input).unwrap();
    assert_eq!(output, json!([4.0, -3.0, -2.0, 1.0]));
    assert_eq!(timings.len(), 2);

    let err =
        modules::evaluate("det", "primal", json!({"A": [1.0, 2.0, 3.0], "ell": 2})).unwrap_err();
    assert!(err.contains("needs ell²"), "{err}");
    let err = modules::evaluate("det", "primal", json!({"A": [], "ell": 65})).unwrap_err();
    assert!(err.contains("exceeds 64"), "{err}");
    let err = modules::evaluate("det", "primal", json!({"a": [1.0], "ell": 1})).unwrap_err();
    assert!(err.starts_with("invalid det input"), "{err}");
}
