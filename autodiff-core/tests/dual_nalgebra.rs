//! `Dual` as a nalgebra `RealField`: nalgebra's own algorithms (`norm`, `normalize`, `dot`,
//! `determinant`, `try_inverse`) and the nalgebra derivative rules run on dual entries, and
//! their tangents are checked against hand-derived directional derivatives and against
//! central finite differences of the `f64` versions, on random-ish operands.
#![cfg(feature = "nalgebra")]

use approx::relative_eq;
use autodiff_core::rules::methods;
use autodiff_core::Dual;
use nalgebra::{ComplexField, DMatrix, DVector, RealField};

type D = Dual<f64>;

const H: f64 = 1e-6;

/// A small linear congruential generator: reproducible operands without a dependency.
struct Lcg(u64);

impl Lcg {
    /// A value in [-2, 2).
    fn value(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0
    }

    fn vector(&mut self, n: usize) -> DVector<f64> {
        DVector::from_fn(n, |_, _| self.value())
    }

    /// A matrix whose diagonal is shifted away from zero, so that it is safely invertible.
    fn matrix(&mut self, n: usize) -> DMatrix<f64> {
        DMatrix::from_fn(n, n, |i, j| self.value() + if i == j { 3.0 } else { 0.0 })
    }
}

/// Tangent against a reference: 1e-6 relative (finite differences), or 1e-8 absolute.
fn close(actual: f64, expected: f64) -> bool {
    relative_eq!(actual, expected, epsilon = 1e-8, max_relative = 1e-6)
}

/// Tangent against an exact formula evaluated in `f64`: rounding only.
fn tight(actual: f64, expected: f64) -> bool {
    relative_eq!(actual, expected, epsilon = 1e-12, max_relative = 1e-10)
}

#[track_caller]
fn assert_all(what: &str, actual: &[f64], expected: &[f64], cmp: fn(f64, f64) -> bool) {
    assert_eq!(actual.len(), expected.len(), "{what}: lengths");
    for (i, (&a, &e)) in actual.iter().zip(expected).enumerate() {
        assert!(cmp(a, e), "{what}[{i}]: got {a}, expected {e}");
    }
}

fn seed_vector(x: &DVector<f64>, v: &DVector<f64>) -> DVector<D> {
    x.zip_map(v, Dual::new)
}

fn seed_matrix(a: &DMatrix<f64>, da: &DMatrix<f64>) -> DMatrix<D> {
    a.zip_map(da, Dual::new)
}

fn values<R: nalgebra::Dim, C: nalgebra::Dim, S>(m: &nalgebra::Matrix<D, R, C, S>) -> Vec<f64>
where
    S: nalgebra::RawStorage<D, R, C>,
{
    m.iter().map(|d| d.re).collect()
}

fn tangents<R: nalgebra::Dim, C: nalgebra::Dim, S>(m: &nalgebra::Matrix<D, R, C, S>) -> Vec<f64>
where
    S: nalgebra::RawStorage<D, R, C>,
{
    m.iter().map(|d| d.eps).collect()
}

/// Central difference of a vector-valued `f` at `t = 0`.
fn central<F: Fn(f64) -> Vec<f64>>(f: F) -> Vec<f64> {
    let (up, down) = (f(H), f(-H));
    up.iter()
        .zip(&down)
        .map(|(u, d)| (u - d) / (2.0 * H))
        .collect()
}

#[test]
fn norm_tangent_is_x_dot_v_over_norm() {
    let mut rng = Lcg(1);
    for n in 1..=6 {
        let (x, v) = (rng.vector(n), rng.vector(n));
        let r = seed_vector(&x, &v).norm();
        assert_eq!(r.re, x.norm());
        assert!(tight(r.eps, x.dot(&v) / x.norm()), "n = {n}: {}", r.eps);
        let fd = central(|t| vec![(&x + &v * t).norm()]);
        assert!(close(r.eps, fd[0]), "n = {n}: {} against {}", r.eps, fd[0]);
    }
}

#[test]
fn norm_at_zero_has_zero_tangent_like_the_rule() {
    let r = seed_vector(&DVector::zeros(3), &DVector::from_element(3, 1.0)).norm();
    assert_eq!((r.re, r.eps), (0.0, 0.0));
}

#[test]
fn normalize_tangent_is_the_orthogonal_part_of_v_over_norm() {
    let mut rng = Lcg(2);
    for n in 1..=6 {
        let (x, v) = (rng.vector(n), rng.vector(n));
        let u = seed_vector(&x, &v).normalize();
        let (r, u64) = (x.norm(), x.normalize());
        let by_hand = (&v - &u64 * u64.dot(&v)) / r;
        assert_all("normalize value", &values(&u), u64.as_slice(), tight);
        assert_all(
            "normalize tangent",
            &tangents(&u),
            by_hand.as_slice(),
            tight,
        );
        let fd = central(|t| (&x + &v * t).normalize().as_slice().to_vec());
        assert_all("normalize fd", &tangents(&u), &fd, close);
    }
}

#[test]
fn dot_tangent_is_the_product_rule() {
    let mut rng = Lcg(3);
    for n in 1..=6 {
        let (x, v, y, w) = (rng.vector(n), rng.vector(n), rng.vector(n), rng.vector(n));
        let p = seed_vector(&x, &v).dot(&seed_vector(&y, &w));
        assert_eq!(p.re, x.dot(&y));
        assert!(tight(p.eps, v.dot(&y) + x.dot(&w)));
        let fd = central(|t| vec![(&x + &v * t).dot(&(&y + &w * t))]);
        assert!(close(p.eps, fd[0]));
    }
}

#[test]
fn determinant_tangent_is_jacobis_formula() {
    let mut rng = Lcg(4);
    // 2 and 3 use nalgebra's closed forms, 4 and 5 its LU factorization.
    for n in 2..=5 {
        for _ in 0..3 {
            let (a, da) = (rng.matrix(n), rng.matrix(n));
            let det = seed_matrix(&a, &da).determinant();
            let inverse = a.clone().try_inverse().unwrap();
            let jacobi = a.determinant() * (&inverse * &da).trace();
            assert!(tight(det.re, a.determinant()), "n = {n}");
            assert!(
                tight(det.eps, jacobi),
                "n = {n}: {} against {jacobi}",
                det.eps
            );
            let fd = central(|t| vec![(&a + &da * t).determinant()]);
            assert!(
                close(det.eps, fd[0]),
                "n = {n}: {} against {}",
                det.eps,
                fd[0]
            );
        }
    }
}

#[test]
fn lu_determinant_matches_the_closed_form() {
    let mut rng = Lcg(5);
    let (a, da) = (rng.matrix(3), rng.matrix(3));
    let seeded = seed_matrix(&a, &da);
    let (closed, lu) = (seeded.determinant(), seeded.lu().determinant());
    assert!(tight(lu.re, closed.re) && tight(lu.eps, closed.eps));
}

#[test]
fn inverse_tangent_is_minus_inverse_da_inverse() {
    let mut rng = Lcg(6);
    // 2 to 4 use nalgebra's closed forms, 5 and 6 its LU factorization.
    for n in 2..=6 {
        let (a, da) = (rng.matrix(n), rng.matrix(n));
        let inverse = seed_matrix(&a, &da).try_inverse().unwrap();
        let a_inv = a.clone().try_inverse().unwrap();
        let by_hand = -(&a_inv * &da * &a_inv);
        assert_all("inverse value", &values(&inverse), a_inv.as_slice(), tight);
        assert_all(
            "inverse tangent",
            &tangents(&inverse),
            by_hand.as_slice(),
            tight,
        );
        let fd = central(|t| (&a + &da * t).try_inverse().unwrap().as_slice().to_vec());
        assert_all("inverse fd", &tangents(&inverse), &fd, close);
    }
}

#[test]
fn singular_matrix_has_no_dual_inverse() {
    let a = DMatrix::from_element(3, 3, Dual::new(1.0, 2.0));
    assert!(a.try_inverse().is_none());
}

#[test]
fn norm_rule_at_dual_entries_differentiates_the_f64_rule() {
    let mut rng = Lcg(7);
    for n in 1..=5 {
        let (x, v) = (rng.vector(n), rng.vector(n));
        let (g, dg) = (rng.value(), rng.value());
        let (x_bar,) = methods::norm(&seed_vector(&x, &v), &Dual::new(g, dg));
        let (plain,) = methods::norm(&x, &g);
        assert_all("norm rule value", &values(&x_bar), plain.as_slice(), tight);
        let fd = central(|t| {
            let (x_bar,) = methods::norm(&(&x + &v * t), &(g + dg * t));
            x_bar.as_slice().to_vec()
        });
        assert_all("norm rule tangent", &tangents(&x_bar), &fd, close);
    }
}

#[test]
fn normalize_rule_at_dual_entries_differentiates_the_f64_rule() {
    let mut rng = Lcg(8);
    for n in 1..=5 {
        let (x, v, g, dg) = (rng.vector(n), rng.vector(n), rng.vector(n), rng.vector(n));
        let (x_bar,) = methods::normalize(&seed_vector(&x, &v), &seed_vector(&g, &dg));
        let (plain,) = methods::normalize(&x, &g);
        assert_all(
            "normalize rule value",
            &values(&x_bar),
            plain.as_slice(),
            tight,
        );
        let fd = central(|t| {
            let (x_bar,) = methods::normalize(&(&x + &v * t), &(&g + &dg * t));
            x_bar.as_slice().to_vec()
        });
        assert_all("normalize rule tangent", &tangents(&x_bar), &fd, close);
    }
}

#[test]
fn determinant_rule_at_dual_entries_differentiates_the_f64_rule() {
    let mut rng = Lcg(9);
    for n in 1..=5 {
        let (a, da) = (rng.matrix(n), rng.matrix(n));
        let (g, dg) = (rng.value(), rng.value());
        let (a_bar,) = methods::determinant(&seed_matrix(&a, &da), &Dual::new(g, dg));
        let (plain,) = methods::determinant(&a, &g);
        assert_all(
            "determinant rule value",
            &values(&a_bar),
            plain.as_slice(),
            tight,
        );
        let fd = central(|t| {
            let (a_bar,) = methods::determinant(&(&a + &da * t), &(g + dg * t));
            a_bar.as_slice().to_vec()
        });
        assert_all("determinant rule tangent", &tangents(&a_bar), &fd, close);
    }
}

#[test]
fn single_precision_norm() {
    let mut rng = Lcg(10);
    let (x, v) = (rng.vector(4), rng.vector(4));
    let seeded = DVector::from_fn(4, |i, _| Dual::new(x[i] as f32, v[i] as f32));
    let r = seeded.norm();
    let by_hand = x.dot(&v) / x.norm();
    assert!((f64::from(r.re) - x.norm()).abs() < 1e-5 * x.norm());
    assert!((f64::from(r.eps) - by_hand).abs() < 1e-5 * (1.0 + by_hand.abs()));
    let det = DMatrix::from_fn(2, 2, |i, j| {
        Dual::new(
            (i + 2 * j + 1) as f32,
            if (i, j) == (0, 0) { 1.0 } else { 0.0 },
        )
    })
    .determinant();
    // det [[1, 3], [2, 4]] = -2; along the (0, 0) entry: its cofactor, 4.
    assert_eq!((det.re, det.eps), (-2.0, 4.0));
}

#[test]
fn nested_norm_and_determinant_give_second_directional_derivatives() {
    let mut rng = Lcg(11);
    let (x, v) = (rng.vector(4), rng.vector(4));
    // x + t v, with t seeded in both levels: the inner tangent is v, the outer one v too.
    let seeded: DVector<Dual<D>> = DVector::from_fn(4, |i, _| {
        Dual::new(Dual::new(x[i], v[i]), Dual::new(v[i], 0.0))
    });
    let r = seeded.norm();
    let (norm, xv) = (x.norm(), x.dot(&v));
    assert!(tight(r.re.re, norm));
    assert!(tight(r.re.eps, xv / norm));
    assert!(tight(r.eps.re, xv / norm));
    // vᵀ (I - u uᵀ) v / ‖x‖.
    let second = v.dot(&v) / norm - xv * xv / (norm * norm * norm);
    assert!(tight(r.eps.eps, second), "{} against {second}", r.eps.eps);
    // 4×4 goes through nalgebra's LU factorization, pivoting on nested duals.
    let (a, da) = (rng.matrix(4), rng.matrix(4));
    let seeded: DMatrix<Dual<D>> =
        a.zip_map(&da, |a, d| Dual::new(Dual::new(a, d), Dual::new(d, 0.0)));
    let det = seeded.determinant();
    let h = 1e-4;
    let at = |t: f64| (&a + &da * t).determinant();
    let fd = (at(h) - 2.0 * at(0.0) + at(-h)) / (h * h);
    assert!(tight(det.re.re, a.determinant()));
    assert!(
        relative_eq!(det.eps.eps, fd, epsilon = 1e-6, max_relative = 1e-5),
        "{} against {fd}",
        det.eps.eps
    );
}

#[test]
fn constants_have_zero_tangents_and_complex_functions_their_real_meanings() {
    assert_eq!(
        <D as RealField>::pi(),
        Dual::new(core::f64::consts::PI, 0.0)
    );
    assert_eq!(<D as RealField>::pi().eps, 0.0);
    assert_eq!(<D as RealField>::min_value().unwrap().eps, 0.0);
    let x = Dual::new(-2.0, 3.0);
    assert_eq!(ComplexField::modulus(x), Dual::new(2.0, -3.0));
    assert_eq!(ComplexField::modulus(x).eps, -3.0);
    assert_eq!(
        ComplexField::argument(x),
        Dual::new(core::f64::consts::PI, 0.0)
    );
    assert_eq!(ComplexField::argument(x).eps, 0.0);
    assert_eq!(ComplexField::argument(-x).re, 0.0);
    assert_eq!(ComplexField::imaginary(x).eps, 0.0);
    assert_eq!(ComplexField::conjugate(x).eps, 3.0);
    assert_eq!(ComplexField::scale(x, Dual::new(2.0, 1.0)).eps, 4.0); // 3·2 + (-2)·1
    let (modulus, sign) = ComplexField::to_exp(x);
    assert_eq!(
        (modulus.re, modulus.eps, sign.re, sign.eps),
        (2.0, -3.0, -1.0, 0.0)
    );
    assert_eq!(ComplexField::try_sqrt(x), None);
    let s = ComplexField::sqrt(Dual::new(4.0, 1.0));
    assert_eq!((s.re, s.eps), (2.0, 0.25));
    // A tie of max splits the tangent, as Float::max does.
    assert_eq!(
        RealField::max(Dual::new(1.0, 2.0), Dual::new(1.0, 0.0)).eps,
        1.0
    );
    assert!(tight(
        RealField::atan2(Dual::new(1.0, 1.0), Dual::new(1.0, 0.0)).eps,
        0.5
    ));
}

#[test]
fn sinc_at_zero_keeps_its_derivatives() {
    let s = ComplexField::sinc(Dual::new(0.0, 1.0));
    assert_eq!((s.re, s.eps), (1.0, 0.0));
    let nested = ComplexField::sinc(Dual::new(Dual::new(0.0, 1.0), Dual::new(1.0, 0.0)));
    // sinc''(0) = -1/3.
    assert!(tight(nested.eps.eps, -1.0 / 3.0), "{}", nested.eps.eps);
    let away = ComplexField::sinc(Dual::new(0.5, 1.0));
    let fd = central(|t| vec![(0.5 + t).sin() / (0.5 + t)]);
    assert!(close(away.eps, fd[0]));
}

#[test]
fn floats_convert_into_constants_and_back_only_without_tangent() {
    let c: D = nalgebra::convert(2.5_f64);
    assert_eq!((c.re, c.eps), (2.5, 0.0));
    let c32: Dual<f32> = nalgebra::convert(2.5_f64);
    assert_eq!((c32.re, c32.eps), (2.5, 0.0));
    assert_eq!(
        nalgebra::try_convert::<D, f64>(Dual::new(2.5, 0.0)),
        Some(2.5)
    );
    assert_eq!(nalgebra::try_convert::<D, f64>(Dual::new(2.5, 1.0)), None);
    assert_eq!(
        nalgebra::convert_unchecked::<D, f64>(Dual::new(2.5, 1.0)),
        2.5
    );
}
