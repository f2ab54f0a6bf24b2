//! Which variables hold plain `Copy` scalars, and which hold references, read off how each is
//! computed.
//!
//! The macro sees no types, yet an operator must take a matrix by reference: `a * x` would
//! move `a` and `x`, which the reverse sweep still reads. So operands are written `&a * &x`
//! unless they are known to be plain scalars (a float parameter, a literal, arithmetic on
//! those, an element read), which keeps the generated scalar code as the user wrote it.
//! Guessing "not plain" is always safe: the standard operators accept references to floats
//! and integers too.

use std::collections::HashMap;

use syn::Expr;

use crate::check::{float_kind, is_primitive, Signature};
use crate::ir::*;
use crate::params::ParamKind;

/// Methods that return a scalar whatever they are called on (`v.dot(&w)`, `m.trace()`).
const SCALAR_METHODS: &[&str] = &[
    "dot",
    "norm",
    "norm_squared",
    "sum",
    "trace",
    "determinant",
    "product",
    "mean",
    "max",
    "min",
    "amax",
    "amin",
    "len",
    "nrows",
    "ncols",
];

/// Sets [`Var::plain`] for every variable, and [`Var::borrowed`] for those bound to `&v`.
pub fn mark(f: &mut Function, sig: &Signature) {
    let mut plain: Vec<bool> = f
        .vars
        .iter()
        .map(|v| match v.kind {
            VarKind::Branch | VarKind::Trips => true,
            VarKind::User | VarKind::Temp => true,
            VarKind::Output => float_kind(&sig.output).is_some(),
            VarKind::Param => false,
        })
        .collect();
    for (&var, param) in f.params.iter().zip(&sig.params) {
        plain[var] = match param.kind {
            ParamKind::Scalar => true,
            // A parameter of the user's own type is used as written: by value.
            ParamKind::Inactive => !matches!(param.ty, syn::Type::Reference(_)),
            _ => false,
        };
    }
    let by_name: HashMap<String, VarId> = f
        .vars
        .iter()
        .enumerate()
        .map(|(id, v)| (v.ident.to_string(), id))
        .collect();
    let mut borrowed: Vec<bool> = f.vars.iter().map(|v| v.borrowed).collect();
    // A variable declared with a scalar type is one whatever computes it (`let next: u64 =
    // remove(used, col);`): the user's annotation tells what the macro cannot see.
    let mut declared_scalar = vec![false; f.vars.len()];
    f.body.walk(&mut |stmt| {
        if let Stmt::Let {
            var, ty: Some(ty), ..
        } = stmt
        {
            declared_scalar[*var] = is_primitive(ty);
        }
    });
    // Plainness only ever goes from true to false, so this ends.
    loop {
        let mut changed = false;
        f.body.walk(&mut |stmt| {
            let (var, rhs) = match stmt {
                Stmt::Let {
                    var,
                    init: Some(rhs),
                    ..
                }
                | Stmt::Assign { var, rhs, .. } => (*var, rhs),
                Stmt::Loop {
                    head:
                        LoopHead::For {
                            var: Some(var),
                            iter,
                            ..
                        },
                    ..
                } => {
                    let over_range = syn::parse2::<syn::Expr>(iter.clone())
                        .is_ok_and(|e| matches!(e, syn::Expr::Range(_)));
                    if !over_range && plain[*var] {
                        plain[*var] = false;
                        changed = true;
                    }
                    return;
                }
                _ => return,
            };
            // A copy of a reference is a reference.
            let copies_reference = matches!(rhs, Rhs::Atom(Atom::Var(v)) if borrowed[*v]);
            if (matches!(rhs, Rhs::Borrow(_)) || copies_reference) && !borrowed[var] {
                borrowed[var] = true;
                changed = true;
            }
            if plain[var] && !declared_scalar[var] && !is_plain(rhs, &plain, &by_name) {
                plain[var] = false;
                changed = true;
            }
        });
        if !changed {
            break;
        }
    }
    let mut reads = vec![0_usize; f.vars.len()];
    f.body.walk(&mut |stmt| {
        let rhs = match stmt {
            Stmt::Let {
                init: Some(rhs), ..
            }
            | Stmt::Assign { rhs, .. }
            | Stmt::Store { rhs, .. }
            | Stmt::Push { value: rhs, .. } => rhs,
            _ => return,
        };
        for var in rhs.dependencies() {
            reads[var] += 1;
        }
    });
    let floats = float_scalars(f, sig);
    for (var, v) in f.vars.iter_mut().enumerate() {
        v.float_scalar = floats[var] && plain[var] && !v.buffer;
        v.plain = plain[var] && !v.buffer;
        v.borrowed |= borrowed[var];
        v.shared = reads[var] > 1 || v.needed || v.kind == VarKind::Param;
    }
}

fn is_plain(rhs: &Rhs, plain: &[bool], by_name: &HashMap<String, VarId>) -> bool {
    let atom = |a: &Atom| a.var().is_none_or(|v| plain[v]);
    match rhs {
        Rhs::Atom(a) | Rhs::Neg(a) => atom(a),
        Rhs::Binary { lhs, rhs, .. } => atom(lhs) && atom(rhs),
        Rhs::Method { name, recv, .. } => atom(recv) || is_scalar_method(name),
        Rhs::Index { .. } | Rhs::Cast { .. } => true,
        Rhs::Opaque(tokens) => {
            syn::parse2::<Expr>(tokens.clone()).is_ok_and(|e| is_plain_expr(&e, plain, by_name))
        }
        Rhs::Borrow(_)
        | Rhs::Call { .. }
        | Rhs::Construct { .. }
        | Rhs::Elements { .. }
        | Rhs::CopyOf { .. }
        | Rhs::Rejected(_) => false,
    }
}

/// Which variables hold float scalars for certain: float parameters, and variables every
/// definition of which is a float literal or cast, an element of a float buffer, or `+ - * /`
/// and negation of float scalars. Anything else (a method, a call, a value of the user's own
/// type) might not be a float.
fn float_scalars(f: &Function, sig: &Signature) -> Vec<bool> {
    let mut float: Vec<bool> = f.vars.iter().map(|v| v.kind != VarKind::Param).collect();
    for (&var, param) in f.params.iter().zip(&sig.params) {
        float[var] = matches!(param.kind, ParamKind::Scalar);
    }
    loop {
        let mut changed = false;
        f.body.walk(&mut |stmt| {
            let (var, rhs) = match stmt {
                Stmt::Let {
                    var,
                    init: Some(rhs),
                    ..
                }
                | Stmt::Assign { var, rhs, .. } => (*var, Some(rhs)),
                Stmt::Let {
                    var, init: None, ..
                } => (*var, None),
                Stmt::Loop {
                    head: LoopHead::For { var: Some(var), .. },
                    ..
                } => (*var, None),
                _ => return,
            };
            let is_float = rhs.is_some_and(|rhs| is_float_rhs(f, rhs, &float));
            if float[var] && !is_float {
                float[var] = false;
                changed = true;
            }
        });
        if !changed {
            return float;
        }
    }
}

/// Whether `atom` is a float scalar for certain: a float literal, or a variable known to hold
/// one.
pub fn is_float_atom(atom: &Atom, float: impl Fn(VarId) -> bool) -> bool {
    match atom {
        Atom::Var(v) => float(*v),
        Atom::Const(tokens) => match syn::parse2::<Expr>(tokens.clone()) {
            Ok(Expr::Lit(lit)) => matches!(lit.lit, syn::Lit::Float(_)),
            Ok(Expr::Unary(u)) => {
                matches!(&*u.expr, Expr::Lit(lit) if matches!(lit.lit, syn::Lit::Float(_)))
            }
            _ => false,
        },
    }
}

fn is_float_rhs(f: &Function, rhs: &Rhs, float: &[bool]) -> bool {
    let atom = |a: &Atom| is_float_atom(a, |v| float[v]);
    match rhs {
        Rhs::Atom(a) | Rhs::Neg(a) => atom(a),
        Rhs::Binary { lhs, rhs, .. } => atom(lhs) && atom(rhs),
        Rhs::Cast { ty, .. } => float_kind(ty).is_some(),
        Rhs::Index { base, .. } => f.vars[f.root(*base)].buffer,
        Rhs::Opaque(tokens) => syn::parse2::<Expr>(tokens.clone())
            .is_ok_and(|e| float_expr(f, &e, float) == FloatExpr::Float),
        _ => false,
    }
}

/// What an expression kept as written computes, as far as its leaves tell.
#[derive(PartialEq)]
enum FloatExpr {
    /// A float: float literals and casts, float variables, arithmetic on them.
    Float,
    /// A constant (`T_FINAL`), a float beside another float.
    Constant,
    Other,
}

fn float_expr(f: &Function, e: &Expr, float: &[bool]) -> FloatExpr {
    match e {
        Expr::Lit(lit) if matches!(lit.lit, syn::Lit::Float(_)) => FloatExpr::Float,
        Expr::Cast(c) if float_kind(&c.ty).is_some() => FloatExpr::Float,
        Expr::Paren(p) => float_expr(f, &p.expr, float),
        Expr::Group(g) => float_expr(f, &g.expr, float),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Neg(_)) => float_expr(f, &u.expr, float),
        Expr::Binary(b)
            if matches!(
                b.op,
                syn::BinOp::Add(_) | syn::BinOp::Sub(_) | syn::BinOp::Mul(_) | syn::BinOp::Div(_)
            ) =>
        {
            match (
                float_expr(f, &b.left, float),
                float_expr(f, &b.right, float),
            ) {
                (FloatExpr::Other, _) | (_, FloatExpr::Other) => FloatExpr::Other,
                (FloatExpr::Float, _) | (_, FloatExpr::Float) => FloatExpr::Float,
                _ => FloatExpr::Constant,
            }
        }
        Expr::Path(p) => match p.path.get_ident() {
            Some(ident) => {
                let name = ident.to_string();
                match f.vars.iter().position(|v| v.ident == name) {
                    Some(v) if float[v] => FloatExpr::Float,
                    Some(_) => FloatExpr::Other,
                    None if name
                        .chars()
                        .all(|c| c.is_uppercase() || c == '_' || c.is_ascii_digit()) =>
                    {
                        FloatExpr::Constant
                    }
                    None => FloatExpr::Other,
                }
            }
            None => FloatExpr::Other,
        },
        _ => FloatExpr::Other,
    }
}

fn is_scalar_method(name: &syn::Ident) -> bool {
    SCALAR_METHODS.contains(&name.to_string().as_str())
}

/// Whether an expression kept as written computes a plain scalar: literals, casts, names of
/// plain variables or of constants, arithmetic and scalar methods on those, and
/// `stop_gradient` of one.
fn is_plain_expr(e: &Expr, plain: &[bool], by_name: &HashMap<String, VarId>) -> bool {
    let plain_expr = |e: &Expr| is_plain_expr(e, plain, by_name);
    match e {
        Expr::Lit(_) | Expr::Cast(_) => true,
        Expr::Paren(p) => plain_expr(&p.expr),
        Expr::Group(g) => plain_expr(&g.expr),
        Expr::Unary(u) => plain_expr(&u.expr),
        Expr::Binary(b) => plain_expr(&b.left) && plain_expr(&b.right),
        Expr::Path(p) => match p.path.get_ident() {
            Some(ident) => by_name.get(&ident.to_string()).is_none_or(|&v| plain[v]),
            // A path such as `std::f64::consts::PI` names a constant.
            None => true,
        },
        Expr::MethodCall(m) => plain_expr(&m.receiver) || is_scalar_method(&m.method),
        Expr::Call(c) => match &*c.func {
            Expr::Path(p)
                if p.path
                    .segments
                    .last()
                    .is_some_and(|s| s.ident == "stop_gradient") =>
            {
                c.args.iter().all(plain_expr)
            }
            _ => false,
        },
        _ => false,
    }
}
