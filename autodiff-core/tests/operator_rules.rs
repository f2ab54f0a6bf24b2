//! Every rule in `rules::ops` against central finite differences of the real operator, for
//! every operand.

use approx::relative_eq;
use autodiff_core::rules::ops;
use autodiff_core::testing::{central_difference, gradient};

/// Output cotangents tried at every point: a rule must scale linearly with `g`.
const COTANGENTS: [f64; 3] = [1.0, -0.75, 3.5];

const POINTS: [[f64; 2]; 6] = [
    [1.0, 2.0],
    [-3.5, 0.25],
    [1e3, -7.0],
    [0.0, 4.0],
    [2.5, -1e-2],
    [-0.3, -0.6],
];

fn close(actual: f64, expected: f64) -> bool {
    relative_eq!(actual, expected, epsilon = 1e-8, max_relative = 1e-6)
}

/// Checks the pullbacks of a binary operator, `[lhs, rhs]`, against a finite-difference
/// gradient of `op`.
#[track_caller]
fn check_binary(
    name: &str,
    rule: impl Fn(f64, f64, f64) -> [f64; 2],
    op: impl Fn(f64, f64) -> f64,
) {
    for [x, y] in POINTS {
        let numeric = gradient(|v| op(v[0], v[1]), &[x, y]);
        for g in COTANGENTS {
            let cotangents = rule(x, y, g);
            for (side, (&actual, &slope)) in
                ["lhs", "rhs"].iter().zip(cotangents.iter().zip(&numeric))
            {
                assert!(
                    close(actual, g * slope),
                    "{name} at ({x}, {y}), g = {g}, {side}: rule gives {actual}, \
                     finite difference {}",
                    g * slope
                );
            }
        }
    }
}

#[test]
fn add() {
    check_binary(
        "+",
        |_, _, g| [ops::add_lhs(g), ops::add_rhs(g)],
        |x, y| x + y,
    );
}

#[test]
fn sub() {
    check_binary(
        "-",
        |_, _, g| [ops::sub_lhs(g), ops::sub_rhs(g)],
        |x, y| x - y,
    );
}

#[test]
fn mul() {
    check_binary(
        "*",
        |x, y, g| [ops::mul_lhs(&x, &y, &g), ops::mul_rhs(&x, &y, &g)],
        |x, y| x * y,
    );
}

#[test]
fn div() {
    check_binary(
        "/",
        |x, y, g| [ops::div_lhs(&x, &y, &g), ops::div_rhs(&x, &y, &g)],
        |x, y| x / y,
    );
}

#[test]
fn neg() {
    for [x, _] in POINTS {
        let slope = central_difference(|x| -x, x, 1e-6 * x.abs().max(1.0));
        for g in COTANGENTS {
            assert!(close(ops::neg(g), g * slope), "-x at {x}, g = {g}");
        }
    }
}

/// `f32` operands: the rules against finite differences of the `f64` operator.
#[test]
fn mul_and_div_in_f32() {
    for [x, y] in [[1.5_f32, 2.0], [-3.25, 0.5], [7.0, -0.125]] {
        let point = [f64::from(x), f64::from(y)];
        for g in [1.0_f32, -0.75] {
            let g64 = f64::from(g);
            let cases = [
                (
                    "*",
                    gradient(|v| v[0] * v[1], &point),
                    [ops::mul_lhs(&x, &y, &g), ops::mul_rhs(&x, &y, &g)],
                ),
                (
                    "/",
                    gradient(|v| v[0] / v[1], &point),
                    [ops::div_lhs(&x, &y, &g), ops::div_rhs(&x, &y, &g)],
                ),
            ];
            for (name, numeric, rule) in cases {
                for i in 0..2 {
                    let expected = g64 * numeric[i];
                    assert!(
                        relative_eq!(
                            f64::from(rule[i]),
                            expected,
                            epsilon = 1e-6,
                            max_relative = 1e-5
                        ),
                        "{name} (f32) at ({x}, {y}), g = {g}, operand {i}: rule {}, finite \
                         difference {expected}",
                        rule[i]
                    );
                }
            }
        }
    }
}

/// Central difference of `f` in an `f32` argument.
fn central_difference_f32(f: impl Fn(f32) -> f64, x: f32, h: f32) -> f64 {
    let (above, below) = (x + h, x - h);
    (f(above) - f(below)) / f64::from(above - below)
}

/// Casts are the identity on values, so their pullback is the identity on cotangents,
/// converted back to the operand's type. The points and the step are dyadic, so that `x ± h`
/// is exact in `f32` and the finite difference of a cast is not spoiled by its rounding.
#[test]
fn casts() {
    const H: f64 = 1.0 / 1024.0;
    for x in [1.5_f64, -3.25, 100.0, 0.0] {
        let x32 = x as f32;
        // f64 → f64 and f32 → f32 casts are the identity.
        let slope_f64_f64 = central_difference(|x| x, x, H);
        let slope_f64_f32 = central_difference(|x| f64::from(x as f32), x, H);
        let slope_f32_f32 = central_difference_f32(f64::from, x32, H as f32);
        let slope_f32_f64 = central_difference_f32(|x| x as f64, x32, H as f32);
        for g in [1.0_f64, -0.75, 0.1] {
            let g32 = g as f32;
            let f64_to_f64: f64 = ops::cast(&x, &g);
            let f64_to_f32: f64 = ops::cast(&x, &g32);
            let f32_to_f32: f32 = ops::cast(&x32, &g32);
            let f32_to_f64: f32 = ops::cast(&x32, &g);
            let cases = [
                ("f64 as f64", f64_to_f64, g * slope_f64_f64),
                ("f64 as f32", f64_to_f32, f64::from(g32) * slope_f64_f32),
                (
                    "f32 as f32",
                    f64::from(f32_to_f32),
                    f64::from(g32) * slope_f32_f32,
                ),
                // The cotangent comes back in the operand's type, f32.
                (
                    "f32 as f64",
                    f64::from(f32_to_f64),
                    f64::from((g * slope_f32_f64) as f32),
                ),
            ];
            for (name, actual, expected) in cases {
                assert!(
                    relative_eq!(actual, expected, epsilon = 1e-12, max_relative = 1e-7),
                    "{name} at {x}, g = {g}: rule {actual}, finite difference {expected}"
                );
            }
        }
    }
}

/// The checker itself must be able to fail: swapped pullbacks are caught.
#[test]
#[should_panic(expected = "finite difference")]
fn swapped_operands_are_caught() {
    check_binary(
        "/",
        |x, y, g| [ops::div_rhs(&x, &y, &g), ops::div_lhs(&x, &y, &g)],
        |x, y| x / y,
    );
}
