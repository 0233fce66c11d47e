//! maxmemory and eviction on an in-process server. This test binary installs the counting
//! allocator, so used_memory is real and measured as INFO reports it; the tests run one at a
//! time (they share the process's memory counter). Each fills a database with keys of known
//! classes, lowers maxmemory below the current use, runs a command through the gate and checks
//! which class of keys the policy evicted, what was propagated and what was refused.

use std::sync::Mutex;
use vireo_server::testing::TestServer;

#[global_allocator]
static GLOBAL: vireo_server::alloc::VireoAlloc = vireo_server::alloc::VireoAlloc;

static SERIAL: Mutex<()> = Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    SERIAL.lock().unwrap_or_else(|e| e.into_inner())
}

const VALUE_LEN: usize = 2000;

fn value() -> String {
    "v".repeat(VALUE_LEN)
}

fn ok(t: &mut TestServer, argv: &[&str]) {
    let r = t.cmd(argv);
    assert_eq!(r, b"+OK\r\n", "{:?} -> {}", argv, String::from_utf8_lossy(&r));
}

/// Adds `n` keys `<prefix>:<i>`, with a TTL of `ttl_s + i` seconds when `ttl_s` is given.
fn fill(t: &mut TestServer, prefix: &str, n: usize, ttl_s: Option<u64>) {
    let v = value();
    for i in 0..n {
        let k = format!("{}:{}", prefix, i);
        match ttl_s {
            Some(s) => ok(t, &["SET", &k, &v, "EX", &(s + i as u64).to_string()]),
            None => ok(t, &["SET", &k, &v]),
        }
    }
}

fn exists(t: &mut TestServer, key: &str) -> bool {
    t.srv.ks.dbs[t.client.db].peek(key.as_bytes()).is_some()
}

fn count(t: &mut TestServer, prefix: &str, n: usize) -> usize {
    (0..n).filter(|i| exists(t, &format!("{}:{}", prefix, i))).count()
}

fn used() -> usize {
    vireo_server::alloc::used_memory()
}

/// Memory is back under maxmemory, give or take what the last reply allocated.
fn within_limit(t: &TestServer) -> bool {
    used() <= t.srv.config.maxmemory as usize + VALUE_LEN
}

fn info_field(t: &mut TestServer, section: &str, name: &str) -> String {
    let r = String::from_utf8(t.cmd(&["INFO", section])).unwrap();
    let line = r.lines().find(|l| l.starts_with(&format!("{}:", name))).unwrap_or_else(|| panic!("no {}", name));
    line[name.len() + 1..].to_string()
}

/// Sets maxmemory `below` bytes under the current use, then runs PING so the gate evicts.
fn squeeze(t: &mut TestServer, below: usize) {
    // PING once first: its first call allocates its latency histogram
    assert_eq!(t.cmd(&["PING"]), b"+PONG\r\n");
    let limit = used() - below;
    ok(t, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    assert_eq!(t.cmd(&["PING"]), b"+PONG\r\n");
}

fn server(policy: &str) -> TestServer {
    let mut t = TestServer::new("");
    ok(&mut t, &["CONFIG", "SET", "maxmemory-policy", policy]);
    // no time limit on an eviction round: there is no event loop here to finish the work
    ok(&mut t, &["CONFIG", "SET", "maxmemory-eviction-tenacity", "100"]);
    t
}

#[test]
fn volatile_policies_never_evict_keys_without_ttl() {
    let _g = serial();
    for policy in ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] {
        let mut t = server(policy);
        fill(&mut t, "persistent", 100, None);
        fill(&mut t, "volatile", 100, Some(10_000));
        squeeze(&mut t, 50 * VALUE_LEN);
        assert_eq!(count(&mut t, "persistent", 100), 100, "{}", policy);
        let left = count(&mut t, "volatile", 100);
        assert!(left < 100 && left > 0, "{}: {} volatile keys left", policy, left);
        assert!(within_limit(&t), "{}", policy);
        // once the volatile keys are gone and memory is still over, writes are refused
        squeeze(&mut t, 200 * VALUE_LEN);
        assert_eq!(count(&mut t, "volatile", 100), 0, "{}", policy);
        assert_eq!(count(&mut t, "persistent", 100), 100, "{}", policy);
        assert_eq!(t.cmd(&["SET", "x", "y"]), b"-OOM command not allowed when used memory > 'maxmemory'.\r\n");
        // reads still run
        assert_eq!(t.cmd(&["EXISTS", "persistent:1"]), b":1\r\n");
    }
}

#[test]
fn allkeys_policies_evict_any_key() {
    let _g = serial();
    for policy in ["allkeys-lru", "allkeys-lfu", "allkeys-random"] {
        let mut t = server(policy);
        fill(&mut t, "k", 200, None);
        squeeze(&mut t, 80 * VALUE_LEN);
        let left = count(&mut t, "k", 200);
        assert!(left < 200 - 60 && left > 0, "{}: {} left", policy, left);
        assert!(within_limit(&t), "{}", policy);
        let evicted = t.srv.stats.evictedkeys;
        assert_eq!(evicted as usize, 200 - left, "{}", policy);
        // INFO shows the counter (INFO itself may evict a little more, its reply takes memory)
        let shown: u64 = info_field(&mut t, "stats", "evicted_keys").parse().unwrap();
        assert!(shown >= evicted);
        // writes keep working: they make room by evicting
        assert_eq!(t.cmd(&["SET", "new", &value()]), b"+OK\r\n");
    }
}

#[test]
fn volatile_ttl_prefers_short_ttls() {
    let _g = serial();
    let mut t = server("volatile-ttl");
    ok(&mut t, &["CONFIG", "SET", "maxmemory-samples", "10"]);
    fill(&mut t, "short", 100, Some(1_000));
    fill(&mut t, "long", 100, Some(1_000_000));
    squeeze(&mut t, 60 * VALUE_LEN);
    let short_left = count(&mut t, "short", 100);
    let long_left = count(&mut t, "long", 100);
    assert!(short_left < 100 - 40, "short keys left: {}", short_left);
    assert!(long_left > 90, "long keys evicted before short ones: {} left", long_left);
}

#[test]
fn allkeys_lru_keeps_recently_used_keys() {
    let _g = serial();
    let mut t = server("allkeys-lru");
    fill(&mut t, "cold", 100, None);
    fill(&mut t, "hot", 100, None);
    // age every key by an hour, then touch the hot ones through normal reads
    let lru = t.srv.lru;
    for i in 0..100 {
        for p in ["cold", "hot"] {
            t.srv.ks.dbs[0].peek_mut(format!("{}:{}", p, i).as_bytes()).unwrap().lru = lru - 3600;
        }
    }
    for i in 0..100 {
        let r = t.cmd(&["STRLEN", &format!("hot:{}", i)]);
        assert_eq!(r, format!(":{}\r\n", VALUE_LEN).as_bytes());
    }
    assert_eq!(t.cmd(&["OBJECT", "IDLETIME", "cold:1"]), b":3600\r\n");
    squeeze(&mut t, 60 * VALUE_LEN);
    let cold = count(&mut t, "cold", 100);
    let hot = count(&mut t, "hot", 100);
    assert!(cold < 100 - 40, "cold keys left: {}", cold);
    assert!(hot >= 95, "hot keys evicted: {} left", hot);
}

#[test]
fn allkeys_lfu_keeps_frequently_used_keys() {
    let _g = serial();
    let mut t = server("allkeys-lfu");
    // every access counts (no logarithmic damping) so the test does not depend on chance
    ok(&mut t, &["CONFIG", "SET", "lfu-log-factor", "0"]);
    fill(&mut t, "rare", 100, None);
    fill(&mut t, "hot", 100, None);
    for _ in 0..20 {
        for i in 0..100 {
            t.cmd(&["STRLEN", &format!("hot:{}", i)]);
        }
    }
    let f: i64 = String::from_utf8(t.cmd(&["OBJECT", "FREQ", "hot:7"])).unwrap()[1..].trim().parse().unwrap();
    assert!(f >= 20, "freq {}", f);
    squeeze(&mut t, 60 * VALUE_LEN);
    let rare = count(&mut t, "rare", 100);
    let hot = count(&mut t, "hot", 100);
    assert!(rare < 100 - 40, "rare keys left: {}", rare);
    // sampling is an approximation: a round whose samples are all hot may take one
    assert!(hot >= 95, "hot keys evicted: {} left", hot);
}

#[test]
fn noeviction_refuses_denyoom_commands_and_transactions() {
    let _g = serial();
    let mut t = server("noeviction");
    fill(&mut t, "k", 50, None);
    squeeze(&mut t, 10 * VALUE_LEN);
    assert_eq!(count(&mut t, "k", 50), 50);
    let oom: &[u8] = b"-OOM command not allowed when used memory > 'maxmemory'.\r\n";
    assert_eq!(t.cmd(&["SET", "x", "y"]), oom);
    assert_eq!(t.cmd(&["GET", "k:1"]).len(), VALUE_LEN + 9);
    assert_eq!(t.cmd(&["DEL", "nothing"]), b":0\r\n");
    // inside MULTI even reads are refused (queueing takes memory); the EXEC then aborts
    assert_eq!(t.cmd(&["MULTI"]), b"+OK\r\n");
    assert_eq!(t.cmd(&["GET", "k:1"]), oom);
    assert_eq!(t.cmd(&["EXEC"]), b"-EXECABORT Transaction discarded because of previous errors.\r\n");
    let rejected = info_field(&mut t, "errorstats", "errorstat_OOM");
    assert_eq!(rejected, "count=2");
    // no eviction: nothing is propagated, nothing counted
    assert_eq!(info_field(&mut t, "stats", "evicted_keys"), "0");
    // raising the limit lets writes in again
    ok(&mut t, &["CONFIG", "SET", "maxmemory", "0"]);
    assert_eq!(t.cmd(&["SET", "x", "y"]), b"+OK\r\n");
}

#[test]
fn exec_is_refused_only_with_denyoom_commands_queued() {
    let _g = serial();
    let mut t = server("noeviction");
    fill(&mut t, "k", 20, None);
    assert_eq!(t.cmd(&["MULTI"]), b"+OK\r\n");
    assert_eq!(t.cmd(&["SET", "x", "1"]), b"+QUEUED\r\n");
    // memory goes over the limit between queueing and EXEC
    let limit = used() - 5 * VALUE_LEN;
    t.srv.config.maxmemory = limit as u64;
    assert_eq!(
        t.cmd(&["EXEC"]),
        b"-EXECABORT Transaction discarded because of: OOM command not allowed when used memory > 'maxmemory'.\r\n"
    );
    t.srv.config.maxmemory = 0;
    assert_eq!(t.cmd(&["MULTI"]), b"+OK\r\n");
    assert_eq!(t.cmd(&["GET", "k:1"]), b"+QUEUED\r\n");
    t.srv.config.maxmemory = (used() - 5 * VALUE_LEN) as u64;
    assert_eq!(t.cmd(&["EXEC"]).len(), VALUE_LEN + 13);
    assert_eq!(t.cmd(&["DISCARD"]), b"-ERR DISCARD without MULTI\r\n");
}

#[test]
fn evictions_propagate_as_del_and_notify() {
    let _g = serial();
    let mut t = server("allkeys-random");
    fill(&mut t, "k", 100, None);
    assert_eq!(t.cmd(&["SELECT", "2"]), b"+OK\r\n");
    fill(&mut t, "k", 100, None);
    assert_eq!(t.cmd(&["SELECT", "0"]), b"+OK\r\n");
    ok(&mut t, &["CONFIG", "SET", "notify-keyspace-events", "Ee"]);
    // this client watches a key of database 2 and listens to evictions (RESP3 push)
    assert_eq!(t.cmd(&["HELLO", "3"])[0], b'%');
    t.cmd(&["SUBSCRIBE", "__keyevent@2__:evicted"]);
    assert_eq!(t.cmd(&["SELECT", "2"]), b"+OK\r\n");
    assert_eq!(t.cmd(&["WATCH", "k:1", "k:2", "k:3", "k:4", "k:5", "k:6", "k:7", "k:8"]), b"+OK\r\n");
    assert_eq!(t.cmd(&["SELECT", "0"]), b"+OK\r\n");
    t.capture();
    let limit = used() - 100 * VALUE_LEN;
    ok(&mut t, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    let out = t.cmd(&["PING"]);
    let stream = String::from_utf8(t.take_captured()).unwrap();
    let evicted = t.srv.stats.evictedkeys;
    assert!(evicted >= 40, "evicted {}", evicted);
    // the pushes took memory too: lift the limit so the checks below evict nothing more
    t.srv.config.maxmemory = 0;
    // one DEL per evicted key, never wrapped in a transaction
    assert_eq!(stream.matches("*2\r\n$3\r\nDEL\r\n").count() as u64, evicted);
    assert!(!stream.contains("MULTI"));
    let left0 = count(&mut t, "k", 100);
    assert_eq!(t.cmd(&["SELECT", "2"]), b"+OK\r\n");
    let left2 = count(&mut t, "k", 100);
    assert_eq!((200 - left0 - left2) as u64, evicted);
    // both databases lost keys (random picks go round the databases)
    assert!(left0 < 100 && left2 < 100);
    // the notifications for database 2 arrived before PING's reply
    let out = String::from_utf8_lossy(&out).to_string();
    let pushes = out.matches("__keyevent@2__:evicted").count();
    assert_eq!(pushes, 100 - left2);
    assert!(out.ends_with("+PONG\r\n"));
    // a watched key of database 2 was evicted (each has a fair chance; 8 of them): EXEC fails
    let watched_gone = (1..=8).any(|i| !exists(&mut t, &format!("k:{}", i)));
    assert!(watched_gone);
    assert_eq!(t.cmd(&["MULTI"]), b"+OK\r\n");
    assert_eq!(t.cmd(&["PING"]), b"+QUEUED\r\n");
    assert_eq!(t.cmd(&["EXEC"]), b"_\r\n");
}

#[test]
fn lazy_eviction_propagates_unlink() {
    let _g = serial();
    let mut t = server("allkeys-lru");
    ok(&mut t, &["CONFIG", "SET", "lazyfree-lazy-eviction", "yes"]);
    fill(&mut t, "k", 100, None);
    t.capture();
    squeeze(&mut t, 30 * VALUE_LEN);
    let stream = String::from_utf8(t.take_captured()).unwrap();
    let evicted = t.srv.stats.evictedkeys as usize;
    assert!(evicted >= 10);
    assert_eq!(stream.matches("*2\r\n$6\r\nUNLINK\r\n").count(), evicted);
    assert!(!stream.contains("DEL"));
}

#[test]
fn object_freq_and_idletime_follow_the_policy() {
    let _g = serial();
    let mut t = server("allkeys-lru");
    ok(&mut t, &["SET", "a", "1"]);
    assert_eq!(
        t.cmd(&["OBJECT", "FREQ", "a"]),
        b"-ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"
    );
    assert_eq!(t.cmd(&["OBJECT", "IDLETIME", "a"]), b":0\r\n");
    ok(&mut t, &["CONFIG", "SET", "maxmemory-policy", "volatile-lfu"]);
    ok(&mut t, &["SET", "b", "1"]);
    // a new key starts at LFU_INIT_VAL
    assert_eq!(t.cmd(&["OBJECT", "FREQ", "b"]), b":5\r\n");
    assert_eq!(
        t.cmd(&["OBJECT", "IDLETIME", "b"]),
        b"-ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.\r\n"
    );
}

#[test]
fn exceeded_time_is_reported_while_over_the_limit() {
    let _g = serial();
    let mut t = server("noeviction");
    fill(&mut t, "k", 20, None);
    squeeze(&mut t, 5 * VALUE_LEN);
    // over the limit with nothing to evict: an episode is open
    assert!(t.srv.evict.exceeded_since.is_some());
    ok(&mut t, &["CONFIG", "SET", "maxmemory", "0"]);
    ok(&mut t, &["CONFIG", "SET", "maxmemory", &(used() * 2).to_string()]);
    t.cmd(&["PING"]);
    assert!(t.srv.evict.exceeded_since.is_none());
    assert_eq!(info_field(&mut t, "stats", "current_eviction_exceeded_time"), "0");
    assert_eq!(info_field(&mut t, "memory", "maxmemory_policy"), "noeviction");
    assert_eq!(info_field(&mut t, "memory", "mem_not_counted_for_evict"), "0");
}

#[test]
fn key_table_does_not_grow_past_maxmemory() {
    let _g = serial();
    let mut t = server("allkeys-random");
    ok(&mut t, &["CONFIG", "SET", "latency-tracking", "no"]);
    // 4096 keys fill 4096 buckets: the next key would double the table (64 KiB of buckets)
    for i in 0..4096 {
        ok(&mut t, &["SET", &format!("key:{}", i), "1"]);
    }
    assert_eq!(t.cmd(&["PING"]), b"+PONG\r\n");
    let limit = used() + 10 * 1024;
    ok(&mut t, &["CONFIG", "SET", "maxmemory", &limit.to_string()]);
    ok(&mut t, &["SET", "k1", "v1"]);
    ok(&mut t, &["SET", "k2", "v2"]);
    // the table stayed as it was, so nothing had to be evicted
    assert_eq!(t.cmd(&["DBSIZE"]), b":4098\r\n");
    assert_eq!(t.srv.stats.evictedkeys, 0);
    // without a limit it grows again
    ok(&mut t, &["CONFIG", "SET", "maxmemory", "0"]);
    ok(&mut t, &["SET", "k3", "v3"]);
    let buckets = t.srv.ks.dbs[0].main_dict().buckets();
    assert!(buckets >= 8192, "{} buckets", buckets);
}

/// The commands of a captured replication stream, one string per command.
fn stream_commands(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw).to_string();
    let mut out = Vec::new();
    let mut lines = text.split("\r\n");
    while let Some(head) = lines.next() {
        let Some(n) = head.strip_prefix('*') else { continue };
        let n: usize = n.parse().unwrap();
        let mut args = Vec::new();
        for _ in 0..n {
            lines.next();
            args.push(lines.next().unwrap().to_string());
        }
        out.push(args.join(" "));
    }
    out
}

#[test]
fn lowering_maxmemory_inside_exec_evicts_after_the_transaction() {
    let _g = serial();
    let mut t = server("allkeys-lru");
    t.capture();
    assert_eq!(t.cmd(&["MULTI"]), b"+OK\r\n");
    assert_eq!(t.cmd(&["INCR", "x"]), b"+QUEUED\r\n");
    assert_eq!(t.cmd(&["CONFIG", "SET", "maxmemory", "1"]), b"+QUEUED\r\n");
    assert_eq!(t.cmd(&["INCR", "x"]), b"+QUEUED\r\n");
    assert_eq!(t.cmd(&["EXEC"]), b"*3\r\n:1\r\n+OK\r\n:2\r\n");
    // the transaction ran whole; the event loop's eviction job then removes the key
    assert!(exists(&mut t, "x"));
    assert!(t.srv.evict.proc_running);
    vireo_server::evict::time_proc(&mut t.srv);
    assert!(!exists(&mut t, "x"));
    // nothing is left to evict and memory is still over: the job stops
    assert!(!t.srv.evict.proc_running);
    let cmds = stream_commands(&t.take_captured());
    assert_eq!(cmds, ["SELECT 0", "MULTI", "INCR x", "INCR x", "EXEC", "DEL x"]);
    ok(&mut t, &["CONFIG", "SET", "maxmemory", "0"]);
}

#[test]
fn lowering_maxmemory_evicts_without_further_commands() {
    let _g = serial();
    let mut t = server("allkeys-lru");
    ok(&mut t, &["SET", "asdf1", "1"]);
    ok(&mut t, &["SET", "asdf2", "2"]);
    ok(&mut t, &["SET", "asdf3", "3"]);
    t.capture();
    ok(&mut t, &["CONFIG", "SET", "maxmemory", "1"]);
    vireo_server::evict::time_proc(&mut t.srv);
    assert_eq!(t.srv.ks.dbs[0].len(), 0);
    let mut cmds = stream_commands(&t.take_captured());
    cmds.sort();
    assert_eq!(cmds, ["DEL asdf1", "DEL asdf2", "DEL asdf3", "SELECT 0"]);
    ok(&mut t, &["CONFIG", "SET", "maxmemory", "0"]);
}
