//! INFO's pub/sub counters (pubsub_channels, pubsub_patterns, pubsubshard_channels in the stats
//! section) against redis-server 7.0.15, with several real connections subscribing (RESP2 and
//! RESP3), unsubscribing and disconnecting: the counts are of distinct channels and patterns with
//! at least one subscriber, and the fields sit where Redis puts them.

use std::time::Duration;
use vireo_testkit::{RawConn, ServerBuilder, ServerProcess};

fn pubsub_fields(c: &mut RawConn) -> Vec<String> {
    let info = String::from_utf8_lossy(&c.cmd(&["INFO", "stats"])).into_owned();
    info.lines().filter(|l| l.starts_with("pubsub")).map(str::to_string).collect()
}

/// Sends a command and reads the `n` replies it produces (one per channel for SUBSCRIBE).
fn sub(c: &mut RawConn, args: &[&str], n: usize) {
    c.send_cmd(args);
    for _ in 0..n {
        c.read_reply();
    }
}

fn scenario(server: &ServerProcess) -> Vec<Vec<String>> {
    let mut admin = server.connect();
    let mut a = server.connect();
    let mut b = server.connect();
    let mut states = vec![pubsub_fields(&mut admin)];
    sub(&mut a, &["SUBSCRIBE", "news", "sport"], 2);
    sub(&mut a, &["PSUBSCRIBE", "n*", "s*"], 2);
    sub(&mut a, &["SSUBSCRIBE", "sh1", "sh2"], 2);
    sub(&mut b, &["HELLO", "3"], 1);
    sub(&mut b, &["SUBSCRIBE", "news", "weather"], 2);
    sub(&mut b, &["PSUBSCRIBE", "n*"], 1);
    sub(&mut b, &["SSUBSCRIBE", "sh1"], 1);
    states.push(pubsub_fields(&mut admin));
    sub(&mut a, &["UNSUBSCRIBE", "news"], 1);
    sub(&mut a, &["PUNSUBSCRIBE", "n*"], 1);
    sub(&mut a, &["SUNSUBSCRIBE", "sh2"], 1);
    states.push(pubsub_fields(&mut admin));
    sub(&mut b, &["UNSUBSCRIBE", "news", "weather"], 2);
    states.push(pubsub_fields(&mut admin));
    // a disconnected client's subscriptions go with it
    drop(a);
    let mut last = Vec::new();
    for _ in 0..100 {
        last = pubsub_fields(&mut admin);
        if last.iter().any(|l| l == "pubsub_channels:0") {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    states.push(last);
    let stats = String::from_utf8_lossy(&admin.cmd(&["INFO", "stats"])).into_owned();
    let names: Vec<String> = stats.lines().filter_map(|l| l.split_once(':').map(|(k, _)| k.to_string())).collect();
    states.push(names);
    states
}

#[test]
fn pubsub_counters_in_info_follow_subscriptions() {
    let vireo = ServerBuilder::with_binary(env!("CARGO_BIN_EXE_vireo-server")).start();
    let redis = ServerBuilder::redis().start();
    let (v, r) = (scenario(&vireo), scenario(&redis));
    assert!(r[1].contains(&"pubsub_channels:3".to_string()), "reference: {:?}", r[1]);
    assert_eq!(v, r, "left: vireo, right: redis");
}
