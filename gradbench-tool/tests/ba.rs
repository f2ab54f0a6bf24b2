//! `ba`: the residuals against hand-computed values, and the sparse Jacobian (every block from
//! `#[differentiate]`) against hand-derived entries and a dense central-difference Jacobian.

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, ba};
use serde_json::{json, Value};

/// A camera rotated a little about a tilted axis, looking at points a few units away.
const CAM: [f64; 11] = [
    0.1, -0.2, 0.15, 0.3, -0.4, -5.0, 400.0, 5.0, -8.0, 0.08, 0.003,
];
const POINT: [f64; 3] = [0.7, 0.2, 3.0];
const FEAT: [f64; 2] = [270.0, 830.0];

#[test]
fn rodrigues_rotates() {
    let mut out = [0.0; 3];
    let quarter = std::f64::consts::FRAC_PI_2;
    ba::rodrigues_rotate(&[0.0, 0.0, quarter], &[1.0, 0.0, 2.0], &mut out);
    for (got, want) in out.iter().zip([0.0, 1.0, 2.0]) {
        assert_relative_eq!(*got, want, epsilon = 1e-15);
    }
    ba::rodrigues_rotate(&[0.0; 3], &[1.0, -2.0, 3.0], &mut out);
    assert_eq!(out, [1.0, -2.0, 3.0]);
}

#[test]
fn reprojection_by_hand() {
    // No rotation, camera at the origin: (1, 2, 4) projects to (¼, ½), no distortion, focal
    // length 2 and principal point (½, −½) give (1, ½); with w = 2 and feature (0, 0) the
    // errors are (2, 1).
    let cam = [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.5, -0.5, 0.0, 0.0];
    let point = [1.0, 2.0, 4.0];
    assert_eq!(
        ba::reprojection_error(&cam, &point, 2.0, &[0.0, 0.0]),
        [2.0, 1.0]
    );
    let jacobian = ba::reprojection_error_jacobian(&cam, &point, 2.0, &[0.0, 0.0]);
    assert_eq!(jacobian.len(), 2);
    assert_eq!(jacobian[0].len(), ba::ROW_NONZEROS);
    // ∂/∂f = w (x, y) = (½, 1); ∂/∂u₀ = (w, 0); ∂/∂v₀ = (0, w); ∂/∂w = (1, ½);
    // ∂/∂X₀ = (w f / z, 0) = (1, 0); ∂/∂C₀ = −∂/∂X₀.
    assert_eq!((jacobian[0][6], jacobian[1][6]), (0.5, 1.0));
    assert_eq!((jacobian[0][7], jacobian[1][7]), (2.0, 0.0));
    assert_eq!((jacobian[0][8], jacobian[1][8]), (0.0, 2.0));
    assert_eq!((jacobian[0][14], jacobian[1][14]), (1.0, 0.5));
    assert_eq!((jacobian[0][11], jacobian[1][11]), (1.0, 0.0));
    assert_eq!((jacobian[0][3], jacobian[1][3]), (-1.0, 0.0));
    assert_eq!(ba::weight_error(0.5), 0.75);
    assert_eq!(ba::weight_error_grad(0.5), -1.0);
}

/// The 15 inputs of one reprojection error as one vector: camera, point, weight.
fn block_inputs(cam: &[f64], point: &[f64], w: f64) -> Vec<f64> {
    [cam, point, &[w]].concat()
}

#[test]
fn block_matches_central_differences() {
    let mut at_zero_rotation = CAM;
    at_zero_rotation[..3].copy_from_slice(&[0.0; 3]);
    for cam in [CAM, at_zero_rotation] {
        let at = block_inputs(&cam, &POINT, 0.9);
        let jacobian = ba::reprojection_error_jacobian(&cam, &POINT, 0.9, &FEAT);
        for (row, jacobian_row) in jacobian.iter().enumerate() {
            let numeric = common::central_difference(
                |v| ba::reprojection_error(&v[..11], &v[11..14], v[14], &FEAT)[row],
                &at,
                1e-6,
            );
            for (g, e) in jacobian_row.iter().zip(&numeric) {
                assert_relative_eq!(*g, *e, max_relative = 1e-6, epsilon = 1e-6);
            }
        }
    }
}

fn problem(n: usize, m: usize, p: usize) -> ba::Problem {
    let input = input_json(n, m, p);
    ba::Problem::new(serde_json::from_value(input).unwrap())
        .unwrap()
        .0
}

fn input_json(n: usize, m: usize, p: usize) -> Value {
    json!({"n": n, "m": m, "p": p, "cam": CAM, "x": POINT, "w": 0.9, "feat": FEAT,
           "min_runs": 1, "min_seconds": 0})
}

#[test]
fn sparse_jacobian_matches_dense_central_differences() {
    // Perturb the copies apart first, so that a mix-up of cameras, points or observations
    // would show.
    let mut p = problem(2, 3, 5);
    for (t, v) in p.cams.iter_mut().enumerate() {
        *v *= 1.0 + 0.01 * t as f64;
    }
    for (t, v) in p.points.iter_mut().enumerate() {
        *v += 0.1 * t as f64;
    }
    for (t, v) in p.weights.iter_mut().enumerate() {
        *v -= 0.05 * t as f64;
    }
    let (nc, np) = (p.cams.len(), p.points.len());
    let at = [p.cams.clone(), p.points.clone(), p.weights.clone()].concat();
    let residual = |k: usize| {
        let p = &p;
        move |v: &[f64]| {
            let mut moved = p.clone();
            moved.cams = v[..nc].to_vec();
            moved.points = v[nc..nc + np].to_vec();
            moved.weights = v[nc + np..].to_vec();
            let (reprojection, weight) = moved.residuals();
            [reprojection, weight].concat()[k]
        }
    };
    let jacobian = p.jacobian();
    assert_eq!(jacobian.rows.len(), 3 * 5 + 1);
    assert_eq!(jacobian.cols.len(), 2 * 5 * ba::ROW_NONZEROS + 5);
    for k in 0..3 * 5 {
        let mut dense = vec![0.0; at.len()];
        for e in jacobian.rows[k]..jacobian.rows[k + 1] {
            dense[jacobian.cols[e]] = jacobian.vals[e];
        }
        let numeric = common::central_difference(residual(k), &at, 1e-6);
        for (g, e) in dense.iter().zip(&numeric) {
            assert_relative_eq!(*g, *e, max_relative = 1e-6, epsilon = 1e-6);
        }
    }
}

#[test]
fn dispatch_answers_like_the_reference() {
    let (output, timings) = modules::evaluate("ba", "objective", input_json(2, 3, 4)).unwrap();
    assert_eq!(timings.len(), 1);
    let errors = ba::reprojection_error(&CAM, &POINT, 0.9, &FEAT);
    assert_eq!(
        output,
        json!({"reproj_error": {"elements": errors, "repeated": 4},
               "w_err": {"element": 1.0 - 0.81, "repeated": 4}})
    );

    let (output, _) = modules::evaluate("ba", "jacobian", input_json(2, 3, 4)).unwrap();
    let block = ba::reprojection_error_jacobian(&CAM, &POINT, 0.9, &FEAT);
    // 12 rows: 8 of 15 entries, then 4 of one; all 13 row pointers are shown, then the last
    // again (the reference always shows 30 and the last).
    let rows: Vec<usize> = (0..13usize)
        .map(|r| 15 * r.min(8) + r.saturating_sub(8))
        .collect();
    assert_eq!(output["rows"], json!([rows, vec![124]].concat()));
    // Observation 0: camera 0 (columns 0..11), point 0 (columns 22..25), weight 0 (column 31);
    // the last entry is weight 3's.
    let row: Vec<usize> = (0..11).chain(22..25).chain([31]).collect();
    assert_eq!(output["cols"], json!([row.clone(), row, vec![34]].concat()));
    assert_eq!(
        output["vals"],
        json!([block[0].clone(), block[1].clone(), vec![-1.8]].concat())
    );
}

#[test]
fn bad_inputs_are_errors() {
    let with = |key: &str, value: Value| {
        let mut input = input_json(2, 3, 4);
        input[key] = value;
        input
    };
    for (input, needle) in [
        (with("p", json!(0)), "must be at least 1"),
        (with("cam", json!([1.0, 2.0])), "cam has 2 entries"),
        (with("x", json!([1.0])), "x has 1 entries"),
        (with("feat", json!([1.0, 2.0, 3.0])), "feat has 3 entries"),
        (with("w", json!("heavy")), "invalid ba input"),
    ] {
        let err = modules::evaluate("ba", "objective", input).unwrap_err();
        assert!(err.contains(needle), "{err}");
    }
    let err = modules::evaluate("ba", "gradient", input_json(1, 1, 1)).unwrap_err();
    assert!(err.contains("no function \"gradient\""), "{err}");
}
