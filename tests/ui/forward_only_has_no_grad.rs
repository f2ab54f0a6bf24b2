use autodiff::differentiate;

#[differentiate(forward)]
fn f(x: f64) -> f64 {
    x * x
}

fn main() {
    let _ = f_tangent(1.0, 1.0);
    let _ = f_grad(1.0);
}
