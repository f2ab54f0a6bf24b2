//! The attribute's options: `#[differentiate(wrt(a, b), grad = df, value_and_grad = vdf,
//! adjoint = f_adj, reverse, forward, hessian, tangents)]`. Every option is optional; every
//! malformed option is reported.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Meta, Token};

const ACCEPTED: &str = "accepted options are `wrt(param, ...)`, `grad = name`, \
                        `value_and_grad = name`, `adjoint = name`, `reverse`, `forward`, `hessian` and `tangents`";

/// The parsed options, with every error found while parsing them.
#[derive(Default)]
pub struct Args {
    /// Parameters to differentiate with respect to; `None` means every float parameter.
    pub wrt: Option<Vec<Ident>>,
    pub grad: Option<Ident>,
    pub value_and_grad: Option<Ident>,
    pub adjoint: Option<Ident>,
    /// `reverse`: generate the reverse mode (`_adjoint`, `_grad`, ...) only.
    pub reverse_only: Option<Ident>,
    /// `forward`: generate the forward mode (`_tangent`) only.
    pub forward_only: Option<Ident>,
    /// `hessian`: generate `_hvp` and `_hessian`, reporting what stands in the way (without
    /// options they come where they can; see `second_order`).
    pub hessian: Option<Ident>,
    /// `tangents`: also generate `_tangents`, the forward mode in many directions at once.
    pub tangents: Option<Ident>,
    pub errors: Vec<syn::Error>,
}

/// Which modes to generate; both unless the options name one.
#[derive(Clone, Copy)]
pub struct Modes {
    pub reverse: bool,
    pub forward: bool,
    /// `f_tangents`, the forward mode in many directions, only on request.
    pub tangents: bool,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args::default();
        let options = Punctuated::<Meta, Token![,]>::parse_terminated(input)
            .map_err(|e| syn::Error::new(e.span(), format!("{e}; {ACCEPTED}")))?;
        for option in options {
            if let Err(error) = args.take(&option) {
                args.errors.push(error);
            }
        }
        args.check_modes();
        Ok(args)
    }
}

impl Args {
    /// The modes the options ask for: naming one mode generates that one alone, naming both
    /// (or neither) generates both.
    pub fn modes(&self) -> Modes {
        let (reverse, forward) = match (&self.reverse_only, &self.forward_only) {
            (Some(_), None) => (true, false),
            (None, Some(_)) => (false, true),
            _ => (true, true),
        };
        Modes {
            reverse,
            forward,
            tangents: self.tangents.is_some(),
        }
    }

    /// Names chosen for reverse-mode functions are an error when only `forward` is generated.
    pub fn check_modes(&mut self) {
        if self.modes().reverse {
            return;
        }
        for name in [&self.grad, &self.value_and_grad, &self.adjoint]
            .into_iter()
            .flatten()
        {
            self.errors.push(syn::Error::new_spanned(
                name,
                "this names a reverse-mode function, which `#[differentiate(forward)]` does not \
                 generate; remove `forward` or this option",
            ));
        }
    }

    fn take(&mut self, option: &Meta) -> syn::Result<()> {
        let unknown = || {
            syn::Error::new_spanned(
                option.path(),
                format!(
                    "unknown `#[differentiate]` option `{}`; {ACCEPTED}",
                    quote::ToTokens::to_token_stream(option.path())
                ),
            )
        };
        let key = option.path().get_ident().ok_or_else(unknown)?.to_string();
        match (key.as_str(), option) {
            ("wrt", Meta::List(list)) => {
                let names =
                    list.parse_args_with(Punctuated::<Ident, Token![,]>::parse_terminated)?;
                if names.is_empty() {
                    return Err(syn::Error::new_spanned(
                        list,
                        "`wrt(..)` needs at least one parameter name",
                    ));
                }
                if self.wrt.is_some() {
                    return Err(syn::Error::new_spanned(list, "`wrt` given twice"));
                }
                self.wrt = Some(names.into_iter().collect());
                Ok(())
            }
            ("grad" | "value_and_grad" | "adjoint", Meta::NameValue(pair)) => {
                let name = match &pair.value {
                    Expr::Path(p) if p.qself.is_none() => p.path.get_ident().cloned(),
                    _ => None,
                };
                let name = name.ok_or_else(|| {
                    syn::Error::new_spanned(
                        &pair.value,
                        format!("`{key} = ..` takes a function name"),
                    )
                })?;
                let slot = match key.as_str() {
                    "grad" => &mut self.grad,
                    "value_and_grad" => &mut self.value_and_grad,
                    _ => &mut self.adjoint,
                };
                if slot.is_some() {
                    return Err(syn::Error::new_spanned(
                        &pair.path,
                        format!("`{key}` given twice"),
                    ));
                }
                *slot = Some(name);
                Ok(())
            }
            ("reverse" | "forward", Meta::Path(path)) => {
                let slot = if key == "reverse" {
                    &mut self.reverse_only
                } else {
                    &mut self.forward_only
                };
                if slot.is_some() {
                    return Err(syn::Error::new_spanned(
                        path,
                        format!("`{key}` given twice"),
                    ));
                }
                *slot = path.get_ident().cloned();
                Ok(())
            }
            ("hessian" | "tangents", Meta::Path(path)) => {
                let slot = if key == "hessian" {
                    &mut self.hessian
                } else {
                    &mut self.tangents
                };
                if slot.is_some() {
                    return Err(syn::Error::new_spanned(
                        path,
                        format!("`{key}` given twice"),
                    ));
                }
                *slot = path.get_ident().cloned();
                Ok(())
            }
            ("reverse" | "forward" | "hessian" | "tangents", _) => Err(syn::Error::new_spanned(
                option,
                format!("`{key}` takes no value: write `#[differentiate({key})]`"),
            )),
            ("wrt", _) => Err(syn::Error::new_spanned(option, "write `wrt(param, ...)`")),
            ("grad" | "value_and_grad" | "adjoint", _) => Err(syn::Error::new_spanned(
                option,
                format!("write `{key} = name`"),
            )),
            _ => Err(unknown()),
        }
    }
}
