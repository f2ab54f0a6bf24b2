use autodiff::prelude::*;

fn argmax(v: &[f64]) -> usize {
    let mut best = 0;
    for i in 1..v.len() {
        if v[i] > v[best] {
            best = i;
        }
    }
    best
}

// With `hessian` the dual copy is generated anyway and gives `argmax` a `&[Dual<f64>]`: the
// `mismatched types` error the README documents points at the argument of the call (a helper
// generic over the element type would take it).
#[differentiate(hessian)]
fn cube_of_the_largest(x: &[f64]) -> f64 {
    let k = stop_gradient(argmax(x));
    x[k] * x[k] * x[k]
}

fn main() {
    let _ = cube_of_the_largest_hvp(&[1.0, 2.0], &[1.0, 0.0]);
}
