//! The forward sweep: the user's computation in lowered form, plus the recording of what the
//! reverse sweep needs (overwritten values, block-local values, branch decisions, trip counts).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::ir::*;
use crate::lower::binop_tokens;
use crate::names;

/// Per-block lists of the variables each block declares.
pub fn locals_by_block(f: &Function) -> Vec<Vec<VarId>> {
    let mut locals = vec![Vec::new(); f.block_count];
    for (id, var) in f.vars.iter().enumerate() {
        if var.kind != VarKind::Param {
            locals[var.block].push(id);
        }
    }
    locals
}

pub fn emit(f: &Function) -> TokenStream {
    let private = crate::expand::private_path();
    let used = used_tapes(f);
    let tapes = f
        .tapes
        .iter()
        .enumerate()
        .filter(|&(t, tape)| tape.inverse.is_none() && used[t])
        .map(|(_, tape)| {
            let ident = &tape.ident;
            if tape.in_loop {
                quote!(let mut #ident = #private::Stack::new();)
            } else {
                quote!(let mut #ident = #private::Slot::new();)
            }
        });
    let body = sweep(f, false, false);
    quote! {
        #(#tapes)*
        #body
    }
}

/// The forward sweep with tangents carried along each operation, and nothing recorded: the
/// body of the forward-mode derivative, `f_tangent_all`'s or, `wide`, `f_tangents_all`'s.
pub fn emit_with_tangents(f: &Function, wide: bool) -> TokenStream {
    sweep(f, true, wide)
}

/// The function's body run forward, with or without tangents, after its exit code.
fn sweep(f: &Function, tangents: bool, wide: bool) -> TokenStream {
    let exit_code = f.uses_exit_code.then(|| {
        let ident = names::exit_code();
        quote!(let mut #ident: u32 = 0;)
    });
    let locals = locals_by_block(f);
    let body = Forward {
        f,
        locals: &locals,
        tangents,
        wide,
    }
    .block(&f.body);
    quote! {
        #exit_code
        #body
    }
}

struct Forward<'a> {
    f: &'a Function,
    locals: &'a [Vec<VarId>],
    /// Forward mode: tangents instead of recordings.
    tangents: bool,
    /// With `tangents`: `Tangents<_, DIRECTIONS>`, for `f_tangents`.
    wide: bool,
}

impl Forward<'_> {
    fn ident(&self, var: VarId) -> &syn::Ident {
        &self.f.vars[var].ident
    }

    fn block(&self, block: &Block) -> TokenStream {
        let stmts = block.stmts.iter().map(|s| {
            let primal = self.stmt(s);
            if self.tangents {
                crate::tangent::statement(self.f, s, primal, self.wide)
            } else {
                primal
            }
        });
        let saves = self.locals[block.id]
            .iter()
            .filter(|_| !self.tangents)
            .filter_map(|&var| {
                let tape = &self.f.tapes[self.f.vars[var].saved_tape?].ident;
                let ident = self.ident(var);
                if self.f.vars[var].kept_owned {
                    return Some(quote!(#tape.push(::std::borrow::ToOwned::to_owned(#ident));));
                }
                Some(quote!(#tape.push(#ident);))
            });
        quote!(#(#stmts)* #(#saves)*)
    }

    fn stmt(&self, stmt: &Stmt) -> TokenStream {
        match stmt {
            Stmt::Let {
                var,
                ty,
                init,
                span,
            } => {
                let v = &self.f.vars[*var];
                let ident = &v.ident;
                let mutability = v.reassigned.then(|| quote!(mut));
                let ty = ty.as_ref().map(|t| quote!(: #t));
                match init {
                    Some(rhs @ Rhs::Method { name, recv, .. }) if !self.tangents => {
                        if let Some((derivatives, _, closure)) = map_derivatives(self.f, *var, rhs)
                        {
                            let private = crate::expand::private_path_at(name.span());
                            let recv = reference_tokens(self.f, recv);
                            let closure = dual_closure(closure, name.span());
                            let ty = ty.as_ref().map(|t| quote!(: (#t, _)));
                            return quote_spanned! {*span=>
                                let (#mutability #ident, #derivatives) #ty =
                                    #private::rules::linalg::map_with_derivatives(#recv, #closure);
                            };
                        }
                        let snapshots = self.snapshots(rhs);
                        let rhs = self.rhs(rhs);
                        quote_spanned!(*span=> #snapshots let #mutability #ident #ty = #rhs;)
                    }
                    Some(Rhs::Call { func, args }) if !self.tangents => {
                        let snapshots = self.snapshots(init.as_ref().expect("matched"));
                        let call = match crate::split::tape_of(self.f, *var) {
                            Some(tape) => {
                                // The callee runs forward and hands over its reverse.
                                let tape = &tape.ident;
                                let mut record = func.clone();
                                if let Some(last) = record.segments.last_mut() {
                                    last.ident = names::generated(&last.ident, "record");
                                }
                                let args = call_args(self.f, args);
                                let site = proc_macro2::Span::mixed_site();
                                let value = syn::Ident::new("value", site);
                                let reverse = syn::Ident::new("reverse", site);
                                quote! {{
                                    let (#value, #reverse) = #record(#(#args),*);
                                    #tape.push(#reverse);
                                    #value
                                }}
                            }
                            None => self.rhs(init.as_ref().expect("matched")),
                        };
                        quote_spanned!(*span=> #snapshots let #mutability #ident #ty = #call;)
                    }
                    Some(rhs) => {
                        let snapshots = (!self.tangents).then(|| self.snapshots(rhs));
                        let rhs = self.rhs(rhs);
                        quote_spanned!(*span=> #snapshots let #mutability #ident #ty = #rhs;)
                    }
                    None => quote!(let mut #ident #ty = ::core::default::Default::default();),
                }
            }
            Stmt::Assign {
                var,
                rhs,
                span,
                tape,
            } => {
                let ident = self.ident(*var);
                let record = tape
                    .filter(|&t| !self.tangents && self.f.tapes[t].inverse.is_none())
                    .map(|t| {
                        let tape = &self.f.tapes[t].ident;
                        quote!(#tape.push(#ident);)
                    });
                let snapshots = (!self.tangents).then(|| self.snapshots(rhs));
                let rhs = self.rhs(rhs);
                quote_spanned!(*span=> #record #snapshots #ident = #rhs;)
            }
            Stmt::Store {
                base,
                index,
                rhs,
                span,
                tape,
            } => {
                let element = element_tokens(self.f, *base, index.as_ref());
                let record = tape.filter(|_| !self.tangents).map(|t| {
                    let tape = &self.f.tapes[t].ident;
                    quote!(#tape.push(#element);)
                });
                let rhs = self.rhs(rhs);
                quote_spanned!(*span=> #record #element = #rhs;)
            }
            Stmt::Push { base, value, span } => {
                let base = self.ident(*base);
                let value = self.rhs(value);
                quote_spanned!(*span=> #base.push(#value);)
            }
            Stmt::Swap { a, b } => {
                let (a, b) = (self.ident(*a), self.ident(*b));
                quote!(::core::mem::swap(&mut #a, &mut #b);)
            }
            Stmt::Effect(tokens) => tokens.clone(),
            Stmt::If {
                branch,
                cond,
                then_block,
                else_block,
            } => {
                let then_tokens = self.block(then_block);
                let else_tokens = self.block(else_block);
                let else_part = (!else_tokens.is_empty()).then(|| quote!(else { #else_tokens }));
                if self.f.vars[*branch].needed && !self.tangents {
                    let branch = self.ident(*branch);
                    quote! {
                        let #branch = #cond;
                        if #branch { #then_tokens } #else_part
                    }
                } else {
                    quote!(if #cond { #then_tokens } #else_part)
                }
            }
            Stmt::Loop {
                id,
                trips,
                head,
                body,
                dispatch,
            } => {
                let counting_var = match head {
                    LoopHead::For {
                        var: Some(v),
                        pattern: None,
                        iter,
                    } if crate::carry::counts_up_by_one(iter) => Some(*v),
                    _ => None,
                };
                // A trip count recomputed from the loop's range needs no counting.
                let counted = self.f.vars[*trips].needed
                    && self.f.vars[*trips].recompute_as.is_none()
                    && !self.tangents;
                let (declare, count) = if counted {
                    let trips = self.ident(*trips);
                    (
                        Some(quote!(let mut #trips: usize = 0;)),
                        Some(quote!(#trips += 1;)),
                    )
                } else {
                    (None, None)
                };
                let reserve = match head {
                    LoopHead::For { iter, .. } if !self.tangents => self.reserve(iter, body),
                    _ => TokenStream::new(),
                };
                let head = match head {
                    LoopHead::Loop => quote!(loop),
                    LoopHead::While(cond) => quote!(while #cond),
                    LoopHead::For {
                        pattern: Some(pattern),
                        iter,
                        ..
                    } => quote!(for #pattern in #iter),
                    LoopHead::For { var, iter, .. } => {
                        let pattern = match var {
                            Some(v) => {
                                let mutability = self.f.vars[*v].reassigned.then(|| quote!(mut));
                                let ident = self.ident(*v);
                                quote!(#mutability #ident)
                            }
                            None => quote!(_),
                        };
                        quote!(for #pattern in #iter)
                    }
                };
                let fused = self
                    .f
                    .fused
                    .iter()
                    .find(|fused| fused.loop_id == *id && !self.tangents)
                    .map(|fused| crate::reverse::fused_trip(self.f, fused, body, counting_var));
                let (carry_before, fused_trip, carry_after) = match fused {
                    Some(fused) => (Some(fused.before), Some(fused.trip), Some(fused.after)),
                    None => (None, None, None),
                };
                let copies = self
                    .f
                    .bulk
                    .iter()
                    .filter(|bulk| bulk.loop_id == *id && !self.tangents)
                    .map(|bulk| crate::bulk::save(self.f, bulk));
                let body = self.block(body);
                let dispatch = self.dispatch(dispatch);
                quote! {
                    #declare
                    #reserve
                    #(#copies)*
                    #carry_before
                    #head {
                        #count
                        #body
                        #fused_trip
                        #dispatch
                    }
                    #carry_after
                }
            }
            Stmt::SetExit(code) => {
                if self.f.uses_exit_code {
                    let exit_code = names::exit_code();
                    quote!(#exit_code = #code;)
                } else {
                    TokenStream::new()
                }
            }
            Stmt::Exit(_) => unreachable!("exits are restructured before emission"),
        }
    }

    /// Before a `for` over `start..end` with bounds free of side effects: room on each tape
    /// that the loop's body records on at most once per trip, for all its trips at once.
    fn reserve(&self, iter: &TokenStream, body: &Block) -> TokenStream {
        let Ok(syn::Expr::Range(range)) = syn::parse2::<syn::Expr>(iter.clone()) else {
            return TokenStream::new();
        };
        let pure = |bound: &Option<Box<syn::Expr>>| bound.as_deref().is_some_and(is_pure_bound);
        if !pure(&range.start) || !pure(&range.end) {
            return TokenStream::new();
        }
        let mut tapes = Vec::new();
        once_per_trip(self.f, &body.stmts, &mut tapes);
        tapes.extend(
            self.locals[body.id]
                .iter()
                .filter_map(|&v| self.f.vars[v].saved_tape),
        );
        tapes.sort_unstable();
        tapes.dedup();
        let reserves = tapes
            .into_iter()
            .filter(|&t| self.f.tapes[t].in_loop && self.f.tapes[t].inverse.is_none())
            .map(|t| {
                let tape = &self.f.tapes[t].ident;
                quote!(#tape.reserve(trips);)
            });
        let mut reserves = reserves.peekable();
        if reserves.peek().is_none() {
            return TokenStream::new();
        }
        // In a block of its own, so that `trips` hides none of the user's names.
        quote! {{
            let trips = ::core::iter::Iterator::size_hint(&(#iter)).0;
            #(#reserves)*
        }}
    }

    /// Copies of the buffers a call is about to change, for the reverse sweep to put back.
    fn snapshots(&self, rhs: &Rhs) -> TokenStream {
        let Rhs::Call { args, .. } = rhs else {
            return TokenStream::new();
        };
        args.iter()
            .filter_map(|arg| match arg {
                CallArg::Buffer {
                    var, tape: Some(t), ..
                } => {
                    let tape = &self.f.tapes[*t].ident;
                    let _ = var;
                    let forward = match arg {
                        CallArg::Buffer { forward, .. } => forward,
                        CallArg::Value(_) => unreachable!("matched a buffer"),
                    };
                    let save = quote!(
                        ::autodiff::__private::Snapshot::save(&*#forward, &mut #tape);
                    );
                    Some(match &self.f.tapes[*t].condition {
                        Some(condition) => quote!(if #condition { #save }),
                        None => save,
                    })
                }
                _ => None,
            })
            .collect()
    }

    fn dispatch(&self, dispatch: &[(u32, DispatchAction)]) -> TokenStream {
        if dispatch.is_empty() {
            return TokenStream::new();
        }
        let exit_code = names::exit_code();
        let arms = dispatch.iter().map(|(code, action)| match action {
            DispatchAction::Continue => quote!(#code => #exit_code = 0,),
            DispatchAction::Break => quote!(#code => { #exit_code = 0; break; }),
            DispatchAction::Propagate => quote!(#code => break,),
        });
        quote! {
            match #exit_code {
                #(#arms)*
                _ => {}
            }
        }
    }

    fn rhs(&self, rhs: &Rhs) -> TokenStream {
        rhs_tokens(self.f, rhs)
    }
}

/// `y = x.map(closure)` of an active matrix, declared in the function's top-level block:
/// the forward sweep runs the closure once on dual numbers, for the values and their
/// derivatives, and keeps the derivatives (in the variable named here) for the reverse sweep.
/// Otherwise the closure runs on the values forward and again on dual numbers in reverse,
/// which for `tanh` doubled the calls to it. Only at top level, which runs once and whose
/// variables are still in scope in the reverse sweep, so that nothing needs a tape.
pub fn map_derivatives<'r>(
    f: &Function,
    var: VarId,
    rhs: &'r Rhs,
) -> Option<(syn::Ident, VarId, &'r TokenStream)> {
    let Rhs::Method {
        name,
        path_prefix: None,
        recv: Atom::Var(recv),
        args,
    } = rhs
    else {
        return None;
    };
    let [Atom::Const(closure)] = args.as_slice() else {
        return None;
    };
    let y = &f.vars[var];
    let usable = name == "map"
        && y.block == ROOT
        && y.active
        && !y.recomputed
        && !y.buffer
        && f.vars[*recv].active
        && !f.vars[*recv].buffer;
    usable.then(|| (names::map_derivatives(&y.ident), *recv, closure))
}

/// The closure of a `map` as its rule takes it, typed over dual numbers, whose methods
/// (`tanh`, …) are those of `Float`.
pub fn dual_closure(closure: &TokenStream, at: proc_macro2::Span) -> TokenStream {
    let private = crate::expand::private_path();
    quote_spanned! {at=>
        &{
            #[allow(unused_imports)]
            use #private::num_traits::Float as _;
            #closure
        }
    }
}

/// `base[index]`, or `*base` for a cell.
pub fn element_tokens(f: &Function, base: VarId, index: Option<&Atom>) -> TokenStream {
    let base = &f.vars[base].ident;
    match index {
        Some(index) => {
            let index = atom_tokens(f, index);
            quote!(#base[#index])
        }
        None => quote!(*#base),
    }
}

/// The element `base[index]` addressed through the buffer that owns it, so that it can be
/// named where a view no longer exists: `x[start + index]` for a view `&x[start..]`.
pub fn root_element_tokens(
    f: &Function,
    base: VarId,
    index: Option<&Atom>,
    name: impl Fn(VarId) -> TokenStream,
) -> TokenStream {
    let (root, offset) = offset_in_root(f, base);
    let root = name(root);
    match index {
        // Not a view: the index is the root's own (a matrix's `(i, j)` included).
        Some(index) if f.vars[base].view.is_none() => {
            let index = atom_tokens(f, index);
            quote!(#root[#index])
        }
        Some(index) => {
            let index = atom_tokens(f, index);
            quote!(#root[#offset + #index])
        }
        // One element of a buffer, seen through `iter_mut`.
        None if f.vars[base].view.is_some() => quote!(#root[#offset]),
        None => quote!(*#root),
    }
}

/// The root buffer of `var` and the offset of `var`'s first element in it.
pub fn offset_in_root(f: &Function, var: VarId) -> (VarId, TokenStream) {
    match &f.vars[var].view {
        None => (var, quote!(0)),
        Some(view) => {
            let (root, outer) = offset_in_root(f, view.base);
            let start = atom_tokens(f, &view.start);
            (root, quote!((#outer + #start)))
        }
    }
}

/// Where `var`'s elements lie in its root buffer: the root, the first element's offset, and
/// the end's (none for "to the end of the root").
pub fn bounds_in_root(f: &Function, var: VarId) -> (VarId, TokenStream, Option<TokenStream>) {
    match &f.vars[var].view {
        None => (var, quote!(0), None),
        Some(view) => {
            let (root, outer_start, outer_end) = bounds_in_root(f, view.base);
            let start = atom_tokens(f, &view.start);
            let end = match &view.end {
                Some(end) => {
                    let end = atom_tokens(f, end);
                    Some(quote!((#outer_start + #end)))
                }
                None => outer_end,
            };
            (root, quote!((#outer_start + #start)), end)
        }
    }
}

/// A buffer argument's value in the reverse sweep: as the forward sweep wrote it, or, for a
/// view (gone by then), taken again from its root buffer: `&x[a..b]`.
pub fn call_arg_value(
    f: &Function,
    var: VarId,
    forward: &TokenStream,
    mutable: bool,
) -> TokenStream {
    if f.vars[var].view.is_none() {
        return forward.clone();
    }
    let (root, start, end) = bounds_in_root(f, var);
    let ident = &f.vars[root].ident;
    let mutability = mutable.then(|| quote!(mut));
    quote!(&#mutability #ident[#start..#end])
}

/// An operand as an expression.
pub fn atom_tokens(f: &Function, atom: &Atom) -> TokenStream {
    atom_tokens_of(&f.vars, atom)
}

/// [`atom_tokens`] given the variables alone.
pub fn atom_tokens_of(vars: &[Var], atom: &Atom) -> TokenStream {
    match atom {
        Atom::Var(v) => {
            let ident = &vars[*v].ident;
            quote!(#ident)
        }
        Atom::Const(tokens) => tokens.clone(),
    }
}

/// An operand of an operator: by value when it is a plain scalar or already a reference,
/// by reference otherwise, so that a matrix is not moved (see `values.rs`).
pub fn operand_tokens(f: &Function, atom: &Atom) -> TokenStream {
    let tokens = atom_tokens(f, atom);
    match atom {
        Atom::Var(v) if !f.vars[*v].plain && !f.vars[*v].borrowed => quote!(&#tokens),
        _ => tokens,
    }
}

/// A reference to an operand, as the rules take them: a variable that is already a
/// reference is passed as it is.
pub fn reference_tokens(f: &Function, atom: &Atom) -> TokenStream {
    let tokens = atom_tokens(f, atom);
    match atom {
        Atom::Var(v) if f.vars[*v].borrowed => tokens,
        _ => quote!(&#tokens),
    }
}

/// One operation as an expression.
pub fn rhs_tokens(f: &Function, rhs: &Rhs) -> TokenStream {
    match rhs {
        // A matrix the reverse sweep still reads is copied, not moved.
        Rhs::Atom(Atom::Var(v))
            if !f.vars[*v].plain && !f.vars[*v].borrowed && f.vars[*v].shared =>
        {
            let ident = &f.vars[*v].ident;
            quote!(::core::clone::Clone::clone(&#ident))
        }
        Rhs::Atom(a) => atom_tokens(f, a),
        Rhs::Borrow(a) => reference_tokens(f, a),
        Rhs::Neg(a) => {
            let a = atom_tokens(f, a);
            quote!(-#a)
        }
        Rhs::Binary { op, lhs, rhs, span } => {
            let (l, r) = (operand_tokens(f, lhs), operand_tokens(f, rhs));
            let op = binop_tokens(*op, *span);
            quote!(#l #op #r)
        }
        Rhs::Method {
            name,
            path_prefix,
            recv,
            args,
        } => {
            let recv = atom_tokens(f, recv);
            let args = args.iter().map(|a| atom_tokens(f, a));
            match path_prefix {
                Some(prefix) => quote!(#prefix::#name(#recv, #(#args),*)),
                // A matrix's column or row is a view into it; its rule, like every matrix
                // rule, takes owned values.
                None if name == "column" || name == "row" => {
                    quote!(#recv.#name(#(#args),*).clone_owned())
                }
                None => quote!(#recv.#name(#(#args),*)),
            }
        }
        Rhs::Call { func, args } | Rhs::Construct { func, args, .. } => {
            let args = call_args(f, args);
            quote!(#func(#(#args),*))
        }
        Rhs::Cast { value, ty } => {
            let value = atom_tokens(f, value);
            quote!(#value as #ty)
        }
        Rhs::Index { base, index } => element_tokens(f, *base, index.as_ref()),
        Rhs::Elements { items, array } => {
            let items = items.iter().map(|a| atom_tokens(f, a));
            if *array {
                quote!([#(#items),*])
            } else {
                quote!(::std::vec![#(#items),*])
            }
        }
        Rhs::CopyOf { source, method } => {
            let source = &f.vars[*source].ident;
            quote!(#source.#method())
        }
        Rhs::Opaque(tokens) => tokens.clone(),
        Rhs::Rejected(_) => quote!(()),
    }
}

/// A call's arguments as the forward sweep passes them.
fn call_args(f: &Function, args: &[CallArg]) -> Vec<TokenStream> {
    args.iter()
        .map(|a| match a {
            CallArg::Value(atom) => atom_tokens(f, atom),
            CallArg::Buffer { forward, .. } => forward.clone(),
        })
        .collect()
}

/// The tapes some statement or variable records on (a replayed loop leaves some unused).
fn used_tapes(f: &Function) -> Vec<bool> {
    let mut used = vec![false; f.tapes.len()];
    for &(_, tape) in &f.split_calls {
        used[tape] = true;
    }
    for var in &f.vars {
        if let Some(t) = var.saved_tape {
            used[t] = true;
        }
    }
    let mark_rhs = |rhs: &Rhs, used: &mut Vec<bool>| {
        if let Rhs::Call { args, .. } | Rhs::Construct { args, .. } = rhs {
            for arg in args {
                if let CallArg::Buffer { tape: Some(t), .. } = arg {
                    used[*t] = true;
                }
            }
        }
    };
    for bulk in &f.bulk {
        used[bulk.values] = true;
        used[bulk.ranges] = true;
    }
    f.body.walk(&mut |stmt| match stmt {
        Stmt::Assign { tape, rhs, .. } => {
            if let Some(t) = tape {
                used[*t] = true;
            }
            mark_rhs(rhs, &mut used);
        }
        Stmt::Store { tape, rhs, .. } => {
            if let Some(t) = tape {
                used[*t] = true;
            }
            mark_rhs(rhs, &mut used);
        }
        Stmt::Let {
            init: Some(rhs), ..
        } => mark_rhs(rhs, &mut used),
        _ => {}
    });
    used
}

/// The tapes that `stmts` record on at most once per run: assignments and element writes,
/// under `if`s too, but not inside nested loops.
fn once_per_trip(f: &Function, stmts: &[Stmt], tapes: &mut Vec<TapeId>) {
    for stmt in stmts {
        match stmt {
            Stmt::Assign { tape: Some(t), .. } | Stmt::Store { tape: Some(t), .. } => {
                tapes.push(*t)
            }
            // A split call records its callee's reverse.
            Stmt::Let { var, .. } => tapes.extend(
                f.split_calls
                    .iter()
                    .filter(|(call, _)| call == var)
                    .map(|&(_, tape)| tape),
            ),
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                once_per_trip(f, &then_block.stmts, tapes);
                once_per_trip(f, &else_block.stmts, tapes);
            }
            _ => {}
        }
    }
}

/// An expression that can be evaluated twice: literals, names, arithmetic, casts, `.len()`.
pub fn is_pure_bound(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Lit(_) | syn::Expr::Path(_) => true,
        syn::Expr::Paren(p) => is_pure_bound(&p.expr),
        syn::Expr::Cast(c) => is_pure_bound(&c.expr),
        syn::Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)) && is_pure_bound(&u.expr),
        syn::Expr::Binary(b) => is_pure_bound(&b.left) && is_pure_bound(&b.right),
        syn::Expr::MethodCall(m) => {
            m.args.is_empty()
                && ["len", "nrows", "ncols"].contains(&m.method.to_string().as_str())
                && is_pure_bound(&m.receiver)
        }
        _ => false,
    }
}
