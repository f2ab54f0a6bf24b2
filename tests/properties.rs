//! Property tests: at random inputs in safe ranges, generated gradients of functions with
//! branches and loops match central finite differences, and the seeds' control-flow
//! function has gradient f(a) / a.

// The differentiated bodies deliberately use the forms under test (`s = s + x` next to
// `s += x`, `!(a < b)`, counters kept by hand), which clippy's style lints would rewrite.
#![allow(
    clippy::assign_op_pattern,
    clippy::neg_cmp_op_on_partial_ord,
    clippy::eq_op,
    clippy::explicit_counter_loop,
    clippy::let_and_return
)]

mod common;

use autodiff::differentiate;
use autodiff::testing::{assert_gradient_close, gradient};
use common::gradient_with_step;
use proptest::prelude::*;

#[differentiate]
fn piecewise(x: f64, y: f64) -> f64 {
    if x > y && y > 0.0 {
        x * x * y
    } else if x < -1.0 || !(y < 2.0) {
        x + y * y
    } else {
        (x - y).sin() * x
    }
}

#[differentiate]
fn looped(x: f64, y: f64, n: usize) -> f64 {
    let mut s = x;
    let mut acc = 0.0;
    for _ in 0..n {
        if s.abs() > 20.0 {
            break;
        }
        s = s * y + x.sin();
        if s < 0.0 {
            acc = acc - s * x;
            continue;
        }
        acc = acc + s.sqrt() * y;
    }
    acc + s
}

#[differentiate]
fn while_until(x: f64, y: f64) -> f64 {
    let mut t = x.abs() + 0.1;
    let mut steps = 0;
    while t < 5.0 {
        t = t * (1.5 + y.sin().abs()) + x * x;
        steps += 1;
        if steps > 100 {
            return t;
        }
    }
    t.ln() * y
}

#[differentiate]
fn sine_map(x0: f64, a: f64, n: usize) -> f64 {
    let mut x = x0;
    for _ in 0..n {
        x = x.sin() * a;
    }
    x
}

#[differentiate]
fn control_flow(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b = b * 2.0;
    }
    let c = if b > 0.0 { b } else { 100.0 * b };
    c
}

/// Central differences at `at`, or `None` when the point lies so close to a jump or a kink
/// of the function (a branch or trip-count change) that two step sizes disagree.
fn smooth_differences(f: impl Fn(&[f64]) -> f64, at: &[f64]) -> Option<Vec<f64>> {
    let fine = gradient(&f, at);
    let coarse = gradient_with_step(&f, at, 1e-4);
    let consistent = fine
        .iter()
        .zip(&coarse)
        .all(|(a, b)| (a - b).abs() <= 1e-4 * a.abs().max(b.abs()).max(1.0));
    consistent.then_some(fine)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn piecewise_matches_differences(x in -3.0..3.0_f64, y in -3.0..3.0_f64) {
        let Some(numeric) = smooth_differences(|p| piecewise(p[0], p[1]), &[x, y]) else {
            return Err(TestCaseError::reject("next to a branch boundary"));
        };
        let (v, (gx, gy)) = piecewise_value_and_grad(x, y);
        prop_assert_eq!(v, piecewise(x, y));
        assert_gradient_close(&[gx, gy], &numeric, 1e-6);
    }

    #[test]
    fn looped_matches_differences(x in -2.0..2.0_f64, y in -1.5..1.5_f64, n in 0usize..10) {
        let Some(numeric) = smooth_differences(|p| looped(p[0], p[1], n), &[x, y]) else {
            return Err(TestCaseError::reject("next to a branch boundary"));
        };
        let (v, (gx, gy)) = looped_value_and_grad(x, y, n);
        prop_assert_eq!(v, looped(x, y, n));
        assert_gradient_close(&[gx, gy], &numeric, 1e-5);
    }

    #[test]
    fn while_until_matches_differences(x in -2.0..2.0_f64, y in -2.0..2.0_f64) {
        let Some(numeric) = smooth_differences(|p| while_until(p[0], p[1]), &[x, y]) else {
            return Err(TestCaseError::reject("next to a trip-count change"));
        };
        let (v, (gx, gy)) = while_until_value_and_grad(x, y);
        prop_assert_eq!(v, while_until(x, y));
        assert_gradient_close(&[gx, gy], &numeric, 1e-5);
    }

    #[test]
    fn sine_map_matches_differences(x0 in -3.0..3.0_f64, a in 0.1..2.0_f64, n in 0usize..15) {
        // Exact derivatives by the forward recurrence: x' = a cos(x) x', with ∂/∂a adding sin x.
        let (mut x, mut dx0, mut da) = (x0, 1.0, 0.0);
        for _ in 0..n {
            let (s, c) = x.sin_cos();
            dx0 *= a * c;
            da = a * c * da + s;
            x = s * a;
        }
        let (g0, ga) = sine_map_grad(x0, a, n);
        assert_gradient_close(&[g0, ga], &[dx0, da], 1e-9);
        // The map is chaotic for large a: differences are compared only where two step sizes
        // agree, i.e. where they are themselves accurate.
        if let Some(numeric) = smooth_differences(|p| sine_map(p[0], p[1], n), &[x0, a]) {
            assert_gradient_close(&[g0, ga], &numeric, 1e-6);
        }
    }

    #[test]
    fn control_flow_gradient_is_value_over_a(
        magnitude in -12.0..7.0_f64,
        negative in any::<bool>(),
        d_out in -4.0..4.0_f64,
    ) {
        let a = if negative { -(10f64.powf(magnitude)) } else { 10f64.powf(magnitude) };
        let (value, grad) = control_flow_value_and_grad(a);
        prop_assert_eq!(value, control_flow(a));
        let expected = value / a;
        prop_assert!(
            (grad - expected).abs() <= 1e-15 * expected.abs(),
            "f'({}) = {}, f(a)/a = {}", a, grad, expected
        );
        let (_, scaled) = control_flow_adjoint(a, d_out);
        prop_assert!((scaled - d_out * grad).abs() <= 1e-15 * (d_out * grad).abs());
    }
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// The functions above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`),
/// at random points in the ranges the properties above use: the derivative along a random
/// direction is the gradient dotted with it.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-3.0, 3.0);
    common::modes_agree_2("piecewise", [GEN, GEN], piecewise_tangent, piecewise_grad);
    common::modes_agree_2(
        "while_until",
        [GEN, GEN],
        while_until_tangent,
        while_until_grad,
    );
    common::modes_agree_1("control_flow", GEN, control_flow_tangent, control_flow_grad);
    for n in [0, 1, 4, 8] {
        let t = |x, dx, y, dy| looped_tangent(x, dx, y, dy, n);
        let g = |x, y| looped_grad(x, y, n);
        common::modes_agree_2(&format!("looped n = {n}"), [GEN, GEN], t, g);
        let t = |x0, dx0, a, da| sine_map_tangent(x0, dx0, a, da, n);
        let g = |x0, a| sine_map_grad(x0, a, n);
        common::modes_agree_2(&format!("sine_map n = {n}"), [GEN, GEN], t, g);
    }
}
