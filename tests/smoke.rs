use autodiff::differentiate;

#[differentiate]
fn square_sum(x: f64, y: f64) -> f64 {
    x * x + y * y
}

#[differentiate]
fn seeds_f(a: f64) -> f64 {
    let mut b = a * 2.0;
    while b.abs() < 1000.0 {
        b = b * 2.0;
    }
    let c = if b > 0.0 { b } else { 100.0 * b };
    c
}

#[test]
fn smoke() {
    assert_eq!(square_sum_grad(1.0, 2.0), (2.0, 4.0));
    for a in [0.3, -0.7, 1.5, -2.2] {
        let (v, g) = seeds_f_value_and_grad(a);
        assert!((g - v / a).abs() < 1e-9, "{a}: {g} vs {}", v / a);
    }
}
