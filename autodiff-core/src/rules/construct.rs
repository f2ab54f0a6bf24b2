//! Pullbacks of nalgebra's constructors: each takes the cotangent `g` of the built vector or
//! matrix and gives the cotangent of what it was built from.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

use super::linalg::Entry;

/// `from_element(.., s)`: every entry is `s`, so `s̄ = Σ g`.
///
/// ```
/// use nalgebra::dvector;
///
/// assert_eq!(autodiff_core::rules::construct::from_element(&dvector![1.0, 2.0, 3.0]), 6.0);
/// ```
pub fn from_element<T: Entry, R: Dim, C: Dim>(g: &OMatrix<T, R, C>) -> T
where
    DefaultAllocator: Allocator<R, C>,
{
    g.sum()
}

/// `new(a, b, ..)`: argument `k` is entry `k` in row-major order, the order in which
/// `Matrix2::new(a, b, c, d)` takes them; its cotangent is that entry of `g`.
///
/// ```
/// use nalgebra::Matrix2;
///
/// let g = Matrix2::new(1.0, 2.0, 3.0, 4.0); // rows (1, 2) and (3, 4)
/// assert_eq!(autodiff_core::rules::construct::entry(&g, 1), 2.0);
/// ```
///
/// # Panics
/// If `k` is not below the number of entries, which generated code never asks for.
pub fn entry<T: Entry, R: Dim, C: Dim>(g: &OMatrix<T, R, C>, k: usize) -> T
where
    DefaultAllocator: Allocator<R, C>,
{
    let columns = g.ncols();
    g[(k / columns, k % columns)]
}

/// `from_column_slice(.., &x)` and `from_vec(.., x)`: the entries are `x`'s elements in
/// column-major order, so `g`'s entries, in that order, are added into `x`'s shadow.
///
/// ```
/// use nalgebra::dmatrix;
///
/// let mut shadow = [1.0; 4];
/// autodiff_core::rules::construct::add_column_major(&mut shadow, &dmatrix![1.0, 2.0; 3.0, 4.0]);
/// assert_eq!(shadow, [2.0, 4.0, 3.0, 5.0]);
/// ```
pub fn add_column_major<T: Entry, R: Dim, C: Dim>(shadow: &mut [T], g: &OMatrix<T, R, C>)
where
    DefaultAllocator: Allocator<R, C>,
{
    for (s, &entry) in shadow.iter_mut().zip(g.iter()) {
        *s += entry;
    }
}

/// `from_row_slice(.., &x)`: the entries are `x`'s elements in row-major order.
///
/// ```
/// use nalgebra::dmatrix;
///
/// let mut shadow = [0.0; 4];
/// autodiff_core::rules::construct::add_row_major(&mut shadow, &dmatrix![1.0, 2.0; 3.0, 4.0]);
/// assert_eq!(shadow, [1.0, 2.0, 3.0, 4.0]);
/// ```
pub fn add_row_major<T: Entry, R: Dim, C: Dim>(shadow: &mut [T], g: &OMatrix<T, R, C>)
where
    DefaultAllocator: Allocator<R, C>,
{
    let columns = g.ncols();
    for (k, s) in shadow.iter_mut().enumerate().take(g.len()) {
        *s += g[(k / columns, k % columns)];
    }
}
