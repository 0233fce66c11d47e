//! The narrow file interface that RDB snapshots, AOF base files and AOF appends go through
//! (DESIGN.md rule 9): create, write, sync, rename, remove, sync a directory. `Os` is the real
//! file system; it honours a process-wide write budget (`DEBUG FAIL-WRITES-AFTER`, a test hook)
//! after which writes fail with ENOSPC, as a full disk does. `FailAfter` is the test double: after
//! a given number of bytes every operation fails, which leaves on disk exactly what a crash at
//! that byte would (the tests sweep it over every position). This module knows file paths and
//! bytes, nothing of formats or of the server.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::Path;
use std::sync::atomic::{AtomicI64, Ordering};

/// A file being written.
pub trait DiskFile: Write {
    /// fsync: the bytes written so far are durable.
    fn sync(&mut self) -> io::Result<()>;
}

/// The operations a snapshot or an AOF write needs.
pub trait Disk {
    /// Creates `path` (truncating it) for writing.
    fn create(&self, path: &Path) -> io::Result<Box<dyn DiskFile + '_>>;
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn remove(&self, path: &Path) -> io::Result<()>;
    /// Makes a rename in `dir` durable.
    fn sync_dir(&self, dir: &Path) -> io::Result<()>;
}

/// Bytes the real file system still accepts before failing with ENOSPC; negative: no limit.
static WRITE_BUDGET: AtomicI64 = AtomicI64::new(-1);

/// Sets the write budget of `Os` (DEBUG FAIL-WRITES-AFTER; negative turns it off).
pub fn set_write_budget(bytes: i64) {
    WRITE_BUDGET.store(bytes, Ordering::SeqCst);
}

pub fn write_budget() -> i64 {
    WRITE_BUDGET.load(Ordering::SeqCst)
}

fn no_space() -> io::Error {
    io::Error::from_raw_os_error(libc::ENOSPC)
}

/// How much of a `len`-byte write the budget allows (all of it when off); takes it from the
/// budget.
fn take_budget(len: usize) -> usize {
    let mut cur = WRITE_BUDGET.load(Ordering::SeqCst);
    loop {
        if cur < 0 {
            return len;
        }
        let n = (cur as u64).min(len as u64) as i64;
        match WRITE_BUDGET.compare_exchange(cur, cur - n, Ordering::SeqCst, Ordering::SeqCst) {
            Ok(_) => return n as usize,
            Err(v) => cur = v,
        }
    }
}

/// Appends `buf` to a real file (the AOF) within the write budget. Err carries how many bytes
/// did reach the file (a short write) and the error.
pub fn append(f: &mut File, buf: &[u8]) -> Result<(), (usize, io::Error)> {
    let n = take_budget(buf.len());
    let mut done = 0;
    while done < n {
        match f.write(&buf[done..n]) {
            Ok(0) => return Err((done, io::Error::from(io::ErrorKind::WriteZero))),
            Ok(w) => done += w,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err((done, e)),
        }
    }
    if n < buf.len() {
        return Err((done, no_space()));
    }
    Ok(())
}

/// The real file system.
pub struct Os;

struct OsFile(File);

impl Write for OsFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        let n = take_budget(buf.len());
        if n == 0 {
            return Err(no_space());
        }
        let w = self.0.write(&buf[..n])?;
        if w < n && WRITE_BUDGET.load(Ordering::SeqCst) >= 0 {
            // give back what the kernel did not take
            WRITE_BUDGET.fetch_add((n - w) as i64, Ordering::SeqCst);
        }
        Ok(w)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

impl DiskFile for OsFile {
    fn sync(&mut self) -> io::Result<()> {
        self.0.sync_all()
    }
}

impl Disk for Os {
    fn create(&self, path: &Path) -> io::Result<Box<dyn DiskFile + '_>> {
        let f = OpenOptions::new().write(true).create(true).truncate(true).open(path)?;
        Ok(Box::new(OsFile(f)))
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        fs::rename(from, to)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        fs::remove_file(path)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        File::open(dir)?.sync_all()
    }
}

/// A test file system over the real one that dies after `budget` units: each byte written is
/// a unit, and so is each other operation (create, sync, rename, directory sync). The write
/// that crosses the budget is cut short, and from then on every operation fails, as if the
/// process had been killed at that point.
pub struct FailAfter {
    left: std::cell::Cell<u64>,
    dead: std::cell::Cell<bool>,
}

impl FailAfter {
    pub fn new(budget: u64) -> FailAfter {
        FailAfter { left: std::cell::Cell::new(budget), dead: std::cell::Cell::new(false) }
    }
    /// Whether the failure point was reached.
    pub fn tripped(&self) -> bool {
        self.dead.get()
    }
    fn check(&self) -> io::Result<()> {
        if self.dead.get() {
            return Err(no_space());
        }
        Ok(())
    }
    /// One non-write operation: a unit of the budget.
    fn step(&self) -> io::Result<()> {
        self.check()?;
        match self.left.get() {
            0 => {
                self.dead.set(true);
                Err(no_space())
            }
            n => {
                self.left.set(n - 1);
                Ok(())
            }
        }
    }
}

struct FailFile<'a> {
    f: File,
    disk: &'a FailAfter,
}

impl Write for FailFile<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.disk.check()?;
        let left = self.disk.left.get();
        if (buf.len() as u64) < left || buf.is_empty() {
            self.disk.left.set(left - buf.len() as u64);
            return self.f.write(buf);
        }
        // the failure point: the part before it reaches the file, then nothing more does
        self.f.write_all(&buf[..left as usize])?;
        self.disk.left.set(0);
        self.disk.dead.set(true);
        Err(no_space())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.disk.check()
    }
}

impl DiskFile for FailFile<'_> {
    fn sync(&mut self) -> io::Result<()> {
        self.disk.step()?;
        self.f.sync_all()
    }
}

impl Disk for FailAfter {
    fn create(&self, path: &Path) -> io::Result<Box<dyn DiskFile + '_>> {
        self.step()?;
        let f = OpenOptions::new().write(true).create(true).truncate(true).open(path)?;
        Ok(Box::new(FailFile { f, disk: self }))
    }
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        self.step()?;
        fs::rename(from, to)
    }
    fn remove(&self, path: &Path) -> io::Result<()> {
        self.check()?;
        fs::remove_file(path)
    }
    fn sync_dir(&self, dir: &Path) -> io::Result<()> {
        self.step()?;
        File::open(dir)?.sync_all()
    }
}
