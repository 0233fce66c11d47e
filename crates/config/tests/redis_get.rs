//! CONFIG GET of vireo-config compared with the reference redis-server 7.0.15: all parameters
//! with their defaults, a loaded redis.conf, values after CONFIG SET, and pattern matching.

mod common;

use common::*;
use std::collections::BTreeMap;
use vireo_config::{parse_args_in, Config};

fn as_map(pairs: Vec<(String, String)>) -> BTreeMap<String, String> {
    let n = pairs.len();
    let map: BTreeMap<String, String> = pairs.into_iter().collect();
    assert_eq!(map.len(), n, "CONFIG GET returned a name twice");
    map
}

/// Our configuration for the same command line, run in `dir`.
fn ours(dir: &std::path::Path, args: &[String]) -> Config {
    let parsed = parse_args_in(args, Some(dir.to_str().unwrap())).unwrap();
    let mut c = Config { dir: dir.display().to_string(), ..Config::default() };
    c.load_from(parsed.config_file.as_deref(), None, &parsed.options).unwrap();
    c
}

fn assert_same(theirs: &BTreeMap<String, String>, ours: &BTreeMap<String, String>) {
    let mut diffs = Vec::new();
    for (k, v) in theirs {
        match ours.get(k) {
            None => diffs.push(format!("missing in vireo: {} = {:?}", k, v)),
            Some(o) if o != v => diffs.push(format!("{}: redis {:?}, vireo {:?}", k, v, o)),
            _ => {}
        }
    }
    for k in ours.keys().filter(|k| !theirs.contains_key(*k)) {
        diffs.push(format!("only in vireo: {}", k));
    }
    assert!(diffs.is_empty(), "CONFIG GET differs:\n{}", diffs.join("\n"));
}

#[test]
fn defaults_match_redis() {
    if !redis_available() {
        return;
    }
    let dir = TempDir::new("get-defaults");
    // The only process-dependent values (port, unixsocket, save, dir) are set the same on both
    // sides: through the command line, and dir by running both in the same directory.
    let args = server_args(dir.path(), &["--save", "", "--daemonize", "no"]);
    let mut redis = Redis::start(dir.path(), &args);
    let theirs = as_map(redis.config_get(&["*"]));
    let c = ours(dir.path(), &args);
    let mine = as_map(c.get(&[b"*"]));
    assert_eq!(theirs.len(), 192, "the reference lists 192 names (aliases included, hidden ones excluded)");
    assert_same(&theirs, &mine);
    // The built-in save rules (not visible above since both sides use --save "").
    assert_eq!(Config::default().get(&[b"save"])[0].1, "3600 1 300 100 60 10000");

    // Hidden parameters answer by exact name only.
    for hidden in [
        "use-exit-on-panic",
        "rdb-key-save-delay",
        "key-load-delay",
        "watchdog-period",
        "loading-process-events-interval-bytes",
    ] {
        assert_eq!(redis.config_get(&[hidden]), c.get(&[hidden.as_bytes()]), "{}", hidden);
    }
}

#[test]
fn patterns_match_redis() {
    if !redis_available() {
        return;
    }
    let dir = TempDir::new("get-patterns");
    let args = server_args(dir.path(), &["--save", ""]);
    let mut redis = Redis::start(dir.path(), &args);
    let c = ours(dir.path(), &args);
    let cases: &[&[&str]] = &[
        &["port"],
        &["PORT"],
        &["Port", "port", "p?rt"],
        &["p*t", "PORT"],
        &["*max*"],
        &["MAXMEMORY*"],
        &["*slave*"],
        &["*ziplist*", "*listpack*"],
        &["[a-c]*"],
        &["[^a-r]*"],
        &["slave-read-onl[xy]", "SLAVE-read-only"],
        &["hash-max-*-entries"],
        &["?"],
        &["nope", "*nope*"],
        &[""],
        &["use-exit-on-panic", "use-exit*"],
        &["tls-*", "*port"],
        &["repl\\-*"],
    ];
    for pats in cases {
        let mut theirs = redis.config_get(pats);
        let p: Vec<&[u8]> = pats.iter().map(|s| s.as_bytes()).collect();
        let mut mine = c.get(&p);
        // Redis returns its reply in hash-table order: compare as sets.
        theirs.sort();
        mine.sort();
        assert_eq!(theirs, mine, "CONFIG GET {:?}", pats);
    }
}

#[test]
fn loaded_redis_conf_matches_redis() {
    if !redis_available() {
        return;
    }
    let Some(conf) =
        ["/tmp/redis-suite/redis.conf", "/etc/redis/redis.conf"].into_iter().find(|p| std::path::Path::new(p).exists())
    else {
        eprintln!("note: no redis.conf to compare with");
        return;
    };
    let dir = TempDir::new("get-conf");
    // Redis's file sets a pidfile, a log file and a dir; override what would touch the system.
    let dir_text = dir.path().display().to_string();
    let args = server_args(
        dir.path(),
        &[
            conf,
            "--pidfile",
            "",
            "--logfile",
            "",
            "--daemonize",
            "no",
            "--dir",
            &dir_text,
            "--save",
            "900 1",
            "--save",
            "300 10",
            "--maxmemory",
            "1gb",
            "--client-output-buffer-limit",
            "pubsub 1mb 2mb 3",
            "--bind",
            "127.0.0.1",
            "-::1",
            "--notify-keyspace-events",
            "KEn",
            "--shutdown-on-sigterm",
            "nosave now",
            "--latency-tracking-info-percentiles",
            "1.5 99.99",
            "--unixsocketperm",
            "700",
            "--oom-score-adj",
            "relative",
            "--maxmemory-clients",
            "5%",
        ],
    );
    let mut redis = Redis::start(dir.path(), &args);
    let theirs = as_map(redis.config_get(&["*"]));
    let c = ours(dir.path(), &args);
    assert_same(&theirs, &as_map(c.get(&[b"*"])));
}

#[test]
fn values_after_config_set_match_redis() {
    if !redis_available() {
        return;
    }
    let dir = TempDir::new("get-set");
    let args = server_args(dir.path(), &["--save", ""]);
    let mut redis = Redis::start(dir.path(), &args);
    let mut c = ours(dir.path(), &args);
    let sets: &[&[&str]] = &[
        &["maxmemory", "10mb", "maxmemory-policy", "ALLKEYS-LRU"],
        &["save", "100 1 200 2"],
        &["client-output-buffer-limit", "normal 1k 2kb 3 replica 1 2 3"],
        &["notify-keyspace-events", "Exn"],
        &["hz", "0"],
        &["maxmemory-clients", "18446744073709551615"],
        &["oom-score-adj-values", "1 2 3"],
        &["latency-tracking-info-percentiles", "0.0001 33.33333333 100"],
        &["shutdown-on-sigint", "force now"],
        &["slave-read-only", "yes", "replica-read-only", "no"],
        &["list-max-ziplist-size", "-5", "zset-max-ziplist-value", "1gb"],
        &["proto-max-bulk-len", "2mb", "client-query-buffer-limit", "3mb"],
        &["masterauth", "secret", "masteruser", "u"],
        &["replica-announce-ip", "10.0.0.1", "cluster-announce-hostname", "a.b-c"],
        &["maxmemory", "1", "timeout", "x"],
        &["save", ""],
        &["latency-tracking-info-percentiles", ""],
    ];
    for set in sets {
        let mut cmd = vec!["CONFIG", "SET"];
        cmd.extend_from_slice(set);
        let theirs = redis.cmd_str(&cmd).map(|_| ());
        let pairs: Vec<(&[u8], &[u8])> = set.chunks(2).map(|kv| (kv[0].as_bytes(), kv[1].as_bytes())).collect();
        let mine = c.set(&pairs).map(|_| ());
        assert_eq!(theirs, mine, "CONFIG SET {:?}", set);
        let t = as_map(redis.config_get(&["*"]));
        assert_same(&t, &as_map(c.get(&[b"*"])));
    }
}

#[test]
fn config_set_errors_match_redis() {
    if !redis_available() {
        return;
    }
    let dir = TempDir::new("set-errors");
    let args = server_args(dir.path(), &["--save", ""]);
    let mut redis = Redis::start(dir.path(), &args);
    let mut c = ours(dir.path(), &args);
    let cases: &[&[&str]] = &[
        &["foo", "1"],
        &["Foo", "1", "port", "x"],
        &["port", "abc"],
        &["PORT", "abc"],
        &["daemonize", "yes"],
        &["DAEMONIZE", "yes"],
        &["port", "1", "port", "2"],
        &["port", "1", "PORT", "2"],
        &["dir", "/tmp"],
        &["dbfilename", "x.rdb"],
        &["maxmemory", "1", "foo", "2"],
        &["daemonize", "yes", "foo", "2"],
        &["port", "abc", "daemonize", "yes"],
        &["maxmemory", "abc", "port", "abc"],
        &["SLAVE-PRIORITY", "abc"],
        &["save", "100"],
        &["save", "100 1  200 2"],
        &["shutdown-on-sigint", ""],
        &["shutdown-on-sigint", "save  now"],
        &["shutdown-on-sigterm", "save nosave"],
        &["slaveof", "x"],
        &["replicaof", "a 1"],
        &["timeout", "-1"],
        &["notify-keyspace-events", "K E"],
        &["client-output-buffer-limit", "normal 1 2"],
        &["client-output-buffer-limit", "master 1 2 3"],
        &["oom-score-adj-values", "1  2 3"],
        &["oom-score-adj-values", "1 2 99999"],
        &["maxmemory-policy", "foo"],
        &["appendonly", "maybe"],
        &["unixsocket", "/tmp/x"],
        &["enable-debug-command", "yes"],
        &["proc-title-template", "{title}"],
        &["proc-title-template", "{{"],
        &["cluster-announce-hostname", "bad_name"],
        &["activedefrag", "yes"],
        &["latency-tracking-info-percentiles", "50 x"],
        &["latency-tracking-info-percentiles", "-1"],
        &["maxmemory-clients", "200%"],
        &["unixsocketperm", "777"],
        &["hash-max-ziplist-entries", "-1"],
        &["zset-max-ziplist-value", "1x"],
        &["list-max-ziplist-size", "2147483648"],
        &["repl-backlog-size", "0"],
        &["tls-port", "70000"],
        &["loglevel", "debug verbose"],
    ];
    for set in cases {
        let mut cmd = vec!["CONFIG", "SET"];
        cmd.extend_from_slice(set);
        let theirs = redis.cmd_str(&cmd).map(|_| ());
        let pairs: Vec<(&[u8], &[u8])> = set.chunks(2).map(|kv| (kv[0].as_bytes(), kv[1].as_bytes())).collect();
        let mine = c.set(&pairs).map(|_| ());
        assert_eq!(theirs, mine, "CONFIG SET {:?}", set);
    }
    let t = as_map(redis.config_get(&["*"]));
    assert_same(&t, &as_map(c.get(&[b"*"])));
}
