//! Differential tests of the request decoder against the reference redis-server 7.0.15: the same
//! raw bytes are sent to a real server (over a unix socket, one connection per case) and run
//! through our parser; the replies Redis sends must be exactly those our parse predicts
//! (protocol error texts included). Skipped, with a printed note, when /usr/bin/redis-server
//! is absent.

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bytes::{Bytes, BytesMut};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use vireo_resp::{Limits, Parsed, ReplyBuf, RequestParser};

const REDIS: &str = "/usr/bin/redis-server";

struct Redis {
    child: Child,
    sock: PathBuf,
    dir: PathBuf,
}

impl Redis {
    fn start(tag: &str, extra: &[&str]) -> Option<Redis> {
        if !Path::new(REDIS).exists() {
            eprintln!("note: {REDIS} is absent; skipping the comparison with the reference server");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("vireo-resp-wire-{}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let sock = dir.join("redis.sock");
        let child = Command::new(REDIS)
            .args(["--port", "0", "--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--unixsocket")
            .arg(&sock)
            .arg("--dir")
            .arg(&dir)
            .args(["--logfile", "redis.log"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn redis-server");
        let r = Redis { child, sock, dir };
        let deadline = Instant::now() + Duration::from_secs(10);
        while UnixStream::connect(&r.sock).is_err() {
            assert!(Instant::now() < deadline, "redis-server did not start");
            std::thread::sleep(Duration::from_millis(20));
        }
        Some(r)
    }

    /// Sends `payload`, half-closes, and returns everything the server sends until it closes.
    fn exchange(&self, payload: &[u8]) -> Vec<u8> {
        let mut s = UnixStream::connect(&self.sock).expect("connect");
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        // The server may close early (protocol error) while we are still writing: ignore.
        let _ = s.write_all(payload);
        let _ = s.shutdown(std::net::Shutdown::Write);
        let mut out = Vec::new();
        if let Err(e) = s.read_to_end(&mut out) {
            assert!(e.kind() != std::io::ErrorKind::WouldBlock, "server kept the connection open");
        }
        out
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// One expected reply.
enum Expect {
    Exact(Vec<u8>),
    /// `-ERR unknown command '...'` (its quoting of arbitrary bytes is not this crate's job).
    UnknownCommand,
}

/// What Redis must answer to `payload` if it decodes it as our parser does. Every command
/// is treated as ECHO (the only command the generators produce) or as unknown.
fn predict(payload: &[u8], authenticated: bool) -> Vec<Expect> {
    let limits = Limits { authenticated, ..Limits::default() };
    let mut p = RequestParser::new();
    let mut buf = BytesMut::from(payload);
    let mut argv: Vec<Bytes> = Vec::new();
    let mut out = Vec::new();
    loop {
        match p.parse(&mut buf, &mut argv, &limits) {
            Ok(Parsed::Command) => {
                let mut r = ReplyBuf::default();
                if !argv[0].eq_ignore_ascii_case(b"echo") {
                    out.push(Expect::UnknownCommand);
                    continue;
                }
                if argv.len() != 2 {
                    r.error("ERR wrong number of arguments for 'echo' command");
                } else if !authenticated {
                    r.error("NOAUTH Authentication required.");
                } else {
                    r.bulk(&argv[1]);
                }
                out.push(Expect::Exact(r.buf));
            }
            Ok(Parsed::Nothing) => {}
            Ok(Parsed::NeedMore) => return out,
            Err(e) => {
                // Redis writes the byte of "got '%c'" raw: chars here are U+0000..U+00FF.
                let mut line = b"-ERR Protocol error: ".to_vec();
                line.extend(e.0.chars().map(|c| c as u32 as u8));
                line.extend_from_slice(b"\r\n");
                out.push(Expect::Exact(line));
                return out;
            }
        }
    }
}

impl std::fmt::Debug for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Exact(b) => write!(f, "{:?}", String::from_utf8_lossy(b)),
            Expect::UnknownCommand => write!(f, "-ERR unknown command ..."),
        }
    }
}

fn check(reply: &[u8], expected: &[Expect]) -> Result<(), String> {
    let mut at = 0;
    for e in expected {
        let rest = &reply[at..];
        match e {
            Expect::Exact(b) if rest.starts_with(b) => at += b.len(),
            Expect::UnknownCommand if rest.starts_with(b"-ERR unknown command '") => {
                let end = rest.windows(2).position(|w| w == b"\r\n").ok_or("unterminated error")?;
                at += end + 2;
            }
            _ => return Err(format!("at byte {at}: expected {:?}, redis sent {:?}", e, String::from_utf8_lossy(rest))),
        }
    }
    if at != reply.len() {
        return Err(format!("redis sent more: {:?}", String::from_utf8_lossy(&reply[at..])));
    }
    Ok(())
}

fn compare(redis: &Redis, payload: &[u8], authenticated: bool) -> Result<(), String> {
    let reply = redis.exchange(payload);
    let expected = predict(payload, authenticated);
    check(&reply, &expected).map_err(|e| format!("payload {:?}: {e}", String::from_utf8_lossy(payload)))
}

fn fixed_cases() -> Vec<Vec<u8>> {
    let mut cases: Vec<Vec<u8>> = [
        &b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\n"[..],
        b"*abc\r\n",
        b"*\r\n",
        b"*01\r\n",
        b"*-0\r\n",
        b"*2147483648\r\n",
        b"*2147483647\r\n",
        b"*1073741825\r\n",
        b"*-9223372036854775808\r\n*-5\r\n*1\r\n$4\r\necho\r\n",
        b"*11\r\n",
        b"*10\r\n$4\r\nECHO\r\n",
        b"*0\r\n*-1\r\n*1\r\n$4\r\necho\r\n",
        b"*2\r\n$4\r\nECHO\r\nx3\r\nfoo\r\n",
        b"*2\r\n$4\r\nECHO\r\n\r\n",
        b"*2\r\n$4\r\nECHO\r\n\nabc\r\n",
        b"*2\r\n$4\r\nECHO\r\n\xff3\r\n",
        b"*2\r\n$4\r\nECHO\r\n$-1\r\n",
        b"*2\r\n$4\r\nECHO\r\n$01\r\n",
        b"*2\r\n$4\r\nECHO\r\n$\r\n",
        b"*2\r\n$4\r\nECHO\r\n$16385\r\n",
        b"*2\r\n$4\r\nECHO\r\n$536870913\r\n",
        b"*2\r\n$4\r\nECHO\r\n$3\r\nabcXY",
        b"*2\rX$4\rXECHO\rX$1\rXa\rX",
        b"ECHO \"a b\" \r\nECHO 'c\\'d'\nECHO \"\\x41\\x4\\q\"\r\n",
        b"ECHO \"unbalanced\r\n",
        b"ECHO \"a\"b\r\n",
        b"ECHO 'a'b\r\n",
        b"ECHO a\x0bb\r\n",
        b"\r\n\n  \r\nECHO x\r\r\n",
        b"ECHO x\0\r\n",
        b"*1\0\r\n",
    ]
    .iter()
    .map(|c| c.to_vec())
    .collect();
    // The 64 KiB limits, just under and just over.
    for over in [0usize, 1] {
        let mut inline = vec![b'a'; 64 * 1024 + over];
        cases.push(inline.clone());
        inline.truncate(10);
        inline.extend_from_slice(b"\0");
        inline.resize(64 * 1024 + over, b'b');
        cases.push(inline);
        let mut count = b"*".to_vec();
        count.resize(64 * 1024 + over, b'1');
        cases.push(count);
        let mut bulk = b"*2\r\n$4\r\nECHO\r\n$".to_vec();
        let start = bulk.len() - 1;
        bulk.resize(start + 64 * 1024 + over, b'1');
        cases.push(bulk);
    }
    // A long inline request that does end in a newline.
    let mut long = b"ECHO ".to_vec();
    long.resize(70_000, b'z');
    long.extend_from_slice(b"\r\n");
    cases.push(long);
    cases
}

#[test]
fn fixed_cases_match_redis() {
    let Some(open) = Redis::start("open", &[]) else { return };
    let Some(locked) = Redis::start("locked", &["--requirepass", "secret"]) else { return };
    let mut failures = Vec::new();
    for case in fixed_cases() {
        for (redis, authenticated) in [(&open, true), (&locked, false)] {
            if let Err(e) = compare(redis, &case, authenticated) {
                failures.push(format!("auth={authenticated}: {e}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn inline_line() -> impl Strategy<Value = Vec<u8>> {
    let alphabet = b"a \"'\\x4fn\t\r\x0b".to_vec();
    (proptest::collection::vec(proptest::sample::select(alphabet), 0..14), any::<bool>()).prop_map(|(body, crlf)| {
        let mut v = b"ECHO ".to_vec();
        v.extend(body);
        v.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        v
    })
}

fn multibulk_garbage() -> impl Strategy<Value = Vec<u8>> {
    let counts = proptest::sample::select(vec!["1", "2", "2", "3", "0", "-1", "01", "", "x", "12", "2147483648", " 2"]);
    let prefixes = proptest::sample::select(vec!["$", "$", "$", "$", "x", "\n", "", "\u{ff}"]);
    let lens = proptest::sample::select(vec!["4", "4", "1", "0", "3", "-1", "abc", "16385", "", "01"]);
    let ends = proptest::sample::select(vec!["\r\n", "\r\n", "\r\n", "\rX", "\n", "\0\r\n"]);
    let datas = proptest::sample::select(vec!["ECHO", "ECHO", "echo", "a", "", "abcd", "\r\n", "ab\0"]);
    (counts, proptest::collection::vec((prefixes, lens, ends.clone(), datas, ends), 0..4)).prop_map(|(count, elems)| {
        let mut v = format!("*{count}\r\n").into_bytes();
        for (p, l, e1, d, e2) in elems {
            v.extend(p.chars().map(|c| c as u32 as u8));
            v.extend_from_slice(l.as_bytes());
            v.extend_from_slice(e1.as_bytes());
            v.extend_from_slice(d.as_bytes());
            v.extend_from_slice(e2.as_bytes());
        }
        v
    })
}

fn well_formed_echo() -> impl Strategy<Value = Vec<u8>> {
    (proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..10), 1..4)).prop_map(|args| {
        let mut v = format!("*{}\r\n$4\r\nECHO\r\n", args.len() + 1).into_bytes();
        for a in args {
            v.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
            v.extend_from_slice(&a);
            v.extend_from_slice(b"\r\n");
        }
        v
    })
}

fn payload() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        3 => inline_line(),
        3 => multibulk_garbage(),
        2 => well_formed_echo(),
        1 => proptest::sample::select(vec![&b"\r\n"[..], b"*0\r\n", b"*-1\r\n", b"\n", b"\0", b"\xff"]).prop_map(|b| b.to_vec()),
    ];
    proptest::collection::vec(piece, 1..5).prop_map(|ps| ps.concat())
}

#[test]
fn random_payloads_match_redis() {
    let Some(open) = Redis::start("rand-open", &[]) else { return };
    let Some(locked) = Redis::start("rand-locked", &["--requirepass", "secret"]) else { return };
    let mut runner = TestRunner::new(Config { cases: 400, failure_persistence: None, ..Config::default() });
    let seen = std::cell::Cell::new((0usize, 0usize, 0usize));
    let result = runner.run(&(payload(), any::<bool>()), |(payload, authenticated)| {
        let redis = if authenticated { &open } else { &locked };
        let reply = redis.exchange(&payload);
        let (cases, protocol_errors, replies) = seen.get();
        let errs = reply.windows(15).filter(|w| w == b"Protocol error:").count();
        let lines = reply.windows(2).filter(|w| w == b"\r\n").count();
        seen.set((cases + 1, protocol_errors + errs, replies + lines));
        let expected = predict(&payload, authenticated);
        check(&reply, &expected)
            .map_err(|e| TestCaseError::fail(format!("payload {:?}: {e}", String::from_utf8_lossy(&payload))))
    });
    if let Err(e) = result {
        panic!("{e}");
    }
    let (cases, protocol_errors, lines) = seen.get();
    eprintln!("{cases} payloads compared: {protocol_errors} protocol errors, {lines} reply lines");
}
