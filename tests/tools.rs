//! Real Redis tools and client libraries against vireo: redis-cli, redis-benchmark (every
//! default test) and the `redis` crate (RESP2 and RESP3, pipelines).

use std::process::Command;
use vireo_testkit::ServerBuilder;

fn vireo() -> vireo_testkit::ServerProcess {
    ServerBuilder::with_binary(env!("CARGO_BIN_EXE_vireo-server")).start()
}

fn redis_cli(port: u16, args: &[&str]) -> String {
    let out = Command::new("redis-cli").arg("-p").arg(port.to_string()).args(args).output().expect("redis-cli runs");
    assert!(out.status.success(), "redis-cli {:?} failed: {}", args, String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn redis_cli_works() {
    let v = vireo();
    assert_eq!(redis_cli(v.port(), &["PING"]), "PONG\n");
    assert_eq!(redis_cli(v.port(), &["SET", "k", "hello world"]), "OK\n");
    assert_eq!(redis_cli(v.port(), &["GET", "k"]), "hello world\n");
    assert_eq!(redis_cli(v.port(), &["--no-raw", "INCR", "n"]), "(integer) 1\n");
    assert_eq!(redis_cli(v.port(), &["--no-raw", "GET", "missing"]), "(nil)\n");
    let err = redis_cli(v.port(), &["--no-raw", "NOSUCHCMD"]);
    assert!(err.starts_with("(error) ERR unknown command 'NOSUCHCMD'"), "{err}");
    // redis-cli reads commands from stdin too (the piped, non-interactive mode)
    let mut child = Command::new("redis-cli")
        .arg("-p")
        .arg(v.port().to_string())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(b"SET a 1\nINCRBY a 41\nGET a\n").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "OK\n42\n42\n");
    // what redis-cli's startup asks for (COMMAND DOCS for hints on 7.2+ clients) answers
    let docs = redis_cli(v.port(), &["COMMAND", "DOCS", "set"]);
    assert!(docs.contains("arguments"), "{docs}");
    // --stat and INFO parsing
    let info = redis_cli(v.port(), &["INFO", "server"]);
    assert!(info.contains("redis_version:7.0.15"), "{info}");
}

/// Every test redis-benchmark runs by default (no -t), with the row title each prints.
const DEFAULT_ROWS: &[&str] = &[
    "PING_INLINE",
    "PING_MBULK",
    "SET",
    "GET",
    "INCR",
    "LPUSH",
    "RPUSH",
    "LPOP",
    "RPOP",
    "SADD",
    "HSET",
    "SPOP",
    "ZADD",
    "ZPOPMIN",
    "LPUSH (needed to benchmark LRANGE)",
    "LRANGE_100 (first 100 elements)",
    "LRANGE_300 (first 300 elements)",
    "LRANGE_500 (first 500 elements)",
    "LRANGE_600 (first 600 elements)",
    "MSET (10 keys)",
];

#[test]
fn redis_benchmark_default_tests_run() {
    let v = vireo();
    let out = Command::new("redis-benchmark")
        .args(["-p", &v.port().to_string(), "-n", "2000", "-c", "10", "-q", "--csv"])
        .output()
        .expect("redis-benchmark runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "redis-benchmark failed: {}\n{}", text, String::from_utf8_lossy(&out.stderr));
    for row in DEFAULT_ROWS {
        assert!(text.lines().any(|l| l.starts_with(&format!("\"{row}\""))), "no {row} row in:\n{text}");
    }
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("Error from server"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // every command the benchmark sent succeeded
    let stats = redis_cli(v.port(), &["INFO", "commandstats"]);
    for line in stats.lines().filter(|l| l.starts_with("cmdstat_") && !l.starts_with("cmdstat_config")) {
        assert!(line.contains("failed_calls=0") && line.contains("rejected_calls=0"), "{line}");
    }
    // the server survived and still answers
    assert_eq!(redis_cli(v.port(), &["PING"]), "PONG\n");
}

#[test]
fn redis_crate_client_resp2_and_resp3() {
    let v = vireo();
    let client = redis::Client::open(format!("redis://127.0.0.1:{}/", v.port())).unwrap();
    let mut con = client.get_connection().unwrap();
    let _: () = redis::cmd("SET").arg("greeting").arg("hi").query(&mut con).unwrap();
    let got: String = redis::cmd("GET").arg("greeting").query(&mut con).unwrap();
    assert_eq!(got, "hi");
    let (a, b): (i64, i64) = redis::pipe().cmd("INCR").arg("c").cmd("INCRBY").arg("c").arg(10).query(&mut con).unwrap();
    assert_eq!((a, b), (1, 11));
    let missing: Option<String> = redis::cmd("GET").arg("nope").query(&mut con).unwrap();
    assert_eq!(missing, None);
    let err = redis::cmd("INCR").arg("greeting").query::<i64>(&mut con).unwrap_err();
    assert!(err.to_string().contains("not an integer"), "{err}");

    let client3 = redis::Client::open(format!("redis://127.0.0.1:{}/?protocol=resp3", v.port())).unwrap();
    let mut con3 = client3.get_connection().unwrap();
    let got: String = redis::cmd("GET").arg("greeting").query(&mut con3).unwrap();
    assert_eq!(got, "hi");
    let n: i64 = redis::cmd("DBSIZE").query(&mut con3).unwrap();
    assert_eq!(n, 2);
}
