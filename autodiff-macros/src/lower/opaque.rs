//! Which expressions may carry a derivative, and expressions kept as written: their
//! renamed bindings rewritten, and writes hidden inside them reported.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;
use syn::visit::Visit;
use syn::visit_mut::VisitMut;
use syn::{BinOp as SynBinOp, Expr, Ident, UnOp};

use super::*;
use crate::check;

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
    // A nalgebra matrix's shape.
    "nrows",
    "ncols",
    "shape",
];

impl Lowering<'_> {
    // ---------------------------------------------------------------- activity and renaming

    /// Whether `e` may carry a derivative: it reads a binding that may be active, outside the
    /// places that never carry one (conditions, comparisons, `stop_gradient`, integer casts).
    pub(super) fn maybe_active(&self, e: &Expr) -> bool {
        let mut finder = ActiveFinder {
            lowering: self,
            reads: Vec::new(),
            filter: true,
        };
        finder.visit_expr(e);
        !finder.reads.is_empty()
    }

    /// Every variable `e` reads where a derivative could flow, active or not.
    pub(super) fn active_reads(&self, e: &Expr) -> Vec<VarId> {
        let mut finder = ActiveFinder {
            lowering: self,
            reads: Vec::new(),
            filter: false,
        };
        finder.visit_expr(e);
        finder.reads
    }

    pub(super) fn maybe_active_tokens(&self, tokens: &TokenStream) -> bool {
        tokens.clone().into_iter().any(|tree| match tree {
            TokenTree::Ident(i) => self
                .resolve(&i.to_string())
                .is_some_and(|v| self.maybe_active_var(v)),
            TokenTree::Group(g) => self.maybe_active_tokens(&g.stream()),
            _ => false,
        })
    }

    /// Whether `e` reads no local variable and calls nothing: safe to evaluate again.
    pub(super) fn is_constant(&self, e: &Expr) -> bool {
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
    pub(super) fn opaque(&mut self, e: &Expr) -> TokenStream {
        self.kept_as_written(e, true)
    }

    /// `e` with renamed bindings rewritten; with `forbid_writes`, a write to one of the
    /// function's variables inside `e` is an error (the reverse sweep would not see it).
    pub(super) fn kept_as_written(&mut self, e: &Expr, forbid_writes: bool) -> TokenStream {
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
        for span in hidden_writes.into_iter().filter(|_| forbid_writes) {
            self.errors.push(check::hidden_write(&span));
        }
        e.to_token_stream()
    }

    /// Renames identifiers in macro input, where no syntax tree is available.
    pub(super) fn rename_tokens(&self, tokens: TokenStream) -> TokenStream {
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
    pub(super) fn renamed_ident(&self, name: &str) -> Option<Ident> {
        let var = self.resolve(name)?;
        let ident = &self.vars[var].ident;
        (*ident != name).then(|| ident.clone())
    }
}

/// Finds the reads of bindings in an expression where a derivative could flow; with `filter`,
/// only bindings that may be active, stopping at the first.
struct ActiveFinder<'l, 'a> {
    lowering: &'l Lowering<'a>,
    reads: Vec<VarId>,
    filter: bool,
}

impl ActiveFinder<'_, '_> {
    /// Macro input has no syntax tree: any identifier naming a binding counts.
    fn visit_macro_tokens(&mut self, tokens: &TokenStream) {
        let mut mentioned = Vec::new();
        self.lowering.mentioned_vars(tokens.clone(), &mut mentioned);
        self.reads.extend(
            mentioned
                .into_iter()
                .filter(|&v| !self.filter || self.lowering.maybe_active_var(v)),
        );
    }
}

impl<'ast> Visit<'ast> for ActiveFinder<'_, '_> {
    fn visit_expr(&mut self, e: &'ast Expr) {
        if self.filter && !self.reads.is_empty() {
            return;
        }
        match e {
            Expr::Path(p) => {
                if let Some(var) = self.lowering.resolve_path(p) {
                    if !self.filter || self.lowering.maybe_active_var(var) {
                        self.reads.push(var);
                    }
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
            Expr::Macro(m) if self.lowering.vec_bodies.get(m).is_some() => {
                // Only the elements of `vec![..]` can carry derivatives, not its length.
                match self.lowering.vec_bodies.get(m) {
                    Some(super::buffers::VecBody::Repeat(value)) => self.visit_expr(value),
                    Some(super::buffers::VecBody::List(items)) => {
                        items.iter().for_each(|item| self.visit_expr(item))
                    }
                    None => {}
                }
            }
            Expr::Macro(m) => self.visit_macro_tokens(&m.mac.tokens),
            _ => syn::visit::visit_expr(self, e),
        }
    }

    fn visit_stmt_macro(&mut self, m: &'ast syn::StmtMacro) {
        self.visit_macro_tokens(&m.mac.tokens);
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
