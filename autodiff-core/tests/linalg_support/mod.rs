//! Shared helpers of the nalgebra rule tests: a tiny LCG for random-ish operands, and
//! central-difference vector-Jacobian products to compare the rules' cotangents with.

#![allow(dead_code)] // each test file uses its own subset

use autodiff_core::testing::assert_gradient_close;
use autodiff_core::Dual;
use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix, SMatrix};

/// A linear congruential generator (Knuth's MMIX constants): reproducible operands without
/// a dependency.
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 11
    }

    /// Uniform in `[-1, 1)`.
    pub fn value(&mut self) -> f64 {
        (self.next_u64() as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    }

    /// Uniform in `[1, 2)` with a random sign: away from zero, for denominators.
    pub fn nonzero(&mut self) -> f64 {
        let v = self.value();
        v.signum() * (1.0 + v.abs())
    }

    /// A size in `1..6`.
    pub fn size(&mut self) -> usize {
        1 + (self.next_u64() % 5) as usize
    }

    /// A matrix of any owned nalgebra type, of the given shape (ignored for static
    /// dimensions).
    pub fn matrix<R: Dim, C: Dim>(&mut self, rows: usize, cols: usize) -> OMatrix<f64, R, C>
    where
        DefaultAllocator: Allocator<R, C>,
    {
        OMatrix::from_fn_generic(R::from_usize(rows), C::from_usize(cols), |_, _| {
            self.value()
        })
    }

    /// A statically sized matrix.
    pub fn smatrix<const R: usize, const C: usize>(&mut self) -> SMatrix<f64, R, C> {
        SMatrix::from_fn(|_, _| self.value())
    }
}

/// Values whose entries the finite differences perturb one at a time: scalars and matrices.
pub trait Entries: Clone {
    fn entries(&self) -> Vec<f64>;
    fn with_entry(&self, i: usize, value: f64) -> Self;
}

impl Entries for f64 {
    fn entries(&self) -> Vec<f64> {
        vec![*self]
    }

    fn with_entry(&self, _: usize, value: f64) -> Self {
        value
    }
}

impl<R: Dim, C: Dim> Entries for OMatrix<f64, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    fn entries(&self) -> Vec<f64> {
        self.iter().copied().collect()
    }

    fn with_entry(&self, i: usize, value: f64) -> Self {
        let mut m = self.clone();
        m[i] = value;
        m
    }
}

/// `⟨a, b⟩`, entry by entry.
pub fn inner<Y: Entries>(a: &Y, b: &Y) -> f64 {
    a.entries()
        .iter()
        .zip(b.entries())
        .map(|(x, y)| x * y)
        .sum()
}

/// The vector-Jacobian product `gᵀ ∂f/∂x` by central differences: entry `i` is
/// `⟨g, f(x + h eᵢ) - f(x - h eᵢ)⟩ / 2h`.
pub fn numeric_vjp<X: Entries, Y: Entries>(f: impl Fn(&X) -> Y, x: &X, g: &Y) -> Vec<f64> {
    let entries = x.entries();
    (0..entries.len())
        .map(|i| {
            let h = 1e-6 * entries[i].abs().max(1.0);
            let (above, below) = (entries[i] + h, entries[i] - h);
            let df = inner(g, &f(&x.with_entry(i, above))) - inner(g, &f(&x.with_entry(i, below)));
            df / (above - below)
        })
        .collect()
}

/// Asserts that a rule's cotangent `x_bar` of operand `x` matches the finite-difference
/// vector-Jacobian product of `f` at `x` for the cotangent `g`.
#[track_caller]
pub fn assert_vjp<X: Entries, Y: Entries>(x_bar: &X, f: impl Fn(&X) -> Y, x: &X, g: &Y) {
    assert_gradient_close(&x_bar.entries(), &numeric_vjp(f, x, g), 1e-6);
}

/// Values built from dual numbers: their values, and their tangents.
pub trait DualParts {
    fn values(&self) -> Vec<f64>;
    fn tangents(&self) -> Vec<f64>;
}

impl DualParts for Dual<f64> {
    fn values(&self) -> Vec<f64> {
        vec![self.re]
    }

    fn tangents(&self) -> Vec<f64> {
        vec![self.eps]
    }
}

impl<R: Dim, C: Dim> DualParts for OMatrix<Dual<f64>, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    fn values(&self) -> Vec<f64> {
        self.iter().map(|d| d.re).collect()
    }

    fn tangents(&self) -> Vec<f64> {
        self.iter().map(|d| d.eps).collect()
    }
}

/// A matrix of dual numbers with random values and tangents.
pub fn dual_matrix<R: Dim, C: Dim>(
    rng: &mut Lcg,
    rows: usize,
    cols: usize,
) -> OMatrix<Dual<f64>, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    OMatrix::from_fn_generic(R::from_usize(rows), C::from_usize(cols), |_, _| {
        Dual::new(rng.value(), rng.value())
    })
}

/// The point `value + t · tangent` of a dual matrix's line.
pub fn along<R: Dim, C: Dim>(m: &OMatrix<Dual<f64>, R, C>, t: f64) -> OMatrix<f64, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    m.map(|d| d.re + t * d.eps)
}

/// Asserts that `out`, a rule evaluated on dual numbers, carries the rule's value at `t = 0`
/// and its derivative along the dual line, with `rule_at(t)` the rule evaluated in `f64` at
/// every operand's `value + t · tangent`.
#[track_caller]
pub fn assert_forward<Y: Entries>(out: &impl DualParts, rule_at: impl Fn(f64) -> Y) {
    assert_gradient_close(&out.values(), &rule_at(0.0).entries(), 1e-12);
    let h = 1e-6;
    let (above, below) = (rule_at(h).entries(), rule_at(-h).entries());
    let slope: Vec<f64> = above
        .iter()
        .zip(&below)
        .map(|(a, b)| (a - b) / (2.0 * h))
        .collect();
    assert_gradient_close(&out.tangents(), &slope, 1e-6);
}
