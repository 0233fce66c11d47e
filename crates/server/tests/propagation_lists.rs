//! What the list commands propagate, compared with Redis 7.0.15: the same steps run on an
//! in-process vireo (`TestServer` with extra clients that can block, capturing its replication
//! stream) and on a real redis-server started on a free port, whose stream is read as a replica
//! reads it (inline `SYNC`, skip the RDB payload, then the command stream). Replies must be equal
//! byte for byte and the streams must hold the same commands: plain pops as received, LMPOP as
//! LPOP/RPOP with the count popped, blocking commands served at once or after waiting as the
//! non-blocking command they performed (BLPOP as LPOP, BLMOVE as LMOVE, BRPOPLPUSH as
//! RPOPLPUSH, BLMPOP as LPOP/RPOP with a count), and nothing for commands that changed nothing.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use vireo_server::testing::TestServer;

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

/// Splits a replication stream into commands, each shown as its arguments joined by spaces.
fn parse_stream(mut b: &[u8]) -> Vec<String> {
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
            argv.push(String::from_utf8_lossy(&b[..len]).into_owned());
            b = &b[len + 2..];
        }
        cmds.push(argv.join(" "));
    }
    cmds
}

/// One step of the scenario, on connection 0, 1 or 2.
#[derive(Clone, Copy)]
enum Step {
    /// Send a command and read its reply.
    Run(usize, &'static str),
    /// Send a command that blocks; its reply is read by a later `Read`.
    Block(usize, &'static str),
    /// Read the reply of the connection's blocked command.
    Read(usize),
}
use Step::*;

const SCRIPT: &[Step] = &[
    // non-blocking commands: propagated as received when they change something
    Run(0, "RPUSH l a b c"),
    Run(0, "LPOP l"),
    Run(0, "RPOP l 2"),
    Run(0, "LPOP l"),
    Run(0, "LPOP l 3"),
    Run(0, "LPUSHX l x"),
    Run(0, "RPUSHX l x"),
    Run(0, "LPUSH l 1 2 3 4 5"),
    Run(0, "LPOP l 0"),
    Run(0, "LMPOP 2 nokey l LEFT COUNT 2"),
    Run(0, "LMPOP 1 l RIGHT COUNT 100"),
    Run(0, "LMPOP 1 l RIGHT"),
    Run(0, "RPUSH d a b c"),
    Run(0, "LSET d 0 z"),
    Run(0, "LSET d 9 z"),
    Run(0, "LINSERT d BEFORE z y"),
    Run(0, "LINSERT d BEFORE nopivot y"),
    Run(0, "LREM d 0 y"),
    Run(0, "LREM d 0 nothing"),
    Run(0, "LTRIM d 0 1"),
    Run(0, "LTRIM d 0 -1"),
    Run(0, "LMOVE d e left RIGHT"),
    Run(0, "LMOVE d d RIGHT LEFT"),
    Run(0, "RPOPLPUSH d e"),
    Run(0, "RPOPLPUSH d e"),
    Run(0, "LTRIM e 5 1"),
    Run(0, "LRANGE e 0 -1"),
    Run(0, "LINDEX e 0"),
    Run(0, "LPOS e a"),
    // blocking commands served at once
    Run(0, "RPUSH q a b c d e"),
    Run(0, "BLPOP nokey q 0"),
    Run(0, "BRPOP q 1"),
    Run(0, "BLMPOP 0 1 q RIGHT COUNT 10"),
    Run(0, "RPUSH q a b c"),
    Run(0, "BLMOVE q r left RIGHT 0"),
    Run(0, "BRPOPLPUSH q r 0"),
    // inside MULTI they act like the plain commands
    Run(0, "MULTI"),
    Run(0, "BLPOP q 0"),
    Run(0, "BLPOP nokey 0"),
    Run(0, "BLMOVE nokey r LEFT LEFT 0"),
    Run(0, "EXEC"),
    // served after waiting
    Block(1, "BLPOP w1 0"),
    Run(0, "RPUSH w1 x y"),
    Read(1),
    Block(1, "BLMOVE w2 t2 RIGHT left 0"),
    Run(0, "LPUSH w2 v"),
    Read(1),
    Block(1, "BRPOPLPUSH w3 t3 0"),
    Run(0, "RPUSH w3 v"),
    Read(1),
    Block(1, "BLMPOP 0 2 w4 w5 LEFT COUNT 3"),
    Run(0, "RPUSH w5 a b"),
    Read(1),
    Block(1, "BRPOP w6 0"),
    Run(0, "MULTI"),
    Run(0, "RPUSH w6 1"),
    Run(0, "RPUSH w6 2"),
    Run(0, "EXEC"),
    Read(1),
    Block(1, "BLPOP w7 0"),
    Block(2, "BLPOP w7 0"),
    Run(0, "RPUSH w7 a b c"),
    Read(1),
    Read(2),
    // a waiter served by a move into the key it waits on
    Block(1, "BLPOP w8 0"),
    Block(2, "BLMOVE w9 w8 LEFT LEFT 0"),
    Run(0, "RPUSH w9 m"),
    Read(2),
    Read(1),
    // a BLMOVE waiter whose destination became a string gets WRONGTYPE, nothing moves
    Run(0, "SET t10 s"),
    Block(1, "BLMOVE w10 t10 LEFT LEFT 0"),
    Run(0, "RPUSH w10 v"),
    Read(1),
    Run(0, "LRANGE w10 0 -1"),
];

const MARKER: &[&[u8]] = &[b"SET", b"prop:end", b"1"];

fn args_of(cmd: &str) -> Vec<&[u8]> {
    cmd.split(' ').map(str::as_bytes).collect()
}

struct Reference {
    child: Child,
    dir: std::path::PathBuf,
    port: u16,
    conns: Vec<BufReader<TcpStream>>,
    replica: BufReader<TcpStream>,
}

impl Drop for Reference {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn connect(port: u16, deadline: Instant) -> BufReader<TcpStream> {
    loop {
        match TcpStream::connect(("127.0.0.1", port)) {
            Ok(s) => {
                s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
                return BufReader::new(s);
            }
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("reference redis-server did not start: {e}"),
        }
    }
}

impl Reference {
    fn start() -> Reference {
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let dir = std::env::temp_dir().join(format!("vireo-prop-lists-{}-{}", std::process::id(), port));
        std::fs::create_dir_all(&dir).unwrap();
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
            .args(["--repl-diskless-sync", "no", "--repl-ping-replica-period", "3600"])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("the reference redis-server 7.0.15 must be installed");
        let deadline = Instant::now() + Duration::from_secs(10);
        let conns = (0..3).map(|_| connect(port, deadline)).collect();
        let mut replica = connect(port, deadline);
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
            break;
        }
        Reference { child, dir, port, conns, replica }
    }

    fn send(&mut self, conn: usize, args: &[&[u8]]) {
        self.conns[conn].get_mut().write_all(&encode(args)).unwrap();
    }

    fn exec(&mut self, conn: usize, args: &[&[u8]]) -> Vec<u8> {
        self.send(conn, args);
        read_reply(&mut self.conns[conn])
    }

    /// Waits until `n` clients are blocked, so the write meant to serve them comes after.
    fn wait_blocked(&mut self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(5);
        let want = format!("blocked_clients:{n}\r\n");
        let mut probe = connect(self.port, deadline);
        loop {
            probe.get_mut().write_all(&encode(&[b"INFO", b"clients"])).unwrap();
            let info = read_reply(&mut probe);
            if String::from_utf8_lossy(&info).contains(&want) {
                return;
            }
            assert!(Instant::now() < deadline, "the reference never had {n} blocked clients");
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn stream_until_marker(&mut self) -> Vec<String> {
        let want = parse_stream(&encode(MARKER)).pop().unwrap();
        let mut cmds = Vec::new();
        loop {
            let raw = read_reply(&mut self.replica);
            let cmd = parse_stream(&raw).pop().unwrap();
            if cmd == want {
                return cmds;
            }
            if cmd.eq_ignore_ascii_case("PING") {
                continue;
            }
            cmds.push(cmd);
        }
    }
}

#[test]
fn list_commands_propagate_like_redis() {
    let mut reference = Reference::start();
    let mut ref_replies = Vec::new();
    let mut blocked = 0;
    for step in SCRIPT {
        match *step {
            Run(c, cmd) => ref_replies.push(reference.exec(c, &args_of(cmd))),
            Block(c, cmd) => {
                reference.send(c, &args_of(cmd));
                blocked += 1;
                reference.wait_blocked(blocked);
            }
            Read(c) => {
                ref_replies.push(read_reply(&mut reference.conns[c]));
                blocked -= 1;
            }
        }
    }
    reference.exec(0, MARKER);
    let ref_stream = reference.stream_until_marker();

    let mut vireo = TestServer::new("");
    let extra = [vireo.add_client(), vireo.add_client()];
    vireo.capture();
    let mut vireo_replies = Vec::new();
    for step in SCRIPT {
        match *step {
            Run(0, cmd) => vireo_replies.push(vireo.exec(&args_of(cmd))),
            Run(c, cmd) => vireo_replies.push(vireo.exec_as(extra[c - 1], &args_of(cmd))),
            Block(c, cmd) => {
                let r = vireo.exec_as(extra[c - 1], &args_of(cmd));
                assert!(r.is_empty(), "{cmd} should block, replied {:?}", String::from_utf8_lossy(&r));
            }
            Read(c) => vireo_replies.push(vireo.take_reply(extra[c - 1])),
        }
    }
    let vireo_stream = parse_stream(&vireo.take_captured());

    let shown: Vec<String> = SCRIPT
        .iter()
        .filter_map(|s| match s {
            Run(_, cmd) => Some(cmd.to_string()),
            Read(c) => Some(format!("(reply of the command blocked on connection {c})")),
            Block(..) => None,
        })
        .collect();
    for ((what, r), v) in shown.iter().zip(&ref_replies).zip(&vireo_replies) {
        assert_eq!(
            String::from_utf8_lossy(v),
            String::from_utf8_lossy(r),
            "reply to {what} differs (left: vireo, right: redis)"
        );
    }
    let strip = |s: Vec<String>| -> Vec<String> { s.into_iter().filter(|c| !c.starts_with("SELECT ")).collect() };
    let (vireo_stream, ref_stream) = (strip(vireo_stream), strip(ref_stream));
    // the scenario exercises the served forms (a guard against an empty comparison)
    for served in
        ["LPOP w1", "LMOVE w2 t2 right left", "RPOPLPUSH w3 t3", "LPOP w5 2", "RPOP w6", "LMOVE w9 w8 left left"]
    {
        assert!(ref_stream.iter().any(|c| c == served), "{served:?} not in the reference stream {ref_stream:#?}");
    }
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
