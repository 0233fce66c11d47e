//! INFO and MEMORY against the reference: an in-process vireo (`TestServer`, with the counting
//! allocator installed as in the binary) and a real redis-server 7.0.15 started on a free port.
//! For every section the field names and their order must be those of Redis (values differ by
//! nature); values must have the same shape (integer, decimal, percentage, human size) and
//! agree with what the test did to the server.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use vireo_server::testing::TestServer;

#[global_allocator]
static GLOBAL: vireo_server::alloc::VireoAlloc = vireo_server::alloc::VireoAlloc;

// ------------------------------------------------------------------------------------------
// A reference redis-server and a minimal RESP client

struct Redis {
    child: Child,
    conn: BufReader<TcpStream>,
    _dir: std::path::PathBuf,
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self._dir);
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Redis {
    fn start() -> Redis {
        Redis::start_with(&[])
    }

    /// A reference server with extra command-line options.
    fn start_with(extra: &[&str]) -> Redis {
        let port = free_port();
        let dir = std::env::temp_dir().join(format!("vireo-info-test-{}-{}", std::process::id(), port));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .arg("--dir")
            .arg(&dir)
            .args(extra)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server 7.0.15 must be installed (scripts/install-deps.sh)");
        let deadline = Instant::now() + Duration::from_secs(10);
        let stream = loop {
            match TcpStream::connect(("127.0.0.1", port)) {
                Ok(s) => break s,
                Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Err(e) => panic!("redis-server did not start: {e}"),
            }
        };
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        Redis { child, conn: BufReader::new(stream), _dir: dir }
    }

    /// Sends one command and returns the reply's raw bytes.
    fn cmd(&mut self, argv: &[&str]) -> Vec<u8> {
        let mut req = format!("*{}\r\n", argv.len()).into_bytes();
        for a in argv {
            req.extend_from_slice(format!("${}\r\n{}\r\n", a.len(), a).as_bytes());
        }
        self.conn.get_mut().write_all(&req).unwrap();
        let mut out = Vec::new();
        read_reply(&mut self.conn, &mut out);
        out
    }
}

/// Reads one complete RESP2/RESP3 reply, appending its bytes to `out`.
fn read_reply(r: &mut impl BufRead, out: &mut Vec<u8>) {
    let mut line = Vec::new();
    r.read_until(b'\n', &mut line).unwrap();
    out.extend_from_slice(&line);
    let n: i64 = std::str::from_utf8(&line[1..line.len() - 2]).unwrap_or("0").parse().unwrap_or(0);
    match line[0] {
        b'$' | b'=' if n >= 0 => {
            let mut buf = vec![0; n as usize + 2];
            std::io::Read::read_exact(r, &mut buf).unwrap();
            out.extend_from_slice(&buf);
        }
        b'*' | b'~' | b'>' if n > 0 => (0..n).for_each(|_| read_reply(r, out)),
        b'%' | b'|' if n > 0 => (0..2 * n).for_each(|_| read_reply(r, out)),
        _ => {}
    }
}

/// The text of a bulk (`$`) or verbatim (`=`, without its `txt:` prefix) reply.
fn text(reply: &[u8]) -> String {
    let s = String::from_utf8(reply.to_vec()).unwrap();
    let nl = s.find("\r\n").unwrap();
    let body = &s[nl + 2..s.len() - 2];
    match s.as_bytes()[0] {
        b'$' => body.to_string(),
        b'=' => body.strip_prefix("txt:").expect("verbatim txt").to_string(),
        _ => panic!("not a string reply: {s:?}"),
    }
}

/// INFO text as (section name, [(field, value)]) in order.
fn sections(info: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut out: Vec<(String, Vec<(String, String)>)> = Vec::new();
    for line in info.split("\r\n") {
        if let Some(name) = line.strip_prefix("# ") {
            out.push((name.to_string(), Vec::new()));
        } else if !line.is_empty() {
            let (k, v) = line.split_once(':').unwrap_or_else(|| panic!("bad INFO line {line:?}"));
            out.last_mut().expect("field before any section").1.push((k.to_string(), v.to_string()));
        }
    }
    out
}

fn field<'a>(secs: &'a [(String, Vec<(String, String)>)], name: &str) -> &'a str {
    secs.iter()
        .flat_map(|(_, f)| f.iter())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("no field {name}"))
}

#[derive(Debug, PartialEq, Eq)]
enum Shape {
    Int,
    Decimal,
    Percent,
    Human,
    Text,
}

fn shape(v: &str) -> Shape {
    if v.parse::<i64>().is_ok() {
        Shape::Int
    } else if v.parse::<f64>().is_ok() && v.contains('.') {
        Shape::Decimal
    } else if v.strip_suffix('%').is_some_and(|p| p.parse::<f64>().is_ok()) {
        Shape::Percent
    } else if v.len() > 1 && v[..v.len() - 1].parse::<f64>().is_ok() && "BKMGTP".contains(&v[v.len() - 1..]) {
        Shape::Human
    } else {
        Shape::Text
    }
}

/// A TestServer whose client counts as a connected client, as a network client would.
fn vireo() -> TestServer {
    let mut ts = TestServer::new("");
    let id = ts.client.id;
    ts.srv.client_order.insert(id, usize::MAX);
    ts
}

/// The same commands on both servers: calls, a rejected call, a failed call and an unknown
/// command (every command here exists in vireo's core).
fn same_workload(v: &mut TestServer, r: &mut Redis) {
    for argv in [&["PING"][..], &["ECHO", "hi"], &["ECHO"], &["SELECT", "99"], &["NOSUCHCOMMAND"], &["SELECT", "0"]] {
        v.cmd(argv);
        r.cmd(argv);
    }
}

#[test]
fn info_everything_has_redis_fields_in_redis_order() {
    let mut r = Redis::start();
    let mut v = vireo();
    same_workload(&mut v, &mut r);
    let rt = text(&r.cmd(&["INFO", "everything"]));
    let vt = text(&v.cmd(&["INFO", "everything"]));
    assert!(!vt.ends_with("\r\n\r\n"), "no blank line after the last section");
    let rs = sections(&rt);
    let vs = sections(&vt);
    let names = |s: &[(String, Vec<(String, String)>)]| s.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&vs), names(&rs), "sections and their order");
    for ((name, rf), (_, vf)) in rs.iter().zip(vs.iter()) {
        let mut rk: Vec<&str> = rf.iter().map(|(k, _)| k.as_str()).collect();
        let mut vk: Vec<&str> = vf.iter().map(|(k, _)| k.as_str()).collect();
        if name == "Server" {
            assert_eq!(vk.pop(), Some("vireo_version"), "vireo's own field comes last");
        }
        if name == "Commandstats" || name == "Latencystats" {
            // Redis prints these in its hash table's order; vireo in declaration order
            rk.sort();
            vk.sort();
        }
        assert_eq!(vk, rk, "fields of # {name}");
        for ((k, rv), (_, vv)) in rf.iter().zip(vf.iter()) {
            let (rs, vs) = (shape(rv), shape(vv));
            if k == "executable" || k == "config_file" || k == "redis_build_id" {
                continue;
            }
            assert_eq!(vs, rs, "shape of {k}: vireo {vv:?}, redis {rv:?}");
        }
    }
    // the workload's traces, identical on both servers
    for f in ["errorstat_ERR", "total_error_replies"] {
        assert_eq!(field(&vs, f), field(&rs, f), "{f}");
    }
    let cmdstat = |s: &[(String, Vec<(String, String)>)], name: &str| -> Vec<String> {
        // calls, rejected and failed (usec differs)
        let v = field(s, name);
        v.split(',').filter(|p| !p.starts_with("usec")).map(str::to_string).collect()
    };
    for c in ["cmdstat_ping", "cmdstat_echo", "cmdstat_select"] {
        assert_eq!(cmdstat(&vs, c), cmdstat(&rs, c), "{c}");
    }
}

#[test]
fn default_sections_selection_and_case() {
    let mut r = Redis::start();
    let mut v = vireo();
    for args in [
        &["INFO"][..],
        &["INFO", "default"],
        &["INFO", "all"],
        &["INFO", "Server", "CPU"],
        &["INFO", "keyspace", "server", "keyspace"],
        &["INFO", "commandstats"],
        &["INFO", "modules"],
        &["INFO", "module_list"],
        &["INFO", "all", "nosuch"],
        &["INFO", "nosuch"],
        &["INFO", "nosuch", "other"],
    ] {
        let rt = text(&r.cmd(args));
        let vt = text(&v.cmd(args));
        let heads = |t: &str| t.split("\r\n").filter(|l| l.starts_with('#')).map(str::to_string).collect::<Vec<_>>();
        assert_eq!(heads(&vt), heads(&rt), "{args:?}");
        assert_eq!(vt.is_empty(), rt.is_empty(), "{args:?}");
    }
    // an unknown section is an empty string, in both protocols
    assert_eq!(v.cmd(&["INFO", "nosuch"]), b"$0\r\n\r\n");
    v.cmd(&["HELLO", "3"]);
    assert_eq!(v.cmd(&["INFO", "nosuch"]), b"=4\r\ntxt:\r\n");
    let body = "# Cluster\r\ncluster_enabled:0\r\n";
    assert_eq!(v.cmd(&["INFO", "cluster"]), format!("={}\r\ntxt:{}\r\n", body.len() + 4, body).into_bytes());
}

#[test]
fn values_follow_the_server_state() {
    let mut v = vireo();
    v.cmd(&["ECHO"]);
    v.cmd(&["PING"]);
    {
        let db = v.srv.db(0);
        db.set(b"foo", vireo_keyspace::Value::from_bytes(b"bar"), false);
        db.set(b"bar", vireo_keyspace::Value::from_bytes(&[b'x'; 1000]), false);
        db.set_expire(b"bar", i64::MAX / 2);
    }
    let s = sections(&text(&v.cmd(&["INFO", "all"])));
    assert_eq!(field(&s, "redis_version"), "7.0.15");
    assert_eq!(field(&s, "vireo_version"), vireo_server::VIREO_VERSION);
    assert_eq!(field(&s, "run_id"), v.srv.run_id);
    assert_eq!(field(&s, "process_id"), std::process::id().to_string());
    assert_eq!(field(&s, "connected_clients"), "1");
    assert_eq!(field(&s, "db0"), "keys=2,expires=1,avg_ttl=0");
    assert_eq!(field(&s, "errorstat_ERR"), "count=1");
    assert_eq!(field(&s, "total_error_replies"), "1");
    assert!(field(&s, "cmdstat_ping").starts_with("calls=1,usec="), "{}", field(&s, "cmdstat_ping"));
    assert!(field(&s, "cmdstat_echo").ends_with(",rejected_calls=1,failed_calls=0"));
    let lat = field(&s, "latency_percentiles_usec_ping");
    assert!(lat.starts_with("p50=") && lat.contains(",p99=") && lat.contains(",p99.9="), "{lat}");
    let used: u64 = field(&s, "used_memory").parse().unwrap();
    assert!(used > 0, "the counting allocator is installed");
    assert_eq!(field(&s, "used_memory_human"), vireo_server::info::bytes_to_human(used));
    let peak: u64 = field(&s, "used_memory_peak").parse().unwrap();
    assert!(peak >= used);
    let overhead: u64 = field(&s, "used_memory_overhead").parse().unwrap();
    let dataset: u64 = field(&s, "used_memory_dataset").parse().unwrap();
    // other tests allocate and free concurrently in this process, so the startup baseline may
    // exceed what is in use now: then the dataset is empty rather than negative
    assert!(overhead + dataset == used || (dataset == 0 && overhead >= used), "{overhead} {dataset} {used}");
    assert!(field(&s, "mem_clients_normal").parse::<u64>().unwrap() > 0);
    assert!(field(&s, "used_memory_rss").parse::<u64>().unwrap() > 0);
    assert!(field(&s, "allocator_allocated").parse::<u64>().unwrap() > 0);
    assert!(field(&s, "mem_allocator").starts_with("jemalloc-5."));
    assert_eq!(field(&s, "maxmemory_policy"), "noeviction");
    assert_eq!(field(&s, "rdb_changes_since_last_save"), v.srv.dirty.to_string());
    assert_eq!(field(&s, "repl_backlog_size"), "1048576");
    assert_eq!(field(&s, "master_replid").len(), 40);
    assert_ne!(field(&s, "master_replid"), field(&s, "run_id"));
    let os = field(&s, "os");
    assert!(os.starts_with("Linux ") && os.split(' ').count() == 3, "{os}");
    let cpu = field(&s, "used_cpu_user_main_thread");
    assert!(cpu.split_once('.').is_some_and(|(_, us)| us.len() == 6), "{cpu}");

    // MEMORY STATS agrees with INFO on the structure of the keyspace
    let stats = String::from_utf8(v.cmd(&["MEMORY", "STATS"])).unwrap();
    assert!(stats.starts_with("*56\r\n$14\r\npeak.allocated\r\n:"), "{stats}");
    assert!(stats.contains("$4\r\ndb.0\r\n*6\r\n$23\r\noverhead.hashtable.main\r\n:"));
    assert!(stats.contains("$10\r\nkeys.count\r\n:2\r\n"));
}

#[test]
fn memory_usage_counts_what_the_key_holds() {
    let mut v = vireo();
    let small = String::from_utf8(v.cmd(&["MEMORY", "USAGE", "foo"])).unwrap();
    assert_eq!(small, "$-1\r\n");
    v.srv.db(0).set(b"foo", vireo_keyspace::Value::from_bytes(b"bar"), false);
    v.srv.db(0).set(b"big", vireo_keyspace::Value::from_bytes(&[b'x'; 1000]), false);
    let n = |r: Vec<u8>| String::from_utf8(r).unwrap().trim_start_matches(':').trim_end().parse::<i64>().unwrap();
    let small = n(v.cmd(&["MEMORY", "USAGE", "foo"]));
    let big = n(v.cmd(&["MEMORY", "usage", "big", "SAMPLES", "0"]));
    assert!(small > 0 && small < 128, "{small}");
    assert!(big >= small + 1000 && big < small + 1100, "{small} {big}");
    assert_eq!(v.cmd(&["MEMORY", "USAGE", "foo", "SAMPLES", "-1"]), b"-ERR syntax error\r\n");
    assert_eq!(v.cmd(&["MEMORY", "USAGE", "foo", "SAMPLES"]), b"-ERR syntax error\r\n");
    assert_eq!(v.cmd(&["MEMORY", "USAGE", "foo", "SAMPLES", "x"]), b"-ERR value is not an integer or out of range\r\n");
}

#[test]
fn memory_replies_match_redis_where_deterministic() {
    let mut r = Redis::start();
    let mut v = vireo();
    for args in [
        &["MEMORY"][..],
        &["MEMORY", "nosuch"],
        &["MEMORY", "USAGE"],
        &["MEMORY", "USAGE", "missing"],
        &["MEMORY", "USAGE", "missing", "SAMPLES", "5"],
        &["MEMORY", "USAGE", "missing", "bogus"],
        &["MEMORY", "STATS", "extra"],
        &["MEMORY", "DOCTOR", "extra"],
        &["MEMORY", "PURGE"],
        &["MEMORY", "PURGE", "x"],
        &["MEMORY", "MALLOC-STATS", "x"],
        &["MEMORY", "HELP"],
    ] {
        assert_eq!(String::from_utf8_lossy(&v.cmd(args)), String::from_utf8_lossy(&r.cmd(args)), "{args:?}");
    }
    // MEMORY STATS: the same keys in the same order, in both protocols
    let keys = |reply: &[u8]| -> Vec<String> {
        let s = String::from_utf8_lossy(reply).into_owned();
        let lines: Vec<&str> = s.split("\r\n").collect();
        lines
            .iter()
            .zip(lines.iter().skip(1))
            .filter(|(a, _)| a.starts_with('$'))
            .map(|(_, b)| b.to_string())
            .filter(|b| b.contains('.') && b.parse::<f64>().is_err())
            .collect()
    };
    let (rk, vk) = (keys(&r.cmd(&["MEMORY", "STATS"])), keys(&v.cmd(&["MEMORY", "STATS"])));
    assert_eq!(vk, rk);
    r.cmd(&["HELLO", "3"]);
    v.cmd(&["HELLO", "3"]);
    let (rr, vr) = (r.cmd(&["MEMORY", "STATS"]), v.cmd(&["MEMORY", "STATS"]));
    assert_eq!(&vr[..4], &rr[..4], "a RESP3 map of the same size");
    assert!(vr.windows(22).any(|w| w == b"fragmentation.bytes\r\n:"));
    let doctor = text(&v.cmd(&["MEMORY", "DOCTOR"]));
    assert!(doctor.starts_with("Hi Sam,") || doctor.starts_with("Sam,"), "{doctor}");
    let malloc = text(&v.cmd(&["MEMORY", "MALLOC-STATS"]));
    assert!(malloc.contains("jemalloc statistics"));
}

/// The field names of one section of an INFO text.
fn section_names(info: &str, name: &str) -> Vec<String> {
    sections(info)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, f)| f.into_iter().map(|(k, _)| k).collect())
        .unwrap_or_else(|| panic!("no section {name}"))
}

#[test]
fn replication_fields_of_a_replica_and_with_min_replicas() {
    // a replica whose master cannot be reached: the link is down and has never been up
    let mut r = Redis::start_with(&["--replicaof", "127.0.0.1", "1", "--min-replicas-to-write", "1"]);
    let mut v = TestServer::new("min-replicas-to-write 1");
    v.srv.masterhost = Some(("127.0.0.1".to_string(), 1));
    let rt = text(&r.cmd(&["INFO", "replication"]));
    let vt = text(&v.cmd(&["INFO", "replication"]));
    assert_eq!(section_names(&vt, "Replication"), section_names(&rt, "Replication"));
    let (rs, vs) = (sections(&rt), sections(&vt));
    for f in [
        "role",
        "master_host",
        "master_port",
        "master_link_status",
        "master_last_io_seconds_ago",
        "master_sync_in_progress",
        "slave_read_repl_offset",
        "slave_repl_offset",
        "master_link_down_since_seconds",
        "slave_priority",
        "slave_read_only",
        "replica_announced",
        "connected_slaves",
        "min_slaves_good_slaves",
        "master_failover_state",
        "master_replid2",
        "second_repl_offset",
        "repl_backlog_active",
        "repl_backlog_size",
    ] {
        assert_eq!(field(&vs, f), field(&rs, f), "{f}");
    }
}

#[test]
fn loading_fields_appear_only_while_loading() {
    let mut v = vireo();
    let idle = text(&v.cmd(&["INFO", "persistence"]));
    assert!(!idle.contains("loading_"), "{idle}");
    v.srv.loading = true;
    let names = section_names(&text(&v.cmd(&["INFO", "persistence"])), "Persistence");
    // Redis 7.0.15 appends these, in this order, while loading (genRedisInfoString)
    let tail = [
        "loading_start_time",
        "loading_total_bytes",
        "loading_rdb_used_mem",
        "loading_loaded_bytes",
        "loading_loaded_perc",
        "loading_eta_seconds",
    ];
    assert_eq!(&names[names.len() - tail.len()..], tail);
    assert_eq!(names[0], "loading");
}
