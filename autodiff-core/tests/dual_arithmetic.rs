//! Arithmetic of `Dual` and `DualVec` with duals and plain floats on either side,
//! comparisons, and the small traits: `num_traits`, `approx`, formatting, `Default`.

use approx::{abs_diff_eq, assert_relative_eq, relative_eq, ulps_eq};
use autodiff_core::{Dual, DualVec, ZeroLike};
use num_traits::{Float, FloatConst, FromPrimitive, Num, NumCast, One, Signed, ToPrimitive, Zero};

fn parts(x: Dual<f64>) -> (f64, f64) {
    (x.re, x.eps)
}

#[test]
fn dual_with_dual() {
    let x = Dual::new(3.0, 1.0);
    let y = Dual::new(2.0, -0.5);
    assert_eq!(parts(x + y), (5.0, 0.5));
    assert_eq!(parts(x - y), (1.0, 1.5));
    assert_eq!(parts(x * y), (6.0, 2.0 - 1.5)); // x' y + x y'
    assert_eq!(parts(x / y), (1.5, (1.0 * 2.0 + 3.0 * 0.5) / 4.0)); // (x' y - x y') / y²
    assert_eq!(parts(-x), (-3.0, -1.0));
    assert_eq!(parts(x % y), (1.0, 1.0 + 0.5)); // x' - trunc(x/y) y'
}

#[test]
fn dual_with_plain_float_on_either_side() {
    let x = Dual::new(3.0_f64, 1.0);
    assert_eq!(parts(x + 2.0), (5.0, 1.0));
    assert_eq!(parts(2.0 + x), (5.0, 1.0));
    assert_eq!(parts(x - 2.0), (1.0, 1.0));
    assert_eq!(parts(2.0 - x), (-1.0, -1.0));
    assert_eq!(parts(x * 2.0), (6.0, 2.0));
    assert_eq!(parts(2.0 * x), (6.0, 2.0));
    assert_eq!(parts(x / 2.0), (1.5, 0.5));
    assert_eq!(parts(6.0 / x), (2.0, -6.0 / 9.0));
    assert_eq!(parts(x % 2.0), (1.0, 1.0));
    assert_eq!(parts(7.0 % x), (1.0, -2.0));

    // f32, on both sides.
    let x = Dual::new(3.0_f32, 1.0);
    let y = 2.0 * x - 1.0 / x + x * 0.5;
    assert_eq!(
        (y.re, y.eps),
        (6.0 - 1.0 / 3.0 + 1.5, 2.0 + 1.0 / 9.0 + 0.5)
    );

    // DualVec, on both sides.
    let [a, b] = DualVec::variables([3.0_f64, 4.0]);
    let z = 2.0 * a * b + 1.0 - b / 2.0;
    assert_eq!((z.re, z.eps), (23.0, [8.0, 5.5]));
    let z = 12.0 / a;
    assert_eq!((z.re, z.eps), (4.0, [-12.0 / 9.0, 0.0]));
}

#[test]
fn compound_assignment() {
    let mut x = Dual::new(2.0, 1.0);
    x += Dual::new(1.0, 1.0);
    assert_eq!(parts(x), (3.0, 2.0));
    x -= 1.0;
    assert_eq!(parts(x), (2.0, 2.0));
    x *= Dual::new(3.0, 0.0);
    assert_eq!(parts(x), (6.0, 6.0));
    x *= 0.5;
    assert_eq!(parts(x), (3.0, 3.0));
    x /= Dual::new(3.0, 0.0);
    assert_eq!(parts(x), (1.0, 1.0));
    x /= 2.0;
    assert_eq!(parts(x), (0.5, 0.5));
    x %= 0.25;
    assert_eq!(parts(x), (0.0, 0.5));
    x -= Dual::new(1.0, 0.5);
    x %= Dual::constant(0.75);
    assert_eq!(parts(x), (-0.25, 0.0));

    let mut v = DualVec::<f64, 2>::variable(2.0, 1);
    v *= v;
    v += 1.0;
    assert_eq!((v.re, v.eps), (5.0, [0.0, 4.0]));
}

#[test]
fn sums_and_products() {
    let xs = [
        Dual::new(1.0, 1.0),
        Dual::new(2.0, 0.0),
        Dual::new(3.0, 2.0),
    ];
    assert_eq!(parts(xs.iter().sum()), (6.0, 3.0));
    assert_eq!(parts(xs.into_iter().sum()), (6.0, 3.0));
    assert_eq!(parts(xs.iter().product()), (6.0, 6.0 + 2.0 * 2.0));
    assert_eq!(parts(xs.into_iter().product()), (6.0, 10.0));
    let empty: [Dual<f64>; 0] = [];
    assert_eq!(parts(empty.iter().sum()), (0.0, 0.0));
    assert_eq!(parts(empty.iter().product()), (1.0, 0.0));
}

#[test]
fn comparisons_look_at_values_only() {
    use core::cmp::Ordering::{Equal, Greater, Less};

    let x = Dual::new(1.0, 5.0);
    let y = Dual::new(1.0, -5.0);
    assert_eq!(x, y);
    assert_eq!(x.partial_cmp(&y), Some(Equal));
    assert_eq!(Dual::new(0.5, 9.0).partial_cmp(&x), Some(Less));
    assert!(Dual::new(0.5, 9.0) < x);
    assert!(x <= y);
    assert!(x >= y);
    // Against plain floats, on both sides.
    assert!(x == 1.0);
    assert!(1.0 == x);
    assert!(x != 2.0);
    assert!(x < 2.0);
    assert!(2.0 > x);
    assert!(0.5 <= x);
    assert_eq!(x.partial_cmp(&3.0), Some(Less));
    assert_eq!(3.0.partial_cmp(&x), Some(Greater));
    assert_eq!(x.partial_cmp(&Dual::nan()), None);
    assert!(Dual::new(1.0_f32, 1.0) == 1.0_f32);
    let v = DualVec::new(2.0, [1.0, 1.0]);
    assert!(v == DualVec::constant(2.0));
    assert!(v > 1.0);
    assert!(3.0 > v);
}

#[test]
fn constructors_and_detach() {
    assert_eq!(parts(Dual::constant(2.0)), (2.0, 0.0));
    assert_eq!(parts(Dual::variable(2.0)), (2.0, 1.0));
    assert_eq!(parts(Dual::new(2.0, 3.0).detach()), (2.0, 0.0));
    let x = Dual::variable(3.0);
    assert_eq!(parts(x * x.detach()), (9.0, 3.0));
    let c: Dual<f64> = 4.0.into();
    assert_eq!(parts(c), (4.0, 0.0));
    let v = DualVec::<f64, 3>::variable(1.0, 2);
    assert_eq!(v.eps, [0.0, 0.0, 1.0]);
    assert_eq!(v.detach().eps, [0.0; 3]);
}

#[test]
#[should_panic(expected = "out of range")]
fn dual_vec_variable_out_of_range() {
    DualVec::<f64, 2>::variable(1.0, 2);
}

#[test]
fn zero_and_one_require_zero_tangents() {
    assert_eq!(parts(Dual::zero()), (0.0, 0.0));
    assert_eq!(parts(Dual::one()), (1.0, 0.0));
    assert!(Dual::<f64>::zero().is_zero());
    assert!(!Dual::new(0.0, 1.0).is_zero()); // not the additive identity…
    assert!(Dual::new(0.0, 1.0) == 0.0); // …though its value is zero
    assert!(Dual::<f64>::one().is_one() && !Dual::new(1.0, 1.0).is_one());
    assert!(DualVec::<f64, 2>::zero().is_zero() && !DualVec::new(0.0, [0.0, 1.0]).is_zero());
    // Nested: a zero value whose tangent has a nonzero tangent is not zero.
    assert!(!Dual::new(Dual::constant(0.0), Dual::new(0.0, 1.0)).is_zero());
    assert_eq!(parts(Dual::new(3.0, 1.0).zero_like()), (0.0, 0.0));
}

#[test]
fn conversions_give_constants() {
    let x: Dual<f64> = NumCast::from(3_i32).unwrap();
    assert_eq!(parts(x), (3.0, 0.0));
    let x = <Dual<f64> as FromPrimitive>::from_u64(7).unwrap();
    assert_eq!(parts(x), (7.0, 0.0));
    let x = <Dual<f32> as FromPrimitive>::from_f64(0.5).unwrap();
    assert_eq!((x.re, x.eps), (0.5, 0.0));
    assert_eq!(parts(Dual::from_str_radix("2.5", 10).unwrap()), (2.5, 0.0));
    assert!(<Dual<f64> as Num>::from_str_radix("x", 10).is_err());
    let y = Dual::new(2.7, 1.0);
    assert_eq!(
        (y.to_i32(), y.to_u8(), y.to_f64()),
        (Some(2), Some(2), Some(2.7))
    );
    assert_eq!(Dual::new(-1.0, 1.0).to_u32(), None);
    let v: DualVec<f64, 2> = NumCast::from(1.5_f32).unwrap();
    assert_eq!((v.re, v.eps), (1.5, [0.0, 0.0]));
}

#[test]
fn signed_and_float_const() {
    let x = Dual::new(-2.0, 1.0);
    assert_eq!(parts(Signed::abs(&x)), (2.0, -1.0));
    assert_eq!(parts(Signed::signum(&x)), (-1.0, 0.0));
    assert_eq!(
        parts(Signed::abs_sub(&x, &Dual::constant(-3.0))),
        (1.0, 1.0)
    );
    assert!(x.is_negative() && !x.is_positive());
    assert_eq!(parts(Dual::<f64>::PI()), (core::f64::consts::PI, 0.0));
    assert_eq!(parts(Dual::<f64>::TAU()), (core::f64::consts::TAU, 0.0));
    assert_eq!(
        parts(Dual::<f64>::LOG2_10()),
        (core::f64::consts::LOG2_10, 0.0)
    );
    assert_eq!(DualVec::<f64, 2>::E().re, core::f64::consts::E);
}

#[test]
fn approx_compares_values_and_tangents() {
    let a = Dual::new(1.0, 2.0);
    assert_relative_eq!(
        a,
        Dual::new(1.0 + 1e-15, 2.0),
        max_relative = Dual::constant(1e-12)
    );
    assert!(!relative_eq!(a, Dual::new(1.0, 2.1))); // equal values, other tangent
    assert!(!relative_eq!(a, Dual::new(1.1, 2.0)));
    assert!(abs_diff_eq!(
        a,
        Dual::new(1.05, 1.95),
        epsilon = Dual::constant(0.1)
    ));
    // Only the tolerance's value counts: its tangent does not widen the tangent's tolerance.
    assert!(!abs_diff_eq!(
        a,
        Dual::new(1.0, 2.5),
        epsilon = Dual::new(0.1, 1.0)
    ));
    assert!(ulps_eq!(a, Dual::new(1.0, 2.0)));
    let v = DualVec::new(1.0, [2.0, 3.0]);
    assert_relative_eq!(
        v,
        DualVec::new(1.0, [2.0, 3.0 + 1e-14]),
        max_relative = 1e-12
    );
    assert!(!relative_eq!(v, DualVec::new(1.0, [2.0, 3.5])));
    let n = Dual::new(Dual::new(1.0, 2.0), Dual::new(3.0, 4.0));
    assert_relative_eq!(n, Dual::new(Dual::new(1.0, 2.0), Dual::new(3.0, 4.0)));
    assert!(!relative_eq!(
        n,
        Dual::new(Dual::new(1.0, 2.0), Dual::new(3.0, 4.5))
    ));
}

#[test]
fn formatting_and_default() {
    assert_eq!(Dual::new(1.5, 2.0).to_string(), "1.5 + 2ε");
    assert_eq!(Dual::new(1.5, -2.0).to_string(), "1.5 - 2ε");
    assert_eq!(format!("{:.3}", Dual::new(1.0, 0.5)), "1.000 + 0.500ε");
    assert_eq!(
        Dual::new(Dual::new(1.0, -2.0), Dual::new(3.0, 4.0)).to_string(),
        "(1 - 2ε) + (3 + 4ε)ε"
    );
    assert_eq!(DualVec::new(1.0, [2.0, -3.0]).to_string(), "1 + [2, -3]ε");
    assert_eq!(
        format!("{:?}", Dual::new(1.0, 2.0)),
        "Dual { re: 1.0, eps: 2.0 }"
    );
    assert_eq!(
        format!("{:?}", DualVec::new(1.0, [2.0])),
        "DualVec { re: 1.0, eps: [2.0] }"
    );
    assert_eq!(parts(Dual::default()), (0.0, 0.0));
    let z = DualVec::<f64, 40>::default();
    assert_eq!((z.re, z.eps), (0.0, [0.0; 40]));
}

/// `Dual<f32>`, and generic code: a quotient and a Float method, in `f32`.
#[test]
fn works_in_f32() {
    fn f<T: Float>(x: T) -> T {
        x.exp() / (T::one() + x * x)
    }
    let y = f(Dual::variable(0.5_f32));
    let expected = 0.5_f32.exp() * (1.25 - 1.0) / (1.25 * 1.25); // eˣ (1 + x² - 2x)/(1 + x²)²
    assert!((y.eps - expected).abs() < 1e-6);
}
