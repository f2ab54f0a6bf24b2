//! Identifiers the macro introduces. All of them use mixed-site hygiene, so they can never
//! capture or shadow a name the user wrote, while `cargo expand` still shows them plainly
//! (`t3`, `x_bar`, `branch1`).

use proc_macro2::Span;
use quote::format_ident;
use syn::Ident;

fn hygienic(name: String, at: Span) -> Ident {
    Ident::new(&name, Span::mixed_site().located_at(at))
}

/// A renamed user binding that shadows an earlier one: `x` becomes `x_2`.
pub fn renamed(original: &Ident, occurrence: usize) -> Ident {
    hygienic(format!("{original}_{occurrence}"), original.span())
}

/// A temporary holding one intermediate value.
pub fn temp(index: usize) -> Ident {
    hygienic(format!("t{index}"), Span::call_site())
}

/// The recorded decision of the `index`th `if`.
pub fn branch(index: usize) -> Ident {
    hygienic(format!("branch{index}"), Span::call_site())
}

/// The trip count of the `index`th loop.
pub fn trips(index: usize) -> Ident {
    hygienic(format!("trips{index}"), Span::call_site())
}

/// The function's return value inside the generated adjoint.
pub fn output() -> Ident {
    hygienic("output".into(), Span::call_site())
}

/// The pending `break` / `continue` / `return`, as a code.
pub fn exit_code() -> Ident {
    hygienic("exit_code".into(), Span::call_site())
}

/// The cotangent of the output, a parameter of the generated adjoint.
pub fn d_out() -> Ident {
    hygienic("d_out".into(), Span::call_site())
}

/// The cotangent being pulled back through one operation.
pub fn cotangent() -> Ident {
    hygienic("g".into(), Span::call_site())
}

/// The adjoint accumulator of a variable: `x` → `x_bar`.
pub fn adjoint(var: &Ident) -> Ident {
    hygienic(format!("{}_bar", unraw(var)), var.span())
}

/// The tape holding a block-local variable's last value across the two sweeps.
pub fn saved(var: &Ident) -> Ident {
    hygienic(format!("{}_saved", unraw(var)), var.span())
}

/// The tape holding a variable's values before the `index`th overwrite.
pub fn before(var: &Ident, index: usize) -> Ident {
    hygienic(format!("{}_before{index}", unraw(var)), var.span())
}

/// Cotangent of the `index`th operand of one rule call.
pub fn operand_cotangent(index: usize) -> Ident {
    hygienic(format!("d{index}"), Span::call_site())
}

/// The default name of a generated function: `f` → `f_grad`.
pub fn generated(function: &Ident, suffix: &str) -> Ident {
    format_ident!("{}_{}", unraw(function), suffix, span = function.span())
}

fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}
