use autodiff::differentiate;

#[differentiate(grad = g, foo, bar = 1)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {}
