//! Lowering: the user's body into the IR of `ir.rs`.
//!
//! Names are resolved with Rust's scoping (a binding that shadows an earlier one is renamed),
//! expressions that may carry a derivative are split into one operation per temporary, and
//! expressions that cannot are kept as written ([`Rhs::Opaque`]), so the forward sweep reads
//! like the user's code. Which expressions may carry a derivative is known from a first
//! lowering of the whole body with everything lowered (see `expand.rs`), keyed by the address
//! of each binding's pattern in the syntax tree.

mod iterators;
mod macros;

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{BinOp as SynBinOp, Expr, Ident, Pat, Stmt as SynStmt, UnOp};

use crate::check::{self, Errors, Signature};
use crate::ir::*;
use crate::names;
use crate::params::ParamKind;

/// Methods whose result never carries a derivative (booleans, integers, orderings).
const METHODS_WITHOUT_TANGENT: &[&str] = &[
    "is_nan",
    "is_infinite",
    "is_finite",
    "is_normal",
    "is_subnormal",
    "is_sign_positive",
    "is_sign_negative",
    "classify",
    "to_bits",
    "partial_cmp",
    "total_cmp",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "len",
    "is_empty",
    "to_string",
];

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
    };
    let mut params = Vec::new();
    for param in &sig.params {
        let var = lowering.bind(&param.ident, VarKind::Param, Some(param.pattern_key));
        lowering.vars[var].buffer = matches!(param.kind, ParamKind::Buffer { .. });
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
    lowering.lower_stmts(&item.block.stmts, Some(output), &mut body.stmts);
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
        },
        binding_keys: lowering.binding_keys,
    }
}

impl Lowering<'_> {
    // ---------------------------------------------------------------- variables

    fn new_var(&mut self, ident: Ident, kind: VarKind, key: Option<usize>) -> VarId {
        self.vars.push(Var {
            ident,
            kind,
            block: self.block,
            reassigned: false,
            buffer: false,
            active: false,
            needed: false,
            saved_tape: None,
        });
        self.binding_keys.push(key);
        self.vars.len() - 1
    }

    /// Binds a user name in the innermost scope, renaming it if the name was bound before.
    fn bind(&mut self, ident: &Ident, kind: VarKind, key: Option<usize>) -> VarId {
        let var = self.declare(ident, kind, key);
        self.enter(ident, var);
        var
    }

    /// Creates the variable for a user binding without bringing it into scope yet.
    fn declare(&mut self, ident: &Ident, kind: VarKind, key: Option<usize>) -> VarId {
        let count = self.times_bound.entry(ident.to_string()).or_insert(0);
        *count += 1;
        let emitted = if *count == 1 {
            ident.clone()
        } else {
            self.namer.renamed(ident)
        };
        self.new_var(emitted, kind, key)
    }

    fn enter(&mut self, ident: &Ident, var: VarId) {
        let scope = self.scopes.last_mut().expect("a scope");
        scope.push((ident.to_string(), var));
    }

    fn temp(&mut self) -> VarId {
        let ident = self.namer.temp();
        self.new_var(ident, VarKind::Temp, None)
    }

    fn resolve(&self, name: &str) -> Option<VarId> {
        self.scopes
            .iter()
            .rev()
            .flat_map(|scope| scope.iter().rev())
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    fn resolve_path(&self, path: &syn::ExprPath) -> Option<VarId> {
        if path.qself.is_some() {
            return None;
        }
        path.path
            .get_ident()
            .and_then(|i| self.resolve(&i.to_string()))
    }

    fn maybe_active_var(&self, var: VarId) -> bool {
        match self.prior {
            None => true,
            Some(prior) => self.binding_keys[var]
                .and_then(|key| prior.get(&key).copied())
                .unwrap_or(false),
        }
    }

    fn with_scope<R>(&mut self, f: impl FnOnce(&mut Self) -> R) -> R {
        self.scopes.push(Vec::new());
        let result = f(self);
        self.scopes.pop();
        result
    }

    fn with_block(&mut self, f: impl FnOnce(&mut Self, &mut Block)) -> Block {
        let mut block = Block::new(self.block_count);
        self.block_count += 1;
        let outer = std::mem::replace(&mut self.block, block.id);
        self.with_scope(|this| f(this, &mut block));
        self.block = outer;
        block
    }

    // ---------------------------------------------------------------- statements

    /// Lowers a statement list; the tail expression's value goes to `dest`.
    fn lower_stmts(&mut self, stmts: &[SynStmt], dest: Option<VarId>, out: &mut Vec<Stmt>) {
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

    fn lower_stmt(&mut self, stmt: &SynStmt, out: &mut Vec<Stmt>) {
        match stmt {
            SynStmt::Local(local) => self.lower_local(local, out),
            SynStmt::Item(item) => out.push(Stmt::Effect(item.to_token_stream())),
            SynStmt::Macro(m) => self.lower_macro_stmt(&m.mac, out),
            SynStmt::Expr(e, _) => self.lower_expr_stmt(e, out),
        }
    }

    fn lower_local(&mut self, local: &syn::Local, out: &mut Vec<Stmt>) {
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
    fn lower_tuple_let(&mut self, tuple: &syn::PatTuple, init: Option<&Expr>, out: &mut Vec<Stmt>) {
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
            let var = self.bind(&ident, VarKind::User, Some(key));
            out.push(Stmt::Let {
                var,
                ty: None,
                init: Some(value),
                span: ident.span(),
            });
        }
    }

    fn lower_macro_stmt(&mut self, mac: &syn::Macro, out: &mut Vec<Stmt>) {
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

    fn lower_expr_stmt(&mut self, e: &Expr, out: &mut Vec<Stmt>) {
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
                self.lower_assign_expr(&a.left, &a.right, None, a.eq_token.span, out)
            }
            Expr::Binary(b) if compound_op(&b.op).is_some() => {
                self.lower_assign_expr(&b.left, &b.right, compound_op(&b.op), b.op.span(), out)
            }
            Expr::Return(r) => self.lower_return(r, out),
            Expr::Break(b) => self.lower_break(b, out),
            Expr::Continue(c) => self.lower_continue(c, out),
            Expr::Macro(m) => self.lower_macro_stmt(&m.mac, out),
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

    fn lower_assign_expr(
        &mut self,
        left: &Expr,
        right: &Expr,
        compound: Option<BinOp>,
        operator_span: Span,
        out: &mut Vec<Stmt>,
    ) {
        let var = match strip_parens(left) {
            Expr::Path(p) => self.resolve_path(p),
            _ => None,
        };
        let Some(var) = var else {
            self.errors.push(check::place(left));
            return;
        };
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
    fn lower_assign(&mut self, var: VarId, e: &Expr, out: &mut Vec<Stmt>) {
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
    fn lower_value_into(&mut self, e: &Expr, dest: VarId, out: &mut Vec<Stmt>) {
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

    // ---------------------------------------------------------------- control flow

    fn lower_if(&mut self, i: &syn::ExprIf, dest: Option<VarId>, out: &mut Vec<Stmt>) {
        if let Expr::Let(l) = &*i.cond {
            self.errors.push(check::if_let(l));
            return;
        }
        let cond = self.opaque(&i.cond);
        let ident = self.namer.branch();
        let branch = self.new_var(ident, VarKind::Branch, None);
        let then_block =
            self.with_block(|this, b| this.lower_stmts(&i.then_branch.stmts, dest, &mut b.stmts));
        let else_block = self.with_block(|this, b| match &i.else_branch {
            None => {}
            Some((_, e)) => match &**e {
                Expr::If(nested) => this.lower_if(nested, dest, &mut b.stmts),
                Expr::Block(block) => this.lower_stmts(&block.block.stmts, dest, &mut b.stmts),
                other => match dest {
                    Some(d) => this.lower_value_into(other, d, &mut b.stmts),
                    None => this.lower_expr_stmt(other, &mut b.stmts),
                },
            },
        });
        out.push(Stmt::If {
            branch,
            cond,
            then_block,
            else_block,
        });
    }

    fn new_loop(&mut self, label: Option<&syn::Label>, result: Option<VarId>) -> (LoopId, VarId) {
        self.loop_count += 1;
        let id = self.loop_count;
        let ident = self.namer.trips();
        let trips = self.new_var(ident, VarKind::Trips, None);
        self.loops.push(LoopContext {
            id,
            label: label.map(|l| l.name.ident.to_string()),
            result,
        });
        (id, trips)
    }

    fn finish_loop(
        &mut self,
        id: LoopId,
        trips: VarId,
        head: LoopHead,
        body: Block,
        out: &mut Vec<Stmt>,
    ) {
        self.loops.pop();
        out.push(Stmt::Loop {
            id,
            trips,
            head,
            body,
            dispatch: Vec::new(),
        });
    }

    fn lower_while(&mut self, w: &syn::ExprWhile, out: &mut Vec<Stmt>) {
        if let Expr::Let(l) = &*w.cond {
            self.errors.push(check::if_let(l));
            return;
        }
        let cond = self.opaque(&w.cond);
        let (id, trips) = self.new_loop(w.label.as_ref(), None);
        let body = self.with_block(|this, b| this.lower_stmts(&w.body.stmts, None, &mut b.stmts));
        self.finish_loop(id, trips, LoopHead::While(cond), body, out);
    }

    fn lower_loop(&mut self, l: &syn::ExprLoop, result: Option<VarId>, out: &mut Vec<Stmt>) {
        let (id, trips) = self.new_loop(l.label.as_ref(), result);
        let body = self.with_block(|this, b| this.lower_stmts(&l.body.stmts, None, &mut b.stmts));
        self.finish_loop(id, trips, LoopHead::Loop, body, out);
    }

    fn lower_for(&mut self, f: &syn::ExprForLoop, out: &mut Vec<Stmt>) {
        // The first lowering treats every binding as possibly active; it must not drop the
        // loop, or activity flowing through the body would go unseen.
        if self.lower_for_chain(f, out) {
            return;
        }
        let probing = self.prior.is_none();
        if !probing && self.maybe_active(&f.expr) {
            self.errors.push(check::for_over_active(&f.expr));
            return;
        }
        let iter = self.opaque(&f.expr);
        let (id, trips) = self.new_loop(f.label.as_ref(), None);
        let mut loop_var = None;
        let body = self.with_block(|this, b| {
            match &*f.pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    let var = this.bind(&p.ident, VarKind::User, Some(pat_key(&f.pat)));
                    loop_var = Some(var);
                    if probing {
                        // Each value the loop takes may carry a derivative from the iterated
                        // expression; the second lowering rejects that case.
                        let mut reads = Vec::new();
                        this.mentioned_vars(f.expr.to_token_stream(), &mut reads);
                        b.stmts.push(Stmt::Let {
                            var,
                            ty: None,
                            init: Some(Rhs::Rejected(reads.into_iter().map(Atom::Var).collect())),
                            span: p.ident.span(),
                        });
                    }
                }
                Pat::Wild(_) => {}
                other => this.errors.push(check::for_pattern(other)),
            }
            this.lower_stmts(&f.body.stmts, None, &mut b.stmts)
        });
        self.finish_loop(
            id,
            trips,
            LoopHead::For {
                var: loop_var,
                iter,
            },
            body,
            out,
        );
    }

    fn target_loop(&mut self, label: Option<&syn::Lifetime>, node: &dyn ToTokens) -> Option<usize> {
        let found = match label {
            None => self.loops.len().checked_sub(1),
            Some(l) => {
                let name = l.ident.to_string();
                self.loops
                    .iter()
                    .rposition(|c| c.label.as_deref() == Some(&name))
            }
        };
        if found.is_none() {
            self.errors.push(match label {
                Some(l) => check::unknown_label(l),
                None => check::exit_outside_loop(node),
            });
        }
        found
    }

    fn lower_return(&mut self, r: &syn::ExprReturn, out: &mut Vec<Stmt>) {
        if let Some(e) = &r.expr {
            let output = self.output;
            self.lower_value_into(e, output, out);
        }
        out.push(Stmt::Exit(ExitKind::Return));
    }

    fn lower_break(&mut self, b: &syn::ExprBreak, out: &mut Vec<Stmt>) {
        let Some(index) = self.target_loop(b.label.as_ref(), b) else {
            return;
        };
        let id = self.loops[index].id;
        if let Some(e) = &b.expr {
            match self.loops[index].result {
                Some(result) => self.lower_value_into(e, result, out),
                None => self
                    .errors
                    .push(check::expression(e, "`break` with a value here")),
            }
        }
        out.push(Stmt::Exit(ExitKind::Break(id)));
    }

    fn lower_continue(&mut self, c: &syn::ExprContinue, out: &mut Vec<Stmt>) {
        let Some(index) = self.target_loop(c.label.as_ref(), c) else {
            return;
        };
        let id = self.loops[index].id;
        out.push(Stmt::Exit(ExitKind::Continue(id)));
    }

    // ---------------------------------------------------------------- expressions

    /// Lowers `e` to an operand, naming it with a temporary unless it already is one.
    fn lower_expr(&mut self, e: &Expr, out: &mut Vec<Stmt>) -> Atom {
        let rhs = self.lower_rhs(e, out);
        match rhs {
            Rhs::Atom(atom) => atom,
            rhs => {
                let temp = self.temp();
                out.push(Stmt::Let {
                    var: temp,
                    ty: None,
                    init: Some(rhs),
                    span: e.span(),
                });
                Atom::Var(temp)
            }
        }
    }

    /// Lowers `e` to one operation whose operands are lowered first.
    fn lower_rhs(&mut self, e: &Expr, out: &mut Vec<Stmt>) -> Rhs {
        match e {
            Expr::Paren(p) => return self.lower_rhs(&p.expr, out),
            Expr::Group(g) => return self.lower_rhs(&g.expr, out),
            Expr::Path(p) => {
                if let Some(var) = self.resolve_path(p) {
                    if self.vars[var].buffer {
                        return self.reject(check::buffer_value(e), e);
                    }
                    return Rhs::Atom(Atom::Var(var));
                }
            }
            _ => {}
        }
        if !self.maybe_active(e) {
            let tokens = self.opaque(e);
            return if self.is_constant(e) {
                let simple = matches!(strip_parens(e), Expr::Lit(_) | Expr::Path(_));
                let tokens = if simple {
                    strip_parens(e).to_token_stream()
                } else {
                    quote_spanned!(e.span()=> (#tokens))
                };
                Rhs::Atom(Atom::Const(tokens))
            } else {
                Rhs::Opaque(tokens)
            };
        }
        match e {
            Expr::Lit(_) | Expr::Path(_) => Rhs::Atom(Atom::Const(e.to_token_stream())),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => Rhs::Neg(self.lower_expr(&u.expr, out)),
                UnOp::Deref(_) => match self.element_binding(&u.expr) {
                    Some(var) => Rhs::Atom(Atom::Var(var)),
                    None => self.unsupported(e, "dereferencing"),
                },
                _ => self.unsupported(e, "this unary operator"),
            },
            Expr::Binary(b) => match arithmetic_op(&b.op) {
                Some(op) => {
                    let lhs = self.lower_expr(&b.left, out);
                    let rhs = self.lower_expr(&b.right, out);
                    Rhs::Binary {
                        op,
                        lhs,
                        rhs,
                        span: b.op.span(),
                    }
                }
                None if matches!(b.op, SynBinOp::Rem(_)) => self.reject(check::remainder(&b.op), e),
                None if compound_op(&b.op).is_some() => {
                    self.lower_assign_expr(&b.left, &b.right, compound_op(&b.op), b.op.span(), out);
                    Rhs::Opaque(quote!(()))
                }
                None => self.unsupported(e, "this operator"),
            },
            Expr::MethodCall(m) => match self.reduction(m) {
                Some(reduction) => {
                    match self.lower_reduction(&m.receiver, reduction, m.method.span(), out) {
                        Some(rhs) => rhs,
                        None => self.unsupported(e, "this iteration"),
                    }
                }
                None => self.lower_method(m, out),
            },
            Expr::Call(c) => self.lower_call(c, out),
            Expr::Cast(c) => {
                let value = self.lower_expr(&c.expr, out);
                Rhs::Cast {
                    value,
                    ty: (*c.ty).clone(),
                }
            }
            Expr::Block(b) if b.label.is_some() => self.reject(check::labeled_block(b), e),
            Expr::If(_) | Expr::Block(_) | Expr::Loop(_) => {
                let temp = self.temp();
                out.push(Stmt::Let {
                    var: temp,
                    ty: None,
                    init: None,
                    span: e.span(),
                });
                self.lower_value_into(e, temp, out);
                Rhs::Atom(Atom::Var(temp))
            }
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => {
                self.lower_expr_stmt(e, out);
                // Unreachable: `exits.rs` drops whatever follows an exit.
                Rhs::Atom(Atom::Const(quote!(::core::default::Default::default())))
            }
            Expr::Assign(a) => {
                self.lower_assign_expr(&a.left, &a.right, None, a.eq_token.span, out);
                Rhs::Opaque(quote!(()))
            }
            Expr::Closure(c) => self.reject(check::closure(c), e),
            Expr::Match(m) => self.reject(check::match_expr(&m.match_token), e),
            Expr::Unsafe(u) => self.reject(check::unsafe_block(&u.unsafe_token), e),
            Expr::Async(a) => self.reject(check::async_expr(&a.async_token), e),
            Expr::Await(a) => self.reject(check::async_expr(&a.await_token), e),
            Expr::Let(l) => self.reject(check::if_let(l), e),
            Expr::Tuple(t) => self.reject(check::tuple_value(t), e),
            Expr::Macro(m) => {
                let name = m.mac.path.segments.last().map(|s| s.ident.to_string());
                self.reject(check::macro_call(m, &name.unwrap_or_default()), e)
            }
            Expr::Field(field) => match (sin_cos_receiver(&field.base), &field.member) {
                (Some((receiver, span)), syn::Member::Unnamed(i)) if i.index < 2 => {
                    let recv = self.lower_expr(receiver, out);
                    let name = if i.index == 0 { "sin" } else { "cos" };
                    Rhs::Method {
                        name: Ident::new(name, span),
                        path_prefix: None,
                        recv,
                        args: Vec::new(),
                    }
                }
                _ => self.unsupported(e, "field access"),
            },
            Expr::Index(ix) => self.lower_index(ix, e, out),
            Expr::Reference(_) => self.unsupported(e, "taking a reference"),
            _ => self.unsupported(e, "this expression"),
        }
    }

    /// `.sum()`, `.product()` and `.fold(..)` at the end of an iteration.
    fn reduction<'e>(&self, m: &'e syn::ExprMethodCall) -> Option<iterators::Reduction<'e>> {
        let ty = m.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(ty)) if t.args.len() == 1 => Some(ty.clone()),
            _ => None,
        });
        match (m.method.to_string().as_str(), m.args.len()) {
            ("sum", 0) => Some(iterators::Reduction::Sum(ty)),
            ("product", 0) => Some(iterators::Reduction::Product(ty)),
            ("fold", 2) => match &m.args[1] {
                Expr::Closure(closure) => Some(iterators::Reduction::Fold(&m.args[0], closure)),
                _ => None,
            },
            _ => None,
        }
    }

    /// `x[i]` for a buffer `x`.
    fn lower_index(&mut self, ix: &syn::ExprIndex, e: &Expr, out: &mut Vec<Stmt>) -> Rhs {
        let base = match strip_parens(&ix.expr) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer),
            _ => None,
        };
        let Some(base) = base else {
            return self.unsupported(e, "indexing this value");
        };
        if matches!(strip_parens(&ix.index), Expr::Range(_)) {
            return self.unsupported(e, "slicing (`x[a..b]`)");
        }
        let index = self.lower_expr(&ix.index, out);
        Rhs::Index { base, index }
    }

    /// The variable `e` names if it was bound to a buffer's element by iteration.
    fn element_binding(&self, e: &Expr) -> Option<VarId> {
        match strip_parens(e) {
            Expr::Path(p) => self
                .resolve_path(p)
                .filter(|v| self.element_bindings.contains(v)),
            _ => None,
        }
    }

    fn lower_method(&mut self, m: &syn::ExprMethodCall, out: &mut Vec<Stmt>) -> Rhs {
        if let Some(turbofish) = &m.turbofish {
            return self.reject(check::turbofish(turbofish), m);
        }
        let name = m.method.to_string();
        if (name == "clone" || name == "to_owned") && m.args.is_empty() {
            return Rhs::Atom(self.lower_expr(&m.receiver, out));
        }
        if name == "sin_cos" {
            return self.reject(check::tuple_value(m), m);
        }
        let recv = self.lower_expr(&m.receiver, out);
        let args = m.args.iter().map(|a| self.lower_expr(a, out)).collect();
        Rhs::Method {
            name: m.method.clone(),
            path_prefix: None,
            recv,
            args,
        }
    }

    fn lower_call(&mut self, c: &syn::ExprCall, out: &mut Vec<Stmt>) -> Rhs {
        let Expr::Path(path) = &*c.func else {
            return self.unsupported(c, "calling this expression");
        };
        if self.resolve_path(path).is_some() {
            return self.reject(check::closure_call(c), c);
        }
        let segments = &path.path.segments;
        // `f64::sin(x)` is the method `x.sin()`.
        if path.qself.is_none() && segments.len() == 2 && !c.args.is_empty() {
            let ty = segments[0].ident.to_string();
            if ty == "f64" || ty == "f32" {
                let name = segments[1].ident.clone();
                if name == "sin_cos" {
                    return self.reject(check::tuple_value(c), c);
                }
                let mut args = c.args.iter();
                let recv = self.lower_expr(args.next().expect("checked non-empty"), out);
                let args = args.map(|a| self.lower_expr(a, out)).collect();
                let prefix = segments[0].ident.to_token_stream();
                return Rhs::Method {
                    name,
                    path_prefix: Some(prefix),
                    recv,
                    args,
                };
            }
        }
        let args = c.args.iter().map(|a| self.lower_expr(a, out)).collect();
        Rhs::Call {
            func: path.path.clone(),
            args,
        }
    }

    /// Reports `error` for `node`, which reads whatever locals it mentions.
    fn reject(&mut self, error: syn::Error, node: &impl ToTokens) -> Rhs {
        self.errors.push(error);
        let mut reads = Vec::new();
        self.mentioned_vars(node.to_token_stream(), &mut reads);
        Rhs::Rejected(reads.into_iter().map(Atom::Var).collect())
    }

    fn unsupported(&mut self, e: &(impl Spanned + ToTokens), what: &str) -> Rhs {
        self.reject(check::expression(e, what), e)
    }

    fn mentioned_vars(&self, tokens: TokenStream, out: &mut Vec<VarId>) {
        for tree in tokens {
            match tree {
                TokenTree::Ident(i) => out.extend(self.resolve(&i.to_string())),
                TokenTree::Group(g) => self.mentioned_vars(g.stream(), out),
                _ => {}
            }
        }
    }

    // ---------------------------------------------------------------- activity and renaming

    /// Whether `e` may carry a derivative: it reads a binding that may be active, outside the
    /// places that never carry one (conditions, comparisons, `stop_gradient`, integer casts).
    fn maybe_active(&self, e: &Expr) -> bool {
        let mut finder = ActiveFinder {
            lowering: self,
            found: false,
        };
        finder.visit_expr(e);
        finder.found
    }

    fn maybe_active_tokens(&self, tokens: &TokenStream) -> bool {
        tokens.clone().into_iter().any(|tree| match tree {
            TokenTree::Ident(i) => self
                .resolve(&i.to_string())
                .is_some_and(|v| self.maybe_active_var(v)),
            TokenTree::Group(g) => self.maybe_active_tokens(&g.stream()),
            _ => false,
        })
    }

    /// Whether `e` reads no local variable and calls nothing: safe to evaluate again.
    fn is_constant(&self, e: &Expr) -> bool {
        struct ConstantCheck<'l, 'a> {
            lowering: &'l Lowering<'a>,
            constant: bool,
        }
        impl<'ast> Visit<'ast> for ConstantCheck<'_, '_> {
            fn visit_expr(&mut self, e: &'ast Expr) {
                match e {
                    Expr::Lit(_)
                    | Expr::Paren(_)
                    | Expr::Group(_)
                    | Expr::Unary(_)
                    | Expr::Binary(_)
                    | Expr::Cast(_) => syn::visit::visit_expr(self, e),
                    Expr::Path(p) => {
                        if self.lowering.resolve_path(p).is_some() {
                            self.constant = false;
                        }
                    }
                    _ => self.constant = false,
                }
            }
        }
        let mut check = ConstantCheck {
            lowering: self,
            constant: true,
        };
        check.visit_expr(e);
        check.constant
    }

    /// `e` as tokens, with renamed bindings rewritten to their new names.
    fn opaque(&mut self, e: &Expr) -> TokenStream {
        let mut e = e.clone();
        let mut renamer = Renamer {
            lowering: self,
            inner_bindings: Vec::new(),
            conflicts: Vec::new(),
            hidden_writes: Vec::new(),
        };
        renamer.visit_expr_mut(&mut e);
        let conflicts = std::mem::take(&mut renamer.conflicts);
        let hidden_writes = std::mem::take(&mut renamer.hidden_writes);
        for (span, name) in conflicts {
            self.errors.push(check::shadowed_inside_opaque(span, &name));
        }
        for span in hidden_writes {
            self.errors.push(check::hidden_write(&span));
        }
        e.to_token_stream()
    }

    /// Renames identifiers in macro input, where no syntax tree is available.
    fn rename_tokens(&self, tokens: TokenStream) -> TokenStream {
        tokens
            .into_iter()
            .map(|tree| match tree {
                TokenTree::Ident(i) => match self.renamed_ident(&i.to_string()) {
                    Some(new) => TokenTree::Ident(Ident::new(
                        &new.to_string(),
                        i.span().resolved_at(new.span()),
                    )),
                    None => TokenTree::Ident(i),
                },
                TokenTree::Group(g) => {
                    let mut new =
                        proc_macro2::Group::new(g.delimiter(), self.rename_tokens(g.stream()));
                    new.set_span(g.span());
                    TokenTree::Group(new)
                }
                other => other,
            })
            .collect()
    }

    /// The emitted identifier of the binding `name` resolves to, if it differs from `name`.
    fn renamed_ident(&self, name: &str) -> Option<Ident> {
        let var = self.resolve(name)?;
        let ident = &self.vars[var].ident;
        (*ident != name).then(|| ident.clone())
    }
}

/// Finds a read of a possibly active binding in an expression.
struct ActiveFinder<'l, 'a> {
    lowering: &'l Lowering<'a>,
    found: bool,
}

impl<'ast> Visit<'ast> for ActiveFinder<'_, '_> {
    fn visit_expr(&mut self, e: &'ast Expr) {
        if self.found {
            return;
        }
        match e {
            Expr::Path(p) => {
                if let Some(var) = self.lowering.resolve_path(p) {
                    self.found |= self.lowering.maybe_active_var(var);
                }
            }
            Expr::Binary(b) if arithmetic_op(&b.op).is_none() && compound_op(&b.op).is_none() => {
                // Comparisons and `&&` / `||` yield booleans; `%` is reported by lowering.
                if matches!(b.op, SynBinOp::Rem(_)) {
                    syn::visit::visit_expr(self, e)
                }
            }
            Expr::Unary(u) if matches!(u.op, UnOp::Not(_)) => {}
            Expr::Cast(c) if crate::check::float_kind(&c.ty).is_none() => {}
            Expr::Call(c) if is_stop_gradient(&c.func) => {}
            Expr::MethodCall(m)
                if METHODS_WITHOUT_TANGENT.contains(&m.method.to_string().as_str()) => {}
            Expr::If(i) => {
                self.visit_block(&i.then_branch);
                if let Some((_, e)) = &i.else_branch {
                    self.visit_expr(e);
                }
            }
            Expr::While(w) => self.visit_block(&w.body),
            Expr::ForLoop(f) => self.visit_block(&f.body),
            Expr::Macro(m) if macro_value_is_inactive(&m.mac) => {}
            Expr::Macro(m) => self.found |= self.lowering.maybe_active_tokens(&m.mac.tokens),
            _ => syn::visit::visit_expr(self, e),
        }
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        self.found |= self.lowering.maybe_active_tokens(&m.mac.tokens);
    }
}

/// Rewrites references to renamed bindings; reports inner bindings that would be captured.
struct Renamer<'l, 'a> {
    lowering: &'l Lowering<'a>,
    inner_bindings: Vec<String>,
    conflicts: Vec<(Span, String)>,
    hidden_writes: Vec<TokenStream>,
}

impl Renamer<'_, '_> {
    /// Notes a write to a variable of the function from inside an expression kept as
    /// written: the reverse sweep could not see it to restore the old value.
    fn check_write(&mut self, place: &Expr) {
        if let Expr::Path(p) = strip_parens(place) {
            if let Some(ident) = p.path.get_ident() {
                let name = ident.to_string();
                if !self.inner_bindings.contains(&name) && self.lowering.resolve(&name).is_some() {
                    self.hidden_writes.push(place.to_token_stream());
                }
            }
        }
    }
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Path(p) if p.qself.is_none() => {
                if let Some(ident) = p.path.get_ident() {
                    let name = ident.to_string();
                    if self.inner_bindings.contains(&name) {
                        return;
                    }
                    if let Some(new) = self.lowering.renamed_ident(&name) {
                        p.path.segments[0].ident = new;
                    }
                }
            }
            Expr::Macro(m) => m.mac = self.lowering.rename_format_macro(&m.mac),
            Expr::Unary(u)
                if matches!(u.op, UnOp::Deref(_))
                    && self.lowering.element_binding(&u.expr).is_some() =>
            {
                let mut inner = (*u.expr).clone();
                self.visit_expr_mut(&mut inner);
                *e = inner;
            }
            Expr::Assign(a) => {
                self.check_write(&a.left);
                syn::visit_mut::visit_expr_mut(self, e)
            }
            Expr::Binary(b) if compound_op(&b.op).is_some() => {
                self.check_write(&b.left);
                syn::visit_mut::visit_expr_mut(self, e)
            }
            Expr::Reference(r) if r.mutability.is_some() => {
                self.check_write(&r.expr);
                syn::visit_mut::visit_expr_mut(self, e)
            }
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
        let name = p.ident.to_string();
        if self.lowering.renamed_ident(&name).is_some() {
            self.conflicts.push((p.ident.span(), name.clone()));
        }
        self.inner_bindings.push(name);
    }

    fn visit_stmt_macro_mut(&mut self, m: &mut syn::StmtMacro) {
        m.mac = self.lowering.rename_format_macro(&m.mac);
    }
}

fn pat_key(pat: &Pat) -> usize {
    pat as *const Pat as usize
}

fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        Expr::Group(g) => strip_parens(&g.expr),
        e => e,
    }
}

/// Expressions whose value is produced by statements (`if`, blocks, `loop`).
fn is_value_construct(e: &Expr) -> bool {
    match e {
        Expr::If(_) | Expr::Loop(_) => true,
        Expr::Block(b) => b.label.is_none(),
        Expr::Paren(p) => is_value_construct(&p.expr),
        _ => false,
    }
}

/// The receiver of `x.sin_cos()` or `f64::sin_cos(x)`, and the span of the method's name.
fn sin_cos_receiver(e: &Expr) -> Option<(&Expr, Span)> {
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
fn macro_value_is_inactive(mac: &syn::Macro) -> bool {
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

fn is_stop_gradient(func: &Expr) -> bool {
    match func {
        Expr::Path(p) => p
            .path
            .segments
            .last()
            .is_some_and(|s| s.ident == "stop_gradient"),
        _ => false,
    }
}

fn arithmetic_op(op: &SynBinOp) -> Option<BinOp> {
    match op {
        SynBinOp::Add(_) => Some(BinOp::Add),
        SynBinOp::Sub(_) => Some(BinOp::Sub),
        SynBinOp::Mul(_) => Some(BinOp::Mul),
        SynBinOp::Div(_) => Some(BinOp::Div),
        _ => None,
    }
}

fn compound_op(op: &SynBinOp) -> Option<BinOp> {
    match op {
        SynBinOp::AddAssign(_) => Some(BinOp::Add),
        SynBinOp::SubAssign(_) => Some(BinOp::Sub),
        SynBinOp::MulAssign(_) => Some(BinOp::Mul),
        SynBinOp::DivAssign(_) => Some(BinOp::Div),
        _ => None,
    }
}

pub fn binop_tokens(op: BinOp, span: Span) -> TokenStream {
    match op {
        BinOp::Add => quote_spanned!(span=> +),
        BinOp::Sub => quote_spanned!(span=> -),
        BinOp::Mul => quote_spanned!(span=> *),
        BinOp::Div => quote_spanned!(span=> /),
    }
}
