use autodiff::differentiate;

fn helper(a: f64) -> f64 {
    a * a
}

#[differentiate]
fn f(x: f64) -> f64 {
    helper(x) + 1.0
}

fn main() {}
