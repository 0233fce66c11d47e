//! What the hash commands propagate, compared with Redis 7.0.15. The same commands run on an
//! in-process vireo (`TestServer`, capturing its replication stream) and on a real
//! redis-server started on a free port, whose stream is read as a replica would read it (inline
//! `SYNC`, skip the RDB payload, then the command stream). Both streams are parsed into commands
//! and must be equal; replies and lookup statistics must be equal byte for byte. HINCRBYFLOAT
//! must reach replicas as HSET of its exact result, failed and read-only commands not at all,
//! and keys found expired as DEL before the command's own effect. A last test checks that a
//! huge negative HRANDFIELD count ends with the client disconnected, not with unbounded memory.

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
    // HSET / HMSET as received (updates too), HSETNX only when it sets
    "HSET h a 1 b 2",
    "HSET h a 1",
    "HMSET h c 3 d 4",
    "HSETNX h a x",
    "HSETNX h e 5",
    "HSET h f",
    "HMSET h",
    // HDEL: nothing when nothing was removed
    "HDEL h nofield",
    "HDEL h a b nofield",
    "HDEL nokey a",
    // counters; failures propagate nothing
    "HINCRBY h n 5",
    "HINCRBY h n -7",
    "HINCRBY h n abc",
    "HINCRBY h c 9223372036854775807",
    "HINCRBY h c 9223372036854775800",
    "HSET h s hello",
    "HINCRBY h s 1",
    // HINCRBYFLOAT becomes HSET with the exact result
    "HINCRBYFLOAT h fl 10.5",
    "HINCRBYFLOAT h fl 0.1",
    "HINCRBYFLOAT h fl 5.0e3",
    "HINCRBYFLOAT h n 1.5",
    "HINCRBYFLOAT h fl abc",
    "HINCRBYFLOAT h fl inf",
    "HINCRBYFLOAT h s 1",
    "HINCRBYFLOAT h2 x 0x10",
    // read-only commands propagate nothing
    "HGET h a",
    "HMGET h a c nokey",
    "HMGET nokey a",
    "HLEN h",
    "HSTRLEN h c",
    "HEXISTS h c",
    "HKEYS h2",
    "HVALS h2",
    "HGETALL h2",
    "HRANDFIELD h2",
    "HRANDFIELD h2 -3 WITHVALUES",
    "HSCAN h2 0",
    // emptying the hash deletes the key; the HDEL is propagated as sent
    "HDEL h c d e n fl s",
    "EXISTS h",
    // a command that finds an expired key propagates the DEL and then its own effect
    "SET m v PXAT 1",
    "HSET m a 1",
    "SET m v PXAT 1",
    "HSETNX m a 1",
    "SET m v PXAT 1",
    "HINCRBY m a 1",
    "SET m v PXAT 1",
    "HINCRBYFLOAT m a 1",
    "SET m v PXAT 1",
    "HDEL m a",
    "SET m v PXAT 1",
    "HGET m a",
    "SET m v PXAT 1",
    "HGETALL m",
    // wrong types propagate nothing
    "SET str v",
    "HSET str a 1",
    "HINCRBYFLOAT str a 1",
    // another database: the stream selects it
    "SELECT 1",
    "HSET a f v",
    "HINCRBYFLOAT a g 2",
    "SELECT 0",
    "HSET a f again",
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
fn hash_commands_propagate_like_redis() {
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
        if cmd.starts_with("HRANDFIELD") || cmd.starts_with("HKEYS") || cmd.starts_with("HVALS") {
            // random, or in an order that depends on the hash: compare the reply's size only
            assert_eq!(v.len(), r.len(), "reply to {cmd:?} differs in size (left: vireo, right: redis)");
            continue;
        }
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

#[test]
fn huge_negative_hrandfield_closes_the_client_instead_of_growing() {
    for config in [
        "client-output-buffer-limit normal 1mb 0 0\n",
        "hash-max-listpack-entries 0\nclient-output-buffer-limit normal 1mb 0 0\n",
    ] {
        let mut vireo = TestServer::new(config);
        assert_eq!(vireo.cmd(&["HSET", "h", "a", "1", "b", "2"]), b":2\r\n");
        for args in
            [["HRANDFIELD", "h", "-9223372036854775807", ""], ["HRANDFIELD", "h", "-4611686018427387903", "WITHVALUES"]]
        {
            let argv: Vec<&str> = args.iter().copied().filter(|a| !a.is_empty()).collect();
            let reply = vireo.cmd(&argv);
            assert!(reply.is_empty(), "the oversized reply must be dropped, got {} bytes", reply.len());
            assert_ne!(vireo.client.flags & vireo_server::client::cflags::CLOSE_ASAP, 0, "{config}");
            vireo.client.flags &= !vireo_server::client::cflags::CLOSE_ASAP;
        }
        // a bounded negative count is served in full
        let reply = vireo.cmd(&["HRANDFIELD", "h", "-5000", "WITHVALUES"]);
        assert!(reply.starts_with(b"*10000\r\n"));
        assert_eq!(reply.iter().filter(|&&c| c == b'$').count(), 10000);
        assert_eq!(vireo.client.flags & vireo_server::client::cflags::CLOSE_ASAP, 0);
    }
}
