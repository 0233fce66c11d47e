//! Startup errors of vireo-config compared with the reference redis-server 7.0.15: bad config
//! files and bad command lines must give the very same text (redis-server prints it to stderr
//! and exits 1). Also checks that Redis's own default redis.conf loads.

mod common;

use common::*;
use vireo_config::{parse_args_in, Config, LoadError};

/// Runs both on a config file holding `text`, plus command-line `extra` arguments.
fn compare(text: &str, extra: &[&str]) {
    let dir = TempDir::new("errors");
    let file = dir.path().join("t.conf");
    std::fs::write(&file, text).unwrap();
    let mut args = vec![file.display().to_string()];
    args.extend(extra.iter().map(|s| s.to_string()));
    let (code, stderr, stdout) = run_failing(dir.path(), &args);
    assert_eq!(code, Some(1), "redis-server accepted {:?} {:?}: {}{}", text, extra, stderr, stdout);

    let parsed = parse_args_in(&args, Some(dir.path().to_str().unwrap())).unwrap();
    let mut c = Config { dir: dir.path().display().to_string(), ..Config::default() };
    let err = c.load_from(parsed.config_file.as_deref(), None, &parsed.options).unwrap_err();
    match err {
        LoadError::Fatal(t) => assert_eq!(stderr, format!("{}\n", t), "config {:?} args {:?}", text, extra),
        LoadError::Log(t) => {
            // Logged as "<pid>:C <date> # <message>" on stdout.
            let line = stdout.lines().find(|l| l.contains("Fatal error")).unwrap_or("");
            assert!(line.ends_with(&format!("# {}", t)), "log line {:?} vs {:?}", line, t);
        }
    }
}

#[test]
fn bad_config_lines_fail_like_redis() {
    if !redis_available() {
        return;
    }
    let lines = [
        "port \"abc\"",
        "port 70000",
        "foo bar",
        "port 1 2",
        "daemonize maybe",
        "maxmemory -1",
        "maxmemory 1tb",
        "save 1",
        "save 0 1",
        "save \"100 x\"",
        "loglevel loud",
        "port \"abc",
        "bind 'a",
        "port \"a\"b",
        "unixsocketperm -1",
        "unixsocketperm 800",
        "unixsocketperm 1777",
        "maxmemory \" 1\"",
        "maxmemory +1",
        "timeout 0x10",
        "timeout 05",
        "timeout +5",
        "timeout 99999999999999999999",
        "activedefrag yes",
        "sentinel monitor x",
        "user",
        "replicaof a b",
        "replicaof a 70000",
        "replicaof a",
        "notify-keyspace-events Q",
        "oom-score-adj-values 1 2",
        "oom-score-adj-values 1 2 3000",
        "latency-tracking-info-percentiles 101",
        "latency-tracking-info-percentiles abc",
        "latency-tracking-info-percentiles 1e400",
        "shutdown-on-sigint save nosave",
        "shutdown-on-sigint bad",
        "proc-title-template \"{foo}\"",
        "proc-title-template \"{title}\"",
        "proc-title-template \"{title\"",
        "dbfilename a/b",
        "appendfilename \"\"",
        "appenddirname a/b",
        "dir /nonexistent",
        "cluster-announce-hostname \"a_b\"",
        "client-output-buffer-limit normal 1 2",
        "client-output-buffer-limit master 1 2 3",
        "client-output-buffer-limit normal 1x 2 3",
        "client-output-buffer-limit normal 1 2 -3",
        "foo.bar",
        "loadmodule",
        "include",
        "include a b",
        "rename-command a",
        "list-max-ziplist-entries 5 6",
        "lua-replicate-commands",
        "maxmemory-clients 101%",
        "maxmemory-clients -1%",
        "maxmemory-clients abc",
        "maxclients -1",
        "maxclients 0",
        "slowlog-max-len -1",
        "proto-max-bulk-len 1",
        "client-query-buffer-limit 5",
        "maxmemory-policy foo",
        "appendfsync sometimes",
        "enable-debug-command maybe",
        "bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17",
        "hz -1",
        "databases 0",
        "io-threads 129",
        "list-max-listpack-size 2147483648",
        "slowlog-log-slower-than -2",
        "# comment\n\n   \nport x",
        "port 1\r\nport y\r\n",
        "logfile /nonexistent/dir/log",
        "cluster-enabled yes\nreplicaof 127.0.0.1 1",
        "include /nonexistent/file.conf",
    ];
    for l in lines {
        compare(l, &[]);
    }
}

#[test]
fn bad_command_lines_fail_like_redis() {
    if !redis_available() {
        return;
    }
    let cases: &[&[&str]] = &[
        &["--port", "0", "-h"],
        &["--port", "abc"],
        &["--usage"],
        &["--save", "--port", "x"],
        &["--maxmemory", "--x"],
        &["--port 6380", "--hz", "5", "--bad"],
        &["--requirepass", "a\"b c", "--bad", "\x01\\"],
        &["--bind", "1", "2", "--port"],
        &["extra", "--port", "1"],
        &["--", "port"],
        &["--loglevel", "verbose", "--save", "900", "1", "--save", "x"],
    ];
    for args in cases {
        compare("", args);
    }
}

#[test]
fn default_redis_conf_accepted() {
    let Some(conf) =
        ["/tmp/redis-suite/redis.conf", "/etc/redis/redis.conf"].into_iter().find(|p| std::path::Path::new(p).exists())
    else {
        eprintln!("note: neither /tmp/redis-suite/redis.conf nor /etc/redis/redis.conf exists; nothing to check");
        return;
    };
    let text = std::fs::read_to_string(conf).unwrap();
    let dir = TempDir::new("default-conf");
    // Load it as it is (relative paths land in a private directory).
    let mut c = Config { dir: dir.path().display().to_string(), ..Config::default() };
    c.load_text(text.as_bytes()).unwrap_or_else(|e| panic!("{} rejected: {}", conf, e));
    // Every active line was understood: the values read back are those of the file.
    let active: Vec<&str> = text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
    assert!(active.len() > 50, "{} has {} active lines", conf, active.len());
    assert_eq!(
        c.get(&[b"client-output-buffer-limit"])[0].1,
        "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60"
    );
    assert_eq!(c.bind, vec!["127.0.0.1", "-::1"]);
    // And through the public entry point too.
    let parsed = parse_args_in(&[conf.to_string()], Some("/")).unwrap();
    let mut c = Config { dir: dir.path().display().to_string(), ..Config::default() };
    c.load_from(parsed.config_file.as_deref(), None, &parsed.options).unwrap();
}
