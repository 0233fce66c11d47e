//! The global allocator: jemalloc, wrapped to count the bytes handed out (jemalloc's usable
//! sizes), which is what INFO reports as used_memory and what maxmemory is checked against.
//! The binary installs [`VireoAlloc`] with `#[global_allocator]`. Allocator statistics
//! (allocated/active/resident/...) come from jemalloc's own counters via `jemalloc_stats`.

use std::alloc::{GlobalAlloc, Layout};
use std::sync::atomic::{AtomicUsize, Ordering};
use tikv_jemallocator::Jemalloc;

static USED: AtomicUsize = AtomicUsize::new(0);

pub struct VireoAlloc;

#[inline]
fn usable(size: usize, align: usize) -> usize {
    let flags = if align <= 16 { 0 } else { align.trailing_zeros() as i32 };
    // SAFETY: nallocx has no side effects; size is non-zero for every Layout we get here.
    unsafe { tikv_jemalloc_sys::nallocx(size.max(1), flags) }
}

unsafe impl GlobalAlloc for VireoAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = Jemalloc.alloc(layout);
        if !p.is_null() {
            USED.fetch_add(usable(layout.size(), layout.align()), Ordering::Relaxed);
        }
        p
    }
    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = Jemalloc.alloc_zeroed(layout);
        if !p.is_null() {
            USED.fetch_add(usable(layout.size(), layout.align()), Ordering::Relaxed);
        }
        p
    }
    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        USED.fetch_sub(usable(layout.size(), layout.align()), Ordering::Relaxed);
        Jemalloc.dealloc(ptr, layout)
    }
    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = Jemalloc.realloc(ptr, layout, new_size);
        if !p.is_null() {
            let old = usable(layout.size(), layout.align());
            let new = usable(new_size, layout.align());
            if new >= old {
                USED.fetch_add(new - old, Ordering::Relaxed);
            } else {
                USED.fetch_sub(old - new, Ordering::Relaxed);
            }
        }
        p
    }
}

/// Bytes currently allocated through the global allocator (used_memory).
pub fn used_memory() -> usize {
    USED.load(Ordering::Relaxed)
}

/// jemalloc's own statistics, refreshed on each call.
#[derive(Debug, Default, Clone, Copy)]
pub struct JemallocStats {
    pub allocated: usize,
    pub active: usize,
    pub resident: usize,
    pub mapped: usize,
    pub retained: usize,
}

pub fn jemalloc_stats() -> JemallocStats {
    use tikv_jemalloc_ctl::{epoch, stats};
    if epoch::advance().is_err() {
        return JemallocStats::default();
    }
    JemallocStats {
        allocated: stats::allocated::read().unwrap_or(0),
        active: stats::active::read().unwrap_or(0),
        resident: stats::resident::read().unwrap_or(0),
        mapped: stats::mapped::read().unwrap_or(0),
        retained: stats::retained::read().unwrap_or(0),
    }
}

/// Asks jemalloc to return unused dirty pages to the OS (MEMORY PURGE).
pub fn purge() {
    // "arena.4096.purge" purges all arenas (MALLCTL_ARENAS_ALL)
    let name = b"arena.4096.purge\0";
    // SAFETY: a documented mallctl with no input or output.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            name.as_ptr() as *const _,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        );
    }
}
