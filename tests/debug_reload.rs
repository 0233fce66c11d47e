//! DEBUG RELOAD and DEBUG LOADAOF load the dataset while other clients keep being served, as the
//! load at startup does: other clients get -LOADING (EXEC too when it queued such a command),
//! INFO shows loading:1 and the loading_* fields, commands flagged loading still run, and the
//! client that asked is held (no reply, its pipelined commands wait) until the load ends. Each
//! scenario runs on vireo and on the reference redis-server 7.0.15 alike, and the replies are
//! compared where they are deterministic: the failure replies (a failed save, a missing or
//! damaged file) and what happens to the server then (it keeps running; DEBUG LOADAOF with
//! nothing to load and a duplicated key without MERGE end it), DEBUG RELOAD inside MULTI,
//! SHUTDOWN during the load (no save), and a replica applying its master's stream after
//! reloading. Tests poll for states; none depends on how long a load takes.

mod runtime_support;

use runtime_support::*;
use std::path::Path;
use std::time::Duration;
use vireo_testkit::{parse_reply, RawConn, ServerBuilder, ServerProcess};

/// Clients are served every KB of the load.
const SERVED: &[&str] = &["--enable-debug-command", "yes", "--loading-process-events-interval-bytes", "1024"];

const LOADING: &[u8] = b"-LOADING Redis is loading the dataset in memory\r\n";

fn start(b: ServerBuilder, extra: &[&str]) -> ServerProcess {
    b.args(SERVED.iter().copied()).args(extra.iter().copied()).start()
}

fn text(r: &[u8]) -> String {
    String::from_utf8_lossy(r).into_owned()
}

fn ok(c: &mut RawConn, args: &[&str]) {
    let r = c.cmd(args);
    assert!(!r.starts_with(b"-"), "{args:?}: {}", text(&r));
}

fn int(c: &mut RawConn, args: &[&str]) -> i64 {
    let r = c.cmd(args);
    parse_reply(&r).as_int().unwrap_or_else(|| panic!("{args:?}: {}", text(&r)))
}

/// Waits until INFO says the server is loading.
fn wait_loading(s: &ServerProcess, c: &mut RawConn) {
    assert!(
        wait_until(Duration::from_secs(30), || info_field(c, "persistence", "loading") == "1"),
        "{} never showed loading:1\n{}",
        s.name(),
        s.log_tail(20)
    );
}

fn wait_loaded(c: &mut RawConn) {
    assert!(wait_until(Duration::from_secs(60), || info_field(c, "persistence", "loading") == "0"));
}

/// What a client sees while a load runs: refusals, the loading fields, the commands flagged
/// loading; `total` is the loading_total_bytes expected. `held` is the client that asked for
/// the load, which gets nothing while it runs.
fn check_while_loading(s: &ServerProcess, c: &mut RawConn, held: &mut RawConn, total: u64) {
    wait_loading(s, c);
    let early = held.try_read_reply(Duration::from_millis(100));
    let still_loading = info_field(c, "persistence", "loading") == "1";
    if still_loading {
        assert_eq!(early, None, "{}: the client got its reply before the load ended", s.name());
    }
    assert_eq!(c.cmd(&["GET", "key:1"]), LOADING, "{}", s.name());
    assert_eq!(c.cmd(&["SET", "intruder", "1"]), LOADING, "{}", s.name());
    assert_eq!(c.cmd(&["PING"]), LOADING, "{}", s.name());
    assert_eq!(c.cmd(&["DBSIZE"]), LOADING, "{}", s.name());
    let port = s.port().to_string();
    assert_eq!(c.cmd_parsed(&["CONFIG", "GET", "port"]).as_array().unwrap()[1].as_str(), Some(port.as_str()));
    let info = c.cmd_parsed(&["INFO", "persistence"]).as_str().unwrap().to_string();
    if field_of(&info, "loading").as_deref() == Some("1") {
        assert_eq!(field_of(&info, "loading_total_bytes"), Some(total.to_string()), "{}:\n{info}", s.name());
        let loaded: u64 = field_of(&info, "loading_loaded_bytes").unwrap().parse().unwrap();
        assert!(loaded <= total, "{}: {loaded} of {total}", s.name());
        for f in ["loading_start_time", "loading_rdb_used_mem", "loading_loaded_perc", "loading_eta_seconds"] {
            assert!(field_of(&info, f).is_some(), "{}: no {f} while loading:\n{info}", s.name());
        }
    }
    // the held client is not read: CLIENT LIST shows it without the read event
    let list = c.cmd_parsed(&["CLIENT", "LIST"]).as_str().unwrap().to_string();
    if info_field(c, "persistence", "loading") == "1" {
        let line = list.lines().find(|l| client_field(l, "cmd") == Some("debug")).expect("the DEBUG client");
        assert_eq!(client_field(line, "events"), Some(""), "{}: {line}", s.name());
    }
}

fn debug_reload_serves_clients_until_its_reply(s: &ServerProcess) {
    let mut a = s.connect();
    ok(&mut a, &["DEBUG", "POPULATE", "20000", "key", "20"]);
    ok(&mut a, &["SET", "marker", "before"]);
    ok(&mut a, &["SAVE"]);
    let size = std::fs::metadata(s.dir().join("dump.rdb")).unwrap().len();
    ok(&mut a, &["SET", "marker", "after the save"]);
    ok(&mut a, &["CONFIG", "SET", "key-load-delay", "100"]);
    // a transaction queued before the load may not run during it
    let mut t = s.connect();
    ok(&mut t, &["MULTI"]);
    assert_eq!(t.cmd(&["SET", "queued", "1"]), b"+QUEUED\r\n");

    a.send_cmd(&["DEBUG", "RELOAD", "NOSAVE"]);
    a.send_cmd(&["GET", "marker"]);
    let mut c = s.connect();
    wait_loading(s, &mut c);
    // a WATCH made while the keys load holds after the load
    let mut w = s.connect();
    let watched: Vec<String> = (0..20000).step_by(400).map(|i| format!("key:{i}")).collect();
    let mut args = vec!["WATCH"];
    args.extend(watched.iter().map(|k| k.as_str()));
    assert_eq!(w.cmd(&args), b"+OK\r\n");
    check_while_loading(s, &mut c, &mut a, size);
    let r = t.cmd(&["EXEC"]);
    if info_field(&mut c, "persistence", "loading") == "1" {
        assert_eq!(
            r,
            b"-EXECABORT Transaction discarded because of: LOADING Redis is loading the dataset in memory\r\n"
        );
    }

    // the reply when the load ends, then the command that waited behind it
    a.set_timeout(Duration::from_secs(60));
    assert_eq!(a.read_reply(), b"+OK\r\n", "{}", s.name());
    assert_eq!(a.read_reply(), b"$6\r\nbefore\r\n", "{}", s.name());
    assert_eq!(info_field(&mut c, "persistence", "loading"), "0");
    assert_eq!(int(&mut c, &["DBSIZE"]), 20001);
    assert_eq!(c.cmd(&["GET", "key:19999"]), b"$20\r\nvalue:19999\0\0\0\0\0\0\0\0\0\r\n");
    assert_eq!(info_field(&mut c, "persistence", "rdb_last_load_keys_loaded"), "20001");
    assert_eq!(int(&mut c, &["EXISTS", "intruder", "queued"]), 0);
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
    ok(&mut c, &["SET", "unrelated", "1"]);
    ok(&mut w, &["MULTI"]);
    assert_eq!(w.cmd(&["PING"]), b"+QUEUED\r\n");
    assert_eq!(w.cmd(&["EXEC"]), b"*1\r\n+PONG\r\n", "{}: a load touched watched keys", s.name());
}

#[test]
fn debug_reload_serves_other_clients_while_it_loads() {
    for b in [vireo(), redis()] {
        let s = start(b, &[]);
        debug_reload_serves_clients_until_its_reply(&s);
    }
}

fn aof_files_size(dir: &Path) -> u64 {
    let d = dir.join("appendonlydir");
    std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| !e.file_name().to_string_lossy().ends_with(".manifest"))
        .map(|e| e.metadata().unwrap().len())
        .sum()
}

#[test]
fn debug_loadaof_serves_other_clients_while_it_loads() {
    for b in [vireo(), redis()] {
        let s = start(b, &["--appendonly", "yes"]);
        let mut a = s.connect();
        // commands in the incr file (a pipeline, then every reply)
        for i in 0..30000 {
            a.send_cmd(&["SET", &format!("key:{i}"), &format!("value {i}")]);
        }
        for _ in 0..30000 {
            assert_eq!(a.read_reply(), b"+OK\r\n");
        }
        ok(&mut a, &["RPUSH", "list", "a", "b", "c"]);
        let digest = a.cmd(&["DEBUG", "DIGEST"]);
        ok(&mut a, &["CONFIG", "SET", "key-load-delay", "50"]);

        a.send_cmd(&["DEBUG", "LOADAOF"]);
        a.send_cmd(&["LRANGE", "list", "0", "-1"]);
        let mut c = s.connect();
        // the buffer is written out first: the files then hold everything to load
        wait_loading(&s, &mut c);
        let total = aof_files_size(s.dir());
        check_while_loading(&s, &mut c, &mut a, total);

        a.set_timeout(Duration::from_secs(60));
        assert_eq!(a.read_reply(), b"+OK\r\n", "{}", s.name());
        assert_eq!(a.read_reply(), b"*3\r\n$1\r\na\r\n$1\r\nb\r\n$1\r\nc\r\n");
        wait_loaded(&mut c);
        assert_eq!(c.cmd(&["DEBUG", "DIGEST"]), digest, "{}", s.name());
        assert_eq!(int(&mut c, &["DBSIZE"]), 30001);
        // the replay was not written to the AOF again
        assert_eq!(aof_files_size(s.dir()), total, "{}", s.name());
        // a write after the load is appended as usual
        ok(&mut c, &["SET", "later", "1"]);
        assert!(wait_until(Duration::from_secs(10), || aof_files_size(s.dir()) > total));
    }
}

#[test]
fn loaded_keys_raise_no_keyspace_events() {
    for b in [vireo(), redis()] {
        let s = start(b, &["--notify-keyspace-events", "En"]);
        let mut c = s.connect();
        ok(&mut c, &["DEBUG", "POPULATE", "1000", "key", "20"]);
        ok(&mut c, &["SAVE"]);
        let mut sub = s.connect();
        ok(&mut sub, &["PSUBSCRIBE", "__keyevent@*__:new"]);
        assert_eq!(c.cmd(&["DEBUG", "RELOAD", "NOSAVE"]), b"+OK\r\n");
        ok(&mut c, &["SET", "fresh", "1"]);
        // the first event is the key created after the load
        let msg = sub.read_parsed();
        let parts = msg.as_array().unwrap_or_else(|| panic!("{}: {msg:?}", s.name()));
        assert_eq!(parts[3].as_str(), Some("fresh"), "{}: {msg:?}", s.name());
    }
}

/// The replies of the failure cases, for one server.
fn failures(s: &ServerProcess) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut c = s.connect();
    // options
    out.push(c.cmd(&["DEBUG", "RELOAD", "NOW"]));
    // no file to load (with NOSAVE): the dataset is emptied all the same
    ok(&mut c, &["SET", "gone", "1"]);
    out.push(c.cmd(&["DEBUG", "RELOAD", "NOSAVE"]));
    out.push(c.cmd(&["DBSIZE"]));
    // a file cut short: the error, and the server keeps running
    for i in 0..300 {
        ok(&mut c, &["SET", &format!("k{i}"), &"v".repeat(100)]);
    }
    ok(&mut c, &["SAVE"]);
    let path = s.dir().join("dump.rdb");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    out.push(c.cmd(&["DEBUG", "RELOAD", "NOSAVE"]));
    out.push(c.cmd(&["PING"]));
    // a damaged checksum: every key loaded, then the error
    let mut bad = bytes.clone();
    let n = bad.len();
    bad[n - 1] ^= 0xff;
    std::fs::write(&path, &bad).unwrap();
    out.push(c.cmd(&["DEBUG", "RELOAD", "NOSAVE"]));
    out.push(c.cmd(&["DBSIZE"]));
    // a save that fails (its directory is gone): the bare error, nothing changes
    std::fs::write(&path, &bytes).unwrap();
    out.push(c.cmd(&["DEBUG", "RELOAD", "NOSAVE"]));
    ok(&mut c, &["SET", "extra", "1"]);
    let gone = s.dir().join("gone");
    std::fs::create_dir_all(&gone).unwrap();
    out.push(c.cmd(&["CONFIG", "SET", "dir", gone.to_str().unwrap()]));
    std::fs::remove_dir(&gone).unwrap();
    out.push(c.cmd(&["DEBUG", "RELOAD"]));
    out.push(c.cmd(&["DBSIZE"]));
    ok(&mut c, &["CONFIG", "SET", "dir", s.dir().to_str().unwrap()]);
    // MERGE with NOFLUSH: the file's copy replaces the key in memory, other keys stay
    ok(&mut c, &["SET", "k1", "changed"]);
    ok(&mut c, &["SET", "only-in-memory", "1"]);
    out.push(c.cmd(&["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"]));
    out.push(c.cmd(&["GET", "k1"]));
    out.push(c.cmd(&["DBSIZE"]));
    // inside a transaction it runs at once, and the next command sees the loaded data
    ok(&mut c, &["MULTI"]);
    for args in [&["SET", "k2", "in multi"][..], &["DEBUG", "RELOAD", "NOSAVE"], &["GET", "k2"], &["DBSIZE"]] {
        out.push(c.cmd(args));
    }
    out.push(c.cmd(&["EXEC"]));
    out.push(c.cmd(&["INFO", "errorstats"]));
    out
}

#[test]
fn failures_answer_as_redis_does() {
    let args = ["--enable-protected-configs", "yes"];
    let v = start(vireo(), &args);
    let r = start(redis(), &args);
    let (fv, fr) = (failures(&v), failures(&r));
    for (i, (a, b)) in fv.iter().zip(fr.iter()).enumerate() {
        assert_eq!(text(a), text(b), "reply {i} differs (vireo, redis)");
    }
    assert_eq!(fv[3], b"-ERR Error trying to load the RDB dump\r\n");
    assert_eq!(fv[9], b"-ERR\r\n");
}

/// Sends `args` and expects the server to end with an exit status that `want` accepts.
fn ends_the_server(s: &ServerProcess, c: &mut RawConn, args: &[&str], want: impl Fn(std::process::ExitStatus) -> bool) {
    c.send_cmd(args);
    assert!(c.wait_closed(Duration::from_secs(30)), "{}: {args:?} did not end the connection", s.name());
    let status =
        s.wait_exit(Duration::from_secs(30)).unwrap_or_else(|| panic!("{} still runs after {args:?}", s.name()));
    assert!(want(status), "{}: {args:?} ended with {status:?}\n{}", s.name(), s.log_tail(10));
}

#[test]
fn debug_loadaof_with_nothing_to_load_ends_the_server() {
    for b in [vireo(), redis()] {
        // no AOF at all
        let s = start(b.clone(), &[]);
        let mut c = s.connect();
        ok(&mut c, &["SET", "k", "v"]);
        ends_the_server(&s, &mut c, &["DEBUG", "LOADAOF"], |st| st.code() == Some(1));
        // a file the manifest names is missing
        let s = start(b, &["--appendonly", "yes"]);
        let mut c = s.connect();
        ok(&mut c, &["SET", "k", "v"]);
        let d = s.dir().join("appendonlydir");
        let incr = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.to_string_lossy().ends_with(".incr.aof"))
            .expect("an incr file");
        std::fs::remove_file(incr).unwrap();
        ends_the_server(&s, &mut c, &["DEBUG", "LOADAOF"], |st| st.code() == Some(1));
    }
}

#[test]
fn duplicated_key_without_merge_ends_the_server() {
    for b in [vireo(), redis()] {
        let s = start(b, &[]);
        let mut c = s.connect();
        ok(&mut c, &["SET", "k", "v"]);
        ok(&mut c, &["SAVE"]);
        // Redis panics here: a crash, not an exit
        ends_the_server(&s, &mut c, &["DEBUG", "RELOAD", "NOSAVE", "NOFLUSH"], |st| !st.success());
    }
}

#[test]
fn shutdown_during_debug_reload_exits_without_saving() {
    for b in [vireo(), redis()] {
        let s = start(b.without_default("save"), &["--save", "3600 1"]);
        let mut a = s.connect();
        ok(&mut a, &["DEBUG", "POPULATE", "20000", "key", "20"]);
        ok(&mut a, &["SAVE"]);
        let saved = std::fs::read(s.dir().join("dump.rdb")).unwrap();
        ok(&mut a, &["SET", "unsaved", "1"]);
        ok(&mut a, &["CONFIG", "SET", "key-load-delay", "200"]);
        a.send_cmd(&["DEBUG", "RELOAD", "NOSAVE"]);
        let mut c = s.connect();
        wait_loading(&s, &mut c);
        c.send_cmd(&["SHUTDOWN"]);
        assert!(c.wait_closed(Duration::from_secs(30)));
        assert!(a.wait_closed(Duration::from_secs(30)));
        let status = s.wait_exit(Duration::from_secs(30)).expect("the server exits");
        assert_eq!(status.code(), Some(0), "{}", s.name());
        // a half-loaded dataset is not saved over the file
        assert_eq!(std::fs::read(s.dir().join("dump.rdb")).unwrap(), saved, "{}", s.name());
        assert!(has_log(&s.log(), '#', "User requested shutdown..."), "{}", s.log_tail(10));
        assert!(!s.log().contains("Saving the final RDB snapshot"), "{}", s.log_tail(10));
    }
}

#[test]
fn replica_applies_its_masters_stream_after_reloading() {
    let m = start(vireo(), &["--repl-diskless-sync-delay", "0"]);
    let mut mc = m.connect();
    ok(&mut mc, &["DEBUG", "POPULATE", "20000", "key", "20"]);
    let port = m.port().to_string();
    let r = start(vireo(), &["--replicaof", "127.0.0.1", &port]);
    let mut rc = r.connect();
    assert!(wait_until(Duration::from_secs(30), || info_field(&mut rc, "replication", "master_link_status") == "up"));
    ok(&mut rc, &["CONFIG", "SET", "key-load-delay", "100"]);
    let mut held = r.connect();
    held.send_cmd(&["DEBUG", "RELOAD"]);
    wait_loading(&r, &mut rc);
    // the master writes while the replica loads: the stream waits, then is applied
    for i in 0..200 {
        ok(&mut mc, &["SET", &format!("during:{i}"), &i.to_string()]);
    }
    ok(&mut mc, &["APPEND", "key:7", "+"]);
    held.set_timeout(Duration::from_secs(60));
    assert_eq!(held.read_reply(), b"+OK\r\n");
    let converged = wait_until(Duration::from_secs(30), || {
        info_field(&mut rc, "replication", "master_repl_offset")
            == info_field(&mut mc, "replication", "master_repl_offset")
            && rc.cmd(&["DEBUG", "DIGEST"]) == mc.cmd(&["DEBUG", "DIGEST"])
    });
    assert!(converged, "the replica did not catch up:\n{}", r.log_tail(20));
    assert_eq!(int(&mut rc, &["DBSIZE"]), 20200);
    assert_eq!(info_field(&mut rc, "replication", "master_link_status"), "up");
}
