//! Every `Float` method of `Dual` and `DualVec`: the value against the `f64` method, each
//! operand's tangent against central finite differences at several points away from
//! non-differentiable points; then the conventions at the special points, which must be
//! those documented on `rules::methods`.

#[macro_use]
mod method_points;

use approx::relative_eq;
use autodiff_core::testing::gradient;
use autodiff_core::{Dual, DualVec};
use num_traits::Float;

/// Tangent and finite difference agree to 1e-6 relative, or 1e-8 absolute near zero.
fn close(actual: f64, expected: f64) -> bool {
    relative_eq!(actual, expected, epsilon = 1e-8, max_relative = 1e-6)
}

/// Bitwise-equal values, NaN matching NaN.
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Checks a method of `N` operands, given as the same generic function instantiated for
/// `f64`, `Dual<f64>` and `DualVec<f64, N>`:
///
/// - the dual values equal the `f64` value;
/// - seeding operand `i` with tangent `s` gives `s` times the finite-difference partial `i`;
/// - one `DualVec` pass seeding every operand gives exactly the tangents of the `Dual`
///   passes.
#[track_caller]
fn check<const N: usize>(
    name: &str,
    plain: impl Fn(&[f64]) -> f64,
    dual: impl Fn(&[Dual<f64>]) -> Dual<f64>,
    vector: impl Fn(&[DualVec<f64, N>]) -> DualVec<f64, N>,
    points: &[[f64; N]],
) {
    for point in points {
        let value = plain(point);
        let numeric = gradient(&plain, point);
        let all = vector(&DualVec::variables(*point));
        assert!(same(all.re, value), "{name} at {point:?}: DualVec value");
        for (i, &slope) in numeric.iter().enumerate() {
            assert!(
                slope.is_finite(),
                "{name}: no finite difference at {point:?}"
            );
            for seed in [1.0, -2.5] {
                let operands: Vec<Dual<f64>> = (0..N)
                    .map(|k| Dual::new(point[k], if k == i { seed } else { 0.0 }))
                    .collect();
                let y = dual(&operands);
                assert!(same(y.re, value), "{name} at {point:?}: value {}", y.re);
                assert!(
                    close(y.eps, seed * slope),
                    "{name} at {point:?}, operand {i}, seed {seed}: tangent {}, \
                     finite difference {}",
                    y.eps,
                    seed * slope
                );
                if seed == 1.0 {
                    assert_eq!(
                        all.eps[i], y.eps,
                        "{name} at {point:?}: DualVec tangent {i}"
                    );
                }
            }
        }
    }
}

/// Methods of any number of operands: `name: N |v| body => [points];`, where `v: &[T]`.
macro_rules! methods {
    ($($name:ident: $n:literal |$v:ident| $body:expr => [$($point:expr),+ $(,)?];)*) => {$(
        #[test]
        fn $name() {
            fn method<T: Float>($v: &[T]) -> T {
                $body
            }
            check::<$n>(
                stringify!($name),
                method::<f64>,
                method::<Dual<f64>>,
                method::<DualVec<f64, $n>>,
                &[$($point),+],
            );
        }
    )*};
}

/// One-operand methods: `name: [x, …];`.
macro_rules! unary {
    ($($name:ident: [$($x:expr),+ $(,)?];)*) => {
        methods! {$(
            $name: 1 |v| v[0].$name() => [$([$x]),+];
        )*}
    };
}

mod finite_differences {
    use super::*;

    unary_method_points!(unary);

    methods! {
        powi_cube: 1 |v| v[0].powi(3) => [[-2.0], [-0.5], [0.7], [1.5], [3.0]];
        powi_inverse_square: 1 |v| v[0].powi(-2) => [[-2.0], [-0.5], [0.7], [3.0]];
        powi_one: 1 |v| v[0].powi(1) => [[-2.0], [0.0], [3.0]];
        powi_zero: 1 |v| v[0].powi(0) => [[-2.0], [0.5], [3.0]];
        sin_cos_sin: 1 |v| v[0].sin_cos().0 => [[-2.0], [0.0], [0.7], [4.0]];
        sin_cos_cos: 1 |v| v[0].sin_cos().1 => [[-2.0], [0.0], [0.7], [4.0]];
        powf: 2 |v| v[0].powf(v[1]) => [
            [2.0, 3.0], [0.5, -1.5], [3.0, 0.5], [1.5, 2.7], [10.0, -0.3], [1.0, 4.0],
        ];
        log: 2 |v| v[0].log(v[1]) => [[2.0, 10.0], [0.5, 2.0], [8.0, 0.5], [100.0, 3.0]];
        hypot: 2 |v| v[0].hypot(v[1]) => [[3.0, 4.0], [-1.0, 2.0], [0.5, -0.2], [0.0, 2.0]];
        atan2: 2 |v| v[0].atan2(v[1]) => [
            [1.0, 1.0], [1.0, -1.0], [-2.0, 0.5], [0.3, -4.0], [0.0, 1.0],
        ];
        max: 2 |v| v[0].max(v[1]) => [[1.0, 2.0], [2.0, 1.0], [3.0, -1.0], [-7.0, 7.0]];
        min: 2 |v| v[0].min(v[1]) => [[1.0, 2.0], [2.0, 1.0], [3.0, -1.0], [-7.0, 7.0]];
        abs_sub: 2 |v| v[0].abs_sub(v[1]) => [[3.0, 1.0], [1.0, 3.0], [-0.5, -2.0]];
        copysign: 2 |v| v[0].copysign(v[1]) => [
            [2.0, 1.0], [2.0, -1.0], [-3.0, 0.5], [-3.0, -0.5],
        ];
        mul_add: 3 |v| v[0].mul_add(v[1], v[2]) => [
            [2.0, 3.0, 4.0], [-1.5, 0.5, 2.0], [0.0, 7.0, -1.0], [1e3, -2e-3, 5.0],
        ];
        clamp: 3 |v| v[0].clamp(v[1], v[2]) => [
            [0.5, 0.0, 1.0], [-2.0, 0.0, 1.0], [3.0, 0.0, 1.0], [-5.0, -3.0, 10.0],
        ];
    }

    /// The checker itself can fail: a tangent off by 0.1% is caught.
    #[test]
    #[should_panic(expected = "finite difference")]
    fn a_wrong_tangent_is_caught() {
        check::<1>(
            "sin",
            |v| v[0].sin(),
            |v| {
                let y = v[0].sin();
                Dual::new(y.re, y.eps * 1.001)
            },
            |v| v[0].sin(),
            &[[0.5]],
        );
    }
}

/// The conventions at non-differentiable points, with hand-known values: those of the rules.
mod conventions {
    use super::*;

    const INF: f64 = f64::INFINITY;

    fn var(x: f64) -> Dual<f64> {
        Dual::variable(x)
    }

    fn con(x: f64) -> Dual<f64> {
        Dual::constant(x)
    }

    #[test]
    fn abs_at_zero_is_zero() {
        assert_eq!(var(0.0).abs().eps, 0.0);
        assert_eq!(var(-0.0).abs().eps, 0.0);
        assert_eq!(var(-2.0).abs().eps, -1.0);
        assert_eq!(Dual::new(0.0, 3.0).abs().eps, 0.0);
    }

    #[test]
    fn max_and_min_split_a_tie_evenly() {
        assert_eq!(var(2.0).max(con(2.0)).eps, 0.5);
        assert_eq!(con(2.0).min(var(2.0)).eps, 0.5);
        // Both operands moving: the average of their tangents.
        assert_eq!(Dual::new(1.0, 3.0).max(Dual::new(1.0, 1.0)).eps, 2.0);
        assert_eq!(Dual::new(0.0, 3.0).min(Dual::new(-0.0, -1.0)).eps, 1.0);
        let [x, y] = DualVec::variables([4.0, 4.0]);
        assert_eq!(x.max(y).eps, [0.5, 0.5]);
    }

    #[test]
    fn clamp_is_inclusive_at_its_bounds() {
        let [x, lo, hi] = DualVec::variables([0.0, 0.0, 1.0]);
        assert_eq!(x.clamp(lo, hi).eps, [1.0, 0.0, 0.0]);
        let [x, lo, hi] = DualVec::variables([1.0, 0.0, 1.0]);
        assert_eq!(x.clamp(lo, hi).eps, [1.0, 0.0, 0.0]);
        let [x, lo, hi] = DualVec::variables([-1e-12, 0.0, 1.0]);
        assert_eq!(x.clamp(lo, hi).eps, [0.0, 1.0, 0.0]);
        let [x, lo, hi] = DualVec::variables([1.0 + 1e-12, 0.0, 1.0]);
        assert_eq!(x.clamp(lo, hi).eps, [0.0, 0.0, 1.0]);
    }

    #[test]
    fn roots_at_zero_are_plus_infinity() {
        for zero in [0.0, -0.0] {
            assert_eq!(var(zero).sqrt().eps, INF);
            assert_eq!(var(zero).cbrt().eps, INF);
        }
    }

    #[test]
    fn powf_at_zero_base_and_zero_exponent() {
        // d/dy xʸ at x = 0 is 0, whatever y.
        for y in [3.0, 2.0, 0.5, 0.0, -1.0] {
            assert_eq!(con(0.0).powf(var(y)).eps, 0.0, "y = {y}");
        }
        assert_eq!(var(0.0).powf(con(2.0)).eps, 0.0);
        assert_eq!(var(0.0).powf(con(1.0)).eps, 1.0);
        assert_eq!(var(0.0).powf(con(0.5)).eps, INF);
        assert_eq!(var(0.0).powf(con(0.0)).eps, 0.0);
        assert_eq!(var(5.0).powf(con(0.0)).eps, 0.0);
        let [x, y] = DualVec::variables([0.0, 0.0]);
        assert_eq!(x.powf(y).eps, [0.0, 0.0]);
    }

    #[test]
    fn powi_with_zero_exponent_is_zero() {
        for x in [0.0, 2.0, -3.0] {
            assert_eq!(var(x).powi(0).eps, 0.0);
        }
        assert_eq!(var(0.0).powi(1).eps, 1.0);
        assert_eq!(var(1.0).powi(i32::MIN).eps, f64::from(i32::MIN));
    }

    #[test]
    fn hypot_at_origin_is_zero_and_atan2_nan() {
        let [x, y] = DualVec::variables([0.0, 0.0]);
        assert_eq!(x.hypot(y).eps, [0.0, 0.0]);
        let [y, x] = DualVec::variables([0.0, 0.0]);
        assert!(y.atan2(x).eps.iter().all(|d| d.is_nan()));
    }

    #[test]
    fn rounding_and_signum_are_flat_and_fract_is_one() {
        for x in [-3.0, -0.0, 0.0, 2.0, 2.5, -0.5, INF] {
            for (name, y) in [
                ("floor", var(x).floor()),
                ("ceil", var(x).ceil()),
                ("round", var(x).round()),
                ("trunc", var(x).trunc()),
                ("signum", var(x).signum()),
            ] {
                assert_eq!(y.eps, 0.0, "{name} at {x}");
            }
        }
        for x in [-3.0, 0.0, 2.0, 2.5, -0.5] {
            assert_eq!(Dual::new(x, 2.0).fract().eps, 2.0, "fract at {x}");
        }
    }

    #[test]
    fn abs_sub_splits_a_tie_as_max_does() {
        let [x, y] = DualVec::variables([2.0, 2.0]);
        assert_eq!(x.abs_sub(y).eps, [0.5, -0.5]);
        assert_eq!(x.abs_sub(y).re, 0.0);
    }

    #[test]
    fn infinite_slopes_at_domain_boundaries() {
        assert_eq!(var(1.0).asin().eps, INF);
        assert_eq!(var(1.0).acos().eps, -INF);
        assert_eq!(var(1.0).acosh().eps, INF);
        assert_eq!(var(-1.0).atanh().eps, INF);
        assert_eq!(var(0.0).ln().eps, INF);
        assert_eq!(var(-1.0).ln_1p().eps, INF);
        assert_eq!(var(0.0).recip().eps, -INF);
    }

    #[test]
    fn nan_outside_the_domain_and_for_nan_values() {
        assert!(var(-1.0).sqrt().eps.is_nan());
        assert!(var(-1.0).ln().eps.is_nan());
        assert!(var(1.5).asin().eps.is_nan());
        assert!(var(0.5).acosh().eps.is_nan());
        for y in [
            var(f64::NAN).floor(),
            var(f64::NAN).abs(),
            var(f64::NAN).signum(),
            var(f64::NAN).sin(),
            var(f64::NAN).clamp(con(0.0), con(1.0)),
        ] {
            assert!(y.re.is_nan() && y.eps.is_nan());
        }
        // `max` returns the other operand when one is NaN: that one carries its tangent,
        // while the NaN one's partial derivative is NaN, as in the rule.
        assert_eq!(var(2.0).max(con(f64::NAN)).eps, 1.0);
        let y = var(f64::NAN).max(con(1.0));
        assert!(y.re == 1.0 && y.eps.is_nan());
    }

    /// A zero tangent stays an exact zero where a partial derivative is infinite or NaN, as
    /// an adjoint that nothing flowed into: constants stay constants.
    #[test]
    fn zero_tangents_stay_exact() {
        assert_eq!(con(0.0).sqrt().eps, 0.0);
        assert_eq!(con(-1.0).sqrt().eps, 0.0);
        assert_eq!(con(0.0).ln().eps, 0.0);
        assert_eq!(con(f64::NAN).sin().eps, 0.0);
        assert_eq!(con(1.0) / con(0.0), f64::INFINITY);
        assert_eq!((con(1.0) / con(0.0)).eps, 0.0);
        // A negative base with a constant exponent: d/dy would be NaN, but y is constant.
        let y = var(-2.0).powf(con(3.0));
        assert_eq!((y.re, y.eps), (-8.0, 12.0));
        // f(x, y) = √x + y at x = 0: ∂f/∂y is 1, not NaN.
        let [x, y] = DualVec::variables([0.0, 5.0]);
        assert_eq!((x.sqrt() + y).eps, [INF, 1.0]);
        // Products: 0 · ∞ in a partial does not leak into the other direction.
        let [x, y] = DualVec::variables([0.0, 5.0]);
        assert_eq!((x.sqrt() * y).eps[1], 0.0);
    }

    #[test]
    fn remainder_has_slopes_one_and_minus_the_quotient() {
        let [x, y] = DualVec::variables([7.5, 2.0]);
        let r = x % y;
        assert_eq!((r.re, r.eps), (1.5, [1.0, -3.0]));
        let r = Dual::variable(-7.5) % 2.0;
        assert_eq!((r.re, r.eps), (-1.5, 1.0));
        let r = 7.5 % Dual::variable(2.0_f64);
        assert_eq!((r.re, r.eps), (1.5, -3.0));
        assert!((var(1.0) % con(0.0)).eps.is_nan());
    }
}

/// Constants and queries of the value.
#[test]
fn constants_and_predicates() {
    type D = Dual<f64>;
    for (c, v) in [
        (D::nan(), f64::NAN),
        (D::infinity(), f64::INFINITY),
        (D::neg_infinity(), f64::NEG_INFINITY),
        (D::neg_zero(), -0.0),
        (D::min_value(), f64::MIN),
        (D::min_positive_value(), f64::MIN_POSITIVE),
        (D::epsilon(), f64::EPSILON),
        (D::max_value(), f64::MAX),
    ] {
        assert!(same(c.re, v) && c.eps == 0.0);
    }
    assert!(D::neg_zero().is_sign_negative());
    let x = Dual::new(1e-310, 1.0);
    assert!(x.is_subnormal() && !x.is_normal() && x.is_finite() && !x.is_nan());
    assert_eq!(x.classify(), core::num::FpCategory::Subnormal);
    assert!(Dual::new(f64::INFINITY, 0.0).is_infinite());
    assert_eq!(
        Dual::new(2.5, 9.0).integer_decode(),
        2.5_f64.integer_decode()
    );
    assert!(Dual::new(-0.0, 1.0).is_sign_negative());
    assert!(DualVec::new(3.0, [1.0]).is_sign_positive());
}
