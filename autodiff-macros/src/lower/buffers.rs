//! Buffers made and written in the body: `let mut v = vec![0.0; n];`, `[a, b]`,
//! `Vec::with_capacity(n)`, `x.to_vec()`; element writes `v[i] = e`, `v[i] += e`,
//! `*out = e` through a `&mut f64`; and `v.push(e)`.
//!
//! A buffer variable's adjoint is a shadow of the same shape. An element write hands its
//! element's adjoint to the written value and zeroes it; a push does the same for the element
//! it appended, counting back from the buffer's final length.

use syn::spanned::Spanned;
use syn::{Expr, Ident, Type, UnOp};

use super::*;
use crate::check;
use crate::ir::*;
use crate::params::vec_element;

/// Methods that change a buffer's shape or contents wholesale, which the reverse sweep could
/// not undo element by element.
const RESHAPING: &[&str] = &[
    "clear",
    "truncate",
    "pop",
    "insert",
    "remove",
    "swap_remove",
    "resize",
    "extend",
    "extend_from_slice",
    "append",
    "drain",
    "retain",
    "dedup",
    "sort",
    "sort_by",
    "sort_unstable",
    "sort_unstable_by",
    "reverse",
    "rotate_left",
    "rotate_right",
    "swap",
    "copy_from_slice",
    "clone_from_slice",
    "split_off",
];

/// How a `let` makes a new buffer.
enum BufferInit<'e> {
    /// `vec![value; n]` or `[value; N]`.
    Repeat(&'e Expr),
    /// `vec![a, b, ..]` or `[a, b, ..]`.
    Elements(Vec<&'e Expr>, bool),
    /// `Vec::new()`, `Vec::with_capacity(n)`: empty, grown by `push`.
    Empty,
    /// `x.to_vec()`, `x.clone()` of a buffer `x`.
    CopyOf(VarId, Ident),
    /// `chain.collect()` of an iteration.
    Collect(&'e Expr),
    /// `x[a..b].to_vec()`: a copy of part of a buffer.
    CopyOfRange(&'e Expr, Ident),
    /// `f(..)` under a `Vec<f64>` annotation: a call to a differentiated function returning a
    /// buffer.
    Call(&'e Expr),
    /// Anything else under a `Vec<f64>` or `[f64; N]` annotation.
    Other,
}

impl<'a> Lowering<'a> {
    /// Lowers `let name [: ty] = init;` if it makes a buffer of floats; `false` otherwise.
    pub(super) fn lower_buffer_let(
        &mut self,
        ident: &Ident,
        key: usize,
        ty: Option<&Type>,
        init: &Expr,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let Some(kind) = self.buffer_init(init, ty) else {
            return false;
        };
        // The initializer is lowered before the name comes into scope (`let v = v.to_vec()`).
        let var = self.declare(ident, VarKind::User, Some(key));
        self.vars[var].buffer = true;
        self.vars[var].writable = true;
        self.lower_buffer_value(var, kind, init, ty, true, out);
        self.enter(ident, var);
        true
    }

    /// Assigns a new buffer to the buffer variable `var` (the result of a function returning
    /// a `Vec`); `false` if `e` makes no buffer this module understands.
    pub(super) fn lower_buffer_assign(
        &mut self,
        var: VarId,
        e: &Expr,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let kind = match strip_parens(e) {
            Expr::Path(p) => match self.resolve_path(p).filter(|&v| self.vars[v].buffer) {
                Some(source) => BufferInit::CopyOf(source, Ident::new("clone", e.span())),
                None => return false,
            },
            other => match self.buffer_init(other, None) {
                Some(kind) => kind,
                None => return false,
            },
        };
        self.lower_buffer_value(var, kind, e, None, false, out);
        true
    }

    /// `var = <the buffer made by init>` as a `let` (`declare`) or an assignment.
    fn lower_buffer_value(
        &mut self,
        var: VarId,
        kind: BufferInit<'_>,
        init: &Expr,
        ty: Option<&Type>,
        declare: bool,
        out: &mut Vec<Stmt>,
    ) {
        let span = init.span();
        let rhs = match kind {
            BufferInit::Repeat(value) if self.maybe_active(value) => self.reject(
                check::buffer_operation(init, "`vec![x; n]` with an `x` that carries a derivative", "fill the buffer in a loop (`for i in 0..n { v[i] = x; }`)"),
                init,
            ),
            BufferInit::Elements(items, array) if items.iter().any(|e| self.maybe_active(e)) => {
                let items = items.into_iter().map(|e| self.lower_expr(e, out)).collect();
                Rhs::Elements { items, array }
            }
            BufferInit::CopyOf(source, method) => Rhs::CopyOf { source, method },
            BufferInit::CopyOfRange(range, method) => {
                let view: Expr = syn::parse_quote!(&#range);
                match self.lower_view(&view, None, out) {
                    Some(source) => Rhs::CopyOf { source, method },
                    None => self.reject(check::buffer_value(init), init),
                }
            }
            BufferInit::Call(call) => self.lower_rhs(call, out),
            BufferInit::Collect(receiver) => {
                let empty = Rhs::Opaque(quote!(::std::vec::Vec::new()));
                self.push_definition(var, empty, ty, declare, span, out);
                if self.lower_collect(var, receiver, span, out).is_none() {
                    self.errors
                        .push(check::buffer_operation(init, "collecting this iteration", "collect from `x.iter()` chains (with `map`, `zip`, `enumerate`) or a range `(0..n).map(..)`, or push in a loop"));
                }
                return;
            }
            BufferInit::Other if self.maybe_active(init) => self.reject(
                check::buffer_operation(init, "building a buffer this way from values that carry derivatives", "start from `vec![0.0; n]` or `Vec::with_capacity(n)` and write or push the elements"),
                init,
            ),
            _ => Rhs::Opaque(self.opaque(init)),
        };
        self.push_definition(var, rhs, ty, declare, span, out);
    }

    fn push_definition(
        &mut self,
        var: VarId,
        rhs: Rhs,
        ty: Option<&Type>,
        declare: bool,
        span: Span,
        out: &mut Vec<Stmt>,
    ) {
        out.push(if declare {
            Stmt::Let {
                var,
                ty: ty.cloned(),
                init: Some(rhs),
                span,
            }
        } else {
            Stmt::Assign {
                var,
                rhs,
                span,
                tape: None,
            }
        });
    }

    /// Recognizes the ways a buffer of floats is made.
    fn buffer_init<'e>(&self, init: &'e Expr, ty: Option<&Type>) -> Option<BufferInit<'e>>
    where
        'a: 'e,
    {
        let vec_bodies: &'a VecBodies = self.vec_bodies;
        let annotated = ty.map(annotated_float_buffer);
        if annotated == Some(false) {
            return None;
        }
        let floats = |items: &[&Expr]| {
            items
                .iter()
                .any(|e| is_float_literal(e) || self.maybe_active(e))
        };
        let found = match strip_parens(init) {
            Expr::Macro(m) if m.mac.path.is_ident("vec") => match vec_bodies.get(m)? {
                VecBody::Repeat(value) => floats(&[value]).then_some(BufferInit::Repeat(value)),
                VecBody::List(items) => {
                    let items: Vec<&Expr> = items.iter().collect();
                    floats(&items).then_some(BufferInit::Elements(items, false))
                }
            },
            Expr::Repeat(r) => floats(&[&r.expr]).then_some(BufferInit::Repeat(&r.expr)),
            Expr::Array(a) => {
                let items: Vec<&Expr> = a.elems.iter().collect();
                floats(&items).then_some(BufferInit::Elements(items, true))
            }
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) => {
                    let names: Vec<String> = p
                        .path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect();
                    let is_vec_constructor = names.len() >= 2
                        && names[names.len() - 2] == "Vec"
                        && matches!(names[names.len() - 1].as_str(), "new" | "with_capacity");
                    if is_vec_constructor {
                        Some(BufferInit::Empty)
                    } else if annotated == Some(true) {
                        Some(BufferInit::Call(init))
                    } else {
                        None
                    }
                }
                _ => None,
            },
            Expr::MethodCall(m) if m.method == "collect" && m.args.is_empty() => {
                let turbofish_float = m.turbofish.as_ref().is_some_and(|t| {
                    t.args.iter().any(|a| match a {
                        syn::GenericArgument::Type(ty) => annotated_float_buffer(ty),
                        _ => false,
                    })
                });
                (turbofish_float || annotated == Some(true) || self.maybe_active(&m.receiver))
                    .then_some(BufferInit::Collect(&m.receiver))
            }
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && (m.method == "to_vec" || m.method == "clone")
                    && self.is_range_of_buffer(&m.receiver) =>
            {
                Some(BufferInit::CopyOfRange(&m.receiver, m.method.clone()))
            }
            Expr::MethodCall(m)
                if m.args.is_empty() && (m.method == "to_vec" || m.method == "clone") =>
            {
                match strip_parens(&m.receiver) {
                    Expr::Path(p) => self
                        .resolve_path(p)
                        .filter(|&v| self.vars[v].buffer)
                        .map(|v| BufferInit::CopyOf(v, m.method.clone())),
                    _ => None,
                }
            }
            _ => None,
        };
        match (found, annotated) {
            (Some(found), _) => Some(found),
            (None, Some(true)) => Some(BufferInit::Other),
            (None, _) => None,
        }
    }

    /// Lowers `left = right` or `left op= right` when `left` is an element of a buffer or a
    /// `&mut` float; `false` if `left` is not such a place.
    pub(super) fn lower_element_assign(
        &mut self,
        whole: &Expr,
        left: &Expr,
        right: &Expr,
        compound: Option<BinOp>,
        operator_span: Span,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let (base, index) = match strip_parens(left) {
            Expr::Index(ix) => match strip_parens(&ix.expr) {
                Expr::Path(p) => (self.resolve_path(p), Some(&*ix.index)),
                _ => (None, None),
            },
            Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => match strip_parens(&u.expr) {
                Expr::Path(p) => (self.resolve_path(p).filter(|&v| self.vars[v].cell), None),
                _ => (None, None),
            },
            _ => return false,
        };
        // An entry of a vector or matrix value (`m[(i, j)] = ..`) is written like a buffer's
        // element.
        let value_entry = |this: &Self, v: VarId| {
            index.is_some()
                && !this.vars[v].buffer
                && (this.maybe_active_var(v) || this.maybe_active(right))
        };
        let Some(base) = base.filter(|&v| self.vars[v].buffer || value_entry(self, v)) else {
            // A place in something that is not a float buffer (an index array, a counter):
            // fine as long as what is written carries no derivative.
            if self.maybe_active(right) {
                self.errors.push(check::place(left));
            } else {
                let tokens = self.opaque(whole);
                out.push(Stmt::Effect(quote!(#tokens;)));
            }
            return true;
        };
        if index.is_some_and(|i| matches!(strip_parens(i), Expr::Range(_))) {
            self.errors.push(check::buffer_operation(
                left,
                "writing into a range of a buffer",
                "write element by element, or use `copy_from_slice`",
            ));
            return true;
        }
        let index = index.map(|i| self.lower_expr(i, out));
        let rhs = match compound {
            None => self.lower_rhs(right, out),
            Some(op) => {
                let current = self.temp();
                out.push(Stmt::Let {
                    var: current,
                    ty: None,
                    init: Some(Rhs::Index {
                        base,
                        index: index.clone(),
                    }),
                    span: left.span(),
                });
                let value = self.lower_expr(right, out);
                Rhs::Binary {
                    op,
                    lhs: Atom::Var(current),
                    rhs: value,
                    span: operator_span,
                }
            }
        };
        out.push(Stmt::Store {
            base,
            index,
            rhs,
            span: right.span(),
            tape: None,
        });
        true
    }

    /// A method call statement on a buffer: `v.push(e)`, or a rejected reshaping method.
    /// `false` when the receiver is not a buffer.
    pub(super) fn lower_buffer_method(
        &mut self,
        m: &syn::ExprMethodCall,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let base = match strip_parens(&m.receiver) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer),
            _ => None,
        };
        let Some(base) = base else {
            return false;
        };
        let name = m.method.to_string();
        if name == "push" && m.args.len() == 1 {
            if self.vars[base].kind == VarKind::Param {
                self.errors
                    .push(check::buffer_operation(m, "`push` into a parameter", "its shadow could not grow with it: build the result in a local `Vec` and return it"));
                return true;
            }
            let value = self.lower_expr(&m.args[0], out);
            out.push(Stmt::Push {
                base,
                value: Rhs::Atom(value),
                span: m.span(),
            });
            return true;
        }
        if name == "copy_from_slice" || name == "clone_from_slice" {
            // Not lowered as a copy (`lower_copy_from_slice`): the source is no buffer this
            // macro knows.
            self.errors.push(check::buffer_operation(
                m,
                &format!("`{name}` from a value not known to be a buffer"),
                "give its `let` a type (`let g: Vec<f64> = f_grad(..);`), or copy from a buffer or a view `&v[a..b]`",
            ));
            return true;
        }
        if RESHAPING.contains(&name.as_str()) {
            self.errors.push(check::buffer_operation(
                m,
                &format!("`{name}` on a buffer of floats"),
                "it changes the buffer's shape or order, which the reverse sweep cannot undo element by element; work on a copy under `stop_gradient(..)` if no derivative should flow, or write the elements one by one",
            ));
            return true;
        }
        false
    }

    /// Whether `e` is `x[a..b]` for a buffer `x`.
    fn is_range_of_buffer(&self, e: &Expr) -> bool {
        let reference: Expr = syn::parse_quote!(&#e);
        matches!(strip_parens(e), Expr::Index(_)) && self.view_of(&reference).is_some()
    }

    /// `&x[a..b]`, `&mut x[a..]`, `&x[..=b]` for a buffer `x`: the base, the range's bounds
    /// (an inclusive end as written) and whether the view is mutable.
    fn view_of<'e>(&self, e: &'e Expr) -> Option<ViewSyntax<'e>> {
        let Expr::Reference(r) = strip_parens(e) else {
            return None;
        };
        let Expr::Index(ix) = strip_parens(&r.expr) else {
            return None;
        };
        let Expr::Range(range) = strip_parens(&ix.index) else {
            return None;
        };
        let base = match strip_parens(&ix.expr) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer)?,
            _ => return None,
        };
        Some(ViewSyntax {
            base,
            start: range.start.as_deref(),
            end: range.end.as_deref(),
            inclusive: matches!(range.limits, syn::RangeLimits::Closed(_)),
            mutable: r.mutability.is_some(),
        })
    }

    /// Lowers a view into a new variable (`binding`, or a temporary) that shares its base's
    /// shadow. `None` if `e` is not a view of a buffer.
    pub(super) fn lower_view(
        &mut self,
        e: &Expr,
        binding: Option<(&Ident, usize)>,
        out: &mut Vec<Stmt>,
    ) -> Option<VarId> {
        let view = self.view_of(e)?;
        let start = match view.start {
            Some(start) => self.lower_expr(start, out),
            None => Atom::Const(quote!(0)),
        };
        let end = view.end.map(|end| {
            let end = self.lower_expr(end, out);
            if view.inclusive {
                let temp = self.temp();
                let end = crate::forward::atom_tokens_of(&self.vars, &end);
                out.push(Stmt::Let {
                    var: temp,
                    ty: None,
                    init: Some(Rhs::Opaque(quote!(#end + 1))),
                    span: e.span(),
                });
                Atom::Var(temp)
            } else {
                end
            }
        });
        let base_ident = self.vars[view.base].ident.clone();
        let start_tokens = crate::forward::atom_tokens_of(&self.vars, &start);
        let end_tokens = end
            .as_ref()
            .map(|end| crate::forward::atom_tokens_of(&self.vars, end));
        let reference = if view.mutable {
            quote!(&mut #base_ident[#start_tokens..#end_tokens])
        } else {
            quote!(&#base_ident[#start_tokens..#end_tokens])
        };
        let var = match binding {
            Some((ident, key)) => self.bind(ident, VarKind::User, Some(key)),
            None => self.temp(),
        };
        self.vars[var].buffer = true;
        self.vars[var].writable = view.mutable;
        self.vars[var].view = Some(View {
            base: view.base,
            start,
            end,
        });
        out.push(Stmt::Let {
            var,
            ty: None,
            init: Some(Rhs::Opaque(reference)),
            span: e.span(),
        });
        Some(var)
    }

    /// `let y = x;` for a buffer `x`: a borrowed parameter or a view is aliased (the new
    /// name shares its elements and shadow); an owned buffer cannot be moved, since the
    /// reverse sweep still needs it. `false` if `e` is not a buffer.
    pub(super) fn lower_alias(
        &mut self,
        ident: &Ident,
        key: usize,
        e: &Expr,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let Some(source) = (match strip_parens(e) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer),
            _ => None,
        }) else {
            return false;
        };
        let var = self.bind(ident, VarKind::User, Some(key));
        let aliasable = self.vars[source].borrowed || self.vars[source].view.is_some();
        if !aliasable {
            self.errors.push(check::buffer_value(e));
        }
        let source_ident = self.vars[source].ident.clone();
        let (cell, writable) = (self.vars[source].cell, self.vars[source].writable);
        let v = &mut self.vars[var];
        v.buffer = true;
        v.cell = cell;
        v.writable = writable;
        self.vars[var].view = Some(View {
            base: source,
            start: Atom::Const(quote!(0)),
            end: None,
        });
        out.push(Stmt::Let {
            var,
            ty: None,
            init: Some(Rhs::Opaque(quote!(#source_ident))),
            span: e.span(),
        });
        true
    }

    /// An argument of a call: a buffer (passed with its shadow) or a value.
    pub(super) fn call_arg(&mut self, arg: &Expr, out: &mut Vec<Stmt>) -> CallArg {
        if let Some(var) = self.lower_view(arg, None, out) {
            let ident = &self.vars[var].ident;
            return CallArg::Buffer {
                var,
                forward: quote!(#ident),
                mutable: self.vars[var].writable,
                tape: None,
            };
        }
        let (inner, reference) = match strip_parens(arg) {
            Expr::Reference(r) => (&*r.expr, Some(r.mutability.is_some())),
            other => (other, None),
        };
        let buffer = match strip_parens(inner) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer),
            _ => None,
        };
        match (buffer, reference) {
            (Some(var), None)
                if self.vars[var].kind != VarKind::Param && self.vars[var].view.is_none() =>
            {
                // An owned buffer moved into the callee would be gone for the reverse sweep.
                self.errors.push(check::buffer_operation(
                    arg,
                    "passing a buffer by value to a function",
                    "the reverse sweep needs it after the call: pass `&v` or `&mut v`",
                ));
                // Still an argument that reads the buffer, so that the first lowering sees
                // the derivative flow and the second reports this instead of dropping it.
                CallArg::Buffer {
                    var,
                    forward: self.kept_as_written(arg, false),
                    mutable: false,
                    tape: None,
                }
            }
            // The call's write is known and recorded: not a hidden one.
            (Some(var), reference) => CallArg::Buffer {
                var,
                forward: self.kept_as_written(arg, false),
                mutable: reference.unwrap_or(self.vars[var].writable),
                tape: None,
            },
            (None, _) => CallArg::Value(self.lower_expr(arg, out)),
        }
    }

    /// `dst.copy_from_slice(src)` (also on `dst[a..b]` and from `&src[c..d]`) as a loop of
    /// element writes; `false` if this is not such a call on buffers.
    pub(super) fn lower_copy_from_slice(
        &mut self,
        m: &syn::ExprMethodCall,
        out: &mut Vec<Stmt>,
    ) -> bool {
        if !(m.method == "copy_from_slice" || m.method == "clone_from_slice") || m.args.len() != 1 {
            return false;
        }
        let dst = self.written_buffer(&m.receiver, out);
        let src = match self.lower_view(&m.args[0], None, out) {
            Some(view) => Some(view),
            None => self.buffer_of_expr(&m.args[0]),
        };
        let (Some(dst), Some(src)) = (dst, src) else {
            return false;
        };
        let span = m.span();
        let dst_ident = self.vars[dst].ident.clone();
        let step = self.temp();
        let (id, trips) = self.new_loop(None, None);
        let body = self.with_block(|this, b| {
            this.vars[step].block = this.block;
            let element = this.temp();
            b.stmts.push(Stmt::Let {
                var: element,
                ty: None,
                init: Some(Rhs::Index {
                    base: src,
                    index: Some(Atom::Var(step)),
                }),
                span,
            });
            b.stmts.push(Stmt::Store {
                base: dst,
                index: Some(Atom::Var(step)),
                rhs: Rhs::Atom(Atom::Var(element)),
                span,
                tape: None,
            });
        });
        let head = LoopHead::For {
            var: Some(step),
            iter: quote!(0..#dst_ident.len()),
            pattern: None,
        };
        self.finish_loop(id, trips, head, body, out);
        true
    }

    /// `dst.fill(value)` on a buffer (or a view `dst[a..b]`) as a loop of element writes of
    /// `value`, computed once; `false` if this is not such a call.
    pub(super) fn lower_fill(&mut self, m: &syn::ExprMethodCall, out: &mut Vec<Stmt>) -> bool {
        if m.method != "fill" || m.args.len() != 1 {
            return false;
        }
        let dst = self.written_buffer(&m.receiver, out);
        let Some(dst) = dst else {
            return false;
        };
        let span = m.span();
        let value = self.lower_expr(&m.args[0], out);
        let dst_ident = self.vars[dst].ident.clone();
        let step = self.temp();
        let (id, trips) = self.new_loop(None, None);
        let body = self.with_block(|this, b| {
            this.vars[step].block = this.block;
            b.stmts.push(Stmt::Store {
                base: dst,
                index: Some(Atom::Var(step)),
                rhs: Rhs::Atom(value),
                span,
                tape: None,
            });
        });
        let head = LoopHead::For {
            var: Some(step),
            iter: quote!(0..#dst_ident.len()),
            pattern: None,
        };
        self.finish_loop(id, trips, head, body, out);
        true
    }

    /// The buffer a method call writes into: `v`, or a view `v[a..b]` of one.
    fn written_buffer(&mut self, receiver: &Expr, out: &mut Vec<Stmt>) -> Option<VarId> {
        let dst_view: Expr = syn::parse_quote!(&mut #receiver);
        if self.view_of(&dst_view).is_some() {
            self.lower_view(&dst_view, None, out)
        } else {
            match strip_parens(receiver) {
                Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer),
                _ => None,
            }
        }
    }

    /// The buffer `e` names: `x` or `&x`.
    fn buffer_of_expr(&self, e: &Expr) -> Option<VarId> {
        match strip_parens(e) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer),
            Expr::Reference(r) => self.buffer_of_expr(&r.expr),
            _ => None,
        }
    }

    /// `std::mem::swap(&mut a, &mut b)` of two buffers or two scalars; `false` otherwise.
    pub(super) fn lower_swap(&mut self, c: &syn::ExprCall, out: &mut Vec<Stmt>) -> bool {
        let is_swap = matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "swap"));
        if !is_swap || c.args.len() != 2 {
            return false;
        }
        let place = |this: &Self, e: &Expr| match strip_parens(e) {
            Expr::Reference(r) if r.mutability.is_some() => match strip_parens(&r.expr) {
                Expr::Path(p) => this.resolve_path(p),
                _ => None,
            },
            _ => None,
        };
        let (Some(a), Some(b)) = (place(self, &c.args[0]), place(self, &c.args[1])) else {
            return false;
        };
        let (va, vb) = (&self.vars[a], &self.vars[b]);
        if va.buffer && vb.buffer && va.view.is_none() && vb.view.is_none() && !va.cell && !vb.cell
        {
            out.push(Stmt::Swap { a, b });
            return true;
        }
        if !va.buffer && !vb.buffer {
            let held = self.temp();
            let span = c.span();
            out.push(Stmt::Let {
                var: held,
                ty: None,
                init: Some(Rhs::Atom(Atom::Var(a))),
                span,
            });
            out.push(Stmt::Assign {
                var: a,
                rhs: Rhs::Atom(Atom::Var(b)),
                span,
                tape: None,
            });
            out.push(Stmt::Assign {
                var: b,
                rhs: Rhs::Atom(Atom::Var(held)),
                span,
                tape: None,
            });
            return true;
        }
        false
    }

    /// `let (a, b) = x.split_at(k);` (or `split_at_mut`): two views of `x`.
    pub(super) fn lower_split_at(
        &mut self,
        names: &[Option<(Ident, usize)>],
        init: &Expr,
        out: &mut Vec<Stmt>,
    ) -> bool {
        let Expr::MethodCall(m) = strip_parens(init) else {
            return false;
        };
        let mutable = m.method == "split_at_mut";
        if !(mutable || m.method == "split_at") || m.args.len() != 1 || names.len() != 2 {
            return false;
        }
        let Some(base) = self.buffer_of_expr(&m.receiver) else {
            return false;
        };
        let mid = self.lower_expr(&m.args[0], out);
        let whole = self.temp();
        let base_ident = self.vars[base].ident.clone();
        let mid_tokens = crate::forward::atom_tokens_of(&self.vars, &mid);
        let method = &m.method;
        out.push(Stmt::Let {
            var: whole,
            ty: None,
            init: Some(Rhs::Opaque(quote!(#base_ident.#method(#mid_tokens)))),
            span: init.span(),
        });
        let whole_ident = self.vars[whole].ident.clone();
        let parts = [
            (
                Atom::Const(quote!(0)),
                Some(mid.clone()),
                quote!(#whole_ident.0),
            ),
            (mid, None, quote!(#whole_ident.1)),
        ];
        for (name, (start, end, tokens)) in names.iter().zip(parts) {
            let Some((ident, key)) = name else { continue };
            let var = self.bind(ident, VarKind::User, Some(*key));
            let v = &mut self.vars[var];
            v.buffer = true;
            v.writable = mutable;
            v.view = Some(View { base, start, end });
            out.push(Stmt::Let {
                var,
                ty: None,
                init: Some(Rhs::Opaque(tokens)),
                span: ident.span(),
            });
        }
        true
    }

    /// `*v`: the value of an iteration's element, or the float behind a `&mut f64`.
    pub(super) fn lower_deref(&mut self, inner: &Expr, e: &Expr) -> Rhs {
        if let Some(var) = self.element_binding(inner) {
            return Rhs::Atom(Atom::Var(var));
        }
        let cell = match strip_parens(inner) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].cell),
            _ => None,
        };
        match cell {
            Some(base) => Rhs::Index { base, index: None },
            None => self.unsupported(e, "dereferencing"),
        }
    }
}

/// The parts of `&x[a..b]`.
struct ViewSyntax<'e> {
    base: VarId,
    start: Option<&'e Expr>,
    end: Option<&'e Expr>,
    inclusive: bool,
    mutable: bool,
}

/// The parsed input of a `vec![..]` in the user's function.
pub enum VecBody {
    /// `vec![value; n]`.
    Repeat(Expr),
    /// `vec![a, b, ..]`.
    List(Vec<Expr>),
}

/// Every `vec![..]` of the function, parsed once so that both lowerings see the same syntax
/// tree (bindings are identified by their address in it).
#[derive(Default)]
pub struct VecBodies(std::collections::HashMap<usize, VecBody>);

impl VecBodies {
    pub fn parse(item: &syn::ItemFn) -> Self {
        struct Collector(VecBodies);
        impl<'ast> syn::visit::Visit<'ast> for Collector {
            fn visit_expr_macro(&mut self, m: &'ast syn::ExprMacro) {
                if m.mac.path.is_ident("vec") {
                    let body = m
                        .mac
                        .parse_body_with(|input: syn::parse::ParseStream| {
                            let value: Expr = input.parse()?;
                            input.parse::<syn::Token![;]>()?;
                            let _: Expr = input.parse()?;
                            Ok(VecBody::Repeat(value))
                        })
                        .or_else(|_| {
                            m.mac
                                .parse_body_with(
                                    syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated,
                                )
                                .map(|items| VecBody::List(items.into_iter().collect()))
                        });
                    if let Ok(body) = body {
                        self.0 .0.insert(m as *const syn::ExprMacro as usize, body);
                    }
                }
            }
        }
        let mut collector = Collector(VecBodies::default());
        syn::visit::visit_item_fn(&mut collector, item);
        collector.0
    }

    pub(super) fn get(&self, m: &syn::ExprMacro) -> Option<&VecBody> {
        self.0.get(&(m as *const syn::ExprMacro as usize))
    }
}

fn is_float_literal(e: &Expr) -> bool {
    match strip_parens(e) {
        Expr::Lit(l) => matches!(l.lit, syn::Lit::Float(_)),
        Expr::Unary(u) => is_float_literal(&u.expr),
        _ => false,
    }
}

/// `Some(true)` for `Vec<f64>` / `[f64; N]` annotations, `Some(false)` for other element
/// types.
fn annotated_float_buffer(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => vec_element(p).is_some(),
        Type::Array(a) => crate::check::float_kind(&a.elem).is_some(),
        _ => false,
    }
}
