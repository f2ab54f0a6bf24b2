//! The reverse sweep: the statements of the forward sweep in reverse order, each restoring
//! what it overwrote and pulling its result's adjoint back into its operands' adjoints
//! through a rule of `autodiff-core`.
//!
//! Adjoints are `Option`s (`None` is an exact zero), declared where their variable's scope
//! starts in reverse: at the top for the function's own variables, at the start of a block's
//! reverse for the block's locals, whose values are first taken back from their tapes.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;

use crate::activity::has_reverse;
use crate::forward::{atom_tokens, locals_by_block, reference_tokens};
use crate::ir::*;
use crate::names;

/// The reverse sweep, starting from `d_out` (none when the function returns `()`) and ending
/// with every parameter's adjoint in its `_bar` accumulator or shadow.
pub fn emit(f: &Function, sig: &crate::check::Signature) -> TokenStream {
    let locals = locals_by_block(f);
    let mut pushed = vec![false; f.vars.len()];
    f.body.walk(&mut |stmt| {
        if let Stmt::Push { base, .. } = stmt {
            pushed[*base] = true;
        }
    });
    let reverse = Reverse {
        f,
        locals: &locals,
        pushed: &pushed,
        held: Default::default(),
        carried: Default::default(),
        closure: Default::default(),
    };
    // A fused loop adds into the parameters' adjoints during the forward sweep, so they are
    // declared before it (`param_adjoints`).
    let param_adjoints = f.fused.is_empty().then(|| param_adjoints(f, sig));
    let output_adjoint = (!sig.returns_unit).then(|| {
        let adjoint = names::adjoint(&f.vars[f.output].ident);
        let d_out = names::d_out();
        match &sig.returns_buffer {
            // A returned `Vec`'s or array's cotangent comes by reference.
            Some(kind) => {
                let private = crate::expand::private_path();
                let copy = match kind {
                    crate::params::ParamKind::Buffer {
                        form: crate::params::BufferForm::Slice,
                        ..
                    } => quote!(#private::cotangent_slice(&#d_out).to_vec()),
                    _ => quote!(#private::cotangent_array(&#d_out)),
                };
                let output = &f.vars[f.output].ident;
                let count = pushed[f.output].then(|| {
                    let count = names::pushed(output);
                    quote!(let mut #count = #output.len();)
                });
                quote! {
                    let mut #adjoint = #copy;
                    #count
                }
            }
            None => quote!(let mut #adjoint = ::core::option::Option::Some(#d_out);),
        }
    });
    let local_adjoints = reverse.adjoint_declarations(ROOT, |v| v != f.output);
    let stmts = reverse.stmts(&f.body);
    quote! {
        #param_adjoints
        #output_adjoint
        #local_adjoints
        #stmts
    }
}

/// `let mut x_bar = None;` for each scalar or matrix parameter that carries a derivative (a
/// buffer's adjoint is the shadow the caller passed).
pub fn param_adjoints(f: &Function, sig: &crate::check::Signature) -> TokenStream {
    let declarations = f.params.iter().zip(&sig.params).filter_map(|(&var, param)| {
        if !f.vars[var].active || f.vars[var].buffer {
            return None;
        }
        let adjoint = names::adjoint(&f.vars[var].ident);
        let ty = param.kind.cotangent_type(&param.ty)?;
        Some(quote!(let mut #adjoint: ::core::option::Option<#ty> = ::core::option::Option::None;))
    });
    quote!(#(#declarations)*)
}

/// A fused loop's reverse (`fusion.rs`): what goes before the loop, the reverse of one trip,
/// run right after its forward, and what goes after the loop.
pub struct FusedReverse {
    pub before: TokenStream,
    pub trip: TokenStream,
    pub after: TokenStream,
}

/// The reverse of a fused loop with variable `loop_var` (if it counts up by one): each trip's
/// body statements in reverse order, from the accumulator's cotangent, which is the output's.
pub fn fused_trip(
    f: &Function,
    fused: &Fused,
    body: &Block,
    loop_var: Option<VarId>,
) -> FusedReverse {
    let locals = locals_by_block(f);
    let pushed = vec![false; f.vars.len()];
    let reverse = Reverse {
        f,
        locals: &locals,
        pushed: &pushed,
        held: Default::default(),
        carried: Default::default(),
        closure: Default::default(),
    };
    let carry = reverse.carry(loop_var, body);
    let declarations = reverse.adjoint_declarations(fused.body, |_| true);
    let accumulator_bar = reverse.adjoint(fused.accumulator);
    let d_out = names::d_out();
    let cotangent = if f.vars[fused.accumulator].plain {
        quote!(#d_out)
    } else {
        quote!(::core::clone::Clone::clone(&#d_out))
    };
    let stmts = reverse.stmts(body);
    let Carry {
        before,
        start,
        end,
        after,
    } = carry;
    FusedReverse {
        before,
        trip: quote! {{
            #declarations
            let mut #accumulator_bar = ::core::option::Option::Some(#cotangent);
            #start
            #stmts
            #end
        }},
        after,
    }
}

/// The code that carries shadow elements from trip to trip (`carry.rs`).
#[derive(Default)]
struct Carry {
    /// Before the loop: the carried parts, none yet.
    before: TokenStream,
    /// At the start of a trip's reverse: element `i` into a local, with what the last trip
    /// carried.
    start: TokenStream,
    /// At its end: element `i` stored back, and where the carried part belongs.
    end: TokenStream,
    /// After the loop: the last trip's carried part into its element.
    after: TokenStream,
}

struct Reverse<'a> {
    f: &'a Function,
    locals: &'a [Vec<VarId>],
    /// Buffers that grow by `push`: their reverse counts the pushes back down.
    pushed: &'a [bool],
    /// Shadow elements held in locals by the loops being reversed (`held.rs`): each
    /// element's place, and its local.
    held: std::cell::RefCell<Vec<(String, syn::Ident)>>,
    /// Shadow elements carried to the next trip (`carry.rs`): each element's place, and the
    /// `Option` its adds accumulate into.
    carried: std::cell::RefCell<Vec<(String, syn::Ident)>>,
    /// While the reverse of a split call is emitted: the closure that replaces the callee's
    /// pullback (`split.rs`).
    closure: std::cell::RefCell<Option<syn::Ident>>,
}

impl Reverse<'_> {
    fn var(&self, var: VarId) -> &Var {
        &self.f.vars[var]
    }

    fn adjoint(&self, var: VarId) -> syn::Ident {
        names::adjoint(&self.var(var).ident)
    }

    fn adjoint_declarations(&self, block: BlockId, keep: impl Fn(VarId) -> bool) -> TokenStream {
        let declarations = self.locals[block]
            .iter()
            .filter(|&&v| {
                let var = self.var(v);
                var.active && var.view.is_none() && !var.increment && keep(v)
            })
            .map(|&v| {
                let adjoint = self.adjoint(v);
                if !self.var(v).buffer {
                    return quote!(let mut #adjoint = ::core::option::Option::None;);
                }
                // A buffer's shadow has its final shape; pushes are undone from its end.
                let ident = &self.var(v).ident;
                let private = crate::expand::private_path();
                let count = self.pushed[v].then(|| {
                    let count = names::pushed(ident);
                    quote!(let mut #count = #ident.len();)
                });
                quote! {
                    let mut #adjoint = #private::ZeroLike::zero_like(&#ident);
                    #count
                }
            });
        quote!(#(#declarations)*)
    }

    fn stmts(&self, block: &Block) -> TokenStream {
        let stmts = block.stmts.iter().enumerate().rev().map(|(index, s)| {
            // Values recomputed once a later reassignment of their operands is undone: just
            // before the reverse of their last reader, which is this statement.
            let late = self.locals[block.id]
                .iter()
                .filter(|&&v| self.var(v).recomputed_late == Some(index))
                .map(|&v| self.recompute(v));
            let reverse = has_reverse(s, self.f).then(|| self.stmt(s));
            quote!(#(#late)* #reverse)
        });
        quote!(#(#stmts)*)
    }

    /// The reverse of a nested block: its locals come back from their tapes first.
    fn block(&self, block: &Block) -> TokenStream {
        let restores = self.locals[block.id].iter().filter_map(|&v| {
            let var = self.var(v);
            let ident = &var.ident;
            let mutability = var.reassigned.then(|| quote!(mut));
            if var.counted_from.is_some() {
                // Bound by the loop's reverse from its iteration's number.
                return None;
            }
            if var.recomputed_late.is_some() {
                // Recomputed further down, where its operands are back (`stmts`).
                return None;
            }
            if var.recomputed {
                return Some(self.recompute(v));
            }
            let tape = &self.f.tapes[var.saved_tape?].ident;
            if var.kept_owned {
                let kept = format_ident!("{}_kept", ident);
                return Some(quote! {
                    let #kept = #tape.pop();
                    let #ident = &#kept;
                });
            }
            Some(quote!(let #mutability #ident = #tape.pop();))
        });
        let adjoints = self.adjoint_declarations(block.id, |_| true);
        let stmts = self.stmts(block);
        quote!(#(#restores)* #adjoints #stmts)
    }

    fn stmt(&self, stmt: &Stmt) -> TokenStream {
        if let Stmt::Let {
            var,
            init: Some(Rhs::Call { .. }),
            ..
        } = stmt
        {
            if let Some(tape) = crate::split::tape_of(self.f, *var) {
                // Taken back whether or not the call's result has a cotangent, so that the
                // tape stays in step with the forward sweep.
                let tape = &tape.ident;
                let closure = format_ident!("reverse", span = proc_macro2::Span::mixed_site());
                *self.closure.borrow_mut() = Some(closure.clone());
                let reverse = self.stmt_reversing(stmt);
                *self.closure.borrow_mut() = None;
                return quote!({
                    let #closure = #tape.pop();
                    #reverse
                });
            }
        }
        self.stmt_reversing(stmt)
    }

    fn stmt_reversing(&self, stmt: &Stmt) -> TokenStream {
        let g = names::cotangent();
        match stmt {
            Stmt::Let {
                var,
                init: Some(Rhs::Call { func, args }),
                ..
            } if crate::activity::calls_through_buffers(
                self.f,
                &Rhs::Call {
                    func: func.clone(),
                    args: args.clone(),
                },
            ) =>
            {
                self.call_writing_buffers(Some(*var), TokenStream::new(), func, args)
            }
            Stmt::Assign {
                var,
                rhs: Rhs::Call { func, args },
                tape,
                ..
            } if crate::activity::calls_through_buffers(
                self.f,
                &Rhs::Call {
                    func: func.clone(),
                    args: args.clone(),
                },
            ) =>
            {
                let restore = tape.map(|t| {
                    let tape = &self.f.tapes[t].ident;
                    let ident = &self.var(*var).ident;
                    quote!(#ident = #tape.pop();)
                });
                self.call_writing_buffers(Some(*var), quote!(#restore), func, args)
            }
            // The old value of an increment: its store passed the cotangent on in place.
            Stmt::Let { var, .. } if self.var(*var).increment => TokenStream::new(),
            Stmt::Let {
                var,
                init: Some(rhs),
                span,
                ..
            } => {
                let adjoint = self.adjoint(*var);
                if self.var(*var).buffer {
                    // A buffer result's cotangent goes to the callee by reference.
                    let pullback = match rhs {
                        Rhs::Call { func, args } => self.call_pullback(func, args, quote!(&#g)),
                        rhs => self.pullback(rhs, *span, false),
                    };
                    return quote!({
                        let #g = ::core::mem::take(&mut #adjoint);
                        #pullback
                    });
                }
                if let Some((derivatives, recv, _)) =
                    crate::forward::map_derivatives(self.f, *var, rhs)
                {
                    let private = crate::expand::private_path();
                    let recv_bar = self.adjoint(recv);
                    return quote! {
                        if let ::core::option::Option::Some(#g) = #adjoint.take() {
                            let (d0, _) = #private::rules::linalg::map_from_derivatives(#derivatives, &#g);
                            #private::accumulate(&mut #recv_bar, d0);
                        }
                    };
                }
                let pullback = self
                    .pullback_given_result(*var, rhs)
                    .unwrap_or_else(|| self.pullback(rhs, *span, self.var(*var).plain));
                quote! {
                    if let ::core::option::Option::Some(#g) = #adjoint.take() { #pullback }
                }
            }
            Stmt::Store {
                base,
                index,
                rhs,
                span,
                tape,
            } => {
                let restore = tape.map(|t| {
                    let tape = &self.f.tapes[t].ident;
                    let element = crate::forward::root_element_tokens(
                        self.f,
                        *base,
                        index.as_ref(),
                        |root| {
                            let ident = &self.var(root).ident;
                            quote!(#ident)
                        },
                    );
                    quote!(#element = #tape.pop();)
                });
                if !self.var(self.f.root(*base)).active {
                    return quote!(#restore);
                }
                // `out[i] += x`: the element's shadow stays; `x` gets it (`increments.rs`).
                if let Rhs::Binary {
                    op: BinOp::Add,
                    lhs: Atom::Var(old),
                    rhs: added,
                    ..
                } = rhs
                {
                    if self.var(*old).increment {
                        let slot = self.shadow_element(*base, index.as_ref());
                        let pullback = self.pullback(&Rhs::Atom(added.clone()), *span, true);
                        return quote!({
                            let #g = #slot;
                            #restore
                            #pullback
                        });
                    }
                }
                let take = match index {
                    // An entry of a value: its adjoint may still be a symbolic zero.
                    Some(index) if !self.var(*base).buffer => {
                        let adjoint = self.adjoint(*base);
                        let index = atom_tokens(self.f, index);
                        let private = crate::expand::private_path();
                        quote!(#private::take_element(&mut #adjoint, #index))
                    }
                    _ => {
                        let slot = self.shadow_element(*base, index.as_ref());
                        quote!(::core::mem::take(&mut #slot))
                    }
                };
                let pullback = self.pullback(rhs, *span, true);
                quote!({
                    let #g = #take;
                    #restore
                    #pullback
                })
            }
            Stmt::Push { base, value, span } => {
                let count = names::pushed(&self.var(*base).ident);
                let shadow = self.adjoint(*base);
                let pullback = self.pullback(value, *span, true);
                quote!({
                    #count -= 1;
                    let #g = ::core::mem::take(&mut #shadow[#count]);
                    #pullback
                })
            }
            Stmt::Assign {
                var,
                rhs,
                span,
                tape,
            } => {
                let restore = tape.map(|t| {
                    let tape = &self.f.tapes[t];
                    let ident = &self.var(*var).ident;
                    match &tape.inverse {
                        Some(inverse) => quote!(#ident = #inverse;),
                        None => {
                            let tape = &tape.ident;
                            quote!(#ident = #tape.pop();)
                        }
                    }
                });
                if !self.var(*var).active {
                    return quote!(#restore);
                }
                let adjoint = self.adjoint(*var);
                let pullback = self.pullback(rhs, *span, self.var(*var).plain);
                if self.var(*var).buffer {
                    return quote!({
                        let #g = ::core::mem::take(&mut #adjoint);
                        #restore
                        #pullback
                    });
                }
                if pullback.is_empty() {
                    // The old value does not reach the new one: its adjoint starts again at zero.
                    return quote!(#adjoint = ::core::option::Option::None; #restore);
                }
                match restore {
                    None => quote! {
                        if let ::core::option::Option::Some(#g) = #adjoint.take() { #pullback }
                    },
                    Some(restore) => {
                        let pending =
                            format_ident!("pending", span = proc_macro2::Span::mixed_site());
                        quote! {
                            let #pending = #adjoint.take();
                            #restore
                            if let ::core::option::Option::Some(#g) = #pending { #pullback }
                        }
                    }
                }
            }
            Stmt::Swap { a, b } => {
                let (ia, ib) = (&self.var(*a).ident, &self.var(*b).ident);
                let shadows = self.var(*a).active.then(|| {
                    let (sa, sb) = (self.adjoint(*a), self.adjoint(*b));
                    quote!(::core::mem::swap(&mut #sa, &mut #sb);)
                });
                quote! {
                    ::core::mem::swap(&mut #ia, &mut #ib);
                    #shadows
                }
            }
            Stmt::If {
                branch,
                then_block,
                else_block,
                ..
            } => {
                let branch = &self.var(*branch).ident;
                let then_tokens = self.block(then_block);
                let else_tokens = self.block(else_block);
                match (then_tokens.is_empty(), else_tokens.is_empty()) {
                    (_, true) => quote!(if #branch { #then_tokens }),
                    (true, false) => quote!(if !#branch { #else_tokens }),
                    (false, false) => quote!(if #branch { #then_tokens } else { #else_tokens }),
                }
            }
            // Its reverse ran trip by trip in the forward sweep.
            Stmt::Loop { id, .. } if self.f.fused.iter().any(|fused| fused.loop_id == *id) => {
                TokenStream::new()
            }
            Stmt::Loop {
                id,
                trips,
                head: LoopHead::For { var: Some(var), .. },
                body,
                ..
            } if self.f.replayed.iter().any(|r| r.loop_id == *id) => {
                self.replay(*id, *trips, *var, body)
            }
            Stmt::Loop {
                id,
                trips,
                body,
                head,
                ..
            } => {
                let copies: Vec<TokenStream> = self
                    .f
                    .bulk
                    .iter()
                    .filter(|bulk| bulk.loop_id == *id)
                    .map(|bulk| crate::bulk::restore(self.f, bulk))
                    .collect();
                let trips = &self.var(*trips).ident;
                let held = self.hold(head, body);
                let body_tokens = self.block(body);
                {
                    let mut holding = self.held.borrow_mut();
                    let outer = holding.len() - held.len();
                    holding.truncate(outer);
                }
                let counter = match head {
                    LoopHead::For { var: Some(v), .. } => self
                        .var(*v)
                        .counted_from
                        .as_ref()
                        .map(|start| (&self.var(*v).ident, start)),
                    _ => None,
                };
                let reversed = match counter {
                    Some((ident, start)) => {
                        let step =
                            quote::format_ident!("step", span = proc_macro2::Span::mixed_site());
                        quote! {
                            for #step in (0..#trips).rev() {
                                let #ident = ::autodiff::__private::nth_from(#start, #step);
                                #body_tokens
                            }
                        }
                    }
                    None => quote!(for _ in 0..#trips { #body_tokens }),
                };
                if held.is_empty() {
                    return quote!(#reversed #(#copies)*);
                }
                // Only a loop that ran has read the elements, so only then are their
                // indices known to be in bounds.
                let (slots, locals): (Vec<_>, Vec<_>) = held.into_iter().unzip();
                quote! {
                    if #trips > 0 {
                        #(let mut #locals = ::core::mem::take(&mut #slots);)*
                        #reversed
                        #(#slots = #locals;)*
                    }
                    #(#copies)*
                }
            }
            _ => TokenStream::new(),
        }
    }

    /// The reverse of a replayed loop (`replay.rs`): its trips in forward order, each computing
    /// its values again, then running its reverse, then stepping the carried variables on.
    fn replay(&self, id: LoopId, trips: VarId, var: VarId, body: &Block) -> TokenStream {
        let Some(replayed) = self.f.replayed.iter().find(|r| r.loop_id == id) else {
            return TokenStream::new();
        };
        let restart = replayed.restarted.iter().map(|(v, value)| {
            let ident = &self.var(*v).ident;
            quote!(let mut #ident = #value;)
        });
        let trips = &self.var(trips).ident;
        let loop_var = &self.var(var).ident;
        let start = &self.var(var).counted_from;
        let step = format_ident!("step", span = proc_macro2::Span::mixed_site());
        let values = body.stmts.iter().filter_map(|stmt| match stmt {
            Stmt::Let {
                var,
                ty,
                init: Some(rhs),
                ..
            } => {
                let ident = &self.var(*var).ident;
                let ty = ty.as_ref().map(|t| quote!(: #t));
                let rhs = crate::forward::rhs_tokens(self.f, rhs);
                Some(quote!(let #ident #ty = #rhs;))
            }
            _ => None,
        });
        let adjoints = self.adjoint_declarations(body.id, |_| true);
        let (held_before, carried_before) = (self.held.borrow().len(), self.carried.borrow().len());
        let Carry {
            before,
            start: carry_start,
            end: carry_end,
            after,
        } = self.carry(Some(var), body);
        let reverse = self.stmts(body);
        self.held.borrow_mut().truncate(held_before);
        self.carried.borrow_mut().truncate(carried_before);
        let steps = body.stmts.iter().filter_map(|stmt| match stmt {
            Stmt::Assign { var, rhs, .. } if !self.var(*var).active => {
                let ident = &self.var(*var).ident;
                let rhs = crate::forward::rhs_tokens(self.f, rhs);
                Some(quote!(#ident = #rhs;))
            }
            _ => None,
        });
        // The carried variables start again from their values before the loop, in a scope of
        // their own: no reverse step outside the loop reads them (`replay.rs`).
        quote! {{
            #(#restart)*
            #before
            for #step in 0..#trips {
                let #loop_var = ::autodiff::__private::nth_from(#start, #step);
                #(#values)*
                #adjoints
                #carry_start
                #reverse
                #carry_end
                #(#steps)*
            }
            #after
        }}
    }

    /// Carries shadow elements from each trip of a loop with variable `loop_var`, reversed in
    /// forward order, to the next (`carry.rs`); registers the places whose adds go to locals.
    fn carry(&self, loop_var: Option<VarId>, body: &Block) -> Carry {
        let Some(loop_var) = loop_var else {
            return Carry::default();
        };
        let mut carry = Carry::default();
        let c = format_ident!("carried", span = proc_macro2::Span::mixed_site());
        for carried in crate::carry::elements(self.f, loop_var, body) {
            let shadow = self.adjoint(carried.root);
            let local = |suffix: &str| {
                format_ident!(
                    "{}_{}",
                    shadow,
                    suffix,
                    span = proc_macro2::Span::mixed_site()
                )
            };
            let (here, next, next_at) = (local("here"), local("next"), local("next_at"));
            let here_slot = self.shadow_element(carried.root, Some(&Atom::Var(loop_var)));
            self.held
                .borrow_mut()
                .push((here_slot.to_string(), here.clone()));
            for &index in &carried.next {
                let slot = self.shadow_element(carried.root, Some(&Atom::Var(index)));
                self.carried
                    .borrow_mut()
                    .push((slot.to_string(), next.clone()));
            }
            let first_next = &self.var(carried.next[0]).ident;
            carry.before.extend(quote! {
                let mut #next = ::core::option::Option::None;
                let mut #next_at: usize = 0;
            });
            carry.start.extend(quote! {
                let mut #here = ::core::mem::take(&mut #here_slot);
                if let ::core::option::Option::Some(#c) = #next.take() {
                    #here += #c;
                }
            });
            carry.end.extend(quote! {
                #here_slot = #here;
                #next_at = #first_next;
            });
            carry.after.extend(quote! {
                if let ::core::option::Option::Some(#c) = #next {
                    #shadow[#next_at] += #c;
                }
            });
        }
        carry
    }

    /// The shadow elements this loop's reverse keeps in locals, not held already by a loop
    /// around it, as (place, local); they are now held until the caller drops them.
    fn hold(&self, head: &LoopHead, body: &Block) -> Vec<(TokenStream, syn::Ident)> {
        let found = crate::held::invariant_elements(self.f, head, body, |base, index| {
            self.shadow_element(base, index)
        });
        let mut held = self.held.borrow_mut();
        let mut new = Vec::new();
        for element in found {
            if held.iter().any(|(place, _)| *place == element.key) {
                continue;
            }
            // Named after the shadow it holds: `v_bar_held` for `v_bar[j]`.
            let shadow = element
                .slot
                .clone()
                .into_iter()
                .find_map(|token| match token {
                    proc_macro2::TokenTree::Ident(ident) => Some(ident.to_string()),
                    _ => None,
                });
            let same_shadow = held
                .iter()
                .filter(|(place, _)| {
                    shadow
                        .as_ref()
                        .is_some_and(|s| place.starts_with(s.as_str()))
                })
                .count();
            let suffix = (same_shadow > 0).then(|| (same_shadow + 1).to_string());
            let local = format_ident!(
                "{}_held{}",
                shadow.unwrap_or_else(|| "shadow".to_owned()),
                suffix.unwrap_or_default(),
                span = proc_macro2::Span::mixed_site()
            );
            held.push((element.key, local.clone()));
            new.push((element.slot, local));
        }
        new
    }

    /// `let v = <its definition>;`, for a value computed again rather than recorded. An
    /// element read goes through the buffer that owns it, since a view may be gone.
    fn recompute(&self, v: VarId) -> TokenStream {
        let ident = &self.var(v).ident;
        if let Some(value) = &self.var(v).recompute_as {
            return quote!(let #ident = #value;);
        }
        let mut definition = None;
        self.f.body.walk(&mut |stmt| {
            if let Stmt::Let {
                var,
                init: Some(rhs),
                ..
            } = stmt
            {
                if *var == v {
                    definition = Some(rhs.clone());
                }
            }
        });
        let value = match definition {
            Some(Rhs::Index { base, index }) => {
                crate::forward::root_element_tokens(self.f, base, index.as_ref(), |root| {
                    let root = &self.var(root).ident;
                    quote!(#root)
                })
            }
            Some(rhs) => crate::forward::rhs_tokens(self.f, &rhs),
            None => unreachable!("a recomputed variable has a definition"),
        };
        quote!(let #ident = #value;)
    }

    /// The shadow of `base[index]` (of `*base` for a cell), found in the shadow of the buffer
    /// that owns the element.
    fn shadow_element(&self, base: VarId, index: Option<&Atom>) -> TokenStream {
        crate::forward::root_element_tokens(self.f, base, index, |root| {
            let shadow = self.adjoint(root);
            quote!(#shadow)
        })
    }

    /// A buffer argument's shadow: `&mut x_bar[a..b]` for a view, the whole shadow otherwise.
    fn shadow_arg(&self, var: VarId) -> TokenStream {
        let (root, start, end) = crate::forward::bounds_in_root(self.f, var);
        let shadow = self.adjoint(root);
        if self.var(var).view.is_some() {
            quote!(&mut #shadow[#start..#end])
        } else if self.var(root).kind == VarKind::Param {
            // A parameter's shadow is itself a `&mut` reference: reborrow it.
            quote!(&mut *#shadow)
        } else {
            quote!(&mut #shadow)
        }
    }

    /// `callee_pullback(args and shadows.., cotangent)`, then the scalar arguments' adjoints.
    fn call_pullback(
        &self,
        func: &syn::Path,
        args: &[CallArg],
        cotangent: TokenStream,
    ) -> TokenStream {
        let private = crate::expand::private_path();
        let mut pullback_path = func.clone();
        if let Some(last) = pullback_path.segments.last_mut() {
            last.ident = names::generated(&last.ident, "pullback");
        }
        let callee = match self.closure.borrow().as_ref() {
            Some(closure) => quote!(#closure),
            None => quote!(#pullback_path),
        };
        let active = |atom: &Atom| atom.var().filter(|&v| self.var(v).active);
        let mut passed = Vec::new();
        let mut bindings = Vec::new();
        let mut accumulations = Vec::new();
        let mut aliases = Vec::new();
        let mut roots_seen = Vec::new();
        // For each buffer seen: where its shadow is passed, and its bounds in its root.
        let mut adjacent_candidates: Vec<(usize, TokenStream, Option<TokenStream>)> = Vec::new();
        let mut split_done: Vec<bool> = Vec::new();
        let mut splits = Vec::new();
        for (i, arg) in args.iter().enumerate() {
            match arg {
                CallArg::Value(atom) => {
                    passed.push(atom_tokens(self.f, atom));
                    match active(atom) {
                        Some(v) => {
                            let d = names::operand_cotangent(i);
                            let adjoint = self.adjoint(v);
                            bindings.push(quote!(#d));
                            accumulations.push(quote!(#private::accumulate(&mut #adjoint, #d);));
                        }
                        None => bindings.push(quote!(_)),
                    }
                }
                CallArg::Buffer {
                    var,
                    forward,
                    mutable,
                    ..
                } => {
                    let value = crate::forward::call_arg_value(self.f, *var, forward, *mutable);
                    let root = self.f.root(*var);
                    let (_, start, end) = crate::forward::bounds_in_root(self.f, *var);
                    // Two views of one buffer that meet (`&v[..d]`, `&v[d..]`, as the same
                    // expression): one split of the shadow serves both, no temporary.
                    let adjacent = roots_seen.iter().position(|&r| r == root).and_then(|seen| {
                        let (first, first_start, first_end) = &adjacent_candidates[seen];
                        let meets = first_end
                            .as_ref()
                            .is_some_and(|e: &TokenStream| e.to_string() == start.to_string());
                        (meets && !split_done[seen])
                            .then(|| (seen, *first, first_start.clone(), first_end.clone()))
                    });
                    if let Some((seen, first_index, first_start, first_end)) = adjacent {
                        let shadow = self.adjoint(root);
                        let head = quote::format_ident!(
                            "head{}",
                            i,
                            span = proc_macro2::Span::mixed_site()
                        );
                        let tail = quote::format_ident!(
                            "tail{}",
                            i,
                            span = proc_macro2::Span::mixed_site()
                        );
                        let first_end = first_end.expect("a view that meets another has an end");
                        splits.push(quote! {
                            let (#head, #tail) =
                                #shadow[#first_start..#end].split_at_mut(#first_end - #first_start);
                        });
                        passed[first_index] = quote!(#head);
                        split_done[seen] = true;
                        passed.push(value);
                        passed.push(quote!(#tail));
                    } else if roots_seen.contains(&root) {
                        // The same buffer twice (`dot(&v, &v)`): the second gets a shadow of
                        // its own, added into the buffer's afterwards.
                        let alias = quote::format_ident!(
                            "alias{}",
                            i,
                            span = proc_macro2::Span::mixed_site()
                        );
                        let (_, start, end) = crate::forward::bounds_in_root(self.f, *var);
                        let shadow = self.adjoint(root);
                        aliases.push((
                            quote!(let mut #alias = #private::zeros_like(&*#value);),
                            quote!(#private::add_elements(&mut #shadow[#start..#end], &#alias);),
                        ));
                        passed.push(value);
                        passed.push(quote!(&mut #alias));
                    } else {
                        roots_seen.push(root);
                        passed.push(value);
                        adjacent_candidates.push((passed.len(), start, end));
                        split_done.push(false);
                        passed.push(self.shadow_arg(*var));
                    }
                    bindings.push(quote!(_));
                }
            }
        }
        let call_span = func.span();
        let (alias_setup, alias_merge): (Vec<_>, Vec<_>) = aliases.into_iter().unzip();
        quote_spanned! {call_span=>
            #(#alias_setup)*
            #(#splits)*
            let (_, (#(#bindings,)*)) = #callee(#(#passed,)* #cotangent);
            #(#alias_merge)*
            #(#accumulations)*
        }
    }

    /// The reverse of a call that writes active buffers: it runs whatever the result's
    /// adjoint, with the written buffers put back to their contents from before the call (and
    /// again after, for the statements before it).
    fn call_writing_buffers(
        &self,
        target: Option<VarId>,
        restore_target: TokenStream,
        func: &syn::Path,
        args: &[CallArg],
    ) -> TokenStream {
        let g = names::cotangent();
        let private = crate::expand::private_path();
        let cotangent = match target {
            Some(t) if self.var(t).buffer && self.var(t).active => {
                let adjoint = self.adjoint(t);
                quote!(&::core::mem::take(&mut #adjoint))
            }
            Some(t) if self.var(t).buffer => {
                // A buffer result nothing uses: a zero cotangent of its shape.
                let ident = &self.var(t).ident;
                quote!(&#private::ZeroLike::zero_like(&#ident))
            }
            Some(t) if self.var(t).active => {
                let adjoint = self.adjoint(t);
                quote!(#adjoint.take().unwrap_or_default())
            }
            _ => quote!(::core::default::Default::default()),
        };
        let mut before = Vec::new();
        let mut after = Vec::new();
        for arg in args {
            if let CallArg::Buffer {
                var,
                forward,
                tape: Some(t),
                ..
            } = arg
            {
                let tape = &self.f.tapes[*t].ident;
                let value = crate::forward::call_arg_value(self.f, *var, forward, true);
                let restore = quote!(#private::Snapshot::restore_from(&mut *#value, &#tape););
                let restore_and_discard = quote! {
                    #private::Snapshot::restore_from(&mut *#value, &#tape);
                    #private::Snapshot::discard_from(&*#value, &mut #tape);
                };
                let tape = &self.f.tapes[*t];
                before.push(match &tape.read_by_callee {
                    Some(condition) => quote!(if #condition { #restore }),
                    None => restore,
                });
                after.push(match &tape.condition {
                    Some(condition) => quote!(if #condition { #restore_and_discard }),
                    None => restore_and_discard,
                });
            }
        }
        let call = self.call_pullback(func, args, quote!(#g));
        quote!({
            let #g = #cotangent;
            #restore_target
            #(#before)*
            #call
            #(#after)*
        })
    }

    /// The pullback of `result = x.method()` from its result, when the reverse sweep has the
    /// result anyway (it reads it, or a replayed loop computes it again): `g · y` for
    /// `y = x.exp()`, without a second `exp`. The result must be the one this statement
    /// computed: a variable never reassigned.
    fn pullback_given_result(&self, result: VarId, rhs: &Rhs) -> Option<TokenStream> {
        let Rhs::Method {
            name, recv, args, ..
        } = rhs
        else {
            return None;
        };
        let var = self.var(result);
        // A replayed loop computes its body's values again beside their reverse.
        let at_hand = var.needed || self.f.replayed.iter().any(|r| r.body == var.block);
        if !args.is_empty() || !at_hand || var.reassigned {
            return None;
        }
        let operand = recv.var().filter(|&v| self.var(v).active)?;
        let g = names::cotangent();
        let at = crate::expand::private_path_at(name.span());
        let rule = quote_spanned!(name.span()=> #at::method_rule_given_result!(#name));
        let recv = relocate(atom_tokens(self.f, recv), name.span());
        let result = &var.ident;
        let adjoint = self.adjoint(operand);
        let private = crate::expand::private_path();
        Some(quote! {
            let (d0,) = #rule(&#recv, &#result, &#g);
            #private::accumulate(&mut #adjoint, d0);
        })
    }

    /// `accumulate(&mut operand_bar, contribution)` for each active operand of `rhs`.
    /// The pullback of `rhs` from the cotangent `g` of its result, which is `Copy` when
    /// `copy_g` (a scalar's); otherwise a linear rule that passes `g` on moves it, cloning it
    /// only for a second operand.
    fn pullback(&self, rhs: &Rhs, span: proc_macro2::Span, copy_g: bool) -> TokenStream {
        let whole = rhs;
        let private = crate::expand::private_path();
        let g = names::cotangent();
        let active = |atom: &Atom| atom.var().filter(|&v| self.var(v).active);
        let accumulate = |var: VarId, value: TokenStream| {
            let adjoint = self.adjoint(var);
            quote_spanned!(span=> #private::accumulate(&mut #adjoint, #value);)
        };
        let value = |atom: &Atom| atom_tokens(self.f, atom);
        // The `&` carries the operator's span too, so that a missing rule is reported there.
        let reference_at = |atom: &Atom, at: proc_macro2::Span| {
            let tokens = relocate(atom_tokens(self.f, atom), at);
            match atom {
                Atom::Var(v) if self.var(*v).borrowed => tokens,
                _ => quote_spanned!(at=> &#tokens),
            }
        };
        let ops_at = |at: proc_macro2::Span| {
            let private = crate::expand::private_path_at(at);
            quote_spanned!(at=> #private::rules::ops)
        };
        let ops = ops_at(span);
        match rhs {
            Rhs::Atom(a) | Rhs::Borrow(a) => active(a)
                .map(|v| accumulate(v, quote!(#g)))
                .into_iter()
                .collect(),
            Rhs::Neg(a) => active(a)
                .map(|v| accumulate(v, quote!(#ops::neg(#g))))
                .into_iter()
                .collect(),
            Rhs::Binary {
                op,
                lhs,
                rhs,
                span: op_span,
            } => {
                let span = *op_span;
                let ops = ops_at(span);
                let (l, r) = (reference_at(lhs, span), reference_at(rhs, span));
                let is_active = |a: &Atom| active(a).is_some();
                let is_float =
                    |a: &Atom| crate::values::is_float_atom(a, |v| self.var(v).float_scalar);
                if whole.scaled_by_inactive(is_active, is_float).is_some() {
                    // Only the active operand's cotangent, from the other operand alone.
                    let (target, value) = if is_active(lhs) { (lhs, r) } else { (rhs, l) };
                    let rule = match op {
                        BinOp::Div => quote_spanned!(span=> #ops::unscale(&#g, #value)),
                        _ => quote_spanned!(span=> #ops::scale(#value, &#g)),
                    };
                    return active(target)
                        .map(|v| accumulate(v, rule))
                        .into_iter()
                        .collect();
                }
                let (lhs_rule, rhs_rule, reads_values) = match op {
                    BinOp::Add => ("add_lhs", "add_rhs", false),
                    BinOp::Sub => ("sub_lhs", "sub_rhs", false),
                    BinOp::Mul => ("mul_lhs", "mul_rhs", true),
                    BinOp::Div => ("div_lhs", "div_rhs", true),
                };
                let lhs_rule = syn::Ident::new(lhs_rule, span);
                let rhs_rule = syn::Ident::new(rhs_rule, span);
                let (lhs_args, rhs_args) = if reads_values {
                    let args = quote_spanned!(span=> #l, #r, &#g);
                    (args.clone(), args)
                } else if copy_g || active(rhs).is_none() {
                    (quote!(#g), quote!(#g))
                } else {
                    (quote!(::core::clone::Clone::clone(&#g)), quote!(#g))
                };
                let lhs_part = active(lhs)
                    .map(|v| accumulate(v, quote_spanned!(span=> #ops::#lhs_rule(#lhs_args))));
                let rhs_part = active(rhs)
                    .map(|v| accumulate(v, quote_spanned!(span=> #ops::#rhs_rule(#rhs_args))));
                quote!(#lhs_part #rhs_part)
            }
            Rhs::Method {
                name, recv, args, ..
            } => {
                let operands: Vec<&Atom> = std::iter::once(recv).chain(args).collect();
                if operands.iter().all(|a| active(a).is_none()) {
                    return TokenStream::new();
                }
                let references = operands.iter().map(|a| match a {
                    // `map`'s closure runs again on dual numbers.
                    Atom::Const(closure) if name == "map" => {
                        crate::forward::dual_closure(closure, name.span())
                    }
                    _ => reference_at(a, name.span()),
                });
                let bindings = operands.iter().enumerate().map(|(i, a)| match active(a) {
                    Some(_) => {
                        let d = names::operand_cotangent(i);
                        quote!(#d)
                    }
                    None => quote!(_),
                });
                let accumulations = operands.iter().enumerate().filter_map(|(i, a)| {
                    let d = names::operand_cotangent(i);
                    active(a).map(|v| accumulate(v, quote!(#d)))
                });
                let at = crate::expand::private_path_at(name.span());
                let rule = quote_spanned!(name.span()=> #at::method_rule!(#name));
                quote! {
                    let (#(#bindings,)*) = #rule(#(#references,)* &#g);
                    #(#accumulations)*
                }
            }
            Rhs::Call { func, args } => {
                let any_active = args.iter().any(|arg| match arg {
                    CallArg::Value(atom) => active(atom).is_some(),
                    CallArg::Buffer { var, .. } => self.var(self.f.root(*var)).active,
                });
                if !any_active {
                    return TokenStream::new();
                }
                self.call_pullback(func, args, quote!(#g))
            }
            Rhs::Construct { rule, args, .. } => {
                let construct = quote_spanned!(span=> #private::rules::construct);
                let value = |arg: &CallArg| match arg {
                    CallArg::Value(atom) => active(atom),
                    CallArg::Buffer { .. } => None,
                };
                match rule {
                    ConstructRule::Element => args
                        .last()
                        .and_then(value)
                        .map(|v| accumulate(v, quote!(#construct::from_element(&#g))))
                        .into_iter()
                        .collect(),
                    ConstructRule::Entries => args
                        .iter()
                        .enumerate()
                        .filter_map(|(k, arg)| {
                            let v = value(arg)?;
                            Some(accumulate(v, quote!(#construct::entry(&#g, #k))))
                        })
                        .collect(),
                    ConstructRule::ColumnSlice | ConstructRule::RowSlice => match args.last() {
                        Some(CallArg::Buffer { var, .. }) if self.var(self.f.root(*var)).active => {
                            let shadow = self.shadow_arg(*var);
                            let add = if *rule == ConstructRule::ColumnSlice {
                                quote!(add_column_major)
                            } else {
                                quote!(add_row_major)
                            };
                            quote_spanned!(span=> #construct::#add(#shadow, &#g);)
                        }
                        _ => TokenStream::new(),
                    },
                }
            }
            Rhs::Cast { value: v, .. } => active(v)
                .map(|var| {
                    let operand = value(v);
                    accumulate(var, quote_spanned!(span=> #ops::cast(&#operand, &#g)))
                })
                .into_iter()
                .collect(),
            Rhs::Index {
                base,
                index: Some(index),
            } if !self.var(*base).buffer => {
                if !self.var(*base).active {
                    return TokenStream::new();
                }
                let adjoint = self.adjoint(*base);
                let primal = reference_tokens(self.f, &Atom::Var(*base));
                let index = atom_tokens(self.f, index);
                quote_spanned!(span=> #private::accumulate_element(&mut #adjoint, #primal, #index, #g);)
            }
            Rhs::Index { base, index } => {
                if !self.var(self.f.root(*base)).active {
                    return TokenStream::new();
                }
                let slot = self.shadow_element(*base, index.as_ref());
                let place = slot.to_string();
                let held = self.held.borrow();
                if let Some((_, local)) = held.iter().find(|(held, _)| *held == place) {
                    return quote_spanned!(span=> #local += #g;);
                }
                let carried = self.carried.borrow();
                match carried.iter().find(|(carried, _)| *carried == place) {
                    Some((_, local)) => {
                        quote_spanned!(span=> #private::accumulate(&mut #local, #g);)
                    }
                    None => quote_spanned!(span=> #slot += #g;),
                }
            }
            Rhs::Elements { items, .. } => items
                .iter()
                .enumerate()
                .filter_map(|(k, item)| {
                    let var = active(item)?;
                    Some(accumulate(
                        var,
                        quote!(::core::clone::Clone::clone(&#g[#k])),
                    ))
                })
                .collect(),
            Rhs::CopyOf { source, .. } => {
                if !self.var(self.f.root(*source)).active {
                    return TokenStream::new();
                }
                // The copied elements' shadow: a view's lies in its root's shadow.
                let shadow = self.shadow_arg(*source);
                quote_spanned!(span=> #private::add_elements(#shadow, &#g[..]);)
            }
            Rhs::Opaque(_) | Rhs::Rejected(_) => TokenStream::new(),
        }
    }
}

/// `tokens` with their locations moved to `at`, keeping their hygiene: the operands of a rule
/// call then point at the operator, not at where each variable was declared.
pub fn relocate(tokens: TokenStream, at: proc_macro2::Span) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut tree| {
            if let proc_macro2::TokenTree::Group(g) = &tree {
                let mut group = proc_macro2::Group::new(g.delimiter(), relocate(g.stream(), at));
                group.set_span(g.span().located_at(at));
                return proc_macro2::TokenTree::Group(group);
            }
            tree.set_span(tree.span().located_at(at));
            tree
        })
        .collect()
}
