//! GradBench's `kmeans` eval: the k-means cost f(C) = Σᵢ minⱼ ‖Cⱼ − Pᵢ‖² of `k` centroids
//! `C` for `n` points `P` in `d` dimensions, and the Newton direction J·H⁻¹ for minimising
//! it (Bottou and Bengio, NIPS 1994).
//!
//! Each point's closest centroid is searched first, on plain floats ([`assignment`]); the
//! differentiated function is the sum of squared distances to the assigned centroids
//! ([`assigned_cost`]), which has the cost's value and derivatives. Its Hessian is diagonal:
//! each point's term is a sum of one square per coordinate of one centroid. So a single
//! Hessian-vector product along the all-ones vector is exactly the diagonal, and `dir` needs
//! the gradient and that one product, whatever `k` and `d`: both come from one sweep of the
//! generated `assigned_cost_grad_and_hvp`.

use autodiff::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{parse_input, unknown_function};
use crate::protocol::{run_timed, Evaluation, Runs};

/// The input of both `kmeans` functions.
#[derive(Debug, Deserialize)]
pub struct Input {
    /// The `n` observations, `d` coordinates each.
    pub points: Vec<Vec<f64>>,
    /// The `k` centroids, `d` coordinates each.
    pub centroids: Vec<Vec<f64>>,
    /// How many times to run.
    #[serde(flatten)]
    pub runs: Runs,
}

/// The observations, the constant part of a problem. Passed to the differentiated cost as a
/// struct, the points stay plain floats in its generated functions, which would otherwise
/// give a float slice parameter a shadow (and, in `_hvp`, a dual copy) even outside `wrt`.
#[derive(Debug, Clone, PartialEq)]
pub struct Points {
    /// The dimension of every point.
    pub d: usize,
    /// `n × d` coordinates, row-major.
    pub coordinates: Vec<f64>,
}

/// A checked problem instance.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The observations.
    pub points: Points,
    /// `k × d` centroids, row-major.
    pub centroids: Vec<f64>,
}

impl Problem {
    /// Checks the shapes of `input` (at least one point and one centroid, all of one
    /// dimension `d ≥ 1`) and flattens it.
    pub fn new(input: Input) -> Result<(Self, Runs), String> {
        let Input {
            points,
            centroids,
            runs,
        } = input;
        let d = match points.first() {
            Some(first) => first.len(),
            None => return Err("invalid kmeans input: points must not be empty".into()),
        };
        if d == 0 {
            return Err("invalid kmeans input: points must have at least one coordinate".into());
        }
        if centroids.is_empty() {
            return Err("invalid kmeans input: centroids must not be empty".into());
        }
        for (name, rows) in [("points", &points), ("centroids", &centroids)] {
            if let Some(row) = rows.iter().find(|row| row.len() != d) {
                return Err(format!(
                    "invalid kmeans input: a row of {name} has {} coordinates, expected {d}",
                    row.len()
                ));
            }
        }
        let problem = Problem {
            points: Points {
                d,
                coordinates: points.concat(),
            },
            centroids: centroids.concat(),
        };
        Ok((problem, runs))
    }

    /// The cost at the problem's centroids.
    pub fn cost(&self) -> f64 {
        cost(&self.points, &self.centroids)
    }

    /// The Newton direction J·H⁻¹, `k × d` row-major, or an error naming a centroid that is
    /// closest to no point (its rows of the gradient and the Hessian are zero).
    pub fn dir(&self) -> Result<Vec<f64>, String> {
        let assigned = assignment(&self.points, &self.centroids);
        let ones = vec![1.0; self.centroids.len()];
        let (gradient, diagonal) =
            assigned_cost_grad_and_hvp(&self.points, &self.centroids, &ones, &assigned);
        // Hᵢᵢ is twice the number of points whose closest centroid owns coordinate i.
        if let Some(i) = diagonal.iter().position(|&h| h == 0.0) {
            return Err(format!(
                "kmeans: centroid {} is the closest centroid of no point, so the Hessian is \
                 singular",
                i / self.points.d
            ));
        }
        Ok(gradient.iter().zip(&diagonal).map(|(g, h)| g / h).collect())
    }
}

/// Each point's closest centroid (the first on a tie) among `centroids` (`k × d`,
/// row-major).
pub fn assignment(points: &Points, centroids: &[f64]) -> Vec<usize> {
    let d = points.d;
    points
        .coordinates
        .chunks_exact(d)
        .map(|point| {
            let mut best = 0;
            let mut best_distance = f64::INFINITY;
            for (j, centroid) in centroids.chunks_exact(d).enumerate() {
                let mut distance = 0.0;
                for (c, p) in centroid.iter().zip(point) {
                    distance += (c - p) * (c - p);
                }
                if distance < best_distance {
                    best = j;
                    best_distance = distance;
                }
            }
            best
        })
        .collect()
}

/// Σᵢ ‖C_{aᵢ} − Pᵢ‖²: the squared distance of each point to the centroid `assigned` to it.
///
/// With the [`assignment`] of the closest centroids this is the cost f(C) = Σᵢ minⱼ ‖Cⱼ − Pᵢ‖²,
/// and so are its derivatives: a small change of the centroids does not change which one
/// is closest (except on a tie), so the minimum's derivative flows into that centroid only.
/// The search thus runs once, on plain floats, instead of inside every generated sweep.
#[differentiate(hessian)]
pub fn assigned_cost(points: &Points, centroids: &[f64], assigned: &[usize]) -> f64 {
    let d = points.d;
    let mut total = 0.0;
    for i in 0..assigned.len() {
        let centroid = &centroids[assigned[i] * d..(assigned[i] + 1) * d];
        let point = &points.coordinates[i * d..(i + 1) * d];
        total += centroid
            .iter()
            .zip(point)
            .map(|(c, p)| (c - p) * (c - p))
            .sum::<f64>();
    }
    total
}

/// f(C) = Σᵢ minⱼ ‖Cⱼ − Pᵢ‖² for `centroids` (`k × d`, row-major).
pub fn cost(points: &Points, centroids: &[f64]) -> f64 {
    assigned_cost(points, centroids, &assignment(points, centroids))
}

/// Splits row-major `values` into rows of `width` entries.
fn rows(values: &[f64], width: usize) -> Vec<&[f64]> {
    values.chunks(width).collect()
}

/// Runs `cost` (the objective) or `dir` (the generated gradient divided by the diagonal, the
/// Hessian-vector product along the all-ones vector, both from
/// `assigned_cost_grad_and_hvp`).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let (problem, runs) = Problem::new(parse_input("kmeans", input)?)?;
    match function {
        "cost" => {
            let (output, timings) = run_timed(runs, || problem.cost());
            Ok((json!(output), timings))
        }
        "dir" => {
            let (output, timings) = run_timed(runs, || problem.dir());
            Ok((json!(rows(&output?, problem.points.d)), timings))
        }
        _ => Err(unknown_function("kmeans", function)),
    }
}
