//! The attribute's options: `#[differentiate(wrt(a, b), grad = df, value_and_grad = vdf,
//! adjoint = f_adj)]`. Every option is optional.

use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

const ACCEPTED: &str = "accepted options are `wrt(param, ...)`, `grad = name`, \
                        `value_and_grad = name` and `adjoint = name`";

/// The parsed options.
#[derive(Default)]
pub struct Args {
    /// Parameters to differentiate with respect to; `None` means every float parameter.
    pub wrt: Option<Vec<Ident>>,
    pub grad: Option<Ident>,
    pub value_and_grad: Option<Ident>,
    pub adjoint: Option<Ident>,
}

enum Option_ {
    Wrt(Vec<Ident>),
    Name(Ident, Ident),
}

impl Parse for Option_ {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let key: Ident = input
            .parse()
            .map_err(|e| syn::Error::new(e.span(), ACCEPTED))?;
        if key == "wrt" {
            let content;
            syn::parenthesized!(content in input);
            let names = Punctuated::<Ident, Token![,]>::parse_terminated(&content)?;
            if names.is_empty() {
                return Err(syn::Error::new(
                    key.span(),
                    "`wrt(..)` needs at least one parameter name",
                ));
            }
            return Ok(Option_::Wrt(names.into_iter().collect()));
        }
        if key == "grad" || key == "value_and_grad" || key == "adjoint" {
            input.parse::<Token![=]>()?;
            let name: Ident = input.parse()?;
            return Ok(Option_::Name(key, name));
        }
        Err(syn::Error::new(
            key.span(),
            format!("unknown `#[differentiate]` option `{key}`; {ACCEPTED}"),
        ))
    }
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args::default();
        let mut errors: Option<syn::Error> = None;
        let mut note = |e: syn::Error| match &mut errors {
            Some(all) => all.combine(e),
            None => errors = Some(e),
        };
        let options = Punctuated::<Option_, Token![,]>::parse_terminated(input)?;
        for option in options {
            match option {
                Option_::Wrt(names) if args.wrt.is_some() => {
                    note(syn::Error::new(names[0].span(), "`wrt` given twice"))
                }
                Option_::Wrt(names) => args.wrt = Some(names),
                Option_::Name(key, name) => {
                    let slot = match key.to_string().as_str() {
                        "grad" => &mut args.grad,
                        "value_and_grad" => &mut args.value_and_grad,
                        _ => &mut args.adjoint,
                    };
                    if slot.is_some() {
                        note(syn::Error::new(key.span(), format!("`{key}` given twice")));
                    }
                    *slot = Some(name);
                }
            }
        }
        match errors {
            Some(e) => Err(e),
            None => Ok(args),
        }
    }
}
