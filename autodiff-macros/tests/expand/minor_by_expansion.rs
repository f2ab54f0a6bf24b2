// A recursive determinant by minors: `minor_record` keeps its forward sweep for the reverse
// (the typed `let` says `rest` is a plain number), the sign comes back by negation and the
// entry is read again; only branch decisions, sets, and the minors' values are recorded.
#[differentiate]
fn minor(a: &[f64], n: usize, row: usize, used: u32) -> f64 {
    if row + 1 == n {
        let col: usize = (!used).trailing_zeros() as usize;
        return a[row * n + col];
    }
    let mut total = 0.0;
    let mut sign = 1.0;
    for col in 0..n {
        if used & (1 << col) == 0 {
            let rest: u32 = without_column(used, col);
            total += sign * a[row * n + col] * minor(a, n, row + 1, rest);
            sign = -sign;
        }
    }
    total
}
