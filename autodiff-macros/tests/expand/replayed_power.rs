#[differentiate(reverse)]
fn least_squares(x: &[f64], n: usize) -> f64 {
    let mut sum = 0.0;
    for i in 0..n {
        let t = -1.0 + i as f64 * 2.0 / (n as f64 - 1.0);
        let mut residual = if t > 0.0 { 1.0 } else { -1.0 };
        let mut power = 1.0;
        for j in 0..x.len() {
            residual -= x[j] * power;
            power *= t;
        }
        sum += residual * residual;
    }
    sum / 2.0
}
