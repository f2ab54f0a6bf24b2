//! Every rule in `rules::methods` against central finite differences of the real `f64`
//! method, for every operand, at several points away from non-differentiable points; then
//! each documented convention at its special point, against the hand-known value.

#[macro_use]
mod method_points;

use approx::relative_eq;
use autodiff_core::rules::methods;
use autodiff_core::testing::{central_difference, gradient};
use autodiff_core::NoTangent;

/// A one-operand rule in `f64`.
type Unary = fn(&f64, &f64) -> (f64,);

/// Output cotangents tried at every point: a rule must scale linearly with `g`.
const COTANGENTS: [f64; 3] = [1.0, -0.75, 3.5];

/// Rule and finite difference agree to 1e-6 relative, or 1e-8 absolute near zero.
fn close(actual: f64, expected: f64) -> bool {
    relative_eq!(actual, expected, epsilon = 1e-8, max_relative = 1e-6)
}

/// Checks a one-operand rule `rule(x, g) = dx` against a central difference of `method`.
#[track_caller]
fn check_unary(
    name: &str,
    rule: impl Fn(f64, f64) -> f64,
    method: impl Fn(f64) -> f64,
    points: &[f64],
) {
    for &x in points {
        let slope = central_difference(&method, x, 1e-6 * x.abs().max(1.0));
        assert!(slope.is_finite(), "{name}: no finite difference at {x}");
        for g in COTANGENTS {
            let dx = rule(x, g);
            assert!(
                close(dx, g * slope),
                "{name} at x = {x}, g = {g}: rule gives {dx}, finite difference {}",
                g * slope
            );
        }
    }
}

/// Checks a rule with `N` operands, every operand, against a finite-difference gradient.
#[track_caller]
fn check_multi<const N: usize>(
    name: &str,
    rule: impl Fn([f64; N], f64) -> [f64; N],
    method: impl Fn(&[f64]) -> f64,
    points: &[[f64; N]],
) {
    for point in points {
        let numeric = gradient(&method, point);
        for g in COTANGENTS {
            let cotangents = rule(*point, g);
            for (i, (&actual, &slope)) in cotangents.iter().zip(&numeric).enumerate() {
                assert!(
                    slope.is_finite(),
                    "{name}: no finite difference at {point:?}"
                );
                assert!(
                    close(actual, g * slope),
                    "{name} at {point:?}, g = {g}, operand {i}: rule gives {actual}, \
                     finite difference {}",
                    g * slope
                );
            }
        }
    }
}

mod finite_differences {
    use super::*;

    macro_rules! unary {
        ($($name:ident: [$($x:expr),+ $(,)?];)*) => {$(
            #[test]
            fn $name() {
                check_unary(
                    stringify!($name),
                    |x, g| methods::$name(&x, &g).0,
                    f64::$name,
                    &[$($x),+],
                );
            }
        )*};
    }

    unary_method_points!(unary);

    #[test]
    fn powi() {
        for n in [-3, -1, 0, 1, 2, 3, 5] {
            check_unary(
                &format!("powi(_, {n})"),
                |x, g| {
                    let (dx, dn) = methods::powi(&x, &n, &g);
                    assert_eq!(dn, NoTangent);
                    dx
                },
                |x| x.powi(n),
                &[-2.0, -0.5, 0.7, 1.5, 3.0],
            );
        }
    }

    #[test]
    fn atan2() {
        check_multi(
            "atan2",
            |[y, x], g| methods::atan2(&y, &x, &g).into(),
            |v| v[0].atan2(v[1]),
            &[
                [1.0, 1.0],
                [1.0, -1.0],
                [-2.0, 0.5],
                [0.3, -4.0],
                [0.0, 1.0],
                [5.0, 1e-3],
            ],
        );
    }

    #[test]
    fn log() {
        check_multi(
            "log",
            |[x, base], g| methods::log(&x, &base, &g).into(),
            |v| v[0].log(v[1]),
            &[
                [2.0, 10.0],
                [0.5, 2.0],
                [8.0, 0.5],
                [100.0, 3.0],
                [3.0, 1.5],
                [1.0, 7.0],
            ],
        );
    }

    #[test]
    fn powf() {
        check_multi(
            "powf",
            |[x, y], g| methods::powf(&x, &y, &g).into(),
            |v| v[0].powf(v[1]),
            &[
                [2.0, 3.0],
                [0.5, -1.5],
                [3.0, 0.5],
                [1.5, 2.7],
                [10.0, -0.3],
                [1.0, 4.0],
                [0.2, 0.0],
            ],
        );
    }

    #[test]
    fn powf_negative_base_integer_exponent() {
        // Only the base can be perturbed: a non-integer exponent makes the power NaN.
        for (x, y) in [(-2.0, 3.0), (-0.5, -2.0), (-3.0, 2.0)] {
            check_unary(
                "powf (base)",
                |x, g| methods::powf(&x, &y, &g).0,
                |x| x.powf(y),
                &[x],
            );
            assert!(methods::powf(&x, &y, &1.0).1.is_nan());
        }
    }

    #[test]
    fn hypot() {
        check_multi(
            "hypot",
            |[x, y], g| methods::hypot(&x, &y, &g).into(),
            |v| v[0].hypot(v[1]),
            &[
                [3.0, 4.0],
                [-1.0, 2.0],
                [0.5, -0.2],
                [1e3, 50.0],
                [0.0, 2.0],
            ],
        );
    }

    const SELECTION_POINTS: [[f64; 2]; 6] = [
        [1.0, 2.0],
        [2.0, 1.0],
        [3.0, -1.0],
        [-0.5, -0.25],
        [1e3, 999.0],
        [-7.0, 7.0],
    ];

    #[test]
    fn max() {
        check_multi(
            "max",
            |[x, y], g| methods::max(&x, &y, &g).into(),
            |v| v[0].max(v[1]),
            &SELECTION_POINTS,
        );
    }

    #[test]
    fn min() {
        check_multi(
            "min",
            |[x, y], g| methods::min(&x, &y, &g).into(),
            |v| v[0].min(v[1]),
            &SELECTION_POINTS,
        );
    }

    #[test]
    fn mul_add() {
        check_multi(
            "mul_add",
            |[x, a, b], g| methods::mul_add(&x, &a, &b, &g).into(),
            |v| v[0].mul_add(v[1], v[2]),
            &[
                [2.0, 3.0, 4.0],
                [-1.5, 0.5, 2.0],
                [0.0, 7.0, -1.0],
                [1e3, -2e-3, 5.0],
            ],
        );
    }

    #[test]
    fn clamp() {
        check_multi(
            "clamp",
            |[x, lo, hi], g| methods::clamp(&x, &lo, &hi, &g).into(),
            |v| v[0].clamp(v[1], v[2]),
            &[
                [0.5, 0.0, 1.0],
                [-2.0, 0.0, 1.0],
                [3.0, 0.0, 1.0],
                [0.3, -1.0, 2.0],
                [-5.0, -3.0, 10.0],
                [20.0, -3.0, 10.0],
            ],
        );
    }

    /// The checker itself must be able to fail: a wrong rule is caught.
    #[test]
    #[should_panic(expected = "finite difference")]
    fn a_wrong_rule_is_caught() {
        check_unary("sin", |x, g| methods::cos(&x, &g).0, f64::sin, &[0.5]);
    }

    #[test]
    #[should_panic(expected = "operand 1")]
    fn a_wrong_operand_is_caught() {
        check_multi(
            "powf with a wrong exponent cotangent",
            |[x, y], g| {
                let (dx, dy) = methods::powf(&x, &y, &g);
                [dx, dy * 1.001]
            },
            |v| v[0].powf(v[1]),
            &[[2.0, 3.0]],
        );
    }
}

/// The documented conventions, at the points where they apply, with hand-known values.
mod conventions {
    use super::*;

    const INF: f64 = f64::INFINITY;

    #[test]
    fn abs_at_zero_is_zero() {
        assert_eq!(methods::abs(&0.0, &1.0), (0.0,));
        assert_eq!(methods::abs(&-0.0, &5.0), (0.0,));
        assert_eq!(methods::abs(&-2.0, &5.0), (-5.0,));
    }

    #[test]
    fn max_and_min_split_a_tie_evenly() {
        assert_eq!(methods::max(&2.0, &2.0, &1.0), (0.5, 0.5));
        assert_eq!(methods::min(&2.0, &2.0, &1.0), (0.5, 0.5));
        assert_eq!(methods::max(&-1.0, &-1.0, &3.0), (1.5, 1.5));
        assert_eq!(methods::min(&0.0, &-0.0, &3.0), (1.5, 1.5));
        assert_eq!(methods::max(&INF, &INF, &1.0), (0.5, 0.5));
    }

    #[test]
    fn clamp_gives_the_receiver_its_inclusive_range() {
        // At either bound, the receiver gets the cotangent.
        assert_eq!(methods::clamp(&0.0, &0.0, &1.0, &2.0), (2.0, 0.0, 0.0));
        assert_eq!(methods::clamp(&1.0, &0.0, &1.0, &2.0), (2.0, 0.0, 0.0));
        assert_eq!(methods::clamp(&4.0, &4.0, &4.0, &2.0), (2.0, 0.0, 0.0));
        // Just outside, the violated bound gets it.
        assert_eq!(methods::clamp(&-1e-12, &0.0, &1.0, &2.0), (0.0, 2.0, 0.0));
        assert_eq!(
            methods::clamp(&(1.0 + 1e-12), &0.0, &1.0, &2.0),
            (0.0, 0.0, 2.0)
        );
    }

    #[test]
    fn roots_at_zero_are_plus_infinity() {
        for zero in [0.0, -0.0] {
            assert_eq!(methods::sqrt(&zero, &1.0), (INF,));
            assert_eq!(methods::cbrt(&zero, &1.0), (INF,));
        }
    }

    #[test]
    fn powf_at_zero_base() {
        // d/dy xʸ at x = 0 is taken as 0, whatever y.
        for y in [3.0, 2.0, 0.5, 0.0, -1.0] {
            assert_eq!(methods::powf(&0.0, &y, &1.0).1, 0.0, "y = {y}");
        }
        // d/dx = y xʸ⁻¹ at x = 0, and 0 for y = 0.
        assert_eq!(methods::powf(&0.0, &2.0, &1.0).0, 0.0);
        assert_eq!(methods::powf(&0.0, &1.0, &1.0).0, 1.0);
        assert_eq!(methods::powf(&0.0, &0.5, &1.0).0, INF);
        assert_eq!(methods::powf(&0.0, &0.0, &1.0), (0.0, 0.0));
        // x⁰ = 1 everywhere, so d/dx = 0 at y = 0 for any x.
        assert_eq!(methods::powf(&5.0, &0.0, &1.0).0, 0.0);
    }

    #[test]
    fn powi_with_zero_exponent_is_zero() {
        for x in [0.0, 2.0, -3.0] {
            assert_eq!(methods::powi(&x, &0, &1.0), (0.0, NoTangent));
        }
        assert_eq!(methods::powi(&0.0, &1, &1.0), (1.0, NoTangent));
        // n xⁿ⁻¹ for the most negative exponent, where n - 1 would overflow.
        assert_eq!(methods::powi(&1.0, &i32::MIN, &1.0).0, f64::from(i32::MIN));
        assert_eq!(
            methods::powi(&-1.0, &i32::MIN, &1.0).0,
            -f64::from(i32::MIN)
        );
    }

    #[test]
    fn hypot_at_origin_is_zero() {
        assert_eq!(methods::hypot(&0.0, &0.0, &1.0), (0.0, 0.0));
        assert_eq!(methods::hypot(&-0.0, &0.0, &7.0), (0.0, 0.0));
    }

    #[test]
    fn atan2_at_origin_is_nan() {
        let (dy, dx) = methods::atan2(&0.0_f64, &0.0, &1.0);
        assert!(dy.is_nan() && dx.is_nan());
    }

    #[test]
    fn signum_is_zero_everywhere() {
        for x in [-3.0, -0.0, 0.0, 2.0, INF, -INF] {
            assert_eq!(methods::signum(&x, &1.0), (0.0,), "x = {x}");
        }
    }

    #[test]
    fn rounding_is_flat_at_its_jumps_and_fract_is_one() {
        for x in [-3.0, 0.0, 2.0, 2.5, -0.5] {
            assert_eq!(methods::floor(&x, &1.0), (0.0,), "floor at {x}");
            assert_eq!(methods::ceil(&x, &1.0), (0.0,), "ceil at {x}");
            assert_eq!(methods::round(&x, &1.0), (0.0,), "round at {x}");
            assert_eq!(methods::trunc(&x, &1.0), (0.0,), "trunc at {x}");
            assert_eq!(methods::fract(&x, &2.0), (2.0,), "fract at {x}");
        }
    }

    #[test]
    fn infinite_slopes_at_domain_boundaries() {
        assert_eq!(methods::asin(&1.0, &1.0), (INF,));
        assert_eq!(methods::asin(&-1.0, &1.0), (INF,));
        assert_eq!(methods::acos(&1.0, &1.0), (-INF,));
        assert_eq!(methods::acos(&-1.0, &1.0), (-INF,));
        assert_eq!(methods::acosh(&1.0, &1.0), (INF,));
        assert_eq!(methods::atanh(&1.0, &1.0), (INF,));
        assert_eq!(methods::atanh(&-1.0, &1.0), (INF,));
        assert_eq!(methods::ln(&0.0, &1.0), (INF,));
        assert_eq!(methods::ln(&-0.0, &1.0), (INF,));
        assert_eq!(methods::ln_1p(&-1.0, &1.0), (INF,));
        assert_eq!(methods::log2(&0.0, &1.0), (INF,));
        assert_eq!(methods::log10(&0.0, &1.0), (INF,));
        assert_eq!(methods::recip(&0.0, &1.0), (-INF,));
    }

    #[test]
    fn nan_outside_the_real_domain() {
        let outside: [(&str, Unary, f64); 11] = [
            ("asin", methods::asin, 1.5),
            ("acos", methods::acos, -1.5),
            ("acosh", methods::acosh, 0.5),
            ("acosh", methods::acosh, -2.0),
            ("atanh", methods::atanh, 1.5),
            ("atanh", methods::atanh, -3.0),
            ("ln", methods::ln, -1.0),
            ("ln_1p", methods::ln_1p, -2.0),
            ("log2", methods::log2, -1.0),
            ("log10", methods::log10, -1.0),
            ("sqrt", methods::sqrt, -1.0),
        ];
        for (name, rule, x) in outside {
            assert!(rule(&x, &1.0).0.is_nan(), "{name} at {x}");
        }
        assert!(methods::log(&-1.0_f64, &2.0, &1.0).0.is_nan());
        let (dx, dbase) = methods::log(&2.0_f64, &-1.0, &1.0);
        assert!(dx.is_nan() && dbase.is_nan());
        assert!(methods::powf(&-2.0_f64, &0.5, &1.0).0.is_nan());
    }
}

/// A NaN operand always gets a NaN cotangent, and a NaN `g` reaches every operand.
mod nan_propagation {
    use super::*;

    const NAN: f64 = f64::NAN;

    const UNARY: [(&str, Unary, f64); 31] = [
        ("sin", methods::sin, 0.5),
        ("cos", methods::cos, 0.5),
        ("tan", methods::tan, 0.5),
        ("asin", methods::asin, 0.5),
        ("acos", methods::acos, 0.5),
        ("atan", methods::atan, 0.5),
        ("sinh", methods::sinh, 0.5),
        ("cosh", methods::cosh, 0.5),
        ("tanh", methods::tanh, 0.5),
        ("asinh", methods::asinh, 0.5),
        ("acosh", methods::acosh, 1.5),
        ("atanh", methods::atanh, 0.5),
        ("exp", methods::exp, 0.5),
        ("exp2", methods::exp2, 0.5),
        ("exp_m1", methods::exp_m1, 0.5),
        ("ln", methods::ln, 0.5),
        ("ln_1p", methods::ln_1p, 0.5),
        ("log2", methods::log2, 0.5),
        ("log10", methods::log10, 0.5),
        ("sqrt", methods::sqrt, 0.5),
        ("cbrt", methods::cbrt, 0.5),
        ("recip", methods::recip, 0.5),
        ("abs", methods::abs, 0.5),
        ("signum", methods::signum, 0.5),
        ("floor", methods::floor, 0.5),
        ("ceil", methods::ceil, 0.5),
        ("round", methods::round, 0.5),
        ("trunc", methods::trunc, 0.5),
        ("fract", methods::fract, 0.5),
        ("to_degrees", methods::to_degrees, 0.5),
        ("to_radians", methods::to_radians, 0.5),
    ];

    #[test]
    fn unary_rules() {
        for (name, rule, x) in UNARY {
            assert!(rule(&NAN, &1.0).0.is_nan(), "{name}: NaN operand");
            assert!(rule(&x, &NAN).0.is_nan(), "{name}: NaN cotangent");
            assert!(!rule(&x, &1.0).0.is_nan(), "{name} at {x}");
        }
        for n in [0, 1, 2, -1] {
            assert!(methods::powi(&NAN, &n, &1.0).0.is_nan(), "powi(NaN, {n})");
        }
    }

    /// For each operand in turn: replace it by NaN in `point`, and expect a NaN cotangent
    /// for it; and a NaN `g` gives NaN everywhere.
    #[track_caller]
    fn check<const N: usize>(
        name: &str,
        rule: impl Fn([f64; N], f64) -> [f64; N],
        point: [f64; N],
    ) {
        for i in 0..N {
            let mut with_nan = point;
            with_nan[i] = NAN;
            assert!(rule(with_nan, 1.0)[i].is_nan(), "{name}: NaN operand {i}");
        }
        assert!(
            rule(point, NAN).iter().all(|d| d.is_nan()),
            "{name}: NaN cotangent"
        );
        assert!(
            rule(point, 1.0).iter().all(|d| !d.is_nan()),
            "{name} at {point:?}"
        );
    }

    #[test]
    fn multi_operand_rules() {
        check(
            "atan2",
            |[y, x], g| methods::atan2(&y, &x, &g).into(),
            [1.0, 2.0],
        );
        check(
            "log",
            |[x, b], g| methods::log(&x, &b, &g).into(),
            [3.0, 2.0],
        );
        check(
            "powf",
            |[x, y], g| methods::powf(&x, &y, &g).into(),
            [2.0, 1.5],
        );
        check(
            "hypot",
            |[x, y], g| methods::hypot(&x, &y, &g).into(),
            [1.0, 2.0],
        );
        check(
            "max",
            |[x, y], g| methods::max(&x, &y, &g).into(),
            [1.0, 2.0],
        );
        check(
            "min",
            |[x, y], g| methods::min(&x, &y, &g).into(),
            [1.0, 2.0],
        );
        check(
            "mul_add",
            |[x, a, b], g| methods::mul_add(&x, &a, &b, &g).into(),
            [1.0, 2.0, 3.0],
        );
        check(
            "clamp",
            |[x, lo, hi], g| methods::clamp(&x, &lo, &hi, &g).into(),
            [0.5, 0.0, 1.0],
        );
    }

    #[test]
    fn nan_traps_that_a_formula_alone_would_miss() {
        // 1^NaN = 1 and ln 1 = 0, so x^y ln x alone would give 0 for a NaN exponent.
        assert!(methods::powf(&1.0, &NAN, &1.0).1.is_nan());
        // 0 = x, so the y = 0 or x = 0 masks must not hide a NaN in the other operand.
        assert!(methods::powf(&0.0, &NAN, &1.0).1.is_nan());
        assert!(methods::powf(&NAN, &0.0, &1.0).0.is_nan());
    }

    #[test]
    fn max_and_min_follow_the_operand_the_method_returns() {
        // `f64::max` and `f64::min` return the non-NaN operand, so it gets all of `g`.
        assert_eq!(1.0_f64.max(NAN), 1.0);
        for rule in [methods::max::<f64>, methods::min::<f64>] {
            let (dx, dy) = rule(&NAN, &1.0, &2.0);
            assert!(dx.is_nan());
            assert_eq!(dy, 2.0);
            let (dx, dy) = rule(&1.0, &NAN, &2.0);
            assert_eq!(dx, 2.0);
            assert!(dy.is_nan());
            let (dx, dy) = rule(&NAN, &NAN, &2.0);
            assert!(dx.is_nan() && dy.is_nan());
        }
        // `f64::clamp` returns a NaN receiver, whatever the bounds.
        let (dx, dlo, dhi) = methods::clamp(&NAN, &0.0, &1.0, &2.0);
        assert!(dx.is_nan());
        assert_eq!((dlo, dhi), (0.0, 0.0));
    }
}

/// The same rules in `f32`, against finite differences of the `f64` method.
mod single_precision {
    use super::*;

    fn close32(actual: f32, expected: f64) -> bool {
        relative_eq!(
            f64::from(actual),
            expected,
            epsilon = 1e-6,
            max_relative = 1e-5
        )
    }

    #[track_caller]
    fn check_unary32(
        name: &str,
        rule: fn(&f32, &f32) -> (f32,),
        method: fn(f64) -> f64,
        points: &[f32],
    ) {
        for &x in points {
            let x64 = f64::from(x);
            let slope = central_difference(method, x64, 1e-6 * x64.abs().max(1.0));
            for g in [1.0_f32, -0.75] {
                let (dx,) = rule(&x, &g);
                let expected = f64::from(g) * slope;
                assert!(
                    close32(dx, expected),
                    "{name} (f32) at {x}, g = {g}: rule {dx}, finite difference {expected}"
                );
            }
        }
    }

    #[test]
    fn unary_rules() {
        let points = [0.3_f32, 0.7, 1.25, 2.0];
        check_unary32("sin", methods::sin, f64::sin, &points);
        check_unary32("tanh", methods::tanh, f64::tanh, &points);
        check_unary32("exp2", methods::exp2, f64::exp2, &points);
        check_unary32("ln", methods::ln, f64::ln, &points);
        check_unary32("log10", methods::log10, f64::log10, &points);
        check_unary32("sqrt", methods::sqrt, f64::sqrt, &points);
        check_unary32("acosh", methods::acosh, f64::acosh, &[1.25, 2.0, 7.5]);
        check_unary32("to_degrees", methods::to_degrees, f64::to_degrees, &points);
        check_unary32("abs", methods::abs, f64::abs, &[-2.5, 0.75]);
    }

    #[test]
    fn multi_operand_rules() {
        for [x, y] in [[2.0_f32, 3.0], [0.5, -1.5], [3.0, 0.5]] {
            let numeric = gradient(|v| v[0].powf(v[1]), &[f64::from(x), f64::from(y)]);
            let (dx, dy) = methods::powf(&x, &y, &1.0);
            assert!(
                close32(dx, numeric[0]) && close32(dy, numeric[1]),
                "powf at {x}, {y}"
            );

            let numeric = gradient(|v| v[0].atan2(v[1]), &[f64::from(x), f64::from(y)]);
            let (dx, dy) = methods::atan2(&x, &y, &1.0);
            assert!(
                close32(dx, numeric[0]) && close32(dy, numeric[1]),
                "atan2 at {x}, {y}"
            );

            let numeric = gradient(|v| v[0].hypot(v[1]), &[f64::from(x), f64::from(y)]);
            let (dx, dy) = methods::hypot(&x, &y, &1.0);
            assert!(
                close32(dx, numeric[0]) && close32(dy, numeric[1]),
                "hypot at {x}, {y}"
            );
        }
    }

    #[test]
    fn conventions() {
        assert_eq!(methods::abs(&0.0_f32, &1.0), (0.0,));
        assert_eq!(methods::max(&2.0_f32, &2.0, &1.0), (0.5, 0.5));
        assert_eq!(methods::clamp(&1.0_f32, &0.0, &1.0, &1.0), (1.0, 0.0, 0.0));
        assert_eq!(methods::sqrt(&0.0_f32, &1.0), (f32::INFINITY,));
        assert_eq!(methods::powf(&0.0_f32, &2.0, &1.0), (0.0, 0.0));
        assert_eq!(methods::hypot(&0.0_f32, &0.0, &1.0), (0.0, 0.0));
        assert_eq!(methods::powi(&3.0_f32, &0, &1.0), (0.0, NoTangent));
        assert!(methods::abs(&f32::NAN, &1.0).0.is_nan());
    }
}
