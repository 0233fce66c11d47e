//! The log, in Redis's line format (`pid:role dd Mon yyyy HH:MM:SS.mmm <level> message`) and
//! with Redis's wording for the events operators grep for. Writes go to the configured logfile
//! or to stdout when it is empty; signal handlers log through an async-signal-safe path in
//! Redis's `pid:signal-handler (time) message` form. This module knows nothing of clients or
//! commands.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU8, Ordering};
use std::sync::Mutex;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u8)]
pub enum Level {
    Debug = 0,
    Verbose = 1,
    Notice = 2,
    Warning = 3,
}

impl Level {
    fn mark(self) -> char {
        match self {
            Level::Debug => '.',
            Level::Verbose => '-',
            Level::Notice => '*',
            Level::Warning => '#',
        }
    }
}

static LEVEL: AtomicU8 = AtomicU8::new(Level::Notice as u8);
/// 'M' master, 'S' replica, 'X' sentinel, 'C' a child process.
static ROLE: AtomicU8 = AtomicU8::new(b'M');
static TARGET: Mutex<Option<String>> = Mutex::new(None);

/// Sets the minimum level written (loglevel).
pub fn set_level(l: Level) {
    LEVEL.store(l as u8, Ordering::Relaxed);
}

pub fn enabled(l: Level) -> bool {
    l as u8 >= LEVEL.load(Ordering::Relaxed)
}

pub fn set_role(c: u8) {
    ROLE.store(c, Ordering::Relaxed);
}

/// Sets the log file; an empty path means stdout.
pub fn set_file(path: &str) {
    *TARGET.lock().unwrap_or_else(|e| e.into_inner()) = if path.is_empty() { None } else { Some(path.to_string()) };
    // the signal handlers can't take the lock: they read this copy (leaked: `logfile` is set
    // once, at startup)
    let c = match std::ffi::CString::new(path) {
        Ok(c) if !path.is_empty() => c.into_raw(),
        _ => std::ptr::null_mut(),
    };
    SIGNAL_PATH.store(c, Ordering::Relaxed);
}

/// The log file as a C string for [`log_from_handler`]; null for stdout.
static SIGNAL_PATH: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());
/// The process detached from its terminal (stdout is /dev/null).
static DAEMONIZED: AtomicBool = AtomicBool::new(false);

/// Records that the process daemonized: signal handlers then don't write to stdout.
pub fn set_daemonized(on: bool) {
    DAEMONIZED.store(on, Ordering::Relaxed);
}

/// Logs from a signal handler, using only async-signal-safe calls (no lock, no allocation), in
/// Redis's handler format: `pid:signal-handler (unixtime) message`.
pub fn log_from_handler(level: Level, msg: &str) {
    let path = SIGNAL_PATH.load(Ordering::Relaxed);
    if !enabled(level) || (path.is_null() && DAEMONIZED.load(Ordering::Relaxed)) {
        return;
    }
    let mut buf = [0u8; 512];
    let mut n = 0;
    let mut push = |b: &[u8]| {
        let take = b.len().min(buf.len() - 1 - n);
        buf[n..n + take].copy_from_slice(&b[..take]);
        n += take;
    };
    let mut digits = [0u8; 20];
    // SAFETY: getpid and time have no preconditions (time accepts a null pointer).
    let (pid, now) = unsafe { (libc::getpid() as i64, libc::time(std::ptr::null_mut()) as i64) };
    push(decimal(pid, &mut digits));
    push(b":signal-handler (");
    push(decimal(now, &mut digits));
    push(b") ");
    push(msg.as_bytes());
    buf[n] = b'\n';
    n += 1;
    // SAFETY: open/write/close on a NUL-terminated path and a buffer we own.
    unsafe {
        let fd = if path.is_null() {
            1
        } else {
            libc::open(path, libc::O_APPEND | libc::O_CREAT | libc::O_WRONLY, 0o644 as libc::c_uint)
        };
        if fd == -1 {
            return;
        }
        let _ = libc::write(fd, buf.as_ptr() as *const libc::c_void, n);
        if !path.is_null() {
            libc::close(fd);
        }
    }
}

/// `v` in decimal, written into `out` (no allocation).
fn decimal(v: i64, out: &mut [u8; 20]) -> &[u8] {
    let mut i = out.len();
    let neg = v < 0;
    let mut u = v.unsigned_abs();
    loop {
        i -= 1;
        out[i] = b'0' + (u % 10) as u8;
        u /= 10;
        if u == 0 || i == 1 {
            break;
        }
    }
    if neg {
        i -= 1;
        out[i] = b'-';
    }
    &out[i..]
}

/// Writes one line with Redis's prefix.
pub fn log(level: Level, msg: &str) {
    if !enabled(level) {
        return;
    }
    let line = format!(
        "{}:{} {} {} {}\n",
        std::process::id(),
        ROLE.load(Ordering::Relaxed) as char,
        timestamp(),
        level.mark(),
        msg
    );
    write_raw(line.as_bytes());
}

/// Writes bytes as they are (the ASCII logo).
pub fn write_raw(bytes: &[u8]) {
    let target = TARGET.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match target {
        None => {
            let out = std::io::stdout();
            let mut lock = out.lock();
            let _ = lock.write_all(bytes);
            let _ = lock.flush();
        }
        Some(path) => {
            if let Ok(mut f) = OpenOptions::new().create(true).append(true).open(&path) {
                let _ = f.write_all(bytes);
            }
        }
    }
}

/// "25 Nov 2026 09:34:09.123" in local time.
pub fn timestamp() -> String {
    let mut tv = libc::timeval { tv_sec: 0, tv_usec: 0 };
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are valid for the duration of the calls.
    unsafe {
        libc::gettimeofday(&mut tv, std::ptr::null_mut());
        libc::localtime_r(&tv.tv_sec, &mut tm);
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    format!(
        "{:02} {} {} {:02}:{:02}:{:02}.{:03}",
        tm.tm_mday,
        MONTHS[tm.tm_mon.clamp(0, 11) as usize],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        tv.tv_usec / 1000
    )
}

#[macro_export]
macro_rules! log_debug { ($($a:tt)*) => { if $crate::log::enabled($crate::log::Level::Debug) { $crate::log::log($crate::log::Level::Debug, &format!($($a)*)) } } }
#[macro_export]
macro_rules! log_verbose { ($($a:tt)*) => { if $crate::log::enabled($crate::log::Level::Verbose) { $crate::log::log($crate::log::Level::Verbose, &format!($($a)*)) } } }
#[macro_export]
macro_rules! log_notice { ($($a:tt)*) => { if $crate::log::enabled($crate::log::Level::Notice) { $crate::log::log($crate::log::Level::Notice, &format!($($a)*)) } } }
#[macro_export]
macro_rules! log_warning { ($($a:tt)*) => { if $crate::log::enabled($crate::log::Level::Warning) { $crate::log::log($crate::log::Level::Warning, &format!($($a)*)) } } }
