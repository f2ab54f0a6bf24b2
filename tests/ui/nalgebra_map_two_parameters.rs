use autodiff::differentiate;
use autodiff::nalgebra::DVector;

#[differentiate]
fn f(x: &DVector<f64>, s: f64) -> f64 {
    x.map(|v, w| v * s + w).sum()
}

fn main() {}
