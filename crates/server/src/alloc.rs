//! The global allocator: jemalloc, wrapped to count the bytes handed out (jemalloc's usable
//! sizes), which is what INFO reports as used_memory and what maxmemory is checked against.
//! The binary installs [`VireoAlloc`] with `#[global_allocator]`. Allocator statistics
//! (allocated/active/resident/...) come from jemalloc's own counters via `jemalloc_stats`.
//!
//! It also owns the heap's page size. The binary builds jemalloc with `thp:always`, so every
//! extent is advised for transparent huge pages; [`apply_huge_page_policy`] then decides at
//! startup, from `heap-huge-pages`, `disable-thp`, the kernel version and the system THP mode,
//! whether to keep that or to turn THP off for the process. The point is fork(): its cost is
//! copying the page tables, one entry per 4 KB page but one per 2 MB huge page. Since Linux 5.8 a
//! copy-on-write fault on a shared huge page splits it and copies 4 KB only, so huge pages no
//! longer multiply a snapshot's extra memory; before 5.8 they did, and Redis's advice (THP off)
//! still holds there.

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

/// What [`apply_huge_page_policy`] decided, for the startup log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HugePagePolicy {
    /// Whether the heap may be backed by transparent huge pages from now on.
    pub huge: bool,
    /// One line saying why, for the log.
    pub why: String,
}

/// The system-wide THP mode: "always", "madvise", "never" (the bracketed word of the sysfs
/// file), or None where the file does not exist (no THP in this kernel).
fn thp_mode() -> Option<String> {
    let s = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").ok()?;
    let open = s.find('[')?;
    let close = s[open..].find(']')? + open;
    Some(s[open + 1..close].to_string())
}

/// The running kernel's (major, minor) version.
fn kernel_version() -> Option<(u32, u32)> {
    // SAFETY: uname fills the zeroed struct it is given.
    let mut u: libc::utsname = unsafe { std::mem::zeroed() };
    if unsafe { libc::uname(&mut u) } != 0 {
        return None;
    }
    let release: Vec<u8> = u.release.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
    parse_kernel_version(&String::from_utf8_lossy(&release))
}

fn parse_kernel_version(release: &str) -> Option<(u32, u32)> {
    let mut parts = release.split(|c: char| !c.is_ascii_digit());
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// The decision itself, apart from the system calls: `want` is `heap-huge-pages`, `mode` the
/// system THP mode, `kernel` the running kernel. Returns (huge pages on, call prctl to turn
/// THP off for the process, why).
fn decide(want: bool, disable_thp: bool, mode: Option<&str>, kernel: Option<(u32, u32)>) -> (bool, bool, String) {
    let cow_splits = kernel.is_some_and(|k| k >= (5, 8));
    match mode {
        None | Some("never") => (false, false, "transparent huge pages are off in this kernel".into()),
        Some(_) if want && cow_splits => (
            true,
            false,
            "the heap is in transparent huge pages (heap-huge-pages yes): fork() copies one page-table entry per 2 MB, and copy-on-write still copies 4 KB".into(),
        ),
        Some("always") if !disable_thp => {
            (true, false, "transparent huge pages stay on as the kernel says (disable-thp no)".into())
        }
        Some(_) => {
            let why = if !want {
                "heap-huge-pages no"
            } else {
                "this kernel copies whole huge pages on copy-on-write (before Linux 5.8)"
            };
            (false, true, format!("transparent huge pages are turned off for this process ({})", why))
        }
    }
}

/// Applies the page-size policy (see the module documentation). Call once at startup, before
/// the dataset is loaded; the process keeps the decision for its life, and so do its children.
pub fn apply_huge_page_policy(want: bool, disable_thp: bool) -> HugePagePolicy {
    let (mut huge, off, mut why) = decide(want, disable_thp, thp_mode().as_deref(), kernel_version());
    if off {
        // SAFETY: PR_SET_THP_DISABLE takes plain integer arguments.
        if unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) } != 0 {
            huge = true;
            why = format!("transparent huge pages could not be turned off: {}", std::io::Error::last_os_error());
        }
    }
    HugePagePolicy { huge, why }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernel_versions_parse() {
        assert_eq!(parse_kernel_version("6.18.44-fc-v1272"), Some((6, 18)));
        assert_eq!(parse_kernel_version("5.8.0"), Some((5, 8)));
        assert_eq!(parse_kernel_version("4.19.0-17-amd64"), Some((4, 19)));
        assert_eq!(parse_kernel_version("garbage"), None);
    }

    #[test]
    fn the_policy_follows_kernel_mode_and_configs() {
        let new = Some((6, 1));
        let old = Some((5, 4));
        let on_off = |want, disable, mode, kernel| {
            let (on, off, _) = decide(want, disable, mode, kernel);
            (on, off)
        };
        // a kernel that splits huge pages on CoW keeps them when asked, whatever disable-thp says
        assert_eq!(on_off(true, true, Some("madvise"), new), (true, false));
        assert_eq!(on_off(true, true, Some("always"), new), (true, false));
        // older kernels: off, as Redis advises, unless the user keeps the system's "always"
        assert_eq!(on_off(true, true, Some("madvise"), old), (false, true));
        assert_eq!(on_off(true, true, Some("always"), old), (false, true));
        assert_eq!(on_off(true, false, Some("always"), old), (true, false));
        // heap-huge-pages no turns off what jemalloc would otherwise advise
        assert_eq!(on_off(false, true, Some("madvise"), new), (false, true));
        assert_eq!(on_off(false, false, Some("always"), new), (true, false));
        // nothing to do where THP does not exist or is never used
        assert_eq!(on_off(true, true, Some("never"), new), (false, false));
        assert_eq!(on_off(true, true, None, None), (false, false));
    }
}
