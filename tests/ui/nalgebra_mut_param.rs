use autodiff::differentiate;
use autodiff::nalgebra::DVector;

#[differentiate]
fn f(x: &mut DVector<f64>, s: f64) -> f64 {
    x[0] = s;
    x.sum()
}

fn main() {}
