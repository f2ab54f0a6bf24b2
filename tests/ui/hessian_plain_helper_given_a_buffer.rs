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

// With `hessian` the dual copy is generated anyway and gives `argmax` a `&[Dual<f64>]`. The
// README documents a `mismatched types` error; it points at the attribute rather than at the
// call, and names no helper.
#[differentiate(hessian)]
fn cube_of_the_largest(x: &[f64]) -> f64 {
    let k = stop_gradient(argmax(x));
    x[k] * x[k] * x[k]
}

fn main() {
    let _ = cube_of_the_largest_hvp(&[1.0, 2.0], &[1.0, 0.0]);
}
