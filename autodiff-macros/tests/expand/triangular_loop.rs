#[differentiate]
fn pairwise_products(x: &[f64]) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for j in 0..n {
        for i in j + 1..n {
            s += x[i] * x[j] * (i - j) as f64;
        }
    }
    s
}
