//! `saddle`: the four functions against the eval's expected output, the nested gradient of
//! the inner maximum against the hand-derived 2·p₁ and central differences, and the
//! generated forms through which `argmax` differentiates the ascent directions
//! (`ascent_*_pullback`, `ascent_*_tangent_all`) against central differences.

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::nested::GradientMode::{Forward, Reverse};
use gradbench_tool::modules::{self, nested, saddle};
use serde_json::json;

/// What GradBench's eval expects for start (1, 1), every coordinate.
const EXPECTED: f64 = 8.246324826140356e-06;

#[test]
fn all_four_functions_match_the_eval() {
    for outer in [Forward, Reverse] {
        for inner in [Forward, Reverse] {
            let got = saddle::saddle([1.0, 1.0], outer, inner).unwrap();
            for value in got {
                assert_relative_eq!(value, EXPECTED, max_relative = 1e-12);
            }
        }
    }
}

#[test]
fn argmax_climbs_to_the_inner_maximum() {
    // f(p₁, ·) has its maximum at p₂ = 0 whatever p₁, and the solver stops within 10⁻⁵.
    for forward in [false, true] {
        let mut p2 = [f64::NAN; 2];
        saddle::argmax(&[0.3, -2.0], &[1.0, -0.5], forward, &mut p2);
        assert!(p2[0].abs() < 1e-4 && p2[1].abs() < 1e-4, "{p2:?}");
    }
}

#[test]
fn nested_gradient_of_the_inner_maximum() {
    // The ascent does not depend on p₁ (∇ₚ₂f = −2 p₂), so max f(p₁, ·) = ‖p₁‖² − ‖p₂*‖² and
    // its gradient is 2 p₁, although it is taken through every step of the ascent.
    let start = [1.0, 1.0];
    for p1 in [[0.5, -0.25], [1.0, 1.0], [-3.0, 2.0]] {
        for forward in [false, true] {
            let got = saddle::max_value_grad(&p1, &start, forward);
            assert_eq!(got, vec![2.0 * p1[0], 2.0 * p1[1]]);
            let (value, tangent) = saddle::max_value_tangent(&p1, &[1.0, -2.0], &start, forward);
            assert_eq!(value, saddle::max_value(&p1, &start, forward));
            assert_eq!(tangent, 2.0 * p1[0] - 4.0 * p1[1]);
            let numeric =
                common::central_difference(|p| saddle::max_value(p, &start, forward), &p1, 1e-6);
            for (g, e) in got.iter().zip(&numeric) {
                assert_relative_eq!(*g, *e, max_relative = 1e-8, epsilon = 1e-9);
            }
        }
    }
}

/// A direction's reverse-mode rule and forward-mode rule.
type Pullback = fn(
    &[f64],
    &mut [f64],
    &[f64],
    &mut [f64],
    &mut [f64],
    &mut [f64],
    (),
) -> (
    (),
    (
        autodiff::NoTangent,
        autodiff::NoTangent,
        autodiff::NoTangent,
    ),
);
type Tangent = fn(&[f64], &[f64], &[f64], &[f64], &mut [f64], &mut [f64]) -> ((), ());
/// A direction ∇ₚ₂f written into its last argument.
type Direction = fn(&[f64], &[f64], &mut [f64]);

#[test]
fn direction_rules_against_central_differences() {
    let rules: [(Direction, Pullback, Tangent); 2] = [
        (
            saddle::ascent_reverse,
            saddle::ascent_reverse_pullback,
            saddle::ascent_reverse_tangent_all,
        ),
        (
            saddle::ascent_forward,
            saddle::ascent_forward_pullback,
            saddle::ascent_forward_tangent_all,
        ),
    ];
    let (p1, p2) = ([0.7, -1.3], [0.4, 2.2]);
    for (direction, pullback, tangent) in rules {
        let mut out = [0.0; 2];
        direction(&p1, &p2, &mut out);
        assert_eq!(out, [-0.8, -4.4]);
        // Central differences of the direction along (v1, v2).
        let (v1, v2) = ([0.3, -0.6], [1.1, 0.5]);
        let h = 1e-6;
        let shifted = |s: f64| {
            let q1 = [p1[0] + s * v1[0], p1[1] + s * v1[1]];
            let q2 = [p2[0] + s * v2[0], p2[1] + s * v2[1]];
            let mut out = [0.0; 2];
            direction(&q1, &q2, &mut out);
            out
        };
        let (up, down) = (shifted(h), shifted(-h));
        let mut out_dot = [f64::NAN; 2];
        tangent(&p1, &v1, &p2, &v2, &mut out, &mut out_dot);
        for i in 0..2 {
            assert_relative_eq!(
                out_dot[i],
                (up[i] - down[i]) / (2.0 * h),
                max_relative = 1e-8
            );
        }
        // ∂(∇ₚ₂f)/∂p₂ = −2 I and ∂(∇ₚ₂f)/∂p₁ = 0, so ⟨u, J v⟩ = −2 ⟨u, v2⟩.
        assert_eq!(out_dot, [-2.0 * v2[0], -2.0 * v2[1]]);
        let u = [0.25, -3.0];
        let (mut p1_bar, mut p2_bar, mut out_bar) = ([1.0; 2], [1.0; 2], u);
        pullback(
            &p1,
            &mut p1_bar,
            &p2,
            &mut p2_bar,
            &mut out,
            &mut out_bar,
            (),
        );
        assert_eq!(p1_bar, [1.0, 1.0], "added into the shadows");
        assert_eq!(p2_bar, [1.0 - 2.0 * u[0], 1.0 - 2.0 * u[1]]);
        assert_eq!(out_bar, [0.0, 0.0], "the direction overwrites its buffer");
        assert_eq!(out, [-0.8, -4.4]);
    }
}

#[test]
fn solver_and_function_names() {
    // A quadratic bowl centred at (1, −2).
    let found = nested::argmin(
        |x| (x[0] - 1.0).powi(2) + 4.0 * (x[1] + 2.0).powi(2),
        |x, g| {
            g[0] = 2.0 * (x[0] - 1.0);
            g[1] = 8.0 * (x[1] + 2.0);
        },
        &[0.0, 0.0],
    )
    .unwrap();
    assert!(
        (found[0] - 1.0).abs() < 1e-4 && (found[1] + 2.0).abs() < 1e-4,
        "{found:?}"
    );
    let err = nested::argmin(|_| f64::NAN, |_, g| g[0] = 0.0, &[0.0]).unwrap_err();
    assert!(err.contains("not finite"), "{err}");

    assert_eq!(nested::modes("fr"), Some((Forward, Reverse)));
    assert_eq!(nested::modes("rf"), Some((Reverse, Forward)));
    for bad in ["", "f", "rrr", "fx", "gradient"] {
        assert_eq!(nested::modes(bad), None, "{bad}");
    }
}

#[test]
fn dispatch_and_bad_inputs() {
    for function in ["ff", "fr", "rf", "rr"] {
        let input = json!({"start": [1.0, 1.0], "min_runs": 2, "min_seconds": 0});
        let (output, timings) = modules::evaluate("saddle", function, input).unwrap();
        assert_eq!(timings.len(), 2);
        let output: Vec<f64> = serde_json::from_value(output).unwrap();
        assert_eq!(output.len(), 4);
        for value in output {
            assert_relative_eq!(value, EXPECTED, max_relative = 1e-12);
        }
    }
    for (input, needle) in [
        (json!({"start": [1.0]}), "invalid saddle input"),
        (json!({"start": [1.0, 2.0, 3.0]}), "invalid saddle input"),
        (json!({}), "invalid saddle input"),
        (json!({"start": [1e200, 1.0]}), "at most 1e100"),
    ] {
        let err = modules::evaluate("saddle", "rr", input).unwrap_err();
        assert!(err.contains(needle), "{err}");
    }
    let err = modules::evaluate("saddle", "gradient", json!({"start": [1.0, 1.0]})).unwrap_err();
    assert!(err.contains("has no function \"gradient\""), "{err}");
}
