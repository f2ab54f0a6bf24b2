#[differentiate(wrt(x))]
fn first_crossing(x: f64, limit: f64, steps: usize) -> f64 {
    let mut acc = 0.0;
    for i in 0..steps {
        acc += x * (i as f64);
        if acc > limit {
            return acc.ln();
        }
    }
    acc
}
