/// The seed chapter's control-flow example: the gradient is f(a) / a.
#[differentiate]
pub fn f(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b = b * 2.0;
    }
    let c = if b > 0.0 { b } else { 100.0 * b };
    c
}
