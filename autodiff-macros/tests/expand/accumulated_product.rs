#[differentiate]
pub fn q_times(diag: &[f64], lower: &[f64], v: &[f64], out: &mut [f64]) {
    let d = diag.len();
    for i in 0..d {
        out[i] = diag[i] * v[i];
    }
    let mut idx = 0;
    for j in 0..d {
        for i in j + 1..d {
            out[i] += lower[idx] * v[j];
            idx += 1;
        }
    }
}
