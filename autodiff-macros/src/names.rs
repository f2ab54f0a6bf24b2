//! Identifiers the macro introduces. All of them use mixed-site hygiene, so they can never
//! capture or shadow a name the user wrote, while `cargo expand` still shows them plainly
//! (`t3`, `x_bar`, `branch1`).

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::format_ident;
use syn::Ident;

/// Hands out variable names that differ, as strings, from every identifier in the user's
/// function and from each other, so that names derived from them (`x_bar`, `x_saved`) can
/// never collide either.
#[derive(Clone, Debug)]
pub struct Namer {
    used: HashSet<String>,
}

impl Namer {
    /// A namer that avoids every identifier in `item`.
    pub fn new(item: &TokenStream) -> Self {
        fn collect(tokens: TokenStream, used: &mut HashSet<String>) {
            for tree in tokens {
                match tree {
                    TokenTree::Ident(i) => {
                        used.insert(i.to_string());
                    }
                    TokenTree::Group(g) => collect(g.stream(), used),
                    _ => {}
                }
            }
        }
        let mut used = HashSet::new();
        collect(item.clone(), &mut used);
        for fixed in ["exit_code", "d_out", "g", "pending", "value"] {
            used.insert(fixed.to_owned());
        }
        Namer { used }
    }

    fn claim(&mut self, name: String, at: Span) -> Option<Ident> {
        self.used.insert(name.clone()).then(|| hygienic(name, at))
    }

    /// `base` itself if free, else `base2`, `base3`, ….
    fn numbered(&mut self, prefix: &str, first: usize, at: Span) -> Ident {
        (first..)
            .find_map(|n| self.claim(format!("{prefix}{n}"), at))
            .expect("some name is free")
    }

    /// A renamed user binding that shadows an earlier one: `x` becomes `x_2`.
    pub fn renamed(&mut self, original: &Ident) -> Ident {
        self.numbered(&format!("{}_", unraw(original)), 2, original.span())
    }

    /// A temporary holding one intermediate value: `t1`, `t2`, ….
    pub fn temp(&mut self) -> Ident {
        self.numbered("t", 1, Span::call_site())
    }

    /// The recorded decision of an `if`: `branch1`, ….
    pub fn branch(&mut self) -> Ident {
        self.numbered("branch", 1, Span::call_site())
    }

    /// The trip count of a loop: `trips1`, ….
    pub fn trips(&mut self) -> Ident {
        self.numbered("trips", 1, Span::call_site())
    }

    /// The function's return value inside the generated adjoint.
    pub fn output(&mut self) -> Ident {
        self.claim("output".into(), Span::call_site())
            .unwrap_or_else(|| self.numbered("output", 2, Span::call_site()))
    }
}

fn hygienic(name: String, at: Span) -> Ident {
    Ident::new(&name, Span::mixed_site().located_at(at))
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

/// The tangent of a variable in forward mode: `x` → `x_dot`.
pub fn tangent(var: &Ident) -> Ident {
    hygienic(format!("{}_dot", unraw(var)), var.span())
}

/// How many of a buffer's pushes the reverse sweep has yet to undo.
pub fn pushed(var: &Ident) -> Ident {
    hygienic(format!("{}_len", unraw(var)), var.span())
}

/// The tape holding a block-local variable's last value across the two sweeps.
pub fn saved(var: &Ident) -> Ident {
    hygienic(format!("{}_saved", unraw(var)), var.span())
}

/// The tape holding a variable's values before the `index`th overwrite.
pub fn before(var: &Ident, index: usize) -> Ident {
    hygienic(format!("{}_before{index}", unraw(var)), var.span())
}

/// The derivatives of a `map`'s entries, kept from the forward sweep: `y` → `y_derivatives`.
pub fn map_derivatives(var: &Ident) -> Ident {
    hygienic(format!("{}_derivatives", unraw(var)), var.span())
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

/// `DIRECTIONS`: `f_tangents`' const parameter, the number of directions its tangents carry.
pub fn directions() -> Ident {
    Ident::new("DIRECTIONS", Span::call_site())
}
