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

// Without options the dual copy is not generated where a plain helper would be given a
// buffer of dual numbers: the first order compiles, and `f_hvp` is absent (the README says
// "left without them, silently"), so asking for it is rustc's own "cannot find function".
#[differentiate]
fn cube_of_the_largest(x: &[f64]) -> f64 {
    let k = stop_gradient(argmax(x));
    x[k] * x[k] * x[k]
}

fn main() {
    let _ = cube_of_the_largest_grad(&[1.0, 2.0]);
    let _ = cube_of_the_largest_hvp(&[1.0, 2.0], &[1.0, 0.0]);
}
