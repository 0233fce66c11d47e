//! What the string commands propagate, compared with Redis 7.0.15. The same commands run on an
//! in-process vireo (`TestServer`, capturing its replication stream) and on a real
//! redis-server started on a free port, whose stream is read as a replica would read it (inline
//! `SYNC`, skip the RDB payload, then the command stream). Both streams are parsed into commands
//! and must be equal once absolute times derived from the clock (SET ... PXAT, PEXPIREAT after a
//! relative TTL) are normalized; replies must be equal byte for byte.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use vireo_server::testing::TestServer;

// ------------------------------------------------------------------------------------------
// RESP helpers

fn encode(args: &[&[u8]]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for a in args {
        out.extend_from_slice(format!("${}\r\n", a.len()).as_bytes());
        out.extend_from_slice(a);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Reads one complete reply, returning its raw bytes.
fn read_reply(r: &mut impl BufRead) -> Vec<u8> {
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
fn parse_stream(mut b: &[u8]) -> Vec<Vec<Vec<u8>>> {
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

fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_millis() as i64
}

/// Replaces absolute times that were computed from a relative TTL (within 100 days of `t0`) by
/// their distance from `t0` in whole minutes; the commands below use relative TTLs that are
/// multiples of a minute, and the run takes far less than 30 seconds. Times written in the
/// commands themselves (year 2100, or 1 ms) are kept as they are.
fn normalize(cmds: Vec<Vec<Vec<u8>>>, t0: i64) -> Vec<String> {
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

struct Reference {
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Reference {
    fn start(extra: &[&str]) -> Reference {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("vireo-prop-strings-{}-{}", std::process::id(), port));
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

    fn exec(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.client.get_mut().write_all(&encode(args)).unwrap();
        read_reply(&mut self.client)
    }

    /// Everything propagated up to and including the marker command, marker excluded, with
    /// the master's PINGs removed.
    fn stream_until(&mut self, marker: &[&[u8]]) -> Vec<Vec<Vec<u8>>> {
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

const MARKER: &[&[u8]] = &[b"SET", b"prop:end", b"1"];

/// Commands covering every propagation rule of the string family. Arguments are separated by
/// single spaces; `''` stands for the empty string.
const SCRIPT: &[&str] = &[
    // SET as received, SET with a relative/absolute TTL as SET ... PXAT, GET options removed
    "SET a 1",
    "SET a 2 nx",
    "SET a 3 xx",
    "SET b v EX 600",
    "SET b v px 1200000",
    "SET b v EXAT 4102444800",
    "SET b v PXAT 4102444800123",
    "SET b v2 KEEPTTL",
    "SET b v3 keepttl GET",
    "SET b v4 GET get Get",
    "SET b get GET",
    "SET b v5 GET EX 60",
    "SET b v6 NX",
    "SET c v XX",
    "SET c v NX GET",
    "SET c v EX 0",
    "SET c v BOGUS",
    // an absolute time in the past is propagated as given; the next access expires the key
    "SET d v PXAT 1",
    "GET d",
    "SET d v PXAT 1",
    "SET d w XX",
    "SET d v EXAT 1",
    "SET d w NX",
    // a command that finds an expired key propagates the DEL and its own effect together
    "SET m v PXAT 1",
    "SET m w GET",
    "SET m v PXAT 1",
    "INCR m",
    "SET m v PXAT 1",
    "APPEND m x",
    "SET m v PXAT 1",
    "GETEX m EX 60",
    "SET m v PXAT 1",
    "GETDEL m",
    "SET m v PXAT 1",
    "MSETNX m a m2 b",
    "SET m v PXAT 1",
    "INCRBYFLOAT m 1.5",
    "SET m v PXAT 1",
    "SETRANGE m 0 ''",
    "SET m v PXAT 1",
    "MGET m",
    // SETNX, SETEX, PSETEX
    "SETNX e v",
    "SETNX e w",
    "SETEX f 120 v",
    "PSETEX f 180000 v",
    "SETEX f 0 v",
    // GETEX: PEXPIREAT, PERSIST, DEL; nothing for a plain read or PERSIST without a TTL
    "GETEX f",
    "GETEX f EX 240",
    "GETEX f PX 300000",
    "GETEX f EXAT 4102444800",
    "GETEX f PXAT 4102444800777",
    "GETEX f PERSIST",
    "GETEX f PERSIST",
    "GETEX nokey EX 60",
    "GETEX f EX -1",
    "GETEX f PXAT 1",
    "GETEX f",
    // GETDEL, GETSET
    "SET g v EX 60",
    "GETDEL g",
    "GETDEL g",
    "GETSET g w",
    "GETSET g x",
    // MSET, MSETNX
    "MSET h1 a h2 b",
    "MSETNX h2 c h3 d",
    "MSETNX h3 c h4 d",
    "MSET h5",
    // APPEND, SETRANGE
    "APPEND i hello",
    "APPEND i ''",
    "APPEND i2 ''",
    "SETRANGE i 2 XY",
    "SETRANGE i 2 ''",
    "SETRANGE j 3 ''",
    "SETRANGE j -1 x",
    "SETRANGE j 1 x",
    // counters
    "INCR k",
    "DECR k",
    "INCRBY k 10",
    "DECRBY k 3",
    "INCRBY k abc",
    "SET k 9223372036854775807",
    "INCR k",
    // INCRBYFLOAT becomes SET ... KEEPTTL with the exact result
    "INCRBYFLOAT l 10.5",
    "INCRBYFLOAT l 0.1",
    "SET l 3 EX 600",
    "INCRBYFLOAT l 1.5e1",
    "INCRBYFLOAT l abc",
    // read-only commands propagate nothing
    "GET a",
    "MGET a b c",
    "STRLEN i",
    "GETRANGE i 0 -1",
    "SUBSTR i 0 1",
    "LCS a b",
    // another database: the stream selects it
    "SELECT 1",
    "SET a v",
    "INCRBYFLOAT a2 2",
    "SELECT 0",
    "SET a again",
];

fn args_of(cmd: &str) -> Vec<Vec<u8>> {
    cmd.split(' ').map(|a| if a == "''" { Vec::new() } else { a.as_bytes().to_vec() }).collect()
}

/// The lookup statistics of an INFO reply: they show whether each command looked its keys up
/// for reading or for writing, and which keys it expired.
fn lookup_stats(info_reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(info_reply);
    let wanted = ["keyspace_hits:", "keyspace_misses:", "expired_keys:"];
    text.lines().filter(|l| wanted.iter().any(|w| l.starts_with(w))).map(str::to_string).collect()
}

fn run(redis_args: &[&str], vireo_config: &str) {
    let mut reference = Reference::start(redis_args);
    let t0 = now_ms();
    let mut ref_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        ref_replies.push(reference.exec(&refs));
    }
    let ref_stats = lookup_stats(&reference.exec(&[b"INFO", b"stats"]));
    reference.exec(MARKER);
    let ref_stream = normalize(reference.stream_until(MARKER), t0);

    let mut vireo = TestServer::new(vireo_config);
    vireo.capture();
    let t0 = now_ms();
    let mut vireo_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        vireo_replies.push(vireo.exec(&refs));
    }
    let vireo_stats = lookup_stats(&vireo.exec(&[b"INFO", b"stats"]));
    let vireo_stream = normalize(parse_stream(&vireo.take_captured()), t0);

    for ((cmd, r), v) in SCRIPT.iter().zip(&ref_replies).zip(&vireo_replies) {
        assert_eq!(
            String::from_utf8_lossy(v),
            String::from_utf8_lossy(r),
            "reply to {cmd:?} differs (left: vireo, right: redis)"
        );
    }
    assert_eq!(ref_stats.len(), 3, "INFO stats of the reference: {ref_stats:?}");
    assert_eq!(vireo_stats, ref_stats, "lookup statistics differ (left: vireo, right: redis)");
    if vireo_stream != ref_stream {
        let n = vireo_stream.len().max(ref_stream.len());
        let mut report = String::new();
        for i in 0..n {
            let v = vireo_stream.get(i).map(String::as_str).unwrap_or("<none>");
            let r = ref_stream.get(i).map(String::as_str).unwrap_or("<none>");
            report.push_str(&format!("{} {:50} | {}\n", if v == r { ' ' } else { '!' }, v, r));
        }
        panic!("propagated streams differ (left: vireo, right: redis)\n{report}");
    }
}

#[test]
fn string_commands_propagate_like_redis() {
    run(&[], "");
}

#[test]
fn string_commands_propagate_unlink_with_lazyfree() {
    run(
        &["--lazyfree-lazy-user-del", "yes", "--lazyfree-lazy-expire", "yes"],
        "lazyfree-lazy-user-del yes\nlazyfree-lazy-expire yes\n",
    );
}
