//! Self-tests of `RawConn` reply framing: every RESP2/RESP3 reply type as the reference
//! redis-server sends it (DEBUG PROTOCOL, HELLO 3, nested COMMAND DOCS maps, CLIENT INFO verbatim
//! strings, push messages, attributes), pipelined so that a framing error shifts every later reply,
//! big replies spread over many reads, closes after protocol errors, and a scripted fake server for
//! replies cut at awkward places and malformed data.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use vireo_testkit::{encode_cmd, parse_reply, RawConn, ReadError, Reply, ServerBuilder, ServerProcess};

fn debug_server() -> ServerProcess {
    ServerBuilder::redis().arg("--enable-debug-command").arg("yes").start()
}

const TYPES: [&str; 13] = [
    "string", "integer", "double", "bignum", "null", "array", "set", "map", "attrib", "push", "verbatim", "true",
    "false",
];

/// Sends every DEBUG PROTOCOL type in one write, followed by PING, and returns the replies read
/// one by one (the PONG must come last, in its own reply).
fn pipelined_debug_protocol(c: &mut RawConn, extra_push_reply: bool) -> Vec<Vec<u8>> {
    let mut batch = Vec::new();
    for t in TYPES {
        batch.extend(encode_cmd(&["DEBUG", "PROTOCOL", t]));
    }
    batch.extend(b"PING\r\n");
    c.send(&batch);
    let n = TYPES.len() + usize::from(extra_push_reply);
    let replies: Vec<Vec<u8>> = (0..n).map(|_| c.read_reply()).collect();
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    assert!(c.buffered().is_empty());
    replies
}

#[test]
fn resp2_debug_protocol_replies() {
    let s = debug_server();
    let mut c = s.connect();
    let r: Vec<Reply> = pipelined_debug_protocol(&mut c, false).iter().map(|b| parse_reply(b)).collect();
    assert_eq!(r[0].as_str(), Some("Hello World"));
    assert_eq!(r[1].as_int(), Some(12345));
    assert_eq!(r[2], Reply::Bulk(Some(b"3.141".to_vec())));
    assert_eq!(r[3].as_str(), Some("1234567999999999999999999999999999999"));
    assert_eq!(r[4], Reply::Bulk(None));
    assert!(r[4].is_null());
    assert_eq!(r[5], Reply::Array(Some(vec![Reply::Int(0), Reply::Int(1), Reply::Int(2)])));
    assert_eq!(r[6], r[5], "a RESP2 set is an array");
    assert_eq!(r[7].as_array().map(<[Reply]>::len), Some(6), "a RESP2 map is a flat array: {}", r[7]);
    assert_eq!(r[8].as_str(), Some("Some real reply following the attribute"), "no attribute in RESP2");
    assert!(r[9].as_error().is_some_and(|e| e.starts_with("ERR ")), "{}", r[9]);
    assert_eq!(r[10].as_str(), Some("This is a verbatim\nstring"));
    assert_eq!(r[11], Reply::Int(1));
    assert_eq!(r[12], Reply::Int(0));
}

#[test]
fn resp3_debug_protocol_replies() {
    let s = debug_server();
    let mut c = s.connect();
    let hello = c.cmd_parsed(&["HELLO", "3"]);
    assert_eq!(hello.get("proto"), Some(&Reply::Int(3)));
    assert_eq!(hello.get("server").and_then(Reply::as_str), Some("redis"));
    assert_eq!(hello.get("modules"), Some(&Reply::Array(Some(vec![]))));
    let raw = pipelined_debug_protocol(&mut c, true);
    let r: Vec<Reply> = raw.iter().map(|b| parse_reply(b)).collect();
    assert_eq!(r[0].as_str(), Some("Hello World"));
    assert_eq!(r[1], Reply::Int(12345));
    assert_eq!(r[2], Reply::Double("3.141".into()));
    assert_eq!(r[3], Reply::BigNumber("1234567999999999999999999999999999999".into()));
    assert_eq!(r[4], Reply::Null);
    assert_eq!(r[5].as_array().map(<[Reply]>::len), Some(3));
    assert_eq!(r[6], Reply::Set(vec![Reply::Int(0), Reply::Int(1), Reply::Int(2)]));
    assert_eq!(
        r[7],
        Reply::Map(vec![
            (Reply::Int(0), Reply::Bool(false)),
            (Reply::Int(1), Reply::Bool(true)),
            (Reply::Int(2), Reply::Bool(false))
        ])
    );
    // The attribute and the reply it describes are one reply.
    assert!(raw[8].starts_with(b"|1\r\n"));
    let Reply::Attribute { attrs, reply } = &r[8] else { panic!("{}", r[8]) };
    assert_eq!(attrs[0].0.as_str(), Some("key-popularity"));
    assert_eq!(attrs[0].1, Reply::Array(Some(vec![Reply::Bulk(Some(b"key:123".to_vec())), Reply::Int(90)])));
    assert_eq!(reply.as_str(), Some("Some real reply following the attribute"));
    assert_eq!(r[8].without_attribute().as_str(), reply.as_str());
    // The push message is a reply of its own, followed by the command's reply.
    assert_eq!(r[9], Reply::Push(vec![Reply::Bulk(Some(b"server-cpu-usage".to_vec())), Reply::Int(42)]));
    assert_eq!(r[10].as_str(), Some("Some real reply following the push reply"));
    assert_eq!(r[11], Reply::Verbatim { format: "txt".into(), text: b"This is a verbatim\nstring".to_vec() });
    assert_eq!(r[12], Reply::Bool(true));
    assert_eq!(r[13], Reply::Bool(false));
}

#[test]
fn resp3_nested_maps_and_verbatim_strings() {
    let s = debug_server();
    let mut c = s.connect();
    c.cmd(&["HELLO", "3"]);
    assert_eq!(c.cmd(&["HSET", "h", "a", "1", "b", "2"]), b":2\r\n");
    let mut batch = encode_cmd(&["HGETALL", "h"]);
    batch.extend(encode_cmd(&["COMMAND", "DOCS", "set", "get"]));
    batch.extend(encode_cmd(&["CLIENT", "INFO"]));
    batch.extend(encode_cmd(&["BLPOP", "nokey", "0.01"]));
    batch.extend(encode_cmd(&["GET", "nokey"]));
    batch.extend(b"PING\r\n");
    c.send(&batch);
    let h = c.read_parsed();
    assert_eq!(h.get("a").and_then(Reply::as_str), Some("1"));
    assert_eq!(h.as_map().map(<[(Reply, Reply)]>::len), Some(2));
    let docs = c.read_parsed();
    let set = docs.get("set").expect("docs of SET");
    assert_eq!(set.get("group").and_then(Reply::as_str), Some("string"));
    let args = set.get("arguments").and_then(Reply::as_array).expect("SET arguments");
    // arguments → oneof block → its own arguments: maps three levels down
    let condition = args.iter().find(|a| a.get("name").and_then(Reply::as_str) == Some("condition")).unwrap();
    let inner = condition.get("arguments").and_then(Reply::as_array).unwrap();
    assert_eq!(inner[0].get("token").and_then(Reply::as_str), Some("NX"));
    assert!(docs.get("get").is_some());
    let info = c.read_parsed();
    let Reply::Verbatim { format, text } = &info else { panic!("{info}") };
    assert_eq!(format, "txt");
    assert!(text.starts_with(b"id=") && text.ends_with(b"resp=3\n"), "{info}");
    assert_eq!(c.read_reply(), b"_\r\n");
    assert_eq!(c.read_reply(), b"_\r\n");
    assert_eq!(c.read_reply(), b"+PONG\r\n");
    c.cmd(&["HELLO", "2"]);
    assert_eq!(c.cmd(&["BLPOP", "nokey", "0.01"]), b"*-1\r\n");
    assert_eq!(c.cmd(&["GET", "nokey"]), b"$-1\r\n");
}

#[test]
fn big_replies_over_many_reads() {
    let s = ServerBuilder::redis().start();
    let mut c = s.connect();
    let value: Vec<u8> = (0..3_000_000u32).map(|i| b"\r\n$*0123456789"[i as usize % 14]).collect();
    assert_eq!(c.cmd_bytes(&[b"SET", b"big", &value]), b"+OK\r\n");
    let got = c.cmd(&["GET", "big"]);
    assert_eq!(&got[..11], b"$3000000\r\n\r");
    assert_eq!(parse_reply(&got), Reply::Bulk(Some(value)));
    let items: Vec<String> = (0..20_000).map(|i| format!("item{i}")).collect();
    let mut push: Vec<&str> = vec!["RPUSH", "list"];
    push.extend(items.iter().map(String::as_str));
    assert_eq!(c.cmd(&push), b":20000\r\n");
    let list = c.cmd_parsed(&["LRANGE", "list", "0", "-1"]);
    let got: Vec<&str> = list.as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(got, items);
}

#[test]
fn closes_after_protocol_errors() {
    let s = ServerBuilder::redis().start();
    let mut c = s.connect();
    c.send(b"*abc\r\n");
    assert_eq!(c.read_reply(), b"-ERR Protocol error: invalid multibulk length\r\n");
    assert!(c.is_closed());
    assert!(matches!(c.next_reply(), Err(ReadError::Closed { .. })));
    assert_eq!(c.try_read_reply(Duration::from_millis(10)), None);

    let mut c = s.connect();
    c.send(b"PING\r\nQUIT\r\n");
    assert_eq!(c.read_until_closed(), b"+PONG\r\n+OK\r\n");

    let mut c = s.connect();
    assert!(!c.is_closed(), "an idle connection stays open");
    assert_eq!(c.cmd(&["PING"]), b"+PONG\r\n");
}

#[test]
fn timeouts() {
    let s = ServerBuilder::redis().start();
    let mut c = s.connect();
    let t = Instant::now();
    assert_eq!(c.try_read_reply(Duration::from_millis(200)), None);
    assert!(t.elapsed() >= Duration::from_millis(200));
    c.set_timeout(Duration::from_millis(100));
    assert_eq!(c.timeout(), Duration::from_millis(100));
    c.send_cmd(&["BLPOP", "nokey", "1"]);
    assert!(matches!(c.next_reply(), Err(ReadError::Timeout { partial }) if partial.is_empty()));
    assert_eq!(c.try_read_reply(Duration::from_secs(5)), Some(b"*-1\r\n".to_vec()));
    let err = std::panic::catch_unwind(move || c.read_reply()).expect_err("read_reply panics on timeout");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(msg.contains("timed out"), "{msg}");
}

/// A one-connection server that, once it has received `expect` bytes, writes `chunks` with a
/// pause before each, then closes.
fn fake_server(expect: usize, chunks: Vec<Vec<u8>>) -> (SocketAddr, JoinHandle<()>) {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let addr = l.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        let mut got = vec![0u8; expect];
        s.read_exact(&mut got).unwrap();
        for c in chunks {
            std::thread::sleep(Duration::from_millis(15));
            s.write_all(&c).unwrap();
        }
    });
    (addr, h)
}

#[test]
fn replies_cut_at_awkward_places() {
    let stream: &[u8] = b"|1\r\n+ttl\r\n:3\r\n*2\r\n$3\r\nfoo\r\n%1\r\n+k\r\n~1\r\n_\r\n>3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$0\r\n\r\n$-1\r\n*-1\r\n=8\r\ntxt:a\r\nb\r\n";
    let cuts = [1, 3, 4, 9, 17, 20, 23, 24, 40, 60, 61, 75, 80];
    let mut chunks = Vec::new();
    let mut last = 0;
    for &c in &cuts {
        chunks.push(stream[last..c].to_vec());
        last = c;
    }
    chunks.push(stream[last..].to_vec());
    let (addr, h) = fake_server(6, chunks);
    let mut c = RawConn::connect(addr).unwrap();
    c.send(b"PING\r\n");
    let expected: [&[u8]; 5] = [
        b"|1\r\n+ttl\r\n:3\r\n*2\r\n$3\r\nfoo\r\n%1\r\n+k\r\n~1\r\n_\r\n",
        b">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$0\r\n\r\n",
        b"$-1\r\n",
        b"*-1\r\n",
        b"=8\r\ntxt:a\r\nb\r\n",
    ];
    for e in expected {
        assert_eq!(c.read_reply(), *e);
    }
    assert!(c.is_closed());
    assert!(c.buffered().is_empty());
    h.join().unwrap();
}

#[test]
fn malformed_and_truncated_replies_are_errors() {
    let (addr, h) = fake_server(6, vec![b"+OK\r\n?what\r\n".to_vec()]);
    let mut c = RawConn::connect(addr).unwrap();
    c.send(b"PING\r\n");
    assert_eq!(c.read_reply(), b"+OK\r\n");
    match c.next_reply() {
        Err(ReadError::Malformed { data, .. }) => assert_eq!(data, b"?what\r\n"),
        other => panic!("{other:?}"),
    }
    h.join().unwrap();

    let (addr, h) = fake_server(6, vec![b"*2\r\n:1\r\n$5\r\nab".to_vec()]);
    let mut c = RawConn::connect(addr).unwrap();
    c.send(b"PING\r\n");
    match c.next_reply() {
        Err(e @ ReadError::Closed { .. }) => {
            assert!(e.to_string().contains("closed inside a reply"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    h.join().unwrap();
}
