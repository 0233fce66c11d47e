//! RDB snapshots of the server: SAVE (in the event loop), BGSAVE (a forked child writes the
//! point-in-time copy the fork gives it while the parent keeps serving), save points checked by
//! cron, loading `dbfilename` at startup, and the state INFO persistence reports. Files are
//! written to a temp file, fsynced, renamed over the target, and the directory fsynced. The
//! byte format is the `vireo-rdb` crate's; this module owns only when and where snapshots
//! happen, and what is logged. It knows nothing of sockets or command parsing.

use crate::disk::{Disk, Os};
use crate::server::Server;
use crate::{log_notice, log_warning, REDIS_VERSION};
use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;
use std::time::Instant;
use vireo_keyspace::db::Db;
use vireo_keyspace::types::Limits;
use vireo_rdb::file::{Aux, Item, Reader, Writer};

/// A background save in progress.
#[derive(Debug, Clone)]
pub struct BgChild {
    pub pid: libc::pid_t,
    pub start_ms: i64,
    /// `dirty` when the child forked: what a successful save clears.
    pub dirty_at_start: u64,
    pub keys_total: u64,
    pub kind: ChildKind,
}

/// What a background save child writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChildKind {
    /// BGSAVE or a save point: the RDB file only.
    Plain,
    /// The RDB file, which then goes to the replicas waiting for it.
    ReplDisk,
    /// The snapshot streamed straight to replica sockets (diskless sync): no file.
    ReplSocket,
}

/// Snapshot state shown by INFO persistence and used by the save points.
#[derive(Debug, Clone)]
pub struct RdbState {
    pub child: Option<BgChild>,
    pub last_bgsave_ok: bool,
    /// Duration of the last background save (s), -1 before the first.
    pub last_bgsave_time_sec: i64,
    /// Unix time (s) of the last BGSAVE attempt, to retry failures only every 5 s.
    pub last_bgsave_try: i64,
    /// Saves started (foreground and background), as Redis's rdb_saves counts them.
    pub saves: u64,
    pub scheduled: bool,
    pub last_load_keys_loaded: u64,
    pub last_load_keys_expired: u64,
    /// Private dirty bytes of the running child (copy-on-write), its peak, and when it was read.
    pub cow_current: u64,
    pub cow_peak: u64,
    pub cow_updated_ms: i64,
    pub last_cow_size: u64,
    /// The thread sampling the running child's copy-on-write size.
    pub cow_sampler: Option<std::sync::Arc<CowSampler>>,
    /// The load in progress (INFO's loading_* fields while `Server::loading`).
    pub load: LoadProgress,
}

/// Progress of the load at startup, as INFO persistence reports it.
#[derive(Debug, Clone, Default)]
pub struct LoadProgress {
    /// Unix time (s) the load started.
    pub start_time: i64,
    /// Bytes of every file to load.
    pub total_bytes: u64,
    /// The `used-mem` AUX field of the RDB being loaded.
    pub rdb_used_mem: u64,
    pub loaded_bytes: u64,
}

impl Default for RdbState {
    fn default() -> RdbState {
        RdbState {
            child: None,
            last_bgsave_ok: true,
            last_bgsave_time_sec: -1,
            last_bgsave_try: 0,
            saves: 0,
            scheduled: false,
            last_load_keys_loaded: 0,
            last_load_keys_expired: 0,
            cow_current: 0,
            cow_peak: 0,
            cow_updated_ms: 0,
            last_cow_size: 0,
            cow_sampler: None,
            load: LoadProgress::default(),
        }
    }
}

fn aux_for(srv: &Server) -> Aux {
    aux_for_replication(srv)
}

/// The AUX fields of a snapshot, with the replication info when we take part in replication.
pub(crate) fn aux_for_replication(srv: &Server) -> Aux {
    // every snapshot starts here: its writer (often a forked child) reads the delay from here
    SAVE_KEY_DELAY.store(srv.config.rdb_key_save_delay, std::sync::atomic::Ordering::Relaxed);
    save_progress().store(0, std::sync::atomic::Ordering::Relaxed);
    Aux {
        redis_ver: REDIS_VERSION.to_string(),
        ctime: srv.mstime() / 1000,
        used_mem: crate::alloc::used_memory() as u64,
        repl: crate::repl::save_info(srv),
        aof_base: false,
    }
}

/// Which access data a snapshot carries per key: Redis writes the LRU idle time under an LRU
/// maxmemory policy and the LFU counter under an LFU one, nothing otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    None,
    Lru,
    Lfu,
}

impl Access {
    pub fn of(srv: &Server) -> Access {
        let p = srv.config.maxmemory_policy;
        if p.is_lru() {
            Access::Lru
        } else if p.is_lfu() {
            Access::Lfu
        } else {
            Access::None
        }
    }
}

/// `rdb-key-save-delay` of the snapshot being written (a test knob: microseconds per key, or
/// one microsecond once in about -n keys when negative).
pub(crate) static SAVE_KEY_DELAY: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(0);

/// Keys written so far by the snapshot in progress, in memory shared with forked children (an
/// anonymous MAP_SHARED page made before the first fork), so that the parent can report a
/// child's progress (INFO current_save_keys_processed, current_fork_perc).
pub fn save_progress() -> &'static std::sync::atomic::AtomicU64 {
    static SHARED: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    static LOCAL: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let addr = *SHARED.get_or_init(|| {
        // SAFETY: a fresh anonymous mapping of one page; it is never unmapped, and an
        // AtomicU64 at its start is properly aligned.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                4096,
                libc::PROT_READ | libc::PROT_WRITE,
                libc::MAP_SHARED | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        if p == libc::MAP_FAILED {
            0
        } else {
            p as usize
        }
    });
    if addr == 0 {
        return &LOCAL;
    }
    // SAFETY: the mapping lives for the whole process (and its children) and holds nothing else.
    unsafe { &*(addr as *const std::sync::atomic::AtomicU64) }
}

/// Writes every database to `w` as an RDB stream; returns the number of keys written.
pub fn write_dbs<W: Write>(
    dbs: &[Db],
    w: W,
    compress: bool,
    checksum: bool,
    aux: &Aux,
    access: Access,
) -> io::Result<u64> {
    let mut wr = Writer::start(w, compress, aux)?;
    let mut keys = 0u64;
    for db in dbs {
        if db.is_empty() {
            continue;
        }
        wr.select_db(db.id, db.len(), db.expires_len())?;
        for (k, e) in db.iter() {
            let exp = db.get_expire(k);
            let (idle, freq) = match access {
                Access::None => (None, None),
                Access::Lru => (Some(vireo_keyspace::db::idle_ms(e.lru, db.clock.lru) / 1000), None),
                Access::Lfu => (None, Some(vireo_keyspace::db::lfu_decr_and_return(e.lru, &db.clock).min(255) as u8)),
            };
            wr.key(k, &e.val, exp, idle, freq)?;
            keys += 1;
            save_progress().store(keys, std::sync::atomic::Ordering::Relaxed);
            let delay = SAVE_KEY_DELAY.load(std::sync::atomic::Ordering::Relaxed);
            if delay != 0 {
                key_load_delay(delay);
            }
        }
    }
    let mut w = wr.finish(checksum)?;
    w.flush()?;
    Ok(keys)
}

/// Which file a snapshot writes, for the log lines of its failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Rdb,
    AofBase,
    AofManifest,
}

/// Writes a snapshot to `temp` through `disk`, fsyncs it, renames it to `target` and fsyncs
/// the directory (RDB files and AOF base files alike). `body` writes the content and returns
/// the number of keys. On any failure the temp file is removed and `target` is left as it was;
/// Err carries the line to log.
pub fn write_file_on(
    disk: &dyn Disk,
    temp: &Path,
    target: &Path,
    kind: FileKind,
    body: impl FnOnce(&mut dyn Write) -> io::Result<u64>,
) -> Result<u64, String> {
    let cwd = || std::env::current_dir().map(|p| p.display().to_string()).unwrap_or_else(|_| "unknown".into());
    let f = match disk.create(temp) {
        Ok(f) => f,
        Err(e) => {
            let e = crate::util::os_error_text(&e);
            return Err(match kind {
                FileKind::Rdb => format!(
                    "Failed opening the temp RDB file {} (in server root dir {}) for saving: {e}",
                    temp.display(),
                    cwd()
                ),
                FileKind::AofBase => format!("Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): {e}"),
                FileKind::AofManifest => e,
            });
        }
    };
    let werr = |op: &str, e: io::Error| {
        let e = crate::util::os_error_text(&e);
        match kind {
            FileKind::Rdb => format!("Write error saving DB on disk({op}): {e}"),
            FileKind::AofBase => format!("Write error writing append only file on disk: {e}"),
            FileKind::AofManifest => e,
        }
    };
    let mut bw = BufWriter::with_capacity(1 << 16, f);
    let result = match body(&mut bw) {
        Err(e) => Err(werr("rdbSaveRio", e)),
        Ok(keys) => match bw.into_inner() {
            Err(e) => Err(werr("fflush", e.into_error())),
            Ok(mut f) => f.sync().map(|()| keys).map_err(|e| werr("fsync", e)),
        },
    };
    let keys = match result {
        Ok(k) => k,
        Err(e) => {
            let _ = disk.remove(temp);
            return Err(e);
        }
    };
    if let Err(e) = disk.rename(temp, target) {
        let _ = disk.remove(temp);
        let e = crate::util::os_error_text(&e);
        return Err(match kind {
            FileKind::Rdb => format!(
                "Error moving temp DB file {} on the final destination {} (in server root dir {}): {e}",
                temp.display(),
                target.display(),
                cwd()
            ),
            FileKind::AofBase => format!("Error moving temp append only file on the final destination: {e}"),
            FileKind::AofManifest => e,
        });
    }
    let dir = target.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    disk.sync_dir(dir).map_err(|e| werr("fsyncFileDir", e))?;
    Ok(keys)
}

/// Writes an RDB snapshot of `dbs` to `temp`, then renames it to `target` (see
/// [`write_file_on`]); the real file system.
pub(crate) fn write_file(
    dbs: &[Db],
    temp: &str,
    target: &str,
    compress: bool,
    checksum: bool,
    aux: &Aux,
    access: Access,
) -> Result<u64, String> {
    let kind = if aux.aof_base { FileKind::AofBase } else { FileKind::Rdb };
    write_file_on(&Os, Path::new(temp), Path::new(target), kind, |w| write_dbs(dbs, w, compress, checksum, aux, access))
}

/// SAVE: a foreground snapshot. Err carries the logged reason.
pub fn save(srv: &mut Server) -> Result<(), String> {
    if srv.rdb.child.is_some() {
        return Err("ERR Background save already in progress".into());
    }
    srv.rdb.saves += 1;
    save_to_disk(srv)
}

/// Writes `dbfilename` from the event loop (SAVE, DEBUG RELOAD), whether or not a child is
/// saving too; success clears the dirty counter. Err carries the logged reason.
pub fn save_to_disk(srv: &mut Server) -> Result<(), String> {
    let temp = format!("temp-{}.rdb", std::process::id());
    let target = srv.config.dbfilename.clone();
    let aux = aux_for(srv);
    let access = Access::of(srv);
    match write_file(&srv.ks.dbs, &temp, &target, srv.config.rdbcompression, srv.config.rdbchecksum, &aux, access) {
        Ok(_) => {
            log_notice!("DB saved on disk");
            srv.dirty = 0;
            srv.lastsave = srv.mstime() / 1000;
            srv.rdb.last_bgsave_ok = true;
            Ok(())
        }
        Err(e) => {
            log_warning!("{}", e);
            Err(e)
        }
    }
}

/// BGSAVE: forks a child that writes the snapshot. Err carries the reply error.
pub fn bgsave(srv: &mut Server) -> Result<(), String> {
    if srv.rdb.child.is_some() {
        return Err("ERR Background save already in progress".into());
    }
    srv.rdb.last_bgsave_try = srv.mstime() / 1000;
    srv.rdb.saves += 1;
    let dirty = srv.dirty;
    let keys_total: u64 = srv.ks.dbs.iter().map(|d| d.len() as u64).sum();
    let aux = aux_for(srv);
    let target = srv.config.dbfilename.clone();
    let (compress, checksum) = (srv.config.rdbcompression, srv.config.rdbchecksum);
    let access = Access::of(srv);
    let t0 = Instant::now();
    // SAFETY: called from the thread that owns the keyspace; the child only serializes the
    // copy of the data the fork gave it, logs, and leaves with _exit (no destructors, no
    // event loop). jemalloc's fork handlers keep the allocator usable in the child.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        crate::log::set_role(b'C');
        let temp = format!("temp-{}.rdb", std::process::id());
        let code = match write_file(&srv.ks.dbs, &temp, &target, compress, checksum, &aux, access) {
            Ok(_) => {
                log_notice!("DB saved on disk");
                let cow = private_dirty_bytes(std::process::id() as libc::pid_t).unwrap_or(0);
                log_notice!(
                    "Fork CoW for RDB: current {} MB, peak {} MB, average {} MB",
                    cow / (1024 * 1024),
                    cow / (1024 * 1024),
                    cow / (1024 * 1024)
                );
                0
            }
            Err(e) => {
                log_warning!("{}", e);
                1
            }
        };
        // SAFETY: leaving the child without running the parent's destructors or atexit hooks.
        unsafe { libc::_exit(code) };
    }
    if pid < 0 {
        let e = io::Error::last_os_error();
        srv.rdb.last_bgsave_ok = false;
        log_warning!("Can't save in background: fork: {}", crate::util::os_error_text(&e));
        return Err(format!("ERR Background save failed: fork: {}", crate::util::os_error_text(&e)));
    }
    srv.forked(t0);
    srv.rdb.cow_current = 0;
    srv.rdb.cow_peak = 0;
    srv.rdb.cow_updated_ms = srv.mstime();
    log_notice!("Background saving started by pid {}", pid);
    srv.rdb.child =
        Some(BgChild { pid, start_ms: srv.mstime(), dirty_at_start: dirty, keys_total, kind: ChildKind::Plain });
    srv.rdb.scheduled = false;
    update_resize_policy(srv);
    Ok(())
}

/// Whether a forked child (BGSAVE, replication snapshot, AOF rewrite) shares memory with us.
pub fn has_active_child(srv: &Server) -> bool {
    srv.rdb.child.is_some() || srv.aof.child.is_some()
}

/// Redis's dict resize policy: while a child shares our pages, every table (the keyspace's
/// and those inside values) grows only when its load factor passes 5, shrinks not at all, and
/// an ongoing rehash waits unless the two tables differ in size by 5 times, since every page a
/// resize touches gets copied. Called after forks, after reaping, and by cron, on the event
/// loop's thread (the switch is that thread's).
pub fn update_resize_policy(srv: &mut Server) {
    vireo_keyspace::dict::avoid_resize_on_this_thread(has_active_child(srv));
}

/// Samples a child's copy-on-write size once a second on a thread of its own, until stopped.
#[derive(Debug)]
pub struct CowSampler {
    pid: libc::pid_t,
    pub bytes: std::sync::Arc<std::sync::atomic::AtomicU64>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl CowSampler {
    fn start(pid: libc::pid_t) -> CowSampler {
        use std::sync::atomic::Ordering;
        let bytes = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (b, st) = (bytes.clone(), stop.clone());
        let _ = std::thread::Builder::new().name("cow-sampler".into()).spawn(move || {
            while !st.load(Ordering::Relaxed) {
                match private_dirty_bytes(pid) {
                    Some(c) => b.store(c, Ordering::Relaxed),
                    None => break,
                }
                std::thread::sleep(std::time::Duration::from_millis(1000));
            }
        });
        CowSampler { pid, bytes, stop }
    }
}

impl Drop for CowSampler {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// The private dirty bytes of a process (its copy-on-write cost after a fork).
fn private_dirty_bytes(pid: libc::pid_t) -> Option<u64> {
    let text = fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).ok()?;
    let mut total = 0u64;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("Private_Dirty:") {
            total += rest.trim().trim_end_matches("kB").trim().parse::<u64>().ok()? * 1024;
        }
    }
    Some(total)
}

/// Called by cron: reaps a finished child, samples the running child's copy-on-write size, runs
/// a scheduled BGSAVE and the save points.
pub fn cron(srv: &mut Server) {
    if let Some(child) = srv.rdb.child.clone() {
        let mut status: libc::c_int = 0;
        // SAFETY: waitpid on our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(child.pid, &mut status, libc::WNOHANG) };
        if r == child.pid || (r < 0 && io::Error::last_os_error().raw_os_error() == Some(libc::ECHILD)) {
            srv.rdb.cow_sampler = None;
            if child.kind == ChildKind::ReplSocket {
                srv.rdb.child = None;
                update_resize_policy(srv);
                let ok = r == child.pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
                crate::repl::master::socket_child_done(srv, ok);
                return;
            }
            let now = srv.mstime();
            srv.rdb.child = None;
            // tables may resize again from the next command on, not only from the next cron
            update_resize_policy(srv);
            srv.rdb.last_bgsave_time_sec = (now - child.start_ms) / 1000;
            srv.rdb.last_cow_size = srv.rdb.cow_peak;
            let exited_ok = r == child.pid && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
            if exited_ok {
                log_notice!("Background saving terminated with success");
                srv.dirty = srv.dirty.saturating_sub(child.dirty_at_start);
                srv.lastsave = now / 1000;
                srv.rdb.last_bgsave_ok = true;
            } else if r == child.pid && libc::WIFSIGNALED(status) {
                let sig = libc::WTERMSIG(status);
                log_warning!("Background saving terminated by signal {}", sig);
                let _ = fs::remove_file(format!("temp-{}.rdb", child.pid));
                // a kill by SIGUSR1 is an intended abort, not a failure
                srv.rdb.last_bgsave_ok = sig == libc::SIGUSR1;
            } else {
                log_warning!("Background saving error");
                srv.rdb.last_bgsave_ok = false;
            }
            crate::repl::master::disk_child_done(srv, exited_ok);
        } else {
            // reading /proc/<pid>/smaps_rollup walks the child's whole page table (milliseconds
            // for a big dataset): a thread does it, the event loop only reads its result
            if srv.rdb.cow_sampler.as_ref().is_none_or(|s| s.pid != child.pid) {
                srv.rdb.cow_sampler = Some(std::sync::Arc::new(CowSampler::start(child.pid)));
            }
            let sampler = srv.rdb.cow_sampler.as_ref().expect("sampler");
            let c = sampler.bytes.load(std::sync::atomic::Ordering::Relaxed);
            if c > 0 && c != srv.rdb.cow_current {
                srv.rdb.cow_current = c;
                srv.rdb.cow_peak = srv.rdb.cow_peak.max(c);
                srv.rdb.cow_updated_ms = srv.mstime();
            }
        }
        return;
    }
    if srv.rdb.scheduled {
        if srv.aof.child.is_none() {
            let _ = bgsave(srv);
        }
        return;
    }
    let now = srv.mstime() / 1000;
    let rules = srv.config.save.clone();
    for rule in rules {
        // after a failure, retry only every 5 seconds
        if srv.dirty >= rule.changes as u64
            && now - srv.lastsave > rule.seconds
            && (srv.rdb.last_bgsave_ok || now - srv.rdb.last_bgsave_try > 5)
        {
            log_notice!("{} changes in {} seconds. Saving...", rule.changes, rule.seconds);
            let _ = bgsave(srv);
            break;
        }
    }
}

/// Kills a running BGSAVE child and removes its temp file (FLUSHALL, SHUTDOWN).
pub fn kill_child(srv: &mut Server) {
    if let Some(child) = srv.rdb.child.take() {
        // SAFETY: signalling and reaping our own child.
        unsafe {
            libc::kill(child.pid, libc::SIGUSR1);
            let mut status = 0;
            libc::waitpid(child.pid, &mut status, 0);
        }
        let _ = fs::remove_file(format!("temp-{}.rdb", child.pid));
        update_resize_policy(srv);
        match child.kind {
            ChildKind::ReplSocket => crate::repl::master::socket_child_done(srv, false),
            ChildKind::ReplDisk => crate::repl::master::disk_child_done(srv, false),
            ChildKind::Plain => {}
        }
    }
}

/// What loading a file found.
#[derive(Debug, Default)]
pub struct LoadStats {
    pub loaded: u64,
    pub expired: u64,
    pub ver: Option<String>,
    pub ctime: Option<i64>,
    pub used_mem: Option<u64>,
    /// The replication AUX fields (repl-id, repl-offset, repl-stream-db) when all are present.
    pub repl: Option<(String, i64, i64)>,
    /// Bytes of the stream the RDB took, up to and including its checksum (an old AOF goes
    /// on with commands after that).
    pub end: u64,
}

/// Redis's log lines after an RDB was loaded.
pub(crate) fn log_loaded(st: &LoadStats, now_ms: i64) {
    if let Some(v) = &st.ver {
        log_notice!("Loading RDB produced by version {}", v);
    }
    if let Some(ct) = st.ctime {
        log_notice!("RDB age {} seconds", (now_ms / 1000 - ct).max(0));
    }
    if let Some(m) = st.used_mem {
        log_notice!("RDB memory usage when created {:.2} Mb", m as f64 / (1024.0 * 1024.0));
    }
    log_notice!("Done loading RDB, keys loaded: {}, keys expired: {}.", st.loaded, st.expired);
}

/// Where a load puts its keys, and what it does between items.
pub trait LoadHost {
    fn dbs(&mut self) -> &mut [Db];
    /// Called between items with the offset reached in the stream and what was loaded so far.
    fn progress(&mut self, _offset: u64, _so_far: &LoadStats) {}
    /// A key of the file had expired already and was not loaded.
    fn expired_on_load(&mut self, _db: usize, _key: &[u8]) {}
    /// The file holds a key that is already in the database and may not replace it: the load
    /// fails after this (a host may instead end the process, as DEBUG RELOAD does).
    fn duplicate_key(&mut self, _db: usize, _key: &[u8]) {}
}

impl LoadHost for [Db] {
    fn dbs(&mut self) -> &mut [Db] {
        self
    }
}

/// Loads an RDB stream into the databases. Expired keys are skipped when `drop_expired` (a
/// master loading its own file); a key already present fails the load unless `replace`. Err
/// names the byte offset of the problem.
pub fn load_into<R: io::Read>(
    dbs: &mut [Db],
    r: R,
    limits: Limits,
    now_ms: i64,
    drop_expired: bool,
    replace: bool,
) -> Result<LoadStats, String> {
    load_with(dbs, r, limits, now_ms, drop_expired, replace)
}

/// [`load_into`] with a host that is told the progress between items (loading at startup
/// serves clients from there).
pub fn load_with<R: io::Read>(
    host: &mut (impl LoadHost + ?Sized),
    r: R,
    limits: Limits,
    now_ms: i64,
    drop_expired: bool,
    replace: bool,
) -> Result<LoadStats, String> {
    let mut rd = Reader::open(r, limits).map_err(|e| e.to_string())?;
    let mut st = LoadStats::default();
    let mut db = 0usize;
    let (mut repl_id, mut repl_off, mut repl_db) = (None, None, None);
    loop {
        host.progress(rd.offset(), &st);
        let at = rd.offset();
        let item = rd.next_item().map_err(|e| e.to_string())?;
        let dbs = host.dbs();
        match item {
            Item::End => {
                st.end = rd.offset();
                break;
            }
            Item::Aux { key, value } => {
                let v = String::from_utf8_lossy(&value).to_string();
                match &key[..] {
                    b"redis-ver" => st.ver = Some(v),
                    b"ctime" => st.ctime = v.parse().ok(),
                    b"used-mem" => st.used_mem = v.parse().ok(),
                    b"repl-id" => repl_id = Some(v),
                    b"repl-offset" => repl_off = v.parse::<i64>().ok(),
                    b"repl-stream-db" => repl_db = v.parse::<i64>().ok(),
                    _ => {}
                }
            }
            Item::SelectDb(n) => {
                if n as usize >= dbs.len() {
                    return Err(format!(
                        "FATAL: Data file was created with a Redis server configured to handle more than {} databases. Exiting\n",
                        dbs.len()
                    ));
                }
                db = n as usize;
            }
            Item::ResizeDb { keys, .. } => {
                // presized up to 16M keys: a declared size is not trusted with memory
                dbs[db].expand(keys.min(1 << 24) as usize);
            }
            Item::Function(_) => {
                return Err(format!("a function library at offset {at}: vireo does not support functions yet"));
            }
            Item::Key { key, value, expire_ms, idle_secs, freq } => {
                let Some(value) = value else {
                    log_notice!("rdbLoadObject skipping empty key: {}", String::from_utf8_lossy(&key));
                    continue;
                };
                if drop_expired && expire_ms.is_some_and(|t| t < now_ms) {
                    st.expired += 1;
                    host.expired_on_load(db, &key);
                    continue;
                }
                let d = &mut dbs[db];
                if !replace && d.peek(&key).is_some() {
                    host.duplicate_key(db, &key);
                    return Err(format!(
                        "RDB has duplicated key '{}' in DB {} (offset {at})",
                        String::from_utf8_lossy(&key),
                        db
                    ));
                }
                d.add_loaded(&key, value, expire_ms);
                restore_access(d, &key, idle_secs, freq);
                st.loaded += 1;
            }
        }
    }
    if let (Some(id), Some(off), Some(db)) = (repl_id, repl_off, repl_db) {
        st.repl = Some((id, off, db));
    }
    Ok(st)
}

/// Applies a loaded key's IDLE or FREQ to its access field, as far as the running policy keeps
/// that kind of data (an LFU counter under an LFU policy, the idle time otherwise).
pub fn restore_access(d: &mut Db, key: &[u8], idle_secs: Option<u64>, freq: Option<u8>) {
    let clock = d.clock;
    let Some(e) = d.peek_mut(key) else { return };
    if clock.lfu {
        if let Some(f) = freq {
            e.lru = (vireo_keyspace::db::lfu_minutes(clock.now_ms) << 8) | f as u32;
        }
    } else if let Some(idle) = idle_secs {
        let max = vireo_keyspace::db::LRU_CLOCK_MAX;
        let secs = idle.min(max as u64) as u32;
        e.lru = if clock.lru >= secs { clock.lru - secs } else { max - (secs - clock.lru) };
    }
}

/// The file could not be loaded (the reason is already logged): the server must not start.
#[derive(Debug)]
pub struct LoadFailed;

/// Serves clients in the middle of a load at startup (`EventLoop::process_events_while_blocked`).
pub type Events<'a> = &'a mut dyn FnMut(&mut Server);

/// Marks the server as loading `total_bytes` (INFO loading:1 and the loading_* fields; the
/// gate answers -LOADING to commands without the loading flag).
pub fn start_loading(srv: &mut Server, total_bytes: u64) {
    srv.loading = true;
    srv.rdb.load = LoadProgress { start_time: srv.mstime() / 1000, total_bytes, rdb_used_mem: 0, loaded_bytes: 0 };
    srv.rdb.last_load_keys_loaded = 0;
    srv.rdb.last_load_keys_expired = 0;
}

pub fn stop_loading(srv: &mut Server) {
    srv.loading = false;
}

/// The host of a load at startup: keys go into the server's databases; every
/// `loading-process-events-interval-bytes` of input the progress is recorded and clients are
/// served (they get -LOADING for most commands, INFO shows the progress); `key-load-delay`
/// slows each item down (a test hook, as in Redis).
pub struct StartupLoad<'a, 'e> {
    pub srv: &'a mut Server,
    pub events: Events<'e>,
    /// Bytes of the files loaded before this one.
    pub base: u64,
    last: u64,
}

impl<'a, 'e> StartupLoad<'a, 'e> {
    pub fn new(srv: &'a mut Server, events: Events<'e>, base: u64) -> StartupLoad<'a, 'e> {
        StartupLoad { srv, events, base, last: 0 }
    }

    /// Records that `offset` bytes of the current file are loaded, and serves clients when an
    /// interval boundary was crossed since the last time.
    pub fn at(&mut self, offset: u64) {
        let interval = self.srv.config.loading_process_events_interval_bytes.max(1) as u64;
        if self.last == 0 || offset / interval > self.last / interval {
            self.srv.rdb.load.loaded_bytes = self.base + offset;
            let used = crate::alloc::used_memory();
            self.srv.peak_memory = self.srv.peak_memory.max(used);
            (self.events)(self.srv);
        }
        self.last = offset.max(1);
        key_load_delay(self.srv.config.key_load_delay);
    }
}

impl LoadHost for StartupLoad<'_, '_> {
    fn dbs(&mut self) -> &mut [Db] {
        &mut self.srv.ks.dbs
    }
    fn progress(&mut self, offset: u64, so_far: &LoadStats) {
        if let Some(m) = so_far.used_mem {
            self.srv.rdb.load.rdb_used_mem = m;
        }
        self.srv.rdb.last_load_keys_loaded = so_far.loaded;
        self.srv.rdb.last_load_keys_expired = so_far.expired;
        self.at(offset);
    }
    fn expired_on_load(&mut self, db: usize, key: &[u8]) {
        // a master tells its future replicas (through the backlog) that the key is gone
        if self.srv.prop.backlog.is_some() && self.srv.masterhost.is_none() {
            let argv = vec![bytes::Bytes::from_static(b"DEL"), bytes::Bytes::copy_from_slice(key)];
            self.srv.prop.pending.push(crate::propagate::PropOp { db, argv });
            self.srv.prop.no_multi = true;
            self.srv.prop.flush(false);
            self.srv.prop.no_multi = false;
        }
    }
}

/// `key-load-delay`: microseconds to sleep per loaded item; a negative value -n sleeps one
/// microsecond once in about n items.
pub(crate) fn key_load_delay(us: i32) {
    if us == 0 {
        return;
    }
    let us = if us < 0 {
        // SAFETY: rand() has no preconditions.
        let r = unsafe { libc::rand() };
        if r % (-(us as i64)) as libc::c_int == 0 {
            1
        } else {
            0
        }
    } else {
        us
    };
    if us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(us as u64));
    }
}

/// Loads `dbfilename` at startup, logging like Redis, serving clients through `events` as it
/// goes. Ok(false) when there is no file.
pub fn load_at_startup(srv: &mut Server, events: Events<'_>) -> Result<bool, LoadFailed> {
    let path = srv.config.dbfilename.clone();
    let f = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => {
            log_warning!("Fatal error loading the DB: {}. Exiting.", crate::util::os_error_text(&e));
            return Err(LoadFailed);
        }
    };
    let t0 = Instant::now();
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    // a master keeps a backlog from the start: the DELs of keys found expired go into it, and
    // it continues the history the file recorded (see repl::restore_master_from_rdb)
    if srv.masterhost.is_none() {
        crate::repl::create_backlog(srv);
    }
    start_loading(srv, size);
    let limits = srv.type_limits();
    let now = srv.mstime();
    let master = srv.masterhost.is_none();
    let res = {
        let mut host = StartupLoad::new(srv, events, 0);
        load_with(&mut host, BufReader::with_capacity(1 << 16, f), limits, now, master, false)
    };
    stop_loading(srv);
    match res {
        Ok(st) => {
            log_loaded(&st, now);
            log_notice!("DB loaded from disk: {:.3} seconds", t0.elapsed().as_secs_f64());
            srv.rdb.last_load_keys_loaded = st.loaded;
            srv.rdb.last_load_keys_expired = st.expired;
            crate::repl::replica::restore_from_rdb(srv, &st.repl);
            crate::repl::restore_master_from_rdb(srv, &st.repl);
            Ok(true)
        }
        Err(e) => {
            log_warning!("Internal error in RDB reading file '{}': {}", path, e.trim_end());
            log_warning!("Terminating server after rdb file reading failure.");
            Err(LoadFailed)
        }
    }
}

/// Empties every database, as Redis's emptyData: transactions watching a key that existed
/// fail, and the data is freed here or, with `lazy`, by the lazy-free thread when it is big.
/// Clients blocked on keys are not woken (the caller decides).
pub fn empty_data(srv: &mut Server, lazy: bool) {
    for i in 0..srv.ks.dbs.len() {
        crate::cmd::multi::touch_all_watched_in_db(srv, None, i, None);
        let flushed = vireo_keyspace::ops::keys::flush(&mut srv.ks.dbs[i]);
        crate::cmd::keys::release_flushed(srv, flushed, crate::cmd::keys::Free::from_flag(lazy));
    }
}

/// How DEBUG RELOAD reloads the dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReloadOptions {
    /// Write `dbfilename` first (no NOSAVE).
    pub save: bool,
    /// Empty the databases before loading (no NOFLUSH).
    pub flush: bool,
    /// MERGE: a key of the file replaces one already present instead of being fatal.
    pub merge: bool,
}

/// DEBUG RELOAD: saves `dbfilename` (unless NOSAVE), empties the databases (unless NOFLUSH)
/// and loads the file back in the loading state, serving clients through `events` between
/// chunks as the load at startup does. Err is the reply: a failed save changes nothing; a
/// missing file or a damaged one leaves what was loaded so far (Redis's behaviour). A key
/// already present without MERGE ends the process, as it does in Redis.
pub fn reload(srv: &mut Server, opts: ReloadOptions, events: Events<'_>) -> Result<(), String> {
    if opts.save && save_to_disk(srv).is_err() {
        return Err("ERR".into());
    }
    if opts.flush {
        empty_data(srv, false);
    }
    const LOAD_FAILED: &str = "ERR Error trying to load the RDB dump";
    let path = srv.config.dbfilename.clone();
    let Ok(f) = File::open(&path) else {
        return Err(LOAD_FAILED.into());
    };
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    start_loading(srv, size);
    let limits = srv.type_limits();
    let now = srv.mstime();
    let master = srv.masterhost.is_none();
    let res = {
        let mut host = ReloadLoad(StartupLoad::new(srv, events, 0));
        load_with(&mut host, BufReader::with_capacity(1 << 16, f), limits, now, master, opts.merge)
    };
    stop_loading(srv);
    match res {
        Ok(st) => {
            log_loaded(&st, now);
            srv.rdb.last_load_keys_loaded = st.loaded;
            srv.rdb.last_load_keys_expired = st.expired;
            log_warning!("DB reloaded by DEBUG RELOAD");
            Ok(())
        }
        Err(e) => {
            log_warning!("Failed reloading '{}' for DEBUG RELOAD: {}", path, e.trim_end());
            Err(LOAD_FAILED.into())
        }
    }
}

/// The host of a DEBUG RELOAD load: the startup host, except that keys found expired are
/// dropped silently (only the load at startup tells replicas) and a duplicated key is fatal.
struct ReloadLoad<'a, 'e>(StartupLoad<'a, 'e>);

impl LoadHost for ReloadLoad<'_, '_> {
    fn dbs(&mut self) -> &mut [Db] {
        self.0.dbs()
    }
    fn progress(&mut self, offset: u64, so_far: &LoadStats) {
        self.0.progress(offset, so_far);
    }
    fn duplicate_key(&mut self, db: usize, key: &[u8]) {
        log_warning!("RDB has duplicated key '{}' in DB {}", String::from_utf8_lossy(key), db);
        log_warning!(
            "A key of the file loaded by DEBUG RELOAD is already in memory (MERGE would replace it): aborting"
        );
        // a crash, as Redis's panic: only a daemon's pid file is cleaned up
        if self.0.srv.config.daemonize && !self.0.srv.config.pidfile.is_empty() {
            let _ = std::fs::remove_file(&self.0.srv.config.pidfile);
        }
        std::process::abort();
    }
}
