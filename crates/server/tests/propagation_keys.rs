//! What the generic key commands propagate, compared with Redis 7.0.15: DEL/UNLINK (nothing when
//! nothing was deleted), the EXPIRE family (PEXPIREAT with the absolute time and the options
//! kept, DEL or UNLINK for a time in the past), PERSIST, RENAME, MOVE, COPY, SWAPDB, FLUSHDB and
//! FLUSHALL (always propagated), and the DELs of lazy expiry triggered by these commands (wrapped
//! in MULTI/EXEC with the command's own effect, except for SCAN and RANDOMKEY which touch
//! arbitrary keys). The same scenario runs on an in-process vireo (`TestServer` capturing its
//! replication stream) and on a real redis-server whose stream is read as a replica reads it
//! (inline `SYNC`, skip the RDB payload, then the command stream). The streams are compared
//! group by group, each command tagged with the database it applies to (so where SELECTs fall
//! does not matter), after absolute times derived from the clock are normalized. Replies and
//! the keyspace hit/miss/expired counters must be equal too.

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

/// Reads one complete reply and returns its raw bytes.
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

/// Splits a stream of multibulk commands into argument lists.
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

/// Turns commands into text lines "db<N> CMD args...", following the SELECTs of the stream
/// (which are dropped), and replaces PEXPIREAT and SET ... PXAT times computed from a relative
/// TTL (within 100 days of `t0`) by their distance from `t0` in whole minutes: the relative TTLs below are
/// whole minutes and the run takes far less than 30 seconds. `db` carries the stream's current
/// database from one group to the next.
fn normalize(cmds: Vec<Vec<Vec<u8>>>, t0: i64, db: &mut String) -> Vec<String> {
    let rel = |a: &[u8]| -> Option<String> {
        let v: i64 = std::str::from_utf8(a).ok()?.parse().ok()?;
        let d = v - t0;
        (d.abs() < 100 * 86_400_000).then(|| format!("<now{:+}min>", (d as f64 / 60_000.0).round() as i64))
    };
    let mut out = Vec::new();
    for argv in cmds {
        let name = String::from_utf8_lossy(&argv[0]).to_ascii_uppercase();
        if name == "SELECT" {
            *db = String::from_utf8_lossy(&argv[1]).into_owned();
            continue;
        }
        if name == "PING" {
            continue;
        }
        let parts: Vec<String> = argv
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let after_pxat = name == "SET" && i > 0 && argv[i - 1].eq_ignore_ascii_case(b"PXAT");
                if (name == "PEXPIREAT" && i == 2) || after_pxat {
                    if let Some(r) = rel(a) {
                        return r;
                    }
                }
                String::from_utf8_lossy(a).into_owned()
            })
            .collect();
        out.push(format!("db{} {}", db, parts.join(" ")));
    }
    out
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
        let dir = std::env::temp_dir().join(format!("vireo-prop-keys-{}-{}", std::process::id(), port));
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
        // an old-style replica: the RDB payload comes first (preceded by newlines sent as
        // keep-alives while it is produced), then the command stream
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
        // keys expire only when commands touch them, as in the in-process server
        assert_eq!(r.exec(&[b"DEBUG", b"SET-ACTIVE-EXPIRE", b"0"]), b"+OK\r\n");
        r
    }

    fn exec(&mut self, args: &[&[u8]]) -> Vec<u8> {
        self.client.get_mut().write_all(&encode(args)).unwrap();
        read_reply(&mut self.client)
    }

    /// Everything propagated before the marker command.
    fn stream_until(&mut self, marker: &[&[u8]]) -> Vec<Vec<Vec<u8>>> {
        let want: Vec<Vec<u8>> = marker.iter().map(|a| a.to_vec()).collect();
        let mut cmds = Vec::new();
        loop {
            let raw = read_reply(&mut self.replica);
            let argv = parse_stream(&raw).pop().unwrap();
            if argv == want {
                return cmds;
            }
            cmds.push(argv);
        }
    }
}

// ------------------------------------------------------------------------------------------
// The scenario

/// Ends a group on the reference (its propagation marks the end of the group's stream). It runs
/// in database 15, which the scenario never uses otherwise.
const MARKER: &[&[&[u8]]] = &[&[b"SELECT", b"15"], &[b"SET", b"prop:end", b"1"]];

/// A group of commands whose stream is compared as a whole. `unordered`: the group's stream is
/// compared as a multiset (lazy-expiry DELs of SCAN come in hash-table order).
struct Group {
    what: &'static str,
    unordered: bool,
    cmds: &'static [&'static str],
}

const fn g(what: &'static str, cmds: &'static [&'static str]) -> Group {
    Group { what, unordered: false, cmds }
}

/// Arguments are separated by single spaces. `SET k v PXAT 1` leaves an already expired key in
/// place (on a master it goes at the next access), which is how lazy expiry is exercised.
const SCENARIO: &[Group] = &[
    g(
        "DEL and UNLINK",
        &[
            "DEL nosuch",
            "DEL nosuch other",
            "SET a 1",
            "DEL a",
            "SET a 1",
            "SET b 2",
            "DEL a nosuch b",
            "SET a 1",
            "UNLINK a nosuch",
            "UNLINK a",
        ],
    ),
    g("DEL of an expired key: only the expiry's DEL", &["SET x v PXAT 1", "DEL x"]),
    g("DEL of an expired and a live key: both, in a transaction", &["SET x v PXAT 1", "SET y v", "DEL x y"]),
    g(
        "EXPIRE family",
        &[
            "SET e v",
            "EXPIRE e 600",
            "EXPIRE e 1200 NX",
            "EXPIRE e 1200 XX",
            "EXPIRE e 60 gt",
            "EXPIRE e 60 LT",
            "PEXPIRE e 1800000",
            "PEXPIRE e 2400000 GT xx",
            "EXPIREAT e 4102444800",
            "EXPIREAT e 4102444801 gt",
            "PEXPIREAT e 4102444800123",
            "PEXPIREAT e 4102444800124 XX GT",
            "PEXPIREAT e 4102444800000 GT",
            "EXPIRE nosuch 60",
            "PEXPIREAT nosuch 4102444800000",
            "EXPIRE e abc",
            "EXPIRE e 60 NX XX",
            "EXPIRE e 9223372036854775",
        ],
    ),
    g(
        "EXPIRE to the past",
        &[
            "SET p v",
            "EXPIRE p -1",
            "SET p v",
            "PEXPIRE p 0",
            "SET p v",
            "EXPIREAT p 1",
            "SET p v",
            "PEXPIREAT p 1 NX",
            "SET p v EX 600",
            "EXPIREAT p 1 GT",
            "EXPIREAT p 1 LT",
        ],
    ),
    g("EXPIRE on an expired key", &["SET x v PXAT 1", "EXPIRE x 60"]),
    g("PERSIST", &["SET q v EX 600", "PERSIST q", "PERSIST q", "PERSIST nosuch", "SET x v PXAT 1", "PERSIST x"]),
    g(
        "reads that expire keys",
        &[
            "SET x1 v PXAT 1",
            "EXISTS x1",
            "SET x2 v PXAT 1",
            "TYPE x2",
            "SET x3 v PXAT 1",
            "TOUCH x3",
            "SET x4 v PXAT 1",
            "TTL x4",
            "SET x5 v PXAT 1",
            "OBJECT ENCODING x5",
            "SET x6 v PXAT 1",
            "PEXPIRETIME x6",
            "SET x7 v PXAT 1",
            "SET x8 v PXAT 1",
            "EXISTS x7 x8",
            "KEYS e*",
            "DBSIZE",
        ],
    ),
    g(
        "RENAME and RENAMENX",
        &[
            "SET r1 v EX 600",
            "RENAME r1 r2",
            "RENAME r2 r2",
            "RENAME nosuch r3",
            "SET r3 w",
            "RENAMENX r2 r3",
            "RENAMENX r2 r4",
            "RENAME r4 r3",
            "SET x v PXAT 1",
            "RENAME x r5",
            "SET x v PXAT 1",
            "RENAMENX r3 x",
        ],
    ),
    g(
        "MOVE",
        &[
            "SET m v EX 600",
            "MOVE m 1",
            "MOVE m 1",
            "MOVE nosuch 1",
            "SELECT 1",
            "MOVE m 0",
            "SET m2 w",
            "SELECT 0",
            "SET m2 v",
            "MOVE m2 1",
            "MOVE m2 0",
            "MOVE m2 x",
        ],
    ),
    g(
        "MOVE onto an expired key of the other database",
        &["SELECT 1", "SET mx v PXAT 1", "SELECT 0", "SET mx v", "MOVE mx 1"],
    ),
    g(
        "COPY",
        &[
            "SET c v EX 600",
            "COPY c c2",
            "COPY c c2",
            "COPY c c2 REPLACE",
            "COPY c c3 DB 2",
            "COPY c c3 DB 2 replace",
            "COPY nosuch c4",
            "COPY c c DB 0",
            "SET x v PXAT 1",
            "COPY x c5",
            "SELECT 2",
            "SET cx v PXAT 1",
            "SELECT 0",
            "COPY c cx DB 2",
        ],
    ),
    g("SWAPDB", &["SWAPDB 0 1", "SWAPDB 1 0", "SWAPDB 0 0", "SWAPDB 0 99", "SWAPDB x 0"]),
    g(
        "FLUSHDB and FLUSHALL, even when empty",
        &[
            "SET f v",
            "FLUSHDB",
            "FLUSHDB",
            "FLUSHDB ASYNC",
            "SELECT 3",
            "FLUSHDB sync",
            "SET f v",
            "SELECT 0",
            "FLUSHALL",
            "FLUSHALL",
            "FLUSHALL ASYNC",
            "FLUSHALL SYNC",
            "FLUSHDB bogus",
            "FLUSHALL bogus",
        ],
    ),
    Group {
        what: "SCAN expires what it meets, without a transaction",
        unordered: true,
        cmds: &["SET s1 v PXAT 1", "SET s2 v PXAT 1", "SET s3 v PXAT 1", "SET t1 v", "SCAN 0 COUNT 100 MATCH s*"],
    },
    g("keys for RANDOMKEY", &["FLUSHALL", "SET k1 v PXAT 1", "SET k2 v PXAT 1"]),
    Group {
        what: "RANDOMKEY expires what it picks, without a transaction",
        unordered: true,
        cmds: &["RANDOMKEY", "SET k3 v", "RANDOMKEY"],
    },
    g(
        "read-only commands propagate nothing",
        &[
            "SET z v",
            "EXISTS z",
            "TYPE z",
            "TOUCH z",
            "TTL z",
            "PTTL z",
            "EXPIRETIME z",
            "PEXPIRETIME z",
            "KEYS z*",
            "SCAN 0 MATCH z",
            "DBSIZE",
            "OBJECT ENCODING z",
            "OBJECT REFCOUNT z",
        ],
    ),
];

fn args_of(cmd: &str) -> Vec<Vec<u8>> {
    cmd.split(' ').map(|a| a.as_bytes().to_vec()).collect()
}

fn as_refs(argv: &[Vec<u8>]) -> Vec<&[u8]> {
    argv.iter().map(|a| &a[..]).collect()
}

/// The lookup statistics of INFO: they show whether each command looked its keys up for
/// reading or for writing, and which keys it expired.
fn lookup_stats(info_reply: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(info_reply);
    let wanted = ["keyspace_hits:", "keyspace_misses:", "expired_keys:"];
    text.lines().filter(|l| wanted.iter().any(|w| l.starts_with(w))).map(str::to_string).collect()
}

/// RANDOMKEY's reply depends on chance only when several live keys exist; the scenario has at
/// most one, so replies are compared as they are.
fn run(redis_args: &[&str], vireo_config: &str) {
    let mut reference = Reference::start(redis_args);
    let mut vireo = TestServer::new(vireo_config);
    vireo.capture();
    let t0 = now_ms();
    let (mut ref_db, mut vireo_db) = (String::from("?"), String::from("?"));
    let mut failures = String::new();
    for group in SCENARIO {
        let mut ref_replies = Vec::new();
        let mut vireo_replies = Vec::new();
        for cmd in group.cmds {
            let argv = args_of(cmd);
            ref_replies.push(reference.exec(&as_refs(&argv)));
            vireo_replies.push(vireo.exec(&as_refs(&argv)));
        }
        // back to database 0 for the next group, after the marker
        for m in MARKER {
            reference.exec(m);
        }
        let mut ref_stream = normalize(reference.stream_until(MARKER[1]), t0, &mut ref_db);
        reference.exec(&[b"SELECT", b"0"]);
        // the marker's SET happened in db 15 on the reference only
        ref_db = "15".into();
        let mut vireo_stream = normalize(parse_stream(&vireo.take_captured()), t0, &mut vireo_db);
        vireo.exec(&[b"SELECT", b"0"]);

        for ((cmd, r), v) in group.cmds.iter().zip(&ref_replies).zip(&vireo_replies) {
            if r != v {
                failures.push_str(&format!(
                    "[{}] reply to {cmd:?}: vireo {:?}, redis {:?}\n",
                    group.what,
                    String::from_utf8_lossy(v),
                    String::from_utf8_lossy(r)
                ));
            }
        }
        if std::env::var_os("VIREO_SHOW_STREAMS").is_some() {
            eprintln!("[{}]\n  redis: {:?}\n  vireo: {:?}", group.what, ref_stream, vireo_stream);
        }
        if group.unordered {
            ref_stream.sort();
            vireo_stream.sort();
        }
        if vireo_stream != ref_stream {
            let n = vireo_stream.len().max(ref_stream.len());
            failures.push_str(&format!("[{}] propagated streams differ (vireo | redis):\n", group.what));
            for i in 0..n {
                let v = vireo_stream.get(i).map(String::as_str).unwrap_or("<none>");
                let r = ref_stream.get(i).map(String::as_str).unwrap_or("<none>");
                failures.push_str(&format!("  {} {:56} | {}\n", if v == r { ' ' } else { '!' }, v, r));
            }
        }
    }
    let ref_stats = lookup_stats(&reference.exec(&[b"INFO", b"stats"]));
    let vireo_stats = lookup_stats(&vireo.exec(&[b"INFO", b"stats"]));
    assert_eq!(ref_stats.len(), 3, "INFO stats of the reference: {ref_stats:?}");
    // the markers are writes (no lookup statistics), so the counters are comparable
    if vireo_stats != ref_stats {
        failures.push_str(&format!("lookup statistics differ: vireo {vireo_stats:?}, redis {ref_stats:?}\n"));
    }
    assert!(failures.is_empty(), "differences from redis-server:\n{failures}");
}

#[test]
fn key_commands_propagate_like_redis() {
    run(&[], "");
}

#[test]
fn key_commands_propagate_unlink_and_async_flushes_with_lazyfree() {
    run(
        &[
            "--lazyfree-lazy-user-del",
            "yes",
            "--lazyfree-lazy-expire",
            "yes",
            "--lazyfree-lazy-user-flush",
            "yes",
            "--lazyfree-lazy-server-del",
            "yes",
        ],
        "lazyfree-lazy-user-del yes\nlazyfree-lazy-expire yes\nlazyfree-lazy-user-flush yes\nlazyfree-lazy-server-del yes\n",
    );
}
