//! The append-only file in Redis 7.0's multi-part layout: a directory (`appenddirname`) holding
//! a base file (an RDB snapshot under `aof-use-rdb-preamble yes`, the commands of `aof_rewrite`
//! under `no`), incremental files of RESP commands,
//! and a manifest (`<appendfilename>.manifest`, lines `file <name> seq <n> type <b|i|h>`) that
//! says which files make the dataset. Writes reach the AOF only from the propagation point
//! (`Propagator` fills the buffer); this module writes the buffer before replies go out, fsyncs
//! by `appendfsync`, rewrites the base in a forked child (BGREWRITEAOF, turning AOF on at run
//! time), and replays the files at startup through the same gate and `call()` as clients, with a
//! fake client whose replies are dropped. It knows nothing of sockets.
//!
//! Rewrite attempts follow Redis 7.0: each one first opens the file that takes the writes made
//! while the child runs — a new incr file, in the manifest before the fork (a failed attempt
//! leaves it there), or, while the AOF is being turned on at run time, `temp-<name>.incr`
//! outside any manifest, renamed into it when the base is in place and removed (the attempt
//! rescheduled) when the child fails. After three consecutive failures scheduled and
//! automatic rewrites wait 1, 2, 4 ... 60 minutes between attempts; a user's BGREWRITEAOF
//! that can start at once is not held back.

use crate::client::Client;
use crate::server::Server;
use crate::{log_notice, log_warning};
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Instant;
use vireo_config::AppendFsync;

/// One file named by the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AofFile {
    pub name: String,
    pub seq: u64,
}

/// The manifest: the base, the incremental files in order, and history files awaiting deletion.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub base: Option<AofFile>,
    pub incrs: Vec<AofFile>,
    pub history: Vec<AofFile>,
    /// The highest incr sequence number read or handed out: it survives the incr list
    /// becoming empty (every incr file turned history by a rewrite with the AOF off), so a new
    /// incr file never reuses a history file's name.
    pub incr_seq: u64,
}

/// Why a manifest was refused: Redis's message and, when a line is to blame, its number and
/// text (logged as Redis logs them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestError {
    pub line: Option<(usize, String)>,
    pub msg: &'static str,
}

impl std::fmt::Display for ManifestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.line {
            Some((n, l)) => write!(f, "{} (line {n}: '{l}')", self.msg),
            None => f.write_str(self.msg),
        }
    }
}

impl ManifestError {
    /// Logs the error in Redis's layout.
    pub fn log(&self) {
        log_warning!("\n*** FATAL AOF MANIFEST FILE ERROR ***\n");
        if let Some((n, l)) = &self.line {
            log_warning!("Reading the manifest file, at line {}\n", n);
            log_warning!(">>> '{}'\n", l);
        }
        log_warning!("{}\n", self.msg);
    }
}

/// The longest manifest line Redis reads.
const MANIFEST_MAX_LINE: usize = 1024;

impl Manifest {
    pub fn parse(text: &str) -> Result<Manifest, String> {
        Manifest::parse_detailed(text).map_err(|e| e.to_string())
    }

    /// Parses a manifest with Redis's rules: `#` lines are comments; every other line must end
    /// with a newline, fit 1024 bytes, not be blank, and hold at least 6 words in key/value
    /// pairs (quoted as redis.conf quotes) with `file` (a bare file name), a non-zero `seq` and
    /// a `type` of b, h or i; unknown keys are allowed. One base at most; incr sequence numbers
    /// strictly increase. An empty manifest is an error.
    pub fn parse_detailed(text: &str) -> Result<Manifest, ManifestError> {
        let mut m = Manifest::default();
        if text.is_empty() {
            return Err(ManifestError { line: None, msg: "Found an empty AOF manifest" });
        }
        let mut maxseq = 0u64;
        let mut rest = text;
        let mut n = 0;
        while !rest.is_empty() {
            n += 1;
            let (raw, complete) = match rest.find('\n') {
                Some(i) if i <= MANIFEST_MAX_LINE => {
                    let l = &rest[..i + 1];
                    rest = &rest[i + 1..];
                    (l, true)
                }
                _ => {
                    let cut = rest.len().min(MANIFEST_MAX_LINE);
                    let cut = (0..=cut).rev().find(|&c| rest.is_char_boundary(c)).unwrap_or(0);
                    (&rest[..cut], false)
                }
            };
            if raw.starts_with('#') && complete {
                continue;
            }
            let line = raw.trim_matches(|c| c == ' ' || c == '\t' || c == '\r' || c == '\n').to_string();
            let fail = |msg| Err(ManifestError { line: Some((n, line.clone())), msg });
            if raw.starts_with('#') || !complete {
                return fail("The AOF manifest file contains too long line");
            }
            if line.is_empty() {
                return fail("Invalid AOF manifest file format");
            }
            let words = match vireo_config::syntax::split_args(line.as_bytes()) {
                Some(w) if w.len() >= 6 && w.len() % 2 == 0 => w,
                _ => return fail("Invalid AOF manifest file format"),
            };
            let (mut name, mut seq, mut kind) = (None, 0u64, None);
            for pair in words.chunks(2) {
                let (k, v) = (&pair[0], &pair[1]);
                if k.eq_ignore_ascii_case(b"file") {
                    let f = String::from_utf8_lossy(v).to_string();
                    if f.contains('/') {
                        return fail("File can't be a path, just a filename");
                    }
                    name = Some(f);
                } else if k.eq_ignore_ascii_case(b"seq") {
                    seq = atoll(v);
                } else if k.eq_ignore_ascii_case(b"type") {
                    kind = v.first().copied();
                }
            }
            let (Some(name), true, Some(kind)) = (name, seq != 0, kind) else {
                return fail("Invalid AOF manifest file format");
            };
            let f = AofFile { name, seq };
            match kind {
                b'b' => {
                    if m.base.is_some() {
                        return fail("Found duplicate base file information");
                    }
                    m.base = Some(f)
                }
                b'h' => m.history.push(f),
                b'i' => {
                    if seq <= maxseq {
                        return fail("Found a non-monotonic sequence number");
                    }
                    maxseq = seq;
                    m.incr_seq = seq;
                    m.incrs.push(f)
                }
                _ => return fail("Unknown AOF file type"),
            }
        }
        Ok(m)
    }

    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut line = |f: &AofFile, t: char| {
            let needs_quotes = f
                .name
                .bytes()
                .any(|c| matches!(c, b'\\' | b'"' | b'\'') || c.is_ascii_whitespace() || !(0x21..0x7f).contains(&c));
            let name = if needs_quotes { vireo_config::syntax::repr(f.name.as_bytes()) } else { f.name.clone() };
            s.push_str(&format!("file {} seq {} type {}\n", name, f.seq, t));
        };
        if let Some(b) = &self.base {
            line(b, 'b');
        }
        for h in &self.history {
            line(h, 'h');
        }
        for i in &self.incrs {
            line(i, 'i');
        }
        s
    }

    fn next_base_seq(&self) -> u64 {
        self.base.as_ref().map_or(1, |b| b.seq + 1)
    }

    fn next_incr_seq(&self) -> u64 {
        self.incrs.last().map_or(0, |i| i.seq).max(self.incr_seq) + 1
    }

    /// Appends a new incr file named by `name` for the next sequence number and returns it.
    fn push_new_incr(&mut self, name: impl FnOnce(u64) -> String) -> AofFile {
        let seq = self.next_incr_seq();
        let f = AofFile { name: name(seq), seq };
        self.incr_seq = seq;
        self.incrs.push(f.clone());
        f
    }
}

/// C's atoll as the manifest reader uses it: leading blanks, a sign, digits up to the first
/// other byte; 0 when there are none (negative values count as missing too).
fn atoll(v: &[u8]) -> u64 {
    let t: Vec<u8> = v.iter().copied().skip_while(|c| c.is_ascii_whitespace()).collect();
    let (neg, digits) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, &t[..]),
    };
    let mut n: u64 = 0;
    for &c in digits.iter().take_while(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add((c - b'0') as u64);
    }
    if neg {
        0
    } else {
        n
    }
}

/// A running AOF rewrite child.
#[derive(Debug, Clone)]
pub struct RewriteChild {
    pub pid: libc::pid_t,
    pub start_ms: i64,
    /// The manifest as it will be once the new base is in place.
    pub base_seq: u64,
    /// The new base's name (its extension follows aof-use-rdb-preamble at fork time).
    pub base_name: String,
}

/// Whether the AOF is on, and the state INFO reports.
#[derive(Debug)]
pub struct AofState {
    /// Commands are fed to the AOF (on, or waiting for the rewrite that turns it on).
    pub on: bool,
    /// Turned on at run time; on for good once the first rewrite succeeds.
    pub wait_rewrite: bool,
    pub file: Option<File>,
    pub manifest: Manifest,
    pub child: Option<RewriteChild>,
    pub scheduled: bool,
    pub current_size: u64,
    pub base_size: u64,
    pub last_write_ok: bool,
    pub last_write_error: String,
    /// Unix time (s) of the last write-error warning (one per 30 s).
    pub last_write_error_log: i64,
    /// DEBUG AOF-FLUSH-SLEEP: microseconds to sleep before each write of the buffer (tests).
    pub flush_sleep_us: u64,
    pub last_bgrewrite_ok: bool,
    pub rewrites: u64,
    pub consecutive_failures: u64,
    pub last_rewrite_time_sec: i64,
    pub last_fsync_ms: i64,
    pub fsync_in_flight: Arc<AtomicBool>,
    pub delayed_fsync: u64,
    pub last_cow_size: u64,
    /// The automatic-rewrite limit after repeated failures: the current delay in minutes
    /// (0 = not limited yet) and the unix time (s) before which no automatic rewrite starts.
    pub limit_delay_min: i64,
    pub limit_until_s: i64,
}

impl Default for AofState {
    fn default() -> AofState {
        AofState {
            on: false,
            wait_rewrite: false,
            file: None,
            manifest: Manifest::default(),
            child: None,
            scheduled: false,
            current_size: 0,
            base_size: 0,
            last_write_ok: true,
            last_write_error: String::new(),
            last_write_error_log: 0,
            flush_sleep_us: 0,
            last_bgrewrite_ok: true,
            rewrites: 0,
            consecutive_failures: 0,
            last_rewrite_time_sec: -1,
            last_fsync_ms: 0,
            fsync_in_flight: Arc::new(AtomicBool::new(false)),
            delayed_fsync: 0,
            last_cow_size: 0,
            limit_delay_min: 0,
            limit_until_s: 0,
        }
    }
}

fn dir(srv: &Server) -> PathBuf {
    PathBuf::from(&srv.config.appenddirname)
}

fn manifest_name(srv: &Server) -> String {
    format!("{}.manifest", srv.config.appendfilename)
}

/// The next base file's name: `.base.rdb` for an RDB preamble, `.base.aof` for the command
/// form (`aof-use-rdb-preamble no`).
fn base_name(srv: &Server, seq: u64) -> String {
    let ext = if srv.config.aof_use_rdb_preamble { "rdb" } else { "aof" };
    format!("{}.{}.base.{}", srv.config.appendfilename, seq, ext)
}

fn incr_name(srv: &Server, seq: u64) -> String {
    format!("{}.{}.incr.aof", srv.config.appendfilename, seq)
}

/// Writes the manifest through a temp file, fsync and rename (the same path as snapshots).
fn persist_manifest(srv: &Server, m: &Manifest) -> Result<(), String> {
    let d = dir(srv);
    let tmp = d.join(format!("temp-{}", manifest_name(srv)));
    let text = m.render();
    crate::persist::write_file_on(
        &crate::disk::Os,
        &tmp,
        &d.join(manifest_name(srv)),
        crate::persist::FileKind::AofManifest,
        |w| w.write_all(text.as_bytes()).map(|()| 0),
    )
    .map(|_| ())
}

fn open_append(path: &Path) -> io::Result<File> {
    OpenOptions::new().create(true).append(true).open(path)
}

/// The bytes of every file the manifest names (INFO aof_current_size / aof_base_size).
fn file_size(path: &Path) -> u64 {
    fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Writes a base file of the current dataset synchronously: an RDB snapshot with the
/// `aof-base` AUX field under `aof-use-rdb-preamble yes`, the commands that rebuild it otherwise.
/// The data goes to `tmp` first and is renamed to `name` once complete (both in the AOF
/// directory).
fn write_base_now(srv: &Server, tmp: &str, name: &str) -> Result<(), String> {
    let path = dir(srv).join(name);
    let tmp = dir(srv).join(tmp);
    if !srv.config.aof_use_rdb_preamble {
        crate::persist::SAVE_KEY_DELAY.store(srv.config.rdb_key_save_delay, std::sync::atomic::Ordering::Relaxed);
        let ts = srv.config.aof_timestamp_enabled.then(|| srv.mstime() / 1000);
        return crate::persist::write_file_on(&crate::disk::Os, &tmp, &path, crate::persist::FileKind::AofBase, |w| {
            crate::aof_rewrite::write_dbs(&srv.ks.dbs, w, ts)
        })
        .map(|_| ());
    }
    let mut aux = crate::persist::aux_for_replication(srv);
    aux.repl = None;
    aux.aof_base = true;
    crate::persist::write_file(
        &srv.ks.dbs,
        &tmp.to_string_lossy(),
        &path.to_string_lossy(),
        srv.config.rdbcompression,
        srv.config.rdbchecksum,
        &aux,
        crate::persist::Access::None,
    )
    .map(|_| ())
}

/// At startup with `appendonly yes`: loads the files the manifest names (base, then each incr
/// file through `call()`), then opens the last incr file for appending, creating the directory,
/// a base and an incr file when there are none. Errors are logged; the server must not start.
pub fn load_and_open_at_startup(
    srv: &mut Server,
    events: crate::persist::Events<'_>,
) -> Result<(), crate::persist::LoadFailed> {
    let d = dir(srv);
    let mpath = d.join(manifest_name(srv));
    let t0 = Instant::now();
    let mut manifest = Manifest::default();
    if let Ok(text) = fs::read_to_string(&mpath) {
        manifest = match Manifest::parse_detailed(&text) {
            Ok(m) => m,
            Err(e) => {
                e.log();
                return Err(crate::persist::LoadFailed);
            }
        };
    }
    // A pre-7.0 single-file AOF in `dir` becomes the base of the directory, keeping its name:
    // when there is no directory, no manifest (or an empty one), or a manifest left by an
    // upgrade interrupted before the move (only that file as base, not in the directory yet).
    let old = srv.config.appendfilename.clone();
    if Path::new(&old).is_file() {
        let only_old_base = manifest.incrs.is_empty()
            && manifest.base.as_ref().is_some_and(|b| b.name == old)
            && !d.join(&old).exists();
        if !d.is_dir() || (manifest.base.is_none() && manifest.incrs.is_empty()) || only_old_base {
            if let Err(e) = fs::create_dir_all(&d) {
                log_warning!(
                    "Can't open or create append-only dir {}: {}",
                    d.display(),
                    crate::util::os_error_text(&e)
                );
                return Err(crate::persist::LoadFailed);
            }
            manifest.base = Some(AofFile { name: old.clone(), seq: 1 });
            if let Err(e) = persist_manifest(srv, &manifest) {
                log_warning!("Can't persist the AOF manifest: {}", e);
                return Err(crate::persist::LoadFailed);
            }
            if let Err(e) = fs::rename(&old, d.join(&old)) {
                log_warning!(
                    "Error trying to move the old AOF file {} into dir {}: {}",
                    old,
                    d.display(),
                    crate::util::os_error_text(&e)
                );
                return Err(crate::persist::LoadFailed);
            }
            log_notice!(
                "Successfully migrated an old-style AOF file ({}) into the AOF directory ({}).",
                old,
                srv.config.appenddirname
            );
        }
    }
    if manifest.base.is_some() || !manifest.incrs.is_empty() {
        let total = files_size(srv, &manifest);
        crate::persist::start_loading(srv, total);
        let r = load_files(srv, &manifest, &mut *events);
        crate::persist::stop_loading(srv);
        r.map_err(|()| crate::persist::LoadFailed)?;
        log_notice!("DB loaded from append only file: {:.3} seconds", t0.elapsed().as_secs_f64());
    }
    if let Err(e) = fs::create_dir_all(&d) {
        log_warning!("Can't open or create append-only dir {}: {}", d.display(), crate::util::os_error_text(&e));
        return Err(crate::persist::LoadFailed);
    }
    if manifest.base.is_none() && manifest.incrs.is_empty() {
        let seq = manifest.next_base_seq();
        let name = base_name(srv, seq);
        if let Err(e) = write_base_now(srv, &format!("temp-rewriteaof-{}.aof", std::process::id()), &name) {
            log_warning!("Can't create the AOF base file {}: {}", name, e);
            return Err(crate::persist::LoadFailed);
        }
        log_notice!("Creating AOF base file {} on server start", name);
        manifest.base = Some(AofFile { name, seq });
    }
    let had_incr = !manifest.incrs.is_empty();
    let incr = match manifest.incrs.last() {
        Some(last) => last.clone(),
        None => manifest.push_new_incr(|seq| incr_name(srv, seq)),
    };
    match open_append(&d.join(&incr.name)) {
        Ok(f) => srv.aof.file = Some(f),
        Err(e) => {
            log_warning!("Can't open the append-only file {}: {}", incr.name, crate::util::os_error_text(&e));
            return Err(crate::persist::LoadFailed);
        }
    }
    if let Err(e) = persist_manifest(srv, &manifest) {
        log_warning!("Can't persist the AOF manifest: {}", e);
        return Err(crate::persist::LoadFailed);
    }
    if had_incr {
        log_notice!("Opening AOF incr file {} on server start", incr.name);
    } else {
        log_notice!("Creating AOF incr file {} on server start", incr.name);
    }
    srv.aof.manifest = manifest;
    srv.aof.on = true;
    srv.prop.aof_timestamps = srv.config.aof_timestamp_enabled;
    srv.prop.aof_active = true;
    srv.prop.aof_seldb = -1;
    refresh_sizes(srv);
    Ok(())
}

fn refresh_sizes(srv: &mut Server) {
    let d = dir(srv);
    let m = &srv.aof.manifest;
    let base = m.base.as_ref().map_or(0, |b| file_size(&d.join(&b.name)));
    let incr: u64 = m.incrs.iter().map(|i| file_size(&d.join(&i.name))).sum();
    srv.aof.base_size = base;
    srv.aof.current_size = base + incr;
}

/// Bytes of the base and incr files the manifest names (loading_total_bytes).
fn files_size(srv: &Server, m: &Manifest) -> u64 {
    let d = dir(srv);
    m.base.iter().chain(m.incrs.iter()).map(|f| file_size(&d.join(&f.name))).sum()
}

/// Loads the base, then each incr file, serving clients through `events` as it goes.
fn load_files(srv: &mut Server, m: &Manifest, events: crate::persist::Events<'_>) -> Result<(), ()> {
    let d = dir(srv);
    let total = m.incrs.len();
    // bytes of the files already loaded, for loading_loaded_bytes
    let mut done = 0u64;
    if let Some(b) = &m.base {
        let t = Instant::now();
        let path = d.join(&b.name);
        let f = match File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                log_warning!("The AOF file {} doesn't exist: {}", b.name, crate::util::os_error_text(&e));
                return Err(());
            }
        };
        let mut r = BufReader::with_capacity(1 << 16, f);
        let mut magic = [0u8; 5];
        let n = r.read(&mut magic).unwrap_or(0);
        let f = File::open(&path).map_err(|_| ())?;
        if n == 5 && &magic == b"REDIS" {
            log_notice!("Reading RDB base file on AOF loading...");
            let limits = srv.type_limits();
            let now = srv.mstime();
            let res = {
                let mut host = crate::persist::StartupLoad::new(srv, &mut *events, done);
                crate::persist::load_with(&mut host, BufReader::with_capacity(1 << 16, f), limits, now, false, false)
            };
            match res {
                Ok(st) => {
                    log_notice!("Done loading RDB, keys loaded: {}, keys expired: {}.", st.loaded, st.expired);
                    // an AOF of Redis before 7.0 is an RDB preamble followed by commands
                    if st.end < file_size(&path) {
                        replay(srv, &path, &b.name, m.incrs.is_empty(), &mut *events, done, st.end as usize)?;
                    }
                }
                Err(e) => {
                    log_warning!("Bad file format reading the append only file {}: {}", b.name, e.trim_end());
                    return Err(());
                }
            }
        } else {
            replay(srv, &path, &b.name, m.incrs.is_empty(), &mut *events, done, 0)?;
        }
        done += file_size(&path);
        log_notice!("DB loaded from base file {}: {:.3} seconds", b.name, t.elapsed().as_secs_f64());
    }
    for (i, inc) in m.incrs.iter().enumerate() {
        let t = Instant::now();
        let last = i + 1 == total;
        let path = d.join(&inc.name);
        replay(srv, &path, &inc.name, last, &mut *events, done, 0)?;
        done += file_size(&path);
        log_notice!("DB loaded from incr file {}: {:.3} seconds", inc.name, t.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Reads one RESP multibulk command; Ok(None) at a clean end, Err(valid_len) at a torn or
/// malformed command (valid_len = bytes of whole commands before it).
pub fn next_command(data: &[u8], pos: &mut usize) -> Result<Option<Vec<bytes::Bytes>>, usize> {
    // annotations (`#TS:<time>` of aof-timestamp-enabled) are lines starting with '#'
    while data.get(*pos) == Some(&b'#') {
        match data[*pos..].iter().position(|&b| b == b'\n') {
            Some(end) => *pos += end + 1,
            None => return Err(*pos),
        }
    }
    let start = *pos;
    if start >= data.len() {
        return Ok(None);
    }
    let line = |p: &mut usize| -> Option<&[u8]> {
        let rest = &data[*p..];
        let end = rest.windows(2).position(|w| w == b"\r\n")?;
        let l = &rest[..end];
        *p += end + 2;
        Some(l)
    };
    let mut p = start;
    let head = line(&mut p).ok_or(start)?;
    if head.first() != Some(&b'*') {
        return Err(start);
    }
    let argc: usize = std::str::from_utf8(&head[1..]).ok().and_then(|s| s.parse().ok()).ok_or(start)?;
    if argc == 0 || argc > 1 << 20 {
        return Err(start);
    }
    let mut argv = Vec::with_capacity(argc.min(1024));
    for _ in 0..argc {
        let h = line(&mut p).ok_or(start)?;
        if h.first() != Some(&b'$') {
            return Err(start);
        }
        let len: usize = std::str::from_utf8(&h[1..]).ok().and_then(|s| s.parse().ok()).ok_or(start)?;
        // (checked: a huge declared length must not overflow)
        if len > data.len() - p || data.len() - p - len < 2 || &data[p + len..p + len + 2] != b"\r\n" {
            return Err(start);
        }
        argv.push(bytes::Bytes::copy_from_slice(&data[p..p + len]));
        p += len + 2;
    }
    *pos = p;
    Ok(Some(argv))
}

/// Replays a file of commands through the gate and `call()` with a fake client. A torn last
/// command of the last file is cut off when aof-load-truncated allows it.
fn replay(
    srv: &mut Server,
    path: &Path,
    name: &str,
    last: bool,
    events: crate::persist::Events<'_>,
    done: u64,
    from: usize,
) -> Result<(), ()> {
    let data = match fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            log_warning!("The AOF file {} doesn't exist: {}", name, crate::util::os_error_text(&e));
            return Err(());
        }
    };
    let mut fake = Client::fake(u64::MAX);
    let mut pos = from.min(data.len());
    let mut loops = 0u64;
    loop {
        // every 1024 commands (the first included), as Redis: progress, and clients served
        if loops.is_multiple_of(1024) {
            srv.rdb.load.loaded_bytes = done + pos as u64;
            events(srv);
        }
        loops += 1;
        match next_command(&data, &mut pos) {
            Ok(None) => break,
            Ok(Some(argv)) => {
                if !matches!(srv.registry.lookup(&argv), crate::registry::Lookup::Found(_)) {
                    log_warning!(
                        "Unknown command '{}' reading the append only file {}",
                        String::from_utf8_lossy(crate::errors::cstr(&argv[0])),
                        name
                    );
                    return Err(());
                }
                fake.argv = argv;
                crate::exec::process_command(srv, &mut fake);
                fake.reply.rb.buf.clear();
                crate::persist::key_load_delay(srv.config.key_load_delay);
            }
            Err(valid) => {
                let torn = valid < data.len() && data[valid..].len() < 64 * 1024 * 1024;
                let cut_short = torn && is_prefix_of_command(&data[valid..]);
                if last && srv.config.aof_load_truncated && cut_short {
                    log_warning!("!!! Warning: short read while loading the AOF file {}!!!", name);
                    log_warning!("!!! Truncating the AOF {} at offset {} !!!", name, valid);
                    if let Ok(f) = OpenOptions::new().write(true).open(path) {
                        let _ = f.set_len(valid as u64);
                    }
                    log_warning!("AOF {} loaded anyway because aof-load-truncated is enabled", name);
                    break;
                }
                if cut_short {
                    log_unexpected_eof(name);
                    return Err(());
                }
                log_warning!(
                    "Bad file format reading the append only file {}: make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest> (offset {})",
                    name,
                    valid
                );
                return Err(());
            }
        }
    }
    if fake.has(crate::client::cflags::MULTI) {
        log_warning!("Revert incomplete MULTI/EXEC transaction in AOF file {}", name);
        if last && srv.config.aof_load_truncated {
            return Ok(());
        }
        log_unexpected_eof(name);
        return Err(());
    }
    Ok(())
}

/// Redis's message for an AOF that ends in the middle of a command or transaction when the
/// tail may not be cut off.
fn log_unexpected_eof(name: &str) {
    log_warning!(
        "Unexpected end of file reading the append only file {}. You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
        name
    );
}

/// True when `tail` could be the start of a well-formed command that was cut short (a torn
/// write), as opposed to garbage.
fn is_prefix_of_command(tail: &[u8]) -> bool {
    tail.first() == Some(&b'*')
}

/// Writes the buffered commands (before replies go out); with `appendfsync always` also
/// fsyncs, so that an acknowledged write is on disk.
pub fn flush(srv: &mut Server) {
    if srv.prop.aof_buf.is_empty() {
        return;
    }
    if srv.aof.flush_sleep_us > 0 {
        std::thread::sleep(std::time::Duration::from_micros(srv.aof.flush_sleep_us));
    }
    let buf = std::mem::take(&mut srv.prop.aof_buf);
    let now = srv.mstime() / 1000;
    let Some(f) = srv.aof.file.as_mut() else {
        return;
    };
    match crate::disk::append(f, &buf) {
        Ok(()) => {
            srv.aof.current_size += buf.len() as u64;
            if !srv.aof.last_write_ok {
                log_warning!("AOF write error looks solved, Redis can write again.");
            }
            srv.aof.last_write_ok = true;
            let skip = srv.config.no_appendfsync_on_rewrite && (srv.aof.child.is_some() || srv.rdb.child.is_some());
            if srv.config.appendfsync == AppendFsync::Always && !skip {
                if let Err(e) = f.sync_data() {
                    log_warning!(
                        "Can't persist AOF for fsync error when the AOF fsync policy is 'always': {}. Exiting...",
                        crate::util::os_error_text(&e)
                    );
                    std::process::exit(1);
                }
                srv.aof.last_fsync_ms = srv.mstime();
            }
        }
        Err((written, e)) => {
            // one warning per 30 seconds at most, as Redis
            let can_log = now - srv.aof.last_write_error_log > 30;
            if can_log {
                srv.aof.last_write_error_log = now;
            }
            let mut kept = 0;
            let text = if written == 0 {
                if can_log {
                    log_warning!("Error writing to the AOF file: {}", crate::util::os_error_text(&e));
                }
                crate::util::os_error_text(&e)
            } else {
                if can_log {
                    log_warning!(
                        "Short write while writing to the AOF file: (nwritten={}, expected={})",
                        written,
                        buf.len()
                    );
                }
                // take the partial command back out of the file, so that it stays loadable
                let undone =
                    f.metadata().and_then(|m| f.set_len(m.len().saturating_sub(written as u64))).map_err(|e| {
                        if can_log {
                            log_warning!("Could not remove short write from the append-only file.  Redis may refuse to load the AOF the next time it starts.  ftruncate: {}", crate::util::os_error_text(&e));
                        }
                    });
                if undone.is_err() {
                    kept = written;
                }
                crate::util::strerror(libc::ENOSPC)
            };
            if srv.config.appendfsync == AppendFsync::Always {
                log_warning!("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
                std::process::exit(1);
            }
            srv.aof.last_write_ok = false;
            srv.aof.last_write_error = text;
            srv.aof.current_size += kept as u64;
            // keep the rest for the next attempt (cron retries)
            let mut rest = buf[kept..].to_vec();
            rest.extend_from_slice(&srv.prop.aof_buf);
            srv.prop.aof_buf = rest;
        }
    }
}

/// Every second with `appendfsync everysec`: fsync in a background thread (one at a time).
fn fsync_everysec(srv: &mut Server) {
    if srv.config.appendfsync != AppendFsync::Everysec {
        return;
    }
    if srv.config.no_appendfsync_on_rewrite && (srv.aof.child.is_some() || srv.rdb.child.is_some()) {
        return;
    }
    let now = srv.mstime();
    if now - srv.aof.last_fsync_ms < 1000 {
        return;
    }
    let Some(f) = srv.aof.file.as_ref().and_then(|f| f.try_clone().ok()) else { return };
    let flag = srv.aof.fsync_in_flight.clone();
    if flag.swap(true, Ordering::SeqCst) {
        srv.aof.delayed_fsync += 1;
        return;
    }
    srv.aof.last_fsync_ms = now;
    std::thread::spawn(move || {
        let _ = f.sync_data();
        flag.store(false, Ordering::SeqCst);
    });
}

/// The file that collects the writes made while the AOF is being turned on at run time
/// (`temp-<appendfilename>.incr`); it becomes the first incr file of the manifest when the
/// rewrite succeeds and is removed when it fails.
fn temp_incr_name(srv: &Server) -> String {
    format!("temp-{}.incr", srv.config.appendfilename)
}

/// Whether commands reach the AOF buffer now: with the AOF on, and while it is being turned
/// on only when a rewrite child runs (its temp incr file then collects them; without a child
/// the next rewrite's snapshot will hold them anyway).
fn sync_feeding(srv: &mut Server) {
    srv.prop.aof_active = srv.aof.on && (!srv.aof.wait_rewrite || srv.aof.child.is_some());
}

/// Opens the file that receives the writes made during a rewrite: with the AOF on, a new incr
/// file that joins the manifest (persisted) before the child runs; while it is being turned
/// on, the temp incr file, outside the manifest. Nothing changes when a step fails.
fn open_incr_for_rewrite(srv: &mut Server) -> Result<(), String> {
    if !srv.aof.on {
        return Ok(());
    }
    let mut manifest = None;
    let name = if srv.aof.wait_rewrite {
        temp_incr_name(srv)
    } else {
        let mut m = srv.aof.manifest.clone();
        let f = m.push_new_incr(|seq| incr_name(srv, seq));
        manifest = Some(m);
        f.name
    };
    let file = open_append(&dir(srv).join(&name)).and_then(|f| f.set_len(0).map(|()| f)).map_err(|e| {
        let e = crate::util::os_error_text(&e);
        log_warning!("Can't open the append-only file {}: {}", name, e);
        e
    })?;
    if let Some(m) = &manifest {
        if let Err(e) = persist_manifest(srv, m) {
            log_warning!("Can't persist the AOF manifest: {}", e);
            return Err(e);
        }
    }
    log_notice!("Creating AOF incr file {} on background rewrite", name);
    if let Some(old) = srv.aof.file.replace(file) {
        // the old file's last writes reach the disk without holding up the loop
        std::thread::spawn(move || {
            let _ = old.sync_data();
        });
    }
    srv.aof.last_fsync_ms = srv.mstime();
    if let Some(m) = manifest {
        srv.aof.manifest = m;
    }
    Ok(())
}

/// BGREWRITEAOF, a scheduled or automatic rewrite, turning AOF on: opens the file for the
/// writes that follow (see `open_incr_for_rewrite`), then forks a child that writes the
/// dataset as the next base file. The caller has checked that no other child runs; Err carries
/// the reason, already logged.
pub fn rewrite_background(srv: &mut Server) -> Result<(), String> {
    if crate::persist::has_active_child(srv) {
        return Err("another child process is active".into());
    }
    if let Err(e) = fs::create_dir_all(dir(srv)) {
        let e = crate::util::os_error_text(&e);
        log_warning!("Can't open or create append-only dir {}: {}", srv.config.appenddirname, e);
        srv.aof.last_bgrewrite_ok = false;
        return Err(e);
    }
    // the next command fed selects its database again: it lands in a new file
    srv.prop.aof_seldb = -1;
    flush(srv);
    if let Err(e) = open_incr_for_rewrite(srv) {
        srv.aof.last_bgrewrite_ok = false;
        return Err(e);
    }
    srv.aof.rewrites += 1;
    let base_seq = srv.aof.manifest.next_base_seq();
    let t0 = std::time::Instant::now();
    // SAFETY: called from the event-loop thread; the child only serializes its copy of the
    // data and leaves with _exit.
    let pid = unsafe { libc::fork() };
    if pid == 0 {
        crate::log::set_role(b'C');
        let pid = std::process::id();
        let name = format!("temp-rewriteaof-bg-{pid}.aof");
        let code = match write_base_now(srv, &format!("temp-rewriteaof-{pid}.aof"), &name) {
            Ok(()) => {
                log_notice!("Successfully created the temporary AOF base file {}", name);
                0
            }
            Err(e) => {
                log_warning!("Error writing the AOF rewrite: {}", e);
                1
            }
        };
        // SAFETY: leave the child without the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    if pid < 0 {
        let e = crate::util::os_error_text(&io::Error::last_os_error());
        srv.aof.last_bgrewrite_ok = false;
        log_warning!("Can't rewrite append only file in background: fork: {}", e);
        return Err(e);
    }
    srv.forked(t0);
    log_notice!("Background append only file rewriting started by pid {}", pid);
    let base_name = base_name(srv, base_seq);
    srv.aof.child = Some(RewriteChild { pid, start_ms: srv.mstime(), base_seq, base_name });
    srv.aof.scheduled = false;
    sync_feeding(srv);
    crate::persist::update_resize_policy(srv);
    Ok(())
}

/// Failed rewrites before automatic ones are held back.
const LIMIT_AFTER_FAILURES: u64 = 3;
/// The longest hold-back, in minutes; it doubles from one minute after each limited attempt.
const LIMIT_MAX_MINUTES: i64 = 60;

/// Whether an automatic or scheduled rewrite must wait: after `LIMIT_AFTER_FAILURES`
/// consecutive failures each new attempt is delayed (1, 2, 4 ... up to 60 minutes), so that a
/// rewrite failing again and again does not fill the directory with tiny incr files. A
/// BGREWRITEAOF that starts at once is not held back.
fn rewrite_limited(srv: &mut Server) -> bool {
    let now = srv.mstime() / 1000;
    let a = &mut srv.aof;
    if a.consecutive_failures < LIMIT_AFTER_FAILURES {
        a.limit_delay_min = 0;
        a.limit_until_s = 0;
        return false;
    }
    if a.limit_until_s != 0 {
        if now < a.limit_until_s {
            return true;
        }
        a.limit_until_s = 0;
        return false;
    }
    a.limit_delay_min = if a.limit_delay_min == 0 { 1 } else { (a.limit_delay_min * 2).min(LIMIT_MAX_MINUTES) };
    a.limit_until_s = now + a.limit_delay_min * 60;
    log_warning!(
        "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in {} minutes",
        a.limit_delay_min
    );
    true
}

/// A successful child's base goes in place: renamed to its final name, the temp incr file of
/// a run-time enable renamed into the manifest, the replaced files turned history, the
/// manifest persisted. Err when a step failed (logged; nothing of the new state kept).
fn install_rewrite(srv: &mut Server, child: &RewriteChild) -> Result<(), ()> {
    let d = dir(srv);
    let tmp = format!("temp-rewriteaof-bg-{}.aof", child.pid);
    let name = child.base_name.clone();
    let base_path = d.join(&name);
    if let Err(e) = fs::rename(d.join(&tmp), &base_path) {
        log_warning!(
            "Error trying to rename the temporary AOF base file {} into {}: {}",
            tmp,
            name,
            crate::util::os_error_text(&e)
        );
        return Err(());
    }
    log_notice!("Successfully renamed the temporary AOF base file {} into {}", tmp, name);
    let mut m = srv.aof.manifest.clone();
    let mut new_incr = None;
    if srv.aof.wait_rewrite {
        let temp = temp_incr_name(srv);
        let f = m.push_new_incr(|seq| incr_name(srv, seq));
        if let Err(e) = fs::rename(d.join(&temp), d.join(&f.name)) {
            log_warning!(
                "Error trying to rename the temporary AOF incr file {} into {}: {}",
                temp,
                f.name,
                crate::util::os_error_text(&e)
            );
            let _ = fs::remove_file(&base_path);
            return Err(());
        }
        log_notice!("Successfully renamed the temporary AOF incr file {} into {}", temp, f.name);
        new_incr = Some(f.name);
    }
    // the incr file being written stays (none is, with the AOF off: all become history);
    // the replaced files join the history, newest group first: its incrs, then its base
    let keep = if srv.aof.file.is_some() { m.incrs.pop() } else { None };
    let mut history = std::mem::take(&mut m.incrs);
    if let Some(old) = m.base.take() {
        history.push(old);
    }
    history.append(&mut m.history);
    m.history = history;
    m.base = Some(AofFile { name, seq: child.base_seq });
    m.incrs = keep.into_iter().collect();
    let gc = !srv.config.aof_disable_auto_gc;
    let removed = if gc { std::mem::take(&mut m.history) } else { Vec::new() };
    if let Err(e) = persist_manifest(srv, &m) {
        log_warning!("Can't persist the AOF manifest after a rewrite: {}", e);
        let _ = fs::remove_file(&base_path);
        if let Some(n) = new_incr {
            let _ = fs::remove_file(d.join(n));
        }
        return Err(());
    }
    for h in removed {
        log_notice!("Removing the history file {} in the background", h.name);
        let _ = fs::remove_file(d.join(&h.name));
    }
    srv.aof.manifest = m;
    Ok(())
}

/// The rewrite child ended with `status`: install its base or count the failure, then clean
/// up; while the AOF is being turned on, a failure discards the temp incr file and schedules
/// the next attempt.
fn rewrite_done(srv: &mut Server, child: RewriteChild, status: libc::c_int) {
    srv.aof.child = None;
    if libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0 {
        log_notice!("Background AOF rewrite terminated with success");
        if install_rewrite(srv, &child).is_ok() {
            refresh_sizes(srv);
            srv.aof.last_bgrewrite_ok = true;
            srv.aof.consecutive_failures = 0;
            log_notice!("Background AOF rewrite finished successfully");
            srv.aof.wait_rewrite = false;
        } else {
            srv.aof.last_bgrewrite_ok = false;
            srv.aof.consecutive_failures += 1;
        }
    } else if libc::WIFEXITED(status) {
        srv.aof.last_bgrewrite_ok = false;
        srv.aof.consecutive_failures += 1;
        log_warning!("Background AOF rewrite terminated with error");
    } else {
        let sig = if libc::WIFSIGNALED(status) { libc::WTERMSIG(status) } else { 0 };
        // SIGUSR1 is how we stop a child on purpose: not a failure
        if sig != libc::SIGUSR1 {
            srv.aof.last_bgrewrite_ok = false;
            srv.aof.consecutive_failures += 1;
        }
        log_warning!("Background AOF rewrite terminated by signal {}", sig);
    }
    remove_child_temp_files(srv, child.pid);
    if srv.aof.wait_rewrite {
        srv.prop.aof_buf.clear();
        let temp = temp_incr_name(srv);
        log_notice!("Removing the temp incr aof file {} in the background", temp);
        let _ = fs::remove_file(dir(srv).join(temp));
        srv.aof.scheduled = true;
    }
    srv.aof.last_rewrite_time_sec = srv.mstime() / 1000 - child.start_ms / 1000;
    sync_feeding(srv);
    crate::persist::update_resize_policy(srv);
}

/// The files a rewrite child may leave behind.
fn remove_child_temp_files(srv: &Server, pid: libc::pid_t) {
    let d = dir(srv);
    let _ = fs::remove_file(d.join(format!("temp-rewriteaof-bg-{pid}.aof")));
    let _ = fs::remove_file(d.join(format!("temp-rewriteaof-{pid}.aof")));
}

/// Stops a running rewrite child (SIGUSR1, not counted as a failure) and removes its files.
fn kill_child(srv: &mut Server) {
    let Some(child) = srv.aof.child.take() else { return };
    log_notice!("Killing running AOF rewrite child: {}", child.pid);
    // SAFETY: signalling and reaping our own child.
    unsafe {
        if libc::kill(child.pid, libc::SIGUSR1) != -1 {
            let mut st = 0;
            libc::waitpid(child.pid, &mut st, 0);
        }
    }
    remove_child_temp_files(srv, child.pid);
    sync_feeding(srv);
    crate::persist::update_resize_policy(srv);
}

/// Cron: fsync every second, reap the rewrite child and install its base, run a scheduled
/// rewrite, start an automatic one when the files grew enough.
pub fn cron(srv: &mut Server) {
    srv.prop.aof_timestamps = srv.config.aof_timestamp_enabled;
    if srv.aof.on {
        flush(srv);
        fsync_everysec(srv);
    }
    if srv.aof.scheduled && !crate::persist::has_active_child(srv) && !rewrite_limited(srv) {
        let _ = rewrite_background(srv);
    }
    if let Some(child) = srv.aof.child.clone() {
        let mut status: libc::c_int = 0;
        // SAFETY: waitpid on our own child with a valid status pointer.
        let r = unsafe { libc::waitpid(child.pid, &mut status, libc::WNOHANG) };
        if r == child.pid {
            rewrite_done(srv, child, status);
        }
        return;
    }
    if crate::persist::has_active_child(srv) {
        return;
    }
    // auto-aof-rewrite-percentage / -min-size: the files grew by that much since the last base
    let pct = srv.config.auto_aof_rewrite_percentage as i64;
    let size = srv.aof.current_size as i64;
    if srv.aof.on && !srv.aof.wait_rewrite && pct > 0 && size > srv.config.auto_aof_rewrite_min_size {
        let base = (srv.aof.base_size as i64).max(1);
        let growth = size.saturating_mul(100) / base - 100;
        if growth >= pct && !rewrite_limited(srv) {
            log_notice!("Starting automatic rewriting of AOF on {}% growth", growth);
            let _ = rewrite_background(srv);
        }
    }
}

/// BGREWRITEAOF: Ok(true) when a rewrite started, Ok(false) when it was scheduled (another
/// child runs, or inside a transaction; a user's request lifts the failure limit), Err with the
/// reply's error.
pub fn bgrewriteaof(srv: &mut Server) -> Result<bool, &'static str> {
    if srv.aof.child.is_some() {
        return Err("ERR Background append only file rewriting already in progress");
    }
    if crate::persist::has_active_child(srv) || srv.nesting > 1 {
        srv.aof.scheduled = true;
        srv.aof.consecutive_failures = 0;
        return Ok(false);
    }
    match rewrite_background(srv) {
        Ok(()) => Ok(true),
        Err(_) => {
            Err("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.")
        }
    }
}

/// CONFIG SET appendonly yes: the AOF waits for a first rewrite, whose child writes the base
/// while the writes made meanwhile collect in the temp incr file; the manifest names them only
/// once the base is in place, and a failed attempt is retried from scratch.
pub fn start(srv: &mut Server) -> Result<(), String> {
    if srv.aof.on {
        return Ok(());
    }
    // continue the sequence numbers of files left by an earlier run
    let mpath = dir(srv).join(manifest_name(srv));
    if let Ok(text) = fs::read_to_string(mpath) {
        if let Ok(m) = Manifest::parse(&text) {
            srv.aof.manifest = m;
        }
    }
    srv.aof.on = true;
    srv.aof.wait_rewrite = true;
    srv.prop.aof_seldb = -1;
    if srv.rdb.child.is_some() {
        srv.aof.scheduled = true;
        log_warning!("AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.");
    } else if srv.nesting > 1 {
        srv.aof.scheduled = true;
        log_warning!("AOF was enabled during a transaction. An AOF background was scheduled to start when possible.");
    } else {
        // a rewrite already running (BGREWRITEAOF with the AOF off) feeds no temp incr file
        if srv.aof.child.is_some() {
            log_warning!("AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.");
            kill_child(srv);
        }
        if rewrite_background(srv).is_err() {
            srv.aof.on = false;
            srv.aof.wait_rewrite = false;
            sync_feeding(srv);
            log_warning!("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
            return Err("Unable to turn on AOF. Check server logs.".into());
        }
    }
    srv.aof.last_fsync_ms = srv.mstime();
    if !srv.aof.last_write_ok {
        log_warning!("AOF reopen, just ignore the last error.");
        srv.aof.last_write_ok = true;
    }
    sync_feeding(srv);
    Ok(())
}

/// CONFIG SET appendonly no (and shutdown): write and fsync what is buffered, stop feeding,
/// stop a rewrite child.
pub fn stop(srv: &mut Server) {
    if !srv.aof.on {
        return;
    }
    flush(srv);
    if let Some(f) = srv.aof.file.take() {
        let _ = f.sync_data();
    }
    srv.aof.on = false;
    srv.aof.wait_rewrite = false;
    srv.aof.scheduled = false;
    srv.prop.aof_seldb = -1;
    kill_child(srv);
    srv.prop.aof_active = false;
    srv.prop.aof_buf.clear();
}

/// DEBUG LOADAOF: writes what is buffered, empties the databases, reads the manifest from disk
/// again (dropping the history files it lists), and loads the files it names in the loading
/// state, serving clients through `events` between chunks as the load at startup does. Nothing
/// of the replay reaches the AOF or the replicas. Err when there is nothing to load or the
/// files cannot be loaded (the reason is logged): Redis then exits.
pub fn debug_loadaof(srv: &mut Server, events: crate::persist::Events<'_>) -> Result<(), crate::persist::LoadFailed> {
    if srv.aof.on {
        flush(srv);
    }
    crate::persist::empty_data(srv, false);
    srv.aof.manifest = manifest_on_disk(srv)?;
    gc_history(srv);
    let manifest = srv.aof.manifest.clone();
    if manifest.base.is_none() && manifest.incrs.is_empty() {
        return Err(crate::persist::LoadFailed);
    }
    let d = dir(srv);
    let mut total = 0u64;
    for f in manifest.base.iter().chain(manifest.incrs.iter()) {
        match fs::metadata(d.join(&f.name)) {
            Ok(m) => total += m.len(),
            Err(e) => {
                log_warning!(
                    "Unable to obtain the AOF file {} length. stat: {}",
                    f.name,
                    crate::util::os_error_text(&e)
                );
                return Err(crate::persist::LoadFailed);
            }
        }
    }
    if total > 0 {
        let was_active = srv.prop.aof_active;
        let capture = srv.prop.capture.take();
        srv.prop.aof_active = false;
        let pending = srv.prop.pending.len();
        crate::persist::start_loading(srv, total);
        let r = load_files(srv, &manifest, events);
        crate::persist::stop_loading(srv);
        srv.prop.pending.truncate(pending);
        srv.prop.aof_active = was_active;
        srv.prop.capture = capture;
        r.map_err(|()| crate::persist::LoadFailed)?;
    }
    srv.dirty = 0;
    log_warning!("Append Only File loaded by DEBUG LOADAOF");
    Ok(())
}

/// The manifest in `appenddirname` as the files say (an empty one when there is no directory
/// or no manifest). Err when it cannot be parsed (logged).
fn manifest_on_disk(srv: &Server) -> Result<Manifest, crate::persist::LoadFailed> {
    let path = dir(srv).join(manifest_name(srv));
    match fs::read_to_string(&path) {
        Ok(text) => Manifest::parse_detailed(&text).map_err(|e| {
            e.log();
            crate::persist::LoadFailed
        }),
        Err(_) => Ok(Manifest::default()),
    }
}

/// Shutdown: flush and fsync the AOF.
pub fn shutdown(srv: &mut Server) {
    kill_child(srv);
    if srv.aof.on {
        log_notice!("Calling fsync() on the AOF file.");
        stop(srv);
    }
}

/// aof-disable-auto-gc turned off: the history files kept meanwhile go (from the manifest,
/// then from the disk).
pub fn gc_history(srv: &mut Server) {
    if srv.config.aof_disable_auto_gc || srv.aof.manifest.history.is_empty() || srv.aof.child.is_some() {
        return;
    }
    let mut m = srv.aof.manifest.clone();
    let removed = std::mem::take(&mut m.history);
    if let Err(e) = persist_manifest(srv, &m) {
        log_warning!("Can't persist the AOF manifest while removing history files: {}", e);
        return;
    }
    for h in removed {
        log_notice!("Removing the history file {} in the background", h.name);
        let _ = fs::remove_file(dir(srv).join(&h.name));
    }
    srv.aof.manifest = m;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manifest_round_trip_and_errors() {
        let text = "file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.3.incr.aof seq 3 type i\nfile appendonly.aof.4.incr.aof seq 4 type i\n";
        let m = Manifest::parse(text).unwrap();
        assert_eq!(m.base.as_ref().unwrap().seq, 2);
        assert_eq!(m.incrs.len(), 2);
        assert_eq!(m.history.len(), 1);
        assert_eq!(m.render(), text);
        assert!(Manifest::parse("file a seq 1 type b\nfile b seq 2 type b\n").is_err());
        assert!(Manifest::parse("file a seq 3 type i\nfile b seq 2 type i\n").is_err());
        assert!(Manifest::parse("file a seq x type i\n").is_err());
        assert!(Manifest::parse("file a seq 1 type z\n").is_err());
    }

    #[test]
    fn manifest_follows_redis_rules() {
        let err = |t: &str| Manifest::parse_detailed(t).unwrap_err().msg;
        assert_eq!(err(""), "Found an empty AOF manifest");
        assert_eq!(err("file a seq 1 type b\n\nfile b seq 2 type i\n"), "Invalid AOF manifest file format");
        assert_eq!(err("file a seq 1 type b"), "The AOF manifest file contains too long line");
        assert_eq!(
            err(&format!("file {} seq 1 type b\n", "x".repeat(1100))),
            "The AOF manifest file contains too long line"
        );
        assert_eq!(err("file a type b\n"), "Invalid AOF manifest file format");
        assert_eq!(err("file a seq 1 type b extra\n"), "Invalid AOF manifest file format");
        assert_eq!(err("filx a seq 1 type b\n"), "Invalid AOF manifest file format");
        assert_eq!(err("file dir/a seq 1 type b\n"), "File can't be a path, just a filename");
        assert_eq!(err("file a seq 1 type x\n"), "Unknown AOF file type");
        let e = Manifest::parse_detailed("# note\nfile a seq 1 type b\nfile b seq 0 type i\n").unwrap_err();
        assert_eq!(e.line, Some((3, "file b seq 0 type i".to_string())));
        // unknown keys are allowed; comments skipped; names with blanks are quoted
        let m = Manifest::parse("# c\nFILE a seq 1 TYPE b other x\nfile \"my file.aof\" seq 2 type i\n").unwrap();
        assert_eq!(m.incrs[0].name, "my file.aof");
        assert_eq!(m.render(), "file a seq 1 type b\nfile \"my file.aof\" seq 2 type i\n");
        assert_eq!(Manifest::parse(&m.render()).unwrap(), m);
    }

    #[test]
    fn incr_sequence_survives_an_empty_incr_list() {
        let mut m = Manifest::parse("file b seq 1 type b\nfile i4 seq 4 type i\n").unwrap();
        // a rewrite with the AOF off turns every incr file into history
        m.history = std::mem::take(&mut m.incrs);
        let f = m.push_new_incr(|seq| format!("i{seq}"));
        assert_eq!((f.seq, f.name.as_str()), (5, "i5"));
        assert_eq!(m.push_new_incr(|seq| format!("i{seq}")).seq, 6);
    }

    #[test]
    fn repeated_failures_hold_back_rewrites_with_a_growing_delay() {
        let mut t = crate::testing::TestServer::new("");
        let srv = &mut t.srv;
        srv.cached_ms = 1_000_000_000;
        srv.aof.consecutive_failures = 2;
        assert!(!rewrite_limited(srv));
        srv.aof.consecutive_failures = 3;
        // limited for one minute, then one attempt may run, then two minutes, four ...
        let mut delays = Vec::new();
        for _ in 0..8 {
            assert!(rewrite_limited(srv));
            delays.push(srv.aof.limit_delay_min);
            srv.cached_ms += srv.aof.limit_delay_min * 60_000 - 1000;
            assert!(rewrite_limited(srv), "still within the delay");
            srv.cached_ms += 1000;
            assert!(!rewrite_limited(srv), "the delay has passed");
        }
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 60, 60]);
        // a success (or a user's scheduled BGREWRITEAOF) clears the count and the delay
        srv.aof.consecutive_failures = 0;
        assert!(!rewrite_limited(srv));
        assert_eq!((srv.aof.limit_delay_min, srv.aof.limit_until_s), (0, 0));
    }

    #[test]
    fn commands_parse_and_torn_tails_are_found() {
        let data = b"*1\r\n$4\r\nPING\r\n*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$3\r\nGET";
        let mut pos = 0;
        assert_eq!(next_command(data, &mut pos).unwrap().unwrap().len(), 1);
        assert_eq!(next_command(data, &mut pos).unwrap().unwrap().len(), 3);
        let valid = pos;
        assert_eq!(next_command(data, &mut pos), Err(valid));
        let mut p = 0;
        assert_eq!(next_command(b"", &mut p), Ok(None));
        assert_eq!(next_command(b"garbage\r\n", &mut p), Err(0));
        let mut p = 0;
        let annotated = b"#TS:1700000000\r\n*1\r\n$4\r\nPING\r\n#TS:1700000001\r\n";
        assert_eq!(next_command(annotated, &mut p).unwrap().unwrap().len(), 1);
        assert_eq!(next_command(annotated, &mut p), Ok(None));
    }
}
