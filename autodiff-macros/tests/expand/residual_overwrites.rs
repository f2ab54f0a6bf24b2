#[differentiate(reverse)]
fn polynomial_residuals(x: &[f64], t: &[f64], s: &[f64]) -> f64 {
    let mut sum = 0.0;
    for i in 0..t.len() {
        let mut residual = s[i];
        let mut power = 1.0;
        for j in 0..x.len() {
            residual -= x[j] * power;
            power *= t[i];
        }
        sum += residual * residual;
    }
    sum / 2.0
}
