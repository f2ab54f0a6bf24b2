//! The macro's own small intermediate representation of a function body.
//!
//! Lowering (`lower.rs`) turns the user's body into this form: every active intermediate has a
//! name (A-normal form), every operation is one [`Rhs`] with one derivative rule, and control
//! flow is a tree of [`Stmt::If`] and [`Stmt::Loop`]. `break`, `continue` and `return` start
//! as [`Stmt::Exit`] and are rewritten by `exits.rs` into [`Stmt::SetExit`] plus guards, so
//! that every block runs to its end and the reverse sweep can mirror the forward sweep.

use proc_macro2::{Span, TokenStream};
use syn::{Ident, Type};

/// Index of a variable in [`Function::vars`].
pub type VarId = usize;

/// What a variable stands for; decides how it is declared and recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VarKind {
    /// A parameter of the user's function.
    Param,
    /// A binding the user wrote (`let`, a `for` pattern).
    User,
    /// A temporary introduced by lowering.
    Temp,
    /// The function's return value.
    Output,
    /// The recorded decision of an `if` (a `bool`).
    Branch,
    /// The recorded trip count of a loop (a `usize`).
    Trips,
}

/// One variable of the lowered function.
#[derive(Clone, Debug)]
pub struct Var {
    /// The identifier emitted for it (the user's own, renamed if it shadows another binding).
    pub ident: Ident,
    pub kind: VarKind,
    /// The block whose scope declares it (`ROOT` for parameters and top-level lets).
    pub block: BlockId,
    /// Whether any statement assigns it after its declaration.
    pub reassigned: bool,
    /// A buffer of floats (a slice, array or `Vec`): its adjoint is a shadow buffer of the
    /// same shape, not an accumulator.
    pub buffer: bool,
    /// A `&mut f64` parameter: a buffer of one element, read and written through `*`.
    pub cell: bool,
    /// A buffer the function may write: a `&mut` parameter or view, or a local buffer.
    pub writable: bool,
    /// A reference (a parameter passed by `&`, or bound to `&v`): naming it again copies the
    /// reference, not the data, and rules take it as it is.
    pub borrowed: bool,
    /// Holds a plain `Copy` scalar for certain (a float, an integer), so that operators take
    /// it by value; operators take anything else (a matrix) by reference, which leaves it for
    /// the reverse sweep (set by `values.rs`).
    pub plain: bool,
    /// Read by more than one operation (or by the reverse sweep): copying it into another
    /// variable must clone, not move, when it is not plain (set by `values.rs`).
    pub shared: bool,
    /// A view into another buffer (`&x[a..b]`): it shares that buffer's shadow.
    pub view: Option<View>,
    /// A buffer whose contents the reverse sweep reads back (it is passed to a call): its
    /// element writes record the overwritten values.
    pub contents_needed: bool,
    /// Needed in reverse and computed again there rather than recorded (`recompute.rs`).
    pub recomputed: bool,
    /// A `for` loop's variable over `start..end`: recomputed in reverse as `start` plus the
    /// iteration's number.
    pub counted_from: Option<TokenStream>,
    /// An expression that gives the variable's value again in reverse (a `for` loop's trip
    /// count as the length of its range), so that it is not recorded.
    pub recompute_as: Option<TokenStream>,
    /// Recomputed not at the start of its block's reverse but just before the reverse of the
    /// block's statement at this index: its operands include a variable the block reassigns
    /// later, which is back to its old value only there (`recompute.rs`).
    pub recomputed_late: Option<usize>,
    /// Holds a float scalar for certain (a float parameter, a float literal or cast, an element
    /// of a float buffer, arithmetic on those), by which a product with it commutes (set by
    /// `values.rs`).
    pub float_scalar: bool,
    /// Carries a derivative (set by `activity.rs`).
    pub active: bool,
    /// Depends on a parameter through differentiable operations, useful or not.
    pub varied: bool,
    /// Its value is read by the reverse sweep (set by `activity.rs`).
    pub needed: bool,
    /// For a needed variable local to a nested block: the tape that carries its last value
    /// from the end of the block's forward run to the start of its reverse run.
    pub saved_tape: Option<TapeId>,
    /// A shared borrow (`&idx`) saved on a tape: the tape keeps an owned copy, since what it
    /// borrows may be gone when the reverse sweep runs.
    pub kept_owned: bool,
    /// The old value of a buffer element that the next store only adds to (`out[i] += x`):
    /// the element's shadow stays in place in reverse instead of being taken and given back
    /// (`increments.rs`).
    pub increment: bool,
}

/// `base[start..end]` (`end` absent: to the end).
#[derive(Clone, Debug)]
pub struct View {
    pub base: VarId,
    pub start: Atom,
    pub end: Option<Atom>,
}

/// An argument of a call to another `#[differentiate]` function.
#[derive(Clone, Debug)]
pub enum CallArg {
    /// A scalar or a value carrying no derivative.
    Value(Atom),
    /// A buffer of floats, passed with its shadow. `forward` is the argument as the forward
    /// sweep writes it; a `mutable` one is changed by the call, so the forward sweep records
    /// its contents (`tape`) for the reverse sweep to put back.
    Buffer {
        var: VarId,
        forward: TokenStream,
        mutable: bool,
        tape: Option<TapeId>,
    },
}

/// Index of a tape in [`Function::tapes`].
pub type TapeId = usize;

/// One recording site's tape.
#[derive(Clone, Debug)]
pub struct Tape {
    pub ident: Ident,
    /// Inside a loop: a growable `Stack`; otherwise a `Slot` on the stack.
    pub in_loop: bool,
    /// For a counter stepped by a constant (`idx += 1`): the expression that undoes the step
    /// (`idx - (1)`). Nothing is recorded then; the reverse sweep steps back instead.
    pub inverse: Option<TokenStream>,
    /// For a buffer's contents before a call: the condition, constant once the callee is
    /// known, under which they are recorded and put back (`activity.rs`); always if `None`.
    pub condition: Option<TokenStream>,
    /// For a buffer's contents before a call: the condition under which the callee's
    /// pullback reads them, so that they must be put back before it runs (they are put back
    /// after it under `condition`); always if `None`.
    pub read_by_callee: Option<TokenStream>,
}

/// Identifies a block; `ROOT` is the function body.
pub type BlockId = usize;
pub const ROOT: BlockId = 0;

#[derive(Clone, Debug)]
pub struct Block {
    pub id: BlockId,
    pub stmts: Vec<Stmt>,
}

/// An operand: a variable or a constant expression (a literal, a path to a `const`).
#[derive(Clone, Debug)]
pub enum Atom {
    Var(VarId),
    Const(TokenStream),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// One operation, the right-hand side of a `let` or an assignment.
#[derive(Clone, Debug)]
pub enum Rhs {
    /// A copy of an operand.
    Atom(Atom),
    /// `&v`: a reference to an operand (a matrix passed to a method), whose derivative is
    /// the operand's.
    Borrow(Atom),
    Neg(Atom),
    Binary {
        op: BinOp,
        lhs: Atom,
        rhs: Atom,
        /// The operator's span, where a missing rule is reported.
        span: Span,
    },
    /// `recv.name(args)`, or `prefix::name(recv, args)` when written in path form.
    Method {
        name: Ident,
        path_prefix: Option<TokenStream>,
        recv: Atom,
        args: Vec<Atom>,
    },
    /// A call to another `#[differentiate]` function.
    Call {
        func: syn::Path,
        args: Vec<CallArg>,
    },
    /// A nalgebra constructor with a derivative: `DVector::from_element(n, s)`,
    /// `Vector3::new(a, b, c)`, `DMatrix::from_column_slice(r, c, &x)`, ….
    Construct {
        func: syn::Path,
        rule: ConstructRule,
        args: Vec<CallArg>,
    },
    /// `base[index]`: an element of a buffer; `*base` when `index` is `None` (a cell).
    Index {
        base: VarId,
        index: Option<Atom>,
    },
    /// `vec![a, b, ..]` or `[a, b, ..]`: a new buffer from its elements.
    Elements {
        items: Vec<Atom>,
        array: bool,
    },
    /// `source.to_vec()`, `source.clone()`: a new buffer with a copy of another's elements.
    CopyOf {
        source: VarId,
        method: Ident,
    },
    /// `value as f64` / `value as f32`.
    Cast {
        value: Atom,
        ty: Type,
    },
    /// An expression that carries no derivative, emitted as written (variables renamed).
    Opaque(TokenStream),
    /// A construct that was rejected with an error. It counts as reading every variable it
    /// mentions, so that the first lowering sees derivatives flow through it and the second
    /// reports it instead of silently treating it as constant.
    Rejected(Vec<Atom>),
}

/// How a nalgebra constructor's arguments become the entries of its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstructRule {
    /// `from_element(.., s)`: every entry is the last argument.
    Element,
    /// `new(a, b, ..)`: one argument per entry, in row-major order.
    Entries,
    /// `from_column_slice(.., &x)`, `from_vec(.., v)`: the last argument's elements in
    /// column-major order.
    ColumnSlice,
    /// `from_row_slice(.., &x)`: the last argument's elements in row-major order.
    RowSlice,
}

/// Where an exit goes; numbered into the `exit_code` variable by `exits.rs`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitKind {
    Return,
    Break(LoopId),
    Continue(LoopId),
}

pub type LoopId = usize;

#[derive(Clone, Debug)]
pub enum LoopHead {
    Loop,
    While(TokenStream),
    For {
        var: Option<VarId>,
        iter: TokenStream,
        /// A destructuring pattern as written (its names renamed), for iterations that
        /// carry no derivative: `for (k, &i) in picks.iter().enumerate()`.
        pattern: Option<TokenStream>,
    },
}

// The IR lives for one expansion; boxing the large variants would buy nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Stmt {
    /// `let v [: ty] [= rhs];` — without a value the variable starts at `Default::default()`.
    Let {
        var: VarId,
        ty: Option<Type>,
        init: Option<Rhs>,
        span: Span,
    },
    /// `v = rhs;` for a variable declared earlier. `tape` records the overwritten value
    /// when the reverse sweep needs it back (set by `activity.rs`).
    Assign {
        var: VarId,
        rhs: Rhs,
        span: Span,
        tape: Option<TapeId>,
    },
    /// A statement that only runs forward (`println!`, `assert!`, an item, a discarded call).
    Effect(TokenStream),
    If {
        branch: VarId,
        cond: TokenStream,
        then_block: Block,
        else_block: Block,
    },
    Loop {
        id: LoopId,
        trips: VarId,
        head: LoopHead,
        body: Block,
        /// Exit codes handled at the end of each iteration (filled by `exits.rs`).
        dispatch: Vec<(u32, DispatchAction)>,
    },
    /// `base[index] = rhs;` (`*base = rhs;` for a cell). `tape` records the overwritten
    /// element when the reverse sweep needs the buffer's contents back.
    Store {
        base: VarId,
        index: Option<Atom>,
        rhs: Rhs,
        span: Span,
        tape: Option<TapeId>,
    },
    /// `base.push(value);` (`value` is always an [`Rhs::Atom`]).
    Push { base: VarId, value: Rhs, span: Span },
    /// `std::mem::swap(&mut a, &mut b);` of two whole buffers: contents and shadows trade
    /// places.
    Swap { a: VarId, b: VarId },
    /// `break` / `continue` / `return`, before `exits.rs` runs.
    Exit(ExitKind),
    /// `exit_code = code;` after `exits.rs`.
    SetExit(u32),
}

/// What the end of a loop iteration does for one exit code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DispatchAction {
    /// `continue` of this loop: clear the code and go on.
    Continue,
    /// `break` of this loop: clear the code and leave.
    Break,
    /// An exit aimed further out: leave, keeping the code.
    Propagate,
}

/// A lowered function body with its variables.
#[derive(Clone, Debug)]
pub struct Function {
    pub vars: Vec<Var>,
    pub body: Block,
    pub params: Vec<VarId>,
    pub output: VarId,
    /// Whether any guard or dispatch reads `exit_code` (so it must be declared).
    pub uses_exit_code: bool,
    /// How many block ids are in use.
    pub block_count: usize,
    pub tapes: Vec<Tape>,
    /// Fresh names for variables introduced after lowering.
    pub namer: crate::names::Namer,
    /// Loops whose reverse runs inside their forward run, trip by trip (`fusion.rs`).
    pub fused: Vec<Fused>,
    /// Loops whose reverse runs their trips again in forward order (`replay.rs`).
    pub replayed: Vec<crate::replay::Replayed>,
    /// Calls whose callee records its reverse in the forward sweep, as a closure that the
    /// reverse sweep runs (`split.rs`): each call's variable and the closures' tape.
    pub split_calls: Vec<(VarId, TapeId)>,
    /// Loops whose element writes into a buffer are undone by one copy (`bulk.rs`).
    pub bulk: Vec<crate::bulk::Bulk>,
}

/// A loop `for .. { ..; s += t; }` followed only by `output = s`: every trip's reverse runs
/// right after its forward, with the output's cotangent as `s`'s.
#[derive(Clone, Debug)]
pub struct Fused {
    pub loop_id: LoopId,
    pub body: BlockId,
    pub accumulator: VarId,
}

impl Function {
    /// The variables whose names `tokens` (code kept as written) contains.
    pub fn vars_named_in(&self, tokens: &TokenStream) -> Vec<VarId> {
        (0..self.vars.len())
            .filter(|&id| {
                let name = self.vars[id].ident.to_string();
                tokens
                    .clone()
                    .into_iter()
                    .any(|t| crate::recompute::names_in(&t, &name))
            })
            .collect()
    }

    /// Every mention of a variable in `block`, nested blocks included, by the root buffer of
    /// what is mentioned: a read `base[index]` with `Some((base, index))`, any other use (a
    /// view, a write, a call's argument, an operand) with `None`.
    pub fn each_mention(
        &self,
        block: &Block,
        mut visit: impl FnMut(VarId, Option<(VarId, Option<Atom>)>),
    ) {
        block.walk(&mut |stmt| {
            let rhs = match stmt {
                Stmt::Let { var, init, .. } => {
                    if self.vars[*var].view.is_some() {
                        visit(self.root(*var), None);
                    }
                    init.as_ref()
                }
                Stmt::Assign { rhs, .. } => Some(rhs),
                Stmt::Store { base, rhs, .. } => {
                    visit(self.root(*base), None);
                    Some(rhs)
                }
                Stmt::Push { base, value, .. } => {
                    visit(self.root(*base), None);
                    Some(value)
                }
                Stmt::Swap { a, b } => {
                    visit(self.root(*a), None);
                    visit(self.root(*b), None);
                    None
                }
                _ => None,
            };
            match rhs {
                Some(Rhs::Index { base, index }) => {
                    visit(self.root(*base), Some((*base, index.clone())))
                }
                Some(rhs) => {
                    for var in rhs.dependencies() {
                        visit(self.root(var), None);
                    }
                }
                None => {}
            }
        });
    }

    /// The buffer that owns `var`'s elements: `var` itself, or the base of its view.
    pub fn root(&self, mut var: VarId) -> VarId {
        while let Some(view) = &self.vars[var].view {
            var = view.base;
        }
        var
    }
}

impl Atom {
    pub fn var(&self) -> Option<VarId> {
        match self {
            Atom::Var(v) => Some(*v),
            Atom::Const(_) => None,
        }
    }
}

impl Rhs {
    /// Every operand, in order.
    /// The variables whose derivatives flow into the result: the operands, and the buffer an
    /// element is read from.
    pub fn dependencies(&self) -> Vec<VarId> {
        let mut vars: Vec<VarId> = self.operands().iter().filter_map(|a| a.var()).collect();
        match self {
            Rhs::Index { base, .. } | Rhs::CopyOf { source: base, .. } => vars.push(*base),
            Rhs::Call { args, .. } | Rhs::Construct { args, .. } => {
                vars.extend(args.iter().filter_map(|a| match a {
                    CallArg::Buffer { var, .. } => Some(*var),
                    CallArg::Value(_) => None,
                }))
            }
            _ => {}
        }
        vars
    }

    pub fn operands(&self) -> Vec<&Atom> {
        match self {
            Rhs::Atom(a) | Rhs::Borrow(a) | Rhs::Neg(a) => vec![a],
            Rhs::Binary { lhs, rhs, .. } => vec![lhs, rhs],
            Rhs::Method { recv, args, .. } => std::iter::once(recv).chain(args).collect(),
            Rhs::Call { args, .. } | Rhs::Construct { args, .. } => args
                .iter()
                .filter_map(|a| match a {
                    CallArg::Value(atom) => Some(atom),
                    CallArg::Buffer { .. } => None,
                })
                .collect(),
            Rhs::Cast { value, .. } => vec![value],
            Rhs::Index { index, .. } => index.iter().collect(),
            Rhs::Elements { items, .. } => items.iter().collect(),
            Rhs::CopyOf { .. } => vec![],
            Rhs::Opaque(_) => vec![],
            Rhs::Rejected(reads) => reads.iter().collect(),
        }
    }

    /// The operands whose *values* the pullback reads, given which operands are active.
    /// Linear operations read none; a product's pullback into one factor reads only the
    /// other; a quotient's pullback into the denominator reads both.
    /// For `factor * x`, `x * factor` or `x / divisor` on float scalars with only `x` active:
    /// the pullback into `x` is `factor · g` (or `g / divisor`), which names no `x`
    /// ([`crate::reverse`] calls `ops::scale` / `ops::unscale`), so `x` need not be brought
    /// back for the reverse sweep. Returns the inactive operand.
    pub fn scaled_by_inactive(
        &self,
        is_active: impl Fn(&Atom) -> bool,
        is_float: impl Fn(&Atom) -> bool,
    ) -> Option<&Atom> {
        let Rhs::Binary { op, lhs, rhs, .. } = self else {
            return None;
        };
        if !(is_float(lhs) && is_float(rhs)) {
            return None;
        }
        match (op, is_active(lhs), is_active(rhs)) {
            (BinOp::Mul, true, false) | (BinOp::Div, true, false) => Some(rhs),
            (BinOp::Mul, false, true) => Some(lhs),
            _ => None,
        }
    }

    pub fn operands_read_by_pullback(&self, is_active: impl Fn(&Atom) -> bool) -> Vec<&Atom> {
        match self {
            Rhs::Atom(_) | Rhs::Borrow(_) | Rhs::Neg(_) | Rhs::Opaque(_) => vec![],
            Rhs::Elements { .. } | Rhs::CopyOf { .. } | Rhs::Construct { .. } => vec![],
            Rhs::Binary { op, lhs, rhs, .. } => {
                let (lhs_active, rhs_active) = (is_active(lhs), is_active(rhs));
                let mut read = Vec::new();
                match op {
                    BinOp::Add | BinOp::Sub => {}
                    BinOp::Mul => {
                        if rhs_active {
                            read.push(lhs);
                        }
                        if lhs_active {
                            read.push(rhs);
                        }
                    }
                    BinOp::Div => {
                        if rhs_active {
                            read.push(lhs);
                        }
                        if lhs_active || rhs_active {
                            read.push(rhs);
                        }
                    }
                }
                read
            }
            _ => self.operands(),
        }
    }
}

impl Block {
    pub fn new(id: BlockId) -> Self {
        Block {
            id,
            stmts: Vec::new(),
        }
    }

    /// Calls `visit` on every statement, nested ones included, in order.
    pub fn walk(&self, visit: &mut impl FnMut(&Stmt)) {
        for stmt in &self.stmts {
            stmt.walk(visit);
        }
    }
}

impl Stmt {
    /// Calls `visit` on this statement and every statement nested in it, in order.
    pub fn walk(&self, visit: &mut impl FnMut(&Stmt)) {
        visit(self);
        match self {
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                then_block.walk(visit);
                else_block.walk(visit);
            }
            Stmt::Loop { body, .. } => body.walk(visit),
            _ => {}
        }
    }
}
