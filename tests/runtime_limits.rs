//! Connection limits and timers against real processes, vireo and the reference redis-server
//! 7.0.15 side by side with the same arguments: `timeout`, `tcp-keepalive` (read back from the
//! kernel with `ss`), `maxclients`, `requirepass` and the unauthenticated protocol limits,
//! `proto-max-bulk-len`, `client-query-buffer-limit` (and its log line), `databases`, `hz` and
//! `dynamic-hz`.

mod runtime_support;

use runtime_support::*;
use std::process::Command;
use std::time::{Duration, Instant};
use vireo_testkit::{parse_reply, RawConn, ServerProcess};

/// An idle client is closed after `timeout` seconds; a MONITOR client (a replica-like client) and
/// a client that keeps talking are not.
#[test]
fn timeout_closes_only_idle_normal_clients() {
    let servers = both(&["--timeout", "1"]);
    std::thread::scope(|s| {
        for srv in &servers {
            s.spawn(move || idle_timeout_on(srv));
        }
    });
}

fn idle_timeout_on(srv: &ServerProcess) {
    let name = srv.name();
    let mut idle = srv.connect();
    assert_eq!(idle.cmd(&["PING"]), b"+PONG\r\n");
    let last = Instant::now();
    let mut monitor = srv.connect();
    assert_eq!(monitor.cmd(&["MONITOR"]), b"+OK\r\n");
    // a subscriber is exempt too, where SUBSCRIBE exists
    let mut sub = srv.connect();
    let sub_reply = sub.cmd(&["SUBSCRIBE", "ch"]);
    let has_pubsub = !sub_reply.starts_with(b"-ERR unknown command");
    let mut busy = srv.connect();
    let mut closed_after = None;
    let deadline = Instant::now() + Duration::from_secs(8);
    while Instant::now() < deadline {
        assert_eq!(busy.cmd(&["PING"]), b"+PONG\r\n", "{name}: a talking client must stay open");
        if closed_after.is_none() && idle.wait_closed(Duration::from_millis(250)) {
            closed_after = Some(last.elapsed());
        }
        // keep going a little after the close, so that the exempt clients had their chance to
        // be (wrongly) closed too
        if closed_after.is_some_and(|d| last.elapsed() > d + Duration::from_millis(1500)) {
            break;
        }
    }
    let after = closed_after.unwrap_or_else(|| panic!("{name}: the idle client was not closed"));
    assert!(after >= Duration::from_secs(1), "{name}: closed after {after:?}, before the timeout");
    assert!(!monitor.wait_closed(Duration::from_millis(10)), "{name}: the MONITOR client was closed");
    // the monitor still receives the feed
    busy.send_cmd(&["ECHO", "still-here"]);
    assert_eq!(busy.read_reply(), b"$10\r\nstill-here\r\n");
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let line = monitor.read_reply();
        if line.ends_with(b"\"ECHO\" \"still-here\"\r\n") {
            break;
        }
        assert!(Instant::now() < deadline, "{name}: no ECHO in the MONITOR feed");
    }
    if has_pubsub {
        assert!(!sub.wait_closed(Duration::from_millis(10)), "{name}: the subscriber was closed");
    }
}

/// Keepalive timers of the server's side of accepted connections, as `ss` shows them, e.g.
/// "timer:(keepalive,1min16sec,0)".
fn keepalive_timers(port: u16) -> Vec<String> {
    let out = Command::new("ss")
        .args(["-tnoH", "state", "established", &format!("( sport = :{port} )")])
        .output()
        .expect("ss runs");
    String::from_utf8_lossy(&out.stdout).lines().map(|l| l.split("timer:").nth(1).unwrap_or("").to_string()).collect()
}

/// Seconds of a `ss` keepalive timer ("1min16sec", "59sec", "119min").
fn timer_secs(t: &str) -> Option<u64> {
    let inner = t.strip_prefix("(keepalive,")?.split(',').next()?;
    let mut total = 0;
    let mut num = String::new();
    let mut rest = inner;
    while !rest.is_empty() {
        let c = rest.chars().next()?;
        if c.is_ascii_digit() {
            num.push(c);
            rest = &rest[1..];
        } else {
            let unit: String = rest.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            let n: u64 = num.parse().ok()?;
            num.clear();
            total += match unit.as_str() {
                "min" => n * 60,
                "sec" => n,
                "ms" => 0,
                "h" => n * 3600,
                _ => return None,
            };
            rest = &rest[unit.len()..];
        }
    }
    Some(total)
}

/// `tcp-keepalive N` arms the keepalive timer of accepted sockets with N seconds of idle time;
/// 0 leaves keepalive off. Read back from the kernel for both servers.
#[test]
fn tcp_keepalive_is_applied_to_accepted_sockets() {
    for (arg, expect) in [("77", Some(77)), ("0", None)] {
        for srv in both(&["--tcp-keepalive", arg]) {
            let mut c = srv.connect();
            assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
            let timers = keepalive_timers(srv.port());
            assert_eq!(timers.len(), 1, "{}: one accepted connection expected: {timers:?}", srv.name());
            match expect {
                Some(n) => {
                    let secs = timer_secs(&timers[0])
                        .unwrap_or_else(|| panic!("{}: no keepalive timer: {timers:?}", srv.name()));
                    assert!(secs <= n && secs + 10 >= n, "{}: keepalive timer {timers:?}, wanted {n}s", srv.name());
                }
                None => assert!(!timers[0].contains("keepalive"), "{}: keepalive on: {timers:?}", srv.name()),
            }
        }
    }
}

/// With `maxclients 3`, the fourth connection gets Redis's error and is closed;
/// rejected_connections counts it; once a client leaves, a new one is accepted.
#[test]
fn maxclients_rejects_the_extra_connection() {
    for srv in both(&["--maxclients", "3"]) {
        let name = srv.name().to_string();
        // the start-up PING connections must be gone before counting
        let mut a = srv.connect();
        assert!(
            wait_until(Duration::from_secs(5), || info_field(&mut a, "clients", "connected_clients") == "1"),
            "{name}: stray connections"
        );
        let before: u64 = info_field(&mut a, "stats", "rejected_connections").parse().unwrap();
        let mut b = srv.connect();
        let mut c = srv.connect();
        assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
        let mut d = srv.connect();
        assert_eq!(d.read_until_closed(), b"-ERR max number of clients reached\r\n", "{name}");
        let after: u64 = info_field(&mut a, "stats", "rejected_connections").parse().unwrap();
        assert_eq!(after, before + 1, "{name}: rejected_connections");
        assert_eq!(info_field(&mut a, "clients", "connected_clients"), "3", "{name}");
        assert_eq!(info_field(&mut a, "clients", "maxclients"), "3", "{name}");
        assert_eq!(b.cmd(&["QUIT"]), b"+OK\r\n");
        assert!(b.is_closed());
        assert!(wait_until(Duration::from_secs(5), || info_field(&mut a, "clients", "connected_clients") == "2"));
        let mut e = srv.connect();
        assert_eq!(e.cmd(&["PING"]), b"+PONG\r\n", "{name}: a free slot must be usable again");
    }
}

/// Sends raw bytes and collects everything the server answers until it stops talking for a
/// moment or closes (the close is recorded as "<closed>").
fn exchange(c: &mut RawConn, bytes: &[u8]) -> Vec<u8> {
    c.send(bytes);
    let mut out = Vec::new();
    loop {
        match c.read_reply_within(Duration::from_millis(300)) {
            Ok(r) => out.extend_from_slice(&r),
            Err(vireo_testkit::ReadError::Closed { partial }) => {
                out.extend_from_slice(&partial);
                out.extend_from_slice(b"<closed>");
                return out;
            }
            Err(vireo_testkit::ReadError::Timeout { partial }) if partial.is_empty() => return out,
            Err(e) => panic!("{e}"),
        }
    }
}

/// The same byte exchanges against both servers must produce the same bytes.
fn same_exchanges(servers: &[ServerProcess; 2], steps: &[&[u8]]) {
    let mut got: Vec<Vec<Vec<u8>>> = Vec::new();
    for srv in servers {
        let mut c = srv.connect();
        got.push(steps.iter().map(|s| exchange(&mut c, s)).collect());
    }
    for (i, step) in steps.iter().enumerate() {
        assert_eq!(
            vireo_testkit::repr(&got[0][i]),
            vireo_testkit::repr(&got[1][i]),
            "step {} ({}): vireo vs redis",
            i,
            vireo_testkit::repr(step)
        );
    }
}

/// `requirepass`: which commands run before AUTH (those flagged no-auth: AUTH, HELLO, QUIT,
/// RESET), what is checked before authentication (existence, arity), and the errors.
#[test]
fn requirepass_gate_matches_redis() {
    let servers = both(&["--requirepass", "s3cret"]);
    let hello_auth = b"HELLO 2 AUTH default s3cret\r\n";
    // session 1: the gate before and after AUTH
    same_exchanges(
        &servers,
        &[
            b"PING\r\n",
            b"GET k\r\n",
            b"SET k v\r\n",
            b"NOSUCHCMD a b\r\n",
            b"GET\r\n",
            b"CLIENT ID\r\n",
            b"SELECT 1\r\n",
            b"ECHO x\r\n",
            b"CONFIG GET port\r\n",
            b"INFO\r\n",
            b"COMMAND COUNT\r\n",
            b"HELLO\r\n",
            b"HELLO 3\r\n",
            b"HELLO 4\r\n",
            b"HELLO 3 AUTH default wrong\r\n",
            b"HELLO 2 AUTH nouser s3cret\r\n",
            b"AUTH\r\n",
            b"AUTH wrong\r\n",
            b"AUTH a b c\r\n",
            b"AUTH default wrong\r\n",
            b"AUTH s3cret\r\n",
            b"PING\r\n",
            b"SET k v\r\n",
            b"GET k\r\n",
            b"RESET\r\n",
            b"GET k\r\n",
            b"AUTH default s3cret\r\n",
            b"GET k\r\n",
            b"QUIT\r\n",
        ],
    );
    // session 2: HELLO AUTH authenticates (its reply carries the client id: compare the rest)
    for srv in &servers {
        let mut c = srv.connect();
        c.send(hello_auth);
        let r = parse_reply(&c.read_reply());
        assert_eq!(r.get("server").and_then(|v| v.as_str()), Some("redis"), "{}: {r:?}", srv.name());
        assert_eq!(r.get("proto").and_then(|v| v.as_int()), Some(2), "{}", srv.name());
        assert_eq!(c.cmd(&["GET", "k"]), b"$1\r\nv\r\n", "{}", srv.name());
    }
    // session 3: QUIT unauthenticated
    same_exchanges(&servers, &[b"QUIT\r\n"]);
    // unauthenticated protocol limits: at most 10 arguments and 16384-byte bulks
    let mut big_mb = b"*11\r\n".to_vec();
    for _ in 0..11 {
        big_mb.extend_from_slice(b"$1\r\na\r\n");
    }
    same_exchanges(&servers, &[&big_mb]);
    same_exchanges(&servers, &[b"*10\r\n$4\r\nECHO\r\n"]);
    same_exchanges(&servers, &[b"*2\r\n$4\r\nECHO\r\n$16385\r\n"]);
    let mut max_bulk = b"*2\r\n$4\r\nECHO\r\n$16384\r\n".to_vec();
    max_bulk.extend(std::iter::repeat_n(b'x', 16384));
    max_bulk.extend_from_slice(b"\r\n");
    same_exchanges(&servers, &[&max_bulk]);
    // after AUTH the limits are the normal ones
    let mut after = b"AUTH s3cret\r\n".to_vec();
    after.extend_from_slice(&big_mb[..]);
    after.extend_from_slice(b"*2\r\n$4\r\nECHO\r\n$20000\r\n");
    after.extend(std::iter::repeat_n(b'y', 20000));
    after.extend_from_slice(b"\r\n");
    same_exchanges(&servers, &[&after]);
    // CONFIG SET requirepass "" lifts the gate for new connections
    for srv in &servers {
        let mut c = srv.connect();
        assert_eq!(c.cmd(&["AUTH", "s3cret"]), b"+OK\r\n");
        assert_eq!(c.cmd(&["CONFIG", "SET", "requirepass", ""]), b"+OK\r\n");
    }
    same_exchanges(&servers, &[b"GET k\r\n", b"AUTH x\r\n", &big_mb]);
}

/// `proto-max-bulk-len`: a bulk longer than it is a protocol error that closes the connection.
#[test]
fn proto_max_bulk_len_matches_redis() {
    let servers = both(&["--proto-max-bulk-len", "1mb"]);
    same_exchanges(&servers, &[b"*2\r\n$4\r\nECHO\r\n$1048577\r\n"]);
    same_exchanges(&servers, &[b"*2\r\n$4\r\nECHO\r\n$-5\r\n"]);
    let mut ok = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1048576\r\n".to_vec();
    ok.extend(std::iter::repeat_n(b'z', 1048576));
    ok.extend_from_slice(b"\r\nSTRLEN k\r\n");
    same_exchanges(&servers, &[&ok]);
    for srv in &servers {
        let mut c = srv.connect();
        assert_eq!(c.cmd(&["CONFIG", "SET", "proto-max-bulk-len", "2mb"]), b"+OK\r\n");
    }
    same_exchanges(&servers, &[b"*2\r\n$4\r\nECHO\r\n$1048577\r\n", b"x"]);
}

/// `client-query-buffer-limit`: a client whose query buffer passes the limit is closed, and the
/// log says so in Redis's words, with the client's description and the first buffered bytes.
#[test]
fn query_buffer_limit_closes_the_client_and_logs_it() {
    for srv in both(&["--client-query-buffer-limit", "1mb"]) {
        let name = srv.name().to_string();
        let mut c = srv.connect();
        // a 2 MB argument, announced but sent only in part: the buffer passes 1 MB
        let mut req = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$2000000\r\n".to_vec();
        req.extend(std::iter::repeat_n(b'q', 1_200_000));
        let _ = c.try_send(&req);
        assert!(c.wait_closed(Duration::from_secs(10)), "{name}: not closed");
        assert!(wait_log(&srv, '#', "Closing client that reached max query buffer length: id="), "{name}");
        let log = srv.log();
        let line = log_lines(&log)
            .into_iter()
            .find(|l| l.msg.starts_with("Closing client that reached max query buffer length"))
            .unwrap();
        // the client description is CLIENT LIST's line, then the first 64 bytes of the buffer
        let desc = line.msg.split(": ").nth(1).unwrap();
        for key in ["id", "addr", "laddr", "fd", "name", "age", "idle", "flags", "db", "qbuf", "cmd", "user", "resp"] {
            assert!(client_field(desc, key).is_some(), "{name}: no {key}= in {desc}");
        }
        assert!(line.msg.contains(" (qbuf initial bytes: \""), "{name}: {}", line.msg);
        assert!(line.msg.ends_with("qqqq\")"), "{name}: {}", line.msg);
        // the server is fine and the key was not written
        let mut d = srv.connect();
        assert_eq!(d.cmd(&["EXISTS", "k"]), b":0\r\n", "{name}");
        // small pipelines far beyond the limit in total are fine: the buffer is consumed as it
        // is parsed
        let mut pipe = Vec::new();
        for i in 0..30_000 {
            pipe.extend_from_slice(format!("SET key:{i} {}\r\n", "v".repeat(64)).as_bytes());
        }
        assert!(pipe.len() > 2_000_000);
        d.send(&pipe);
        for _ in 0..30_000 {
            assert_eq!(d.read_reply(), b"+OK\r\n", "{name}");
        }
        assert_eq!(d.cmd(&["DBSIZE"]), b":30000\r\n", "{name}");
    }
}

/// `databases N`: SELECT N-1 works, SELECT N and negative indexes fail like Redis.
#[test]
fn databases_bounds_select() {
    let servers = both(&["--databases", "4"]);
    same_exchanges(
        &servers,
        &[
            b"SELECT 3\r\n",
            b"SELECT 4\r\n",
            b"SELECT -1\r\n",
            b"SELECT 2147483648\r\n",
            b"SELECT x\r\n",
            b"SELECT 0\r\n",
            b"CONFIG GET databases\r\n",
        ],
    );
    for srv in &servers {
        let mut c = srv.connect();
        let ks = c.cmd_parsed(&["INFO", "keyspace"]);
        assert_eq!(ks.as_str(), Some("# Keyspace\r\n"), "{}", srv.name());
    }
}

/// `hz` and `dynamic-hz`: INFO hz/configured_hz follow the setting (clamped to 1..500), and with
/// dynamic-hz more than 200 clients per tick double the effective hz.
#[test]
fn hz_and_dynamic_hz_in_info() {
    let servers = both(&["--hz", "1", "--dynamic-hz", "yes", "--maxclients", "1000"]);
    std::thread::scope(|s| {
        for srv in &servers {
            s.spawn(move || {
                let name = srv.name();
                let mut c = srv.connect();
                assert_eq!(info_field(&mut c, "server", "hz"), "1", "{name}");
                assert_eq!(info_field(&mut c, "server", "configured_hz"), "1", "{name}");
                // 205 clients at hz 1: more than 200 per tick, so the cron runs at 2
                let extra: Vec<RawConn> = (0..204).map(|_| srv.connect()).collect();
                assert!(
                    wait_until(Duration::from_secs(8), || info_field(&mut c, "server", "hz") == "2"),
                    "{name}: hz did not rise"
                );
                assert_eq!(info_field(&mut c, "server", "configured_hz"), "1", "{name}");
                drop(extra);
                assert!(
                    wait_until(Duration::from_secs(8), || info_field(&mut c, "server", "hz") == "1"),
                    "{name}: hz did not come back"
                );
                // without dynamic-hz the effective hz is the configured one
                assert_eq!(c.cmd(&["CONFIG", "SET", "dynamic-hz", "no"]), b"+OK\r\n");
                assert_eq!(c.cmd(&["CONFIG", "SET", "hz", "700"]), b"+OK\r\n");
                assert_eq!(parse_reply(&c.cmd(&["CONFIG", "GET", "hz"])).as_array().map(|a| a.len()), Some(2));
                assert!(
                    wait_until(Duration::from_secs(5), || info_field(&mut c, "server", "hz") == "500"),
                    "{name}: hz not clamped to 500"
                );
            });
        }
    });
    // CONFIG GET hz after the clamp: the same on both
    let got: Vec<Vec<u8>> = servers.iter().map(|s| s.connect().cmd(&["CONFIG", "GET", "hz"])).collect();
    assert_eq!(got[0], got[1]);
    let info: Vec<String> = servers.iter().map(|s| info_field(&mut s.connect(), "server", "configured_hz")).collect();
    assert_eq!(info[0], info[1]);
}
