//! The file checkers behind `vireo-check-rdb` and `vireo-check-aof`, reporting in the words and
//! layout of redis-check-rdb and redis-check-aof 7.0 so that scripts reading either tool's
//! output work with both: the RDB walk (AUX fields and databases with the offset reached after
//! each, the checksum, the key counts), and the AOF walk (a manifest's base and incr files in
//! order, or one old-style file; an RDB preamble checked first; RESP commands read with the
//! same line counter across every file, MULTI/EXEC pairing, `#` annotations; --fix cutting a
//! torn tail of the last file after asking; --truncate-to-timestamp cutting at the first newer
//! `#TS:` annotation). It reads files and prints to stdout; it knows nothing of servers.

use crate::aof::Manifest;
use std::fs::{self, File};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use vireo_keyspace::types::Limits;
use vireo_rdb::file::{Item, Reader};

/// The checkers stop with this exit status (after printing why).
pub struct Exit(pub u8);

/// Walks an RDB stream from its start, printing redis-check-rdb's lines under `name`; returns
/// the offset just past the checksum when the file is sane, None when it is damaged. `crc_is_zero` tells, given that
/// offset, whether the stored checksum is 0 (written with rdbchecksum no: nothing to verify).
pub fn check_rdb<R: Read>(name: &str, r: R, crc_is_zero: impl FnOnce(u64) -> bool) -> Option<u64> {
    println!("[offset 0] Checking RDB file {name}");
    let (mut expires, mut already_expired) = (0u64, 0u64);
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    // where the reading was when it stopped: redis-check-rdb's "While doing" and the key
    // and type lines; "start" while the header is read
    let mut progress = vireo_rdb::file::Progress { doing: "start", key: None, key_type: 0, keys: 0 };
    let result = (|| -> Result<u64, vireo_rdb::Error> {
        let mut r = Reader::open(r, Limits::default())?;
        loop {
            let item = r.next_item();
            progress = r.progress.clone();
            let item = item?;
            // Redis reports each record with the offset reached once it is read
            let at = r.offset();
            match item {
                Item::Aux { key, value } => println!(
                    "[offset {at}] AUX FIELD {} = '{}'",
                    String::from_utf8_lossy(&key),
                    String::from_utf8_lossy(&value)
                ),
                Item::SelectDb(n) => println!("[offset {at}] Selecting DB ID {n}"),
                Item::ResizeDb { .. } | Item::Function(_) => {}
                Item::Key { expire_ms, .. } => {
                    if let Some(t) = expire_ms {
                        expires += 1;
                        if t < now {
                            already_expired += 1;
                        }
                    }
                }
                Item::End => return Ok(at),
            }
        }
    })();
    let counts = || {
        println!("[info] {} keys read", progress.keys);
        println!("[info] {expires} expires");
        println!("[info] {already_expired} already expired");
    };
    match result {
        Ok(end) => {
            if crc_is_zero(end) {
                println!("[offset {end}] RDB file was saved with checksum disabled: no check performed.");
            } else {
                println!("[offset {end}] Checksum OK");
            }
            println!("[offset {end}] \\o/ RDB looks OK! \\o/");
            counts();
            Some(end)
        }
        Err(e) => {
            println!("--- RDB ERROR DETECTED ---");
            match &e {
                vireo_rdb::Error::Truncated { offset } => println!("[offset {offset}] Unexpected EOF reading RDB file"),
                vireo_rdb::Error::Corrupt { offset, what } => println!("[offset {offset}] {what}"),
                vireo_rdb::Error::Io(err) => println!("[offset 0] {err}"),
            }
            println!("[additional info] While doing: {}", progress.doing);
            if let Some(k) = &progress.key {
                println!("[additional info] Reading key '{}'", String::from_utf8_lossy(k));
            }
            if progress.key_type != -1 {
                println!(
                    "[additional info] Reading type {} ({})",
                    progress.key_type,
                    vireo_rdb::file::type_name(progress.key_type)
                );
            }
            counts();
            // Redis logs this after a corruption report (not after a plain end of file)
            if matches!(e, vireo_rdb::Error::Corrupt { .. }) {
                crate::log::set_role(b'C');
                crate::log_warning!("Terminating server after rdb file reading failure.");
            }
            None
        }
    }
}

/// vireo-check-rdb's whole run.
pub fn check_rdb_file(path: &str) -> Result<(), Exit> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            println!("[offset 0] Checking RDB file {path}");
            println!("--- RDB ERROR DETECTED ---");
            println!("[offset 0] Can't open file: {}", crate::util::os_error_text(&e));
            return Err(Exit(1));
        }
    };
    let zero_crc = |end: u64| {
        let mut crc = [0u8; 8];
        end >= 8
            && File::open(path)
                .and_then(|mut f| f.seek(SeekFrom::Start(end - 8)).and_then(|_| f.read_exact(&mut crc)))
                .is_ok()
            && crc == [0; 8]
    };
    check_rdb(path, BufReader::with_capacity(1 << 16, f), zero_crc).map(|_| ()).ok_or(Exit(1))
}

/// How one AOF file came out.
enum Outcome {
    Valid,
    Empty,
    Truncated,
    TruncatedToTimestamp,
}

/// The AOF checker's state; the line counter and the error position run on across files, as
/// redis-check-aof counts them.
pub struct AofCheck {
    pub fix: bool,
    /// --truncate-to-timestamp (0 = off).
    pub to_timestamp: i64,
    line: u64,
    epos: u64,
    error: String,
}

/// Where a RESP read stopped short of a whole command.
enum Stop {
    /// Clean end of the data.
    Eof,
    /// Damage; the message is in `error`.
    Bad,
}

/// `strtol` over `s`: leading blanks, a sign, digits; returns the value and the bytes used.
fn strtol(s: &[u8]) -> (i64, usize) {
    let mut i = s.iter().take_while(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r')).count();
    let neg = match s.get(i) {
        Some(b'-') => {
            i += 1;
            true
        }
        Some(b'+') => {
            i += 1;
            false
        }
        _ => false,
    };
    let start = i;
    let mut n: i64 = 0;
    while let Some(d) = s.get(i).filter(|c| c.is_ascii_digit()) {
        n = n.saturating_mul(10).saturating_add((d - b'0') as i64);
        i += 1;
    }
    if i == start {
        return (0, 0);
    }
    (if neg { -n } else { n }, i)
}

/// Up to `max - 1` bytes through the next newline (what `fgets` with a `max` buffer returns).
fn fgets(data: &[u8], pos: usize, max: usize) -> Option<&[u8]> {
    if pos >= data.len() {
        return None;
    }
    let rest = &data[pos..];
    let cap = rest.len().min(max - 1);
    let end = rest[..cap].iter().position(|&b| b == b'\n').map_or(cap, |i| i + 1);
    Some(&rest[..end])
}

impl AofCheck {
    pub fn new(fix: bool, to_timestamp: i64) -> AofCheck {
        AofCheck { fix, to_timestamp, line: 1, epos: 0, error: String::new() }
    }

    fn fail(&mut self, msg: String) -> Stop {
        self.error = format!("0x{:16x}: {}", self.epos, msg);
        Stop::Bad
    }

    /// `\r\n` expected at `b`; counts a line.
    fn newline(&mut self, b: &[u8]) -> Result<(), Stop> {
        if b.len() >= 2 && &b[..2] == b"\r\n" {
            self.line += 1;
            return Ok(());
        }
        Err(self.fail(format!("Expected \\r\\n, got: {:02x}{:02x}", b[0], b[1])))
    }

    /// A `<prefix><number>\r\n` header line.
    fn long(&mut self, data: &[u8], pos: &mut usize, prefix: u8) -> Result<i64, Stop> {
        self.epos = *pos as u64;
        let Some(l) = fgets(data, *pos, 128) else { return Err(Stop::Eof) };
        *pos += l.len();
        if l[0] != prefix {
            return Err(self.fail(format!("Expected prefix '{}', got: '{}'", prefix as char, l[0] as char)));
        }
        let (n, used) = strtol(&l[1..]);
        // a header cut short: the bytes past its end read as NULs
        let rest = &l[1 + used..];
        let two = [rest.first().copied().unwrap_or(0), rest.get(1).copied().unwrap_or(0)];
        self.newline(&two)?;
        Ok(n)
    }

    /// One command; tracks MULTI/EXEC nesting in `multi`.
    fn command(&mut self, data: &[u8], pos: &mut usize, multi: &mut i64, path: &str) -> Result<(), Stop> {
        let argc = self.long(data, pos, b'*')?;
        for i in 0..argc.max(0) {
            let len = self.long(data, pos, b'$')?;
            if !(0..=i64::MAX - 2).contains(&len) {
                return Err(
                    self.fail(format!("Expected to read string of {len} bytes, which is not in the suitable range"))
                );
            }
            let want = len as u64 + 2;
            self.epos = *pos as u64;
            let have = (data.len() - *pos) as u64;
            if have < want {
                *pos = data.len();
                return Err(self.fail(format!("Expected to read {want} bytes, got {have} bytes")));
            }
            let s = &data[*pos..*pos + len as usize];
            *pos += want as usize;
            self.newline(&data[*pos - 2..*pos])?;
            if i == 0 {
                if s.eq_ignore_ascii_case(b"multi") {
                    *multi += 1;
                    if *multi > 1 {
                        return Err(self.fail(format!("Unexpected MULTI in AOF {path}")));
                    }
                } else if s.eq_ignore_ascii_case(b"exec") {
                    *multi -= 1;
                    if *multi != 0 {
                        return Err(self.fail(format!("Unexpected EXEC in AOF {path}")));
                    }
                }
            }
        }
        Ok(())
    }

    /// A `#` line: with --truncate-to-timestamp, the first `#TS:` newer than the limit cuts
    /// the file there. Ok(false) when the file was cut.
    fn annotation(&mut self, data: &[u8], pos: &mut usize, path: &str, last: bool) -> Result<bool, Exit> {
        self.epos = *pos as u64;
        let Some(l) = fgets(data, *pos, 1024) else {
            println!("Failed to read annotations from AOF {path}, aborting...");
            return Err(Exit(1));
        };
        *pos += l.len();
        if self.to_timestamp == 0 || !l.starts_with(b"#TS:") {
            return Ok(true);
        }
        let (ts, used) = strtol(&l[4..]);
        if l.get(4 + used) != Some(&b'\r') {
            println!("Invalid timestamp annotation");
            return Err(Exit(1));
        }
        if ts <= self.to_timestamp {
            return Ok(true);
        }
        if self.epos == 0 {
            println!("AOF {path} has nothing before timestamp {}, aborting...", self.to_timestamp);
            return Err(Exit(1));
        }
        if !last {
            println!(
                "Failed to truncate AOF {path} to timestamp {} to offset {} because it is not the last file.",
                self.to_timestamp, self.epos
            );
            println!("If you insist, please delete all files after this file according to the manifest file and delete the corresponding records in manifest file manually. Then re-run redis-check-aof.");
            return Err(Exit(1));
        }
        if fs::OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(self.epos)).is_err() {
            println!("Failed to truncate AOF {path} to timestamp {}", self.to_timestamp);
            return Err(Exit(1));
        }
        Ok(false)
    }

    /// Checks one file (an old-style AOF, a base or an incr file); `name` is how reports name
    /// it, `path` where it is.
    fn check_single(&mut self, name: &str, path: &str, last: bool, preamble: bool) -> Result<Outcome, Exit> {
        let data = match fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                println!("Cannot open file {path}: {}, aborting...", crate::util::os_error_text(&e));
                return Err(Exit(1));
            }
        };
        if data.is_empty() {
            return Ok(Outcome::Empty);
        }
        let mut cur = 0usize;
        if preamble {
            let crc_zero = |end: u64| end >= 8 && data.get(end as usize - 8..end as usize) == Some(&[0u8; 8][..]);
            match check_rdb(name, &data[..], crc_zero) {
                Some(end) => {
                    println!("RDB preamble is OK, proceeding with AOF tail...");
                    cur = end as usize;
                }
                None => {
                    println!("RDB preamble of AOF file is not sane, aborting.");
                    return Err(Exit(1));
                }
            }
        }
        let mut multi = 0i64;
        let mut pos = cur;
        let mut at_eof = false;
        self.error.clear();
        loop {
            if multi == 0 {
                pos = cur;
            }
            match data.get(cur) {
                None => {
                    at_eof = true;
                    break;
                }
                Some(b'#') => {
                    if !self.annotation(&data, &mut cur, path, last)? {
                        return Ok(Outcome::TruncatedToTimestamp);
                    }
                }
                Some(b'*') => match self.command(&data, &mut cur, &mut multi, path) {
                    Ok(()) => {}
                    Err(Stop::Eof) => {
                        at_eof = true;
                        break;
                    }
                    Err(Stop::Bad) => break,
                },
                Some(_) => {
                    println!("AOF {name} format error");
                    break;
                }
            }
        }
        if at_eof && multi != 0 && self.error.is_empty() {
            self.fail("Reached EOF before reading EXEC for MULTI".to_string());
        }
        if !self.error.is_empty() {
            println!("{}", self.error);
        }
        let size = data.len();
        let diff = size - pos;
        if diff == 0 && self.to_timestamp != 0 {
            println!("Truncate nothing in AOF {name} to timestamp {}", self.to_timestamp);
            return Ok(Outcome::Valid);
        }
        println!(
            "AOF analyzed: filename={name}, size={size}, ok_up_to={pos}, ok_up_to_line={}, diff={diff}",
            self.line
        );
        if diff == 0 {
            return Ok(Outcome::Valid);
        }
        if !self.fix {
            println!("AOF {name} is not valid. Use the --fix option to try fixing it.");
            return Err(Exit(1));
        }
        if !last {
            println!("Failed to truncate AOF {name} because it is not the last file");
            return Err(Exit(1));
        }
        println!("This will shrink the AOF {name} from {size} bytes, with {diff} bytes, to {pos} bytes");
        print!("Continue? [y/N]: ");
        let _ = io::stdout().flush();
        let mut answer = String::new();
        let _ = io::stdin().lock().read_line(&mut answer);
        if !answer.starts_with(['y', 'Y']) {
            println!("Aborting...");
            return Err(Exit(1));
        }
        if fs::OpenOptions::new().write(true).open(path).and_then(|f| f.set_len(pos as u64)).is_err() {
            println!("Failed to truncate AOF {name}");
            return Err(Exit(1));
        }
        Ok(Outcome::Truncated)
    }

    /// The line printed after a file of the manifest (or the old-style file) was checked.
    fn report(&self, kind: &str, name: &str, o: Outcome) {
        match o {
            Outcome::Valid => println!("{kind}AOF {name} is valid"),
            Outcome::Empty => println!("{kind}AOF {name} is empty"),
            Outcome::Truncated => println!("Successfully truncated AOF {name}"),
            Outcome::TruncatedToTimestamp => {
                println!("Successfully truncated AOF {name} to timestamp {}", self.to_timestamp)
            }
        }
    }

    /// Checks the files a manifest names: the base, then every incr file in order.
    pub fn check_multi_part(&mut self, dir: &Path, manifest: &Path) -> Result<(), Exit> {
        println!("Start checking Multi Part AOF");
        let text = fs::read(manifest).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
        let m = match Manifest::parse_detailed(&text) {
            Ok(m) => m,
            Err(e) => {
                crate::log::set_role(b'C');
                e.log();
                return Err(Exit(1));
            }
        };
        let total = m.base.iter().count() + m.incrs.len();
        let mut n = 0;
        let path_of = |name: &str| dir.join(name).to_string_lossy().into_owned();
        if let Some(b) = &m.base {
            n += 1;
            let path = path_of(&b.name);
            let rdb = file_is_rdb(&path)?;
            println!("Start to check BASE AOF ({} format).", if rdb { "RDB" } else { "RESP" });
            let o = self.check_single(&b.name, &path, n == total, rdb)?;
            self.report("BASE ", &b.name, o);
        }
        if !m.incrs.is_empty() {
            println!("Start to check INCR files.");
            for inc in &m.incrs {
                n += 1;
                let o = self.check_single(&inc.name, &path_of(&inc.name), n == total, false)?;
                self.report("INCR ", &inc.name, o);
            }
        }
        println!("All AOF files and manifest are valid");
        Ok(())
    }

    /// Checks a pre-7.0 single AOF file (with or without an RDB preamble).
    pub fn check_old_style(&mut self, path: &str) -> Result<(), Exit> {
        println!("Start checking Old-Style AOF");
        let rdb = file_is_rdb(path)?;
        let o = self.check_single(path, path, true, rdb)?;
        self.report("", path, o);
        Ok(())
    }
}

/// Whether a file starts with an RDB header (at least 8 bytes, `REDIS` magic).
fn file_is_rdb(path: &str) -> Result<bool, Exit> {
    let mut f = match File::open(path) {
        Ok(f) => f,
        Err(e) => {
            println!("Cannot open file {path}: {}", crate::util::os_error_text(&e));
            return Err(Exit(1));
        }
    };
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut magic = [0u8; 5];
    Ok(size >= 8 && f.read_exact(&mut magic).is_ok() && &magic == b"REDIS")
}

/// Whether a file reads as a manifest: some line, not a comment, starting with `file`.
fn file_is_manifest(path: &str) -> Result<bool, Exit> {
    let data = match fs::read(path) {
        Ok(d) => d,
        Err(e) => {
            println!("Cannot open file {path}: {}", crate::util::os_error_text(&e));
            return Err(Exit(1));
        }
    };
    Ok(data.split(|&b| b == b'\n').any(|l| l.first() != Some(&b'#') && l.starts_with(b"file")))
}

/// vireo-check-aof's whole run over its arguments (program name excluded).
pub fn check_aof_main(prog: &str, args: &[String]) -> Result<(), Exit> {
    let usage = || {
        println!("Usage: {prog} [--fix|--truncate-to-timestamp $timestamp] <file.manifest|file.aof>");
        Exit(1)
    };
    let (path, fix, ts) = match args {
        [p] => (p.clone(), false, 0),
        [f, p] if f == "--fix" => (p.clone(), true, 0),
        [t, v, p] if t == "--truncate-to-timestamp" => {
            let (n, used) = strtol(v.as_bytes());
            if used != v.len() || v.is_empty() {
                println!("Invalid timestamp, aborting...");
                return Err(Exit(1));
            }
            (p.clone(), false, n)
        }
        _ => return Err(usage()),
    };
    let mut check = AofCheck::new(fix, ts);
    if file_is_manifest(&path)? {
        let dir = match Path::new(&path).parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        check.check_multi_part(&dir, Path::new(&path))
    } else {
        check.check_old_style(&path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strtol_and_fgets_follow_c() {
        assert_eq!(strtol(b"12\r\n"), (12, 2));
        assert_eq!(strtol(b" -3x"), (-3, 3));
        assert_eq!(strtol(b"x"), (0, 0));
        assert_eq!(fgets(b"ab\ncd", 0, 128), Some(&b"ab\n"[..]));
        assert_eq!(fgets(b"abcd", 0, 3), Some(&b"ab"[..]));
        assert_eq!(fgets(b"ab", 2, 128), None);
    }

    #[test]
    fn lines_and_positions_run_as_redis_counts_them() {
        let mut c = AofCheck::new(false, 0);
        let data = b"*1\r\n$5\r\nMULTI\r\n*1\r\n$4\r\nPING\r\n";
        let (mut pos, mut multi) = (0, 0);
        assert!(c.command(data, &mut pos, &mut multi, "f").is_ok());
        assert!(c.command(data, &mut pos, &mut multi, "f").is_ok());
        assert_eq!((multi, c.line, c.epos), (1, 7, 23));
        assert!(matches!(c.command(data, &mut pos, &mut multi, "f"), Err(Stop::Eof)));
        let mut c = AofCheck::new(false, 0);
        let (mut pos, mut multi) = (0, 0);
        assert!(matches!(c.command(b"*1\r\n$9\r\nab", &mut pos, &mut multi, "f"), Err(Stop::Bad)));
        assert_eq!(c.error, format!("0x{:16x}: Expected to read 11 bytes, got 2 bytes", 8));
    }
}
