//! `if` / `else if` / `else` as statements and as expressions, with conditions on active
//! values built from comparisons, `&&`, `||` and `!`.

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
use common::{check, modes_agree_1, modes_agree_2};

// ---- if / else if / else as statements ---------------------------------------------------------

#[differentiate]
fn branches_stmt(x: f64, y: f64) -> f64 {
    let mut r = x * y;
    if x > y && y > 0.0 {
        r = r * x;
    } else if x < -1.0 || !(y < 2.0) {
        r = r + y * y;
    } else {
        r = (x - y).sin();
    }
    r
}

#[test]
fn if_else_if_else_statements() {
    // (2, 1): first branch; (-2, 0.5) and (0.5, 3): second (through each side of `||`);
    // (3, -1) and (0.5, 1): third.
    let points: &[(f64, f64, u8)] = &[
        (2.0, 1.0, 1),
        (-2.0, 0.5, 2),
        (0.5, 3.0, 2),
        (3.0, -1.0, 3),
        (0.5, 1.0, 3),
    ];
    for &(x, y, branch) in points {
        let taken = if x > y && y > 0.0 {
            1
        } else if x < -1.0 || y >= 2.0 {
            2
        } else {
            3
        };
        assert_eq!(
            taken, branch,
            "test point ({x}, {y}) is not in the intended branch"
        );
        let hand = match branch {
            1 => [2.0 * x * y, x * x],
            2 => [y, x + 2.0 * y],
            _ => [(x - y).cos(), -(x - y).cos()],
        };
        let (v, (gx, gy)) = branches_stmt_value_and_grad(x, y);
        assert_eq!(v, branches_stmt(x, y));
        check("branches_stmt", &[x, y], &[gx, gy], &hand, |p| {
            branches_stmt(p[0], p[1])
        });
    }
}

/// An `if` without `else`, and several in a row.
#[differentiate]
fn ifs_without_else(x: f64) -> f64 {
    let mut s = x;
    if x > 0.5 {
        s = s * x;
    }
    if s < 1.0 {
        s = s + 1.0;
    }
    if !(x >= -1.0) {
        s = -s;
    }
    s
}

#[test]
fn if_without_else() {
    for &x in &[0.7_f64, 2.0, 0.2, -0.5, -2.0] {
        // s1 = x² for x > 0.5 else x; + 1 if s1 < 1; negated if x < -1.
        let (s1, d1) = if x > 0.5 { (x * x, 2.0 * x) } else { (x, 1.0) };
        let s2 = if s1 < 1.0 { s1 + 1.0 } else { s1 };
        let hand = if x < -1.0 { -d1 } else { d1 };
        assert_eq!(ifs_without_else(x), if x < -1.0 { -s2 } else { s2 });
        check(
            "ifs_without_else",
            &[x],
            &[ifs_without_else_grad(x)],
            &[hand],
            |p| ifs_without_else(p[0]),
        );
    }
}

#[differentiate]
fn nested_ifs(x: f64, y: f64) -> f64 {
    let mut acc = 0.0;
    if x > 0.0 {
        if y > 0.0 {
            acc = x * y;
        } else {
            acc = x - y;
            if x * y < -1.0 {
                acc = acc * acc;
            }
        }
    } else if !(y <= 0.0) && (x.abs() > 0.5 || y > 1.0) {
        acc = y.sqrt() * x;
    }
    acc + x
}

#[test]
fn nested_if_statements_with_boolean_operators() {
    let points: &[(f64, f64)] = &[
        (1.5, 2.0),   // x > 0, y > 0
        (0.5, -1.0),  // x > 0, y ≤ 0, xy ≥ -1
        (2.0, -1.5),  // x > 0, y ≤ 0, xy < -1
        (-1.0, 0.5),  // x ≤ 0, y > 0, |x| > 0.5
        (-0.2, 1.5),  // x ≤ 0, y > 0, |x| ≤ 0.5, y > 1
        (-0.2, 0.5),  // x ≤ 0, y > 0, neither: nothing assigned
        (-1.0, -2.0), // x ≤ 0, y ≤ 0
    ];
    for &(x, y) in points {
        let hand = if x > 0.0 {
            if y > 0.0 {
                [y + 1.0, x]
            } else if x * y < -1.0 {
                [2.0 * (x - y) + 1.0, -2.0 * (x - y)]
            } else {
                [2.0, -1.0]
            }
        } else if y > 0.0 && (x.abs() > 0.5 || y > 1.0) {
            [y.sqrt() + 1.0, x / (2.0 * y.sqrt())]
        } else {
            [1.0, 0.0]
        };
        let (v, (gx, gy)) = nested_ifs_value_and_grad(x, y);
        assert_eq!(v, nested_ifs(x, y));
        check("nested_ifs", &[x, y], &[gx, gy], &hand, |p| {
            nested_ifs(p[0], p[1])
        });
    }
}

/// Every comparison operator on active values, and booleans kept in variables.
#[differentiate]
fn comparisons(x: f64, y: f64, flag: bool) -> f64 {
    let positive = x > 0.0;
    let close = (x - y).abs() <= 0.5;
    let mut r = x + y;
    if positive && !close {
        r = r * x;
    }
    if x >= y || flag {
        r = r * y;
    }
    if x < -y {
        r = r - x * x;
    }
    if x != 0.0 && y == y {
        r = r + 1.0;
    }
    r
}

#[test]
fn all_comparison_operators_and_boolean_variables() {
    for &flag in &[false, true] {
        for &(x, y) in &[
            (2.0_f64, 0.5_f64),
            (0.2, 0.4),
            (-1.5, 0.5),
            (-0.5, 1.5),
            (1.0, 3.0),
        ] {
            // Derivative by hand, branch by branch, forward mode.
            let mut r = x + y;
            let mut d = [1.0, 1.0];
            if x > 0.0 && (x - y).abs() > 0.5 {
                d = [d[0] * x + r, d[1] * x];
                r *= x;
            }
            if x >= y || flag {
                d = [d[0] * y, d[1] * y + r];
                r *= y;
            }
            if x < -y {
                d = [d[0] - 2.0 * x, d[1]];
                r -= x * x;
            }
            let _ = r;
            let (gx, gy) = comparisons_grad(x, y, flag);
            check("comparisons", &[x, y], &[gx, gy], &d, |p| {
                comparisons(p[0], p[1], flag)
            });
        }
    }
}

// ---- if as an expression -----------------------------------------------------------------------

#[differentiate]
fn branches_expr(x: f64) -> f64 {
    let v = if x > 1.0 {
        x.exp()
    } else if x > -1.0 {
        x * x * 0.5
    } else {
        -x
    };
    v * 3.0
}

#[test]
fn if_else_if_else_as_a_let_value() {
    for &x in &[1.5_f64, 3.0, 0.5, -0.5, -2.0] {
        let hand = 3.0
            * if x > 1.0 {
                x.exp()
            } else if x > -1.0 {
                x
            } else {
                -1.0
            };
        let (v, g) = branches_expr_value_and_grad(x);
        assert_eq!(v, branches_expr(x));
        check("branches_expr", &[x], &[g], &[hand], |p| {
            branches_expr(p[0])
        });
    }
}

#[differentiate]
fn tail_if(x: f64, y: f64) -> f64 {
    if (x * y).sin() > 0.0 {
        x.powi(2) * y
    } else {
        y - 2.0 * x
    }
}

#[test]
fn if_as_the_tail_expression() {
    for &(x, y) in &[(1.0_f64, 1.0_f64), (0.5, 2.0), (-1.0, 1.0), (2.0, 2.0)] {
        let hand = if (x * y).sin() > 0.0 {
            [2.0 * x * y, x * x]
        } else {
            [-2.0, 1.0]
        };
        let (v, (gx, gy)) = tail_if_value_and_grad(x, y);
        assert_eq!(v, tail_if(x, y));
        check("tail_if", &[x, y], &[gx, gy], &hand, |p| {
            tail_if(p[0], p[1])
        });
    }
}

/// An `if` expression as an operand of arithmetic, and nested `if` expressions.
#[differentiate]
fn if_operand(x: f64, y: f64) -> f64 {
    let a = 2.0 * if x > 0.0 { x } else { -x } + 1.0;
    let b = if y > x {
        if y > 0.0 {
            y * a
        } else {
            a - y
        }
    } else {
        a / (1.0 + y * y)
    };
    a * b
}

#[test]
fn if_expressions_as_operands_and_nested() {
    for &(x, y) in &[
        (0.5_f64, 1.0_f64),
        (-1.0, -0.5),
        (1.5, 0.5),
        (-0.5, 2.0),
        (-2.0, -3.0),
    ] {
        let a = 2.0 * x.abs() + 1.0;
        let da = 2.0 * x.signum();
        let (b, db) = if y > x {
            if y > 0.0 {
                (y * a, [y * da, a])
            } else {
                (a - y, [da, -1.0])
            }
        } else {
            let c = 1.0 + y * y;
            (a / c, [da / c, -a * 2.0 * y / (c * c)])
        };
        let hand = [da * b + a * db[0], a * db[1]];
        let (v, (gx, gy)) = if_operand_value_and_grad(x, y);
        assert_eq!(v, if_operand(x, y));
        check("if_operand", &[x, y], &[gx, gy], &hand, |p| {
            if_operand(p[0], p[1])
        });
    }
}

/// Conditions that are themselves computed from active values through methods.
#[differentiate]
fn computed_conditions(x: f64) -> f64 {
    let s = x.sin();
    if s * s > 0.5 && x.cos() < 0.0 {
        s * x
    } else if (x.exp() - 2.0).abs() < 1.0 || x.is_sign_negative() {
        x * x
    } else {
        s + x
    }
}

#[test]
fn conditions_computed_through_methods() {
    for &x in &[2.0_f64, 2.5, 0.2, -0.3, -4.0, 1.3, 6.0] {
        let s = x.sin();
        let hand = if s * s > 0.5 && x.cos() < 0.0 {
            x.cos() * x + s
        } else if (x.exp() - 2.0).abs() < 1.0 || x < 0.0 {
            2.0 * x
        } else {
            x.cos() + 1.0
        };
        let (v, g) = computed_conditions_value_and_grad(x);
        assert_eq!(v, computed_conditions(x));
        check("computed_conditions", &[x], &[g], &[hand], |p| {
            computed_conditions(p[0])
        });
    }
}

/// Branch-local values multiplied and divided by constants, and top-level code after an early
/// return (which the macro moves into a branch).
#[differentiate]
fn locals_times_constants(x: f64) -> f64 {
    if x < -2.0 {
        return 0.0;
    }
    let mut y = 0.0;
    if x > 0.0 {
        let t = x.sin();
        y = t * 2.0 + t / 4.0;
    }
    let u = x.exp();
    y + u * 3.0 - 2.0 / u
}

#[test]
fn branch_locals_times_constants_and_code_after_an_early_return() {
    for &x in &[-3.0_f64, -2.5, -1.0, 0.5, 2.0] {
        let hand = if x < -2.0 {
            0.0
        } else {
            let y = if x > 0.0 { 2.25 * x.cos() } else { 0.0 };
            y + 3.0 * x.exp() + 2.0 * (-x).exp()
        };
        let (v, g) = locals_times_constants_value_and_grad(x);
        assert_eq!(v, locals_times_constants(x));
        check("locals_times_constants", &[x], &[g], &[hand], |p| {
            locals_times_constants(p[0])
        });
    }
}

// ---- forward mode against reverse mode ----------------------------------------------------------

/// Every function above through the forward mode (`f_tangent`) and the reverse mode (`f_grad`),
/// at random points (the branch taken varies from point to point, and both modes must take the
/// same one): the derivative along a random direction is the gradient dotted with it.
#[test]
fn forward_mode_agrees_with_reverse_mode() {
    const GEN: (f64, f64) = (-2.5, 2.5);
    // The branches that reassign a variable from itself (`r = r * x`, `acc = acc * acc`) once
    // had a wrong forward mode: the tangent was computed from the new value.
    let (t, g) = (branches_stmt_tangent, branches_stmt_grad);
    modes_agree_2("branches_stmt", [GEN, GEN], t, g);
    let (t, g) = (ifs_without_else_tangent, ifs_without_else_grad);
    modes_agree_1("ifs_without_else", GEN, t, g);
    modes_agree_2(
        "nested_ifs",
        [GEN, GEN],
        nested_ifs_tangent,
        nested_ifs_grad,
    );
    for flag in [false, true] {
        let t = |x, dx, y, dy| comparisons_tangent(x, dx, y, dy, flag);
        let g = |x, y| comparisons_grad(x, y, flag);
        modes_agree_2(&format!("comparisons, {flag}"), [GEN, GEN], t, g);
    }
    modes_agree_1(
        "branches_expr",
        GEN,
        branches_expr_tangent,
        branches_expr_grad,
    );
    modes_agree_2("tail_if", [GEN, GEN], tail_if_tangent, tail_if_grad);
    modes_agree_2(
        "if_operand",
        [GEN, GEN],
        if_operand_tangent,
        if_operand_grad,
    );
    let (t, g) = (computed_conditions_tangent, computed_conditions_grad);
    modes_agree_1("computed_conditions", GEN, t, g);
    let (t, g) = (locals_times_constants_tangent, locals_times_constants_grad);
    modes_agree_1("locals_times_constants", (-3.0, 2.5), t, g);
}
