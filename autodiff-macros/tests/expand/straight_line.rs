#[differentiate]
fn g(x: f64, y: f64) -> f64 {
    let r = (x * x + y * y).sqrt();
    let s = stop_gradient(r) * x.sin();
    r + s / y
}
