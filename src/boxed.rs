//! Large tables on the heap: fixed-size arrays built without a stack copy, and
//! the hint that lets Linux back a large table with huge pages.

/// `N` copies of `value` in a boxed array, allocated directly on the heap
/// (`Box::new([value; N])` would build the array on the stack first, which for the
/// codecs' tables of 64K entries and more risks overflowing it).
pub(crate) fn boxed_array<T: Copy, const N: usize>(value: T) -> Box<[T; N]> {
    match vec![value; N].into_boxed_slice().try_into() {
        Ok(array) => array,
        Err(_) => unreachable!("a vector of N elements converts to [T; N]"),
    }
}

/// Asks Linux to back the 2 MiB pages that lie wholly inside `mem` with transparent
/// huge pages (where the system allows it with `madvise`), so that random lookups in
/// a table of megabytes stop missing the TLB. Only a hint: without it the table works
/// the same, slower. Best called before the memory is first written: the pages
/// already touched stay small until the kernel gets round to merging them.
pub(crate) fn advise_huge_pages<T>(mem: &[T]) {
    #[cfg(target_os = "linux")]
    {
        const HUGE: usize = 2 << 20;
        let start = mem.as_ptr() as usize;
        let first = start.next_multiple_of(HUGE);
        let end = (start + std::mem::size_of_val(mem)) / HUGE * HUGE;
        if end > first {
            // SAFETY: the range lies inside `mem`, which the caller holds; MADV_HUGEPAGE
            // changes how pages are backed, never their contents.
            #[allow(unsafe_code)]
            unsafe {
                libc::madvise(first as *mut libc::c_void, end - first, libc::MADV_HUGEPAGE);
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = mem;
}
