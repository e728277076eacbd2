//! Large fixed-size arrays on the heap, built without a stack copy.

/// `N` copies of `value` in a boxed array, allocated directly on the heap
/// (`Box::new([value; N])` would build the array on the stack first, which for the
/// codecs' tables of 64K entries and more risks overflowing it).
pub(crate) fn boxed_array<T: Copy, const N: usize>(value: T) -> Box<[T; N]> {
    match vec![value; N].into_boxed_slice().try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("a vector of N elements converts to [T; N]"),
    }
}
