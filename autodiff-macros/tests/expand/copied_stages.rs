// Runge–Kutta stages written inline: each loop's writes into `stage` and `y` are undone by
// one copy of the written range (`stage_copied`, `y_copied`) instead of a push per element.
#[differentiate]
fn runge_kutta(x: &[f64], steps: usize, y: &mut [f64]) {
    let n = x.len();
    let h = 2.0 / steps as f64;
    let mut k1 = vec![0.0; n];
    let mut k2 = vec![0.0; n];
    let mut stage = vec![0.0; n];
    for _ in 0..steps {
        chain(x, y, &mut k1);
        for i in 0..n {
            stage[i] = y[i] + h * k1[i] / 2.0;
        }
        chain(x, &stage, &mut k2);
        for i in 0..n {
            y[i] += h * k2[i];
        }
    }
}
