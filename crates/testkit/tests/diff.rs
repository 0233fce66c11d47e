//! Self-tests of the differential harness with two reference redis-servers: a script using every
//! directive passes, and differently configured servers make it fail at the right line with both
//! replies shown.

use std::time::{Duration, Instant};

use vireo_testkit::{diff_dir, run_diff_script, ServerBuilder, ServerProcess};

fn pair() -> (ServerProcess, ServerProcess) {
    let a = ServerBuilder::redis().name("left").arg("--enable-debug-command").arg("yes");
    let b = ServerBuilder::redis().name("right").arg("--enable-debug-command").arg("yes");
    (a.start(), b.start())
}

const EVERY_DIRECTIVE: &str = r#"
# comments and blank lines are skipped
   # also indented ones

SET k "a b\r\n\x00\xff"
GET k
SET q 'it\'s'
GET q
STRLEN "k"
GET nokey
INCR k
DEBUG PROTOCOL map

# HELLO replies differ in id (the left server has had more clients): masked
HELLO 3
hello 3 SETNAME harness
DEBUG PROTOCOL attrib
DEBUG PROTOCOL double
HGETALL nokey
@resp2
@resp3
CLIENT GETNAME
@resp2
HELLO 4

# ids differ, so the reply is not compared
@ignore CLIENT ID
@ignore CLIENT INFO

# set order depends on each server's hash seed
SADD s alpha bravo charlie delta echo foxtrot golf hotel india juliett kilo lima mike november oscar
SADD s papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu 1a 2b 3c 4d 5e 6f
@sorted SMEMBERS s
@sorted KEYS *
HSET h f1 v1 f2 v2 f3 v3 f4 v4 f5 v5 f6 v6 f7 v7 f8 v8 f9 v9 f10 v10 f11 v11 f12 v12 f13 v13
HSET h f14 v14 f15 v15 f16 v16 f17 v17 f18 v18 f19 v19 f20 v20 f21 v21 f22 v22 f23 v23 f24 v24
HSET h f25 v25 f26 v26 f27 v27 f28 v28 f29 v29 f30 v30 f31 v31 f32 v32 f33 v33 f34 v34 f35 v35
HSET h f36 v36 f37 v37 f38 v38 f39 v39 f40 v40 f41 v41 f42 v42 f43 v43 f44 v44 f45 v45 f46 v46
HSET h f47 v47 f48 v48 f49 v49 f50 v50 f51 v51 f52 v52 f53 v53 f54 v54 f55 v55 f56 v56 f57 v57
HSET h f58 v58 f59 v59 f60 v60 f61 v61 f62 v62 f63 v63 f64 v64 f65 v65 f66 v66 f67 v67 f68 v68
HSET h f69 v69 f70 v70 f71 v71 f72 v72 f73 v73 f74 v74 f75 v75 f76 v76 f77 v77 f78 v78 f79 v79
HSET h f80 v80 f81 v81 f82 v82 f83 v83 f84 v84 f85 v85 f86 v86 f87 v87 f88 v88 f89 v89 f90 v90
HSET h f91 v91 f92 v92 f93 v93 f94 v94 f95 v95 f96 v96 f97 v97 f98 v98 f99 v99 f100 v100
HSET h f101 v101 f102 v102 f103 v103 f104 v104 f105 v105 f106 v106 f107 v107 f108 v108 f109 v109
HSET h f110 v110 f111 v111 f112 v112 f113 v113 f114 v114 f115 v115 f116 v116 f117 v117 f118 v118
HSET h f119 v119 f120 v120 f121 v121 f122 v122 f123 v123 f124 v124 f125 v125 f126 v126 f127 v127
HSET h f128 v128 f129 v129
OBJECT ENCODING h
@resp3
@sorted HGETALL h
@resp2

# raw bytes: inline commands, a command split over two writes
@raw PING\r\n
@raw   ECHO "two words"\r\n
@rawnoreply *2\r\n$4\r\nECHO\r\n$5\r\nhel
@raw lo\r\n
@rawnoreply PING\r\nPING\r\n
@read
@read

# blocking across connections
@send BLPOP queue 0
@conn producer
RPUSH queue job1
@conn main
@read
@conn producer
CLIENT SETNAME producer
@conn main
CLIENT GETNAME

# a subscribe reply per channel
@conn sub
SUBSCRIBE c1 c2
@read
@conn main
PUBLISH c1 hello
@conn sub
@read
@conn main

# a fresh connection is back on database 0
SELECT 3
SET indb3 x
@reconnect
EXISTS indb3
@sleep 20

# protocol errors close the connection; the next command reopens it
@raw *abc\r\n
@closed
PING
@rawnoreply *1\r\n$4\r\nPING\r\nQUIT\r\n
@read
@read
@closed
DBSIZE
"#;

#[test]
fn every_directive_passes_on_equal_servers() {
    let (a, b) = pair();
    // Make client ids differ between the servers, so HELLO must be masked to compare.
    for _ in 0..3 {
        let mut c = a.connect();
        c.cmd(&["PING"]);
    }
    run_diff_script(EVERY_DIRECTIVE, "every.diff", &a, &b).unwrap_or_else(|e| panic!("{e}"));

    // ...and the things masked or ignored above do differ.
    let err = run_diff_script("PING\nCLIENT ID\n", "ids.diff", &a, &b).unwrap_err();
    assert!(err.starts_with("ids.diff:2: CLIENT ID\n"), "{err}");
    let err = run_diff_script("# set order\nSMEMBERS s\n", "order.diff", &a, &b).unwrap_err();
    assert!(err.starts_with("order.diff:2: SMEMBERS s\n"), "{err}");
}

#[test]
fn differently_configured_servers_fail_at_the_line() {
    let a = ServerBuilder::redis().name("small").arg("--databases").arg("4").start();
    let b = ServerBuilder::redis().name("default").start();
    let script = "# databases\nSELECT 0\nSET k v\n\nSELECT 10\nGET k\n";
    let err = run_diff_script(script, "select.diff", &a, &b).unwrap_err();
    let expected = format!(
        "select.diff:5: SELECT 10\n  small (port {}): \"-ERR DB index is out of range\\r\\n\"\n  default (port {}): \"+OK\\r\\n\"\n  first difference at byte 0",
        a.port(),
        b.port()
    );
    assert_eq!(err, expected);

    // Errors stop the script: nothing after the failing line runs.
    let mut c = b.connect();
    c.cmd(&["SELECT", "10"]);
    assert_eq!(c.cmd(&["EXISTS", "k"]), b":0\r\n");
}

#[test]
fn one_sided_close_and_syntax_errors_fail() {
    let a = ServerBuilder::redis().arg("--proto-max-bulk-len").arg("1mb").start();
    let b = ServerBuilder::redis().start();
    let started = Instant::now();
    let err = run_diff_script("PING\n@rawnoreply *1\\r\\n$2000000\\r\\n\n@closed\n", "close.diff", &a, &b).unwrap_err();
    assert!(err.starts_with("close.diff:3: @closed\n"), "{err}");
    assert!(err.contains("closed, unread \"-ERR Protocol error: invalid bulk length\\r\\n\""), "{err}");
    assert!(err.contains("still open"), "{err}");
    assert!(started.elapsed() < Duration::from_secs(6), "@closed waits a few seconds, not the reply timeout");

    let err = run_diff_script("PING\nSET \"unbalanced\n", "syntax.diff", &a, &b).unwrap_err();
    assert!(err.starts_with("syntax.diff:2: unbalanced double quotes"), "{err}");
    let err = run_diff_script("@frobnicate\n", "syntax.diff", &a, &b).unwrap_err();
    assert!(err.starts_with("syntax.diff:1: unknown directive @frobnicate"), "{err}");
}

#[test]
fn diff_dir_runs_each_file_on_empty_servers() {
    let (a, b) = pair();
    let dir = std::env::temp_dir().join(format!("testkit-diffdir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(diff_dir(&dir, &a, &b).unwrap_err().contains("no *.diff scripts"));
    std::fs::write(dir.join("a_first.diff"), "SET k1 v\nDBSIZE\n").unwrap();
    std::fs::write(dir.join("b_second.diff"), "DBSIZE\nSET k2 v\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "not a script\n").unwrap();
    assert_eq!(diff_dir(&dir, &a, &b), Ok(2));
    for s in [&a, &b] {
        let mut c = s.connect();
        assert_eq!(c.cmd(&["EXISTS", "k1"]), b":0\r\n", "FLUSHALL ran between the files");
        assert_eq!(c.cmd(&["EXISTS", "k2"]), b":1\r\n");
    }
    // Failures of several files are all reported.
    std::fs::write(dir.join("c_third.diff"), "@ignore PING\nCLIENT ID\n").unwrap();
    std::fs::write(dir.join("d_fourth.diff"), "PING\n@nosuch\n").unwrap();
    a.connect().cmd(&["PING"]);
    let err = diff_dir(&dir, &a, &b).unwrap_err();
    assert!(err.starts_with("2 of 4 diff scripts failed"), "{err}");
    assert!(err.contains("c_third.diff:2: CLIENT ID"), "{err}");
    assert!(err.contains("d_fourth.diff:2: unknown directive @nosuch"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_server_that_dies_is_named_with_its_log() {
    let a = ServerBuilder::redis().name("crashing").arg("--enable-debug-command").arg("yes").start();
    let b = ServerBuilder::redis().name("healthy").start();
    let err = run_diff_script("SET k v\nDEBUG SEGFAULT\nGET k\n", "crash.diff", &a, &b).unwrap_err();
    assert!(err.starts_with("crash.diff:2: DEBUG SEGFAULT\n"), "{err}");
    assert!(err.contains("(connection closed, no reply)"), "{err}");
    assert!(err.contains(&format!("crashing (port {}) is no longer running (signal: 11", a.port())), "{err}");
    assert!(err.contains("REDIS BUG REPORT END"), "the end of its log: {err}");
    assert!(!err.contains(&format!("healthy (port {}) is no longer running", b.port())), "{err}");
}
