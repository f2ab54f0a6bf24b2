//! Lowering of `if`, loops, and `break` / `continue` / `return`.

use quote::ToTokens;
use syn::{Expr, Pat};

use super::*;
use crate::check;
use crate::ir::*;

impl Lowering<'_> {
    // ---------------------------------------------------------------- control flow

    pub(super) fn lower_if(&mut self, i: &syn::ExprIf, dest: Option<VarId>, out: &mut Vec<Stmt>) {
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

    pub(super) fn new_loop(
        &mut self,
        label: Option<&syn::Label>,
        result: Option<VarId>,
    ) -> (LoopId, VarId) {
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

    pub(super) fn finish_loop(
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

    pub(super) fn lower_while(&mut self, w: &syn::ExprWhile, out: &mut Vec<Stmt>) {
        if let Expr::Let(l) = &*w.cond {
            self.errors.push(check::if_let(l));
            return;
        }
        let cond = self.opaque(&w.cond);
        let (id, trips) = self.new_loop(w.label.as_ref(), None);
        let body = self.with_block(|this, b| this.lower_stmts(&w.body.stmts, None, &mut b.stmts));
        self.finish_loop(id, trips, LoopHead::While(cond), body, out);
    }

    pub(super) fn lower_loop(
        &mut self,
        l: &syn::ExprLoop,
        result: Option<VarId>,
        out: &mut Vec<Stmt>,
    ) {
        let (id, trips) = self.new_loop(l.label.as_ref(), result);
        let body = self.with_block(|this, b| this.lower_stmts(&l.body.stmts, None, &mut b.stmts));
        self.finish_loop(id, trips, LoopHead::Loop, body, out);
    }

    pub(super) fn lower_for(&mut self, f: &syn::ExprForLoop, out: &mut Vec<Stmt>) {
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
        let mut destructured = None;
        let body = self.with_block(|this, b| {
            match &*f.pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    let var = this.bind(&p.ident, VarKind::User, Some(pat_key(&f.pat)));
                    loop_var = Some(var);
                    if probing {
                        // Each value the loop takes may carry a derivative from the iterated
                        // expression; the second lowering rejects that case.
                        let reads = this.active_reads(&f.expr);
                        b.stmts.push(Stmt::Let {
                            var,
                            ty: None,
                            init: Some(Rhs::Rejected(reads.into_iter().map(Atom::Var).collect())),
                            span: p.ident.span(),
                        });
                    }
                }
                Pat::Wild(_) => {}
                other => {
                    // A pattern over values that carry no derivative: bind every name in it.
                    let mut pattern = other.clone();
                    this.bind_pattern_names(other, &mut pattern, probing, &f.expr, &mut b.stmts);
                    destructured = Some(pattern.to_token_stream());
                }
            }
            this.lower_stmts(&f.body.stmts, None, &mut b.stmts)
        });
        self.finish_loop(
            id,
            trips,
            LoopHead::For {
                var: loop_var,
                iter,
                pattern: destructured,
            },
            body,
            out,
        );
    }

    pub(super) fn target_loop(
        &mut self,
        label: Option<&syn::Lifetime>,
        node: &dyn ToTokens,
    ) -> Option<usize> {
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

    pub(super) fn lower_return(&mut self, r: &syn::ExprReturn, out: &mut Vec<Stmt>) {
        if let Some(e) = &r.expr {
            let output = self.output;
            self.lower_value_into(e, output, out);
        }
        out.push(Stmt::Exit(ExitKind::Return));
    }

    pub(super) fn lower_break(&mut self, b: &syn::ExprBreak, out: &mut Vec<Stmt>) {
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

    pub(super) fn lower_continue(&mut self, c: &syn::ExprContinue, out: &mut Vec<Stmt>) {
        let Some(index) = self.target_loop(c.label.as_ref(), c) else {
            return;
        };
        let id = self.loops[index].id;
        out.push(Stmt::Exit(ExitKind::Continue(id)));
    }

    /// Binds every name in `pattern` (renaming it in place where it shadows), as variables
    /// that carry no derivative.
    fn bind_pattern_names(
        &mut self,
        original: &Pat,
        pattern: &mut Pat,
        probing: bool,
        iterated: &Expr,
        stmts: &mut Vec<Stmt>,
    ) {
        // Bindings are identified by the address of their name in the user's own pattern
        // (`original`), which both lowerings share; the copy gets the emitted names.
        struct Keys(Vec<usize>);
        impl<'ast> syn::visit::Visit<'ast> for Keys {
            fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
                self.0.push(p as *const syn::PatIdent as usize);
            }
        }
        let mut keys = Keys(Vec::new());
        syn::visit::visit_pat(&mut keys, original);
        struct Binder<'l, 'a> {
            lowering: &'l mut Lowering<'a>,
            keys: std::vec::IntoIter<usize>,
            bound: Vec<VarId>,
        }
        impl syn::visit_mut::VisitMut for Binder<'_, '_> {
            fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
                let key = self.keys.next();
                let var = self.lowering.bind(&p.ident, VarKind::User, key);
                p.ident = self.lowering.vars[var].ident.clone();
                self.bound.push(var);
            }
        }
        let mut binder = Binder {
            lowering: self,
            keys: keys.0.into_iter(),
            bound: Vec::new(),
        };
        syn::visit_mut::visit_pat_mut(&mut binder, pattern);
        let bound = binder.bound;
        if probing {
            let reads: Vec<Atom> = self
                .active_reads(iterated)
                .into_iter()
                .map(Atom::Var)
                .collect();
            for var in bound {
                stmts.push(Stmt::Let {
                    var,
                    ty: None,
                    init: Some(Rhs::Rejected(reads.clone())),
                    span: iterated.span(),
                });
            }
        }
    }
}
