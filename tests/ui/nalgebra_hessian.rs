use autodiff::differentiate;
use autodiff::nalgebra::DVector;

#[differentiate(hessian)]
fn f(x: &DVector<f64>) -> f64 {
    x.norm_squared()
}

fn main() {}
