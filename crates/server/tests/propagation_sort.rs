//! What SORT and SORT_RO propagate, compared with Redis 7.0.15. The same commands run on an
//! in-process vireo (`TestServer`, capturing its replication stream) and on a real
//! redis-server started on a free port, whose stream is read as a replica would read it (inline
//! `SYNC`, skip the RDB payload, then the command stream). Both streams are parsed into commands
//! and must be equal; replies and lookup statistics (SORT reads every pattern key it resolves)
//! must be equal byte for byte. SORT ... STORE goes to replicas as written; plain sorts, SORT_RO
//! and failures not at all; destinations and keys found expired as DEL first.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
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
        let dir = std::env::temp_dir().join(format!("vireo-prop-hashes-{}-{}", std::process::id(), port));
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

/// Commands covering every propagation rule of the hash family. Arguments are separated by
/// single spaces; `''` stands for the empty string.
const SCRIPT: &[&str] = &[
    "SADD s 3 1 2",
    "SADD words b c a",
    "MSET w_1 30 w_2 10 w_3 20",
    "HSET h_1 f z",
    "HSET h_2 f y",
    // a plain SORT, SORT_RO and failures propagate nothing (lookups of patterns are counted)
    "SORT s",
    "SORT_RO s BY w_* GET # GET w_* GET h_*->f",
    "SORT s BY w_*",
    "SORT words",
    "SORT words STORE bad",
    "SORT nokey",
    "SORT_RO s STORE x",
    // STORE propagates as written
    "SORT s STORE dst",
    "SORT s BY w_* DESC GET h_*->f STORE dst",
    "SORT words ALPHA LIMIT 0 2 STORE dst2",
    "SORT words BY nosort STORE dst3",
    // an empty result deletes the destination (propagated), or does nothing
    "SORT nokey STORE dst",
    "SORT nokey STORE dst",
    "SORT s LIMIT 5 5 STORE dst2",
    // a destination found expired is deleted first
    "SET m v PXAT 1",
    "SORT s STORE m",
    "SET m v PXAT 1",
    "SORT nokey STORE m",
    // an expired key to sort, and expired weights
    "SET e v PXAT 1",
    "SORT e",
    "SET w_2 v PXAT 1",
    "SORT s BY w_* STORE dst4",
    // wrong types propagate nothing
    "SET str v",
    "SORT str STORE dst",
    // another database: the stream selects it
    "SELECT 1",
    "SADD a 2 1",
    "SORT a STORE b",
    "SELECT 0",
    "SORT s STORE back",
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

#[test]
fn sort_propagates_like_redis() {
    let mut reference = Reference::start(&[]);
    let mut ref_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        ref_replies.push(reference.exec(&refs));
    }
    let ref_stats = lookup_stats(&reference.exec(&[b"INFO", b"stats"]));
    reference.exec(MARKER);
    let ref_stream = commands(reference.stream_until(MARKER));

    let mut vireo = TestServer::new("");
    vireo.capture();
    let mut vireo_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        vireo_replies.push(vireo.exec(&refs));
    }
    let vireo_stats = lookup_stats(&vireo.exec(&[b"INFO", b"stats"]));
    let vireo_stream = commands(parse_stream(&vireo.take_captured()));

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

fn commands(cmds: Vec<Vec<Vec<u8>>>) -> Vec<String> {
    cmds.into_iter()
        .map(|argv| argv.iter().map(|a| String::from_utf8_lossy(a).into_owned()).collect::<Vec<_>>().join(" "))
        .collect()
}
