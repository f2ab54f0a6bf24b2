//! GradBench's `ba` eval (from ADBench): bundle adjustment's residuals and their sparse
//! Jacobian.
//!
//! `n` cameras of 11 parameters (Rodrigues rotation, centre, focal length, principal point,
//! two radial distortion coefficients), `m` points and `p` observations, observation `i`
//! seeing point `i mod m` from camera `i mod n` with weight `wᵢ`. The eval sends one camera,
//! point, weight and feature, which the tool copies `n`, `m` and `p` times; every residual
//! and every Jacobian block is still computed.
//!
//! Residuals: per observation two reprojection errors `wᵢ (proj − feat)` and one weight error
//! `1 − wᵢ²`. The Jacobian has a row per residual and a column per parameter (cameras, then
//! points, then weights); it is built in compressed-row form and the eval gets its first 30
//! entries and its last.

use autodiff::prelude::*;
use std::ops::Range;

use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// Parameters per camera.
pub const CAM_PARAMS: usize = 11;

/// Nonzeros in each reprojection-error row: a camera, a point and a weight.
pub const ROW_NONZEROS: usize = CAM_PARAMS + 3 + 1;

/// How many leading entries of the Jacobian's lists the eval gets (before the last one).
pub const SHOWN: usize = 2 * ROW_NONZEROS;

/// The input of both `ba` functions: one of each thing, and how often to copy it.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// Number of cameras.
    pub n: usize,
    /// Number of points.
    pub m: usize,
    /// Number of observations.
    pub p: usize,
    /// The camera, 11 parameters.
    pub cam: Vec<f64>,
    /// The point, 3 coordinates.
    pub x: Vec<f64>,
    /// The weight.
    pub w: f64,
    /// The observed feature, 2 coordinates.
    pub feat: Vec<f64>,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// The full problem after copying the input's camera, point, weight and feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// `n × 11` camera parameters.
    pub cams: Vec<f64>,
    /// `m × 3` point coordinates.
    pub points: Vec<f64>,
    /// `p` weights.
    pub weights: Vec<f64>,
    /// `p` (camera, point) index pairs.
    pub observations: Vec<(usize, usize)>,
    /// `p × 2` observed features.
    pub features: Vec<f64>,
}

impl Problem {
    /// Checks `input` and builds the problem it describes.
    pub fn new(input: Input) -> Result<(Problem, Runs), String> {
        let Input {
            n,
            m,
            p,
            cam,
            x,
            w,
            feat,
            runs,
        } = input;
        if n == 0 || m == 0 || p == 0 {
            return Err("invalid ba input: n, m and p must be at least 1".into());
        }
        for (name, values, len) in [("cam", &cam, CAM_PARAMS), ("x", &x, 3), ("feat", &feat, 2)] {
            if values.len() != len {
                return Err(format!(
                    "invalid ba input: {name} has {} entries, expected {len}",
                    values.len()
                ));
            }
        }
        let problem = Problem {
            cams: cam.repeat(n),
            points: x.repeat(m),
            weights: vec![w; p],
            observations: (0..p).map(|i| (i % n, i % m)).collect(),
            features: feat.repeat(p),
        };
        Ok((problem, runs))
    }

    /// The residuals: `2p` reprojection errors and `p` weight errors.
    pub fn residuals(&self) -> (Vec<f64>, Vec<f64>) {
        let p = self.weights.len();
        let mut reprojection = Vec::with_capacity(2 * p);
        for (i, &(c, j)) in self.observations.iter().enumerate() {
            let cam = &self.cams[c * CAM_PARAMS..(c + 1) * CAM_PARAMS];
            let point = &self.points[3 * j..3 * j + 3];
            let feat = &self.features[2 * i..2 * i + 2];
            reprojection.extend(reprojection_error(cam, point, self.weights[i], feat));
        }
        let weight = self.weights.iter().map(|&w| weight_error(w)).collect();
        (reprojection, weight)
    }

    /// The Jacobian of [`Problem::residuals`], every block from the generated
    /// `reprojection_error_adjoint` and `weight_error_grad`.
    pub fn jacobian(&self) -> SparseMatrix {
        let (n, m, p) = (
            self.cams.len() / CAM_PARAMS,
            self.points.len() / 3,
            self.weights.len(),
        );
        let mut jacobian = SparseMatrix::with_capacity(3 * p, 2 * p * ROW_NONZEROS + p);
        for (i, &(c, j)) in self.observations.iter().enumerate() {
            let cam = &self.cams[c * CAM_PARAMS..(c + 1) * CAM_PARAMS];
            let point = &self.points[3 * j..3 * j + 3];
            let feat = &self.features[2 * i..2 * i + 2];
            let columns = [
                CAM_PARAMS * c..CAM_PARAMS * (c + 1),
                CAM_PARAMS * n + 3 * j..CAM_PARAMS * n + 3 * j + 3,
                CAM_PARAMS * n + 3 * m + i..CAM_PARAMS * n + 3 * m + i + 1,
            ];
            // Row `r` is the gradient of error `r`: one vector-Jacobian product each, with
            // ∂/∂cam, ∂/∂point and ∂/∂w in the order of the columns above. The row's buffer
            // is the shadows, so nothing is allocated per observation.
            for seed in [[1.0, 0.0], [0.0, 1.0]] {
                let mut row = [0.0; ROW_NONZEROS];
                let (cam_bar, rest) = row.split_at_mut(CAM_PARAMS);
                let (point_bar, w_bar) = rest.split_at_mut(3);
                let (_, w_grad) = reprojection_error_adjoint(
                    cam,
                    cam_bar,
                    point,
                    point_bar,
                    self.weights[i],
                    feat,
                    &seed,
                );
                w_bar[0] = w_grad;
                jacobian.push_row(&columns, &row);
            }
        }
        for (i, &w) in self.weights.iter().enumerate() {
            let column = CAM_PARAMS * n + 3 * m + i;
            let columns = column..column + 1;
            jacobian.push_row(std::slice::from_ref(&columns), &[weight_error_grad(w)]);
        }
        jacobian
    }
}

/// A sparse matrix in compressed-row form.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SparseMatrix {
    /// Where each row's entries start in `cols` and `vals`, and then their total count.
    pub rows: Vec<usize>,
    /// The column of each entry.
    pub cols: Vec<usize>,
    /// The value of each entry.
    pub vals: Vec<f64>,
}

impl SparseMatrix {
    /// An empty matrix with room for `rows` rows and `nonzeros` entries.
    pub fn with_capacity(rows: usize, nonzeros: usize) -> Self {
        let mut row_starts = Vec::with_capacity(rows + 1);
        row_starts.push(0);
        SparseMatrix {
            rows: row_starts,
            cols: Vec::with_capacity(nonzeros),
            vals: Vec::with_capacity(nonzeros),
        }
    }

    /// Appends a row whose entries lie in the column ranges `columns`, in order, with
    /// `values`, one per column: whole ranges and slices at a time rather than entry by entry
    /// through a chain of iterators.
    pub fn push_row(&mut self, columns: &[Range<usize>], values: &[f64]) {
        for range in columns {
            self.cols.extend(range.clone());
        }
        self.vals.extend_from_slice(values);
        debug_assert_eq!(self.cols.len(), self.vals.len(), "one value per column");
        self.rows.push(self.cols.len());
    }

    /// What the eval compares: the first [`SHOWN`] entries of each list and its last.
    pub fn summary(&self) -> serde_json::Value {
        fn shown<T: Copy>(list: &[T]) -> Vec<T> {
            let mut out: Vec<T> = list.iter().take(SHOWN).copied().collect();
            out.extend(list.last());
            out
        }
        json!({
            "rows": shown(&self.rows),
            "cols": shown(&self.cols),
            "vals": shown(&self.vals),
        })
    }
}

/// Rotates `pt` by the angle-axis vector `rot` (Rodrigues' formula), into `out`; a zero
/// `rot` takes the first-order form `pt + rot × pt`, which has the right derivative there.
#[differentiate]
pub fn rodrigues_rotate(rot: &[f64], pt: &[f64], out: &mut [f64]) {
    let sqtheta = rot[0] * rot[0] + rot[1] * rot[1] + rot[2] * rot[2];
    if sqtheta != 0.0 {
        let theta = sqtheta.sqrt();
        let cos = theta.cos();
        let sin = theta.sin();
        let w0 = rot[0] / theta;
        let w1 = rot[1] / theta;
        let w2 = rot[2] / theta;
        let tmp = (w0 * pt[0] + w1 * pt[1] + w2 * pt[2]) * (1.0 - cos);
        out[0] = pt[0] * cos + (w1 * pt[2] - w2 * pt[1]) * sin + w0 * tmp;
        out[1] = pt[1] * cos + (w2 * pt[0] - w0 * pt[2]) * sin + w1 * tmp;
        out[2] = pt[2] * cos + (w0 * pt[1] - w1 * pt[0]) * sin + w2 * tmp;
    } else {
        out[0] = pt[0] + (rot[1] * pt[2] - rot[2] * pt[1]);
        out[1] = pt[1] + (rot[2] * pt[0] - rot[0] * pt[2]);
        out[2] = pt[2] + (rot[0] * pt[1] - rot[1] * pt[0]);
    }
}

/// The two weighted reprojection errors `w (proj − feat)` of `point` seen by `cam`: the point
/// is moved to the camera's frame, projected, radially distorted, scaled by the focal length
/// and shifted by the principal point.
///
/// Fixed-size arrays rather than `vec!`s: this runs once per observation, and the three heap
/// allocations per call made the objective 3–5 times slower than GradBench's C++ reference.
#[differentiate(wrt(cam, point, w))]
pub fn reprojection_error(cam: &[f64], point: &[f64], w: f64, feat: &[f64]) -> [f64; 2] {
    let centered = [point[0] - cam[3], point[1] - cam[4], point[2] - cam[5]];
    let mut rotated = [0.0; 3];
    rodrigues_rotate(&cam[0..3], &centered, &mut rotated);
    let x = rotated[0] / rotated[2];
    let y = rotated[1] / rotated[2];
    let rsq = x * x + y * y;
    let distortion = 1.0 + cam[9] * rsq + cam[10] * rsq * rsq;
    let u = x * distortion * cam[6] + cam[7];
    let v = y * distortion * cam[6] + cam[8];
    [w * (u - feat[0]), w * (v - feat[1])]
}

/// Zach's weight error `1 − w²`.
#[differentiate]
pub fn weight_error(w: f64) -> f64 {
    1.0 - w * w
}

/// Runs `objective` (the residuals) or `jacobian` (their sparse Jacobian), answering in the
/// compressed form of GradBench's reference implementation.
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let (problem, runs) = Problem::new(parse_input("ba", input)?)?;
    let p = problem.weights.len();
    match function {
        "objective" => {
            let ((reprojection, weight), timings) = run_timed(runs, || problem.residuals());
            let output = json!({
                "reproj_error": {"elements": &reprojection[..2], "repeated": reprojection.len() / 2},
                "w_err": {"element": weight[0], "repeated": p},
            });
            Ok((output, timings))
        }
        "jacobian" => {
            let (jacobian, timings) = run_timed(runs, || problem.jacobian());
            Ok((jacobian.summary(), timings))
        }
        _ => Err(unknown_function("ba", function)),
    }
}
