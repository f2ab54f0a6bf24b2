//! The attribute's options: `#[differentiate(wrt(a, b), grad = df, value_and_grad = vdf,
//! adjoint = f_adj)]`. Every option is optional; every malformed option is reported.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Expr, Ident, Meta, Token};

const ACCEPTED: &str = "accepted options are `wrt(param, ...)`, `grad = name`, \
                        `value_and_grad = name` and `adjoint = name`";

/// The parsed options, with every error found while parsing them.
#[derive(Default)]
pub struct Args {
    /// Parameters to differentiate with respect to; `None` means every float parameter.
    pub wrt: Option<Vec<Ident>>,
    pub grad: Option<Ident>,
    pub value_and_grad: Option<Ident>,
    pub adjoint: Option<Ident>,
    pub errors: Vec<syn::Error>,
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
        Ok(args)
    }
}

impl Args {
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
            ("wrt", _) => Err(syn::Error::new_spanned(option, "write `wrt(param, ...)`")),
            ("grad" | "value_and_grad" | "adjoint", _) => Err(syn::Error::new_spanned(
                option,
                format!("write `{key} = name`"),
            )),
            _ => Err(unknown()),
        }
    }
}
