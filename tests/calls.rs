//! Calls: to other `#[differentiate]` functions (composition, integer parameters, a `wrt`
//! helper, recursion, module paths) and to ordinary functions with inactive arguments;
//! `stop_gradient` around arbitrary expressions; `assert!`, `debug_assert!` and `println!`.

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

use autodiff::{differentiate, stop_gradient};
use common::{
    assert_close, check, flat, forward_matches_grad, forward_matches_grad_tol, modes_agree_1,
    modes_agree_2,
};

// ---- composition ------------------------------------------------------------------------------

#[differentiate]
fn sq(x: f64) -> f64 {
    x * x
}

#[differentiate]
fn compose(x: f64, y: f64) -> f64 {
    sq(x * y) + sq(sq(x)) * y
}

#[test]
fn composition_of_differentiated_functions() {
    for &(x, y) in &[(0.5_f64, 1.5_f64), (-1.0, 2.0), (1.3, -0.4)] {
        // f = x²y² + x⁴ y
        let hand = [
            2.0 * x * y * y + 4.0 * x.powi(3) * y,
            2.0 * x * x * y + x.powi(4),
        ];
        let (v, (gx, gy)) = compose_value_and_grad(x, y);
        assert_eq!(v, compose(x, y));
        check("compose", &[x, y], &[gx, gy], &hand, |p| {
            compose(p[0], p[1])
        });
    }
}

// ---- a helper with an integer parameter ---------------------------------------------------------

/// Horner evaluation of 1 xⁿ + 2 xⁿ⁻¹ + … + (n + 1).
#[differentiate]
fn poly(x: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for k in 0..=n {
        s = s * x + (k as f64 + 1.0);
    }
    s
}

#[differentiate]
fn uses_poly(x: f64, y: f64, n: usize) -> f64 {
    poly(x * y, n) + poly(y, 2) * x
}

fn poly_and_derivative(x: f64, n: usize) -> (f64, f64) {
    // Σ_k (k + 1) x^(n - k) and its derivative.
    let value = (0..=n)
        .map(|k| (k as f64 + 1.0) * x.powi((n - k) as i32))
        .sum();
    let slope = (0..n)
        .map(|k| (k as f64 + 1.0) * (n - k) as f64 * x.powi((n - k) as i32 - 1))
        .sum();
    (value, slope)
}

#[test]
fn helper_with_an_integer_parameter() {
    for &(x, n) in &[(0.5_f64, 0usize), (-1.5, 3), (2.0, 5)] {
        let (_, dp) = poly_and_derivative(x, n);
        let (v, g) = poly_value_and_grad(x, n);
        assert_eq!(v, poly(x, n));
        check("poly", &[x], &[g], &[dp], |p| poly(p[0], n));
    }
    for &(x, y, n) in &[(0.5_f64, 1.5_f64, 3usize), (-1.0, 0.7, 4), (1.2, -0.3, 1)] {
        let (_, dpxy) = poly_and_derivative(x * y, n);
        let (py, dpy) = poly_and_derivative(y, 2);
        let hand = [dpxy * y + py, dpxy * x + dpy * x];
        let (v, (gx, gy)) = uses_poly_value_and_grad(x, y, n);
        assert_eq!(v, uses_poly(x, y, n));
        check("uses_poly", &[x, y], &[gx, gy], &hand, |p| {
            uses_poly(p[0], p[1], n)
        });
    }
}

// ---- a helper restricted with wrt ------------------------------------------------------------

#[differentiate(wrt(a))]
fn weighted(a: f64, b: f64, k: i32) -> f64 {
    a * b.powi(k) + b
}

#[differentiate]
fn uses_weighted(x: f64, y: f64) -> f64 {
    weighted(x, y * x, 3) + weighted(y, x, 1)
}

#[test]
fn caller_differentiates_through_every_float_parameter_of_a_wrt_helper() {
    for &(x, y) in &[(0.5_f64, 1.5_f64), (-1.0, 2.0), (1.3, -0.4)] {
        // The helper's own gradient is only ∂/∂a = b^k.
        assert_close("weighted_grad", weighted_grad(x, y, 3), y.powi(3), 1e-12);
        // f = x (yx)³ + yx + y x + x = x⁴y³ + 2xy + x
        let hand = [
            4.0 * x.powi(3) * y.powi(3) + 2.0 * y + 1.0,
            3.0 * x.powi(4) * y * y + 2.0 * x,
        ];
        let (v, (gx, gy)) = uses_weighted_value_and_grad(x, y);
        assert_eq!(v, uses_weighted(x, y));
        check("uses_weighted", &[x, y], &[gx, gy], &hand, |p| {
            uses_weighted(p[0], p[1])
        });
    }
}

// ---- recursion --------------------------------------------------------------------------------

#[differentiate]
fn p(x: f64, n: u32) -> f64 {
    if n == 0 {
        1.0
    } else {
        x * p(x, n - 1)
    }
}

#[test]
fn recursion_power() {
    for &(x, n) in &[(0.5_f64, 0u32), (1.5, 1), (-1.2, 4), (2.0, 7)] {
        let hand = if n == 0 {
            0.0
        } else {
            n as f64 * x.powi(n as i32 - 1)
        };
        let (v, g) = p_value_and_grad(x, n);
        assert_eq!(v, x.powi(n as i32));
        check("p", &[x], &[g], &[hand], |q| p(q[0], n));
    }
}

#[differentiate]
fn twofold(x: f64, n: u32) -> f64 {
    if n < 2 {
        x + n as f64
    } else {
        twofold(x, n - 1) * x.sin() + twofold(x, n - 2)
    }
}

#[test]
fn recursion_with_two_recursive_calls() {
    for &(x, n) in &[(0.5_f64, 1u32), (1.5, 2), (-1.2, 5), (2.0, 8)] {
        // r_n = r_{n-1} sin x + r_{n-2}, built bottom-up with derivatives.
        let mut r = vec![(x, 1.0), (x + 1.0, 1.0)];
        for k in 2..=n as usize {
            let (a, da) = r[k - 1];
            let (b, db) = r[k - 2];
            r.push((a * x.sin() + b, da * x.sin() + a * x.cos() + db));
        }
        let (value, hand) = r[n as usize];
        let (v, g) = twofold_value_and_grad(x, n);
        assert_close("twofold value", v, value, 1e-12);
        check("twofold", &[x], &[g], &[hand], |q| twofold(q[0], n));
    }
}

// ---- calls to ordinary functions with inactive arguments ---------------------------------------

fn scale(n: usize) -> f64 {
    1.0 / (n as f64 + 1.0)
}

fn offset(a: f64, b: f64) -> f64 {
    a * 10.0 - b
}

#[differentiate]
fn uses_plain_functions(x: f64, n: usize) -> f64 {
    let k = scale(n);
    x * scale(n) + scale(3) * x.sin() + offset(2.0, k) + k * x * x
}

#[test]
fn ordinary_functions_with_inactive_arguments() {
    for &(x, n) in &[(0.5_f64, 0usize), (-1.5, 3), (2.0, 9)] {
        let k = scale(n);
        let hand = k + 0.25 * x.cos() + 2.0 * k * x;
        let (v, g) = uses_plain_functions_value_and_grad(x, n);
        assert_eq!(v, uses_plain_functions(x, n));
        check("uses_plain_functions", &[x], &[g], &[hand], |q| {
            uses_plain_functions(q[0], n)
        });
    }
}

// ---- calls through module paths, inside loops and branches --------------------------------------

mod shapes {
    use autodiff::differentiate;

    #[differentiate]
    pub fn bump(x: f64, width: f64) -> f64 {
        (-(x * x) / (width * width)).exp()
    }
}

#[differentiate]
fn calls_in_control_flow(x: f64, w: f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        let c = x - (i as f64);
        if c > 0.0 {
            s = s + shapes::bump(c, w) * crate::sq(c);
        } else {
            s = s - self::sq(s + c);
        }
    }
    s
}

#[test]
fn calls_through_paths_inside_loops_and_branches() {
    for &(x, w, n) in &[
        (1.5_f64, 0.8_f64, 3usize),
        (0.3, 1.2, 4),
        (2.7, 2.0, 5),
        (-0.5, 1.0, 2),
    ] {
        let (mut s, mut ds) = (0.0_f64, [0.0, 0.0]);
        for i in 0..n {
            let c = x - i as f64;
            if c > 0.0 {
                let b = (-(c * c) / (w * w)).exp();
                let db = [b * (-2.0 * c / (w * w)), b * (2.0 * c * c / (w * w * w))];
                ds = [ds[0] + db[0] * c * c + b * 2.0 * c, ds[1] + db[1] * c * c];
                s += b * c * c;
            } else {
                let u = s + c;
                ds = [ds[0] - 2.0 * u * (ds[0] + 1.0), ds[1] - 2.0 * u * ds[1]];
                s -= u * u;
            }
        }
        let (v, (gx, gw)) = calls_in_control_flow_value_and_grad(x, w, n);
        assert_eq!(v, calls_in_control_flow(x, w, n));
        check("calls_in_control_flow", &[x, w], &[gx, gw], &ds, |q| {
            calls_in_control_flow(q[0], q[1], n)
        });
    }
}

// ---- stop_gradient around arbitrary expressions ------------------------------------------------

#[differentiate]
fn stopped(x: f64, y: f64) -> f64 {
    let a = stop_gradient(x * y) * x;
    let b = stop_gradient(if x > 0.0 { x.sin() } else { y }) + y * y;
    let c = autodiff::stop_gradient({
        let t = x.exp();
        t + y
    }) * y;
    let d = stop_gradient({
        let mut total = 0.0;
        for i in 0..3 {
            total += x * i as f64;
        }
        total
    });
    let e = stop_gradient(sq(y)) * stop_gradient(x.max(y)) + stop_gradient(x) * y.sin();
    a + b + c + d + e
}

#[test]
fn stop_gradient_blocks_the_derivative_of_any_expression() {
    for &(x, y) in &[(0.5_f64, 1.5_f64), (-1.0, 2.0), (1.3, -0.4)] {
        // Only the factors outside stop_gradient are differentiated.
        let hand = [x * y, 2.0 * y + (x.exp() + y) + x * y.cos()];
        let (v, (gx, gy)) = stopped_value_and_grad(x, y);
        assert_eq!(v, stopped(x, y));
        let a = x * y * x;
        let b = if x > 0.0 { x.sin() } else { y } + y * y;
        let c = (x.exp() + y) * y;
        let d = 3.0 * x;
        let e = y * y * x.max(y) + x * y.sin();
        assert_close("stopped value", v, a + b + c + d + e, 1e-12);
        // Finite differences see through stop_gradient, so compare the hand gradient with
        // differences of the same function with the stopped parts frozen.
        let frozen = |q: &[f64]| {
            x * y * q[0]
                + if x > 0.0 { x.sin() } else { y }
                + q[1] * q[1]
                + (x.exp() + y) * q[1]
                + 3.0 * x
                + y * y * x.max(y)
                + x * q[1].sin()
        };
        check("stopped", &[x, y], &[gx, gy], &hand, frozen);
    }
}

// ---- assert!, debug_assert!, println! ----------------------------------------------------------

#[differentiate]
fn with_effects(x: f64, y: f64) -> f64 {
    assert!(x.is_finite(), "x must be finite, got {}", x);
    let z = x * y;
    debug_assert!(z == x * y, "z = {}", z);
    println!("z = {}", z);
    let z = z.sin();
    assert_eq!(z, (x * y).sin());
    let mut acc = 0.0;
    for i in 0..3 {
        assert!(i < 3);
        acc = acc + z * x;
        println!("iteration {}: acc = {:.3}", i, acc);
        debug_assert_ne!(acc, f64::INFINITY);
    }
    eprintln!("done: {}", acc);
    acc
}

#[test]
fn assertions_and_printing_run_in_the_forward_sweep_only() {
    for &(x, y) in &[(0.5_f64, 1.5_f64), (-1.0, 2.0), (1.3, -0.4)] {
        // f = 3 x sin(xy)
        let u = x * y;
        let hand = [3.0 * u.sin() + 3.0 * x * u.cos() * y, 3.0 * x * u.cos() * x];
        let (v, (gx, gy)) = with_effects_value_and_grad(x, y);
        assert_eq!(v, with_effects(x, y));
        check("with_effects", &[x, y], &[gx, gy], &hand, |q| {
            with_effects(q[0], q[1])
        });
    }
}

#[test]
#[should_panic(expected = "x must be finite, got NaN")]
fn assertions_in_the_body_still_fire_in_the_generated_functions() {
    let _ = with_effects_grad(f64::NAN, 1.0);
}

#[differentiate]
fn effects_with_inline_format_arguments(x: f64) -> f64 {
    let y = x + 1.0;
    let y = y * 2.0;
    assert_eq!(format!("{y}"), format!("{}", y));
    y * x
}

#[test]
fn inline_format_arguments_see_the_shadowing_binding() {
    for &x in &[0.5_f64, -2.0] {
        assert_eq!(effects_with_inline_format_arguments(x), 2.0 * (x + 1.0) * x);
        let g = effects_with_inline_format_arguments_grad(x);
        check(
            "effects_with_inline_format_arguments",
            &[x],
            &[g],
            &[4.0 * x + 2.0],
            |q| effects_with_inline_format_arguments(q[0]),
        );
    }
}

// ---- an f32 function called from an f64 one ----------------------------------------------------

#[differentiate]
fn g32(x: f32) -> f32 {
    x * x.sin()
}

#[differentiate]
fn calls_g32(x: f64) -> f64 {
    (g32(x as f32) as f64) * x
}

#[test]
fn f32_callee_inside_an_f64_function() {
    for &x in &[0.7_f64, -1.3, 2.0] {
        // f = x · x sin x (the inner product in f32)
        let hand = 2.0 * x * x.sin() + x * x * x.cos();
        let g = calls_g32_grad(x);
        let numeric = common::gradient_with_step(|p| calls_g32(p[0]), &[x], 1e-2);
        assert_close("calls_g32 vs hand", g, hand, 1e-5);
        assert_close("calls_g32 vs differences", g, numeric[0], 1e-3);
        let g = g32_grad(x as f32) as f64;
        assert_close("g32 vs hand", g, x.sin() + x * x.cos(), 1e-5);
    }
}

#[differentiate]
fn product_at(a: &[f64], idx: &[usize]) -> f64 {
    a[idx[0]] * a[idx[1]]
}

/// A local `Vec` borrowed by a call inside a loop: the tape keeps a copy of it, since the
/// `Vec` is gone by the time the reverse sweep passes it to the callee's pullback.
#[differentiate]
fn mirrored_products(a: &[f64], n: usize) -> f64 {
    let mut total = 0.0;
    for i in 0..n {
        let idx: Vec<usize> = vec![i, n - 1 - i];
        total += product_at(a, &idx);
    }
    total
}

/// The same after an early return, which puts the rest of the body in a nested block.
#[differentiate]
fn swapped_product(a: &[f64], n: usize) -> f64 {
    if n == 0 {
        return 1.0;
    }
    let idx: Vec<usize> = vec![1, 0];
    product_at(a, &idx)
}

#[test]
fn borrowed_locals_outlive_their_scope_on_the_tape() {
    let a = [1.0, 2.0, 3.0];
    // Σᵢ a_i a_{2−i} = 2 a₀ a₂ + a₁²: gradient (2a₂, 2a₁, 2a₀).
    let hand = [2.0 * a[2], 2.0 * a[1], 2.0 * a[0]];
    common::check(
        "mirrored_products",
        &a,
        &mirrored_products_grad(&a, 3),
        &hand,
        |p| mirrored_products(p, 3),
    );
    let b = [3.0, 5.0];
    common::check(
        "swapped_product",
        &b,
        &swapped_product_grad(&b, 1),
        &[b[1], b[0]],
        |p| swapped_product(p, 1),
    );
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`, which calls the callees'
/// forward modes) and the reverse mode (`f_grad`, which calls their pullbacks), at random points:
/// the derivative along a random direction is the gradient dotted with it.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.0, 2.0);
    modes_agree_1("sq", GEN, sq_tangent, sq_grad);
    modes_agree_2("compose", [GEN, GEN], compose_tangent, compose_grad);
    for n in [0, 1, 2, 5] {
        let name = |f: &str| format!("{f}, n = {n}");
        modes_agree_1(
            &name("poly"),
            GEN,
            |x, dx| poly_tangent(x, dx, n),
            |x| poly_grad(x, n),
        );
        let t = |x, dx, y, dy| uses_poly_tangent(x, dx, y, dy, n);
        modes_agree_2(&name("uses_poly"), [GEN, GEN], t, |x, y| {
            uses_poly_grad(x, y, n)
        });
        let t = |x, dx| uses_plain_functions_tangent(x, dx, n);
        modes_agree_1(&name("uses_plain_functions"), GEN, t, |x| {
            uses_plain_functions_grad(x, n)
        });
        // w away from 0, where the bump's width vanishes.
        let t = |x, dx, w, dw| calls_in_control_flow_tangent(x, dx, w, dw, n);
        let g = |x, w| calls_in_control_flow_grad(x, w, n);
        modes_agree_2(
            &name("calls_in_control_flow"),
            [(-1.0, 6.0), (0.5, 2.0)],
            t,
            g,
        );
    }
    for (n, k) in [(0, -2), (1, 0), (2, 1), (5, 3)] {
        let name = |f: &str| format!("{f}, n = {n}");
        // Only `a` is in `wrt`: b is held fixed.
        let t = |a, da| weighted_tangent(a, da, 1.3, k);
        modes_agree_1(&name("weighted"), GEN, t, |a| weighted_grad(a, 1.3, k));
        modes_agree_1(
            &name("p"),
            GEN,
            |x, dx| p_tangent(x, dx, n),
            |x| p_grad(x, n),
        );
        let t = |x, dx| twofold_tangent(x, dx, n);
        modes_agree_1(&name("twofold"), GEN, t, |x| twofold_grad(x, n));
    }
    modes_agree_2(
        "uses_weighted",
        [GEN, GEN],
        uses_weighted_tangent,
        uses_weighted_grad,
    );
    modes_agree_2(
        "shapes::bump",
        [GEN, (0.5, 2.0)],
        shapes::bump_tangent,
        shapes::bump_grad,
    );
    modes_agree_2("stopped", [GEN, GEN], stopped_tangent, stopped_grad);
    modes_agree_2(
        "with_effects",
        [GEN, GEN],
        with_effects_tangent,
        with_effects_grad,
    );
    let t = effects_with_inline_format_arguments_tangent;
    modes_agree_1(
        "effects_with_inline_format_arguments",
        GEN,
        t,
        effects_with_inline_format_arguments_grad,
    );
    // In f32 both modes round to f32 at every step, so they agree to f32 precision only.
    forward_matches_grad_tol(
        "g32",
        &[GEN],
        |x, v| f64::from(g32_tangent(x[0] as f32, v[0] as f32).1),
        |x| flat(g32_grad(x[0] as f32)),
        1e-5,
    );
    forward_matches_grad_tol(
        "calls_g32",
        &[GEN],
        |x, v| calls_g32_tangent(x[0], v[0]).1,
        |x| flat(calls_g32_grad(x[0])),
        1e-5,
    );
    for idx in [[0, 3], [2, 2], [4, 1]] {
        let t = |a: &[f64], v: &[f64]| product_at_tangent(a, v, &idx).1;
        forward_matches_grad("product_at", &[GEN; 5], t, |a| product_at_grad(a, &idx));
    }
    for n in [0, 1, 4, 5] {
        let t = |a: &[f64], v: &[f64]| mirrored_products_tangent(a, v, n).1;
        forward_matches_grad("mirrored_products", &[GEN; 5], t, |a| {
            mirrored_products_grad(a, n)
        });
        let t = |a: &[f64], v: &[f64]| swapped_product_tangent(a, v, n).1;
        forward_matches_grad("swapped_product", &[GEN; 5], t, |a| {
            swapped_product_grad(a, n)
        });
    }
}

// ---- a callee returning a `Vec` ---------------------------------------------------------------

/// (r cos θ, r sin θ).
#[differentiate]
fn polar_point(r: f64, theta: f64) -> Vec<f64> {
    vec![r * theta.cos(), r * theta.sin()]
}

/// ‖polar_point(r, θ) − (a, 0)‖² = r² − 2ar cos θ + a²: the callee's result is a `Vec`,
/// whose cotangent the caller's reverse sweep accumulates and passes on owned.
#[differentiate]
fn squared_distance_from(r: f64, theta: f64, a: f64) -> f64 {
    let p = polar_point(r, theta);
    (p[0] - a) * (p[0] - a) + p[1] * p[1]
}

#[test]
fn a_callee_returning_a_vec() {
    for &(r, t, a) in &[
        (1.5_f64, 0.4_f64, 0.7_f64),
        (0.3, 2.8, -1.1),
        (2.2, -1.3, 0.0),
    ] {
        let hand = [
            2.0 * r - 2.0 * a * t.cos(),
            2.0 * a * r * t.sin(),
            2.0 * a - 2.0 * r * t.cos(),
        ];
        let (gr, gt, ga) = squared_distance_from_grad(r, t, a);
        check(
            "squared_distance_from",
            &[r, t, a],
            &[gr, gt, ga],
            &hand,
            |v| squared_distance_from(v[0], v[1], v[2]),
        );
        let (_, slope) = squared_distance_from_tangent(r, 0.5, t, -1.0, a, 2.0);
        common::assert_close(
            "squared_distance_from tangent",
            slope,
            0.5 * hand[0] - hand[1] + 2.0 * hand[2],
            1e-12,
        );
    }
}
