use autodiff::differentiate;

#[differentiate]
fn f(x: &[f64]) -> f64 {
    let mut v = vec![0.0; 2];
    v = x.to_vec();
    v[0]
}

fn main() {}
