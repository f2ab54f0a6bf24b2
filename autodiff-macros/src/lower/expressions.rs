//! Lowering of expressions into one operation per temporary.

use proc_macro2::{TokenStream, TokenTree};
use quote::{quote, quote_spanned, ToTokens};
use syn::spanned::Spanned;
use syn::{BinOp as SynBinOp, Expr, Ident, UnOp};

use super::*;
use crate::check;
use crate::ir::*;

impl Lowering<'_> {
    // ---------------------------------------------------------------- expressions

    /// Lowers `e` to an operand, naming it with a temporary unless it already is one.
    pub(super) fn lower_expr(&mut self, e: &Expr, out: &mut Vec<Stmt>) -> Atom {
        let rhs = self.lower_rhs(e, out);
        match rhs {
            Rhs::Atom(atom) => atom,
            rhs => {
                let temp = self.temp();
                self.vars[temp].borrowed = matches!(rhs, Rhs::Borrow(_));
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
    pub(super) fn lower_rhs(&mut self, e: &Expr, out: &mut Vec<Stmt>) -> Rhs {
        match e {
            Expr::Paren(p) => return self.lower_rhs(&p.expr, out),
            Expr::Group(g) => return self.lower_rhs(&g.expr, out),
            Expr::Path(p) => {
                if let Some(var) = self.resolve_path(p) {
                    if self.vars[var].cell {
                        // `err.sqrt()` on an `err: &mut f64` reads through the reference.
                        return Rhs::Index {
                            base: var,
                            index: None,
                        };
                    }
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
                UnOp::Deref(_) => self.lower_deref(&u.expr, e),
                _ => self.unsupported(e, "this unary operator"),
            },
            Expr::Binary(b) => match arithmetic_op(&b.op) {
                Some(op) => {
                    // `&a * &x` is `a * x`: operators take matrices by reference anyway.
                    let lhs = self.lower_expr(strip_reference(&b.left), out);
                    let rhs = self.lower_expr(strip_reference(&b.right), out);
                    Rhs::Binary {
                        op,
                        lhs,
                        rhs,
                        span: b.op.span(),
                    }
                }
                None if matches!(b.op, SynBinOp::Rem(_)) => self.reject(check::remainder(&b.op), e),
                None if compound_op(&b.op).is_some() => {
                    self.lower_assign_expr(
                        e,
                        &b.left,
                        &b.right,
                        compound_op(&b.op),
                        b.op.span(),
                        out,
                    );
                    Rhs::Opaque(quote!(()))
                }
                None => self.unsupported(e, "this operator"),
            },
            Expr::MethodCall(m) => match self.reduction(m).filter(|_| self.iterates(&m.receiver)) {
                Some(reduction) => {
                    match self.lower_reduction(&m.receiver, reduction, m.method.span(), out) {
                        Some(rhs) => rhs,
                        None => self.reject(
                            check::buffer_operation(
                                e,
                                "this iteration",
                                "iterate a buffer, a view `x[a..b]` or a range with `.iter()`, `.iter_mut()`, `.enumerate()`, `.zip(..)`, `.map(..)`, `.chunks(k)`, `.windows(k)`",
                            ),
                            e,
                        ),
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
                self.lower_assign_expr(e, &a.left, &a.right, None, a.eq_token.span, out);
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
                // A small nalgebra vector's named entries.
                (None, syn::Member::Named(name)) if coordinate(name).is_some() => {
                    match self.lower_expr(&field.base, out) {
                        Atom::Var(base) if !self.vars[base].buffer => {
                            let index = coordinate(name).unwrap_or_default();
                            Rhs::Index {
                                base,
                                index: Some(Atom::Const(quote!(#index))),
                            }
                        }
                        _ => self.unsupported(e, "field access"),
                    }
                }
                _ => self.unsupported(e, "field access"),
            },
            Expr::Index(ix) => self.lower_index(ix, e, out),
            Expr::Reference(r) if r.mutability.is_none() => {
                Rhs::Borrow(self.lower_expr(&r.expr, out))
            }
            Expr::Reference(_) => self.unsupported(e, "taking a `&mut` reference"),
            _ => self.unsupported(e, "this expression"),
        }
    }

    /// `.sum()`, `.product()` and `.fold(..)` at the end of an iteration.
    pub(super) fn reduction<'e>(
        &self,
        m: &'e syn::ExprMethodCall,
    ) -> Option<iterators::Reduction<'e>> {
        let ty = m.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(ty)) if t.args.len() == 1 => Some(ty.clone()),
            _ => None,
        });
        match (m.method.to_string().as_str(), m.args.len()) {
            ("sum", 0) => Some(iterators::Reduction::Sum(ty)),
            ("product", 0) => Some(iterators::Reduction::Product(ty)),
            ("fold", 2) => match &m.args[1] {
                Expr::Closure(closure) => Some(iterators::Reduction::Fold(
                    &m.args[0],
                    iterators::FoldWith::Closure(closure),
                )),
                Expr::Path(path) => Some(iterators::Reduction::Fold(
                    &m.args[0],
                    iterators::FoldWith::Function(path),
                )),
                _ => None,
            },
            _ => None,
        }
    }

    /// Whether `e` is an iteration (`x.iter().map(..)`, a range, a buffer) rather than a value
    /// with a method of the same name (a matrix's `m.sum()`).
    pub(super) fn iterates(&self, e: &Expr) -> bool {
        // Methods that start an iteration, and adaptors that continue one (`map` is also a
        // matrix method: it iterates only if its receiver does).
        const SOURCES: &[&str] = &[
            "iter",
            "iter_mut",
            "into_iter",
            "chunks",
            "chunks_exact",
            "windows",
        ];
        const ADAPTORS: &[&str] = &[
            "map",
            "zip",
            "enumerate",
            "copied",
            "cloned",
            "rev",
            "skip",
            "take",
            "step_by",
            "filter",
            "chain",
            "flat_map",
        ];
        match strip_parens(e) {
            Expr::Path(p) => self.resolve_path(p).is_none_or(|v| self.vars[v].buffer),
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                SOURCES.contains(&name.as_str())
                    || (ADAPTORS.contains(&name.as_str()) && self.iterates(&m.receiver))
            }
            Expr::Range(_) | Expr::Index(_) | Expr::Reference(_) => true,
            _ => false,
        }
    }

    /// `x[i]` for a buffer `x`.
    pub(super) fn lower_index(
        &mut self,
        ix: &syn::ExprIndex,
        e: &Expr,
        out: &mut Vec<Stmt>,
    ) -> Rhs {
        let base = match strip_parens(&ix.expr) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer),
            _ => None,
        };
        let base = match base {
            Some(base) => base,
            // An element of a value: a nalgebra vector's `v[i]`, a matrix's `m[(i, j)]`.
            None => match self.lower_expr(&ix.expr, out) {
                Atom::Var(base) if !self.vars[base].buffer => base,
                _ => return self.unsupported(e, "indexing this value"),
            },
        };
        if matches!(strip_parens(&ix.index), Expr::Range(_)) {
            return self.unsupported(e, "slicing (`x[a..b]`)");
        }
        let index = self.lower_expr(&ix.index, out);
        Rhs::Index {
            base,
            index: Some(index),
        }
    }

    /// The variable `e` names if it was bound to a buffer's element by iteration.
    pub(super) fn element_binding(&self, e: &Expr) -> Option<VarId> {
        match strip_parens(e) {
            Expr::Path(p) => self
                .resolve_path(p)
                .filter(|v| self.element_bindings.contains(v)),
            _ => None,
        }
    }

    pub(super) fn lower_method(&mut self, m: &syn::ExprMethodCall, out: &mut Vec<Stmt>) -> Rhs {
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
        if name == "map" && m.args.len() == 1 {
            if let Expr::Closure(closure) = strip_parens(&m.args[0]) {
                return self.lower_map(m, closure, out);
            }
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

    /// `v.map(|e| body)` on a vector or matrix: the closure is kept as written, and its rule
    /// runs it again on dual numbers for each entry's derivative. A closure that reads an
    /// active value would lose that value's derivative, so it is an error.
    fn lower_map(
        &mut self,
        m: &syn::ExprMethodCall,
        closure: &syn::ExprClosure,
        out: &mut Vec<Stmt>,
    ) -> Rhs {
        let params: Vec<String> = closure
            .inputs
            .iter()
            .flat_map(|p| {
                let mut names = Vec::new();
                pattern_names(p, &mut names);
                names
            })
            .collect();
        let mut mentioned = Vec::new();
        self.mentioned_vars(closure.body.to_token_stream(), &mut mentioned);
        let captured = mentioned.into_iter().find(|&v| {
            self.maybe_active_var(v) && !params.iter().any(|p| self.resolve(p) == Some(v))
        });
        if let Some(var) = captured {
            // The closure's derivative with respect to what it reads cannot come from its
            // rule: differentiate the loops it stands for instead.
            if let Some(loops) = self.from_fn_bodies.map(m) {
                return self.lower_rhs(loops, out);
            }
            let name = self.vars[var].ident.to_string();
            return self.reject(check::map_capture(closure, &name), m);
        }
        let recv = self.lower_expr(&m.receiver, out);
        let function = self.opaque(&Expr::Closure(closure.clone()));
        Rhs::Method {
            name: m.method.clone(),
            path_prefix: None,
            recv,
            args: vec![Atom::Const(function)],
        }
    }

    pub(super) fn lower_call(&mut self, c: &syn::ExprCall, out: &mut Vec<Stmt>) -> Rhs {
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
        if let Some(loops) = self.from_fn_bodies.get(c) {
            return self.lower_rhs(loops, out);
        }
        if let Some(rule) = constructor(&path.path) {
            return match rule {
                Ok(rule) => {
                    let args = c.args.iter().map(|a| self.call_arg(a, out)).collect();
                    Rhs::Construct {
                        func: path.path.clone(),
                        rule,
                        args,
                    }
                }
                Err(()) => self.reject(check::constructor(c), c),
            };
        }
        let args = c.args.iter().map(|a| self.call_arg(a, out)).collect();
        Rhs::Call {
            func: path.path.clone(),
            args,
        }
    }

    /// Reports `error` for `node`, which reads whatever locals it mentions.
    pub(super) fn reject(&mut self, error: syn::Error, node: &impl ToTokens) -> Rhs {
        self.errors.push(error);
        let tokens = node.to_token_stream();
        let reads = match syn::parse2::<Expr>(tokens.clone()) {
            Ok(e) => self.active_reads(&e),
            Err(_) => {
                let mut reads = Vec::new();
                self.mentioned_vars(tokens, &mut reads);
                reads
            }
        };
        Rhs::Rejected(reads.into_iter().map(Atom::Var).collect())
    }

    pub(super) fn unsupported(&mut self, e: &(impl Spanned + ToTokens), what: &str) -> Rhs {
        self.reject(check::expression(e, what), e)
    }

    pub(super) fn mentioned_vars(&self, tokens: TokenStream, out: &mut Vec<VarId>) {
        for tree in tokens {
            match tree {
                TokenTree::Ident(i) => out.extend(self.resolve(&i.to_string())),
                TokenTree::Group(g) => self.mentioned_vars(g.stream(), out),
                _ => {}
            }
        }
    }
}

/// `e` without a leading shared `&`.
fn strip_reference(e: &Expr) -> &Expr {
    match strip_parens(e) {
        Expr::Reference(r) if r.mutability.is_none() => &r.expr,
        _ => e,
    }
}

/// The names a closure parameter's pattern binds.
fn pattern_names(pattern: &syn::Pat, names: &mut Vec<String>) {
    match pattern {
        syn::Pat::Ident(p) => names.push(p.ident.to_string()),
        syn::Pat::Reference(r) => pattern_names(&r.pat, names),
        syn::Pat::Type(t) => pattern_names(&t.pat, names),
        syn::Pat::Tuple(t) => t.elems.iter().for_each(|p| pattern_names(p, names)),
        _ => {}
    }
}

/// The index of nalgebra's named vector entries `x`, `y`, `z`, `w`.
fn coordinate(field: &Ident) -> Option<usize> {
    ["x", "y", "z", "w"].iter().position(|name| field == name)
}

/// The rule of a nalgebra constructor (`DVector::from_element`, `Vector3::new`, …), `Err`
/// for one without a rule (`from_fn`), `None` for any other path.
fn constructor(path: &syn::Path) -> Option<Result<ConstructRule, ()>> {
    let mut segments = path.segments.iter().rev();
    let (name, ty) = (segments.next()?, segments.next()?);
    if !crate::params::is_nalgebra_name(&ty.ident.to_string()) {
        return None;
    }
    Some(match name.ident.to_string().as_str() {
        "from_element" => Ok(ConstructRule::Element),
        "new" => Ok(ConstructRule::Entries),
        "from_column_slice" | "from_vec" => Ok(ConstructRule::ColumnSlice),
        "from_row_slice" => Ok(ConstructRule::RowSlice),
        _ => Err(()),
    })
}
