//! `llsq`: the objective and its generated gradient against a hand-derived formula and
//! central differences.

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, llsq};
use serde_json::json;

/// The grid point tᵢ and target sᵢ of the eval's definition.
fn grid(i: usize, n: usize) -> (f64, f64) {
    let t = -1.0 + i as f64 * 2.0 / (n as f64 - 1.0);
    let s = if t > 0.0 {
        1.0
    } else if t < 0.0 {
        -1.0
    } else {
        0.0
    };
    (t, s)
}

/// The residuals rᵢ = sᵢ − Σⱼ xⱼ tᵢʲ, written differently from the objective (with `powi`).
fn residuals(x: &[f64], n: usize) -> Vec<f64> {
    (0..n)
        .map(|i| {
            let (t, s) = grid(i, n);
            s - x
                .iter()
                .enumerate()
                .map(|(j, c)| c * t.powi(j as i32))
                .sum::<f64>()
        })
        .collect()
}

#[test]
fn objective_on_a_small_grid() {
    // n = 5: t = (−1, −½, 0, ½, 1), s = (−1, −1, 0, 1, 1); x = (0.1, 0.2, 0.3) gives
    // residuals (−1.2, −1.075, −0.1, 0.725, 0.4).
    let expected = 0.5 * (1.44 + 1.155625 + 0.01 + 0.525625 + 0.16);
    assert_relative_eq!(
        llsq::objective(&[0.1, 0.2, 0.3], 5),
        expected,
        max_relative = 1e-12
    );
    assert_eq!(llsq::objective(&[], 0), 0.0);
}

#[test]
fn gradient_matches_hand_derived_formula() {
    // ∂y/∂xⱼ = −Σᵢ rᵢ tᵢʲ.
    for (x, n) in [
        (vec![0.1, 0.2, 0.3], 5),
        (vec![0.5, -1.0, 0.25, 2.0], 16),
        (vec![0.7], 7),
    ] {
        let r = residuals(&x, n);
        let expected: Vec<f64> = (0..x.len())
            .map(|j| {
                -(0..n)
                    .map(|i| r[i] * grid(i, n).0.powi(j as i32))
                    .sum::<f64>()
            })
            .collect();
        let got = llsq::objective_grad(&x, n);
        assert_eq!(got.len(), x.len());
        for (g, e) in got.iter().zip(&expected) {
            assert_relative_eq!(*g, *e, max_relative = 1e-12, epsilon = 1e-14);
        }
    }
}

#[test]
fn gradient_matches_central_differences() {
    let x = [0.3, -0.8, 1.1, 0.05, -0.4];
    let n = 32;
    let numeric = common::central_difference(|x| llsq::objective(x, n), &x, 1e-5);
    for (g, e) in llsq::objective_grad(&x, n).iter().zip(&numeric) {
        assert_relative_eq!(*g, *e, max_relative = 1e-7);
    }
}

#[test]
fn dispatch_honours_min_runs() {
    let input = json!({"x": [0.1, 0.2, 0.3], "n": 5, "min_runs": 3, "min_seconds": 0});
    let (output, timings) = modules::evaluate("llsq", "gradient", input).unwrap();
    assert_eq!(timings.len(), 3);
    let output: Vec<f64> = serde_json::from_value(output).unwrap();
    assert_eq!(output.len(), 3);
    assert_relative_eq!(output[0], 1.25, max_relative = 1e-12);
}

#[test]
fn bad_inputs_are_errors() {
    for input in [
        json!({"x": [1.0]}),
        json!({"x": 1.0, "n": 3}),
        json!({"x": [1.0], "n": -3}),
        json!({"x": [1.0], "n": 3, "min_runs": "many"}),
    ] {
        let err = modules::evaluate("llsq", "primal", input).unwrap_err();
        assert!(err.starts_with("invalid llsq input"), "{err}");
    }
    let err = modules::evaluate("llsq", "primal", json!({"x": [1.0], "n": 1})).unwrap_err();
    assert!(err.contains("n must not be 1"), "{err}");
    let err = modules::evaluate("llsq", "hessian", json!({"x": [1.0], "n": 3})).unwrap_err();
    assert!(err.contains("hessian"), "{err}");
}
