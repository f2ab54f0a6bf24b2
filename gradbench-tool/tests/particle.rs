//! `particle`: the four functions against the eval's expected output, the nested derivative
//! of the landing point (through every Euler step and the field's derivative) against
//! central differences, and the generated forms through which `landing` differentiates the
//! fields (`field_*_pullback`, `field_*_tangent_all`) against central differences.

use approx::assert_relative_eq;
use gradbench_tool::modules::nested::GradientMode::{Forward, Reverse};
use gradbench_tool::modules::{self, particle};
use serde_json::json;

/// What GradBench's eval expects from w = 0.
const EXPECTED: f64 = 0.2071918746486116;

#[test]
fn all_four_functions_match_the_eval() {
    for outer in [Forward, Reverse] {
        for inner in [Forward, Reverse] {
            let got = particle::particle(0.0, outer, inner).unwrap();
            assert_relative_eq!(got, EXPECTED, max_relative = 1e-12);
        }
    }
}

#[test]
fn potential_and_field_by_hand() {
    // At (10, 5) with w = 0 both charges are 5 away, straight above and below.
    assert_eq!(particle::potential(0.0, &[10.0, 5.0]), 0.4);
    let mut field = [f64::NAN; 2];
    particle::field_reverse(0.0, &[10.0, 5.0], &mut field);
    assert_eq!(field, [0.0, 0.0]);
    // At (6, 0) with w = 7 the charges at (10, 3) and (10, 0) are 5 and 4 away, and
    // ∇ₓ(1/‖x − c‖) = −(x − c)/‖x − c‖³.
    let want = [4.0 / 125.0 + 4.0 / 64.0, 3.0 / 125.0];
    for field_fn in [particle::field_reverse, particle::field_forward] {
        field_fn(7.0, &[6.0, 0.0], &mut field);
        assert_relative_eq!(field[0], want[0], max_relative = 1e-15);
        assert_relative_eq!(field[1], want[1], max_relative = 1e-15);
    }
}

#[test]
fn nested_derivative_matches_central_differences() {
    for w in [0.0, 0.2, -0.3, 0.5] {
        let h = 1e-6;
        for forward in [false, true] {
            let numeric =
                (particle::landing(w + h, forward) - particle::landing(w - h, forward)) / (2.0 * h);
            let reverse = particle::landing_grad(w, forward);
            let (value, tangent) = particle::landing_tangent(w, 1.0, forward);
            assert_eq!(value, particle::landing(w, forward));
            assert_relative_eq!(reverse, numeric, max_relative = 1e-6);
            assert_relative_eq!(tangent, reverse, max_relative = 1e-12);
            assert!(
                reverse.abs() > 1e-3,
                "a derivative that tests something: {reverse}"
            );
        }
        // Both fields give the same trajectory, up to rounding.
        assert_relative_eq!(
            particle::landing(w, true),
            particle::landing(w, false),
            max_relative = 1e-12
        );
    }
}

/// A field's generated pullback and forward mode.
type Pullback = fn(
    f64,
    &[f64],
    &mut [f64],
    &mut [f64],
    &mut [f64],
    (),
) -> ((), (f64, autodiff::NoTangent, autodiff::NoTangent));
type Tangent = fn(f64, f64, &[f64], &[f64], &mut [f64], &mut [f64]) -> ((), ());
/// A field ∇ₓp written into its last argument.
type Field = fn(f64, &[f64], &mut [f64]);

#[test]
fn field_rules_against_central_differences() {
    let rules: [(Field, Pullback, Tangent); 2] = [
        (
            particle::field_reverse,
            particle::field_reverse_pullback,
            particle::field_reverse_tangent_all,
        ),
        (
            particle::field_forward,
            particle::field_forward_pullback,
            particle::field_forward_tangent_all,
        ),
    ];
    let (w, x) = (0.4, [3.0, 6.5]);
    let (w_dot, x_dot) = (0.7, [-0.2, 1.3]);
    let h = 1e-6;
    for (field, pullback, tangent) in rules {
        let shifted = |s: f64| {
            let mut out = [0.0; 2];
            field(
                w + s * w_dot,
                &[x[0] + s * x_dot[0], x[1] + s * x_dot[1]],
                &mut out,
            );
            out
        };
        let (up, down) = (shifted(h), shifted(-h));
        let numeric = [(up[0] - down[0]) / (2.0 * h), (up[1] - down[1]) / (2.0 * h)];
        let mut out = [0.0; 2];
        let mut out_dot = [f64::NAN; 2];
        tangent(w, w_dot, &x, &x_dot, &mut out, &mut out_dot);
        assert_eq!(out, shifted(0.0));
        for i in 0..2 {
            assert_relative_eq!(out_dot[i], numeric[i], max_relative = 1e-7);
        }
        // The pullback is the transpose: ⟨u, J·(ẇ, ẋ)⟩ = w̄ ẇ + ⟨x̄, ẋ⟩.
        let u = [1.5, -0.4];
        let (mut x_bar, mut out_bar) = ([0.0; 2], u);
        let ((), (w_bar, _, _)) = pullback(w, &x, &mut x_bar, &mut out, &mut out_bar, ());
        assert_eq!(out_bar, [0.0, 0.0], "the field overwrites its buffer");
        let lhs = u[0] * out_dot[0] + u[1] * out_dot[1];
        let rhs = w_bar * w_dot + x_bar[0] * x_dot[0] + x_bar[1] * x_dot[1];
        assert_relative_eq!(lhs, rhs, max_relative = 1e-12);
        // And it adds into the shadow.
        let mut x_bar_again = [1.0, 1.0];
        let mut out_bar = u;
        pullback(w, &x, &mut x_bar_again, &mut out, &mut out_bar, ());
        for i in 0..2 {
            assert_relative_eq!(x_bar_again[i], 1.0 + x_bar[i], max_relative = 1e-15);
        }
    }
}

#[test]
fn dispatch_and_bad_inputs() {
    for function in ["ff", "fr", "rf", "rr"] {
        let input = json!({"w": 0.0, "min_runs": 2, "min_seconds": 0});
        let (output, timings) = modules::evaluate("particle", function, input).unwrap();
        assert_eq!(timings.len(), 2);
        assert_relative_eq!(output.as_f64().unwrap(), EXPECTED, max_relative = 1e-12);
    }
    // From w = 8 the upper charge sits at (10, 2) and the particle never comes down.
    assert!(particle::landing(8.0, false).is_nan());
    let err = modules::evaluate("particle", "rr", json!({"w": 8.0})).unwrap_err();
    assert!(err.contains("not finite"), "{err}");
    for input in [json!({}), json!({"w": "a"}), json!({"w": [0.0]})] {
        let err = modules::evaluate("particle", "rr", input).unwrap_err();
        assert!(err.contains("invalid particle input"), "{err}");
    }
    let err = modules::evaluate("particle", "r", json!({"w": 0.0})).unwrap_err();
    assert!(err.contains("has no function \"r\""), "{err}");
}
