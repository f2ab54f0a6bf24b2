//! Straight-line code: `let` forms, shadowing, reassignment, compound assignment, block
//! expressions, parentheses, literals, unary minus, casts, `f32`, and deep arithmetic.

// The differentiated bodies deliberately use the forms under test (`s = s + x` next to
// `s += x`, `!(a < b)`, counters kept by hand, `x as f64` on an `f64`), which clippy's
// style lints would rewrite.
#![allow(
    clippy::unnecessary_cast,
    clippy::assign_op_pattern,
    clippy::neg_cmp_op_on_partial_ord,
    clippy::eq_op,
    clippy::explicit_counter_loop,
    clippy::let_and_return
)]

mod common;

use autodiff::differentiate;
use common::{
    assert_close, check, flat, forward_matches_grad_tol, gradient_with_step, modes_agree_1,
    modes_agree_2, modes_agree_3,
};

// ---- let with and without a type annotation ------------------------------------------------

#[differentiate]
fn lets(x: f64, y: f64) -> f64 {
    let a: f64 = x * y;
    let b = a + x;
    let c: f64 = b * b;
    c - y
}

#[test]
fn let_with_and_without_type_annotation() {
    for &(x, y) in &[(0.5, 1.5), (-2.0, 0.25), (3.0, -1.0)] {
        let (v, (gx, gy)) = lets_value_and_grad(x, y);
        assert_eq!(v, lets(x, y));
        // b = xy + x, f = b² - y
        let b = x * y + x;
        let hand = [2.0 * b * (y + 1.0), 2.0 * b * x - 1.0];
        check("lets", &[x, y], &[gx, gy], &hand, |p| lets(p[0], p[1]));
    }
}

// ---- let mut and reassignment --------------------------------------------------------------

#[differentiate]
fn reassigned(x: f64, y: f64) -> f64 {
    let mut s = x * y;
    s = s * x;
    s = s + y * y;
    s = s * s;
    s
}

#[test]
fn let_mut_and_reassignment() {
    for &(x, y) in &[(0.5, 1.5), (-1.25, 0.75), (2.0, -3.0)] {
        let (v, (gx, gy)) = reassigned_value_and_grad(x, y);
        assert_eq!(v, reassigned(x, y));
        // s3 = x²y + y², f = s3²
        let s3 = x * x * y + y * y;
        let hand = [2.0 * s3 * 2.0 * x * y, 2.0 * s3 * (x * x + 2.0 * y)];
        check("reassigned", &[x, y], &[gx, gy], &hand, |p| {
            reassigned(p[0], p[1])
        });
    }
}

/// A mutable parameter overwritten several times.
#[differentiate]
fn mutable_param(mut x: f64, y: f64) -> f64 {
    x = x * y;
    x = x.sin() + x;
    x = x * x;
    x
}

#[test]
fn mutable_parameter_reassigned() {
    for &(x, y) in &[(0.5, 1.5), (-1.0, 0.3), (2.0, -0.7)] {
        let (v, (gx, gy)) = mutable_param_value_and_grad(x, y);
        assert_eq!(v, mutable_param(x, y));
        // u = xy, w = sin u + u, f = w²: df/du = 2w (cos u + 1)
        let u = x * y;
        let w = u.sin() + u;
        let dfdu = 2.0 * w * (u.cos() + 1.0);
        check(
            "mutable_param",
            &[x, y],
            &[gx, gy],
            &[dfdu * y, dfdu * x],
            |p| mutable_param(p[0], p[1]),
        );
    }
}

// ---- let w; assigned later in each branch ----------------------------------------------------

#[differentiate]
fn deferred(x: f64) -> f64 {
    let w;
    if x > 1.0 {
        w = x * x;
    } else if x > -1.0 {
        w = x.sin();
    } else {
        w = -x;
    }
    w * x
}

#[differentiate]
fn deferred_typed(x: f64, y: f64) -> f64 {
    let w: f64;
    let z: f64;
    if x > y {
        w = x * y;
        z = x;
    } else {
        z = y * y;
        w = z + x;
    }
    w * z
}

#[test]
fn let_without_value_assigned_in_each_branch() {
    for &x in &[1.5, 3.0, 0.5, -0.5, -1.5, -4.0] {
        let (v, g) = deferred_value_and_grad(x);
        assert_eq!(v, deferred(x));
        let hand = if x > 1.0 {
            3.0 * x * x
        } else if x > -1.0 {
            x.sin() + x * x.cos()
        } else {
            -2.0 * x
        };
        check("deferred", &[x], &[g], &[hand], |p| deferred(p[0]));
    }
    for &(x, y) in &[(2.0, 0.5), (1.0, -3.0), (0.5, 2.0), (-1.0, 0.25)] {
        let (v, (gx, gy)) = deferred_typed_value_and_grad(x, y);
        assert_eq!(v, deferred_typed(x, y));
        let hand = if x > y {
            // f = x y · x = x² y
            [2.0 * x * y, x * x]
        } else {
            // f = (y² + x) y²
            [y * y, 2.0 * y * (y * y + x) + y * y * 2.0 * y]
        };
        check("deferred_typed", &[x, y], &[gx, gy], &hand, |p| {
            deferred_typed(p[0], p[1])
        });
    }
}

// ---- shadowing ------------------------------------------------------------------------------

#[differentiate]
fn shadowing(x: f64, y: f64) -> f64 {
    let x = x * 2.0;
    let y = {
        let x = x + y;
        x * x
    };
    let x = x * y;
    x + y
}

#[test]
fn shadowing_in_sequence_and_in_block_expressions() {
    for &(x, y) in &[(0.5, 1.5), (-1.0, 0.5), (2.0, -3.0)] {
        let (v, (gx, gy)) = shadowing_value_and_grad(x, y);
        assert_eq!(v, shadowing(x, y));
        // u = 2x + y, f = 2x u² + u²
        let u = 2.0 * x + y;
        let hand = [2.0 * u * u + 8.0 * x * u + 4.0 * u, 4.0 * x * u + 2.0 * u];
        check("shadowing", &[x, y], &[gx, gy], &hand, |p| {
            shadowing(p[0], p[1])
        });
    }
}

#[differentiate]
fn shadowing_nested(x: f64) -> f64 {
    let mut acc = 0.0;
    if x > 0.0 {
        let x = x * x;
        acc = acc + x;
        {
            let x = x * x;
            acc = acc + x;
        }
        acc = acc + x;
    } else {
        let x = -x;
        acc = acc + x * x * x;
    }
    for i in 0..3 {
        let x = x * (i as f64 + 1.0);
        acc = acc + x * x;
    }
    acc + x
}

#[test]
fn shadowing_inside_branches_blocks_and_loops() {
    for &x in &[0.5, 1.5, -0.5, -2.0] {
        let (v, g) = shadowing_nested_value_and_grad(x);
        assert_eq!(v, shadowing_nested(x));
        // loop: Σ (x (i+1))² = 14 x², derivative 28 x
        let hand = if x > 0.0 {
            // 2x² + x⁴
            4.0 * x + 4.0 * x * x * x
        } else {
            // (-x)³
            -3.0 * x * x
        } + 28.0 * x
            + 1.0;
        check("shadowing_nested", &[x], &[g], &[hand], |p| {
            shadowing_nested(p[0])
        });
    }
}

// ---- compound assignment --------------------------------------------------------------------

#[differentiate]
fn compound(x: f64, y: f64) -> f64 {
    let mut a = x;
    a += y * y;
    a *= x;
    a -= y;
    a /= y + 2.0;
    a *= 3.0;
    a -= 1.5;
    a += 0.25;
    a /= 2.0;
    a
}

#[test]
fn compound_assignment_operators() {
    for &(x, y) in &[(0.5, 1.5), (-1.0, 0.5), (2.0, -3.0)] {
        let (v, (gx, gy)) = compound_value_and_grad(x, y);
        assert_eq!(v, compound(x, y));
        // f = 1.5 N / D + const with N = (x + y²) x - y, D = y + 2
        let n = (x + y * y) * x - y;
        let d = y + 2.0;
        let hand = [
            1.5 * (2.0 * x + y * y) / d,
            1.5 * ((2.0 * x * y - 1.0) / d - n / (d * d)),
        ];
        check("compound", &[x, y], &[gx, gy], &hand, |p| {
            compound(p[0], p[1])
        });
    }
}

// ---- block expressions and parentheses ------------------------------------------------------

#[differentiate]
fn blocks(x: f64) -> f64 {
    let y = {
        let t = x + 1.0;
        t * t
    };
    let z = {
        let t = (y - x) * (x + 2.0);
        t / (1.0 + x * x)
    };
    (y + z) * (x - 0.5)
}

#[test]
fn block_expressions_and_parentheses() {
    for &x in &[0.5, -1.5, 2.0, 0.0] {
        let (v, g) = blocks_value_and_grad(x);
        assert_eq!(v, blocks(x));
        let y = (x + 1.0) * (x + 1.0);
        let dy = 2.0 * (x + 1.0);
        let t = (y - x) * (x + 2.0);
        let dt = (dy - 1.0) * (x + 2.0) + (y - x);
        let d = 1.0 + x * x;
        let z = t / d;
        let dz = dt / d - t * 2.0 * x / (d * d);
        let hand = (dy + dz) * (x - 0.5) + (y + z);
        check("blocks", &[x], &[g], &[hand], |p| blocks(p[0]));
    }
}

// ---- literals and unary minus ---------------------------------------------------------------

#[differentiate]
fn literals(x: f64) -> f64 {
    let a = 2.5_f64 * x + 1e-3 - 0.5f64;
    let b = -a * -(x * 1_000.0) / 4e2;
    -b + -(-x) - -1.
}

#[test]
fn float_literals_and_unary_minus() {
    for &x in &[0.5, -1.5, 3.0] {
        let (v, g) = literals_value_and_grad(x);
        assert_eq!(v, literals(x));
        // b = 2.5 a x, f = -2.5 a x + x + 1
        let a = 2.5 * x + 1e-3 - 0.5;
        let hand = -2.5 * (2.5 * x + a) + 1.0;
        check("literals", &[x], &[g], &[hand], |p| literals(p[0]));
    }
}

// ---- casts ----------------------------------------------------------------------------------

#[differentiate]
fn int_casts(x: f64, n: usize, k: i32) -> f64 {
    let mut s = (n as f64) * x;
    for i in 0..n {
        s = s + (i as f64) * x * x;
    }
    s * (k as f64) + x.powi(k) + (n as f64 - 1.0)
}

#[test]
fn integer_casts_carry_no_derivative() {
    for &(x, n, k) in &[
        (0.5, 3usize, 2i32),
        (-1.5, 0, 3),
        (2.0, 5, -1),
        (1.25, 1, 0),
    ] {
        let (v, g) = int_casts_value_and_grad(x, n, k);
        assert_eq!(v, int_casts(x, n, k));
        let (nf, kf) = (n as f64, k as f64);
        // f = k (n x + n (n - 1) / 2 x²) + x^k + n - 1
        let hand = kf * (nf + nf * (nf - 1.0) * x) + kf * x.powi(k - 1);
        check("int_casts", &[x], &[g], &[hand], |p| int_casts(p[0], n, k));
    }
}

#[differentiate]
fn float_casts(x: f64) -> f64 {
    let y = x as f32;
    let z = y * y + 1.0;
    let w = (z.sqrt() as f64) * x;
    w + (x as f64)
}

#[test]
fn casts_between_f32_and_f64() {
    for &x in &[0.5, -1.5, 2.0] {
        let (v, g) = float_casts_value_and_grad(x);
        assert_eq!(v, float_casts(x));
        // f = x √(x² + 1) + x, in f32 for the square root
        let r = (x * x + 1.0).sqrt();
        let hand = r + x * x / r + 1.0;
        let numeric = gradient_with_step(|p| float_casts(p[0]), &[x], 1e-2);
        println!("float_casts at {x}: generated {g}, hand {hand}, numeric {numeric:?}");
        assert_close("float_casts vs hand", g, hand, 1e-5);
        assert_close("float_casts vs differences", g, numeric[0], 1e-3);
    }
}

// ---- f32 functions --------------------------------------------------------------------------

#[differentiate]
fn single(x: f32, y: f32) -> f32 {
    let s: f32 = (x * y).sin();
    s + x.exp() / y - 2.0 * x
}

#[differentiate]
fn mixed_precision(x: f32, y: f64) -> f64 {
    let a = (x as f64) * y;
    let b = (y as f32) * x;
    a + (b as f64) * y
}

#[test]
fn f32_functions() {
    for &(x, y) in &[(0.5f32, 1.5f32), (-1.0, 0.75), (1.25, -2.0)] {
        let (v, (gx, gy)): (f32, (f32, f32)) = single_value_and_grad(x, y);
        assert_eq!(v, single(x, y));
        let (xd, yd) = (x as f64, y as f64);
        let hand = [
            yd * (xd * yd).cos() + xd.exp() / yd - 2.0,
            xd * (xd * yd).cos() - xd.exp() / (yd * yd),
        ];
        let numeric =
            gradient_with_step(|p| single(p[0] as f32, p[1] as f32) as f64, &[xd, yd], 1e-2);
        println!(
            "single at ({x}, {y}): generated ({gx}, {gy}), hand {hand:?}, numeric {numeric:?}"
        );
        assert_close("single d/dx vs hand", gx as f64, hand[0], 1e-5);
        assert_close("single d/dy vs hand", gy as f64, hand[1], 1e-5);
        assert_close("single d/dx vs differences", gx as f64, numeric[0], 1e-3);
        assert_close("single d/dy vs differences", gy as f64, numeric[1], 1e-3);
    }
    for &(x, y) in &[(0.5f32, 1.5f64), (-1.0, 0.75), (1.25, -2.0)] {
        let (v, (gx, gy)): (f64, (f32, f64)) = mixed_precision_value_and_grad(x, y);
        assert_eq!(v, mixed_precision(x, y));
        // f = x y + x y² (the second product rounded through f32)
        let xd = x as f64;
        let hand = [y + y * y, xd + 2.0 * xd * y];
        let numeric = gradient_with_step(|p| mixed_precision(p[0] as f32, p[1]), &[xd, y], 1e-2);
        println!("mixed at ({x}, {y}): generated ({gx}, {gy}), hand {hand:?}, numeric {numeric:?}");
        assert_close("mixed d/dx vs hand", gx as f64, hand[0], 1e-5);
        assert_close("mixed d/dy vs hand", gy, hand[1], 1e-5);
        assert_close("mixed d/dx vs differences", gx as f64, numeric[0], 1e-3);
        assert_close("mixed d/dy vs differences", gy, numeric[1], 1e-3);
    }
}

// ---- deep arithmetic nesting ----------------------------------------------------------------

#[differentiate]
fn horner(x: f64) -> f64 {
    ((((x + 1.0) * x + 2.0) * x + 3.0) * x + 4.0) * (x - (x * (x - (x * (x - 1.0)))))
}

#[test]
fn deeply_nested_polynomial() {
    for &x in &[0.5, -1.5, 2.0, 0.0] {
        let (v, g) = horner_value_and_grad(x);
        assert_eq!(v, horner(x));
        // p = ((((x + 1) x + 2) x + 3) x + 4 = x⁴ + x³ + 2x² + 3x + 4, and q expanded by hand:
        // x(x - 1) = x² - x; x - (x² - x) = 2x - x²; x(2x - x²) = 2x² - x³;
        // q = x - 2x² + x³
        let p = x.powi(4) + x.powi(3) + 2.0 * x * x + 3.0 * x + 4.0;
        let dp = 4.0 * x.powi(3) + 3.0 * x * x + 4.0 * x + 3.0;
        let q = x - 2.0 * x * x + x.powi(3);
        let dq = 1.0 - 4.0 * x + 3.0 * x * x;
        check("horner", &[x], &[g], &[dp * q + p * dq], |p| horner(p[0]));
    }
}

#[differentiate]
fn nested3(x: f64, y: f64, z: f64) -> f64 {
    (x * (y + (z - x) * (y / (1.0 + z * z)))) - ((x + y) * (x - y)) / (2.0 + (z * x) * (z * x))
}

#[test]
fn deeply_nested_three_variables() {
    for &(x, y, z) in &[(0.5, 1.5, -0.5), (-1.0, 2.0, 0.25), (2.0, -0.5, 1.5)] {
        let (v, (gx, gy, gz)) = nested3_value_and_grad(x, y, z);
        assert_eq!(v, nested3(x, y, z));
        // A = x (y + (z - x) y / c) with c = 1 + z²; B = (x² - y²) / d with d = 2 + z² x²
        let c = 1.0 + z * z;
        let inner = y + (z - x) * y / c;
        let d = 2.0 * 1.0 + z * z * x * x;
        let num = x * x - y * y;
        let da_dx = inner + x * (-y / c);
        let da_dy = x * (1.0 + (z - x) / c);
        let da_dz = x * (y / c - (z - x) * y * 2.0 * z / (c * c));
        let db_dx = 2.0 * x / d - num * 2.0 * z * z * x / (d * d);
        let db_dy = -2.0 * y / d;
        let db_dz = -num * 2.0 * z * x * x / (d * d);
        let hand = [da_dx - db_dx, da_dy - db_dy, da_dz - db_dz];
        check("nested3", &[x, y, z], &[gx, gy, gz], &hand, |p| {
            nested3(p[0], p[1], p[2])
        });
    }
}

#[test]
fn value_of_generated_functions_matches_original() {
    // The adjoint's value is the original function's, bit for bit.
    for &x in &[0.5, -1.5] {
        assert_eq!(horner_adjoint(x, 3.0).0, horner(x));
        assert_eq!(blocks_adjoint(x, -2.0).0, blocks(x));
    }
}

// ---- compound assignment reading its own target, and assigning block / if / loop values ---

#[differentiate]
fn self_compound(x: f64) -> f64 {
    let mut a = x;
    a *= a;
    a += a;
    a -= a * 0.25;
    a /= a + 1.0;
    a
}

#[test]
fn compound_assignment_reading_its_own_target() {
    for &x in &[0.7_f64, -1.3, 2.5] {
        // a = 1.5 x², f = a / (a + 1), f' = 3x / (a + 1)²
        let a = 1.5 * x * x;
        let hand = 3.0 * x / ((a + 1.0) * (a + 1.0));
        let (v, g) = self_compound_value_and_grad(x);
        assert_eq!(v, self_compound(x));
        check("self_compound", &[x], &[g], &[hand], |p| {
            self_compound(p[0])
        });
    }
}

#[differentiate]
fn assign_values(x: f64) -> f64 {
    let mut y = x;
    y = {
        let t = y * 2.0;
        t + y
    };
    y = if y > 0.0 { y * y } else { -y };
    let mut k = 0;
    y = loop {
        k += 1;
        if k > 2 {
            break y * x;
        }
        y = y + x;
    };
    y
}

#[test]
fn assigning_block_if_and_loop_values() {
    for &x in &[0.7_f64, -1.3, 2.5, -0.2] {
        // y = 3x; then (3x)² or -3x; then + 2x; then · x
        let (y, dy) = if x > 0.0 {
            (9.0 * x * x, 18.0 * x)
        } else {
            (-3.0 * x, -3.0)
        };
        let (y, dy) = (y + 2.0 * x, dy + 2.0);
        let hand = dy * x + y;
        let (v, g) = assign_values_value_and_grad(x);
        assert_eq!(v, assign_values(x));
        check("assign_values", &[x], &[g], &[hand], |p| {
            assign_values(p[0])
        });
    }
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`),
/// at random points: the derivative along a random direction is the gradient dotted with it.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.5, 2.5);
    // Each of these reassigns a variable from an expression that reads it (`s = s * x`,
    // `a *= x`, `a /= a + 1.0`): their forward mode once computed the tangent from the new value.
    modes_agree_2(
        "reassigned",
        [GEN, GEN],
        reassigned_tangent,
        reassigned_grad,
    );
    let (t, g) = (mutable_param_tangent, mutable_param_grad);
    modes_agree_2("mutable_param", [GEN, GEN], t, g);
    modes_agree_2("compound", [GEN, GEN], compound_tangent, compound_grad);
    let (t, g) = (self_compound_tangent, self_compound_grad);
    modes_agree_1("self_compound", GEN, t, g);
    let (t, g) = (assign_values_tangent, assign_values_grad);
    modes_agree_1("assign_values", GEN, t, g);
    modes_agree_2("lets", [GEN, GEN], lets_tangent, lets_grad);
    modes_agree_1("deferred", GEN, deferred_tangent, deferred_grad);
    modes_agree_2(
        "deferred_typed",
        [GEN, GEN],
        deferred_typed_tangent,
        deferred_typed_grad,
    );
    modes_agree_2("shadowing", [GEN, GEN], shadowing_tangent, shadowing_grad);
    modes_agree_1(
        "shadowing_nested",
        GEN,
        shadowing_nested_tangent,
        shadowing_nested_grad,
    );
    modes_agree_1("blocks", GEN, blocks_tangent, blocks_grad);
    modes_agree_1("literals", GEN, literals_tangent, literals_grad);
    for (n, k) in [(0, 0), (1, -2), (3, 1), (4, 3)] {
        let t = |x, dx| int_casts_tangent(x, dx, n, k);
        modes_agree_1(&format!("int_casts n = {n}, k = {k}"), GEN, t, |x| {
            int_casts_grad(x, n, k)
        });
    }
    modes_agree_1("horner", GEN, horner_tangent, horner_grad);
    modes_agree_3("nested3", [GEN, GEN, GEN], nested3_tangent, nested3_grad);
    // Through f32 both modes round to f32 at every step, so they agree to f32 precision only.
    forward_matches_grad_tol(
        "float_casts",
        &[GEN],
        |x, v| float_casts_tangent(x[0], v[0]).1,
        |x| flat(float_casts_grad(x[0])),
        1e-5,
    );
    // y away from 0: it divides.
    forward_matches_grad_tol(
        "single",
        &[GEN, (0.5, 2.5)],
        |x, v| f64::from(single_tangent(x[0] as f32, v[0] as f32, x[1] as f32, v[1] as f32).1),
        |x| flat(single_grad(x[0] as f32, x[1] as f32)),
        1e-5,
    );
    forward_matches_grad_tol(
        "mixed_precision",
        &[GEN, GEN],
        |x, v| mixed_precision_tangent(x[0] as f32, v[0] as f32, x[1], v[1]).1,
        |x| flat(mixed_precision_grad(x[0] as f32, x[1])),
        1e-5,
    );
}
