#[differentiate(wrt(w, b))]
fn layer_loss(w: &DMatrix<f64>, b: &DVector<f64>, x: &DVector<f64>, y: &DVector<f64>) -> f64 {
    let hidden = (w * x + b).map(|z| z.tanh());
    let residual = hidden - y;
    0.5 * residual.norm_squared()
}
