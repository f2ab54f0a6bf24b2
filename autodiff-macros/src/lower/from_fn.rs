//! nalgebra's `T::from_fn(dims.., |i, j| body)`, rewritten once per expansion as the loops it
//! stands for, which the lowering differentiates like any code that fills a matrix entry by
//! entry. Parsed once so that every lowering sees the same syntax tree (bindings are
//! identified by their address in it).

use std::collections::HashMap;

use syn::{Expr, ExprCall};

/// The loop form of every `from_fn` call of the function, by the call's address.
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
        }
        let mut collector = Collector(FromFnBodies::default());
        syn::visit::visit_item_fn(&mut collector, item);
        collector.0
    }

    pub(super) fn get(&self, call: &ExprCall) -> Option<&Expr> {
        self.0.get(&(call as *const ExprCall as usize))
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
