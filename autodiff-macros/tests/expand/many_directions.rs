#[differentiate(forward, tangents)]
fn polar(r: f64, angle: f64, xy: &mut [f64]) {
    xy[0] = r * angle.cos();
    xy[1] = r * angle.sin();
}
