//! Tapes on which a forward sweep records what its reverse sweep needs.
//!
//! The generated code creates one tape per recording site, typed by inference from the first
//! `push`. A site outside every loop records at most once per call and uses a [`Slot`], which
//! lives on the stack; a site inside a loop uses a [`Stack`]. Pushes and pops are balanced by
//! construction: the reverse sweep pops exactly what the forward sweep pushed, in reverse order.

/// A tape for a recording site that runs at most once per call: no heap allocation.
///
/// ```
/// use autodiff_core::Slot;
///
/// let mut slot = Slot::new();
/// slot.push(1.5);
/// assert_eq!(slot.pop(), 1.5);
/// ```
#[derive(Debug)]
pub struct Slot<T>(Option<T>);

impl<T> Slot<T> {
    /// An empty slot.
    #[inline(always)]
    pub const fn new() -> Self {
        Slot(None)
    }

    /// Records `value`.
    #[inline(always)]
    pub fn push(&mut self, value: T) {
        debug_assert!(self.0.is_none(), "autodiff: slot recorded twice");
        self.0 = Some(value);
    }

    /// Takes back the recorded value.
    ///
    /// # Panics
    /// Only if the generated code is wrong (a pop without its push): a bug in autodiff.
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        match self.0.take() {
            Some(value) => value,
            None => tape_underflow(),
        }
    }
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// A last-in, first-out tape for a recording site inside a loop.
///
/// ```
/// use autodiff_core::Stack;
///
/// let mut stack = Stack::new();
/// stack.push(1.0);
/// stack.push(2.0);
/// assert_eq!(stack.pop(), 2.0);
/// assert_eq!(stack.pop(), 1.0);
/// ```
#[derive(Debug)]
pub struct Stack<T>(Vec<T>);

impl<T> Stack<T> {
    /// An empty stack; it allocates on the first push.
    #[inline(always)]
    pub const fn new() -> Self {
        Stack(Vec::new())
    }

    /// Records `value`.
    #[inline(always)]
    pub fn push(&mut self, value: T) {
        self.0.push(value);
    }

    /// Takes back the most recently recorded value.
    ///
    /// # Panics
    /// Only if the generated code is wrong (a pop without its push): a bug in autodiff.
    #[inline(always)]
    pub fn pop(&mut self) -> T {
        match self.0.pop() {
            Some(value) => value,
            None => tape_underflow(),
        }
    }

    /// How many values are recorded.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether nothing is recorded.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T> Default for Stack<T> {
    fn default() -> Self {
        Self::new()
    }
}

#[cold]
#[inline(never)]
fn tape_underflow() -> ! {
    panic!("autodiff: reverse sweep popped a value the forward sweep did not record; this is a bug in autodiff, please report it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stack_is_last_in_first_out() {
        let mut stack = Stack::new();
        for i in 0..100 {
            stack.push(i);
        }
        assert_eq!(stack.len(), 100);
        for i in (0..100).rev() {
            assert_eq!(stack.pop(), i);
        }
        assert!(stack.is_empty());
    }

    #[test]
    fn slot_round_trips_one_value() {
        let mut slot = Slot::new();
        slot.push((1.0, 2u8));
        assert_eq!(slot.pop(), (1.0, 2u8));
    }

    #[test]
    #[should_panic(expected = "bug in autodiff")]
    fn popping_an_empty_stack_is_reported_as_our_bug() {
        let mut stack: Stack<f64> = Stack::new();
        stack.pop();
    }
}
