//! Shared helpers of the `runtime_*` end-to-end tests: starting vireo and the reference
//! redis-server 7.0.15 side by side with the same arguments, a blocking unix-socket connection
//! that returns exact reply bytes (testkit's `RawConn` is TCP only), Redis log-line parsing,
//! INFO field lookup and polling with a generous deadline. It knows nothing of vireo's internals.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};
use vireo_testkit::{encode_cmd, parse_reply, reply_len, repr, RawConn, ServerBuilder, ServerProcess};

pub const VIREO: &str = env!("CARGO_BIN_EXE_vireo-server");

/// A builder for vireo.
pub fn vireo() -> ServerBuilder {
    ServerBuilder::with_binary(VIREO).name("vireo")
}

/// A builder for the reference redis-server.
pub fn redis() -> ServerBuilder {
    ServerBuilder::redis()
}

/// Both builders, vireo first, with the same extra arguments.
pub fn builders(args: &[&str]) -> [ServerBuilder; 2] {
    [vireo().args(args.iter().copied()), redis().args(args.iter().copied())]
}

/// vireo and redis started with the same arguments (vireo first).
pub fn both(args: &[&str]) -> [ServerProcess; 2] {
    let [v, r] = builders(args);
    [v.start(), r.start()]
}

/// Polls `f` every 10 ms until it holds or `timeout` passes; returns whether it held.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if f() {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The value of `field` in `INFO <section>` as text.
pub fn info_field(c: &mut RawConn, section: &str, field: &str) -> String {
    let info = c.cmd_parsed(&["INFO", section]);
    let text = info.as_str().unwrap_or_else(|| panic!("INFO {section} returned {info:?}")).to_string();
    field_of(&text, field).unwrap_or_else(|| panic!("no {field} in INFO {section}:\n{text}"))
}

/// `field:value` lookup in INFO text.
pub fn field_of(info: &str, field: &str) -> Option<String> {
    info.lines().find_map(|l| l.strip_prefix(field).and_then(|r| r.strip_prefix(':')).map(|v| v.trim().to_string()))
}

/// `key=value` lookup in a CLIENT LIST/INFO line.
pub fn client_field<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    line.split(' ').find_map(|kv| kv.strip_prefix(key).and_then(|r| r.strip_prefix('=')))
}

/// A connection to a server that answers on a unix socket.
pub struct UnixConn {
    stream: UnixStream,
    buf: Vec<u8>,
}

impl UnixConn {
    pub fn connect(path: &Path) -> std::io::Result<UnixConn> {
        let stream = UnixStream::connect(path)?;
        stream.set_read_timeout(Some(Duration::from_secs(10)))?;
        Ok(UnixConn { stream, buf: Vec::new() })
    }

    pub fn send(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("writing to the unix socket");
    }

    pub fn read_reply(&mut self) -> Vec<u8> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match reply_len(&self.buf) {
                Ok(Some(n)) => return self.buf.drain(..n).collect(),
                Ok(None) => {}
                Err(e) => panic!("malformed reply {e}: {}", repr(&self.buf)),
            }
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("unix connection closed; got {}", repr(&self.buf)),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) => panic!("reading from the unix socket: {e}; got {}", repr(&self.buf)),
            }
        }
    }

    pub fn cmd(&mut self, args: &[&str]) -> Vec<u8> {
        self.send(&encode_cmd(args));
        self.read_reply()
    }

    /// A reply that must be text (bulk, verbatim or simple string).
    pub fn cmd_text(&mut self, args: &[&str]) -> String {
        let r = parse_reply(&self.cmd(args));
        r.as_str().unwrap_or_else(|| panic!("{args:?} returned {r:?}")).to_string()
    }
}

/// One line of a Redis-format log: `pid:role dd Mon yyyy HH:MM:SS.mmm <level> message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogLine {
    pub pid: u32,
    pub role: char,
    pub level: char,
    pub msg: String,
}

/// Parses a log line in Redis's format, checking the timestamp's shape; `None` for other lines
/// (the ASCII logo, blank lines).
pub fn parse_log_line(l: &str) -> Option<LogLine> {
    let (pid, rest) = l.split_once(':')?;
    let pid: u32 = pid.parse().ok()?;
    let b = rest.as_bytes();
    // "M 25 Nov 2026 10:48:42.196 * msg"
    if b.len() < 29 || b[1] != b' ' || b[26] != b' ' || b[28] != b' ' {
        return None;
    }
    let role = b[0] as char;
    let ts = &rest[2..26];
    let tb = ts.as_bytes();
    let digits = |r: std::ops::Range<usize>| tb[r].iter().all(|c| c.is_ascii_digit());
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let shape = digits(0..2)
        && tb[2] == b' '
        && months.contains(&&ts[3..6])
        && tb[6] == b' '
        && digits(7..11)
        && tb[11] == b' '
        && digits(12..14)
        && tb[14] == b':'
        && digits(15..17)
        && tb[17] == b':'
        && digits(18..20)
        && tb[20] == b'.'
        && digits(21..24);
    let level = b[27] as char;
    if !shape || !".-*#".contains(level) || !"MSCX".contains(role) {
        return None;
    }
    Some(LogLine { pid, role, level, msg: rest[29..].to_string() })
}

/// The parsed log lines of a text.
pub fn log_lines(text: &str) -> Vec<LogLine> {
    text.lines().filter_map(parse_log_line).collect()
}

/// Whether some log line's message starts with `prefix` (at the given level mark).
pub fn has_log(text: &str, level: char, prefix: &str) -> bool {
    log_lines(text).iter().any(|l| l.level == level && l.msg.starts_with(prefix))
}

/// Waits until the server's log has a line starting with `prefix`.
pub fn wait_log(s: &ServerProcess, level: char, prefix: &str) -> bool {
    wait_until(Duration::from_secs(10), || has_log(&s.log(), level, prefix))
}

/// The exit code of a server that was expected to exit by itself within 10 s.
pub fn exit_code(s: &ServerProcess) -> Option<i32> {
    s.wait_exit(Duration::from_secs(10)).unwrap_or_else(|| panic!("{} did not exit", s.name())).code()
}
