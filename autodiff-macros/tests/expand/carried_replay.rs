#[differentiate(reverse)]
fn path_length(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let step = x[i + 1] - x[i];
        s += step * step;
    }
    s.sqrt()
}
