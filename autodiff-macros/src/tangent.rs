//! Forward mode: each active value carries a tangent (`x_dot`), computed right after the value
//! itself, so that the function's result comes out with its directional derivative. The
//! statements run once, in order: nothing is recorded and no reverse sweep follows.
//!
//! The tangent of an operation is the sum, over its active operands, of the operand's tangent
//! times the partial derivative, which the same rules of `autodiff-core` give: a pullback
//! evaluated at a cotangent of one is the vector of partial derivatives of a scalar
//! operation, and the pullbacks of `*`, `/` and casts are linear in their cotangent.

use proc_macro2::TokenStream;
use quote::quote;

use crate::forward::{
    atom_tokens, element_tokens, operand_tokens, reference_tokens, root_element_tokens,
};
use crate::ir::*;
use crate::names;

/// `primal` followed by the tangent of what it computed: one tangent, or with `wide` (for
/// `f_tangents`) `Tangents<_, DIRECTIONS>`, one per direction.
pub fn statement(f: &Function, stmt: &Stmt, primal: TokenStream, wide: bool) -> TokenStream {
    let private = crate::expand::private_path();
    match stmt {
        // A call to another differentiated function: its forward mode computes the value and
        // the tangent together.
        Stmt::Let {
            var,
            init: Some(Rhs::Call { func, args }),
            ty,
            ..
        } if call_matters(f, *var, args) => {
            let v = &f.vars[*var];
            let (ident, dot) = (&v.ident, names::tangent(&v.ident));
            let mutability = v.reassigned.then(|| quote!(mut));
            let ty = ty.as_ref().map(|t| match wide {
                true => quote!(: (#t, _)),
                false => quote!(: (#t, #t)),
            });
            let call = call(f, func, args, wide);
            quote!(let (#mutability #ident, #mutability #dot) #ty = #call;)
        }
        Stmt::Assign {
            var,
            rhs: Rhs::Call { func, args },
            ..
        } if call_matters(f, *var, args) => {
            let v = &f.vars[*var];
            let (ident, dot) = (&v.ident, names::tangent(&v.ident));
            let call = call(f, func, args, wide);
            let held = quote::format_ident!("result", span = proc_macro2::Span::mixed_site());
            let dot_assign = v.active.then(|| quote!(#dot = #held.1;));
            quote!({
                let #held = #call;
                #ident = #held.0;
                #dot_assign
            })
        }
        // A view's tangent is its root buffer's, seen through the same range.
        Stmt::Let { var, init, .. } if f.vars[*var].active && f.vars[*var].view.is_none() => {
            let v = &f.vars[*var];
            let dot = names::tangent(&v.ident);
            let mutability = v.reassigned.then(|| quote!(mut));
            let value = match init {
                Some(rhs) => tangent_of(f, rhs, *var, wide),
                None => quote!(::core::default::Default::default()),
            };
            quote! {
                #primal
                let #mutability #dot = #value;
            }
        }
        Stmt::Assign { var, rhs, .. } if f.vars[*var].active => {
            let dot = names::tangent(&f.vars[*var].ident);
            let value = tangent_of(f, rhs, *var, wide);
            if rhs.dependencies().contains(var) {
                // `p = p * t`: the tangent reads the old `p`, so it is computed before the
                // value changes (the new value enters a tangent only by its type or shape,
                // which reassignment from itself keeps).
                let next = quote::format_ident!("next", span = proc_macro2::Span::mixed_site());
                return quote! {
                    let #next = #value;
                    #primal
                    #dot = #next;
                };
            }
            quote! {
                #primal
                #dot = #value;
            }
        }
        Stmt::Store {
            base, index, rhs, ..
        } if f.vars[f.root(*base)].active => {
            let slot = tangent_element(f, *base, index.as_ref());
            let element = element_tokens(f, *base, index.as_ref());
            let value = sum_of_terms(f, rhs, quote!(#element), wide);
            quote! {
                #primal
                #slot = #value;
            }
        }
        Stmt::Push { base, value, .. } if f.vars[*base].active => {
            let dot = names::tangent(&f.vars[*base].ident);
            let ident = &f.vars[*base].ident;
            let value = sum_of_terms(f, value, quote!(#ident[#ident.len() - 1]), wide);
            quote! {
                #primal
                #dot.push(#value);
            }
        }
        Stmt::Swap { a, b } if f.vars[*a].active => {
            let (da, db) = (
                names::tangent(&f.vars[*a].ident),
                names::tangent(&f.vars[*b].ident),
            );
            quote! {
                #primal
                ::core::mem::swap(&mut #da, &mut #db);
            }
        }
        _ => {
            let _ = private;
            primal
        }
    }
}

/// The tangent of `var = rhs`, just computed.
fn tangent_of(f: &Function, rhs: &Rhs, var: VarId, wide: bool) -> TokenStream {
    let ident = &f.vars[var].ident;
    if f.vars[var].buffer {
        return match rhs {
            Rhs::Elements { items, array } => {
                let items = items.iter().map(|item| match active_var(f, item) {
                    Some(v) => {
                        let dot = names::tangent(&f.vars[v].ident);
                        quote!(#dot)
                    }
                    None => zero_scalar(atom_tokens(f, item), wide),
                });
                if *array {
                    quote!([#(#items),*])
                } else {
                    quote!(::std::vec![#(#items),*])
                }
            }
            Rhs::CopyOf { source, method } if f.vars[f.root(*source)].active => {
                // The same copy, of the tangent: `x_dot.to_vec()`, `x_dot[a..b].to_vec()`.
                let (root, start, end) = crate::forward::bounds_in_root(f, *source);
                let dot = names::tangent(&f.vars[root].ident);
                if f.vars[*source].view.is_some() {
                    quote!(#dot[#start..#end].#method())
                } else {
                    quote!(#dot.#method())
                }
            }
            _ => zero_buffer(quote!(#ident), wide),
        };
    }
    // A copy of a reference is a reference: so is its tangent.
    if let Rhs::Atom(Atom::Var(source)) = rhs {
        if f.vars[var].borrowed && f.vars[*source].active {
            return dot_reference(f, *source);
        }
    }
    sum_of_terms(f, rhs, quote!(#ident), wide)
}

/// The zero tangent of a function's result that depends on no parameter.
pub fn zero_output(sig: &crate::check::Signature, output: &syn::Ident, wide: bool) -> TokenStream {
    if sig.returns_buffer.is_some() {
        zero_buffer(quote!(#output), wide)
    } else if wide {
        zero_scalar(quote!(#output), wide)
    } else {
        // A nalgebra result's zero too.
        let private = crate::expand::private_path();
        quote!(#private::ZeroLike::zero_like(&#output))
    }
}

/// Whether `name` is a nalgebra method that has a derivative rule.
pub fn is_nalgebra_method(name: &syn::Ident) -> bool {
    let name = name.to_string();
    SCALAR_RESULT_METHODS.contains(&name.as_str()) || MATRIX_RESULT_METHODS.contains(&name.as_str())
}

/// A zero tangent for a scalar like `value`.
fn zero_scalar(value: TokenStream, wide: bool) -> TokenStream {
    let private = crate::expand::private_path();
    if wide {
        let directions = names::directions();
        quote!(#private::Tangents::<_, #directions>::zero_like(&#value))
    } else {
        quote!(#private::ZeroLike::zero_like(&#value))
    }
}

/// A zero tangent for a buffer like `buffer` (a `Vec`, an array or a slice): zeros of its
/// length.
fn zero_buffer(buffer: TokenStream, wide: bool) -> TokenStream {
    let private = crate::expand::private_path();
    if wide {
        let directions = names::directions();
        quote!(#private::ZeroTangents::<#directions>::zero_tangents(&#buffer))
    } else {
        quote!(#private::ZeroLike::zero_like(&#buffer))
    }
}

/// A term of a tangent: an operand's own tangent, or an expression that makes a new value.
enum Term {
    Dot(VarId),
    Made(TokenStream),
}

/// Nalgebra methods with a scalar result: their tangent is `⟨∂/∂xₖ, dxₖ⟩` summed over the
/// operands, the inner product of the partials their pullback gives and the tangents.
const SCALAR_RESULT_METHODS: &[&str] =
    &["dot", "norm", "norm_squared", "sum", "trace", "determinant"];

/// Nalgebra methods with a matrix result, whose tangents `rules::tangents` gives.
const MATRIX_RESULT_METHODS: &[&str] = &[
    "transpose",
    "normalize",
    "cross",
    "component_mul",
    "component_div",
    "map",
    "column",
    "row",
];

/// The tangent of an operation whose value is `value` (already computed). `wide` tangents are
/// written on the left of their factors, where `Tangents<T, N> * T` is one generic impl.
fn sum_of_terms(f: &Function, rhs: &Rhs, value: TokenStream, wide: bool) -> TokenStream {
    let private = crate::expand::private_path();
    let ops = quote!(#private::rules::ops);
    let dot = |atom: &Atom| active_var(f, atom);
    let operand = |atom: &Atom| operand_tokens(f, atom);
    let mut terms: Vec<Term> = Vec::new();
    match rhs {
        Rhs::Atom(a) => terms.extend(dot(a).map(Term::Dot)),
        Rhs::Borrow(a) => {
            // A reference's tangent is a reference to the tangent.
            if let Some(v) = dot(a) {
                return dot_reference(f, v);
            }
        }
        Rhs::Neg(a) => terms.extend(dot(a).map(|v| {
            let d = dot_operand(f, v);
            Term::Made(quote!(-(#d)))
        })),
        Rhs::Binary { op, lhs, rhs, span } => {
            // Rule calls carry the operator's span, as in the reverse sweep, so that a missing
            // rule is reported once, at the user's operator.
            let relocate = |t| crate::reverse::relocate(t, *span);
            let (l, r) = (relocate(operand(lhs)), relocate(operand(rhs)));
            let d = |v: VarId| relocate(dot_operand(f, v));
            match op {
                BinOp::Add => terms.extend(dot(lhs).into_iter().chain(dot(rhs)).map(Term::Dot)),
                BinOp::Sub => {
                    terms.extend(dot(lhs).map(Term::Dot));
                    terms.extend(dot(rhs).map(|v| {
                        let d = d(v);
                        Term::Made(quote!(-(#d)))
                    }));
                }
                // Plain arithmetic, with the operand types' own operators, which the primal
                // already uses: d(l r) = dl r + l dr, d(l / r) = dl / r − l dr / r².
                BinOp::Mul => {
                    terms.extend(dot(lhs).map(|v| {
                        let d = d(v);
                        Term::Made(quote::quote_spanned!(*span=> #d * #r))
                    }));
                    terms.extend(dot(rhs).map(|v| {
                        let d = d(v);
                        Term::Made(match wide {
                            true => quote::quote_spanned!(*span=> #d * #l),
                            false => quote::quote_spanned!(*span=> #l * #d),
                        })
                    }));
                }
                BinOp::Div => {
                    terms.extend(dot(lhs).map(|v| {
                        let d = d(v);
                        Term::Made(quote::quote_spanned!(*span=> #d / #r))
                    }));
                    terms.extend(dot(rhs).map(|v| {
                        let d = d(v);
                        Term::Made(match wide {
                            true => quote::quote_spanned!(*span=> -(#d * #l / (#r * #r))),
                            false => quote::quote_spanned!(*span=> -(#l * #d / (#r * #r))),
                        })
                    }));
                }
            }
        }
        Rhs::Method {
            name, recv, args, ..
        } => {
            let operands: Vec<&Atom> = std::iter::once(recv).chain(args).collect();
            let method = name.to_string();
            let at = crate::expand::private_path_at(name.span());
            if operands.iter().any(|a| dot(a).is_some()) {
                let references = operands.iter().map(|a| match a {
                    Atom::Const(closure) if method == "map" => quote! {
                        &{
                            #[allow(unused_imports)]
                            use #private::num_traits::Float as _;
                            #closure
                        }
                    },
                    _ => reference_tokens(f, a),
                });
                if MATRIX_RESULT_METHODS.contains(&method.as_str()) {
                    let dots = operands.iter().map(|a| match dot(a) {
                        Some(v) => {
                            let d = dot_reference(f, v);
                            quote!(::core::option::Option::Some(#d))
                        }
                        None => quote!(::core::option::Option::None),
                    });
                    let rule = quote::quote_spanned!(name.span()=> #at::rules::tangents::#name);
                    terms.push(Term::Made(quote!(#rule(#(#references,)* #(#dots),*))));
                } else {
                    let partials: Vec<_> =
                        (0..operands.len()).map(names::operand_cotangent).collect();
                    let inner = SCALAR_RESULT_METHODS.contains(&method.as_str());
                    let products = operands.iter().zip(&partials).filter_map(|(a, p)| {
                        let v = dot(a)?;
                        Some(if inner {
                            let d = dot_reference(f, v);
                            quote!(#private::rules::tangents::inner(&#p, #d))
                        } else {
                            let d = dot_operand(f, v);
                            match wide {
                                true => quote!(#d * #p),
                                false => quote!(#p * #d),
                            }
                        })
                    });
                    let rule = quote::quote_spanned!(name.span()=> #at::method_rule!(#name));
                    terms.push(Term::Made(quote!({
                        let (#(#partials,)*) = #rule(
                            #(#references,)* &#private::num_traits::One::one()
                        );
                        #(#products)+*
                    })));
                }
            }
        }
        Rhs::Construct { func, rule, args } => {
            if let Some(made) = construct_tangent(f, func, *rule, args) {
                terms.push(Term::Made(made));
            }
        }
        Rhs::Cast { value: v, .. } => {
            terms.extend(dot(v).map(|v| {
                let d = dot_reference(f, v);
                Term::Made(match wide {
                    true => quote!(#private::tangents::cast(&#value, #d)),
                    false => quote!(#ops::cast(&#value, #d)),
                })
            }));
        }
        Rhs::Index { base, index } if f.vars[f.root(*base)].active => {
            terms.push(Term::Made(tangent_element(f, *base, index.as_ref())));
        }
        _ => {}
    }
    match terms.as_slice() {
        [] => zero_scalar(value, wide),
        // One operand's tangent alone: a copy of it (a matrix's is cloned, not moved).
        [Term::Dot(v)] => owned_dot(f, *v),
        _ => {
            let terms = terms.iter().map(|term| match term {
                Term::Dot(v) => dot_operand(f, *v),
                Term::Made(tokens) => tokens.clone(),
            });
            quote!(#(#terms)+*)
        }
    }
}

/// The tangent of a nalgebra constructor's result: the same constructor applied to the
/// tangents of the values it is built from, the dimensions as they are.
fn construct_tangent(
    f: &Function,
    func: &syn::Path,
    rule: ConstructRule,
    args: &[CallArg],
) -> Option<TokenStream> {
    let private = crate::expand::private_path();
    let last = args.len().checked_sub(1)?;
    let value_dot = |atom: &Atom| match active_var(f, atom) {
        Some(v) => owned_dot(f, v),
        None => {
            let value = atom_tokens(f, atom);
            quote!(#private::ZeroLike::zero_like(&#value))
        }
    };
    let passed = args.iter().enumerate().map(|(k, arg)| {
        let carries_value = match rule {
            ConstructRule::Entries => true,
            _ => k == last,
        };
        match arg {
            CallArg::Value(atom) if carries_value => value_dot(atom),
            CallArg::Value(atom) => atom_tokens(f, atom),
            CallArg::Buffer { var, forward, .. } => {
                let root = f.root(*var);
                if !f.vars[root].active {
                    return quote!(&#private::zeros_like(&*#forward)[..]);
                }
                let dot = names::tangent(&f.vars[root].ident);
                let (_, start, end) = crate::forward::bounds_in_root(f, *var);
                quote!(&#dot[#start..#end])
            }
        }
    });
    Some(quote!(#func(#(#passed),*)))
}

/// A tangent as an operand of an operator: by value for a plain scalar or a reference, by
/// reference for a matrix, as `operand_tokens` does for values.
fn dot_operand(f: &Function, v: VarId) -> TokenStream {
    let dot = names::tangent(&f.vars[v].ident);
    if f.vars[v].plain || f.vars[v].borrowed {
        quote!(#dot)
    } else {
        quote!(&#dot)
    }
}

/// A reference to a tangent.
fn dot_reference(f: &Function, v: VarId) -> TokenStream {
    let dot = names::tangent(&f.vars[v].ident);
    if f.vars[v].borrowed {
        quote!(#dot)
    } else {
        quote!(&#dot)
    }
}

/// A tangent as a value of its own: copied, or cloned for a matrix.
fn owned_dot(f: &Function, v: VarId) -> TokenStream {
    let dot = names::tangent(&f.vars[v].ident);
    if f.vars[v].plain {
        quote!(#dot)
    } else {
        let reference = dot_reference(f, v);
        quote!(::core::clone::Clone::clone(#reference))
    }
}

/// The tangent of `base[index]`, in the tangent of the buffer that owns the element.
fn tangent_element(f: &Function, base: VarId, index: Option<&Atom>) -> TokenStream {
    root_element_tokens(f, base, index, |root| {
        let dot = names::tangent(&f.vars[root].ident);
        quote!(#dot)
    })
}

fn active_var(f: &Function, atom: &Atom) -> Option<VarId> {
    atom.var().filter(|&v| f.vars[v].active)
}

/// Whether a call's forward mode must run: its result carries a tangent, or it writes buffers
/// that do.
fn call_matters(f: &Function, var: VarId, args: &[CallArg]) -> bool {
    f.vars[var].active
        || args.iter().any(|arg| match arg {
            CallArg::Buffer {
                var, mutable: true, ..
            } => f.vars[f.root(*var)].active,
            _ => false,
        })
}

/// `callee_tangent_all(arg, arg_dot, ..)` (`callee_tangents_all` when `wide`): each argument
/// followed by its tangent, zero where it carries none here.
fn call(f: &Function, func: &syn::Path, args: &[CallArg], wide: bool) -> TokenStream {
    let private = crate::expand::private_path();
    let directions = names::directions();
    let mut path = func.clone();
    if let Some(last) = path.segments.last_mut() {
        let suffix = if wide { "tangents_all" } else { "tangent_all" };
        last.ident = names::generated(&last.ident, suffix);
    }
    let passed = args.iter().map(|arg| match arg {
        CallArg::Value(atom) => {
            let value = atom_tokens(f, atom);
            let dot = match active_var(f, atom) {
                Some(v) => {
                    let dot = names::tangent(&f.vars[v].ident);
                    quote!(#dot)
                }
                None if wide => quote!({
                    use #private::tangents::{FloatTangents as _, OtherTangents as _};
                    (&#private::tangents::TangentsProbe::<_, #directions>(&#value)).zero_tangents()
                }),
                None => quote!({
                    use #private::{FloatTangent as _, OtherTangent as _};
                    (&#private::TangentProbe(&#value)).zero_tangent()
                }),
            };
            quote!(#value, #dot)
        }
        CallArg::Buffer {
            var,
            forward,
            mutable,
            ..
        } => {
            let root = f.root(*var);
            let mutability = mutable.then(|| quote!(mut));
            let dot = if !f.vars[root].active && wide {
                if f.vars[*var].cell {
                    quote!(&mut #private::Tangents::<_, #directions>::zero_like(&*#forward))
                } else {
                    let zeros = zero_buffer(quote!(*#forward), true);
                    quote!(&#mutability #zeros[..])
                }
            } else if !f.vars[root].active {
                if f.vars[*var].cell {
                    quote!(&mut #private::ZeroLike::zero_like(&*#forward))
                } else {
                    quote!(&#mutability #private::zeros_like(&*#forward)[..])
                }
            } else {
                let root_dot = names::tangent(&f.vars[root].ident);
                if f.vars[*var].view.is_some() {
                    let (_, start, end) = crate::forward::bounds_in_root(f, *var);
                    quote!(&#mutability #root_dot[#start..#end])
                } else if f.vars[root].kind == VarKind::Param {
                    quote!(&#mutability *#root_dot)
                } else {
                    quote!(&#mutability #root_dot)
                }
            };
            quote!(#forward, #dot)
        }
    });
    quote!(#path(#(#passed,)*))
}
