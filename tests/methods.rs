//! Every float method, in method form (`x.sin()`) and path form (`f64::sin(x)`), the float
//! constants, `sin_cos`, and the conventions at points where a derivative does not exist.

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
use common::{assert_close, check, modes_agree_1, modes_agree_2, modes_agree_3};
use std::f64::consts::{LN_10, LN_2};

// ---- one-operand methods, both forms ----------------------------------------------------------

#[differentiate]
fn m_sin(x: f64) -> f64 {
    x.sin()
}

#[differentiate]
fn p_sin(x: f64) -> f64 {
    f64::sin(x)
}

#[differentiate]
fn m_cos(x: f64) -> f64 {
    x.cos()
}

#[differentiate]
fn p_cos(x: f64) -> f64 {
    f64::cos(x)
}

#[differentiate]
fn m_tan(x: f64) -> f64 {
    x.tan()
}

#[differentiate]
fn p_tan(x: f64) -> f64 {
    f64::tan(x)
}

#[differentiate]
fn m_asin(x: f64) -> f64 {
    x.asin()
}

#[differentiate]
fn p_asin(x: f64) -> f64 {
    f64::asin(x)
}

#[differentiate]
fn m_acos(x: f64) -> f64 {
    x.acos()
}

#[differentiate]
fn p_acos(x: f64) -> f64 {
    f64::acos(x)
}

#[differentiate]
fn m_atan(x: f64) -> f64 {
    x.atan()
}

#[differentiate]
fn p_atan(x: f64) -> f64 {
    f64::atan(x)
}

#[differentiate]
fn m_sinh(x: f64) -> f64 {
    x.sinh()
}

#[differentiate]
fn p_sinh(x: f64) -> f64 {
    f64::sinh(x)
}

#[differentiate]
fn m_cosh(x: f64) -> f64 {
    x.cosh()
}

#[differentiate]
fn p_cosh(x: f64) -> f64 {
    f64::cosh(x)
}

#[differentiate]
fn m_tanh(x: f64) -> f64 {
    x.tanh()
}

#[differentiate]
fn p_tanh(x: f64) -> f64 {
    f64::tanh(x)
}

#[differentiate]
fn m_asinh(x: f64) -> f64 {
    x.asinh()
}

#[differentiate]
fn p_asinh(x: f64) -> f64 {
    f64::asinh(x)
}

#[differentiate]
fn m_acosh(x: f64) -> f64 {
    x.acosh()
}

#[differentiate]
fn p_acosh(x: f64) -> f64 {
    f64::acosh(x)
}

#[differentiate]
fn m_atanh(x: f64) -> f64 {
    x.atanh()
}

#[differentiate]
fn p_atanh(x: f64) -> f64 {
    f64::atanh(x)
}

#[differentiate]
fn m_exp(x: f64) -> f64 {
    x.exp()
}

#[differentiate]
fn p_exp(x: f64) -> f64 {
    f64::exp(x)
}

#[differentiate]
fn m_exp2(x: f64) -> f64 {
    x.exp2()
}

#[differentiate]
fn p_exp2(x: f64) -> f64 {
    f64::exp2(x)
}

#[differentiate]
fn m_exp_m1(x: f64) -> f64 {
    x.exp_m1()
}

#[differentiate]
fn p_exp_m1(x: f64) -> f64 {
    f64::exp_m1(x)
}

#[differentiate]
fn m_ln(x: f64) -> f64 {
    x.ln()
}

#[differentiate]
fn p_ln(x: f64) -> f64 {
    f64::ln(x)
}

#[differentiate]
fn m_ln_1p(x: f64) -> f64 {
    x.ln_1p()
}

#[differentiate]
fn p_ln_1p(x: f64) -> f64 {
    f64::ln_1p(x)
}

#[differentiate]
fn m_log2(x: f64) -> f64 {
    x.log2()
}

#[differentiate]
fn p_log2(x: f64) -> f64 {
    f64::log2(x)
}

#[differentiate]
fn m_log10(x: f64) -> f64 {
    x.log10()
}

#[differentiate]
fn p_log10(x: f64) -> f64 {
    f64::log10(x)
}

#[differentiate]
fn m_sqrt(x: f64) -> f64 {
    x.sqrt()
}

#[differentiate]
fn p_sqrt(x: f64) -> f64 {
    f64::sqrt(x)
}

#[differentiate]
fn m_cbrt(x: f64) -> f64 {
    x.cbrt()
}

#[differentiate]
fn p_cbrt(x: f64) -> f64 {
    f64::cbrt(x)
}

#[differentiate]
fn m_abs(x: f64) -> f64 {
    x.abs()
}

#[differentiate]
fn p_abs(x: f64) -> f64 {
    f64::abs(x)
}

#[differentiate]
fn m_signum(x: f64) -> f64 {
    x.signum()
}

#[differentiate]
fn p_signum(x: f64) -> f64 {
    f64::signum(x)
}

#[differentiate]
fn m_recip(x: f64) -> f64 {
    x.recip()
}

#[differentiate]
fn p_recip(x: f64) -> f64 {
    f64::recip(x)
}

#[differentiate]
fn m_floor(x: f64) -> f64 {
    x.floor()
}

#[differentiate]
fn p_floor(x: f64) -> f64 {
    f64::floor(x)
}

#[differentiate]
fn m_ceil(x: f64) -> f64 {
    x.ceil()
}

#[differentiate]
fn p_ceil(x: f64) -> f64 {
    f64::ceil(x)
}

#[differentiate]
fn m_round(x: f64) -> f64 {
    x.round()
}

#[differentiate]
fn p_round(x: f64) -> f64 {
    f64::round(x)
}

#[differentiate]
fn m_trunc(x: f64) -> f64 {
    x.trunc()
}

#[differentiate]
fn p_trunc(x: f64) -> f64 {
    f64::trunc(x)
}

#[differentiate]
fn m_fract(x: f64) -> f64 {
    x.fract()
}

#[differentiate]
fn p_fract(x: f64) -> f64 {
    f64::fract(x)
}

#[differentiate]
fn m_to_degrees(x: f64) -> f64 {
    x.to_degrees()
}

#[differentiate]
fn p_to_degrees(x: f64) -> f64 {
    f64::to_degrees(x)
}

#[differentiate]
fn m_to_radians(x: f64) -> f64 {
    x.to_radians()
}

#[differentiate]
fn p_to_radians(x: f64) -> f64 {
    f64::to_radians(x)
}

struct Unary {
    name: &'static str,
    method: fn(f64) -> f64,
    method_grad: fn(f64) -> f64,
    path: fn(f64) -> f64,
    path_grad: fn(f64) -> f64,
    /// The reference value, from the standard library.
    value: fn(f64) -> f64,
    /// The derivative, derived by hand.
    derivative: fn(f64) -> f64,
    points: &'static [f64],
}

macro_rules! unary {
    ($m:ident, $mf:ident, $mg:ident, $pf:ident, $pg:ident, $d:expr, $points:expr) => {
        Unary {
            name: stringify!($m),
            method: $mf,
            method_grad: $mg,
            path: $pf,
            path_grad: $pg,
            value: f64::$m,
            derivative: $d,
            points: $points,
        }
    };
}

const GENERAL: &[f64] = &[-2.3, -0.7, 0.4, 1.9];
const UNIT: &[f64] = &[-0.9, -0.3, 0.2, 0.75];
const POSITIVE: &[f64] = &[0.1, 0.7, 2.5, 40.0];
const ABOVE_ONE: &[f64] = &[1.1, 1.5, 3.0, 25.0];
/// Away from integers and from the halves, where rounding jumps.
const OFF_GRID: &[f64] = &[-2.3, -0.7, 0.2, 1.9, 3.3];

fn unary_table() -> Vec<Unary> {
    vec![
        unary!(
            sin,
            m_sin,
            m_sin_grad,
            p_sin,
            p_sin_grad,
            |x| x.cos(),
            GENERAL
        ),
        unary!(
            cos,
            m_cos,
            m_cos_grad,
            p_cos,
            p_cos_grad,
            |x| -x.sin(),
            GENERAL
        ),
        unary!(
            tan,
            m_tan,
            m_tan_grad,
            p_tan,
            p_tan_grad,
            |x| 1.0 / (x.cos() * x.cos()),
            &[-1.2, -0.7, 0.4, 1.3]
        ),
        unary!(
            asin,
            m_asin,
            m_asin_grad,
            p_asin,
            p_asin_grad,
            |x| 1.0 / (1.0 - x * x).sqrt(),
            UNIT
        ),
        unary!(
            acos,
            m_acos,
            m_acos_grad,
            p_acos,
            p_acos_grad,
            |x| -1.0 / (1.0 - x * x).sqrt(),
            UNIT
        ),
        unary!(
            atan,
            m_atan,
            m_atan_grad,
            p_atan,
            p_atan_grad,
            |x| 1.0 / (1.0 + x * x),
            GENERAL
        ),
        unary!(
            sinh,
            m_sinh,
            m_sinh_grad,
            p_sinh,
            p_sinh_grad,
            |x| x.cosh(),
            GENERAL
        ),
        unary!(
            cosh,
            m_cosh,
            m_cosh_grad,
            p_cosh,
            p_cosh_grad,
            |x| x.sinh(),
            GENERAL
        ),
        unary!(
            tanh,
            m_tanh,
            m_tanh_grad,
            p_tanh,
            p_tanh_grad,
            |x| 1.0 - x.tanh() * x.tanh(),
            GENERAL
        ),
        unary!(
            asinh,
            m_asinh,
            m_asinh_grad,
            p_asinh,
            p_asinh_grad,
            |x| 1.0 / (x * x + 1.0).sqrt(),
            GENERAL
        ),
        unary!(
            acosh,
            m_acosh,
            m_acosh_grad,
            p_acosh,
            p_acosh_grad,
            |x| 1.0 / (x * x - 1.0).sqrt(),
            ABOVE_ONE
        ),
        unary!(
            atanh,
            m_atanh,
            m_atanh_grad,
            p_atanh,
            p_atanh_grad,
            |x| 1.0 / (1.0 - x * x),
            UNIT
        ),
        unary!(
            exp,
            m_exp,
            m_exp_grad,
            p_exp,
            p_exp_grad,
            |x| x.exp(),
            GENERAL
        ),
        unary!(
            exp2,
            m_exp2,
            m_exp2_grad,
            p_exp2,
            p_exp2_grad,
            |x| x.exp2() * LN_2,
            GENERAL
        ),
        unary!(
            exp_m1,
            m_exp_m1,
            m_exp_m1_grad,
            p_exp_m1,
            p_exp_m1_grad,
            |x| x.exp(),
            GENERAL
        ),
        unary!(ln, m_ln, m_ln_grad, p_ln, p_ln_grad, |x| 1.0 / x, POSITIVE),
        unary!(
            ln_1p,
            m_ln_1p,
            m_ln_1p_grad,
            p_ln_1p,
            p_ln_1p_grad,
            |x| 1.0 / (1.0 + x),
            &[-0.9, -0.2, 0.5, 7.0]
        ),
        unary!(
            log2,
            m_log2,
            m_log2_grad,
            p_log2,
            p_log2_grad,
            |x| 1.0 / (x * LN_2),
            POSITIVE
        ),
        unary!(
            log10,
            m_log10,
            m_log10_grad,
            p_log10,
            p_log10_grad,
            |x| 1.0 / (x * LN_10),
            POSITIVE
        ),
        unary!(
            sqrt,
            m_sqrt,
            m_sqrt_grad,
            p_sqrt,
            p_sqrt_grad,
            |x| 0.5 / x.sqrt(),
            POSITIVE
        ),
        unary!(
            cbrt,
            m_cbrt,
            m_cbrt_grad,
            p_cbrt,
            p_cbrt_grad,
            |x| 1.0 / (3.0 * x.cbrt() * x.cbrt()),
            &[-8.0, -0.5, 0.3, 27.0]
        ),
        unary!(
            abs,
            m_abs,
            m_abs_grad,
            p_abs,
            p_abs_grad,
            |x| if x > 0.0 { 1.0 } else { -1.0 },
            GENERAL
        ),
        unary!(
            signum,
            m_signum,
            m_signum_grad,
            p_signum,
            p_signum_grad,
            |_| 0.0,
            GENERAL
        ),
        unary!(
            recip,
            m_recip,
            m_recip_grad,
            p_recip,
            p_recip_grad,
            |x| -1.0 / (x * x),
            GENERAL
        ),
        unary!(
            floor,
            m_floor,
            m_floor_grad,
            p_floor,
            p_floor_grad,
            |_| 0.0,
            OFF_GRID
        ),
        unary!(
            ceil,
            m_ceil,
            m_ceil_grad,
            p_ceil,
            p_ceil_grad,
            |_| 0.0,
            OFF_GRID
        ),
        unary!(
            round,
            m_round,
            m_round_grad,
            p_round,
            p_round_grad,
            |_| 0.0,
            OFF_GRID
        ),
        unary!(
            trunc,
            m_trunc,
            m_trunc_grad,
            p_trunc,
            p_trunc_grad,
            |_| 0.0,
            OFF_GRID
        ),
        unary!(
            fract,
            m_fract,
            m_fract_grad,
            p_fract,
            p_fract_grad,
            |_| 1.0,
            OFF_GRID
        ),
        unary!(
            to_degrees,
            m_to_degrees,
            m_to_degrees_grad,
            p_to_degrees,
            p_to_degrees_grad,
            |_| 180.0 / std::f64::consts::PI,
            GENERAL
        ),
        unary!(
            to_radians,
            m_to_radians,
            m_to_radians_grad,
            p_to_radians,
            p_to_radians_grad,
            |_| std::f64::consts::PI / 180.0,
            GENERAL
        ),
    ]
}

#[test]
fn every_one_operand_method_in_both_forms() {
    for u in unary_table() {
        for &x in u.points {
            assert_eq!((u.method)(x), (u.value)(x), "{} value", u.name);
            assert_eq!((u.path)(x), (u.value)(x), "{} value", u.name);
            let hand = [(u.derivative)(x)];
            let method_name = format!("x.{}()", u.name);
            check(&method_name, &[x], &[(u.method_grad)(x)], &hand, |p| {
                (u.method)(p[0])
            });
            let path_name = format!("f64::{}(x)", u.name);
            check(&path_name, &[x], &[(u.path_grad)(x)], &hand, |p| {
                (u.path)(p[0])
            });
        }
    }
}

// ---- methods with several operands, both forms ------------------------------------------------

#[differentiate]
fn m_atan2(y: f64, x: f64) -> f64 {
    y.atan2(x)
}

#[differentiate]
fn p_atan2(y: f64, x: f64) -> f64 {
    f64::atan2(y, x)
}

#[test]
fn atan2_in_every_quadrant() {
    for &(y, x) in &[(0.5_f64, 1.5_f64), (1.0, -2.0), (-0.75, -0.5), (-2.0, 0.3)] {
        let r2 = x * x + y * y;
        let hand = [x / r2, -y / r2];
        let (v, (gy, gx)) = m_atan2_value_and_grad(y, x);
        assert_eq!(v, y.atan2(x));
        check("y.atan2(x)", &[y, x], &[gy, gx], &hand, |p| {
            m_atan2(p[0], p[1])
        });
        let (v, (gy, gx)) = p_atan2_value_and_grad(y, x);
        assert_eq!(v, y.atan2(x));
        check("f64::atan2(y, x)", &[y, x], &[gy, gx], &hand, |p| {
            p_atan2(p[0], p[1])
        });
    }
}

#[differentiate]
fn m_log(x: f64, base: f64) -> f64 {
    x.log(base)
}

#[differentiate]
fn p_log(x: f64, base: f64) -> f64 {
    f64::log(x, base)
}

#[test]
fn log_with_an_active_base() {
    for &(x, b) in &[(8.0_f64, 2.0_f64), (0.3, 10.0), (5.0, 0.5), (1.7, 3.3)] {
        let (lx, lb) = (x.ln(), b.ln());
        let hand = [1.0 / (x * lb), -lx / (b * lb * lb)];
        let (v, (gx, gb)) = m_log_value_and_grad(x, b);
        assert_eq!(v, x.log(b));
        check("x.log(b)", &[x, b], &[gx, gb], &hand, |p| m_log(p[0], p[1]));
        let (v, (gx, gb)) = p_log_value_and_grad(x, b);
        assert_eq!(v, x.log(b));
        check("f64::log(x, b)", &[x, b], &[gx, gb], &hand, |p| {
            p_log(p[0], p[1])
        });
    }
}

#[differentiate]
fn m_powi(x: f64, n: i32) -> f64 {
    x.powi(n) + x.powi(3)
}

#[differentiate]
fn p_powi(x: f64, n: i32) -> f64 {
    f64::powi(x, n) + f64::powi(x, 3)
}

#[test]
fn powi_with_parameter_and_literal_exponents() {
    for &(x, n) in &[(1.5_f64, 2), (-0.7, 5), (2.0, -2), (0.4, 0), (-1.3, 1)] {
        let nf = n as f64;
        let hand = [nf * x.powi(n - 1) + 3.0 * x * x];
        assert_eq!(m_powi(x, n), x.powi(n) + x.powi(3));
        check("x.powi(n)", &[x], &[m_powi_grad(x, n)], &hand, |p| {
            m_powi(p[0], n)
        });
        check("f64::powi(x, n)", &[x], &[p_powi_grad(x, n)], &hand, |p| {
            p_powi(p[0], n)
        });
    }
}

#[differentiate]
fn m_powf(x: f64, y: f64) -> f64 {
    x.powf(y)
}

#[differentiate]
fn p_powf(x: f64, y: f64) -> f64 {
    f64::powf(x, y)
}

#[test]
fn powf_in_base_and_exponent() {
    for &(x, y) in &[(2.0_f64, 3.0_f64), (0.5, -1.5), (3.7, 0.3), (1.2, 2.5)] {
        let hand = [y * x.powf(y - 1.0), x.powf(y) * x.ln()];
        let (v, (gx, gy)) = m_powf_value_and_grad(x, y);
        assert_eq!(v, x.powf(y));
        check("x.powf(y)", &[x, y], &[gx, gy], &hand, |p| {
            m_powf(p[0], p[1])
        });
        let (v, (gx, gy)) = p_powf_value_and_grad(x, y);
        assert_eq!(v, x.powf(y));
        check("f64::powf(x, y)", &[x, y], &[gx, gy], &hand, |p| {
            p_powf(p[0], p[1])
        });
    }
}

#[differentiate]
fn m_hypot(x: f64, y: f64) -> f64 {
    x.hypot(y)
}

#[differentiate]
fn p_hypot(x: f64, y: f64) -> f64 {
    f64::hypot(x, y)
}

#[test]
fn hypot_in_both_operands() {
    for &(x, y) in &[(3.0_f64, 4.0_f64), (-1.0, 0.5), (0.2, -2.0)] {
        let h = (x * x + y * y).sqrt();
        let hand = [x / h, y / h];
        check(
            "x.hypot(y)",
            &[x, y],
            &{
                let (a, b) = m_hypot_grad(x, y);
                [a, b]
            },
            &hand,
            |p| m_hypot(p[0], p[1]),
        );
        check(
            "f64::hypot(x, y)",
            &[x, y],
            &{
                let (a, b) = p_hypot_grad(x, y);
                [a, b]
            },
            &hand,
            |p| p_hypot(p[0], p[1]),
        );
    }
}

#[differentiate]
fn m_max_min(x: f64, y: f64) -> f64 {
    x.max(y) * 2.0 + x.min(y) * 3.0 + x.max(0.5)
}

#[differentiate]
fn p_max_min(x: f64, y: f64) -> f64 {
    f64::max(x, y) * 2.0 + f64::min(x, y) * 3.0 + f64::max(x, 0.5)
}

#[test]
fn max_and_min_select_one_operand() {
    for &(x, y) in &[(2.0_f64, 1.0_f64), (-1.0, 0.5), (0.25, -3.0), (0.75, 1.5)] {
        // max gets weight 2, min weight 3; max(x, 0.5) adds 1 to x when x > 0.5
        let hand = if x > y {
            [2.0 + if x > 0.5 { 1.0 } else { 0.0 }, 3.0]
        } else {
            [3.0 + if x > 0.5 { 1.0 } else { 0.0 }, 2.0]
        };
        let (v, (gx, gy)) = m_max_min_value_and_grad(x, y);
        assert_eq!(v, m_max_min(x, y));
        check("x.max(y), x.min(y)", &[x, y], &[gx, gy], &hand, |p| {
            m_max_min(p[0], p[1])
        });
        let (gx, gy) = p_max_min_grad(x, y);
        check("f64::max, f64::min", &[x, y], &[gx, gy], &hand, |p| {
            p_max_min(p[0], p[1])
        });
    }
}

#[differentiate]
fn m_mul_add(x: f64, a: f64, b: f64) -> f64 {
    x.mul_add(a, b) + x.mul_add(2.0, 1.0)
}

#[differentiate]
fn p_mul_add(x: f64, a: f64, b: f64) -> f64 {
    f64::mul_add(x, a, b) + f64::mul_add(x, 2.0, 1.0)
}

#[test]
fn mul_add_in_all_three_operands() {
    for &(x, a, b) in &[(1.5_f64, -2.0_f64, 0.5_f64), (-0.3, 0.7, 4.0)] {
        let hand = [a + 2.0, x, 1.0];
        let (gx, ga, gb) = m_mul_add_grad(x, a, b);
        check("x.mul_add(a, b)", &[x, a, b], &[gx, ga, gb], &hand, |p| {
            m_mul_add(p[0], p[1], p[2])
        });
        let (gx, ga, gb) = p_mul_add_grad(x, a, b);
        check(
            "f64::mul_add(x, a, b)",
            &[x, a, b],
            &[gx, ga, gb],
            &hand,
            |p| p_mul_add(p[0], p[1], p[2]),
        );
    }
}

#[differentiate]
fn m_clamp(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi) * x
}

#[differentiate]
fn p_clamp(x: f64, lo: f64, hi: f64) -> f64 {
    f64::clamp(x, lo, hi) * x
}

#[test]
fn clamp_below_inside_and_above() {
    for &(x, lo, hi) in &[
        (-2.0_f64, -1.0_f64, 1.0_f64),
        (0.3, -1.0, 1.0),
        (2.5, -1.0, 1.0),
        (0.7, 0.5, 3.0),
    ] {
        let c = x.clamp(lo, hi);
        let hand = if x < lo {
            [c, x, 0.0]
        } else if x > hi {
            [c, 0.0, x]
        } else {
            [2.0 * x, 0.0, 0.0]
        };
        let (gx, glo, ghi) = m_clamp_grad(x, lo, hi);
        check(
            "x.clamp(lo, hi)",
            &[x, lo, hi],
            &[gx, glo, ghi],
            &hand,
            |p| m_clamp(p[0], p[1], p[2]),
        );
        let (gx, glo, ghi) = p_clamp_grad(x, lo, hi);
        check(
            "f64::clamp(x, lo, hi)",
            &[x, lo, hi],
            &[gx, glo, ghi],
            &hand,
            |p| p_clamp(p[0], p[1], p[2]),
        );
    }
}

// ---- sin_cos ----------------------------------------------------------------------------------

#[differentiate]
fn m_sin_cos(x: f64) -> f64 {
    let (s, c) = x.sin_cos();
    s * x + c * c
}

#[differentiate]
fn m_sin_cos_of_expression(x: f64, y: f64) -> f64 {
    let (s, c) = (x * y).sin_cos();
    let (_, c2) = y.sin_cos();
    s / (2.0 + c) + c2
}

/// Path form of `sin_cos`. (With another use of `x` in the body, e.g. `s * x + c * c`, it does
/// not compile at all: see `tests/pending_bugs.md`.)
#[differentiate]
fn p_sin_cos(x: f64) -> f64 {
    let (s, c) = f64::sin_cos(x);
    s * c
}

#[test]
fn sin_cos_destructured_method_form() {
    for &x in GENERAL {
        let hand = [x.cos() * x + x.sin() - 2.0 * x.cos() * x.sin()];
        let (v, g) = m_sin_cos_value_and_grad(x);
        assert_eq!(v, m_sin_cos(x));
        check("x.sin_cos()", &[x], &[g], &hand, |p| m_sin_cos(p[0]));
    }
    for &(x, y) in &[(0.5_f64, 1.5_f64), (-1.0, 2.0), (2.0, -0.3)] {
        let u = x * y;
        let (s, c) = u.sin_cos();
        // f = s / (2 + c) + cos y; df/du = (c (2 + c) + s²) / (2 + c)²
        let dfdu = (c * (2.0 + c) + s * s) / ((2.0 + c) * (2.0 + c));
        let hand = [dfdu * y, dfdu * x - y.sin()];
        let (gx, gy) = m_sin_cos_of_expression_grad(x, y);
        check("(x * y).sin_cos()", &[x, y], &[gx, gy], &hand, |p| {
            m_sin_cos_of_expression(p[0], p[1])
        });
    }
}

#[test]
fn sin_cos_destructured_path_form() {
    for &x in GENERAL {
        // f = sin x cos x = sin(2x) / 2
        let hand = [(2.0 * x).cos()];
        let (v, g) = p_sin_cos_value_and_grad(x);
        assert_eq!(v, p_sin_cos(x));
        check("f64::sin_cos(x)", &[x], &[g], &hand, |p| p_sin_cos(p[0]));
    }
}

// ---- composite expressions: the chain rule through methods -------------------------------------

#[differentiate]
fn chain(x: f64, y: f64) -> f64 {
    (x * y).sin().exp() + f64::ln(1.0 + (x - y).powi(2)) * (y / x).atan() - (x.hypot(y)).sqrt()
}

#[test]
fn chain_rule_through_nested_methods() {
    for &(x, y) in &[(0.5_f64, 1.5_f64), (-1.0, 2.0), (2.0, -0.3), (-0.7, -1.2)] {
        let e = (x * y).sin().exp();
        let d_e = [e * (x * y).cos() * y, e * (x * y).cos() * x];
        let l = (1.0 + (x - y) * (x - y)).ln();
        let dl = 2.0 * (x - y) / (1.0 + (x - y) * (x - y));
        let a = (y / x).atan();
        let da_common = 1.0 / (1.0 + (y / x) * (y / x));
        let da = [da_common * (-y / (x * x)), da_common / x];
        let h = x.hypot(y);
        let dsq = [0.5 / h.sqrt() * x / h, 0.5 / h.sqrt() * y / h];
        let hand = [
            d_e[0] + dl * a + l * da[0] - dsq[0],
            d_e[1] - dl * a + l * da[1] - dsq[1],
        ];
        let (v, (gx, gy)) = chain_value_and_grad(x, y);
        assert_eq!(v, chain(x, y));
        check("chain", &[x, y], &[gx, gy], &hand, |p| chain(p[0], p[1]));
    }
}

// ---- constants --------------------------------------------------------------------------------

#[differentiate]
fn constants(x: f64) -> f64 {
    let mut best = f64::NEG_INFINITY;
    best = best.max(x.sin());
    best = best.max(x.cos());
    std::f64::consts::PI * x + (x * x + f64::EPSILON).sqrt() + best + std::f64::consts::E
}

#[test]
fn float_constants() {
    for &x in &[0.3_f64, 1.2, -2.0, 2.5] {
        let running_max = if x.sin() > x.cos() { x.cos() } else { -x.sin() };
        let hand = std::f64::consts::PI + x / (x * x + f64::EPSILON).sqrt() + running_max;
        let (v, g) = constants_value_and_grad(x);
        assert_eq!(v, constants(x));
        check("constants", &[x], &[g], &[hand], |p| constants(p[0]));
    }
}

// ---- conventions at non-differentiable points, through the macro -------------------------------

#[differentiate]
fn abs_of(x: f64) -> f64 {
    x.abs()
}

#[differentiate]
fn max_of(x: f64, y: f64) -> f64 {
    x.max(y)
}

#[differentiate]
fn min_of(x: f64, y: f64) -> f64 {
    f64::min(x, y)
}

#[differentiate]
fn sqrt_of(x: f64) -> f64 {
    x.sqrt()
}

#[differentiate]
fn abs_scaled(x: f64, y: f64) -> f64 {
    (x - y).abs() * 3.0 + y
}

#[test]
fn abs_at_zero_has_derivative_zero() {
    assert_eq!(abs_of_grad(0.0), 0.0);
    assert_eq!(abs_of_grad(-0.0), 0.0);
    assert_eq!(abs_scaled_grad(1.5, 1.5), (0.0, 1.0));
    // Next to zero the derivative is the sign.
    assert_eq!(abs_of_grad(1e-300), 1.0);
    assert_eq!(abs_of_grad(-1e-300), -1.0);
}

#[test]
fn max_and_min_at_a_tie_split_evenly() {
    assert_eq!(max_of_grad(2.0, 2.0), (0.5, 0.5));
    assert_eq!(min_of_grad(-1.0, -1.0), (0.5, 0.5));
    assert_eq!(max_of_grad(2.0, 1.0), (1.0, 0.0));
    assert_eq!(min_of_grad(2.0, 1.0), (0.0, 1.0));
    // d_out scales both halves.
    assert_eq!(max_of_adjoint(0.0, 0.0, 4.0), (0.0, (2.0, 2.0)));
}

#[test]
fn sqrt_at_zero_has_infinite_derivative() {
    let g = sqrt_of_grad(0.0);
    assert!(g.is_infinite() && g > 0.0, "sqrt'(0) = {g}");
    assert_close("sqrt'(4)", sqrt_of_grad(4.0), 0.25, 0.0);
}

// ---- forward mode against reverse mode ----------------------------------------------------------

// Domains for the random points: each method inside the set where it is differentiable (the
// points the tests above use, widened to intervals). Rounding functions are sampled off the
// integers and halves with probability one.
const GEN: (f64, f64) = (-2.5, 2.5);
const TAN: (f64, f64) = (-1.3, 1.3);
const UNIT_OPEN: (f64, f64) = (-0.95, 0.95);
const POS: (f64, f64) = (0.1, 40.0);
const ABOVE_1: (f64, f64) = (1.1, 25.0);
const ABOVE_MINUS_1: (f64, f64) = (-0.9, 7.0);
const CBRT: (f64, f64) = (-8.0, 27.0);

/// Every method, in both forms, through the forward mode (`f_tangent`) and the reverse mode
/// (`f_grad`): the derivative along a random direction is the gradient dotted with it.
#[test]
fn forward_mode_agrees_with_reverse_mode_one_operand() {
    modes_agree_1("m_sin", GEN, m_sin_tangent, m_sin_grad);
    modes_agree_1("p_sin", GEN, p_sin_tangent, p_sin_grad);
    modes_agree_1("m_cos", GEN, m_cos_tangent, m_cos_grad);
    modes_agree_1("p_cos", GEN, p_cos_tangent, p_cos_grad);
    modes_agree_1("m_tan", TAN, m_tan_tangent, m_tan_grad);
    modes_agree_1("p_tan", TAN, p_tan_tangent, p_tan_grad);
    modes_agree_1("m_asin", UNIT_OPEN, m_asin_tangent, m_asin_grad);
    modes_agree_1("p_asin", UNIT_OPEN, p_asin_tangent, p_asin_grad);
    modes_agree_1("m_acos", UNIT_OPEN, m_acos_tangent, m_acos_grad);
    modes_agree_1("p_acos", UNIT_OPEN, p_acos_tangent, p_acos_grad);
    modes_agree_1("m_atan", GEN, m_atan_tangent, m_atan_grad);
    modes_agree_1("p_atan", GEN, p_atan_tangent, p_atan_grad);
    modes_agree_1("m_sinh", GEN, m_sinh_tangent, m_sinh_grad);
    modes_agree_1("p_sinh", GEN, p_sinh_tangent, p_sinh_grad);
    modes_agree_1("m_cosh", GEN, m_cosh_tangent, m_cosh_grad);
    modes_agree_1("p_cosh", GEN, p_cosh_tangent, p_cosh_grad);
    modes_agree_1("m_tanh", GEN, m_tanh_tangent, m_tanh_grad);
    modes_agree_1("p_tanh", GEN, p_tanh_tangent, p_tanh_grad);
    modes_agree_1("m_asinh", GEN, m_asinh_tangent, m_asinh_grad);
    modes_agree_1("p_asinh", GEN, p_asinh_tangent, p_asinh_grad);
    modes_agree_1("m_acosh", ABOVE_1, m_acosh_tangent, m_acosh_grad);
    modes_agree_1("p_acosh", ABOVE_1, p_acosh_tangent, p_acosh_grad);
    modes_agree_1("m_atanh", UNIT_OPEN, m_atanh_tangent, m_atanh_grad);
    modes_agree_1("p_atanh", UNIT_OPEN, p_atanh_tangent, p_atanh_grad);
    modes_agree_1("m_exp", GEN, m_exp_tangent, m_exp_grad);
    modes_agree_1("p_exp", GEN, p_exp_tangent, p_exp_grad);
    modes_agree_1("m_exp2", GEN, m_exp2_tangent, m_exp2_grad);
    modes_agree_1("p_exp2", GEN, p_exp2_tangent, p_exp2_grad);
    modes_agree_1("m_exp_m1", GEN, m_exp_m1_tangent, m_exp_m1_grad);
    modes_agree_1("p_exp_m1", GEN, p_exp_m1_tangent, p_exp_m1_grad);
    modes_agree_1("m_ln", POS, m_ln_tangent, m_ln_grad);
    modes_agree_1("p_ln", POS, p_ln_tangent, p_ln_grad);
    modes_agree_1("m_ln_1p", ABOVE_MINUS_1, m_ln_1p_tangent, m_ln_1p_grad);
    modes_agree_1("p_ln_1p", ABOVE_MINUS_1, p_ln_1p_tangent, p_ln_1p_grad);
    modes_agree_1("m_log2", POS, m_log2_tangent, m_log2_grad);
    modes_agree_1("p_log2", POS, p_log2_tangent, p_log2_grad);
    modes_agree_1("m_log10", POS, m_log10_tangent, m_log10_grad);
    modes_agree_1("p_log10", POS, p_log10_tangent, p_log10_grad);
    modes_agree_1("m_sqrt", POS, m_sqrt_tangent, m_sqrt_grad);
    modes_agree_1("p_sqrt", POS, p_sqrt_tangent, p_sqrt_grad);
    modes_agree_1("m_cbrt", CBRT, m_cbrt_tangent, m_cbrt_grad);
    modes_agree_1("p_cbrt", CBRT, p_cbrt_tangent, p_cbrt_grad);
    modes_agree_1("m_abs", GEN, m_abs_tangent, m_abs_grad);
    modes_agree_1("p_abs", GEN, p_abs_tangent, p_abs_grad);
    modes_agree_1("m_signum", GEN, m_signum_tangent, m_signum_grad);
    modes_agree_1("p_signum", GEN, p_signum_tangent, p_signum_grad);
    modes_agree_1("m_recip", GEN, m_recip_tangent, m_recip_grad);
    modes_agree_1("p_recip", GEN, p_recip_tangent, p_recip_grad);
    modes_agree_1("m_floor", GEN, m_floor_tangent, m_floor_grad);
    modes_agree_1("p_floor", GEN, p_floor_tangent, p_floor_grad);
    modes_agree_1("m_ceil", GEN, m_ceil_tangent, m_ceil_grad);
    modes_agree_1("p_ceil", GEN, p_ceil_tangent, p_ceil_grad);
    modes_agree_1("m_round", GEN, m_round_tangent, m_round_grad);
    modes_agree_1("p_round", GEN, p_round_tangent, p_round_grad);
    modes_agree_1("m_trunc", GEN, m_trunc_tangent, m_trunc_grad);
    modes_agree_1("p_trunc", GEN, p_trunc_tangent, p_trunc_grad);
    modes_agree_1("m_fract", GEN, m_fract_tangent, m_fract_grad);
    modes_agree_1("p_fract", GEN, p_fract_tangent, p_fract_grad);
    modes_agree_1("m_to_degrees", GEN, m_to_degrees_tangent, m_to_degrees_grad);
    modes_agree_1("p_to_degrees", GEN, p_to_degrees_tangent, p_to_degrees_grad);
    modes_agree_1("m_to_radians", GEN, m_to_radians_tangent, m_to_radians_grad);
    modes_agree_1("p_to_radians", GEN, p_to_radians_tangent, p_to_radians_grad);
    modes_agree_1("m_sin_cos", GEN, m_sin_cos_tangent, m_sin_cos_grad);
    modes_agree_1("p_sin_cos", GEN, p_sin_cos_tangent, p_sin_cos_grad);
}

#[test]
fn forward_mode_agrees_with_reverse_mode_several_operands() {
    modes_agree_2("m_atan2", [GEN, GEN], m_atan2_tangent, m_atan2_grad);
    modes_agree_2("p_atan2", [GEN, GEN], p_atan2_tangent, p_atan2_grad);
    // A base away from 1, where ln(base) vanishes.
    modes_agree_2("m_log", [POS, (1.5, 10.0)], m_log_tangent, m_log_grad);
    modes_agree_2("p_log", [POS, (1.5, 10.0)], p_log_tangent, p_log_grad);
    for n in [-2, 0, 1, 2, 5] {
        let name = format!("powi n = {n}");
        modes_agree_1(
            &name,
            GEN,
            |x, dx| m_powi_tangent(x, dx, n),
            |x| m_powi_grad(x, n),
        );
        modes_agree_1(
            &name,
            GEN,
            |x, dx| p_powi_tangent(x, dx, n),
            |x| p_powi_grad(x, n),
        );
    }
    // powf with a positive base (a negative one has no real power for most exponents).
    modes_agree_2(
        "m_powf",
        [(0.3, 4.0), (-1.5, 3.0)],
        m_powf_tangent,
        m_powf_grad,
    );
    modes_agree_2(
        "p_powf",
        [(0.3, 4.0), (-1.5, 3.0)],
        p_powf_tangent,
        p_powf_grad,
    );
    modes_agree_2("m_hypot", [GEN, GEN], m_hypot_tangent, m_hypot_grad);
    modes_agree_2("p_hypot", [GEN, GEN], p_hypot_tangent, p_hypot_grad);
    modes_agree_2("m_max_min", [GEN, GEN], m_max_min_tangent, m_max_min_grad);
    modes_agree_2("p_max_min", [GEN, GEN], p_max_min_tangent, p_max_min_grad);
    modes_agree_3(
        "m_mul_add",
        [GEN, GEN, GEN],
        m_mul_add_tangent,
        m_mul_add_grad,
    );
    modes_agree_3(
        "p_mul_add",
        [GEN, GEN, GEN],
        p_mul_add_tangent,
        p_mul_add_grad,
    );
    // lo < hi, as `clamp` requires; x falls below, inside and above.
    let clamp = [(-3.0, 3.0), (-1.5, 0.0), (0.5, 2.0)];
    modes_agree_3("m_clamp", clamp, m_clamp_tangent, m_clamp_grad);
    modes_agree_3("p_clamp", clamp, p_clamp_tangent, p_clamp_grad);
    modes_agree_2(
        "m_sin_cos_of_expression",
        [GEN, GEN],
        m_sin_cos_of_expression_tangent,
        m_sin_cos_of_expression_grad,
    );
    modes_agree_2("chain", [GEN, GEN], chain_tangent, chain_grad);
    // `best = best.max(..)` once had its tangent computed from the new `best` (a tie).
    modes_agree_1("constants", GEN, constants_tangent, constants_grad);
    modes_agree_1("abs_of", GEN, abs_of_tangent, abs_of_grad);
    modes_agree_2("max_of", [GEN, GEN], max_of_tangent, max_of_grad);
    modes_agree_2("min_of", [GEN, GEN], min_of_tangent, min_of_grad);
    modes_agree_1("sqrt_of", POS, sqrt_of_tangent, sqrt_of_grad);
    modes_agree_2(
        "abs_scaled",
        [GEN, GEN],
        abs_scaled_tangent,
        abs_scaled_grad,
    );
}

// ---- results the reverse sweep reads anyway ---------------------------------------------------
//
// When a method's result is also a factor of a product, the reverse sweep has it at hand and
// pulls `exp`, `exp2`, `sqrt` and `cbrt` back from it (`rules::methods::given_result`) instead of
// computing the method again. Other methods fall back to their rule from the operand.

#[differentiate]
fn results_kept(x: f64) -> f64 {
    let e = x.exp();
    let t = x.exp2();
    let r = x.sqrt();
    let c = x.cbrt();
    let s = x.sin();
    e * e + t * x + r * x + c * c + s * s
}

#[test]
fn methods_pulled_back_from_their_kept_results() {
    for &x in &[0.3_f64, 1.7, 4.0] {
        // d/dx [e^{2x} + x 2^x + x^{3/2} + x^{2/3} + sin² x]
        let hand = 2.0 * (2.0 * x).exp()
            + x.exp2() * (1.0 + x * LN_2)
            + 1.5 * x.sqrt()
            + (2.0 / 3.0) / x.cbrt()
            + 2.0 * x.sin() * x.cos();
        check(
            "results_kept",
            &[x],
            &[results_kept_grad(x)],
            &[hand],
            |p| results_kept(p[0]),
        );
    }
    modes_agree_1(
        "results_kept",
        (0.1, 5.0),
        results_kept_tangent,
        results_kept_grad,
    );
}
