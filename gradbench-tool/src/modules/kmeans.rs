//! GradBench's `kmeans` eval: the k-means cost f(C) = Σᵢ minⱼ ‖Cⱼ − Pᵢ‖² of `k` centroids
//! `C` for `n` points `P` in `d` dimensions, and the Newton direction J·H⁻¹ for minimising
//! it (Bottou and Bengio, NIPS 1994).
//!
//! The Hessian of the cost is diagonal: each point's term is the squared distance to one
//! centroid (the closest, which a small change of the centroids does not change), a sum of
//! one square per coordinate. So a single Hessian-vector product along the all-ones vector
//! is exactly the diagonal, and `dir` needs one generated gradient and one generated
//! Hessian-vector product, whatever `k` and `d`.

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

/// A checked problem instance, every matrix flat and row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// The dimension of every point.
    pub d: usize,
    /// `n × d` observations.
    pub points: Vec<f64>,
    /// `k × d` centroids.
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
            d,
            points: points.concat(),
            centroids: centroids.concat(),
        };
        Ok((problem, runs))
    }

    /// The cost at the problem's centroids.
    pub fn cost(&self) -> f64 {
        cost(&self.points, &self.centroids, self.d)
    }

    /// The Newton direction J·H⁻¹, `k × d` row-major, or an error naming a centroid that is
    /// closest to no point (its rows of the gradient and the Hessian are zero).
    pub fn dir(&self) -> Result<Vec<f64>, String> {
        let gradient = cost_grad(&self.points, &self.centroids, self.d);
        let ones = vec![1.0; self.centroids.len()];
        let diagonal = cost_hvp(&self.points, &self.centroids, &ones, self.d);
        // Hᵢᵢ is twice the number of points whose closest centroid owns coordinate i.
        if let Some(i) = diagonal.iter().position(|&h| h == 0.0) {
            return Err(format!(
                "kmeans: centroid {} is the closest centroid of no point, so the Hessian is \
                 singular",
                i / self.d
            ));
        }
        Ok(gradient.iter().zip(&diagonal).map(|(g, h)| g / h).collect())
    }
}

/// f(C) = Σᵢ minⱼ ‖Cⱼ − Pᵢ‖² for `points` (`n × d`) and `centroids` (`k × d`), row-major.
///
/// The minimum is taken as the distance to the closest centroid `best`, searched first: a
/// small change of the centroids does not change which one is closest (except on a tie), so
/// the derivative flows into that centroid only. Only the search's integer result is
/// recorded for the reverse sweep (one per point), not the `k` distances per point that a
/// running `closest.min(distance)` would need.
#[differentiate(hessian, wrt(centroids))]
pub fn cost(points: &[f64], centroids: &[f64], d: usize) -> f64 {
    let n = points.len() / d;
    let k = centroids.len() / d;
    let mut total = 0.0;
    for i in 0..n {
        let mut best = 0;
        let mut best_distance = f64::INFINITY;
        for j in 0..k {
            let mut distance = 0.0;
            for l in 0..d {
                let difference = centroids[j * d + l] - points[i * d + l];
                distance += difference * difference;
            }
            if distance < best_distance {
                best = j;
                best_distance = distance;
            }
        }
        for l in 0..d {
            let difference = centroids[best * d + l] - points[i * d + l];
            total += difference * difference;
        }
    }
    total
}

/// Splits row-major `values` into rows of `width` entries.
fn rows(values: &[f64], width: usize) -> Vec<&[f64]> {
    values.chunks(width).collect()
}

/// Runs `cost` (the objective) or `dir` (the generated `cost_grad` divided by the diagonal
/// that the generated `cost_hvp` gives along the all-ones vector).
pub fn evaluate(function: &str, input: serde_json::Value) -> Evaluation {
    let (problem, runs) = Problem::new(parse_input("kmeans", input)?)?;
    match function {
        "cost" => {
            let (output, timings) = run_timed(runs, || problem.cost());
            Ok((json!(output), timings))
        }
        "dir" => {
            let (output, timings) = run_timed(runs, || problem.dir());
            Ok((json!(rows(&output?, problem.d)), timings))
        }
        _ => Err(unknown_function("kmeans", function)),
    }
}
