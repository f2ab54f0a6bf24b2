//! GradBench's `ht` eval (from ADBench): hand tracking. A skinned hand model is posed by 26
//! parameters `theta` (global rotation and translation, then the fingers' joint angles) and
//! the residuals are the differences between observed points and the model's points they
//! correspond to: a vertex each, or, when `us` is given ("complicated"), a point of a
//! triangle given by two barycentric coordinates per correspondence.
//!
//! The Jacobian is dense in `theta` and block diagonal in `us` (each residual depends on its
//! own two coordinates only), so it comes from one run of the generated forward mode in many
//! directions (`residuals_tangents`): one direction per parameter of `theta`, and two more in
//! which every correspondence's first (then second) coordinate moves at once. The two `us`
//! columns come first, as in GradBench's reference.

#![allow(clippy::needless_range_loop)]

use autodiff::prelude::*;
use autodiff::Tangents;
use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// Number of pose parameters.
pub const THETA_LEN: usize = 26;

/// The pose-parameter columns used by the fingers end at 23, the last column of bone 20.
pub const MIN_BONES: usize = 21;

/// The hand model as the eval sends it.
#[derive(Debug, Deserialize)]
pub struct ModelInput {
    /// The bones' names; only their number is used.
    pub bone_names: Vec<String>,
    /// Each bone's parent, earlier in the order, or −1 for a root.
    pub parents: Vec<i64>,
    /// Per bone, its 4 × 4 transform relative to its parent at rest, by rows.
    pub base_relatives: Vec<Vec<Vec<f64>>>,
    /// Per bone, the inverse of its absolute 4 × 4 transform at rest, by rows.
    pub inverse_base_absolutes: Vec<Vec<Vec<f64>>>,
    /// Per vertex, its homogeneous rest position (4 entries).
    pub base_positions: Vec<Vec<f64>>,
    /// Per vertex, the weight of each bone.
    pub weights: Vec<Vec<f64>>,
    /// The mesh's triangles as vertex indices.
    pub triangles: Vec<[usize; 3]>,
    /// Whether the model's x axis is mirrored.
    pub is_mirrored: bool,
}

/// The model and the observations as the eval sends them.
#[derive(Debug, Deserialize)]
pub struct DataInput {
    /// The hand model.
    pub model: ModelInput,
    /// Per observed point, the vertex (or, with `us`, the triangle) it corresponds to.
    pub correspondences: Vec<usize>,
    /// The observed points, 3 coordinates each.
    pub points: Vec<Vec<f64>>,
}

/// The input of both `ht` functions.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// The pose parameters.
    pub theta: Vec<f64>,
    /// The model and observations.
    pub data: DataInput,
    /// Per observed point, two barycentric coordinates on its triangle; empty for the
    /// vertex-correspondence ("simple") variant.
    #[serde(default)]
    pub us: Vec<Vec<f64>>,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// The constant part of a problem: model and observations, every matrix flat and row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Number of bones.
    pub bones: usize,
    /// Number of vertices.
    pub vertices: usize,
    /// Each bone's parent, or −1.
    pub parents: Vec<i64>,
    /// `bones × 16`.
    pub base_relatives: Vec<f64>,
    /// `bones × 16`.
    pub inverse_base_absolutes: Vec<f64>,
    /// `vertices × 4`.
    pub base_positions: Vec<f64>,
    /// `vertices × bones`.
    pub weights: Vec<f64>,
    /// `triangles × 3` vertex indices.
    pub triangles: Vec<usize>,
    /// Whether x is mirrored.
    pub is_mirrored: bool,
    /// One vertex or triangle index per observed point.
    pub correspondences: Vec<usize>,
    /// `points × 3`.
    pub points: Vec<f64>,
}

/// A checked problem instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The pose parameters.
    pub theta: Vec<f64>,
    /// `points × 2` barycentric coordinates, or empty.
    pub us: Vec<f64>,
    /// Model and observations.
    pub model: Model,
}

/// Concatenates `rows`, which must be `count` rows of `width` entries each.
fn flatten<T: Clone>(
    name: &str,
    rows: Vec<Vec<T>>,
    count: usize,
    width: usize,
) -> Result<Vec<T>, String> {
    if rows.len() != count {
        return Err(format!(
            "invalid ht input: {name} has {} rows, expected {count}",
            rows.len()
        ));
    }
    if let Some(row) = rows.iter().find(|row| row.len() != width) {
        return Err(format!(
            "invalid ht input: a row of {name} has {} entries, expected {width}",
            row.len()
        ));
    }
    Ok(rows.concat())
}

/// Flattens `bones` 4 × 4 matrices given by rows.
fn flatten_matrices(
    name: &str,
    matrices: Vec<Vec<Vec<f64>>>,
    bones: usize,
) -> Result<Vec<f64>, String> {
    if matrices.len() != bones {
        return Err(format!(
            "invalid ht input: {name} has {} matrices, expected {bones}",
            matrices.len()
        ));
    }
    let mut out = Vec::with_capacity(16 * bones);
    for matrix in matrices {
        out.extend(flatten(name, matrix, 4, 4)?);
    }
    Ok(out)
}

impl Problem {
    /// Checks every size and index of `input` and flattens its matrices.
    pub fn new(input: Input) -> Result<(Problem, Runs), String> {
        let Input {
            theta,
            data,
            us,
            runs,
        } = input;
        let DataInput {
            model,
            correspondences,
            points,
        } = data;
        if theta.len() != THETA_LEN {
            return Err(format!(
                "invalid ht input: theta has {} entries, expected {THETA_LEN}",
                theta.len()
            ));
        }
        let bones = model.bone_names.len();
        if bones < MIN_BONES {
            return Err(format!(
                "invalid ht input: {bones} bones, the pose needs at least {MIN_BONES}"
            ));
        }
        if model.parents.len() != bones {
            return Err(format!(
                "invalid ht input: parents has {} entries, expected {bones}",
                model.parents.len()
            ));
        }
        for (b, &parent) in model.parents.iter().enumerate() {
            if parent < -1 || parent >= b as i64 {
                return Err(format!(
                    "invalid ht input: bone {b} has parent {parent}, expected -1 or an earlier bone"
                ));
            }
        }
        let vertices = model.base_positions.len();
        let triangles: Vec<usize> = model.triangles.concat();
        if let Some(&v) = triangles.iter().find(|&&v| v >= vertices) {
            return Err(format!(
                "invalid ht input: a triangle has vertex {v}, but there are {vertices}"
            ));
        }
        let n_points = correspondences.len();
        // A vertex index, or with barycentric coordinates a triangle index.
        let targets = if us.is_empty() {
            vertices
        } else {
            triangles.len() / 3
        };
        if let Some(&c) = correspondences.iter().find(|&&c| c >= targets) {
            return Err(format!(
                "invalid ht input: correspondence {c} out of range, there are {targets}"
            ));
        }
        let us = if us.is_empty() {
            us.concat()
        } else {
            flatten("us", us, n_points, 2)?
        };
        let model = Model {
            base_relatives: flatten_matrices("base_relatives", model.base_relatives, bones)?,
            inverse_base_absolutes: flatten_matrices(
                "inverse_base_absolutes",
                model.inverse_base_absolutes,
                bones,
            )?,
            base_positions: flatten("base_positions", model.base_positions, vertices, 4)?,
            weights: flatten("weights", model.weights, vertices, bones)?,
            points: flatten("points", points, n_points, 3)?,
            bones,
            vertices,
            parents: model.parents,
            triangles,
            is_mirrored: model.is_mirrored,
            correspondences,
        };
        Ok((Problem { theta, us, model }, runs))
    }

    /// The residuals, three per observed point.
    pub fn objective(&self) -> Vec<f64> {
        let mut err = vec![0.0; 3 * self.model.correspondences.len()];
        residuals(&self.theta, &self.us, &self.model, &mut err);
        err
    }

    /// The Jacobian: per residual, the derivatives with respect to its two barycentric
    /// coordinates (only when `us` is given), then to `theta`.
    pub fn jacobian(&self) -> Jacobian {
        if self.us.is_empty() {
            self.jacobian_in::<THETA_LEN>(0)
        } else {
            self.jacobian_in::<{ THETA_LEN + 2 }>(2)
        }
    }

    /// The Jacobian from one run of the generated forward mode in `COLUMNS` directions, the
    /// first `us_columns` of them for `us`.
    fn jacobian_in<const COLUMNS: usize>(&self, us_columns: usize) -> Jacobian {
        let rows = 3 * self.model.correspondences.len();
        let theta_dot = Tangents::<f64, COLUMNS>::seeds(THETA_LEN, us_columns);
        // Every residual depends on its own coordinates only, so direction k moving
        // coordinate k of all correspondences at once gives each residual's own derivative.
        let us_dot: Vec<_> = (0..self.us.len()).map(|i| Tangents::unit(i % 2)).collect();
        let mut err = vec![0.0; rows];
        let mut err_dot = vec![Tangents::zero(); rows];
        residuals_tangents(
            &self.theta,
            &theta_dot,
            &self.us,
            &us_dot,
            &self.model,
            &mut err,
            &mut err_dot,
        );
        Jacobian {
            columns: COLUMNS,
            values: err_dot.iter().flat_map(|row| row.0).collect(),
        }
    }
}

/// A dense Jacobian, row-major in one buffer (GradBench's reference keeps one too); the
/// eval's nested rows are made when it is sent, outside the timed call.
#[derive(Debug, Clone, PartialEq)]
pub struct Jacobian {
    /// Entries per row.
    pub columns: usize,
    /// The rows one after the other.
    pub values: Vec<f64>,
}

impl Jacobian {
    /// How many rows.
    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.columns).unwrap_or(0)
    }

    /// Whether there are no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The rows, as the eval expects them.
    pub fn rows(&self) -> Vec<&[f64]> {
        self.values.chunks(self.columns.max(1)).collect()
    }
}

impl std::ops::Index<usize> for Jacobian {
    type Output = [f64];
    fn index(&self, row: usize) -> &[f64] {
        &self.values[row * self.columns..(row + 1) * self.columns]
    }
}

/// The rotation by the angle-axis vector `aa`, row-major into `r` (the identity for angles
/// below 10⁻⁴, as in the reference).
#[differentiate(tangents)]
pub fn angle_axis_to_rotation(aa: &[f64], r: &mut [f64]) {
    let norm = (aa[0] * aa[0] + aa[1] * aa[1] + aa[2] * aa[2]).sqrt();
    if norm < 0.0001 {
        for i in 0..3 {
            for j in 0..3 {
                r[3 * i + j] = if i == j { 1.0 } else { 0.0 };
            }
        }
    } else {
        let x = aa[0] / norm;
        let y = aa[1] / norm;
        let z = aa[2] / norm;
        let s = norm.sin();
        let c = norm.cos();
        r[0] = x * x + (1.0 - x * x) * c;
        r[1] = x * y * (1.0 - c) - z * s;
        r[2] = x * z * (1.0 - c) + y * s;
        r[3] = x * y * (1.0 - c) + z * s;
        r[4] = y * y + (1.0 - y * y) * c;
        r[5] = y * z * (1.0 - c) - x * s;
        r[6] = x * z * (1.0 - c) - y * s;
        r[7] = z * y * (1.0 - c) + x * s;
        r[8] = z * z + (1.0 - z * z) * c;
    }
}

/// `Rz Ry Rx` for the angles `(x, z, y)` in that order, row-major into `r`.
#[differentiate(tangents)]
pub fn euler_to_rotation(xzy: &[f64], r: &mut [f64]) {
    let (sx, cx) = (xzy[0].sin(), xzy[0].cos());
    let (sy, cy) = (xzy[2].sin(), xzy[2].cos());
    let (sz, cz) = (xzy[1].sin(), xzy[1].cos());
    // Rz Ry = [[cz cy, −sz, cz sy], [sz cy, cz, sz sy], [−sy, 0, cy]], then times Rx.
    r[0] = cz * cy;
    r[1] = -sz * cx + cz * sy * sx;
    r[2] = sz * sx + cz * sy * cx;
    r[3] = sz * cy;
    r[4] = cz * cx + sz * sy * sx;
    r[5] = -cz * sx + sz * sy * cx;
    r[6] = -sy;
    r[7] = cy * sx;
    r[8] = cy * cx;
}

/// The residuals `point − model point` for the pose `theta`, three per correspondence, into
/// `err`; `us` empty for vertex correspondences.
#[differentiate(tangents)]
pub fn residuals(theta: &[f64], us: &[f64], model: &Model, err: &mut [f64]) {
    let bones = model.bones;
    // The pose by columns of 3: global rotation, scale (all ones), global translation, then
    // one column of Euler angles per bone, the fingers' from theta and the others zero.
    let mut pose = vec![0.0; 3 * (bones + 3)];
    for i in 0..3 {
        pose[i] = theta[i];
        pose[3 + i] = 1.0;
        pose[6 + i] = theta[3 + i];
    }
    let mut next = 6;
    for finger in 0..5 {
        // Finger f's three joints are the bone columns 5 + 4f, 6 + 4f and 7 + 4f; the first
        // bends two ways.
        let col = 5 + 4 * finger;
        pose[3 * col] = theta[next];
        pose[3 * col + 1] = theta[next + 1];
        pose[3 * (col + 1)] = theta[next + 2];
        pose[3 * (col + 2)] = theta[next + 3];
        next += 4;
    }

    // Posed relative transforms: the rest transform times the bone's rotation.
    let mut relatives = vec![0.0; 16 * bones];
    let mut rotation = vec![0.0; 9];
    for b in 0..bones {
        euler_to_rotation(&pose[3 * (b + 3)..3 * (b + 4)], &mut rotation);
        for i in 0..4 {
            for j in 0..3 {
                let mut sum = 0.0;
                for k in 0..3 {
                    sum += model.base_relatives[16 * b + 4 * i + k] * rotation[3 * k + j];
                }
                relatives[16 * b + 4 * i + j] = sum;
            }
            relatives[16 * b + 4 * i + 3] = model.base_relatives[16 * b + 4 * i + 3];
        }
    }

    // Absolute transforms down the tree, then times the inverse rest transforms.
    let mut absolutes = vec![0.0; 16 * bones];
    for b in 0..bones {
        let parent = model.parents[b];
        for i in 0..4 {
            for j in 0..4 {
                if parent < 0 {
                    absolutes[16 * b + 4 * i + j] = relatives[16 * b + 4 * i + j];
                } else {
                    let p = parent as usize;
                    let mut sum = 0.0;
                    for k in 0..4 {
                        sum += absolutes[16 * p + 4 * i + k] * relatives[16 * b + 4 * k + j];
                    }
                    absolutes[16 * b + 4 * i + j] = sum;
                }
            }
        }
    }
    let mut transforms = vec![0.0; 16 * bones];
    for b in 0..bones {
        for i in 0..4 {
            for j in 0..4 {
                let mut sum = 0.0;
                for k in 0..4 {
                    sum += absolutes[16 * b + 4 * i + k]
                        * model.inverse_base_absolutes[16 * b + 4 * k + j];
                }
                transforms[16 * b + 4 * i + j] = sum;
            }
        }
    }

    // Skinning: each vertex is the weighted sum of its rest position moved by every bone.
    let vertices = model.vertices;
    let mut positions = vec![0.0; 3 * vertices];
    for b in 0..bones {
        for v in 0..vertices {
            let weight = model.weights[v * bones + b];
            for i in 0..3 {
                let mut moved = 0.0;
                for k in 0..4 {
                    moved += transforms[16 * b + 4 * i + k] * model.base_positions[4 * v + k];
                }
                positions[3 * v + i] += moved * weight;
            }
        }
    }
    if model.is_mirrored {
        for v in 0..vertices {
            positions[3 * v] = -positions[3 * v];
        }
    }

    // The global rotation and translation (the scale column is all ones).
    let mut global = vec![0.0; 9];
    angle_axis_to_rotation(&pose[0..3], &mut global);
    let mut posed = vec![0.0; 3 * vertices];
    for v in 0..vertices {
        for i in 0..3 {
            let mut sum = pose[6 + i];
            for k in 0..3 {
                sum += global[3 * i + k] * positions[3 * v + k];
            }
            posed[3 * v + i] = sum;
        }
    }

    let n_points = model.correspondences.len();
    if us.is_empty() {
        for p in 0..n_points {
            let v = model.correspondences[p];
            for i in 0..3 {
                err[3 * p + i] = model.points[3 * p + i] - posed[3 * v + i];
            }
        }
    } else {
        for p in 0..n_points {
            let t = model.correspondences[p];
            let (a, b, c) = (
                model.triangles[3 * t],
                model.triangles[3 * t + 1],
                model.triangles[3 * t + 2],
            );
            let (u0, u1) = (us[2 * p], us[2 * p + 1]);
            for i in 0..3 {
                let on_triangle = u0 * posed[3 * a + i]
                    + u1 * posed[3 * b + i]
                    + (1.0 - u0 - u1) * posed[3 * c + i];
                err[3 * p + i] = model.points[3 * p + i] - on_triangle;
            }
        }
    }
}

/// Runs `objective` (the residuals) or `jacobian` (their Jacobian by rows).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let (problem, runs) = Problem::new(parse_input("ht", input)?)?;
    match function {
        "objective" => {
            let (output, timings) = run_timed(runs, || problem.objective());
            Ok((json!(output), timings))
        }
        "jacobian" => {
            let (output, timings) = run_timed(runs, || problem.jacobian());
            Ok((json!(output.rows()), timings))
        }
        _ => Err(unknown_function("ht", function)),
    }
}
