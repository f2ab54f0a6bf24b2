//! Derivative rules: the only place where derivative formulas live.
//!
//! Generated reverse sweeps call these by path and the compiler picks the implementation by
//! the operands' types, so the macro itself holds no formulas. Every rule is a *pullback*: it
//! takes the primal operands and the cotangent `g` of the result, and returns the cotangent of
//! each operand.
//!
//! - [`ops`]: the arithmetic operators `+ - * /`, unary `-`, and `as` casts.
//! - [`methods`]: the float methods (`x.sin()`, `x.powf(y)`, …), one function per method,
//!   returning one cotangent per operand (receiver first, then the arguments in order), and
//!   the nalgebra matrix methods (`x.dot(&y)`, `a.determinant()`, …).
//! - `linalg` (feature `nalgebra`): what makes nalgebra matrices and vectors differentiable:
//!   their products, their method rules, and their zeros.
//! - `tangents` (feature `nalgebra`): the forward mode's rules for matrix-valued methods.
//! - `construct` (feature `nalgebra`): nalgebra's constructors from active values
//!   (`Vector3::new(a, b, c)`, `DVector::from_element(n, s)`, `from_column_slice`, …).
//!
//! Adding a method rule is adding one function to [`methods`]; the macro needs no change.

#[cfg(feature = "nalgebra")]
pub mod construct;
#[cfg(feature = "nalgebra")]
pub mod linalg;
/// Forward-mode rules for the nalgebra methods whose result is a matrix (feature
/// `nalgebra`); see [`linalg`].
#[cfg(feature = "nalgebra")]
pub mod tangents {
    pub use super::linalg::tangents::*;
}
pub mod methods;
pub mod ops;

/// Scalars that the float method rules accept: `f64`, `f32`, and any other
/// [`num_traits::Float`] (such as dual numbers).
#[diagnostic::on_unimplemented(
    message = "no derivative rules for methods on `{Self}`",
    label = "this value has no float derivative rules",
    note = "derivative rules exist for `f64` and `f32` methods; wrap the expression in `stop_gradient(..)` if no derivative should flow through it"
)]
pub trait Real: num_traits::Float {}

impl<T: num_traits::Float> Real for T {}
