//! The log, in Redis's line format (`pid:role dd Mon yyyy HH:MM:SS.mmm <level> message`) and
//! with Redis's wording for the events operators grep for. Writes go to the configured logfile
//! or to stdout when it is empty. This module knows nothing of clients or commands.

use std::fs::OpenOptions;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};
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
