//! CONFIG REWRITE of vireo-config compared with the reference redis-server 7.0.15, and round
//! trips (load, set, rewrite, load again).

mod common;

use common::*;
use vireo_config::{parse_args_in, Config, RewriteExtras, REWRITE_SIGNATURE};

const TEMPLATE: &str = "# top comment
port PORT


# a section
slaveof 127.0.0.1 1
maxmemory 10mb
maxmemory 20mb
save 900 1
save 300 10
logfile \"\"
bind 127.0.0.1
rename-command DEBUG \"\"
timeout 0
loglevel notice
   hz 10
appendonly no
client-output-buffer-limit normal 0 0 0
unixsocket \"\"
notify-keyspace-events \"\"
Unknown-But-Quoted \"x
databases 16
# the end
";

/// Splits a rewritten file into the part Redis keeps in place and the appended lines (whose
/// order follows Redis's hash table, so compare them as a set).
fn split_rewrite(text: &str) -> (String, Vec<String>) {
    match text.split_once(REWRITE_SIGNATURE) {
        Some((head, tail)) => {
            let mut lines: Vec<String> = tail.lines().filter(|l| !l.is_empty()).map(String::from).collect();
            lines.sort();
            (head.to_string(), lines)
        }
        None => (text.to_string(), Vec::new()),
    }
}

#[test]
fn rewrite_matches_redis() {
    if !redis_available() {
        return;
    }
    let dir = TempDir::new("rewrite");
    let text = TEMPLATE.replace("PORT", "0").replace("Unknown-But-Quoted \"x\n", "");
    let theirs_path = dir.path().join("redis.conf");
    let ours_path = dir.path().join("vireo.conf");
    std::fs::write(&theirs_path, &text).unwrap();
    std::fs::write(&ours_path, &text).unwrap();

    let args = server_args(dir.path(), &[theirs_path.to_str().unwrap(), "--daemonize", "no"]);
    let mut redis = Redis::start(dir.path(), &args);
    let parsed = parse_args_in(&args, Some(dir.path().to_str().unwrap())).unwrap();
    let mut c = Config { dir: dir.path().display().to_string(), ..Config::default() };
    c.load_from(parsed.config_file.as_deref(), None, &parsed.options).unwrap();

    let sets: &[&[&str]] = &[
        &["maxmemory", "30mb"],
        &["timeout", "5"],
        &["notify-keyspace-events", "KEA"],
        &["replica-priority", "5"],
        &["client-output-buffer-limit", "pubsub 1gb 1000 7 replica 256mb 64mb 60"],
        &["save", "60 100"],
        &["maxmemory-clients", "3%"],
        &["latency-tracking-info-percentiles", "12.5"],
        &["shutdown-on-sigterm", "now force"],
        &["requirepass", "p\"w\n"],
        &["loglevel", "notice"],
        &["list-max-ziplist-size", "-3"],
        &["oom-score-adj-values", "0 200 801"],
        &["hash-max-ziplist-value", "2kb"],
    ];
    for set in sets {
        let mut cmd = vec!["CONFIG", "SET"];
        cmd.extend_from_slice(set);
        redis.cmd_str(&cmd).unwrap();
        let pairs: Vec<(&[u8], &[u8])> = set.chunks(2).map(|kv| (kv[0].as_bytes(), kv[1].as_bytes())).collect();
        c.set(&pairs).unwrap();
    }
    // Once requirepass is set the reference wants AUTH.
    redis.cmd_str(&["AUTH", "p\"w\n"]).unwrap();
    redis.cmd_str(&["CONFIG", "REWRITE"]).unwrap();
    // Redis writes its ACL users; here the server would pass them.
    let users = redis.cmd_str(&["ACL", "LIST"]).unwrap();
    let Reply::Array(users) = users else { panic!("ACL LIST") };
    let extras = RewriteExtras { users: Some(users.iter().map(|u| u.text()).collect()), loadmodules: None };
    c.rewrite_with(&ours_path, &extras).unwrap();

    let theirs = std::fs::read_to_string(&theirs_path).unwrap();
    let mine = std::fs::read_to_string(&ours_path).unwrap();
    let (th, tt) = split_rewrite(&theirs);
    let (mh, mt) = split_rewrite(&mine);
    assert_eq!(th, mh, "rewritten file (in-place part) differs\n--- redis\n{}\n--- vireo\n{}", theirs, mine);
    assert_eq!(tt, mt, "appended lines differ\n--- redis\n{}\n--- vireo\n{}", theirs, mine);

    // Rewriting again: the file's final newline becomes a last empty line, then it is stable.
    for _ in 0..2 {
        redis.cmd_str(&["CONFIG", "REWRITE"]).unwrap();
        c.rewrite_with(&ours_path, &extras).unwrap();
        let theirs = std::fs::read_to_string(&theirs_path).unwrap();
        let mine = std::fs::read_to_string(&ours_path).unwrap();
        assert_eq!(split_rewrite(&theirs), split_rewrite(&mine), "--- redis\n{}\n--- vireo\n{}", theirs, mine);
    }

    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&ours_path), mode(&theirs_path));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".conf."))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {:?}", leftovers);
}

#[test]
fn round_trip_keeps_values_and_comments() {
    let dir = TempDir::new("roundtrip");
    let path = dir.path().join("r.conf");
    let text = TEMPLATE.replace("PORT", "7000");
    std::fs::write(&path, &text).unwrap();
    let mut c = Config { dir: dir.path().display().to_string(), ..Config::default() };
    // The unknown line is not loadable; drop it for loading but keep it in the file.
    c.load_text(text.replace("Unknown-But-Quoted \"x\n", "").as_bytes()).unwrap();
    c.set(&[
        (b"maxmemory", b"1gb"),
        (b"save", b""),
        (b"bind", b"127.0.0.1 -::1"),
        (b"requirepass", b"a \"quoted\" \\ pass\x01"),
        (b"latency-tracking-info-percentiles", b""),
        (b"notify-keyspace-events", b"Kx"),
        (b"client-output-buffer-limit", b"normal 1 2 3"),
        (b"maxmemory-clients", b"10%"),
        (b"unixsocketperm", b"700"),
    ])
    .unwrap_err();
    let records = c
        .set(&[
            (b"maxmemory", b"1gb"),
            (b"save", b""),
            (b"bind", b"127.0.0.1 -::1"),
            (b"requirepass", b"a \"quoted\" \\ pass\x01"),
            (b"latency-tracking-info-percentiles", b""),
            (b"notify-keyspace-events", b"Kx"),
            (b"client-output-buffer-limit", b"normal 1 2 3"),
            (b"maxmemory-clients", b"10%"),
        ])
        .unwrap();
    assert_eq!(records.len(), 8);
    c.rewrite(&path).unwrap();
    let rewritten = std::fs::read_to_string(&path).unwrap();
    assert!(
        rewritten.starts_with(
            "# top comment\nport 7000\n\n# a section\nreplicaof 127.0.0.1 1\nmaxmemory 1gb\n\nsave \"\"\n"
        ),
        "{}",
        rewritten
    );
    assert!(rewritten.contains("# ??? Unknown-But-Quoted \"x\n"), "{}", rewritten);
    assert!(rewritten.contains("rename-command DEBUG \"\"\n"));
    assert!(rewritten.contains("# the end\n"));
    assert!(!rewritten.contains("\n   hz 10\n") && rewritten.contains("\nhz 10\n"));
    assert!(!rewritten.contains("unixsocket"), "{}", rewritten);
    assert_eq!(rewritten.matches(REWRITE_SIGNATURE).count(), 1);

    let mut again = Config { dir: dir.path().display().to_string(), ..Config::default() };
    again.load_text(rewritten.as_bytes()).unwrap_or_else(|e| panic!("{}\n{}", e, rewritten));
    again.directives = c.directives.clone();
    again.set_at_load = c.set_at_load.clone();
    assert_eq!(again.get(&[b"*"]), c.get(&[b"*"]));
    assert_eq!(again.requirepass, "a \"quoted\" \\ pass\x01");

    // As in Redis, a second rewrite turns the final newline into one empty last line; from then
    // on the file is stable.
    c.rewrite(&path).unwrap();
    let second = std::fs::read_to_string(&path).unwrap();
    assert_eq!(second, format!("{}\n", rewritten));
    c.rewrite(&path).unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), second);
}

#[test]
fn rewrite_of_a_missing_file_writes_only_non_defaults() {
    let dir = TempDir::new("rewrite-new");
    let path = dir.path().join("new.conf");
    let mut c = Config { dir: dir.path().display().to_string(), ..Config::default() };
    c.set(&[(b"maxmemory", b"1mb")]).unwrap();
    c.rewrite(&path).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], REWRITE_SIGNATURE);
    let mut rest: Vec<&str> = lines[1..].to_vec();
    rest.sort();
    let dir_line = format!("dir \"{}\"", dir.path().display());
    let mut expected = vec![
        "maxmemory 1mb",
        "save 3600 1",
        "save 300 100",
        "save 60 10000",
        "latency-tracking-info-percentiles 50 99 99.9",
        dir_line.as_str(),
    ];
    expected.sort();
    assert_eq!(rest, expected);
    let e = c.rewrite(&dir.path().join("no/such/dir.conf")).unwrap_err();
    assert_eq!(e, "No such file or directory");
}
