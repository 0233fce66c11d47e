//! What the sorted-set and geo commands propagate, compared with Redis 7.0.15: the same
//! commands run on an in-process vireo (`TestServer`, capturing its replication stream) and on
//! a real redis-server whose stream is read as a replica would read it. ZADD (INCR too) and
//! ZINCRBY reach replicas as given; ZPOPMIN/ZPOPMAX as given; the blocking pops and ZMPOP as
//! the ZPOPMIN/ZPOPMAX (with the count actually popped) that happened; ZRANGESTORE and the
//! algebra STORE commands as given (a store of an empty result that deletes the destination
//! too); GEOADD as the ZADD it amounts to; read-only commands and no-ops not at all.

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
        let dir = std::env::temp_dir().join(format!("vireo-prop-zsets-{}-{}", std::process::id(), port));
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

/// Commands covering the propagation rules of the sorted-set and geo families. Arguments are
/// separated by single spaces.
const SCRIPT: &[&str] = &[
    // ZADD as given, nothing when nothing changed
    "ZADD z 1 a 2 b 3 c",
    "ZADD z 1 a",
    "ZADD z NX 5 a",
    "ZADD z XX 5 nosuch",
    "ZADD z GT CH 9 a",
    "ZADD z INCR 2.5 b",
    "ZADD z INCR XX 1 nosuch",
    "ZINCRBY z 1 c",
    "ZINCRBY z 0 c",
    "ZADD nokey XX 1 a",
    "SET str x",
    "ZADD str 1 a",
    // ZREM, range removals
    "ZREM z nosuch",
    "ZREM z c",
    "ZADD r 1 a 2 b 3 c 4 d",
    "ZREMRANGEBYRANK r 0 0",
    "ZREMRANGEBYSCORE r 100 200",
    "ZREMRANGEBYSCORE r 2 3",
    "ZREMRANGEBYLEX r - +",
    // pops: as given; ZMPOP as ZPOPMIN/ZPOPMAX with the count popped
    "ZADD p 1 a 2 b 3 c 4 d 5 e 6 f",
    "ZPOPMIN p",
    "ZPOPMAX p 2",
    "ZPOPMIN p 0",
    "ZPOPMIN nokey",
    "ZMPOP 1 p MIN COUNT 100",
    "ZMPOP 1 p MIN",
    "ZADD p 1 a 2 b 3 c 4 d",
    "ZMPOP 2 nokey p MAX COUNT 2",
    // blocking pops served at once: the non-blocking pop
    "BZPOPMIN nokey p 0",
    "BZPOPMAX p 0",
    "ZADD q 1 a 2 b 3 c",
    "BZMPOP 0 2 nokey q MIN COUNT 2",
    "BZMPOP 0 1 q MAX COUNT 10",
    // inside MULTI they never block
    "MULTI",
    "BZPOPMIN nokey 0",
    "ZADD q 7 x",
    "BZPOPMAX q 0",
    "EXEC",
    // stores as given; an empty result deletes the destination
    "ZADD s1 1 a 2 b 3 c",
    "ZADD s2 2 b 3 c 4 d",
    "ZRANGESTORE d s1 0 1",
    "ZRANGESTORE d s1 (1 +inf BYSCORE LIMIT 0 1",
    "ZRANGESTORE d s1 5 10",
    "ZRANGESTORE d s1 5 10",
    "ZUNIONSTORE d 2 s1 s2 WEIGHTS 1 2",
    "ZINTERSTORE d 2 s1 s2 AGGREGATE MAX",
    "ZDIFFSTORE d 2 s1 s2",
    "ZDIFFSTORE d 2 s1 s1",
    // read-only commands
    "ZRANGE s1 0 -1 WITHSCORES",
    "ZRANK s1 a",
    "ZSCORE s1 a",
    "ZCOUNT s1 -inf +inf",
    "ZUNION 2 s1 s2",
    "ZINTERCARD 2 s1 s2",
    "ZRANDMEMBER s1 -3",
    "ZSCAN s1 0",
    // geo: GEOADD as ZADD, stores as given
    "GEOADD g 13.361389 38.115556 Palermo 15.087269 37.502669 Catania",
    "GEOADD g NX 13.361389 38.115556 Palermo",
    "GEOADD g CH XX 13.5 38.1 Palermo",
    "GEODIST g Palermo Catania km",
    "GEOSEARCHSTORE gd g FROMLONLAT 15 37 BYRADIUS 200 km ASC",
    "GEOSEARCHSTORE gd g FROMLONLAT 15 37 BYRADIUS 200 km STOREDIST",
    "GEORADIUS g 15 37 200 km STORE gr",
    "GEORADIUSBYMEMBER g Palermo 1 m STORE gr",
    "GEOSEARCH g FROMMEMBER Palermo BYBOX 400 400 km",
    // another database
    "SELECT 2",
    "ZADD z 1 a",
    "ZPOPMIN z",
    "SELECT 0",
    "ZADD z 1 again",
];

fn args_of(cmd: &str) -> Vec<Vec<u8>> {
    cmd.split(' ').map(|a| a.as_bytes().to_vec()).collect()
}

#[test]
fn zset_commands_propagate_like_redis() {
    let mut reference = Reference::start(&[]);
    let t0 = now_ms();
    let mut ref_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        ref_replies.push(reference.exec(&refs));
    }
    reference.exec(MARKER);
    let ref_stream = normalize(reference.stream_until(MARKER), t0);

    let mut vireo = TestServer::new("");
    vireo.capture();
    let t0 = now_ms();
    let mut vireo_replies = Vec::new();
    for cmd in SCRIPT {
        let argv = args_of(cmd);
        let refs: Vec<&[u8]> = argv.iter().map(|a| &a[..]).collect();
        vireo_replies.push(vireo.exec(&refs));
    }
    let vireo_stream = normalize(parse_stream(&vireo.take_captured()), t0);

    for ((cmd, r), v) in SCRIPT.iter().zip(&ref_replies).zip(&vireo_replies) {
        if cmd.starts_with("ZRANDMEMBER") || cmd.starts_with("ZUNION ") {
            // random picks / hash order: only the reply's size
            assert_eq!(v.len(), r.len(), "reply to {cmd:?}");
            continue;
        }
        assert_eq!(
            String::from_utf8_lossy(v),
            String::from_utf8_lossy(r),
            "reply to {cmd:?} differs (left: vireo, right: redis)"
        );
    }

    // the scenario reaches the interesting cases on the reference
    assert!(ref_stream.iter().any(|c| c == "ZPOPMIN q 2"), "{ref_stream:?}");
    assert!(ref_stream.iter().any(|c| c.starts_with("zadd g 3479099956230698 Palermo")), "{ref_stream:?}");
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
