use autodiff::differentiate;

#[differentiate(forward, grad = df)]
fn f(x: f64) -> f64 {
    x * x
}

#[differentiate(forward, forward, reverse = yes)]
fn g(x: f64) -> f64 {
    x * x
}

#[differentiate(tangents, tangents, tangents(4))]
fn h(x: f64) -> f64 {
    x * x
}

fn main() {}
