//! Shared by the `propagation_*` tests: RESP encoding and reading, parsing a replication stream
//! into commands, normalizing clock-derived times, and `Reference`, a real redis-server 7.0.15
//! whose replication stream is read as a replica reads it (inline SYNC, the RDB payload
//! skipped). Each test file compares what vireo's `TestServer` propagates with it.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

// ------------------------------------------------------------------------------------------
// RESP helpers

pub fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Reads one complete reply, returning its raw bytes.
pub fn read_reply(r: &mut impl BufRead) -> Vec<u8> {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).expect("read reply");
    assert!(line.ends_with(b"\r\n"), "truncated reply line {:?}", String::from_utf8_lossy(&line));
    let head = String::from_utf8_lossy(&line[1..line.len() - 2]).to_string();
    let mut out = line.clone();
    match line[0] {
        b'$' | b'=' | b'!' => {
            let n: i64 = head.parse().unwrap();
            if n >= 0 {
                let mut body = vec![0u8; n as usize + 2];
                r.read_exact(&mut body).unwrap();
                out.extend_from_slice(&body);
            }
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let mut n: i64 = head.parse().unwrap();
            if matches!(line[0], b'%' | b'|') {
                n *= 2;
            }
            for _ in 0..n.max(0) {
                out.extend(read_reply(r));
            }
        }
        _ => {}
    }
    out
}

/// Splits a replication stream into commands (each a list of arguments).
pub fn parse_stream(mut b: &[u8]) -> Vec<Vec<Vec<u8>>> {
    fn line<'a>(b: &mut &'a [u8]) -> &'a [u8] {
        let i = b.windows(2).position(|w| w == b"\r\n").expect("complete line");
        let l = &b[..i];
        *b = &b[i + 2..];
        l
    }
    let mut cmds = Vec::new();
    while !b.is_empty() {
        assert_eq!(b[0], b'*', "stream must hold multibulk commands: {:?}", String::from_utf8_lossy(b));
        let n: usize = std::str::from_utf8(&line(&mut b)[1..]).unwrap().parse().unwrap();
        let mut argv = Vec::new();
        for _ in 0..n {
            let h = line(&mut b);
            assert_eq!(h[0], b'$');
            let len: usize = std::str::from_utf8(&h[1..]).unwrap().parse().unwrap();
            argv.push(b[..len].to_vec());
            b = &b[len + 2..];
        }
        cmds.push(argv);
    }
    cmds
}

pub fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Replaces absolute times that were computed from a relative TTL (within 100 days of `t0`) by
/// their distance from `t0` in whole minutes; the commands below use relative TTLs that are
/// multiples of a minute, and the run takes far less than 30 seconds. Times written in the
/// commands themselves (year 2100, or 1 ms) are kept as they are.
pub fn normalize(cmds: Vec<Vec<Vec<u8>>>, t0: i64) -> Vec<String> {
    let rel = |a: &[u8]| -> Option<String> {
        let v: i64 = std::str::from_utf8(a).ok()?.parse().ok()?;
        let d = v - t0;
        (d.abs() < 100 * 86_400_000).then(|| format!("<now{:+}min>", (d as f64 / 60_000.0).round() as i64))
    };
    cmds.into_iter()
        .map(|argv| {
            let name = String::from_utf8_lossy(&argv[0]).to_ascii_uppercase();
            let parts: Vec<String> = argv
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let after_pxat = i > 0 && argv[i - 1].eq_ignore_ascii_case(b"PXAT") && name == "SET";
                    let pexpireat_time = name == "PEXPIREAT" && i == 2;
                    if after_pxat || pexpireat_time {
                        if let Some(r) = rel(a) {
                            return r;
                        }
                    }
                    String::from_utf8_lossy(a).into_owned()
                })
                .collect();
            parts.join(" ")
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// The reference server and its replication stream

pub struct Reference {
    child: Child,
    dir: std::path::PathBuf,
    client: BufReader<TcpStream>,
    replica: BufReader<TcpStream>,
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Reference {
    pub fn start(extra: &[&str]) -> Reference {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("vireo-prop-{}-{}", std::process::id(), port));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--repl-diskless-sync", "no", "--repl-ping-replica-period", "3600", "--enable-debug-command", "yes"])
            .args(extra)
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the reference redis-server 7.0.15 must be installed");
        let deadline = Instant::now() + Duration::from_secs(10);
        let connect = || loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => {
                    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                    return BufReader::new(s);
                }
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("reference redis-server did not start: {e}"),
            }
        };
        let client = connect();
        let mut replica = connect();
        // an old-style replica: the master answers with the RDB payload, preceded by newlines
        // sent as keep-alives while it is being produced, then streams commands
        replica.get_mut().write_all(b"SYNC\r\n").unwrap();
        loop {
            let mut line = Vec::new();
            replica.read_until(b'\n', &mut line).unwrap();
            if line == b"\n" {
                continue;
            }
            assert_eq!(line[0], b'$', "unexpected SYNC answer {:?}", String::from_utf8_lossy(&line));
            let len: usize = std::str::from_utf8(&line[1..line.len() - 2]).unwrap().parse().unwrap();
            let mut rdb = vec![0u8; len];
            replica.read_exact(&mut rdb).unwrap();
            assert!(rdb.starts_with(b"REDIS"), "RDB payload expected");
            break;
        }
        let mut r = Reference { child, dir, client, replica };
        // no background expiry: keys expire only when the commands touch them, as in-process
        assert_eq!(r.exec(&[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0"]), b"+OK\r\n");
        r
    }

    pub fn exec(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.client.get_mut().write_all(&encode(args)).unwrap();
        read_reply(&mut self.client)
    }

    /// Everything propagated up to and including the marker command, marker excluded, with
    /// the master's PINGs removed.
    pub fn stream_until(&mut self, marker: &[&[u8]]) -> Vec<Vec<Vec<u8>>> {
        let want: Vec<Vec<u8>> = marker.iter().map(|a| a.to_vec()).collect();
        let mut cmds = Vec::new();
        loop {
            let raw = read_reply(&mut self.replica);
            let argv = parse_stream(&raw).pop().unwrap();
            if argv == want {
                return cmds;
            }
            if argv.len() == 1 && argv[0].eq_ignore_ascii_case(b"PING") {
                continue;
            }
            cmds.push(argv);
        }
    }
}

// ------------------------------------------------------------------------------------------
// The scenario

pub const MARKER: &[&[u8]] = &[b"SET", b"prop:end", b"1"];
