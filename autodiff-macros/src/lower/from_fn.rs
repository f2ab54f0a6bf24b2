//! nalgebra's `T::from_fn(dims.., |i, j| body)` and `m.map(|v| body)`, rewritten once per
//! expansion as the loops they stand for, which the lowering differentiates like any code
//! that fills a matrix entry by entry. `from_fn` is always lowered that way; `map` only when
//! its closure reads a value that carries a derivative (otherwise its rule is faster). Parsed
//! once so that every lowering sees the same syntax tree (bindings are identified by their
//! address in it).

use std::collections::HashMap;

use syn::{Expr, ExprCall, ExprMethodCall};

/// The loop form of every `from_fn` call and every `.map(|v| ..)` of the function, by the
/// call's address.
#[derive(Default)]
pub struct FromFnBodies(HashMap<usize, Expr>);

impl FromFnBodies {
    pub fn parse(item: &syn::ItemFn) -> Self {
        struct Collector(FromFnBodies);
        impl<'ast> syn::visit::Visit<'ast> for Collector {
            fn visit_expr_call(&mut self, call: &'ast ExprCall) {
                if let Some(rewritten) = as_loops(call) {
                    self.0
                         .0
                        .insert(call as *const ExprCall as usize, rewritten);
                }
                syn::visit::visit_expr_call(self, call);
            }
            fn visit_expr_method_call(&mut self, call: &'ast ExprMethodCall) {
                if let Some(rewritten) = map_as_loops(call) {
                    self.0
                         .0
                        .insert(call as *const ExprMethodCall as usize, rewritten);
                }
                syn::visit::visit_expr_method_call(self, call);
            }
        }
        let mut collector = Collector(FromFnBodies::default());
        syn::visit::visit_item_fn(&mut collector, item);
        collector.0
    }

    pub(super) fn get(&self, call: &ExprCall) -> Option<&Expr> {
        self.0.get(&(call as *const ExprCall as usize))
    }

    /// The loop form of `m.map(|v| body)`.
    pub(super) fn map(&self, call: &ExprMethodCall) -> Option<&Expr> {
        self.0.get(&(call as *const ExprMethodCall as usize))
    }
}

/// `{ let mut m = T::zeros(dims..); for col .. { for row .. { m[(row, col)] = body } }; m }`
/// for `T::from_fn(dims.., |i, j| body)` with `T` a nalgebra type.
fn as_loops(call: &ExprCall) -> Option<Expr> {
    let Expr::Path(path) = &*call.func else {
        return None;
    };
    let segments = &path.path.segments;
    let (name, ty) = match segments.len() {
        0 | 1 => return None,
        n => (&segments[n - 1], &segments[n - 2]),
    };
    if name.ident != "from_fn" || !crate::params::is_nalgebra_name(&ty.ident.to_string()) {
        return None;
    }
    let Some(Expr::Closure(closure)) = call.args.last() else {
        return None;
    };
    if closure.inputs.len() != 2 {
        return None;
    }
    let (row, col) = (&closure.inputs[0], &closure.inputs[1]);
    let body = &closure.body;
    let dims = call.args.iter().take(call.args.len() - 1);
    let mut ty_path = path.path.clone();
    ty_path.segments.pop();
    let ty_path = ty_path.segments.pairs().map(|p| p.into_value().clone());
    let leading = path.path.leading_colon;
    Some(syn::parse_quote!({
        let mut from_fn_value = #leading #(#ty_path)::* ::zeros(#(#dims),*);
        for from_fn_col in 0..from_fn_value.ncols() {
            for from_fn_row in 0..from_fn_value.nrows() {
                let #row = from_fn_row;
                let #col = from_fn_col;
                from_fn_value[(from_fn_row, from_fn_col)] = #body;
            }
        }
        from_fn_value
    }))
}

/// `{ let input = m; let mut out = <zeros of its shape>; for col .. { for row .. {
/// let v = input[(row, col)]; out[(row, col)] = body } }; out }` for `m.map(|v| body)`.
fn map_as_loops(call: &ExprMethodCall) -> Option<Expr> {
    if call.method != "map" || call.args.len() != 1 {
        return None;
    }
    let Some(Expr::Closure(closure)) = call.args.first() else {
        return None;
    };
    if closure.inputs.len() != 1 {
        return None;
    }
    let (input, body, receiver) = (&closure.inputs[0], &closure.body, &call.receiver);
    Some(syn::parse_quote!({
        let map_input = #receiver;
        let mut map_value = ::autodiff::stop_gradient(map_input.map(|_| 0.0));
        for map_col in 0..map_input.ncols() {
            for map_row in 0..map_input.nrows() {
                let #input = map_input[(map_row, map_col)];
                map_value[(map_row, map_col)] = #body;
            }
        }
        map_value
    }))
}
