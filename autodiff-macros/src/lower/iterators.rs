//! Iteration over buffers, lowered to index loops.
//!
//! `for v in x.iter()`, `for (i, v) in x.iter().enumerate()`, `x.iter().zip(y).map(|(a, b)|
//! a * b).sum::<f64>()`, `(0..n).map(|i| ..).product()`, `.fold(init, |acc, v| ..)`: each
//! becomes `for k in 0..len { let v = x[k]; .. }`, so that every element read is an ordinary
//! indexed read with its own rule, and closures are inlined into the loop body.

use proc_macro2::{Span, TokenStream};
use quote::{quote, ToTokens};
use syn::spanned::Spanned;
use syn::{Expr, Pat};

use super::{pat_key, strip_parens, Lowering};
use crate::check;
use crate::ir::*;

/// What an iteration yields at step `k`.
#[derive(Clone)]
enum Item {
    /// `x[k]`.
    Element(VarId),
    /// `&mut x[k]`, from `iter_mut`.
    ElementMut(VarId),
    /// The `k`th chunk or window of a buffer (the source's part number `.2`): a view.
    Window(VarId, WindowKind, usize),
    /// The step itself: the range's value, or `enumerate`'s counter.
    Step,
    /// A value computed by `map`.
    Value(Atom),
    /// `zip` and `enumerate` pair items.
    Pair(Box<Item>, Box<Item>),
}

/// `chunks`, `chunks_exact`, `windows` (and the `_mut` chunks).
#[derive(Clone, Copy, PartialEq, Eq)]
enum WindowKind {
    Chunks { exact: bool, mutable: bool },
    Windows,
}

/// One of the things a loop walks together (`zip`).
enum Part<'e> {
    /// A buffer's elements, by index.
    Elements(VarId),
    /// A buffer's chunks or windows, of the given size.
    Windows(VarId, WindowKind, &'e Expr),
}

/// What drives the loop.
enum Source<'e> {
    /// Parts walked together: the loop runs as long as the shortest.
    Parts(Vec<Part<'e>>),
    /// Any iterator of integers, such as `a..b` or `(a..b).rev()`, kept as written.
    Integers(TokenStream),
}

/// A parsed iteration: its source, the item before any `map`, and the `map` closures.
struct Chain<'e> {
    source: Source<'e>,
    item: Item,
    maps: Vec<&'e syn::ExprClosure>,
}

/// How a reduction combines.
pub(super) enum Reduction<'e> {
    Sum(Option<syn::Type>),
    Product(Option<syn::Type>),
    Fold(&'e Expr, FoldWith<'e>),
}

/// What `fold` combines with: a closure, or a function named by its path (`f64::max`).
pub(super) enum FoldWith<'e> {
    Closure(&'e syn::ExprClosure),
    Function(&'e syn::ExprPath),
}

impl Lowering<'_> {
    /// Parses `e` as an iteration over buffers (or a mapped range); `None` for anything else.
    fn parse_chain<'e>(&self, e: &'e Expr) -> Option<Chain<'e>> {
        match strip_parens(e) {
            Expr::Path(_) | Expr::Reference(_) | Expr::Index(_) => {
                // A buffer; or a local collection carrying no derivative that is walked
                // alongside one (`w.iter().zip(x)`), read by index like a buffer.
                let buffer = self.buffer_of(e).or_else(|| self.inactive_collection(e))?;
                Some(Chain {
                    source: Source::Parts(vec![Part::Elements(buffer)]),
                    item: Item::Element(buffer),
                    maps: Vec::new(),
                })
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                match (name.as_str(), m.args.len()) {
                    ("iter" | "into_iter", 0) => self.parse_chain(&m.receiver),
                    ("iter_mut", 0) => {
                        let buffer = self.buffer_of(&m.receiver)?;
                        Some(Chain {
                            source: Source::Parts(vec![Part::Elements(buffer)]),
                            item: Item::ElementMut(buffer),
                            maps: Vec::new(),
                        })
                    }
                    (
                        "chunks" | "chunks_exact" | "chunks_mut" | "chunks_exact_mut" | "windows",
                        1,
                    ) => {
                        let buffer = self.buffer_of(&m.receiver)?;
                        let kind = match name.as_str() {
                            "windows" => WindowKind::Windows,
                            other => WindowKind::Chunks {
                                exact: other.contains("exact"),
                                mutable: other.ends_with("_mut"),
                            },
                        };
                        Some(Chain {
                            source: Source::Parts(vec![Part::Windows(buffer, kind, &m.args[0])]),
                            item: Item::Window(buffer, kind, 0),
                            maps: Vec::new(),
                        })
                    }
                    ("copied" | "cloned", 0) => self.parse_chain(&m.receiver),
                    ("enumerate", 0) => {
                        let mut chain = self.parse_chain(&m.receiver)?;
                        if !chain.maps.is_empty() {
                            return None;
                        }
                        chain.item = Item::Pair(Box::new(Item::Step), Box::new(chain.item));
                        Some(chain)
                    }
                    ("zip", 1) => {
                        let mut chain = self.parse_chain(&m.receiver)?;
                        let other = self.parse_chain(&m.args[0])?;
                        let offset = match (&mut chain.source, other.source) {
                            (Source::Parts(ours), Source::Parts(theirs))
                                if chain.maps.is_empty() && other.maps.is_empty() =>
                            {
                                let offset = ours.len();
                                ours.extend(theirs);
                                offset
                            }
                            _ => return None,
                        };
                        let theirs = shift_parts(other.item, offset);
                        chain.item = Item::Pair(Box::new(chain.item), Box::new(theirs));
                        Some(chain)
                    }
                    ("map", 1) => {
                        let Expr::Closure(closure) = strip_parens(&m.args[0]) else {
                            return None;
                        };
                        let mut chain = self
                            .parse_chain(&m.receiver)
                            .or_else(|| self.integer_source(&m.receiver))?;
                        chain.maps.push(closure);
                        Some(chain)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// A local variable holding a collection that carries no derivative (`let w =
    /// weights(n);`), to be read by index when iterated with buffers or mapped by a closure
    /// that reads active values.
    fn inactive_collection(&self, e: &Expr) -> Option<VarId> {
        match strip_parens(e) {
            Expr::Path(p) => self
                .resolve_path(p)
                .filter(|&v| !self.vars[v].buffer && !self.maybe_active_var(v)),
            Expr::Reference(r) => self.inactive_collection(&r.expr),
            _ => None,
        }
    }

    /// Whether a chain walks at least one buffer of floats.
    fn walks_a_buffer(&self, chain: &Chain<'_>) -> bool {
        match &chain.source {
            Source::Parts(parts) => parts.iter().any(|part| match part {
                Part::Elements(var) | Part::Windows(var, ..) => self.vars[*var].buffer,
            }),
            Source::Integers(_) => false,
        }
    }

    /// `a..b` and other iterators of integers, as the source of a `map`.
    fn integer_source<'e>(&self, e: &'e Expr) -> Option<Chain<'e>> {
        let is_range = match strip_parens(e) {
            Expr::Range(_) => true,
            Expr::MethodCall(m) => {
                matches!(
                    m.method.to_string().as_str(),
                    "rev" | "step_by" | "skip" | "take"
                ) && self.integer_source(&m.receiver).is_some()
            }
            _ => false,
        };
        (is_range && !self.maybe_active(e)).then(|| Chain {
            source: Source::Integers(e.to_token_stream()),
            item: Item::Step,
            maps: Vec::new(),
        })
    }

    /// The buffer `e` names (`x`, `&x`, or `x[a..b]` made a view by `prepare_views`).
    fn buffer_of(&self, e: &Expr) -> Option<VarId> {
        match strip_parens(e) {
            Expr::Path(p) => self.resolve_path(p).filter(|&v| self.vars[v].buffer),
            Expr::Reference(r) => self.buffer_of(&r.expr),
            Expr::Index(_) => self
                .iterated_views
                .get(&(strip_parens(e) as *const Expr as usize))
                .copied(),
            _ => None,
        }
    }

    /// Makes a view for each `x[a..b]` an iteration starts from (`x[1..].iter()`), so that
    /// `parse_chain` can treat it as a buffer.
    fn prepare_views(&mut self, e: &Expr, out: &mut Vec<Stmt>) {
        match strip_parens(e) {
            Expr::MethodCall(m) => {
                self.prepare_views(&m.receiver, out);
                if m.method == "zip" {
                    if let Some(other) = m.args.first() {
                        self.prepare_views(other, out);
                    }
                }
            }
            Expr::Reference(r) => self.prepare_views(&r.expr, out),
            inner @ Expr::Index(ix) if matches!(strip_parens(&ix.index), Expr::Range(_)) => {
                let key = inner as *const Expr as usize;
                if self.iterated_views.contains_key(&key) {
                    return;
                }
                let mutable = false;
                let reference: Expr = if mutable {
                    syn::parse_quote!(&mut #inner)
                } else {
                    syn::parse_quote!(&#inner)
                };
                if let Some(view) = self.lower_view(&reference, None, out) {
                    self.iterated_views.insert(key, view);
                }
            }
            _ => {}
        }
    }

    /// `for pattern in chain { body }` over buffers; `false` if `f` iterates something else.
    pub(super) fn lower_for_chain(&mut self, f: &syn::ExprForLoop, out: &mut Vec<Stmt>) -> bool {
        self.prepare_views(&f.expr, out);
        // A loop over collections with no buffer among them stays as written.
        let Some(chain) = self
            .parse_chain(&f.expr)
            .filter(|chain| self.walks_a_buffer(chain))
        else {
            return false;
        };
        let (head, step, size) = self.loop_head(&chain.source, f.expr.span(), out);
        let (id, trips) = self.new_loop(f.label.as_ref(), None);
        let body = self.with_block(|this, b| {
            let Some(step) = this.declare_step(step, &mut b.stmts) else {
                return;
            };
            this.window_sizes = size;
            let item = this.apply_maps(&chain, step, &mut b.stmts);
            this.bind_item(&f.pat, &item, step, &mut b.stmts);
            this.lower_stmts(&f.body.stmts, None, &mut b.stmts);
        });
        self.finish_loop(id, trips, head, body, out);
        true
    }

    /// `chain.sum()`, `.product()` or `.fold(..)` as an accumulator loop; `None` if the
    /// receiver is not an iteration this module understands.
    pub(super) fn lower_reduction(
        &mut self,
        receiver: &Expr,
        reduction: Reduction<'_>,
        span: Span,
        out: &mut Vec<Stmt>,
    ) -> Option<Rhs> {
        self.prepare_views(receiver, out);
        let chain = self
            .parse_chain(receiver)
            .or_else(|| self.integer_source(receiver))?;
        let accumulator = self.temp();
        let init = match &reduction {
            Reduction::Sum(ty) | Reduction::Product(ty) => {
                let neutral = if matches!(reduction, Reduction::Sum(_)) {
                    quote!(Zero > ::zero)
                } else {
                    quote!(One > ::one)
                };
                match ty {
                    Some(ty) => {
                        Rhs::Opaque(quote!(<#ty as ::autodiff::__private::num_traits::#neutral()))
                    }
                    None if matches!(reduction, Reduction::Sum(_)) => {
                        Rhs::Atom(Atom::Const(quote!(0.0)))
                    }
                    None => Rhs::Atom(Atom::Const(quote!(1.0))),
                }
            }
            Reduction::Fold(init, _) => self.lower_rhs(init, out),
        };
        out.push(Stmt::Let {
            var: accumulator,
            ty: None,
            init: Some(init),
            span,
        });
        let (head, step, size) = self.loop_head(&chain.source, span, out);
        let (id, trips) = self.new_loop(None, None);
        let body = self.with_block(|this, b| {
            let Some(step) = this.declare_step(step, &mut b.stmts) else {
                return;
            };
            this.window_sizes = size;
            let item = this.apply_maps(&chain, step, &mut b.stmts);
            let value = match reduction {
                Reduction::Sum(_) | Reduction::Product(_) => {
                    let value = this.item_atom(&item, step, &mut b.stmts);
                    let op = if matches!(reduction, Reduction::Sum(_)) {
                        BinOp::Add
                    } else {
                        BinOp::Mul
                    };
                    Rhs::Binary {
                        op,
                        lhs: Atom::Var(accumulator),
                        rhs: value,
                        span,
                    }
                }
                Reduction::Fold(_, FoldWith::Function(path)) => {
                    let value = this.item_atom(&item, step, &mut b.stmts);
                    let segments = &path.path.segments;
                    let is_float_method = path.qself.is_none()
                        && segments.len() == 2
                        && (segments[0].ident == "f64" || segments[0].ident == "f32");
                    if is_float_method {
                        // `fold(init, f64::max)` is `acc.max(item)`.
                        Rhs::Method {
                            name: segments[1].ident.clone(),
                            path_prefix: Some(segments[0].ident.to_token_stream()),
                            recv: Atom::Var(accumulator),
                            args: vec![value],
                        }
                    } else {
                        Rhs::Call {
                            func: path.path.clone(),
                            args: vec![
                                CallArg::Value(Atom::Var(accumulator)),
                                CallArg::Value(value),
                            ],
                        }
                    }
                }
                Reduction::Fold(_, FoldWith::Closure(closure)) => this.with_scope(|this| {
                    let params = closure_params(closure);
                    let [acc_pat, item_pat] = params.as_slice() else {
                        this.errors.push(check::closure(closure));
                        return Rhs::Rejected(Vec::new());
                    };
                    this.bind_item(
                        acc_pat,
                        &Item::Value(Atom::Var(accumulator)),
                        step,
                        &mut b.stmts,
                    );
                    this.bind_item(item_pat, &item, step, &mut b.stmts);
                    this.lower_rhs(&closure.body, &mut b.stmts)
                }),
            };
            b.stmts.push(Stmt::Assign {
                var: accumulator,
                rhs: value,
                span,
                tape: None,
            });
        });
        self.finish_loop(id, trips, head, body, out);
        Some(Rhs::Atom(Atom::Var(accumulator)))
    }

    /// `var = chain.collect()`: a loop pushing each item onto `var` (already empty).
    pub(super) fn lower_collect(
        &mut self,
        var: VarId,
        receiver: &Expr,
        span: Span,
        out: &mut Vec<Stmt>,
    ) -> Option<()> {
        self.prepare_views(receiver, out);
        let chain = self
            .parse_chain(receiver)
            .or_else(|| self.integer_source(receiver))?;
        let (head, step, size) = self.loop_head(&chain.source, span, out);
        let (id, trips) = self.new_loop(None, None);
        let body = self.with_block(|this, b| {
            let Some(step) = this.declare_step(step, &mut b.stmts) else {
                return;
            };
            this.window_sizes = size;
            let item = this.apply_maps(&chain, step, &mut b.stmts);
            let value = this.item_atom(&item, step, &mut b.stmts);
            b.stmts.push(Stmt::Push {
                base: var,
                value: Rhs::Atom(value),
                span,
            });
        });
        self.finish_loop(id, trips, head, body, out);
        Some(())
    }

    /// The loop's head, the step variable it will bind, and for chunks and windows the
    /// lowered size.
    fn loop_head(
        &mut self,
        source: &Source<'_>,
        span: Span,
        out: &mut Vec<Stmt>,
    ) -> (LoopHead, StepPlan, Vec<Option<Atom>>) {
        let length = |this: &Self, buffer: VarId| {
            let ident = &this.vars[buffer].ident;
            quote!(#ident.len())
        };
        let (iter, sizes) = match source {
            Source::Parts(parts) => {
                let mut sizes = Vec::new();
                let mut counts = Vec::new();
                for part in parts {
                    match part {
                        Part::Elements(buffer) => {
                            counts.push(length(self, *buffer));
                            sizes.push(None);
                        }
                        Part::Windows(buffer, kind, size) => {
                            let size = self.lower_expr(size, out);
                            let n = crate::forward::atom_tokens_of(&self.vars, &size);
                            let len = length(self, *buffer);
                            counts.push(match kind {
                                WindowKind::Chunks { exact: false, .. } => {
                                    quote!(((#len + #n - 1) / #n))
                                }
                                WindowKind::Chunks { exact: true, .. } => quote!((#len / #n)),
                                WindowKind::Windows => quote!((#len + 1).saturating_sub(#n)),
                            });
                            sizes.push(Some(size));
                        }
                    }
                }
                let mut counts = counts.into_iter();
                let first = counts.next().unwrap_or_else(|| quote!(0));
                let count = counts.fold(first, |acc, count| quote!(#acc.min(#count)));
                (quote::quote_spanned!(span=> 0..#count), sizes)
            }
            Source::Integers(tokens) => (tokens.clone(), Vec::new()),
        };
        let step = self.temp();
        (
            LoopHead::For {
                var: Some(step),
                iter,
                pattern: None,
            },
            StepPlan(step),
            sizes,
        )
    }

    /// Moves the step variable into the loop body's block, where the `for` binds it.
    fn declare_step(&mut self, plan: StepPlan, _stmts: &mut Vec<Stmt>) -> Option<VarId> {
        self.vars[plan.0].block = self.block;
        Some(plan.0)
    }

    /// Applies each `map` closure in turn to the item.
    fn apply_maps(&mut self, chain: &Chain<'_>, step: VarId, stmts: &mut Vec<Stmt>) -> Item {
        let mut item = chain.item.clone();
        for closure in &chain.maps {
            let value = self.with_scope(|this| {
                let params = closure_params(closure);
                let [pat] = params.as_slice() else {
                    this.errors.push(check::closure(closure));
                    return Atom::Const(quote!(()));
                };
                this.bind_item(pat, &item, step, stmts);
                this.lower_expr(&closure.body, stmts)
            });
            item = Item::Value(value);
        }
        item
    }

    /// The item as one operand (for `sum` and `product`).
    fn item_atom(&mut self, item: &Item, step: VarId, stmts: &mut Vec<Stmt>) -> Atom {
        match item {
            Item::Value(atom) => atom.clone(),
            Item::Step => Atom::Var(step),
            Item::Element(buffer) => {
                let temp = self.temp();
                stmts.push(Stmt::Let {
                    var: temp,
                    ty: None,
                    init: Some(Rhs::Index {
                        base: *buffer,
                        index: Some(Atom::Var(step)),
                    }),
                    span: Span::call_site(),
                });
                Atom::Var(temp)
            }
            Item::Pair(..) | Item::ElementMut(_) | Item::Window(..) => {
                self.errors.push(check::tuple_value(&quote!(zip)));
                Atom::Const(quote!(()))
            }
        }
    }

    /// Binds `pat` to `item` in the current scope.
    fn bind_item(&mut self, pat: &Pat, item: &Item, step: VarId, stmts: &mut Vec<Stmt>) {
        match (pat, item) {
            (Pat::Wild(_), _) => {}
            (Pat::Reference(r), _) => self.bind_item(&r.pat, item, step, stmts),
            (Pat::Type(t), _) => self.bind_item(&t.pat, item, step, stmts),
            (Pat::Paren(p), _) => self.bind_item(&p.pat, item, step, stmts),
            (Pat::Tuple(t), Item::Pair(first, second)) if t.elems.len() == 2 => {
                self.bind_item(&t.elems[0], first, step, stmts);
                self.bind_item(&t.elems[1], second, step, stmts);
            }
            (Pat::Ident(p), Item::ElementMut(buffer)) if p.subpat.is_none() => {
                let var = self.bind(&p.ident, VarKind::User, Some(pat_key(pat)));
                let base = &self.vars[*buffer].ident;
                let index = &self.vars[step].ident;
                let reference = quote!(&mut #base[#index]);
                let view = View {
                    base: *buffer,
                    start: Atom::Var(step),
                    end: None,
                };
                let v = &mut self.vars[var];
                v.buffer = true;
                v.cell = true;
                v.writable = true;
                v.view = Some(view);
                stmts.push(Stmt::Let {
                    var,
                    ty: None,
                    init: Some(Rhs::Opaque(reference)),
                    span: p.ident.span(),
                });
            }
            (Pat::Ident(p), Item::Window(buffer, kind, part)) if p.subpat.is_none() => {
                let size = self
                    .window_sizes
                    .get(*part)
                    .cloned()
                    .flatten()
                    .unwrap_or(Atom::Const(quote!(1)));
                let n = crate::forward::atom_tokens_of(&self.vars, &size);
                let k = self.vars[step].ident.clone();
                let base = self.vars[*buffer].ident.clone();
                let (start, end) = match kind {
                    WindowKind::Chunks { exact: false, .. } => {
                        (quote!(#k * #n), quote!(((#k + 1) * #n).min(#base.len())))
                    }
                    WindowKind::Chunks { exact: true, .. } => {
                        (quote!(#k * #n), quote!((#k + 1) * #n))
                    }
                    WindowKind::Windows => (quote!(#k), quote!(#k + #n)),
                };
                let mut bound = |tokens: TokenStream, stmts: &mut Vec<Stmt>| {
                    let temp = self.temp();
                    stmts.push(Stmt::Let {
                        var: temp,
                        ty: None,
                        init: Some(Rhs::Opaque(tokens)),
                        span: p.ident.span(),
                    });
                    temp
                };
                let start = bound(start, stmts);
                let end = bound(end, stmts);
                let mutable = matches!(kind, WindowKind::Chunks { mutable: true, .. });
                let (s, e) = (self.vars[start].ident.clone(), self.vars[end].ident.clone());
                let reference = if mutable {
                    quote!(&mut #base[#s..#e])
                } else {
                    quote!(&#base[#s..#e])
                };
                let var = self.bind(&p.ident, VarKind::User, Some(pat_key(pat)));
                let v = &mut self.vars[var];
                v.buffer = true;
                v.writable = mutable;
                v.view = Some(View {
                    base: *buffer,
                    start: Atom::Var(start),
                    end: Some(Atom::Var(end)),
                });
                stmts.push(Stmt::Let {
                    var,
                    ty: None,
                    init: Some(Rhs::Opaque(reference)),
                    span: p.ident.span(),
                });
            }
            (Pat::Ident(p), _) if p.by_ref.is_none() && p.subpat.is_none() => {
                let init = match item {
                    Item::Element(buffer) => Rhs::Index {
                        base: *buffer,
                        index: Some(Atom::Var(step)),
                    },
                    Item::Step => Rhs::Atom(Atom::Var(step)),
                    Item::Value(atom) => Rhs::Atom(atom.clone()),
                    Item::Pair(..) | Item::ElementMut(_) | Item::Window(..) => {
                        self.errors.push(check::pattern(pat));
                        return;
                    }
                };
                let var = self.bind(&p.ident, VarKind::User, Some(pat_key(pat)));
                // The user wrote `*v` for a reference into the buffer; here `v` is the value.
                self.element_bindings.insert(var);
                stmts.push(Stmt::Let {
                    var,
                    ty: None,
                    init: Some(init),
                    span: p.ident.span(),
                });
            }
            (other, _) => self.errors.push(check::pattern(other)),
        }
    }
}

/// The step variable a loop head binds, before the body's block exists.
struct StepPlan(VarId);

fn closure_params(closure: &syn::ExprClosure) -> Vec<&Pat> {
    closure.inputs.iter().collect()
}

/// `item` with its window part numbers moved up by `offset`, for the right side of a `zip`.
fn shift_parts(item: Item, offset: usize) -> Item {
    match item {
        Item::Window(buffer, kind, part) => Item::Window(buffer, kind, part + offset),
        Item::Pair(a, b) => Item::Pair(
            Box::new(shift_parts(*a, offset)),
            Box::new(shift_parts(*b, offset)),
        ),
        other => other,
    }
}
