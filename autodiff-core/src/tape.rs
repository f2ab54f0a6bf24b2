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
///
/// A large stack's memory outlives it: when it is dropped, its buffer (64 KiB or more) goes to
/// a small per-thread pool (at most 8 buffers and 256 MiB), and the next large stack of the
/// same element type starts from it. A gradient called in a loop then records into memory
/// that is already mapped, instead of page-faulting a fresh allocation in on every call.
#[derive(Debug)]
pub struct Stack<T: 'static>(Vec<T>);

impl<T: 'static> Stack<T> {
    /// An empty stack; it allocates on the first push.
    #[inline(always)]
    pub const fn new() -> Self {
        Stack(Vec::new())
    }

    /// Records `value`.
    #[inline(always)]
    pub fn push(&mut self, value: T) {
        if self.0.len() == self.0.capacity() {
            self.grow();
        }
        self.0.push(value);
    }

    /// Makes room for more values when the stack is full: from the pool once the stack is
    /// large, by the vector's own doubling otherwise.
    #[cold]
    fn grow(&mut self) {
        let wanted = (2 * self.0.capacity()).max(4);
        if let Some(mut bigger) = pool::take_if_large::<T>(wanted) {
            bigger.append(&mut self.0);
            pool::give_back(core::mem::replace(&mut self.0, bigger));
        } else {
            if self.0.capacity() == 0 {
                small::take(&mut self.0, wanted);
            }
            if self.0.len() == self.0.capacity() {
                self.0.reserve(wanted - self.0.len());
            }
        }
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

    /// Makes room for `additional` more values at once: generated code calls it before a
    /// loop whose trip count is known, so that recording does not grow the stack step by step.
    ///
    /// ```
    /// let mut stack = autodiff_core::Stack::new();
    /// stack.reserve(100);
    /// stack.push(1.0);
    /// assert_eq!(stack.len(), 1);
    /// ```
    #[inline]
    pub fn reserve(&mut self, additional: usize) {
        let wanted = self.0.len() + additional;
        if wanted > self.0.capacity() {
            self.reserve_cold(wanted);
        }
    }

    #[cold]
    fn reserve_cold(&mut self, wanted: usize) {
        match pool::take_if_large::<T>(wanted) {
            Some(mut bigger) => {
                bigger.append(&mut self.0);
                pool::give_back(core::mem::replace(&mut self.0, bigger));
            }
            None => {
                if self.0.capacity() == 0 {
                    small::take(&mut self.0, wanted);
                }
                if wanted > self.0.capacity() {
                    self.0.reserve(wanted - self.0.len());
                }
            }
        }
    }

    /// Records a copy of every value of `values`, in order: a buffer's contents, flat.
    pub fn extend_from_slice(&mut self, values: &[T])
    where
        T: Clone,
    {
        self.reserve(values.len());
        self.0.extend_from_slice(values);
    }

    /// The `n` most recently recorded values, oldest first.
    ///
    /// # Panics
    /// Only if the generated code is wrong (fewer than `n` recorded): a bug in autodiff.
    pub fn top(&self, n: usize) -> &[T] {
        match self.0.len().checked_sub(n) {
            Some(start) => &self.0[start..],
            None => tape_underflow(),
        }
    }

    /// Forgets the `n` most recently recorded values.
    pub fn discard(&mut self, n: usize) {
        match self.0.len().checked_sub(n) {
            Some(len) => self.0.truncate(len),
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

impl<T: 'static> Default for Stack<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> Drop for Stack<T> {
    #[inline]
    fn drop(&mut self) {
        if pool::is_large::<T>(self.0.capacity()) {
            pool::give_back(core::mem::take(&mut self.0));
        } else if self.0.capacity() > 0 {
            small::give_back(&mut self.0);
        }
    }
}

/// Per-thread lists of small tape buffers, one per element type that tapes hold most: floats,
/// branch decisions, counts and indices. A helper called in a loop (GMM's `q_times`, once per
/// point and component; `det`'s minors, once per minor) creates its tapes afresh on every
/// call; without these each call paid an allocation and a free per tape. Other element types
/// are left to the allocator.
mod small {
    use core::any::Any;
    use std::cell::{Cell, RefCell};

    /// How many buffers a thread keeps per type, and how many bytes in all. A caller's
    /// pullback holds the tapes of every call it records (`_record`) until its reverse sweep:
    /// thousands of small buffers, which come back all at once and are taken again by the
    /// next gradient.
    const MAX_BUFFERS: usize = 1 << 17;
    const MAX_TOTAL_BYTES: usize = 16 << 20;
    /// How many of the most recently kept buffers `take` looks through.
    const SEARCHED: usize = 64;

    thread_local! {
        static BYTES: Cell<usize> = const { Cell::new(0) };
    }

    /// The element types with a list, each with its thread-local list.
    macro_rules! kept_types {
        ($($ty:ty => $list:ident),* $(,)?) => {
            thread_local! {
                $(static $list: RefCell<Vec<Vec<$ty>>> = const { RefCell::new(Vec::new()) };)*
            }

            /// Gives `buffer`, if it is an empty `Vec` of a kept type without memory, the
            /// memory of a kept buffer with room for `wanted` values, if one of the last few
            /// kept has (tapes of different sizes share a list: a small buffer taken for a
            /// larger tape would be reallocated at once).
            // A `Vec` (not a slice): the buffer itself is replaced.
            #[allow(clippy::ptr_arg)]
            #[inline]
            pub fn take<T: 'static>(buffer: &mut Vec<T>, wanted: usize) {
                let buffer = buffer as &mut dyn Any;
                $(
                    if let Some(buffer) = buffer.downcast_mut::<Vec<$ty>>() {
                        let kept = $list.try_with(|free| {
                            let mut free = free.try_borrow_mut().ok()?;
                            let searched = free.len().saturating_sub(SEARCHED);
                            let found = (searched..free.len())
                                .rev()
                                .find(|&i| free[i].capacity() >= wanted)?;
                            Some(free.swap_remove(found))
                        });
                        if let Ok(Some(kept)) = kept {
                            let _ = BYTES.try_with(|bytes| bytes.set(bytes.get() - size_of_buffer::<$ty>(kept.capacity())));
                            *buffer = kept;
                        }
                        return;
                    }
                )*
            }

            /// Keeps `buffer`'s memory, if it is a `Vec` of a kept type and there is room;
            /// leaves `buffer` empty either way.
            #[allow(clippy::ptr_arg)]
            #[inline]
            pub fn give_back<T: 'static>(buffer: &mut Vec<T>) {
                let buffer = buffer as &mut dyn Any;
                $(
                    if let Some(buffer) = buffer.downcast_mut::<Vec<$ty>>() {
                        let mut kept = core::mem::take(buffer);
                        kept.clear();
                        let size = size_of_buffer::<$ty>(kept.capacity());
                        let total = BYTES.try_with(Cell::get).unwrap_or(usize::MAX);
                        if total.saturating_add(size) > MAX_TOTAL_BYTES {
                            return;
                        }
                        let _ = $list.try_with(|free| {
                            if let Ok(mut free) = free.try_borrow_mut() {
                                if free.len() < MAX_BUFFERS {
                                    free.push(kept);
                                    let _ = BYTES.try_with(|bytes| bytes.set(total + size));
                                }
                            }
                        });
                        return;
                    }
                )*
            }
        };
    }

    kept_types! {
        f64 => FLOATS,
        f32 => SINGLES,
        bool => DECISIONS,
        usize => COUNTS,
        u64 => WORDS,
        i64 => SIGNED_WORDS,
        u32 => HALF_WORDS,
        i32 => SIGNED_HALF_WORDS,
    }

    /// The bytes a buffer with room for `capacity` values holds.
    fn size_of_buffer<T>(capacity: usize) -> usize {
        capacity * core::mem::size_of::<T>()
    }
}

/// The per-thread pool of large tape buffers, by element type.
mod pool {
    use std::any::Any;
    use std::cell::RefCell;

    /// Buffers smaller than this are left to the allocator, which serves them well.
    const MIN_BYTES: usize = 1 << 16;
    /// How many buffers, and how many bytes in all, a thread keeps at most.
    const MAX_BUFFERS: usize = 8;
    const MAX_TOTAL_BYTES: usize = 256 << 20;

    thread_local! {
        /// Each buffer with its size in bytes.
        static POOL: RefCell<Vec<(usize, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
    }

    /// Whether a buffer with room for `capacity` values is one the pool deals in. Checked
    /// inline, so that the many small tapes of a helper called in a loop do not pay for a call
    /// into the pool on every allocation and drop.
    #[inline(always)]
    pub fn is_large<T>(capacity: usize) -> bool {
        capacity.saturating_mul(core::mem::size_of::<T>()) >= MIN_BYTES
    }

    /// An empty buffer with room for `capacity` values, if that is large and the pool has one.
    #[inline(always)]
    pub fn take_if_large<T: 'static>(capacity: usize) -> Option<Vec<T>> {
        if is_large::<T>(capacity) {
            take(capacity)
        } else {
            None
        }
    }

    /// An empty buffer with room for `capacity` values, if the pool has one.
    #[inline(never)]
    fn take<T: 'static>(capacity: usize) -> Option<Vec<T>> {
        POOL.try_with(|pool| {
            let mut pool = pool.try_borrow_mut().ok()?;
            // The largest: a stack that reaches this size once usually goes on growing, and
            // every growth beyond what the pool offers faults in fresh memory. Stacks that
            // grow together then take the buffers in the order of their last sizes.
            let (index, _) = pool
                .iter()
                .enumerate()
                .filter_map(|(index, (_, buffer))| {
                    let room = buffer.downcast_ref::<Vec<T>>()?.capacity();
                    (room >= capacity).then_some((index, room))
                })
                .max_by_key(|&(_, room)| room)?;
            pool.swap_remove(index)
                .1
                .downcast::<Vec<T>>()
                .ok()
                .map(|b| *b)
        })
        .ok()
        .flatten()
    }

    /// Keeps `buffer`'s memory for a later stack, if it is large; its values are dropped now.
    #[inline(never)]
    pub fn give_back<T: 'static>(mut buffer: Vec<T>) {
        let bytes = buffer.capacity().saturating_mul(core::mem::size_of::<T>());
        if !is_large::<T>(buffer.capacity()) {
            return;
        }
        buffer.clear();
        let _ = POOL.try_with(|pool| {
            if let Ok(mut pool) = pool.try_borrow_mut() {
                // A full pool keeps the larger buffers: the small ones are cheap to allocate.
                while !pool.is_empty()
                    && (pool.len() >= MAX_BUFFERS
                        || pool.iter().map(|(size, _)| size).sum::<usize>() + bytes
                            > MAX_TOTAL_BYTES)
                {
                    let Some((smallest, &(size, _))) =
                        pool.iter().enumerate().min_by_key(|(_, (size, _))| *size)
                    else {
                        break;
                    };
                    if size >= bytes {
                        return;
                    }
                    pool.swap_remove(smallest);
                }
                if bytes <= MAX_TOTAL_BYTES {
                    pool.push((bytes, Box::new(buffer)));
                }
            }
        });
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

/// Copies of buffers that a call to another differentiated function is about to change: the
/// reverse sweep puts them back before and after pulling back through the call.
///
/// ```
/// use autodiff_core::Snapshot;
///
/// let mut v = vec![1.0, 2.0];
/// let saved = Snapshot::snapshot(&v[..]);
/// v[0] = 5.0;
/// Snapshot::restore(&mut v[..], &saved);
/// assert_eq!(v, [1.0, 2.0]);
/// ```
///
/// Inside a loop the contents go flat onto one [`Stack`] of elements instead (`save`,
/// `restore_from`, `discard_from`), so that a call per trip costs no allocation:
///
/// ```
/// use autodiff_core::{Snapshot, Stack};
///
/// let mut tape = Stack::new();
/// let mut v = vec![1.0, 2.0];
/// v.save(&mut tape);
/// v[1] = 7.0;
/// v.restore_from(&tape);
/// v.discard_from(&mut tape);
/// assert_eq!((v, tape.len()), (vec![1.0, 2.0], 0));
/// ```
pub trait Snapshot {
    /// An owned copy of the contents.
    type Saved;
    /// What the contents are made of, as a flat tape records them.
    type Element: 'static;
    /// Copies the contents out.
    fn snapshot(&self) -> Self::Saved;
    /// Puts copied contents back.
    fn restore(&mut self, saved: &Self::Saved);
    /// Records the contents at the top of `tape`.
    fn save(&self, tape: &mut Stack<Self::Element>);
    /// Puts back the contents recorded at the top of `tape`, leaving them there.
    fn restore_from(&mut self, tape: &Stack<Self::Element>);
    /// Forgets the contents recorded at the top of `tape`.
    fn discard_from(&self, tape: &mut Stack<Self::Element>);
}

impl<T: Clone + 'static> Snapshot for [T] {
    type Saved = Vec<T>;
    type Element = T;
    fn snapshot(&self) -> Vec<T> {
        self.to_vec()
    }
    fn restore(&mut self, saved: &Vec<T>) {
        self.clone_from_slice(saved);
    }
    fn save(&self, tape: &mut Stack<T>) {
        tape.extend_from_slice(self);
    }
    fn restore_from(&mut self, tape: &Stack<T>) {
        self.clone_from_slice(tape.top(self.len()));
    }
    fn discard_from(&self, tape: &mut Stack<T>) {
        tape.discard(self.len());
    }
}

impl<T: Clone + 'static> Snapshot for Vec<T> {
    type Saved = Vec<T>;
    type Element = T;
    fn snapshot(&self) -> Vec<T> {
        self.clone()
    }
    fn restore(&mut self, saved: &Vec<T>) {
        self.clone_from_slice(saved);
    }
    fn save(&self, tape: &mut Stack<T>) {
        self[..].save(tape);
    }
    fn restore_from(&mut self, tape: &Stack<T>) {
        self[..].restore_from(tape);
    }
    fn discard_from(&self, tape: &mut Stack<T>) {
        self[..].discard_from(tape);
    }
}

impl<T: Clone + 'static, const N: usize> Snapshot for [T; N] {
    type Saved = [T; N];
    type Element = T;
    fn snapshot(&self) -> [T; N] {
        self.clone()
    }
    fn restore(&mut self, saved: &[T; N]) {
        self.clone_from_slice(saved);
    }
    fn save(&self, tape: &mut Stack<T>) {
        self[..].save(tape);
    }
    fn restore_from(&mut self, tape: &Stack<T>) {
        self[..].restore_from(tape);
    }
    fn discard_from(&self, tape: &mut Stack<T>) {
        self[..].discard_from(tape);
    }
}

/// The flat-tape methods of a value that is one element itself.
macro_rules! one_element {
    () => {
        fn save(&self, tape: &mut Stack<Self>) {
            tape.push(*self);
        }
        fn restore_from(&mut self, tape: &Stack<Self>) {
            *self = tape.top(1)[0];
        }
        fn discard_from(&self, tape: &mut Stack<Self>) {
            tape.discard(1);
        }
    };
}

macro_rules! scalar_snapshot {
    ($($t:ty),*) => {$(
        impl Snapshot for $t {
            type Saved = $t;
            type Element = $t;
            fn snapshot(&self) -> $t {
                *self
            }
            fn restore(&mut self, saved: &$t) {
                *self = *saved;
            }
            one_element!();
        }
    )*};
}

scalar_snapshot!(f64, f32);

/// The `n`th value of `start..`: a `for` loop variable recomputed from its iteration's number
/// in the reverse sweep, for any integer type.
///
/// ```
/// assert_eq!(autodiff_core::nth_from(-3_i32, 5), 2);
/// ```
#[inline(always)]
pub fn nth_from<T>(start: T, n: usize) -> T
where
    core::ops::RangeFrom<T>: Iterator<Item = T>,
{
    match (start..).nth(n) {
        Some(value) => value,
        None => tape_underflow(),
    }
}

/// The part of `start..end` inside a buffer of `len` elements: the elements a loop over
/// `start..end` can write, which generated code copies once before the loop (rather than
/// recording them one by one) and puts back after the loop's reverse. A loop that would run
/// past the end fails on its own, so the copy need not.
///
/// ```
/// assert_eq!(autodiff_core::written_range(2, 5, 10), (2, 5));
/// assert_eq!(autodiff_core::written_range(2, 50, 10), (2, 10));
/// assert_eq!(autodiff_core::written_range(7, 3, 10), (3, 3));
/// ```
#[inline]
pub fn written_range(start: usize, end: usize, len: usize) -> (usize, usize) {
    let end = end.min(len);
    (start.min(end), end)
}

/// A dual number is saved like a float, for the dual copies behind `f_hvp`.
impl<T: Copy + 'static> Snapshot for crate::Dual<T> {
    type Saved = crate::Dual<T>;
    type Element = crate::Dual<T>;
    fn snapshot(&self) -> Self {
        *self
    }
    fn restore(&mut self, saved: &Self) {
        *self = *saved;
    }
    one_element!();
}

#[cfg(test)]
mod pool_tests {
    use super::Stack;

    /// A large stack's buffer is taken up again by the next large stack of its type on the
    /// same thread; small ones are left to the allocator.
    #[test]
    fn large_buffers_are_reused() {
        let mut first = Stack::new();
        first.reserve(100_000);
        first.push(1.0_f64);
        let buffer = first.0.as_ptr();
        drop(first);
        let mut second: Stack<f64> = Stack::new();
        second.reserve(50_000);
        assert_eq!(second.0.as_ptr(), buffer);
        assert!(second.is_empty());
        second.push(2.0);
        assert_eq!(second.pop(), 2.0);

        let mut small = Stack::new();
        small.reserve(10);
        small.push(1_u8);
        assert!(small.0.capacity() < 1 << 16);
    }

    /// Stacks that grow side by side, as the tapes of one loop do, find their buffers of the
    /// last call again: each reaches the pool's threshold, takes the largest buffer, and never
    /// needs fresh memory, however the pool ordered them. (Taking the first buffer that fits
    /// gave the large one to the small stack in some calls, and the large stack then grew into
    /// freshly faulted memory.)
    #[test]
    fn stacks_growing_together_reuse_their_buffers() {
        fn one_call(sizes: [usize; 3]) -> Vec<*const u32> {
            let mut stacks: Vec<Stack<u32>> = (0..3).map(|_| Stack::new()).collect();
            for step in 0..sizes[0] {
                for (stack, &size) in stacks.iter_mut().zip(&sizes) {
                    if step < size {
                        stack.push(step as u32);
                    }
                }
            }
            stacks.iter().map(|stack| stack.0.as_ptr()).collect()
        }
        let sizes = [400_000, 350_000, 60_000];
        let first = one_call(sizes);
        for _ in 0..4 {
            let again = one_call(sizes);
            for buffer in &again[..2] {
                assert!(first.contains(buffer), "a large stack got fresh memory");
            }
        }
    }
}
