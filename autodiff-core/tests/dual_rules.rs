//! Forward over reverse: every rule in `rules::methods` and `rules::ops`, evaluated on dual
//! numbers, gives the derivative of the rule itself.
//!
//! A rule is a function of its operands and of the output cotangent `g`. Evaluated with
//! `T = Dual<f64>`, seeding one of those inputs, each returned cotangent carries its
//! derivative with respect to that input: for `sin`, seeding `x` gives `d/dx (g cos x) =
//! -g sin x`. This is what a generated reverse sweep computes when it runs on duals, for
//! Hessian-vector products. Each check compares, for every input and every returned
//! cotangent, the tangent with a central finite difference of the `f64` rule, and the value
//! with the `f64` rule; and one `DualVec` pass with the `Dual` passes.

use approx::relative_eq;
use autodiff_core::rules::ops::{DivRule, MulRule};
use autodiff_core::rules::{methods, ops, Real};
use autodiff_core::testing::gradient;
use autodiff_core::{Dual, DualVec, NoTangent};

fn close(actual: f64, expected: f64) -> bool {
    relative_eq!(actual, expected, epsilon = 1e-7, max_relative = 1e-6)
}

fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// Checks a rule with `N` inputs (its operands, then `g`) and any number of outputs (its
/// cotangents), given as one generic function instantiated three times.
#[track_caller]
fn check<const N: usize>(
    name: &str,
    plain: impl Fn(&[f64]) -> Vec<f64>,
    dual: impl Fn(&[Dual<f64>]) -> Vec<Dual<f64>>,
    vector: impl Fn(&[DualVec<f64, N>]) -> Vec<DualVec<f64, N>>,
    points: &[[f64; N]],
) {
    for point in points {
        let values = plain(point);
        let all = vector(&DualVec::variables(*point));
        for (k, &value) in values.iter().enumerate() {
            let numeric = gradient(|q| plain(q)[k], point);
            assert!(
                same(all[k].re, value),
                "{name} at {point:?}: output {k} value"
            );
            for i in 0..N {
                let mut operands: Vec<Dual<f64>> =
                    point.iter().copied().map(Dual::constant).collect();
                operands[i].eps = 1.0;
                let y = dual(&operands)[k];
                assert!(same(y.re, value), "{name} at {point:?}: output {k} value");
                assert!(
                    numeric[i].is_finite(),
                    "{name}: no finite difference at {point:?}"
                );
                assert!(
                    close(y.eps, numeric[i]),
                    "{name} at {point:?}: d(output {k})/d(input {i}) is {}, \
                     finite difference {}",
                    y.eps,
                    numeric[i]
                );
                assert_eq!(all[k].eps[i], y.eps, "{name}: DualVec and Dual differ");
            }
        }
    }
}

fn pair<T>((a, b): (T, T)) -> Vec<T> {
    vec![a, b]
}

fn triple<T>((a, b, c): (T, T, T)) -> Vec<T> {
    vec![a, b, c]
}

/// `name: N |v| body => [points];` with `v: &[T]` holding the operands then `g`, and `body`
/// returning the cotangents as a `Vec<T>`.
macro_rules! rules {
    ($($name:ident: $n:literal |$v:ident| $body:expr => [$($point:expr),+ $(,)?];)*) => {$(
        #[test]
        fn $name() {
            fn rule<T: Real + MulRule<Output = T> + DivRule<Output = T>>($v: &[T]) -> Vec<T> {
                $body
            }
            check::<$n>(
                stringify!($name),
                rule::<f64>,
                rule::<Dual<f64>>,
                rule::<DualVec<f64, $n>>,
                &[$($point),+],
            );
        }
    )*};
}

/// One-operand method rules: `name: [x, …];`, each tried with two cotangents.
macro_rules! unary {
    ($($name:ident: [$($x:expr),+ $(,)?];)*) => {
        rules! {$(
            $name: 2 |v| vec![methods::$name(&v[0], &v[1]).0] => [$([$x, 1.0], [$x, -0.75]),+];
        )*}
    };
}

mod method_rules {
    use super::*;

    unary! {
        sin: [-2.0, -0.3, 0.0, 0.7, 1.3, 4.0];
        cos: [-2.0, -0.3, 0.0, 0.7, 1.3, 4.0];
        tan: [-1.2, -0.3, 0.0, 0.7, 1.3, 2.0];
        asin: [-0.9, -0.5, 0.0, 0.3, 0.9];
        acos: [-0.9, -0.5, 0.0, 0.3, 0.9];
        atan: [-30.0, -1.0, 0.0, 0.5, 2.0];
        sinh: [-3.0, -0.5, 0.0, 0.8, 5.0];
        cosh: [-3.0, -0.5, 0.0, 0.8, 5.0];
        tanh: [-3.0, -0.5, 0.0, 0.8, 5.0];
        asinh: [-10.0, -1.0, 0.0, 0.5, 3.0];
        acosh: [1.1, 1.5, 3.0, 100.0];
        atanh: [-0.9, -0.2, 0.0, 0.5, 0.9];
        exp: [-5.0, -1.0, 0.0, 0.5, 3.0];
        exp2: [-5.0, -1.0, 0.0, 0.5, 3.0];
        exp_m1: [-5.0, -1e-3, 0.0, 1e-3, 2.0];
        ln: [0.05, 0.5, 1.0, 2.0, 1e3];
        ln_1p: [-0.9, -0.5, 0.0, 1e-4, 3.0];
        log2: [0.05, 0.5, 1.0, 8.0, 1e3];
        log10: [0.05, 0.5, 1.0, 8.0, 1e3];
        sqrt: [0.05, 0.25, 1.0, 2.0, 1e4];
        cbrt: [-8.0, -0.5, 0.05, 0.3, 27.0];
        recip: [-4.0, -0.5, 0.3, 2.0, 100.0];
        abs: [-3.0, -0.5, 0.2, 7.0];
        signum: [-3.0, -0.5, 0.2, 7.0];
        floor: [-2.3, -0.7, 0.2, 1.6];
        ceil: [-2.3, -0.7, 0.2, 1.6];
        round: [-2.3, -0.7, 0.2, 1.6];
        trunc: [-2.3, -0.7, 0.2, 1.6];
        fract: [-2.3, -0.7, 0.2, 1.6];
        to_degrees: [-3.0, 0.0, 1.0, 180.0];
        to_radians: [-3.0, 0.0, 1.0, 180.0];
    }

    rules! {
        powi_cube: 2 |v| vec![methods::powi(&v[0], &3, &v[1]).0] => [
            [-2.0, 1.0], [0.7, -0.75], [1.5, 2.0], [0.0, 1.0],
        ];
        powi_inverse: 2 |v| vec![methods::powi(&v[0], &-1, &v[1]).0] => [
            [-2.0, 1.0], [0.7, -0.75], [3.0, 2.0],
        ];
        powi_zero: 2 |v| vec![methods::powi(&v[0], &0, &v[1]).0] => [[-2.0, 1.0], [0.7, 2.0]];
        powf: 3 |v| pair(methods::powf(&v[0], &v[1], &v[2])) => [
            [2.0, 3.0, 1.0], [0.5, -1.5, -0.75], [3.0, 0.5, 1.0], [1.5, 2.7, 2.0],
        ];
        log: 3 |v| pair(methods::log(&v[0], &v[1], &v[2])) => [
            [2.0, 10.0, 1.0], [0.5, 2.0, -0.75], [8.0, 0.5, 1.0], [100.0, 3.0, 2.0],
        ];
        hypot: 3 |v| pair(methods::hypot(&v[0], &v[1], &v[2])) => [
            [3.0, 4.0, 1.0], [-1.0, 2.0, -0.75], [0.5, -0.2, 1.0], [0.0, 2.0, 2.0],
        ];
        atan2: 3 |v| pair(methods::atan2(&v[0], &v[1], &v[2])) => [
            [1.0, 1.0, 1.0], [1.0, -1.0, -0.75], [-2.0, 0.5, 1.0], [0.0, 1.0, 2.0],
        ];
        max: 3 |v| pair(methods::max(&v[0], &v[1], &v[2])) => [
            [1.0, 2.0, 1.0], [2.0, 1.0, -0.75], [-7.0, 7.0, 2.0],
        ];
        min: 3 |v| pair(methods::min(&v[0], &v[1], &v[2])) => [
            [1.0, 2.0, 1.0], [2.0, 1.0, -0.75], [-7.0, 7.0, 2.0],
        ];
        mul_add: 4 |v| triple(methods::mul_add(&v[0], &v[1], &v[2], &v[3])) => [
            [2.0, 3.0, 4.0, 1.0], [-1.5, 0.5, 2.0, -0.75], [0.0, 7.0, -1.0, 2.0],
        ];
        clamp: 4 |v| triple(methods::clamp(&v[0], &v[1], &v[2], &v[3])) => [
            [0.5, 0.0, 1.0, 1.0], [-2.0, 0.0, 1.0, -0.75], [3.0, 0.0, 1.0, 2.0],
        ];
    }

    /// The brief's example, by hand: the pullback of `sin` on duals differentiates `cos`.
    #[test]
    fn sin_rule_on_a_variable_gives_minus_sin() {
        for x in [-1.0, 0.0, 0.5, 2.0_f64] {
            let (dx,) = methods::sin(&Dual::variable(x), &Dual::constant(1.0));
            assert_eq!(dx.re, x.cos());
            assert_eq!(dx.eps, -x.sin());
        }
        // d/dx of sqrt's derivative 1/(2√x) is -1/(4 x^{3/2}).
        let (dx,) = methods::sqrt(&Dual::variable(4.0), &Dual::constant(1.0));
        assert_eq!((dx.re, dx.eps), (0.25, -1.0 / 32.0));
        // The integer exponent of `powi` still has no tangent.
        let (dx, dn) = methods::powi(&Dual::variable(2.0), &3, &Dual::constant(1.0));
        assert_eq!((dx.re, dx.eps, dn), (12.0, 12.0, NoTangent));
    }

    /// At the special points the rules' own conventions hold on duals too: the piecewise
    /// rules are flat, and a constant operand never turns an infinite derivative into NaN.
    #[test]
    fn conventions_at_special_points() {
        let one = Dual::constant(1.0);
        let (dx, dy) = methods::max(&Dual::variable(2.0), &Dual::constant(2.0), &one);
        assert_eq!((dx.re, dx.eps, dy.re, dy.eps), (0.5, 0.0, 0.5, 0.0));
        let (dx,) = methods::abs(&Dual::variable(0.0), &one);
        assert_eq!((dx.re, dx.eps), (0.0, 0.0));
        let (dx,) = methods::sqrt(&Dual::variable(0.0), &one);
        assert_eq!(dx.re, f64::INFINITY);
        let (dx, dy) = methods::powf(&Dual::variable(-2.0), &Dual::constant(3.0), &one);
        assert_eq!((dx.re, dx.eps), (12.0, -12.0)); // 3x², 6x
        assert!(dy.re.is_nan() && dy.eps.is_nan()); // ln x: NaN, and so its derivative
    }
}

mod operator_rules {
    use super::*;

    const POINTS: [[f64; 3]; 5] = [
        [1.0, 2.0, 1.0],
        [-3.5, 0.25, -0.75],
        [1e3, -7.0, 2.0],
        [0.0, 4.0, 1.0],
        [-0.3, -0.6, 3.5],
    ];

    #[test]
    fn linear_rules() {
        fn rule<T: Real>(v: &[T]) -> Vec<T> {
            let g = v[0];
            vec![
                ops::add_lhs(g),
                ops::add_rhs(g),
                ops::sub_lhs(g),
                ops::sub_rhs(g),
                ops::neg(g),
            ]
        }
        check::<1>(
            "add, sub, neg",
            rule::<f64>,
            rule::<Dual<f64>>,
            rule::<DualVec<f64, 1>>,
            &[[1.0], [-0.75], [3.5]],
        );
    }

    rules! {
        mul: 3 |v| vec![ops::mul_lhs(&v[0], &v[1], &v[2]), ops::mul_rhs(&v[0], &v[1], &v[2])]
            => [POINTS[0], POINTS[1], POINTS[2], POINTS[3], POINTS[4]];
        div: 3 |v| vec![ops::div_lhs(&v[0], &v[1], &v[2]), ops::div_rhs(&v[0], &v[1], &v[2])]
            => [POINTS[0], POINTS[1], POINTS[2], POINTS[3], POINTS[4]];
    }

    /// By hand: the pullback of `x / y` into `y`, `-g x / y²`, differentiated in `y`.
    #[test]
    fn div_rhs_by_hand() {
        let d = ops::div_rhs(
            &Dual::constant(3.0),
            &Dual::variable(2.0),
            &Dual::constant(1.0),
        );
        assert_eq!((d.re, d.eps), (-0.75, 0.75)); // 2 x / y³
    }
}

/// A rule on nested duals gives third derivatives: `sin`'s pullback on
/// `Dual<Dual<f64>>` seeded twice differentiates `cos` twice.
#[test]
fn nested_duals_differentiate_rules_twice() {
    let x = Dual::new(Dual::variable(0.5_f64), Dual::constant(1.0));
    let g = Dual::constant(Dual::constant(1.0));
    let (dx,) = methods::sin(&x, &g);
    assert_eq!(dx.re.re, 0.5_f64.cos());
    assert_eq!(dx.re.eps, -0.5_f64.sin());
    assert_eq!(dx.eps.re, -0.5_f64.sin());
    assert_eq!(dx.eps.eps, -0.5_f64.cos());
}

/// Generated code takes operands that are not known to be plain floats by reference: the
/// borrowed forms of the operators give what the owned ones give.
#[test]
#[allow(clippy::op_ref)] // the borrowed forms are what is under test
fn operators_on_borrowed_duals_match_owned_ones() {
    use autodiff_core::Dual;
    let (a, b) = (Dual::new(1.5, 2.0), Dual::new(-0.5, 3.0));
    let same = |x: Dual<f64>, y: Dual<f64>| assert!(x.re == y.re && x.eps == y.eps);
    same(&a + &b, a + b);
    same(&a - b, a - b);
    same(a * &b, a * b);
    same(&a / &b, a / b);
    same(&a % b, a % b);
    same(&a * 2.0, a * 2.0);
    same(2.0 * &b, 2.0 * b);
    same(-&a, -a);
}
