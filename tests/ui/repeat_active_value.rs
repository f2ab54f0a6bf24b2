use autodiff::differentiate;

#[differentiate]
fn f(x: f64, n: usize) -> f64 {
    let v = vec![x; n];
    v[0] + v[n - 1]
}

fn main() {}
