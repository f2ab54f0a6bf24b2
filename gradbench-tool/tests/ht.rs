//! `ht`: the rotations against their definitions, the residuals and a few Jacobian columns
//! against hand-derived values at the rest pose, and the whole Jacobian (from forward mode)
//! against central differences on a random model, in both variants.

#![allow(clippy::needless_range_loop)]

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, ht};
use serde_json::{json, Value};

/// Reproducible numbers in [lo, hi) without a dependency (Knuth's MMIX LCG).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, lo: f64, hi: f64) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        lo + (hi - lo) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }

    fn vec(&mut self, len: usize, lo: f64, hi: f64) -> Vec<f64> {
        (0..len).map(|_| self.next(lo, hi)).collect()
    }
}

fn mat3(a: &[f64], b: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; 9];
    for i in 0..3 {
        for j in 0..3 {
            out[3 * i + j] = (0..3).map(|k| a[3 * i + k] * b[3 * k + j]).sum();
        }
    }
    out
}

#[test]
fn euler_rotation_is_rz_ry_rx() {
    let (x, z, y): (f64, f64, f64) = (0.3, -0.7, 1.1);
    let rx = [1.0, 0.0, 0.0, 0.0, x.cos(), -x.sin(), 0.0, x.sin(), x.cos()];
    let ry = [y.cos(), 0.0, y.sin(), 0.0, 1.0, 0.0, -y.sin(), 0.0, y.cos()];
    let rz = [z.cos(), -z.sin(), 0.0, z.sin(), z.cos(), 0.0, 0.0, 0.0, 1.0];
    let expected = mat3(&mat3(&rz, &ry), &rx);
    let mut r = [0.0; 9];
    ht::euler_to_rotation(&[x, z, y], &mut r);
    for (got, want) in r.iter().zip(&expected) {
        assert_relative_eq!(*got, *want, epsilon = 1e-15);
    }
}

#[test]
fn angle_axis_rotation() {
    let mut r = [0.0; 9];
    ht::angle_axis_to_rotation(&[0.0, 0.0, std::f64::consts::FRAC_PI_2], &mut r);
    for (got, want) in r.iter().zip([0.0, -1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0]) {
        assert_relative_eq!(*got, want, epsilon = 1e-15);
    }
    ht::angle_axis_to_rotation(&[1e-5, 0.0, 0.0], &mut r);
    assert_eq!(r, [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]);
}

/// A model of `bones` bones in a chain (each the previous one's child, the first a root)
/// and `vertices` vertices with weights summing to 1, as the eval's JSON. With `rest`, the
/// relative transforms are translations and the inverse absolutes undo them exactly, so
/// that the rest pose leaves every vertex in place; otherwise every matrix is random.
fn model_json(bones: usize, vertices: usize, rest: bool, rng: &mut Lcg) -> Value {
    let mut relatives = Vec::new();
    let mut inverses = Vec::new();
    let mut offset = [0.0; 3];
    for _ in 0..bones {
        if rest {
            let step = rng.vec(3, -0.5, 0.5);
            let translation = |t: [f64; 3]| {
                json!([
                    [1.0, 0.0, 0.0, t[0]],
                    [0.0, 1.0, 0.0, t[1]],
                    [0.0, 0.0, 1.0, t[2]],
                    [0.0, 0.0, 0.0, 1.0]
                ])
            };
            relatives.push(translation([step[0], step[1], step[2]]));
            for i in 0..3 {
                offset[i] += step[i];
            }
            inverses.push(translation([-offset[0], -offset[1], -offset[2]]));
        } else {
            let random = |rng: &mut Lcg| {
                let mut m: Vec<Vec<f64>> = (0..3).map(|_| rng.vec(4, -1.0, 1.0)).collect();
                m.push(vec![0.0, 0.0, 0.0, 1.0]);
                m
            };
            relatives.push(json!(random(rng)));
            inverses.push(json!(random(rng)));
        }
    }
    let positions: Vec<Vec<f64>> = (0..vertices)
        .map(|_| {
            let mut p = rng.vec(3, -1.0, 1.0);
            p.push(1.0);
            p
        })
        .collect();
    let weights: Vec<Vec<f64>> = (0..vertices)
        .map(|_| {
            let w = rng.vec(bones, 0.0, 1.0);
            let total: f64 = w.iter().sum();
            w.iter().map(|v| v / total).collect()
        })
        .collect();
    let triangles: Vec<[usize; 3]> = (0..vertices - 2).map(|v| [v, v + 1, v + 2]).collect();
    json!({
        "bone_count": bones,
        "bone_names": (0..bones).map(|b| format!("bone{b}")).collect::<Vec<_>>(),
        "parents": (0..bones as i64).map(|b| b - 1).collect::<Vec<_>>(),
        "base_relatives": relatives,
        "inverse_base_absolutes": inverses,
        "base_positions": positions,
        "weights": weights,
        "triangles": triangles,
        "is_mirrored": false,
    })
}

/// An input of `points` observations on a model of 22 bones and 8 vertices.
fn input_json(points: usize, with_us: bool, rest: bool, seed: u64) -> Value {
    let mut rng = Lcg(seed);
    let model = model_json(22, 8, rest, &mut rng);
    let targets = if with_us { 6 } else { 8 };
    let correspondences: Vec<usize> = (0..points).map(|p| (3 * p + 1) % targets).collect();
    let observed: Vec<Vec<f64>> = (0..points).map(|_| rng.vec(3, -1.0, 1.0)).collect();
    let us: Vec<Vec<f64>> = if with_us {
        (0..points).map(|_| rng.vec(2, 0.1, 0.45)).collect()
    } else {
        vec![]
    };
    let theta = if rest {
        let mut theta = vec![0.0; ht::THETA_LEN];
        theta[3..6].copy_from_slice(&[0.5, -0.25, 2.0]);
        theta
    } else {
        rng.vec(ht::THETA_LEN, -0.6, 0.6)
    };
    json!({
        "theta": theta,
        "data": {"model": model, "correspondences": correspondences, "points": observed},
        "us": us,
        "min_runs": 1, "min_seconds": 0,
    })
}

fn problem(input: Value) -> ht::Problem {
    ht::Problem::new(serde_json::from_value(input).unwrap())
        .unwrap()
        .0
}

#[test]
fn rest_pose_by_hand() {
    // Only the global translation t is set: every vertex is at its rest position plus t, so
    // err = point − (vertex + t), ∂err/∂t = −I and, on a triangle (a, b, c),
    // ∂err/∂u₀ = −(a − c) and ∂err/∂u₁ = −(b − c).
    let t = [0.5, -0.25, 2.0];
    for with_us in [false, true] {
        let p = problem(input_json(5, with_us, true, 1));
        let m = &p.model;
        let vertex = |v: usize, i: usize| m.base_positions[4 * v + i] + t[i];
        let err = p.objective();
        let jacobian = p.jacobian();
        let us_columns = if with_us { 2 } else { 0 };
        assert_eq!(jacobian.len(), 15);
        for q in 0..5 {
            let c = m.correspondences[q];
            for i in 0..3 {
                let row = &jacobian[3 * q + i];
                assert_eq!(row.len(), us_columns + ht::THETA_LEN);
                let model_point = if with_us {
                    let (a, b, cc) = (
                        m.triangles[3 * c],
                        m.triangles[3 * c + 1],
                        m.triangles[3 * c + 2],
                    );
                    let (u0, u1) = (p.us[2 * q], p.us[2 * q + 1]);
                    assert_relative_eq!(row[0], -(vertex(a, i) - vertex(cc, i)), epsilon = 1e-12);
                    assert_relative_eq!(row[1], -(vertex(b, i) - vertex(cc, i)), epsilon = 1e-12);
                    u0 * vertex(a, i) + u1 * vertex(b, i) + (1.0 - u0 - u1) * vertex(cc, i)
                } else {
                    vertex(c, i)
                };
                assert_relative_eq!(
                    err[3 * q + i],
                    m.points[3 * q + i] - model_point,
                    epsilon = 1e-12
                );
                for k in 0..3 {
                    let expected = if k == i { -1.0 } else { 0.0 };
                    assert_relative_eq!(row[us_columns + 3 + k], expected, epsilon = 1e-12);
                }
            }
        }
    }
}

#[test]
fn jacobian_matches_central_differences() {
    for with_us in [false, true] {
        let p = problem(input_json(7, with_us, false, 2));
        let jacobian = p.jacobian();
        let us_columns = if with_us { 2 } else { 0 };
        for row in 0..jacobian.len() {
            let numeric = common::central_difference(
                |theta| {
                    let mut moved = p.clone();
                    moved.theta = theta.to_vec();
                    moved.objective()[row]
                },
                &p.theta,
                1e-6,
            );
            for (g, e) in jacobian[row][us_columns..].iter().zip(&numeric) {
                assert_relative_eq!(*g, *e, max_relative = 1e-6, epsilon = 1e-8);
            }
            if with_us {
                // Residual row of point q depends on that point's two coordinates only.
                let q = row / 3;
                let numeric = common::central_difference(
                    |u| {
                        let mut moved = p.clone();
                        moved.us[2 * q..2 * q + 2].copy_from_slice(u);
                        moved.objective()[row]
                    },
                    &p.us[2 * q..2 * q + 2],
                    1e-6,
                );
                for (g, e) in jacobian[row][..2].iter().zip(&numeric) {
                    assert_relative_eq!(*g, *e, max_relative = 1e-6, epsilon = 1e-8);
                }
            }
        }
    }
}

#[test]
fn mirroring_flips_x_before_the_global_pose() {
    let mut input = input_json(3, false, true, 3);
    input["data"]["model"]["is_mirrored"] = json!(true);
    let p = problem(input);
    let err = p.objective();
    let v = p.model.correspondences[0];
    assert_relative_eq!(
        err[0],
        p.model.points[0] - (-p.model.base_positions[4 * v] + 0.5),
        epsilon = 1e-12
    );
}

#[test]
fn dispatch_and_bad_inputs() {
    let input = input_json(4, true, false, 4);
    let p = problem(input.clone());
    let (output, timings) = modules::evaluate("ht", "objective", input.clone()).unwrap();
    assert_eq!(timings.len(), 1);
    assert_eq!(output, json!(p.objective()));
    let (output, _) = modules::evaluate("ht", "jacobian", input.clone()).unwrap();
    assert_eq!(output, json!(p.jacobian().rows()));

    let with = |path: &[&str], value: Value| {
        let mut input = input.clone();
        let mut slot = &mut input;
        for key in path {
            slot = &mut slot[*key];
        }
        *slot = value;
        input
    };
    for (bad, needle) in [
        (with(&["theta"], json!(vec![0.0; 3])), "theta has 3 entries"),
        (with(&["us"], json!([[0.5, 0.5]])), "us has 1 rows"),
        (
            with(&["data", "correspondences"], json!([0, 1, 2, 99])),
            "correspondence 99",
        ),
        (
            with(&["data", "points"], json!([[0.0, 0.0]])),
            "points has 1 rows",
        ),
        (
            with(&["data", "model", "parents"], json!(vec![0; 22])),
            "bone 0 has parent 0",
        ),
        (
            with(&["data", "model", "triangles"], json!([[0, 1, 50]])),
            "vertex 50",
        ),
        (
            with(&["data", "model", "bone_names"], json!(["a", "b"])),
            "at least 21",
        ),
        (
            with(&["data", "model", "weights"], json!([[1.0]])),
            "weights has 1 rows",
        ),
        (
            with(&["data", "model", "base_relatives"], json!([])),
            "base_relatives has 0 matrices",
        ),
        (with(&["data", "model"], json!(1)), "invalid ht input"),
    ] {
        let err = modules::evaluate("ht", "objective", bad).unwrap_err();
        assert!(err.contains(needle), "{needle}: {err}");
    }
    let err = modules::evaluate("ht", "gradient", input).unwrap_err();
    assert!(err.contains("no function \"gradient\""), "{err}");
}
