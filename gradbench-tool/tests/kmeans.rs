//! `kmeans`: the cost against a direct evaluation, its generated gradient against central
//! differences, its generated Hessian against the diagonal 2·(cluster sizes) derived by hand,
//! and the Newton direction against "centroid minus the mean of its points".

mod common;

use approx::assert_relative_eq;
use gradbench_tool::modules::{self, kmeans};
use serde_json::json;

/// Reproducible inputs in [0, 1) without a dependency (Knuth's MMIX LCG).
fn uniform(len: usize, seed: u64) -> Vec<f64> {
    let mut state = seed;
    (0..len)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        })
        .collect()
}

/// `n` random points in `d` dimensions, with the last `k` of them as the centroids (so every
/// cluster is nonempty, as the eval does).
fn problem(n: usize, k: usize, d: usize, seed: u64) -> kmeans::Problem {
    let coordinates = uniform(n * d, seed);
    let centroids = coordinates[(n - k) * d..].to_vec();
    kmeans::Problem {
        points: kmeans::Points { d, coordinates },
        centroids,
    }
}

/// Each point's closest centroid, by a direct search.
fn assignment(p: &kmeans::Problem) -> Vec<usize> {
    let d = p.points.d;
    let distance = |i: usize, j: usize| -> f64 {
        (0..d)
            .map(|l| (p.points.coordinates[i * d + l] - p.centroids[j * d + l]).powi(2))
            .sum()
    };
    (0..p.points.coordinates.len() / d)
        .map(|i| {
            (0..p.centroids.len() / d)
                .min_by(|&a, &b| distance(i, a).total_cmp(&distance(i, b)))
                .unwrap()
        })
        .collect()
}

#[test]
fn cost_by_hand() {
    // Points 0, 1, 4 and 6 on a line, centroids 0.5 and 5: (0.25 + 0.25) + (1 + 1).
    let p = kmeans::Problem {
        points: kmeans::Points {
            d: 1,
            coordinates: vec![0.0, 1.0, 4.0, 6.0],
        },
        centroids: vec![0.5, 5.0],
    };
    assert_eq!(p.cost(), 2.5);
    // The Newton step goes to the means, 0.5 and 5: a zero direction.
    assert_eq!(p.dir().unwrap(), vec![0.0, 0.0]);
    let p = kmeans::Problem {
        centroids: vec![0.0, 4.5],
        ..p
    };
    // Clusters {0, 1} and {4, 6}: centroid minus mean is −0.5 and −0.5.
    assert_eq!(p.dir().unwrap(), vec![-0.5, -0.5]);
}

#[test]
fn gradient_matches_central_differences() {
    for (n, k, d, seed) in [(40, 5, 3, 1), (100, 10, 8, 2), (7, 7, 2, 3)] {
        let p = problem(n, k, d, seed);
        let numeric =
            common::central_difference(|c| kmeans::cost(&p.points, c), &p.centroids, 1e-6);
        let assigned = kmeans::assignment(&p.points, &p.centroids);
        assert_eq!(assigned, assignment(&p));
        let got = kmeans::assigned_cost_grad(&p.points, &p.centroids, &assigned);
        assert_eq!(got.len(), k * d);
        for (g, e) in got.iter().zip(&numeric) {
            assert_relative_eq!(*g, *e, max_relative = 1e-7, epsilon = 1e-9);
        }
    }
}

#[test]
fn hessian_is_twice_the_cluster_sizes_on_the_diagonal() {
    let (n, k, d) = (30, 4, 2);
    let p = problem(n, k, d, 7);
    let mut sizes = vec![0.0; k];
    for j in assignment(&p) {
        sizes[j] += 1.0;
    }
    let assigned = kmeans::assignment(&p.points, &p.centroids);
    let h = kmeans::assigned_cost_hessian(&p.points, &p.centroids, &assigned);
    assert_eq!(h.shape(), (k * d, k * d));
    for r in 0..k * d {
        for c in 0..k * d {
            let want = if r == c { 2.0 * sizes[r / d] } else { 0.0 };
            assert_eq!(h[(r, c)], want, "H[{r}][{c}]");
        }
    }
    // So one Hessian-vector product along the ones is the diagonal.
    let ones = vec![1.0; k * d];
    let hv = kmeans::assigned_cost_hvp(&p.points, &p.centroids, &ones, &assigned);
    for (i, value) in hv.iter().enumerate() {
        assert_eq!(*value, h[(i, i)]);
    }
    // And it agrees with central differences of the generated gradient, the closest
    // centroids searched again at each shifted point.
    let gradient = |c: &[f64]| {
        let assigned = kmeans::assignment(&p.points, c);
        kmeans::assigned_cost_grad(&p.points, c, &assigned)
    };
    for i in 0..k * d {
        let step = 1e-6;
        let (mut plus, mut minus) = (p.centroids.clone(), p.centroids.clone());
        plus[i] += step;
        minus[i] -= step;
        let (up, down) = (gradient(&plus), gradient(&minus));
        assert_relative_eq!((up[i] - down[i]) / (2.0 * step), hv[i], max_relative = 1e-7);
    }
}

#[test]
fn direction_is_centroid_minus_cluster_mean() {
    for (n, k, d, seed) in [(200, 10, 8, 11), (1000, 25, 16, 12)] {
        let p = problem(n, k, d, seed);
        let mut sums = vec![0.0; k * d];
        let mut sizes = vec![0.0; k];
        for (i, j) in assignment(&p).into_iter().enumerate() {
            sizes[j] += 1.0;
            for l in 0..d {
                sums[j * d + l] += p.points.coordinates[i * d + l];
            }
        }
        let dir = p.dir().unwrap();
        for (i, got) in dir.iter().enumerate() {
            let want = p.centroids[i] - sums[i] / sizes[i / d];
            assert_relative_eq!(*got, want, max_relative = 1e-12, epsilon = 1e-14);
        }
    }
}

#[test]
fn dispatch_and_bad_inputs() {
    let input = json!({
        "points": [[0.0, 0.0], [1.0, 0.0], [4.0, 2.0], [6.0, 2.0]],
        "centroids": [[1.0, 1.0], [5.0, 1.0]],
        "min_runs": 2,
        "min_seconds": 0,
    });
    let (output, timings) = modules::evaluate("kmeans", "cost", input.clone()).unwrap();
    assert_eq!(timings.len(), 2);
    // Squared distances 2 and 1 to (1, 1), 2 and 2 to (5, 1).
    assert_eq!(output, json!(7.0));
    let (output, _) = modules::evaluate("kmeans", "dir", input).unwrap();
    assert_eq!(output, json!([[0.5, 1.0], [0.0, -1.0]]));

    // A centroid nearest to no point has a singular Hessian.
    let empty = json!({"points": [[0.0], [1.0]], "centroids": [[0.5], [9.0]]});
    let err = modules::evaluate("kmeans", "dir", empty.clone()).unwrap_err();
    assert!(err.contains("centroid 1"), "{err}");
    // Its cost is still defined.
    let (output, _) = modules::evaluate("kmeans", "cost", empty).unwrap();
    assert_eq!(output, json!(0.5));

    for (input, needle) in [
        (
            json!({"points": [], "centroids": [[1.0]]}),
            "points must not be empty",
        ),
        (
            json!({"points": [[]], "centroids": [[]]}),
            "at least one coordinate",
        ),
        (
            json!({"points": [[1.0]], "centroids": []}),
            "centroids must not be empty",
        ),
        (
            json!({"points": [[1.0, 2.0], [3.0]], "centroids": [[1.0, 2.0]]}),
            "a row of points has 1 coordinates, expected 2",
        ),
        (
            json!({"points": [[1.0, 2.0]], "centroids": [[1.0, 2.0, 3.0]]}),
            "a row of centroids has 3 coordinates, expected 2",
        ),
        (json!({"points": [[1.0]]}), "invalid kmeans input"),
        (
            json!({"points": [["a"]], "centroids": [[1.0]]}),
            "invalid kmeans input",
        ),
    ] {
        let err = modules::evaluate("kmeans", "cost", input).unwrap_err();
        assert!(err.contains(needle), "{err}");
    }
    let err = modules::evaluate(
        "kmeans",
        "gradient",
        json!({"points": [[1.0]], "centroids": [[1.0]]}),
    )
    .unwrap_err();
    assert!(err.contains("gradient"), "{err}");
}
