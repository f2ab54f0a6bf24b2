//! Shadow elements that a loop's reverse keeps in a local variable.
//!
//! In `for i in j + 1..d { out[i] += l[idx] * v[j]; .. }` every reverse trip adds into
//! `v_bar[j]`, the same element. Written as `v_bar[j] += g`, each trip loads and stores it,
//! and since a bounds check may panic between two trips the compiler cannot keep it in a
//! register: the adds form a chain through memory. When nothing else in the loop touches
//! that buffer's shadow, the reverse takes the element into a local before the loop, adds
//! into the local, and stores it back after the loop: the same additions in the same order.
//!
//! The element must be read at the top level of the loop's body, so that every trip reads it
//! in the forward sweep (its index is then known to be in bounds whenever the loop runs), and
//! its index must be the same in every trip: no variable of it is declared or assigned in
//! the loop.

use std::collections::HashSet;

use crate::ir::*;

/// One shadow element held in a local across a loop's reverse.
pub struct Held {
    /// The element's place in its shadow, as emitted (`v_bar[j]`).
    pub slot: proc_macro2::TokenStream,
    /// The place as text: two reads hold the same element when their places read the same.
    pub key: String,
}

/// The elements of active buffers that the reverse of the loop with this `head` and `body`
/// may keep in locals, each given by the place of the read that names it (`shadow_slot` turns
/// a read `base[index]` into the tokens of its shadow element).
pub fn invariant_elements(
    f: &Function,
    head: &LoopHead,
    body: &Block,
    shadow_slot: impl Fn(VarId, Option<&Atom>) -> proc_macro2::TokenStream,
) -> Vec<Held> {
    let mut scope = LoopScope::of(f, body);
    if let LoopHead::For { var: Some(v), .. } = head {
        scope.assigned.insert(*v);
    }
    // For each root buffer: the one element every mention reads, or `None` once it is
    // mentioned in any other way.
    let mut mentions: Vec<(VarId, Option<String>)> = Vec::new();
    let mut mention =
        |root: VarId, slot: Option<String>| match mentions.iter_mut().find(|(r, _)| *r == root) {
            Some((_, seen)) if *seen != slot => *seen = None,
            Some(_) => {}
            None => mentions.push((root, slot)),
        };
    f.each_mention(body, |root, read| {
        let slot = read.and_then(|(base, index)| {
            let element = (f.vars[base].buffer || index.is_none())
                && scope.place_is_fixed(f, base, index.as_ref());
            element.then(|| shadow_slot(base, index.as_ref()).to_string())
        });
        mention(root, slot);
    });
    // Read in every trip: by a statement of the body itself, not of a nested block.
    let read_every_trip: Vec<(VarId, Option<&Atom>)> = body
        .stmts
        .iter()
        .filter_map(|stmt| match stmt {
            Stmt::Let {
                init: Some(Rhs::Index { base, index }),
                ..
            }
            | Stmt::Assign {
                rhs: Rhs::Index { base, index },
                ..
            } => Some((*base, index.as_ref())),
            _ => None,
        })
        .collect();
    mentions
        .into_iter()
        .filter(|(root, _)| f.vars[*root].active)
        .filter_map(|(_, key)| {
            let key = key?;
            read_every_trip.iter().find_map(|&(base, index)| {
                let slot = shadow_slot(base, index);
                (slot.to_string() == key).then(|| Held {
                    slot,
                    key: key.clone(),
                })
            })
        })
        .collect()
}

/// What a loop's body declares and assigns.
struct LoopScope {
    blocks: HashSet<BlockId>,
    assigned: HashSet<VarId>,
}

impl LoopScope {
    fn of(f: &Function, body: &Block) -> Self {
        let mut blocks = HashSet::from([body.id]);
        let mut assigned = HashSet::new();
        body.walk(&mut |stmt| match stmt {
            // Kept as written, it may change any variable it names (`j <<= 1`).
            Stmt::Effect(tokens) => assigned.extend(f.vars_named_in(tokens)),
            Stmt::If {
                then_block,
                else_block,
                ..
            } => {
                blocks.insert(then_block.id);
                blocks.insert(else_block.id);
            }
            Stmt::Loop { body, head, .. } => {
                blocks.insert(body.id);
                if let LoopHead::For { var: Some(v), .. } = head {
                    assigned.insert(*v);
                }
            }
            Stmt::Assign { var, .. } => {
                assigned.insert(*var);
            }
            Stmt::Swap { a, b } => {
                assigned.insert(*a);
                assigned.insert(*b);
            }
            _ => {}
        });
        LoopScope { blocks, assigned }
    }

    /// The variable has one value through the whole loop.
    fn is_fixed(&self, f: &Function, var: VarId) -> bool {
        !self.blocks.contains(&f.vars[var].block) && !self.assigned.contains(&var)
    }

    fn atom_is_fixed(&self, f: &Function, atom: &Atom) -> bool {
        atom.var().is_none_or(|v| self.is_fixed(f, v))
    }

    /// `base[index]` is the same element of the same root buffer in every trip.
    fn place_is_fixed(&self, f: &Function, base: VarId, index: Option<&Atom>) -> bool {
        if !index.is_none_or(|index| self.atom_is_fixed(f, index)) {
            return false;
        }
        let mut var = base;
        loop {
            if !self.is_fixed(f, var) {
                return false;
            }
            match &f.vars[var].view {
                Some(view) if self.atom_is_fixed(f, &view.start) => var = view.base,
                Some(_) => return false,
                None => return true,
            }
        }
    }
}
