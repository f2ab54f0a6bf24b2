//! Lowering: the user's body into the IR of `ir.rs`.
//!
//! Names are resolved with Rust's scoping (a binding that shadows an earlier one is renamed),
//! expressions that may carry a derivative are split into one operation per temporary, and
//! expressions that cannot are kept as written ([`Rhs::Opaque`]), so the forward sweep reads
//! like the user's code. Which expressions may carry a derivative is known from a first
//! lowering of the whole body with everything lowered (see `expand.rs`), keyed by the address
//! of each binding's pattern in the syntax tree.

mod buffers;

pub use buffers::VecBodies;
mod control;
mod expressions;
mod from_fn;

pub use from_fn::FromFnBodies;
mod iterators;
mod macros;
mod opaque;

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{BinOp as SynBinOp, Expr, Ident, Pat, Stmt as SynStmt};

use crate::check::{self, Errors, Signature};
use crate::ir::*;
use crate::names;
use crate::params::ParamKind;

/// Activity of user bindings from a previous lowering, keyed by pattern address.
pub type PriorActivity = HashMap<usize, bool>;

struct LoopContext {
    id: LoopId,
    label: Option<String>,
    result: Option<VarId>,
}

pub struct Lowering<'a> {
    vars: Vec<Var>,
    /// For each variable, the address of the pattern that bound it (user bindings only).
    binding_keys: Vec<Option<usize>>,
    scopes: Vec<Vec<(String, VarId)>>,
    times_bound: HashMap<String, usize>,
    prior: Option<&'a PriorActivity>,
    errors: &'a mut Errors,
    loops: Vec<LoopContext>,
    block: BlockId,
    block_count: usize,
    loop_count: usize,
    namer: names::Namer,
    output: VarId,
    /// Variables bound to a buffer's element by iteration: the user's `*v` is `v` here.
    element_bindings: HashSet<VarId>,
    vec_bodies: &'a buffers::VecBodies,
    from_fn_bodies: &'a FromFnBodies,
    /// The sizes of the chunks or windows the loop being lowered walks, by source part.
    window_sizes: Vec<Option<Atom>>,
    /// Views made for iterating `x[a..b]` directly, by the address of that expression.
    iterated_views: HashMap<usize, VarId>,
}

/// The lowered function plus, for each variable, the pattern address it came from.
pub struct Lowered {
    pub function: Function,
    pub binding_keys: Vec<Option<usize>>,
}

/// Lowers `body`. With `prior`, expressions that touch no active binding stay as written.
pub fn lower(
    sig: &Signature,
    item: &syn::ItemFn,
    vec_bodies: &VecBodies,
    from_fn_bodies: &FromFnBodies,
    prior: Option<&PriorActivity>,
    errors: &mut Errors,
) -> Lowered {
    let mut lowering = Lowering {
        vars: Vec::new(),
        binding_keys: Vec::new(),
        scopes: vec![Vec::new()],
        times_bound: HashMap::new(),
        prior,
        errors,
        loops: Vec::new(),
        block: ROOT,
        block_count: 1,
        loop_count: 0,
        namer: names::Namer::new(&item.to_token_stream()),
        output: 0,
        element_bindings: HashSet::new(),
        vec_bodies,
        from_fn_bodies,
        window_sizes: Vec::new(),
        iterated_views: HashMap::new(),
    };
    let mut params = Vec::new();
    for param in &sig.params {
        let var = lowering.bind(&param.ident, VarKind::Param, Some(param.pattern_key));
        let cell = matches!(param.kind, ParamKind::Cell { .. });
        lowering.vars[var].buffer = cell || matches!(param.kind, ParamKind::Buffer { .. });
        lowering.vars[var].cell = cell;
        lowering.vars[var].writable = param.kind.is_in_out();
        lowering.vars[var].borrowed = matches!(param.ty, syn::Type::Reference(_));
        params.push(var);
    }
    let output_ident = lowering.namer.output();
    lowering.output = lowering.new_var(output_ident, VarKind::Output, None);
    let mut body = Block::new(ROOT);
    body.stmts.push(Stmt::Let {
        var: lowering.output,
        ty: Some(sig.output.clone()),
        init: None,
        span: Span::call_site(),
    });
    let output = lowering.output;
    if sig.returns_buffer.is_some() {
        lowering.vars[output].buffer = true;
        lowering.vars[output].writable = true;
    }
    // A function returning `()` has its results in its `&mut` parameters.
    let dest = (!sig.returns_unit).then_some(output);
    lowering.lower_stmts(&item.block.stmts, dest, &mut body.stmts);
    Lowered {
        function: Function {
            vars: lowering.vars,
            body,
            params,
            output,
            uses_exit_code: false,
            block_count: lowering.block_count,
            tapes: Vec::new(),
            namer: lowering.namer,
            fused: Vec::new(),
            replayed: Vec::new(),
            bulk: Vec::new(),
            split_calls: Vec::new(),
        },
        binding_keys: lowering.binding_keys,
    }
}

impl Lowering<'_> {
    // ---------------------------------------------------------------- variables

    pub(super) fn new_var(&mut self, ident: Ident, kind: VarKind, key: Option<usize>) -> VarId {
        self.vars.push(Var {
            ident,
            kind,
            block: self.block,
            reassigned: false,
            buffer: false,
            cell: false,
            active: false,
            varied: false,
            needed: false,
            saved_tape: None,
            kept_owned: false,
            increment: false,
            writable: false,
            borrowed: false,
            plain: false,
            shared: false,
            view: None,
            contents_needed: false,
            recomputed: false,
            counted_from: None,
            recompute_as: None,
            recomputed_late: None,
            float_scalar: false,
        });
        self.binding_keys.push(key);
        self.vars.len() - 1
    }

    /// Binds a user name in the innermost scope, renaming it if the name was bound before.
    pub(super) fn bind(&mut self, ident: &Ident, kind: VarKind, key: Option<usize>) -> VarId {
        let var = self.declare(ident, kind, key);
        self.enter(ident, var);
        var
    }

    /// Creates the variable for a user binding without bringing it into scope yet.
    pub(super) fn declare(&mut self, ident: &Ident, kind: VarKind, key: Option<usize>) -> VarId {
        let count = self.times_bound.entry(ident.to_string()).or_insert(0);
        *count += 1;
        let emitted = if *count == 1 {
            ident.clone()
        } else {
            self.namer.renamed(ident)
        };
        self.new_var(emitted, kind, key)
    }

    pub(super) fn enter(&mut self, ident: &Ident, var: VarId) {
        let scope = self.scopes.last_mut().expect("a scope");
        scope.push((ident.to_string(), var));
    }

    pub(super) fn temp(&mut self) -> VarId {
        let ident = self.namer.temp();
        self.new_var(ident, VarKind::Temp, None)
    }

    pub(super) fn resolve(&self, name: &str) -> Option<VarId> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    pub(super) fn resolve_path(&self, path: &syn::ExprPath) -> Option<VarId> {
        if path.qself.is_some() {
            return None;
        }
        path.path
            .get_ident()
            .and_then(|i| self.resolve(&i.to_string()))
    }

    /// Whether `var` may carry a derivative, as far as the first lowering found. A binding the
    /// first lowering did not see (it took another path there) may: lowering it in full is
    /// always correct, and the activity analysis of this lowering decides.
    pub(super) fn maybe_active_var(&self, var: VarId) -> bool {
        match self.prior {
            None => true,
            Some(prior) => match self.binding_keys[var] {
                Some(key) => prior.get(&key).copied().unwrap_or(true),
                None => false,
            },
        }
    }

    pub(super) fn with_scope<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        self.scopes.push(Vec::new());
        let result = f(self);
        self.scopes.pop();
        result
    }

    pub(super) fn with_block(&mut self, f: impl FnOnce(&mut Self, &mut Block)) -> Block {
        let mut block = Block::new(self.block_count);
        self.block_count += 1;
        let outer = std::mem::replace(&mut self.block, block.id);
        self.with_scope(|this| f(this, &mut block));
        self.block = outer;
        block
    }

    // ---------------------------------------------------------------- statements

    /// Lowers a statement list; the tail expression's value goes to `dest`.
    pub(super) fn lower_stmts(
        &mut self,
        stmts: &[SynStmt],
        dest: Option<VarId>,
        out: &mut Vec<Stmt>,
    ) {
        for (i, stmt) in stmts.iter().enumerate() {
            let is_tail = i + 1 == stmts.len();
            match stmt {
                SynStmt::Expr(e, None) if is_tail && dest.is_some() => {
                    self.lower_value_into(e, dest.expect("checked"), out)
                }
                _ => self.lower_stmt(stmt, out),
            }
        }
    }

    pub(super) fn lower_stmt(&mut self, stmt: &SynStmt, out: &mut Vec<Stmt>) {
        match stmt {
            SynStmt::Local(local) => self.lower_local(local, out),
            SynStmt::Item(item) => out.push(Stmt::Effect(item.to_token_stream())),
            SynStmt::Macro(m) => self.lower_macro_stmt(&m.mac, out),
            SynStmt::Expr(e, _) => self.lower_expr_stmt(e, out),
        }
    }

    pub(super) fn lower_local(&mut self, local: &syn::Local, out: &mut Vec<Stmt>) {
        if let Some(init) = &local.init {
            if let Some((_, diverge)) = &init.diverge {
                self.errors.push(check::pattern(diverge));
                return;
            }
        }
        let init = local.init.as_ref().map(|i| &*i.expr);
        let (pat, ty) = match &local.pat {
            Pat::Type(t) => (&*t.pat, Some((*t.ty).clone())),
            other => (other, None),
        };
        match pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                // The initializer is lowered before the name is bound: `let x = x * 2.0`
                // reads the outer `x`.
                let span = init.map_or(p.ident.span(), |e| e.span());
                match init {
                    None => {
                        let var = self.bind(&p.ident, VarKind::User, Some(pat_key(pat)));
                        out.push(Stmt::Let {
                            var,
                            ty,
                            init: None,
                            span,
                        });
                    }
                    Some(e) if is_value_construct(e) => {
                        let var = self.declare(&p.ident, VarKind::User, Some(pat_key(pat)));
                        out.push(Stmt::Let {
                            var,
                            ty,
                            init: None,
                            span,
                        });
                        self.lower_value_into(e, var, out);
                        self.enter(&p.ident, var);
                    }
                    Some(e)
                        if self.lower_buffer_let(&p.ident, pat_key(pat), ty.as_ref(), e, out) => {}
                    Some(e)
                        if self
                            .lower_view(e, Some((&p.ident, pat_key(pat))), out)
                            .is_some() => {}
                    Some(e) if self.lower_alias(&p.ident, pat_key(pat), e, out) => {}
                    Some(e) => {
                        let rhs = self.lower_rhs(e, out);
                        let var = self.bind(&p.ident, VarKind::User, Some(pat_key(pat)));
                        out.push(Stmt::Let {
                            var,
                            ty,
                            init: Some(rhs),
                            span,
                        });
                    }
                }
                // `let mut` stays `let mut`, even if only a method call or a write into an
                // element (kept as written) changes the value.
                if p.mutability.is_some() {
                    if let Some(var) = self.resolve(&p.ident.to_string()) {
                        self.vars[var].reassigned = true;
                    }
                }
            }
            Pat::Wild(_) => {
                if let Some(e) = init {
                    self.lower_expr_stmt(e, out);
                }
            }
            Pat::Tuple(tuple) if ty.is_none() => self.lower_tuple_let(tuple, init, out),
            other => self.errors.push(check::pattern(other)),
        }
    }

    /// `let (a, b) = (e1, e2);`, `let (s, c) = x.sin_cos();`, or a tuple from inactive code.
    pub(super) fn lower_tuple_let(
        &mut self,
        tuple: &syn::PatTuple,
        init: Option<&Expr>,
        out: &mut Vec<Stmt>,
    ) {
        let Some(init) = init else {
            self.errors.push(check::pattern(tuple));
            return;
        };
        let mut names = Vec::new();
        for elem in &tuple.elems {
            match elem {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    names.push(Some((p.ident.clone(), pat_key(elem))))
                }
                Pat::Wild(_) => names.push(None),
                other => {
                    self.errors.push(check::pattern(other));
                    return;
                }
            }
        }
        if self.lower_split_at(&names, init, out) {
            return;
        }
        if let Some(parts) = tangent_parts(init, names.len()) {
            // `let (value, slope) = g_tangent(..)`: each part is a call of its own
            // (`g_tangent_value`, `g_tangent_slope`), which callers can differentiate.
            for (name, part) in names.into_iter().zip(parts) {
                let Some((ident, key)) = name else { continue };
                let value = self.lower_rhs(&part, out);
                self.bind_let(&ident, key, value, out);
            }
            return;
        }
        let values: Vec<Rhs> = match strip_parens(init) {
            Expr::Tuple(t) if t.elems.len() == names.len() => {
                t.elems.iter().map(|e| self.lower_rhs(e, out)).collect()
            }
            e if sin_cos_receiver(e).is_some() && names.len() == 2 => {
                let (receiver, span) = sin_cos_receiver(e).expect("checked");
                let recv = self.lower_expr(receiver, out);
                ["sin", "cos"]
                    .iter()
                    .map(|name| Rhs::Method {
                        name: Ident::new(name, span),
                        path_prefix: None,
                        recv: recv.clone(),
                        args: Vec::new(),
                    })
                    .collect()
            }
            e if !self.maybe_active(e) => {
                let whole = self.temp();
                let tokens = self.opaque(e);
                out.push(Stmt::Let {
                    var: whole,
                    ty: None,
                    init: Some(Rhs::Opaque(tokens)),
                    span: e.span(),
                });
                let ident = self.vars[whole].ident.clone();
                (0..names.len())
                    .map(|i| {
                        let index = syn::Index::from(i);
                        Rhs::Opaque(quote!(#ident.#index))
                    })
                    .collect()
            }
            e => {
                // Still bind the names, reading what `e` mentions, so that the first lowering
                // sees the derivative and the second reports this instead of dropping it.
                let rejected = self.reject(check::tuple_value(e), e);
                vec![rejected; names.len()]
            }
        };
        for (name, value) in names.into_iter().zip(values) {
            let Some((ident, key)) = name else { continue };
            self.bind_let(&ident, key, value, out);
        }
    }

    /// `let ident = value;` for a name of a tuple pattern.
    fn bind_let(&mut self, ident: &Ident, key: usize, value: Rhs, out: &mut Vec<Stmt>) {
        let var = self.bind(ident, VarKind::User, Some(key));
        out.push(Stmt::Let {
            var,
            ty: None,
            init: Some(value),
            span: ident.span(),
        });
    }

    pub(super) fn lower_macro_stmt(&mut self, mac: &syn::Macro, out: &mut Vec<Stmt>) {
        const FORWARD_ONLY: &[&str] = &[
            "print",
            "println",
            "eprint",
            "eprintln",
            "assert",
            "assert_eq",
            "assert_ne",
            "debug_assert",
            "debug_assert_eq",
            "debug_assert_ne",
            "panic",
            "unreachable",
            "todo",
            "unimplemented",
        ];
        let name = mac
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default();
        if FORWARD_ONLY.contains(&name.as_str()) {
            let mac = self.rename_format_macro(mac);
            out.push(Stmt::Effect(quote!(#mac;)));
        } else if self.maybe_active_tokens(&mac.tokens) {
            self.errors.push(check::macro_call(mac, &name));
        } else {
            out.push(Stmt::Effect(quote!(#mac;)));
        }
    }

    pub(super) fn lower_expr_stmt(&mut self, e: &Expr, out: &mut Vec<Stmt>) {
        match e {
            Expr::If(i) => self.lower_if(i, None, out),
            Expr::While(w) => self.lower_while(w, out),
            Expr::ForLoop(f) => self.lower_for(f, out),
            Expr::Loop(l) => self.lower_loop(l, None, out),
            Expr::Block(b) if b.label.is_none() => {
                self.with_scope(|this| this.lower_stmts(&b.block.stmts, None, out))
            }
            Expr::Paren(p) => self.lower_expr_stmt(&p.expr, out),
            Expr::Assign(a) => {
                self.lower_assign_expr(e, &a.left, &a.right, None, a.eq_token.span, out)
            }
            Expr::Binary(b) if compound_op(&b.op).is_some() => {
                self.lower_assign_expr(e, &b.left, &b.right, compound_op(&b.op), b.op.span(), out)
            }
            // `j %= n`, `j <<= 1`: an assignment of `j % n`, so that the reverse sweep
            // knows `j` changed (kept as written, the change would be invisible to it).
            Expr::Binary(b)
                if without_assignment(&b.op).is_some()
                    && matches!(strip_parens(&b.left), Expr::Path(_)) =>
            {
                let (left, right) = (&b.left, &b.right);
                let op = without_assignment(&b.op).expect("checked");
                let value: Expr = syn::parse_quote_spanned!(b.op.span()=> #left #op (#right));
                self.lower_assign_expr(e, left, &value, None, b.op.span(), out)
            }
            Expr::Return(r) => self.lower_return(r, out),
            Expr::Break(b) => self.lower_break(b, out),
            Expr::Continue(c) => self.lower_continue(c, out),
            Expr::Macro(m) => self.lower_macro_stmt(&m.mac, out),
            Expr::MethodCall(m) if self.lower_copy_from_slice(m, out) => {}
            Expr::MethodCall(m) if self.lower_fill(m, out) => {}
            Expr::MethodCall(m) if self.lower_buffer_method(m, out) => {}
            Expr::Call(c) if self.lower_swap(c, out) => {}
            e if !self.maybe_active(e) => {
                let tokens = self.opaque(e);
                out.push(Stmt::Effect(quote!(#tokens;)));
            }
            // An active value computed and dropped contributes nothing to the output.
            e => {
                let _ = self.lower_expr(e, out);
            }
        }
    }

    pub(super) fn lower_assign_expr(
        &mut self,
        whole: &Expr,
        left: &Expr,
        right: &Expr,
        compound: Option<BinOp>,
        operator_span: Span,
        out: &mut Vec<Stmt>,
    ) {
        if self.lower_element_assign(whole, left, right, compound, operator_span, out) {
            return;
        }
        let var = match strip_parens(left) {
            Expr::Path(p) => self.resolve_path(p),
            _ => None,
        };
        let Some(var) = var else {
            // A field or other place: fine while what is written carries no derivative.
            if self.maybe_active(right) {
                self.errors.push(check::place(left));
            } else {
                let tokens = self.opaque(whole);
                out.push(Stmt::Effect(quote!(#tokens;)));
            }
            return;
        };
        if self.vars[var].buffer {
            self.errors.push(check::buffer_operation(
                whole,
                "assigning a whole buffer",
                "write its elements (`v.copy_from_slice(&x)`, or a loop)",
            ));
            return;
        }
        match compound {
            None => self.lower_assign(var, right, out),
            Some(op) => {
                let rhs = if !self.maybe_active(right) && !self.maybe_active_var(var) {
                    let tokens = self.opaque(right);
                    let ident = &self.vars[var].ident;
                    let op_tokens = binop_tokens(op, operator_span);
                    Rhs::Opaque(quote!(#ident #op_tokens (#tokens)))
                } else {
                    let value = self.lower_expr(right, out);
                    Rhs::Binary {
                        op,
                        lhs: Atom::Var(var),
                        rhs: value,
                        span: operator_span,
                    }
                };
                out.push(Stmt::Assign {
                    var,
                    rhs,
                    span: right.span(),
                    tape: None,
                });
            }
        }
    }

    /// Assigns the value of `e` to the existing variable `var`.
    pub(super) fn lower_assign(&mut self, var: VarId, e: &Expr, out: &mut Vec<Stmt>) {
        if self.vars[var].buffer && !is_value_construct(e) {
            if !self.lower_buffer_assign(var, e, out) {
                self.errors.push(check::buffer_operation(
                    e,
                    "making the returned buffer this way",
                    "return a local buffer variable, a `vec![..]` or a `.collect()`",
                ));
            }
            return;
        }
        if is_value_construct(e) {
            self.lower_value_into(e, var, out);
        } else {
            let rhs = self.lower_rhs(e, out);
            out.push(Stmt::Assign {
                var,
                rhs,
                span: e.span(),
                tape: None,
            });
        }
    }

    /// Lowers `e` so that its value ends up in `dest` on every path that does not exit.
    pub(super) fn lower_value_into(&mut self, e: &Expr, dest: VarId, out: &mut Vec<Stmt>) {
        match e {
            Expr::If(i) => self.lower_if(i, Some(dest), out),
            Expr::Block(b) if b.label.is_none() => {
                self.with_scope(|this| this.lower_stmts(&b.block.stmts, Some(dest), out))
            }
            Expr::Loop(l) => self.lower_loop(l, Some(dest), out),
            Expr::Paren(p) => self.lower_value_into(&p.expr, dest, out),
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => self.lower_expr_stmt(e, out),
            e => self.lower_assign(dest, e, out),
        }
    }
}

pub(super) fn pat_key(pat: &Pat) -> usize {
    pat as *const Pat as usize
}

pub(super) fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Group(g) => strip_parens(&g.expr),
        e => e,
    }
}

/// Expressions whose value is produced by statements (`if`, blocks, `loop`).
pub(super) fn is_value_construct(e: &Expr) -> bool {
    match e {
        Expr::If(_) | Expr::Loop(_) => true,
        Expr::Block(b) => b.label.is_none(),
        Expr::Paren(p) => is_value_construct(&p.expr),
        _ => false,
    }
}

/// The receiver of `x.sin_cos()` or `f64::sin_cos(x)`, and the span of the method's name.
pub(super) fn sin_cos_receiver(e: &Expr) -> Option<(&Expr, Span)> {
    match strip_parens(e) {
        Expr::MethodCall(m) if m.method == "sin_cos" && m.args.is_empty() => {
            Some((&m.receiver, m.method.span()))
        }
        Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            Expr::Path(p) if p.qself.is_none() && p.path.segments.len() == 2 => {
                let ty = &p.path.segments[0].ident;
                let name = &p.path.segments[1].ident;
                ((ty == "f64" || ty == "f32") && name == "sin_cos")
                    .then(|| (&c.args[0], name.span()))
            }
            _ => None,
        },
        _ => None,
    }
}

/// Macros whose value never carries a derivative (strings, booleans, locations).
pub(super) fn macro_value_is_inactive(mac: &syn::Macro) -> bool {
    const INACTIVE: &[&str] = &[
        "format",
        "format_args",
        "matches",
        "concat",
        "stringify",
        "line",
        "column",
        "file",
        "module_path",
        "env",
        "option_env",
        "cfg",
        "include_str",
    ];
    mac.path
        .segments
        .last()
        .is_some_and(|s| INACTIVE.contains(&s.ident.to_string().as_str()))
}

pub(super) fn is_stop_gradient(func: &Expr) -> bool {
    match func {
        Expr::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "stop_gradient"),
        _ => false,
    }
}

pub(super) fn arithmetic_op(op: &SynBinOp) -> Option<BinOp> {
    match op {
        SynBinOp::Add(_) => Some(BinOp::Add),
        SynBinOp::Sub(_) => Some(BinOp::Sub),
        SynBinOp::Mul(_) => Some(BinOp::Mul),
        SynBinOp::Div(_) => Some(BinOp::Div),
        _ => None,
    }
}

pub(super) fn compound_op(op: &SynBinOp) -> Option<BinOp> {
    match op {
        SynBinOp::AddAssign(_) => Some(BinOp::Add),
        SynBinOp::SubAssign(_) => Some(BinOp::Sub),
        SynBinOp::MulAssign(_) => Some(BinOp::Mul),
        SynBinOp::DivAssign(_) => Some(BinOp::Div),
        _ => None,
    }
}

/// The operator of a compound assignment without a derivative rule (`%=`, `<<=`, `&=`, ..)
/// as a plain binary operator.
fn without_assignment(op: &SynBinOp) -> Option<SynBinOp> {
    Some(match op {
        SynBinOp::RemAssign(t) => SynBinOp::Rem(syn::Token![%](t.spans[0])),
        SynBinOp::BitXorAssign(t) => SynBinOp::BitXor(syn::Token![^](t.spans[0])),
        SynBinOp::BitAndAssign(t) => SynBinOp::BitAnd(syn::Token![&](t.spans[0])),
        SynBinOp::BitOrAssign(t) => SynBinOp::BitOr(syn::Token![|](t.spans[0])),
        SynBinOp::ShlAssign(t) => SynBinOp::Shl(syn::Token![<<](t.spans[0])),
        SynBinOp::ShrAssign(t) => SynBinOp::Shr(syn::Token![>>](t.spans[0])),
        _ => return None,
    })
}

pub fn binop_tokens(op: BinOp, span: Span) -> TokenStream {
    match op {
        BinOp::Add => quote_spanned!(span=> +),
        BinOp::Sub => quote_spanned!(span=> -),
        BinOp::Mul => quote_spanned!(span=> *),
        BinOp::Div => quote_spanned!(span=> /),
    }
}

/// `g_tangent(args)` destructured into two names: the calls of `g_tangent_value(args)` and
/// `g_tangent_slope(args)` that give its parts.
fn tangent_parts(init: &Expr, names: usize) -> Option<[Expr; 2]> {
    let Expr::Call(call) = strip_parens(init) else {
        return None;
    };
    let Expr::Path(path) = &*call.func else {
        return None;
    };
    let last = path.path.segments.last()?;
    if names != 2 || !last.ident.to_string().ends_with("_tangent") {
        return None;
    }
    let part = |suffix: &str| {
        let mut call = call.clone();
        let mut path = path.clone();
        let last = path.path.segments.last_mut().expect("checked");
        last.ident = quote::format_ident!("{}_{}", last.ident, suffix, span = last.ident.span());
        *call.func = Expr::Path(path);
        Expr::Call(call)
    };
    Some([part("value"), part("slope")])
}
