//! The seeds' scalar cases, `f_adjoint` with `d_out ≠ 1`, `wrt`, the renaming options, and
//! exact zeros for parameters the result does not depend on.

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

use autodiff::testing::central_difference;
use autodiff::{differentiate, stop_gradient};
use common::{
    assert_close, check, flat, forward_matches_grad, forward_matches_grad_tol, modes_agree_1,
    modes_agree_2,
};

// ---- x² + y² ----------------------------------------------------------------------------------

#[differentiate]
fn square_sum(x: f64, y: f64) -> f64 {
    x * x + y * y
}

#[test]
fn sum_of_squares_at_one_two() {
    assert_eq!(square_sum_grad(1.0, 2.0), (2.0, 4.0));
    assert_eq!(square_sum_value_and_grad(1.0, 2.0), (5.0, (2.0, 4.0)));
    for &(x, y) in &[(-3.0_f64, 0.5_f64), (0.25, -7.0)] {
        let (gx, gy) = square_sum_grad(x, y);
        check("square_sum", &[x, y], &[gx, gy], &[2.0 * x, 2.0 * y], |p| {
            square_sum(p[0], p[1])
        });
    }
}

// ---- x·x·x against stop_gradient(x·x)·x ----------------------------------------------------------

#[differentiate]
fn cube(x: f64) -> f64 {
    x * x * x
}

#[differentiate]
fn detached_cube(x: f64) -> f64 {
    stop_gradient(x * x) * x
}

#[test]
fn cube_and_detached_cube() {
    for &x in &[0.0_f64, 1.0, 2.0, -1.5, 3.25] {
        assert_eq!(cube(x), detached_cube(x));
        assert_close("d/dx x·x·x", cube_grad(x), 3.0 * x * x, 1e-15);
        assert_eq!(
            detached_cube_grad(x),
            x * x,
            "d/dx stop_gradient(x·x)·x at {x}"
        );
        check("cube", &[x], &[cube_grad(x)], &[3.0 * x * x], |p| {
            cube(p[0])
        });
    }
    assert_eq!(cube_grad(2.0), 12.0);
    assert_eq!(detached_cube_grad(2.0), 4.0);
}

// ---- the control-flow example ------------------------------------------------------------------

#[differentiate]
fn control_flow(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b = b * 2.0;
    }
    let c = if b > 0.0 { b } else { 100.0 * b };
    c
}

/// f(a) = k a: k = 2ⁿ⁺¹ for the n doublings of the loop, times 100 when b < 0.
fn control_flow_slope(a: f64) -> (f64, u32) {
    let mut b = a * 2.0;
    let mut doublings = 0;
    while b.abs() < 1000.0 {
        b *= 2.0;
        doublings += 1;
    }
    let k = 2.0_f64.powi(doublings as i32 + 1);
    (if b > 0.0 { k } else { 100.0 * k }, doublings)
}

#[test]
fn control_flow_gradient_is_value_over_a() {
    let points = [
        0.3, -0.7, 1.5, -2.2, 1e-3, -1e-3, 3.7e-5, -6.1e-8, 1e-10, -2.5e-200, 123.4, -321.0, 499.9,
        600.0, -1500.0, 4.2e6,
    ];
    let mut max_doublings = 0;
    for &a in &points {
        let (value, grad) = control_flow_value_and_grad(a);
        assert_eq!(value, control_flow(a));
        let (slope, doublings) = control_flow_slope(a);
        max_doublings = max_doublings.max(doublings);
        // Hand-derived: the slope k, and f(a) / a.
        assert_eq!(grad, slope, "f'({a})");
        assert_close(&format!("f'({a}) vs f(a)/a"), grad, value / a, 1e-15);
        // Central differences with a step relative to a (the function is linear near a).
        let numeric = central_difference(control_flow, a, a.abs() * 1e-7);
        assert_close(&format!("f'({a}) vs differences"), grad, numeric, 1e-6);
    }
    assert!(max_doublings > 600, "a tiny a should loop many times");
}

// ---- f_adjoint with d_out ≠ 1 -----------------------------------------------------------------

#[differentiate]
fn mixed(x: f64, y: f64, n: usize) -> f64 {
    let mut s = x;
    for _ in 0..n {
        s = (s * y).sin() + s;
    }
    if s > 0.0 {
        s * x
    } else {
        s - y
    }
}

#[test]
fn adjoint_scales_the_gradient_by_d_out() {
    for &(x, y, n) in &[(0.5_f64, 1.5_f64, 3usize), (-1.0, 2.0, 4), (1.3, -0.4, 0)] {
        let (v1, (gx, gy)) = mixed_value_and_grad(x, y, n);
        // Powers of two scale exactly.
        for &d in &[2.0, -0.5, 0.0, 1024.0] {
            let (v, (ax, ay)) = mixed_adjoint(x, y, n, d);
            assert_eq!(v, v1);
            assert_eq!((ax, ay), (d * gx, d * gy), "adjoint with d_out = {d}");
        }
        for &d in &[-2.5, 0.1, 3.0, 1e-7] {
            let (v, (ax, ay)) = mixed_adjoint(x, y, n, d);
            assert_eq!(v, v1);
            assert_close("adjoint x", ax, d * gx, 1e-14);
            assert_close("adjoint y", ay, d * gy, 1e-14);
        }
    }
    for &(a, d) in &[(0.3_f64, -3.0_f64), (-2.2, 0.75), (1e-3, 10.0)] {
        let (v, g) = control_flow_adjoint(a, d);
        assert_eq!(v, control_flow(a));
        assert_close("control_flow adjoint", g, d * control_flow_grad(a), 1e-15);
    }
    // One float parameter: the adjoint's gradient is a bare float, not a 1-tuple.
    let (v, g): (f64, f64) = cube_adjoint(2.0, -1.5);
    assert_eq!((v, g), (8.0, -18.0));
}

// ---- wrt --------------------------------------------------------------------------------------

#[differentiate(wrt(a))]
fn only_a(a: f64, b: f64, n: usize) -> f64 {
    a * b * n as f64 + b.sin()
}

#[differentiate(wrt(a, c))]
fn a_and_c(a: f64, b: f64, c: f64) -> f64 {
    a * b + b * c * c + a * c
}

#[differentiate(wrt(y))]
fn f32_wrt(x: f64, y: f32) -> f64 {
    x * (y as f64) * (y as f64)
}

#[test]
fn wrt_restricts_the_gradient() {
    for &(a, b, n) in &[(0.5_f64, 1.5_f64, 3usize), (-1.0, 2.0, 0)] {
        let g: f64 = only_a_grad(a, b, n);
        assert_eq!(g, b * n as f64);
        let (v, g) = only_a_value_and_grad(a, b, n);
        assert_eq!((v, g), (only_a(a, b, n), b * n as f64));
        let (v, g) = only_a_adjoint(a, b, n, -2.0);
        assert_eq!((v, g), (only_a(a, b, n), -2.0 * b * n as f64));
        check(
            "only_a",
            &[a],
            &[only_a_grad(a, b, n)],
            &[b * n as f64],
            |p| only_a(p[0], b, n),
        );
    }
    for &(a, b, c) in &[(0.5_f64, 1.5_f64, -2.0_f64), (-1.0, 2.0, 0.3)] {
        let (ga, gc): (f64, f64) = a_and_c_grad(a, b, c);
        let hand = [b + c, 2.0 * b * c + a];
        check("a_and_c", &[a, c], &[ga, gc], &hand, |p| {
            a_and_c(p[0], b, p[1])
        });
        let (v, (ga2, gc2)) = a_and_c_adjoint(a, b, c, 4.0);
        assert_eq!(v, a_and_c(a, b, c));
        assert_eq!((ga2, gc2), (4.0 * ga, 4.0 * gc));
    }
    let g: f32 = f32_wrt_grad(1.5, 2.0);
    assert_eq!(g, 6.0);
}

// ---- renaming the generated functions ----------------------------------------------------------

#[differentiate(grad = df, value_and_grad = vdf, adjoint = adj)]
fn renamed(x: f64, y: f64) -> f64 {
    x.exp() * y
}

#[differentiate(wrt(y), grad = dfdy)]
fn renamed_wrt(x: f64, y: f64) -> f64 {
    x * y * y
}

#[differentiate]
fn calls_renamed(x: f64) -> f64 {
    renamed(x, x) + renamed_wrt(x, 2.0)
}

#[test]
fn renaming_options() {
    for &(x, y) in &[(0.5_f64, 1.5_f64), (-1.0, 2.0)] {
        let hand = [x.exp() * y, x.exp()];
        let (gx, gy) = df(x, y);
        check("renamed", &[x, y], &[gx, gy], &hand, |p| {
            renamed(p[0], p[1])
        });
        assert_eq!(vdf(x, y), (renamed(x, y), (gx, gy)));
        assert_eq!(adj(x, y, 2.0), (renamed(x, y), (2.0 * gx, 2.0 * gy)));
        // Only `grad` renamed: the others keep their default names.
        assert_eq!(dfdy(x, y), 2.0 * x * y);
        assert_eq!(
            renamed_wrt_value_and_grad(x, y),
            (renamed_wrt(x, y), 2.0 * x * y)
        );
        assert_eq!(
            renamed_wrt_adjoint(x, y, -1.0),
            (renamed_wrt(x, y), -2.0 * x * y)
        );
        // A caller of renamed functions still differentiates through them.
        let hand = x.exp() * x + x.exp() + 4.0;
        check(
            "calls_renamed",
            &[x],
            &[calls_renamed_grad(x)],
            &[hand],
            |p| calls_renamed(p[0]),
        );
    }
}

// ---- exact zeros ------------------------------------------------------------------------------

#[differentiate]
fn ignores_some(x: f64, y: f64, z: f64, w: f64) -> f64 {
    let unused = y.sin() * 3.0 + z;
    let _ = unused;
    let k = if w > 0.0 { 2.0 } else { -1.0 };
    x * k + stop_gradient(z * z) + (y - y) * 0.0 + z - z
}

#[differentiate]
#[allow(unused_assignments)]
fn overwritten_param(x: f64, mut y: f64) -> f64 {
    y = y * 2.0;
    y = 1.5;
    x * y
}

#[test]
fn gradient_is_exactly_zero_for_parameters_the_result_does_not_depend_on() {
    for &(x, y, z, w) in &[
        (0.5_f64, 1.5_f64, -2.0_f64, 1.0_f64),
        (-1.0, 2.0, 0.3, -1.0),
    ] {
        let (gx, gy, gz, gw) = ignores_some_grad(x, y, z, w);
        assert_eq!(gx, if w > 0.0 { 2.0 } else { -1.0 });
        assert_eq!(gy, 0.0, "d/dy: y only in dead code and in y - y");
        assert_eq!(gz, 0.0, "d/dz: z cancels and is otherwise stopped");
        assert_eq!(gw, 0.0, "d/dw: w only in a condition");
        let (gx, gy) = overwritten_param_grad(x, y);
        assert_eq!((gx, gy), (1.5, 0.0));
    }
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`,
/// or its renamed form), at random points: the derivative along a random direction is the
/// gradient dotted with it. With `wrt`, only the listed parameters get a direction.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.5, 2.5);
    modes_agree_2(
        "square_sum",
        [GEN, GEN],
        square_sum_tangent,
        square_sum_grad,
    );
    modes_agree_1("cube", GEN, cube_tangent, cube_grad);
    modes_agree_1(
        "detached_cube",
        GEN,
        detached_cube_tangent,
        detached_cube_grad,
    );
    modes_agree_1("control_flow", GEN, control_flow_tangent, control_flow_grad);
    for n in [0, 1, 4] {
        let t = |x, dx, y, dy| mixed_tangent(x, dx, y, dy, n);
        modes_agree_2(&format!("mixed n = {n}"), [GEN, GEN], t, |x, y| {
            mixed_grad(x, y, n)
        });
        let t = |a, da| only_a_tangent(a, da, 0.7, n);
        modes_agree_1(&format!("only_a n = {n}"), GEN, t, |a| {
            only_a_grad(a, 0.7, n)
        });
    }
    let t = |a, da, c, dc| a_and_c_tangent(a, da, -1.3, c, dc);
    modes_agree_2("a_and_c", [GEN, GEN], t, |a, c| a_and_c_grad(a, -1.3, c));
    // y in f32: both modes round it (and its tangent) to f32.
    forward_matches_grad_tol(
        "f32_wrt",
        &[GEN],
        |y, v| f32_wrt_tangent(1.7, y[0] as f32, v[0] as f32).1,
        |y| flat(f32_wrt_grad(1.7, y[0] as f32)),
        1e-6,
    );
    modes_agree_2("renamed", [GEN, GEN], renamed_tangent, df);
    let t = |y, dy| renamed_wrt_tangent(0.9, y, dy);
    modes_agree_1("renamed_wrt", GEN, t, |y| dfdy(0.9, y));
    modes_agree_1(
        "calls_renamed",
        GEN,
        calls_renamed_tangent,
        calls_renamed_grad,
    );
    forward_matches_grad(
        "ignores_some",
        &[GEN; 4],
        |x, v| ignores_some_tangent(x[0], v[0], x[1], v[1], x[2], v[2], x[3], v[3]).1,
        |x| flat(ignores_some_grad(x[0], x[1], x[2], x[3])),
    );
    let (t, g) = (overwritten_param_tangent, overwritten_param_grad);
    modes_agree_2("overwritten_param", [GEN, GEN], t, g);
}
