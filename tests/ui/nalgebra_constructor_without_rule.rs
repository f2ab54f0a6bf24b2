use autodiff::differentiate;
use autodiff::nalgebra::DVector;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let v = DVector::from_iterator(x.len(), x.iter().map(|xi| xi * 2.0));
    v.sum()
}

fn main() {}
