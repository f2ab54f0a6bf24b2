//! Compile-time reverse-mode automatic differentiation for plain Rust functions, on stable
//! Rust.
//!
//! Put `#[differentiate]` on a function of `f64` (or `f32`) parameters that returns a float,
//! and its gradient functions are generated next to it at compile time: ordinary Rust code
//! with a forward sweep and a reverse sweep, no run-time graph, no nightly compiler. Loops,
//! branches, early returns and calls to other differentiated functions are differentiated
//! as they run.
//!
//! ```
//! use autodiff::prelude::*;
//!
//! // The control-flow example of the classic autograd chapter: how often the loop runs and
//! // which branch is taken depend on `a`.
//! #[differentiate]
//! fn f(a: f64) -> f64 {
//!     let mut b = a * 2.0;
//!     while b.abs() < 1000.0 {
//!         b = b * 2.0;
//!     }
//!     let c = if b > 0.0 { b } else { 100.0 * b };
//!     c
//! }
//!
//! // f(a) = k·a for a k that depends on a only through the control flow, so f'(a) = f(a)/a.
//! for a in [0.3, -2.4, 1500.0] {
//!     let (value, grad) = f_value_and_grad(a);
//!     assert_eq!(value, f(a));
//!     assert!((grad - value / a).abs() <= 1e-12 * grad.abs());
//! }
//! ```
//!
//! # What the attribute generates
//!
//! For `#[differentiate] fn f(x: f64, y: f64, n: usize) -> f64`, the function `f` is kept
//! exactly as written, and three functions with the same visibility are added beside it:
//!
//! | generated | returns |
//! |-----------|---------|
//! | `f_grad(x, y, n)` | `(∂f/∂x, ∂f/∂y)` |
//! | `f_value_and_grad(x, y, n)` | `(f(x, y, n), (∂f/∂x, ∂f/∂y))` |
//! | `f_adjoint(x, y, n, d_out)` | `(f(x, y, n), (d_out·∂f/∂x, d_out·∂f/∂y))` |
//!
//! The gradient has one entry per `f64`/`f32` parameter (or per parameter named in `wrt`),
//! in order; with a single one it is that derivative alone, not a 1-tuple. Other parameters (integers, `bool`,
//! anything else) carry no derivative: they are passed through unchanged. `f_adjoint` is the
//! reverse-mode adjoint itself: it runs `f` forward, then pulls the output cotangent `d_out`
//! back through it, returning a vector-Jacobian product; `f_grad` and `f_value_and_grad`
//! call it with `d_out = 1`. A hidden `f_pullback` also exists, for other differentiated
//! functions that call `f`.
//!
//! Options choose the parameters and rename the functions:
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiate(wrt(x), grad = dpower_dx, value_and_grad = power_and_slope)]
//! fn power(x: f64, scale: f64, n: i32) -> f64 {
//!     scale * x.powi(n)
//! }
//!
//! assert_eq!(dpower_dx(2.0, 3.0, 3), 36.0); // 3 · 3x² at x = 2
//! assert_eq!(power_and_slope(2.0, 3.0, 3), (24.0, 36.0));
//! // `f_adjoint` scales the gradient by the output cotangent.
//! assert_eq!(power_adjoint(2.0, 3.0, 3, 0.5), (24.0, 18.0));
//! ```
//!
//! `adjoint = name` renames `f_adjoint` likewise. `reverse` generates the first-order reverse
//! mode alone (`f_adjoint`, `f_grad`, ...), `forward` the forward mode alone (`f_tangent`),
//! to save compile time:
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiate(forward)]
//! fn cube(x: f64) -> f64 {
//!     x * x * x
//! }
//!
//! assert_eq!(cube_tangent(2.0, 1.0), (8.0, 12.0));
//! ```
//!
//! `tangents` adds `f_tangents`, the forward mode along many directions in one pass, with a
//! [`Tangents`] per float (one derivative per direction) where `f_tangent` has one float:
//!
//! ```
//! use autodiff::prelude::*;
//! use autodiff::Tangents;
//!
//! #[differentiate(tangents)]
//! fn area(width: f64, height: f64) -> f64 {
//!     width * height
//! }
//!
//! let (a, dots) = area_tangents(3.0, Tangents::unit(0), 4.0, Tangents::<f64, 2>::unit(1));
//! assert_eq!((a, dots.0), (12.0, [4.0, 3.0])); // the whole gradient from one pass
//! ```
//!
//! # Second derivatives
//!
//! A function returning a float also gets `f_hvp`, a Hessian-vector product (each parameter
//! followed by its component of the direction, as in `f_tangent`; the result shaped like
//! `f_grad`'s), and `f_hessian`, a nalgebra `DMatrix` over the inputs flattened in parameter
//! order. Both run the generated reverse sweep on dual numbers (forward over reverse), whose
//! values are the gradient: `f_grad_and_hvp` returns the gradient and `f_hvp`'s product
//! from one sweep.
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiate]
//! fn wave(x: f64, y: f64) -> f64 {
//!     x.sin() * y.exp()
//! }
//!
//! let (x, y) = (0.5_f64, 0.25_f64);
//! let h = wave_hessian(x, y); // a nalgebra DMatrix
//! assert_eq!(h[(0, 0)], -x.sin() * y.exp());
//! assert_eq!(h[(0, 1)], x.cos() * y.exp());
//! // H·v along v = (1, 0) is the first column.
//! assert_eq!(wave_hvp(x, 1.0, y, 0.0), (h[(0, 0)], h[(1, 0)]));
//! // The gradient comes with it from the same sweep:
//! let (gradient, hv) = wave_grad_and_hvp(x, 1.0, y, 0.0);
//! assert_eq!((gradient, hv), (wave_grad(x, y), wave_hvp(x, 1.0, y, 0.0)));
//! ```
//!
//! Without options they are generated where the macro can tell that they compile, which
//! leaves out functions returning nalgebra values, or calling methods that dual numbers may
//! lack on values that become dual numbers. A function calling other differentiated functions has them where its
//! callees do (a call of its `f_hvp` otherwise fails to compile, naming the callee that has
//! none); `#[differentiate(hessian)]` asks
//! for them in every case and reports what stands in the way. The README lists what the
//! dual copy accepts.
//!
//! A differentiated function may also call a generated `g_grad`, or write
//! `let (value, slope) = g_tangent(..)`, and is differentiated through it (nested
//! derivatives, such as a gradient step inside an objective): the derivatives of `g_grad`
//! and `g_tangent` come from `g`'s second order.
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiate]
//! fn bowl(x: f64) -> f64 {
//!     x * x * x
//! }
//!
//! /// (d/dx x³)² = 9x⁴, through the generated derivative.
//! #[differentiate]
//! fn squared_slope(x: f64) -> f64 {
//!     let slope = bowl_grad(x);
//!     slope * slope
//! }
//!
//! assert_eq!(squared_slope_grad(2.0), 36.0 * 8.0);
//! ```
//!
//! # Blocking derivatives
//!
//! [`stop_gradient`]`(expr)` has the value of `expr` and no derivative, like PyTorch's
//! `detach()` or `tf.stop_gradient`. Any expression can be written inside it, since nothing
//! in it is differentiated; its value needs a [`StopGradient`] type (numbers, dual numbers,
//! collections and matrices of them, references to plain values), so that outside a
//! differentiated function it also drops the tangent of a dual number:
//!
//! ```
//! use autodiff::prelude::*;
//!
//! #[differentiate]
//! fn cube(x: f64) -> f64 {
//!     let y = x * x;
//!     y * x
//! }
//!
//! #[differentiate]
//! fn cube_detached(x: f64) -> f64 {
//!     let u = stop_gradient(x * x); // a constant as far as derivatives go
//!     u * x
//! }
//!
//! assert_eq!(cube_grad(3.0), 27.0); // 3x²
//! assert_eq!(cube_detached_grad(3.0), 9.0); // u = x²
//! ```
//!
//! # What the body may contain
//!
//! - `let` (with or without a type, `mut`, deferred `let w;`), shadowing, assignment and
//!   compound assignment, blocks;
//! - `+ - * /`, unary `-`, `as` casts between floats (casts to integers carry no
//!   derivative), literals and constants;
//! - the `f64`/`f32` methods from `sin` to `to_radians` (see [`rules::methods`] for the
//!   list), written `x.sin()` or `f64::sin(x)`;
//! - `if` / `else if` / `else` as statements or expressions, on any condition;
//! - `while` with a data-dependent number of trips, `for` over integer ranges (with
//!   `.rev()` and `.step_by(..)`), `loop`, `break` (with a value), `continue`, labels, and
//!   `return` anywhere;
//! - float buffers (`&[f64]`, `Vec<f64>`, arrays, `&mut` in-out buffers) with indexing,
//!   views `&x[a..b]`, iterator chains, `copy_from_slice` and `fill`; each buffer's adjoint
//!   is a shadow of its shape that `f_adjoint` adds into;
//! - nalgebra vectors and matrices (feature `nalgebra`), with their products, the methods that
//!   have a rule in [`rules::methods`], `map`, entry reads and writes and constructors;
//! - calls to other `#[differentiate]` functions, recursion included, and calls to any
//!   function when no argument carries a derivative;
//! - `stop_gradient(..)`, and `print!`, `println!`, `eprint!`, `eprintln!` and the `assert!` family, which run in the
//!   forward sweep only.
//!
//! Anything else is a compile error at the offending span that says what to write instead:
//! closures over values that carry derivatives (outside iterator chains and `map`), `match`,
//! `if let` / `while let`, `%`, methods (`&self`), `unsafe`, `async`, `&mut` matrices. The
//! README lists every construct and limit.
//!
//! ```compile_fail
//! use autodiff::prelude::*;
//!
//! #[differentiate]
//! fn rectified(x: f64) -> f64 {
//!     // error: `match` is not supported by `#[differentiate]`; use `if` / `else if` / `else`
//!     match x > 0.0 {
//!         true => x,
//!         false => 0.0,
//!     }
//! }
//! ```
//!
//! Where a derivative does not exist (`abs` at 0, `max` at a tie, `sqrt` at 0, the bounds
//! of `clamp`, …), the value chosen follows PyTorch and JAX; the table is in
//! [`rules::methods`].
//!
//! # See also
//!
//! - `examples/autograd_tour.rs` (`cargo run --release --example autograd_tour`): the
//!   chapter's examples, each checked against its hand-derived gradient.
//! - The README: the generated code for `f` above, the mapping from PyTorch, MXNet and
//!   TensorFlow idioms, and the known limits.
//! - [`testing`]: finite-difference helpers to check gradients in your own tests.
//! - [`rules`]: the derivative rules the generated code calls, one function per operation.
//! - [`Tangents`]: the tangents of `f_tangents` (`#[differentiate(tangents)]`).
//! - [`Dual`], [`DualVec`] and [`forward`]: dual numbers, and derivatives, gradients,
//!   Jacobians and Hessians of functions written generically over [`num_traits::Float`].

pub use autodiff_core::{
    forward, num_traits, rules, stop_gradient, testing, Constant, Dual, DualVec, NoTangent,
    StopGradient, Tangents, ZeroLike,
};
pub use autodiff_macros::differentiate;
/// The nalgebra whose vectors and matrices `#[differentiate]` functions may take and return
/// (feature `nalgebra`, on by default): naming it through this crate keeps the versions
/// matched.
#[cfg(feature = "nalgebra")]
pub use nalgebra;

/// Everything a user of `#[differentiate]` needs in scope.
///
/// ```
/// use autodiff::prelude::*;
///
/// #[differentiate]
/// fn f(x: f64) -> f64 {
///     stop_gradient(x) * x
/// }
///
/// assert_eq!(f_grad(3.0), 3.0);
/// ```
pub mod prelude {
    pub use crate::{differentiate, stop_gradient};
}

#[doc(hidden)]
pub mod __private {
    pub use autodiff_core::__method_rule as method_rule;
    pub use autodiff_core::__method_rule_given_result as method_rule_given_result;
    pub use autodiff_core::*;
}

// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExamples;
