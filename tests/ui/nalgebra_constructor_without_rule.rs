use autodiff::differentiate;
use autodiff::nalgebra::DVector;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let v = DVector::from_fn(x.len(), |i, _| x[i]);
    v.sum()
}

fn main() {}
