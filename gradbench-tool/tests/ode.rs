//! `ode`: the Runge–Kutta solution against the exact one where the method is exact, and its
//! generated gradient against the exact gradient there and central differences elsewhere.

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, ode};
use serde_json::json;

/// The exact solution at t = 2: yᵢ(2) = x₀ x₁ ⋯ xᵢ 2ⁱ⁺¹ / (i + 1)!.
fn exact(x: &[f64]) -> Vec<f64> {
    let mut y = Vec::with_capacity(x.len());
    let mut term = 1.0;
    for (i, xi) in x.iter().enumerate() {
        term *= xi * 2.0 / (i as f64 + 1.0);
        y.push(term);
    }
    y
}

fn solve(x: &[f64], s: usize) -> Vec<f64> {
    let mut y = vec![f64::NAN; x.len()];
    ode::integrate(x, s, &mut y);
    y
}

#[test]
fn runge_kutta_is_exact_for_up_to_four_components() {
    // The solution is a polynomial of degree i + 1 in t, and one classic Runge–Kutta step
    // reproduces the Taylor expansion up to degree 4.
    let x = [0.3, 0.9, 0.5, 0.7];
    for s in [1, 2, 7] {
        for (got, want) in solve(&x, s).iter().zip(exact(&x)) {
            assert_relative_eq!(*got, want, max_relative = 1e-13);
        }
    }
    // One component: y₀(2) = 2 x₀.
    assert_eq!(solve(&[1.5], 3), vec![3.0]);
}

#[test]
fn runge_kutta_converges_for_more_components() {
    let x = [0.8, 0.6, 1.2, 0.4, 0.9, 1.1, 0.7];
    let coarse = solve(&x, 4);
    let fine = solve(&x, 400);
    let want = exact(&x);
    let last = x.len() - 1;
    assert!((coarse[last] - want[last]).abs() > 1e-9, "{coarse:?}");
    assert_relative_eq!(fine[last], want[last], max_relative = 1e-9);
}

#[test]
fn gradient_matches_exact_gradient_where_exact() {
    // y₃(2) = x₀ x₁ x₂ x₃ · 2⁴ / 4!, so ∂y₃/∂xⱼ = y₃ / xⱼ.
    let x = [0.3, 0.9, 0.5, 0.7];
    let y_last = exact(&x)[3];
    for s in [1, 3] {
        let got = ode::last_component_grad(&x, s);
        assert_eq!(got.len(), x.len());
        for (g, xj) in got.iter().zip(&x) {
            assert_relative_eq!(*g, y_last / xj, max_relative = 1e-13);
        }
    }
    // One component: y₀(2) = 2 x₀, summed over five steps of 0.4.
    assert_relative_eq!(
        ode::last_component_grad(&[0.25], 5)[0],
        2.0,
        max_relative = 1e-15
    );
}

#[test]
fn gradient_matches_central_differences() {
    let x = [0.8, 0.6, 1.2, 0.4, 0.9, 1.1, 0.7];
    for s in [1, 3, 10] {
        let numeric = common::central_difference(|x| ode::last_component(x, s), &x, 1e-5);
        let (value, got) = ode::last_component_value_and_grad(&x, s);
        assert_eq!(value, solve(&x, s)[x.len() - 1]);
        for (g, e) in got.iter().zip(&numeric) {
            assert_relative_eq!(*g, *e, max_relative = 1e-8, epsilon = 1e-12);
        }
    }
}

#[test]
fn dispatch_and_bad_inputs() {
    let input = json!({"x": [0.3, 0.9, 0.5, 0.7], "s": 2, "min_runs": 2, "min_seconds": 0});
    let (output, timings) = modules::evaluate("ode", "primal", input.clone()).unwrap();
    assert_eq!(timings.len(), 2);
    let primal: Vec<f64> = serde_json::from_value(output).unwrap();
    for (got, want) in primal.iter().zip(exact(&[0.3, 0.9, 0.5, 0.7])) {
        assert_relative_eq!(*got, want, max_relative = 1e-13);
    }
    let (output, _) = modules::evaluate("ode", "gradient", input).unwrap();
    let gradient: Vec<f64> = serde_json::from_value(output).unwrap();
    assert_eq!(gradient.len(), 4);
    // y₃(2) = 0.3 · 0.9 · 0.5 · 0.7 · 16 / 24 = 0.063 and ∂y₃/∂x₀ = y₃ / 0.3.
    assert_relative_eq!(gradient[0], 0.21, max_relative = 1e-12);

    for (input, needle) in [
        (json!({"x": [], "s": 2}), "x must not be empty"),
        (json!({"x": [1.0], "s": 0}), "s must be at least 1"),
        (json!({"x": [1.0]}), "invalid ode input"),
        (json!({"x": [1.0], "s": -1}), "invalid ode input"),
        (json!({"x": ["a"], "s": 1}), "invalid ode input"),
    ] {
        let err = modules::evaluate("ode", "primal", input).unwrap_err();
        assert!(err.contains(needle), "{err}");
    }
    let err = modules::evaluate("ode", "hessian", json!({"x": [1.0], "s": 1})).unwrap_err();
    assert!(err.contains("hessian"), "{err}");
}
