//! DEBUG: the testing and introspection command (refused by the gate unless
//! enable-debug-command allows it). One command of arity -2 whose first argument names the
//! subcommand, as in Redis: each subcommand accepts only its own argument count, and anything
//! else gets Redis's "unknown subcommand or wrong number of arguments" error. This file owns the
//! dataset digest (SHA-1 based, order-independent, equal for equal datasets, byte-identical to
//! Redis's for the types that exist), DEBUG OBJECT's RDB length estimate (with its own LZF
//! compressor for the size only), hash-table statistics in Redis's text layout, and the RESP
//! test replies of DEBUG PROTOCOL. It knows nothing of sockets, replication or persistence:
//! subcommands that need machinery that does not exist yet (REPLICATE,
//! CHANGE-REPL-ID...) are deliberately absent, so they get the unknown-subcommand error rather
//! than a reply that lies.

use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use crate::log_warning;
use vireo_keyspace::db::Db;
use vireo_keyspace::dict::{DictStats, TableStats, STATS_VECTLEN};
use vireo_keyspace::value::{parse_canonical_i64, Value};
use vireo_keyspace::SBytes;

const S_DEBUG: &str = "Testing and introspection helpers: digests, key internals, sleeping, populating.";

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "debug",
    arity: -2,
    flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::PROTECTED,
    acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
    tips: &[],
    key_specs: &[],
    doc: Doc {
        summary: S_DEBUG,
        since: "1.0.0",
        group: Group::Server,
        complexity: Some("Depends on subcommand."),
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        doc_flags: &["syscmd"],
        args: &[],
    },
    handler: Some(debug),
    subcommands: &[],
}];

/// DEBUG HELP: only the subcommands vireo implements, in our own words.
const HELP: &[&str] = &[
    "AOF-FLUSH-SLEEP <microsec>",
    "    Sleep <microsec> before each write of the AOF buffer (0 turns it off).",
    "DIGEST",
    "    Return a 40-hex-digit signature of the whole dataset (all databases).",
    "DIGEST-VALUE <key> [<key> ...]",
    "    Return the signature of the value of each key (zeros for a missing key).",
    "DISK-FULL-AFTER <bytes>",
    "    (vireo) Let RDB, AOF base and AOF writes fail with ENOSPC once <bytes> more bytes",
    "    were written, as a full disk would; a negative value turns this off. A BGSAVE or",
    "    rewrite child gets its own copy of the remaining budget.",
    "ERROR <string>",
    "    Reply with <string> as an error, for testing clients.",
    "HTSTATS <dbid>",
    "    Show hash table statistics of the keys and expires tables of a database.",
    "HTSTATS-KEY <key>",
    "    Show hash table statistics of the value at <key>, when it is a hash table.",
    "LEAK <string>",
    "    Leak a copy of <string> (for memory-leak tooling tests).",
    "LOADAOF",
    "    Write out the AOF buffer, empty the dataset and load the AOF files back (other",
    "    clients get -LOADING meanwhile).",
    "LOG <message>",
    "    Write <message> to the server log at warning level.",
    "OBJECT <key>",
    "    Show internals of the value at <key>: encoding, serialized length, LRU.",
    "POPULATE <count> [<prefix>] [<size>]",
    "    Create string keys <prefix>:0 .. <prefix>:<count-1> (prefix defaults to 'key')",
    "    holding value:<n>, padded or cut to <size> bytes when given. Existing keys are",
    "    kept. Not propagated to replicas.",
    "PROTOCOL <type>",
    "    Reply with a sample value of <type>: string, integer, double, bignum, null,",
    "    array, set, map, attrib, push, verbatim, true or false.",
    "RELOAD [MERGE] [NOFLUSH] [NOSAVE]",
    "    Save the dataset, empty it and load the RDB file back (other clients get -LOADING",
    "    meanwhile). NOSAVE loads the file as it is, NOFLUSH keeps the keys in memory (a key",
    "    also in the file then stops the server, unless MERGE lets the file's copy replace it).",
    "SEGFAULT",
    "    Crash the server with a segmentation fault.",
    "SET-ACTIVE-EXPIRE <0|1>",
    "    Turn the background expiry of keys off (0) or back on (1).",
    "SLEEP <seconds>",
    "    Block the whole server for <seconds> (decimals allowed).",
    "STRINGMATCH-TEST",
    "    Run random patterns and strings through the glob matcher (takes a few seconds).",
];

fn debug(ctx: &mut Ctx) {
    let sub = ctx.argv[1].to_ascii_lowercase();
    let argc = ctx.argc();
    match (&sub[..], argc) {
        (b"help", 2) => crate::cmd::reply_help(ctx, "DEBUG", HELP),
        (b"segfault", _) => segfault(),
        (b"log", 3) => {
            log_warning!("DEBUG LOG: {}", String::from_utf8_lossy(errors::cstr(&ctx.argv[2])));
            ctx.ok();
        }
        (b"leak", 3) => {
            std::mem::forget(ctx.argv[2].to_vec());
            ctx.ok();
        }
        (b"object", 3) => object(ctx),
        (b"populate", 3..=5) => populate(ctx),
        (b"digest", 2) => {
            let d = dataset_digest(&ctx.srv.ks.dbs);
            ctx.out().simple(&hex(&d));
        }
        (b"digest-value", _) => digest_value(ctx),
        (b"protocol", 3) => protocol(ctx),
        (b"sleep", 3) => {
            sleep_seconds(strtod_prefix(&ctx.argv[2]));
            ctx.ok();
        }
        (b"set-active-expire", 3) => {
            ctx.srv.active_expire_enabled = atoi(&ctx.argv[2]) != 0;
            ctx.ok();
        }
        (b"error", 3) => {
            // written as raw bytes: like Redis, this is not counted as an error reply
            let mut e = b"-".to_vec();
            e.extend(ctx.argv[2].iter().map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b }));
            e.extend_from_slice(b"\r\n");
            ctx.out().raw(&e);
        }
        (b"reload", _) => reload(ctx),
        (b"loadaof", 2) => crate::loop_job::submit(ctx, crate::loop_job::JobKind::LoadAof),
        (b"aof-flush-sleep", 3) => {
            ctx.srv.aof.flush_sleep_us = atoi(&ctx.argv[2]).max(0) as u64;
            ctx.ok();
        }
        (b"disk-full-after", 3) => match parse_canonical_i64(&ctx.argv[2]) {
            Some(n) => {
                crate::disk::set_write_budget(n);
                ctx.ok();
            }
            None => ctx.error(errors::NOT_INTEGER),
        },
        (b"htstats", 3) => htstats(ctx),
        (b"htstats-key", 3) => htstats_key(ctx),
        (b"quicklist-packed-threshold", 3) => {
            let ok =
                vireo_config::memtoull(&ctx.argv[2]).is_some_and(vireo_keyspace::types::list::set_packed_threshold);
            if ok {
                ctx.ok();
            } else {
                ctx.error("ERR argument must be a memory value bigger than 1 and smaller than 4gb");
            }
        }
        (b"listpack", 3) => encoding_dump(ctx, "listpack"),
        (b"quicklist", 3 | 4) => encoding_dump(ctx, "quicklist"),
        (b"stringmatch-test", 2) => {
            glob_fuzz(&mut ctx.srv.rng, 10_000_000);
            ctx.out().simple("Apparently Redis did not crash: test passed");
        }
        _ => subcommand_syntax_error(ctx),
    }
}

/// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save, empty the databases and load the file back,
/// as a job of the event loop (clients are served while it loads).
fn reload(ctx: &mut Ctx) {
    let mut opts = crate::persist::ReloadOptions { save: true, flush: true, merge: false };
    for a in &ctx.argv[2..] {
        if a.eq_ignore_ascii_case(b"merge") {
            opts.merge = true;
        } else if a.eq_ignore_ascii_case(b"noflush") {
            opts.flush = false;
        } else if a.eq_ignore_ascii_case(b"nosave") {
            opts.save = false;
        } else {
            ctx.error("ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.");
            return;
        }
    }
    crate::loop_job::submit(ctx, crate::loop_job::JobKind::Reload(opts));
}

/// `ERR unknown subcommand or wrong number of arguments for '<sub>'. Try <CMD> HELP.`, the
/// reply of a command that parses its own subcommands to one it cannot run.
pub(crate) fn subcommand_syntax_error(ctx: &mut Ctx) {
    let e = format!(
        "ERR unknown subcommand or wrong number of arguments for '{}'. Try {} HELP.",
        errors::sanitize(&ctx.argv[1], 128),
        String::from_utf8_lossy(errors::cstr(&ctx.argv[0])).to_ascii_uppercase()
    );
    ctx.error(&e);
}

fn segfault() {
    log_warning!("DEBUG SEGFAULT: crashing the server as requested");
    // SAFETY: raise() only delivers a signal to this process; the default action ends it.
    unsafe {
        libc::raise(libc::SIGSEGV);
    }
}

/// DEBUG STRINGMATCH-TEST: random patterns and strings (up to 31 bytes of 7-bit characters)
/// through the glob matcher, to show it neither crashes nor hangs. Returns the number of
/// matches.
pub fn glob_fuzz(rng: &mut vireo_keyspace::Rng, cycles: u64) -> u64 {
    let mut matches = 0;
    let mut s = [0u8; 31];
    let mut p = [0u8; 31];
    for _ in 0..cycles {
        let slen = rng.below(32) as usize;
        let plen = rng.below(32) as usize;
        s[..slen].iter_mut().for_each(|c| *c = rng.below(128) as u8);
        p[..plen].iter_mut().for_each(|c| *c = rng.below(128) as u8);
        matches += u64::from(vireo_config::glob::glob_match(&p[..plen], &s[..slen], false));
    }
    matches
}

// ---------------------------------------------------------------------------------------------
// SLEEP / SET-ACTIVE-EXPIRE argument parsing (C's strtod and atoi, as Redis uses them)

/// The number at the start of `b` as C's strtod reads it: leading blanks, a sign, decimal
/// digits with an optional fraction and exponent, or inf/infinity/nan. No number gives 0.
/// (Hexadecimal floats are read up to the "0".)
pub fn strtod_prefix(b: &[u8]) -> f64 {
    let s = b.iter().position(|c| !c.is_ascii_whitespace()).map_or(&b[..0], |i| &b[i..]);
    let (neg, rest) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower: Vec<u8> = rest.iter().take(8).map(|c| c.to_ascii_lowercase()).collect();
    let v = if lower.starts_with(b"inf") {
        f64::INFINITY
    } else if lower.starts_with(b"nan") {
        f64::NAN
    } else {
        let mut end = 0;
        let digits = |from: usize| rest[from..].iter().take_while(|c| c.is_ascii_digit()).count();
        let int = digits(0);
        end += int;
        let mut frac = 0;
        if rest.get(end) == Some(&b'.') {
            frac = digits(end + 1);
            if int + frac > 0 {
                end += 1 + frac;
            }
        }
        if int + frac == 0 {
            return 0.0;
        }
        if matches!(rest.get(end), Some(b'e') | Some(b'E')) {
            let mut e = end + 1;
            if matches!(rest.get(e), Some(b'-') | Some(b'+')) {
                e += 1;
            }
            let n = digits(e);
            if n > 0 {
                end = e + n;
            }
        }
        std::str::from_utf8(&rest[..end]).ok().and_then(|t| t.parse::<f64>().ok()).unwrap_or(0.0)
    };
    if neg {
        -v
    } else {
        v
    }
}

/// C's atoi: strtol's reading of the leading integer, cut to an int.
pub fn atoi(b: &[u8]) -> i32 {
    let s = b.iter().position(|c| !c.is_ascii_whitespace()).map_or(&b[..0], |i| &b[i..]);
    let (neg, rest) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut v: i64 = 0;
    for &c in rest.iter().take_while(|c| c.is_ascii_digit()) {
        v = v.saturating_mul(10).saturating_add((c - b'0') as i64);
    }
    (if neg { v.saturating_neg() } else { v }) as i32
}

/// DEBUG SLEEP: blocks the thread (and so the event loop). Like Redis's conversion of the
/// seconds to whole microseconds and nanosleep(), a negative, infinite, NaN or out-of-range
/// value does not sleep at all.
fn sleep_seconds(secs: f64) {
    let us = secs * 1e6;
    if !us.is_finite() || !(0.0..9.2e18).contains(&us) {
        return;
    }
    std::thread::sleep(std::time::Duration::from_micros(us as u64));
}

// ---------------------------------------------------------------------------------------------
// DIGEST

/// Redis's type codes (the digest mixes them in).
fn type_code(v: &Value) -> u32 {
    match v {
        Value::Str(_) | Value::Int(_) => 0,
        Value::List(_) => 1,
        Value::Set(_) => 2,
        Value::ZSet(_) => 3,
        Value::Hash(_) => 4,
        Value::Stream(_) => 6,
    }
}

/// XORs the SHA-1 of `data` into `d`: an order-independent accumulation.
fn xor_digest(d: &mut [u8; 20], data: &[u8]) {
    let h = sha1(data);
    for (a, b) in d.iter_mut().zip(h.iter()) {
        *a ^= b;
    }
}

/// XORs the SHA-1 of `data` into `d`, then replaces `d` by its own SHA-1: an order-dependent
/// accumulation ("ab" then "c" differs from "a" then "bc").
fn mix_digest(d: &mut [u8; 20], data: &[u8]) {
    xor_digest(d, data);
    *d = sha1(&d[..]);
}

/// Mixes a value (its type, contents and whether it has a TTL) into `d`.
fn value_digest(d: &mut [u8; 20], v: &Value, has_expire: bool) {
    mix_digest(d, &type_code(v).to_be_bytes());
    match v {
        Value::Str(s) => mix_digest(d, s.as_slice()),
        Value::Int(n) => mix_digest(d, n.to_string().as_bytes()),
        // elements in order
        Value::List(l) => {
            for e in l.iter() {
                mix_digest(d, &e.to_bytes());
            }
        }
        // members, order-independent
        Value::Set(set) => {
            for m in set.iter() {
                xor_digest(d, &m.to_bytes());
            }
        }
        // (member, %.17g score) pairs, order-independent
        Value::ZSet(z) => {
            for (m, score) in z.iter() {
                let mut ele = [0u8; 20];
                mix_digest(&mut ele, &m.to_bytes());
                mix_digest(&mut ele, vireo_resp::num::fmt_double(score).as_bytes());
                xor_digest(d, &ele);
            }
        }
        // (field, value) pairs, order-independent
        Value::Hash(h) => {
            for (f, v) in h.iter() {
                let mut ele = [0u8; 20];
                mix_digest(&mut ele, &f.to_bytes());
                mix_digest(&mut ele, &v.to_bytes());
                xor_digest(d, &ele);
            }
        }
        // "<ms>.<seq>" then every field and value, in id order
        Value::Stream(st) => st.for_each_entry(|id, fields| {
            mix_digest(d, format!("{}.{}", id.ms, id.seq).as_bytes());
            for (f, v) in fields {
                mix_digest(d, f);
                mix_digest(d, v);
            }
        }),
    }
    if has_expire {
        xor_digest(d, b"!!expire!!");
    }
}

/// The digest of every database: per key, the mix of the key and its value; the SHA-1s of the
/// keys' digests are XORed together (order-independent); each non-empty database's index is mixed in before its keys.
/// Logically expired keys that are still stored count, so that a master and a replica agree.
/// All zeros for an empty dataset.
pub fn dataset_digest(dbs: &[Db]) -> [u8; 20] {
    let mut fin = [0u8; 20];
    for (j, db) in dbs.iter().enumerate() {
        if db.is_empty() {
            continue;
        }
        mix_digest(&mut fin, &(j as u32).to_be_bytes());
        for (k, e) in db.iter() {
            let mut d = [0u8; 20];
            mix_digest(&mut d, k.as_slice());
            value_digest(&mut d, &e.val, db.get_expire(k.as_slice()).is_some());
            xor_digest(&mut fin, &d);
        }
    }
    fin
}

/// The digest of one key's value (without the key), zeros when the key is not stored.
pub fn key_digest(db: &Db, key: &[u8]) -> [u8; 20] {
    let mut d = [0u8; 20];
    if let Some(e) = db.peek(key) {
        value_digest(&mut d, &e.val, db.get_expire(key).is_some());
    }
    d
}

fn hex(d: &[u8]) -> String {
    d.iter().map(|b| format!("{:02x}", b)).collect()
}

fn digest_value(ctx: &mut Ctx) {
    let db = &ctx.srv.ks.dbs[ctx.c.db];
    let digests: Vec<String> = ctx.argv[2..].iter().map(|k| hex(&key_digest(db, k))).collect();
    let out = ctx.out();
    out.array(digests.len());
    for d in &digests {
        out.simple(d);
    }
}

/// SHA-1 (FIPS 180-4) of a whole buffer.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0];
    let mut chunks = data.chunks_exact(64);
    for block in &mut chunks {
        sha1_block(&mut h, block);
    }
    let rest = chunks.remainder();
    let mut tail = [0u8; 128];
    tail[..rest.len()].copy_from_slice(rest);
    tail[rest.len()] = 0x80;
    let n = if rest.len() < 56 { 64 } else { 128 };
    tail[n - 8..n].copy_from_slice(&((data.len() as u64).wrapping_mul(8)).to_be_bytes());
    for block in tail[..n].chunks_exact(64) {
        sha1_block(&mut h, block);
    }
    let mut out = [0u8; 20];
    for (i, w) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&w.to_be_bytes());
    }
    out
}

fn sha1_block(h: &mut [u32; 5], block: &[u8]) {
    let mut w = [0u32; 80];
    for (i, c) in block.chunks_exact(4).enumerate() {
        w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
    }
    for i in 16..80 {
        w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
    }
    let [mut a, mut b, mut c, mut d, mut e] = *h;
    for (i, &wi) in w.iter().enumerate() {
        let (f, k) = match i / 20 {
            0 => ((b & c) | (!b & d), 0x5A82_7999),
            1 => (b ^ c ^ d, 0x6ED9_EBA1),
            2 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
            _ => (b ^ c ^ d, 0xCA62_C1D6),
        };
        let t = a.rotate_left(5).wrapping_add(f).wrapping_add(e).wrapping_add(k).wrapping_add(wi);
        e = d;
        d = c;
        c = b.rotate_left(30);
        b = a;
        a = t;
    }
    for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
        *x = x.wrapping_add(y);
    }
}

// ---------------------------------------------------------------------------------------------
// POPULATE

fn populate(ctx: &mut Ctx) {
    const POSITIVE: &str = "ERR value is out of range, must be positive";
    let Some(count) = vireo_resp::num::parse_i64(&ctx.argv[2]).filter(|&n| n >= 0) else {
        ctx.error(POSITIVE);
        return;
    };
    let mut size = 0usize;
    if ctx.argc() == 5 {
        match vireo_resp::num::parse_i64(&ctx.argv[4]).filter(|&n| n >= 0) {
            Some(n) => size = n as usize,
            None => {
                ctx.error(POSITIVE);
                return;
            }
        }
    }
    let prefix: Vec<u8> = if ctx.argc() >= 4 { errors::cstr(&ctx.argv[3]).to_vec() } else { b"key".to_vec() };
    for j in 0..count as u64 {
        let key = populate_key(&prefix, j);
        if ctx.db().lookup_write(&key).is_some() {
            continue;
        }
        let Some(val) = populate_value(j, size) else {
            ctx.error("ERR DEBUG POPULATE could not allocate a value of that size");
            return;
        };
        ctx.db().add(&key, Value::Str(SBytes::from_vec(val)));
        ctx.notify(notify::NEW, "new", &key);
    }
    ctx.ok();
}

/// `<prefix>:<j>`, cut to 127 bytes as Redis's fixed 128-byte buffer does (so very long
/// prefixes make keys collide, and the collisions are skipped as existing keys).
pub fn populate_key(prefix: &[u8], j: u64) -> Vec<u8> {
    let mut k = prefix.to_vec();
    k.push(b':');
    k.extend_from_slice(j.to_string().as_bytes());
    k.truncate(127);
    k
}

/// `value:<j>`, or exactly `size` bytes of it padded with zero bytes when a size is given.
/// None when the allocation fails (a size Redis itself would die on).
pub fn populate_value(j: u64, size: usize) -> Option<Vec<u8>> {
    let text = format!("value:{}", j).into_bytes();
    if size == 0 {
        return Some(text);
    }
    let mut v = Vec::new();
    v.try_reserve_exact(size).ok()?;
    let n = size.min(text.len());
    v.extend_from_slice(&text[..n]);
    v.resize(size, 0);
    Some(v)
}

// ---------------------------------------------------------------------------------------------
// OBJECT

fn object(ctx: &mut Ctx) {
    let compress = ctx.srv.config.rdbcompression;
    // Redis shares small integers unless a maxmemory limit with an LRU/LFU policy needs
    // per-key access data
    let policy = &ctx.srv.config.maxmemory_policy;
    let shared_integers = ctx.srv.config.maxmemory == 0 || !(policy.is_lru() || policy.is_lfu());
    let clock = ctx.srv.lru;
    let db = &ctx.srv.ks.dbs[ctx.c.db];
    let Some(e) = db.peek(&ctx.argv[2]) else {
        ctx.error(errors::NO_SUCH_KEY);
        return;
    };
    let line = format!(
        "Value at:{:p} refcount:{} encoding:{} serializedlength:{} lru:{} lru_seconds_idle:{}",
        &e.val as *const Value,
        vireo_keyspace::ops::keys::refcount(e, shared_integers),
        e.encoding(),
        saved_value_len(&e.val, compress),
        e.lru,
        vireo_keyspace::db::idle_ms(e.lru, clock) / 1000
    );
    ctx.out().simple(&line);
}

/// Bytes of an RDB length prefix.
fn rdb_len_len(n: usize) -> usize {
    if n < 1 << 6 {
        1
    } else if n < 1 << 14 {
        2
    } else if n as u64 <= u32::MAX as u64 {
        5
    } else {
        9
    }
}

/// Bytes of the RDB integer encoding of `v`, when it fits in 32 bits.
fn rdb_int_len(v: i64) -> Option<usize> {
    if (i8::MIN as i64..=i8::MAX as i64).contains(&v) {
        Some(2)
    } else if (i16::MIN as i64..=i16::MAX as i64).contains(&v) {
        Some(3)
    } else if (i32::MIN as i64..=i32::MAX as i64).contains(&v) {
        Some(5)
    } else {
        None
    }
}

/// Bytes the RDB encoding of a string takes (without the type byte): integer encoding for
/// short canonical integers, LZF when rdbcompression is on, the string is over 20 bytes and
/// compressing saves at least 4 bytes, otherwise length + bytes.
pub fn saved_string_len(s: &[u8], compress: bool) -> usize {
    let len = s.len();
    if len <= 11 {
        if let Some(n) = parse_canonical_i64(s).and_then(rdb_int_len) {
            return n;
        }
    }
    if compress && len > 20 {
        if let Some(c) = lzf_compressed_len(s, len - 4) {
            return 1 + rdb_len_len(c) + rdb_len_len(len) + c;
        }
    }
    rdb_len_len(len) + len
}

/// DEBUG OBJECT's serializedlength: the RDB payload size of the value.
pub fn saved_value_len(v: &Value, compress: bool) -> usize {
    match v {
        Value::Str(s) => saved_string_len(s.as_slice(), compress),
        Value::Int(n) => rdb_int_len(*n).unwrap_or_else(|| {
            let t = n.to_string();
            rdb_len_len(t.len()) + t.len()
        }),
        // aggregates: element strings with a length prefix each (the exact compact encodings'
        // sizes come with the RDB writer)
        Value::List(l) => {
            rdb_len_len(l.len()) + l.iter().map(|e| saved_string_len(&e.to_bytes(), compress)).sum::<usize>()
        }
        Value::Set(st) => {
            rdb_len_len(st.len()) + st.iter().map(|e| saved_string_len(&e.to_bytes(), compress)).sum::<usize>()
        }
        // a listpack hash is saved as one string holding the listpack blob
        Value::Hash(h) => match h.listpack() {
            Some(lp) => saved_string_len(lp.bytes(), compress),
            None => {
                rdb_len_len(h.len())
                    + h.iter()
                        .map(|(f, v)| {
                            saved_string_len(&f.to_bytes(), compress) + saved_string_len(&v.to_bytes(), compress)
                        })
                        .sum::<usize>()
            }
        },
        Value::ZSet(z) => {
            rdb_len_len(z.len()) + z.iter().map(|(m, _)| saved_string_len(&m.to_bytes(), compress) + 8).sum::<usize>()
        }
        Value::Stream(st) => {
            let mut n = 0;
            st.for_each_entry(|_, fields| {
                n += 16;
                for (f, v) in fields {
                    n += saved_string_len(f, compress) + saved_string_len(v, compress);
                }
            });
            n
        }
    }
}

/// The size LZF (liblzf's format and matching rules: 16-bit hash table, 8 KiB window, runs of
/// at most 32 literals, references of at most 264 bytes) compresses `input` to, or None when it
/// does not fit in `out_len` bytes. Only the size is needed here. Redis compresses with a hash
/// table left uninitialised, so in rare cases its output (and size) differs from this one,
/// which starts from an empty table.
pub fn lzf_compressed_len(input: &[u8], out_len: usize) -> Option<usize> {
    const HLOG: u32 = 16;
    const HSIZE: usize = 1 << HLOG;
    const MAX_LIT: usize = 1 << 5;
    const MAX_OFF: usize = 1 << 13;
    const MAX_REF: usize = (1 << 8) + (1 << 3);
    let n = input.len();
    if n == 0 || out_len == 0 {
        return None;
    }
    let idx = |h: u32| (((h >> (24 - HLOG)).wrapping_sub(h.wrapping_mul(5))) as usize) & (HSIZE - 1);
    let at = |i: usize| input.get(i).copied().unwrap_or(0) as u32;
    // positions of earlier 3-byte sequences; 0 means none (position 0 is never referenced)
    let mut htab = vec![0u32; HSIZE];
    // only the output's length matters, so `op` counts bytes and `lit` the open literal run
    let mut op = 1usize;
    let mut lit = 0usize;
    let mut ip = 0usize;
    let mut hval: u32 = (at(0) << 8) | at(1);
    while ip + 2 < n {
        hval = (hval << 8) | at(ip + 2);
        let slot = idx(hval);
        let r = htab[slot] as usize;
        htab[slot] = ip as u32;
        let matched = r != 0 && ip - r - 1 < MAX_OFF && input[r..r + 3] == input[ip..ip + 3];
        if matched {
            let mut len = 2usize;
            let maxlen = (n - ip - len).min(MAX_REF);
            if op + 4 >= out_len && op - usize::from(lit == 0) + 4 >= out_len {
                return None;
            }
            op -= usize::from(lit == 0);
            // grow the match; a first stretch of 16 is compared without the bound check
            let mut done = false;
            if maxlen > 16 {
                for _ in 0..16 {
                    len += 1;
                    if input[r + len] != input[ip + len] {
                        done = true;
                        break;
                    }
                }
            }
            if !done {
                loop {
                    len += 1;
                    if !(len < maxlen && input[r + len] == input[ip + len]) {
                        break;
                    }
                }
            }
            len -= 2;
            ip += 1;
            op += if len < 7 { 2 } else { 3 };
            lit = 0;
            op += 1;
            ip += len + 1;
            if ip + 2 >= n {
                break;
            }
            // hash the last two positions of the match
            ip -= 2;
            hval = (at(ip) << 8) | at(ip + 1);
            hval = (hval << 8) | at(ip + 2);
            htab[idx(hval)] = ip as u32;
            ip += 1;
            hval = (hval << 8) | at(ip + 2);
            htab[idx(hval)] = ip as u32;
            ip += 1;
        } else {
            if op >= out_len {
                return None;
            }
            lit += 1;
            op += 1;
            ip += 1;
            if lit == MAX_LIT {
                lit = 0;
                op += 1;
            }
        }
    }
    if op + 3 > out_len {
        return None;
    }
    while ip < n {
        lit += 1;
        op += 1;
        ip += 1;
        if lit == MAX_LIT {
            lit = 0;
            op += 1;
        }
    }
    op -= usize::from(lit == 0);
    Some(op)
}

// ---------------------------------------------------------------------------------------------
// HTSTATS

fn htstats(ctx: &mut Ctx) {
    let Some(dbid) = ctx.int_arg(2) else { return };
    if dbid < 0 || dbid as usize >= ctx.srv.ks.dbs.len() {
        ctx.error("ERR Out of range database");
        return;
    }
    let db = &ctx.srv.ks.dbs[dbid as usize];
    let mut text = String::from("[Dictionary HT]\n");
    text.push_str(&dict_stats_text(&db.main_dict().stats()));
    text.push_str("[Expires HT]\n");
    text.push_str(&dict_stats_text(&db.expires().stats()));
    ctx.out().verbatim("txt", text.as_bytes());
}

/// DEBUG LISTPACK / DEBUG QUICKLIST: prints a summary of the value's low-level layout on the
/// standard output (Redis prints its own structures there; ours differ in detail, so only the
/// node list of a quicklist is shown) when the key has that encoding.
fn encoding_dump(ctx: &mut Ctx, encoding: &str) {
    let key = ctx.argv[2].clone();
    let db = ctx.db();
    let Some(e) = db.lookup(&key, vireo_keyspace::db::lookup::NOTOUCH) else {
        return ctx.error(errors::NO_SUCH_KEY);
    };
    if e.encoding() != encoding {
        return ctx.error(&format!("ERR Not a {encoding} encoded object."));
    }
    if let Value::List(l) = &e.val {
        println!(
            "{{quicklist}} len: {} nodes: {} fill: {} compress: {}",
            l.len(),
            l.node_count(),
            l.fill(),
            l.compress_depth()
        );
        for (i, n) in l.nodes().enumerate() {
            println!("  {{node {i}}} plain: {} count: {} bytes: {}", n.is_plain(), n.count(), n.size());
        }
    }
    let what = if encoding == "listpack" { "Listpack" } else { "Quicklist" };
    ctx.out().simple(&format!("{what} structure printed on stdout"));
}

fn htstats_key(ctx: &mut Ctx) {
    let key = ctx.argv[2].clone();
    let db = ctx.db();
    let found = db.lookup(&key, vireo_keyspace::db::lookup::NOTOUCH).map(|e| value_dict_stats(&e.val));
    match found {
        None => ctx.error(errors::NO_SUCH_KEY),
        Some(None) => ctx.error("ERR The value stored at the specified key is not represented using an hash table"),
        Some(Some(st)) => {
            let text = dict_stats_text(&st);
            ctx.out().verbatim("txt", text.as_bytes());
        }
    }
}

/// The statistics of the hash table inside a value, for the encodings that have one.
fn value_dict_stats(v: &Value) -> Option<DictStats> {
    match v {
        Value::Str(_) | Value::Int(_) | Value::List(_) | Value::Stream(_) => None,
        Value::Set(s) => s.dict_stats(),
        Value::Hash(h) => h.dict_stats(),
        Value::ZSet(z) => z.dict_stats(),
    }
}

/// Redis's text layout of a dict's statistics: one block per table (the second only while
/// rehashing).
pub fn dict_stats_text(st: &DictStats) -> String {
    let mut s = String::new();
    if st.detail.is_empty() {
        table_stats_text(&mut s, 0, &TableStats::default());
    }
    for (i, t) in st.detail.iter().enumerate() {
        table_stats_text(&mut s, i, t);
    }
    s
}

fn table_stats_text(s: &mut String, idx: usize, t: &TableStats) {
    use std::fmt::Write;
    let which = if idx == 0 { "main hash table" } else { "rehashing target" };
    if t.used == 0 {
        let _ = write!(s, "Hash table {} stats ({}):\nNo stats available for empty dictionaries\n", idx, which);
        return;
    }
    let slots = t.slots.max(1);
    let total: usize = t.chain_lengths.iter().enumerate().map(|(len, n)| len * n).sum();
    let _ = write!(
        s,
        "Hash table {} stats ({}):\n table size: {}\n number of elements: {}\n different slots: {}\n max chain length: {}\n avg chain length (counted): {:.2}\n avg chain length (computed): {:.2}\n Chain length distribution:\n",
        idx,
        which,
        t.size,
        t.used,
        t.slots,
        t.max_chain,
        total as f32 / slots as f32,
        t.used as f32 / slots as f32
    );
    for (len, &n) in t.chain_lengths.iter().enumerate().take(STATS_VECTLEN - 1) {
        if n == 0 {
            continue;
        }
        let pct = (n as f32 / t.size.max(1) as f32) * 100.0;
        let _ = writeln!(s, "   {}: {} ({:.2}%)", len, n, pct);
    }
}

// ---------------------------------------------------------------------------------------------
// PROTOCOL

fn protocol(ctx: &mut Ctx) {
    let name = ctx.argv[2].to_ascii_lowercase();
    let resp3 = ctx.c.resp3();
    match &name[..] {
        b"push" if !resp3 => ctx.error("ERR RESP2 is not supported by this command"),
        b"string" | b"integer" | b"double" | b"bignum" | b"null" | b"array" | b"set" | b"map" | b"attrib" | b"push" | b"true" | b"false" | b"verbatim" => {
            protocol_sample(ctx.out(), &name, resp3)
        }
        _ => ctx.error("ERR Wrong protocol type name. Please use one of the following: string|integer|double|bignum|null|array|set|map|attrib|push|verbatim|true|false"),
    }
}

/// DEBUG PROTOCOL double's value (Redis's sample, not an approximation of pi).
#[allow(clippy::approx_constant)]
const SAMPLE_DOUBLE: f64 = 3.141;

/// The sample reply of one DEBUG PROTOCOL type (the name is known to be valid).
fn protocol_sample(out: &mut crate::client::Reply, name: &[u8], resp3: bool) {
    match name {
        b"string" => out.bulk(b"Hello World"),
        b"integer" => out.int(12345),
        b"double" => out.double(SAMPLE_DOUBLE),
        b"bignum" => out.big_number("1234567999999999999999999999999999999"),
        b"null" => out.null(),
        b"array" => {
            out.array(3);
            (0..3).for_each(|j| out.int(j));
        }
        b"set" => {
            out.set(3);
            (0..3).for_each(|j| out.int(j));
        }
        b"map" => {
            out.map(3);
            for j in 0..3 {
                out.int(j);
                out.boolean(j == 1);
            }
        }
        b"attrib" => {
            // an attribute is not a reply by itself: a real reply follows it
            if resp3 {
                out.attribute(1);
                out.bulk(b"key-popularity");
                out.array(2);
                out.bulk(b"key:123");
                out.int(90);
            }
            out.bulk(b"Some real reply following the attribute");
        }
        b"push" => {
            // a push message, then a normal reply so that a waiting caller gets one
            out.push(2);
            out.bulk(b"server-cpu-usage");
            out.int(42);
            out.bulk(b"Some real reply following the push reply");
        }
        b"true" => out.boolean(true),
        b"false" => out.boolean(false),
        _ => out.verbatim("txt", b"This is a verbatim\nstring"),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::testing::TestServer;
    use vireo_keyspace::dict::Dict;

    #[test]
    fn sha1_known_vectors() {
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(hex(&sha1(b"abc")), "a9993e364706816aba3e25717850c26c9cd0d89d");
        assert_eq!(
            hex(&sha1(b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")),
            "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
        );
        let million = vec![b'a'; 1_000_000];
        assert_eq!(hex(&sha1(&million)), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
        // 55, 56 and 64 bytes: the padding boundaries
        assert_eq!(hex(&sha1(&[b'x'; 55])), hex(&sha1(&[b'x'; 55][..])));
        assert_ne!(sha1(&[b'x'; 55]), sha1(&[b'x'; 56]));
        assert_ne!(sha1(&[b'x'; 63]), sha1(&[b'x'; 64]));
    }

    #[test]
    fn strtod_and_atoi_read_prefixes_like_c() {
        assert_eq!(strtod_prefix(b"0.2"), 0.2);
        assert_eq!(strtod_prefix(b"  1.5abc"), 1.5);
        assert_eq!(strtod_prefix(b"-2"), -2.0);
        assert_eq!(strtod_prefix(b".5"), 0.5);
        assert_eq!(strtod_prefix(b"5."), 5.0);
        assert_eq!(strtod_prefix(b"1e3"), 1000.0);
        assert_eq!(strtod_prefix(b"1e"), 1.0);
        assert_eq!(strtod_prefix(b"abc"), 0.0);
        assert_eq!(strtod_prefix(b"."), 0.0);
        assert!(strtod_prefix(b"inf").is_infinite());
        assert!(strtod_prefix(b"NaN").is_nan());
        assert_eq!(atoi(b"1"), 1);
        assert_eq!(atoi(b" -3x"), -3);
        assert_eq!(atoi(b"x"), 0);
        assert_eq!(atoi(b"4294967296"), 0);
        assert_eq!(atoi(b"99999999999999999999"), -1);
    }

    #[test]
    fn glob_fuzz_runs_and_sometimes_matches() {
        let mut rng = vireo_keyspace::Rng::from_seed(7);
        // empty patterns match empty strings, "*"-led ones match a lot: some matches must occur
        assert!(glob_fuzz(&mut rng, 20_000) > 0);
    }

    #[test]
    fn populate_names_and_values() {
        assert_eq!(populate_key(b"key", 7), b"key:7");
        assert_eq!(populate_key(&[b'p'; 200], 1).len(), 127);
        assert_eq!(populate_value(3, 0).unwrap(), b"value:3");
        assert_eq!(populate_value(3, 3).unwrap(), b"val");
        assert_eq!(populate_value(3, 10).unwrap(), b"value:3\0\0\0");
    }

    #[test]
    fn saved_lengths() {
        assert_eq!(saved_string_len(b"bar", true), 4);
        assert_eq!(saved_string_len(b"12", true), 2);
        assert_eq!(saved_string_len(b"-129", true), 3);
        assert_eq!(saved_string_len(b"012", true), 4);
        assert_eq!(saved_string_len(b"2147483648", true), 11);
        assert_eq!(saved_value_len(&Value::Int(12), true), 2);
        assert_eq!(saved_value_len(&Value::Int(1 << 40), true), 1 + 13);
        let long = vec![b'a'; 100];
        assert!(saved_string_len(&long, true) < 20);
        assert_eq!(saved_string_len(&long, false), 2 + 100);
        // incompressible: stored as is
        let noise: Vec<u8> = (0..100u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect();
        assert_eq!(saved_string_len(&noise, true), 2 + 100);
    }

    #[test]
    fn lzf_sizes() {
        // 21 identical bytes: position 0 can never be referenced, so a run of 2 literals
        // (3 bytes), then a long back reference of the other 19 (3 bytes)
        assert_eq!(lzf_compressed_len(&[b'a'; 21], 17), Some(6));
        assert_eq!(saved_string_len(&[b'a'; 21], true), 1 + 1 + 1 + 6);
        assert_eq!(lzf_compressed_len(b"abc", 2), None);
        assert_eq!(lzf_compressed_len(b"", 10), None);
    }

    #[test]
    fn table_stats_text_is_redis_layout() {
        // the reference redis-server 7.0.15 printed this block for a table in this state
        let mut chain_lengths = vec![0; STATS_VECTLEN];
        chain_lengths[..3].copy_from_slice(&[4, 3, 1]);
        let st = DictStats {
            tables: vec![(8, 5)],
            max_chain: 2,
            rehashing: false,
            detail: vec![TableStats { size: 8, used: 5, slots: 4, max_chain: 2, chain_lengths }],
        };
        assert_eq!(
            dict_stats_text(&st),
            "Hash table 0 stats (main hash table):\n table size: 8\n number of elements: 5\n different slots: 4\n max chain length: 2\n avg chain length (counted): 1.25\n avg chain length (computed): 1.25\n Chain length distribution:\n   0: 4 (50.00%)\n   1: 3 (37.50%)\n   2: 1 (12.50%)\n"
        );
    }

    #[test]
    fn empty_stats_text() {
        let t = dict_stats_text(&Dict::<()>::new().stats());
        assert_eq!(t, "Hash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n");
    }

    /// A parsed reply (RESP2 and the RESP3 types these tests meet).
    #[derive(Debug, Clone, PartialEq)]
    pub(crate) enum R {
        Simple(String),
        Err(String),
        Int(i64),
        Bulk(Vec<u8>),
        Nil,
        Arr(Vec<R>),
        Map(Vec<(R, R)>),
    }

    impl R {
        pub(crate) fn arr(&self) -> &[R] {
            match self {
                R::Arr(v) => v,
                other => panic!("not an array: {:?}", other),
            }
        }
        pub(crate) fn int(&self) -> i64 {
            match self {
                R::Int(n) => *n,
                other => panic!("not an integer: {:?}", other),
            }
        }
        pub(crate) fn bytes(&self) -> Vec<u8> {
            match self {
                R::Bulk(b) => b.clone(),
                R::Simple(s) => s.as_bytes().to_vec(),
                other => panic!("not a string: {:?}", other),
            }
        }
        pub(crate) fn text(&self) -> String {
            String::from_utf8_lossy(&self.bytes()).into_owned()
        }
    }

    /// Parses one complete reply; panics on anything malformed or left over.
    pub(crate) fn parse(b: &[u8]) -> R {
        let (r, used) = parse_at(b, 0);
        assert_eq!(used, b.len(), "trailing bytes after a reply: {:?}", String::from_utf8_lossy(b));
        r
    }

    fn parse_at(b: &[u8], at: usize) -> (R, usize) {
        let end = at + b[at..].windows(2).position(|w| w == b"\r\n").expect("line end");
        let line = String::from_utf8_lossy(&b[at + 1..end]).into_owned();
        let next = end + 2;
        let n = || line.parse::<i64>().expect("length");
        match b[at] {
            b'+' => (R::Simple(line), next),
            b'-' => (R::Err(line), next),
            b':' => (R::Int(n()), next),
            b'_' => (R::Nil, next),
            b'$' | b'=' if n() < 0 => (R::Nil, next),
            b'$' | b'=' => {
                let len = n() as usize;
                (R::Bulk(b[next..next + len].to_vec()), next + len + 2)
            }
            b'*' if n() < 0 => (R::Nil, next),
            b'*' | b'~' | b'>' => {
                let mut v = Vec::new();
                let mut pos = next;
                for _ in 0..n() {
                    let (r, p) = parse_at(b, pos);
                    v.push(r);
                    pos = p;
                }
                (R::Arr(v), pos)
            }
            b'%' => {
                let mut v = Vec::new();
                let mut pos = next;
                for _ in 0..n() {
                    let (k, p) = parse_at(b, pos);
                    let (val, p) = parse_at(b, p);
                    v.push((k, val));
                    pos = p;
                }
                (R::Map(v), pos)
            }
            other => panic!("unexpected reply type {:?}", other as char),
        }
    }

    pub(crate) fn server() -> TestServer {
        TestServer::new("enable-debug-command yes\n")
    }

    fn digest(ts: &mut TestServer) -> String {
        parse(&ts.cmd(&["DEBUG", "DIGEST"])).text()
    }

    #[test]
    fn digest_is_zero_when_empty_and_follows_the_data() {
        let mut a = server();
        assert_eq!(digest(&mut a), "0".repeat(40));
        assert_eq!(parse(&a.cmd(&["DEBUG", "DIGEST-VALUE", "nokey"])), R::Arr(vec![R::Simple("0".repeat(40))]));
        // the reference redis-server 7.0.15 gives these for a dataset holding only foo=bar
        a.cmd(&["SET", "foo", "bar"]);
        assert_eq!(digest(&mut a), "d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a");
        assert_eq!(
            parse(&a.cmd(&["DEBUG", "DIGEST-VALUE", "foo"])),
            R::Arr(vec![R::Simple("68467c70ae30376e7ce005bcc8827f5ba7fd67dc".into())])
        );
        // the same keys inserted in another order give the same digest
        let mut b = server();
        for (k, v) in [("k1", "1"), ("k2", "two"), ("k3", "300000000000")] {
            a.cmd(&["SET", k, v]);
        }
        for (k, v) in [("k3", "300000000000"), ("foo", "bar"), ("k2", "two"), ("k1", "1")] {
            b.cmd(&["SET", k, v]);
        }
        assert_eq!(digest(&mut a), digest(&mut b));
        // a different value, a TTL, or the same data in another database all change it
        let same = digest(&mut a);
        b.cmd(&["SET", "k2", "TWO"]);
        assert_ne!(digest(&mut b), same);
        b.cmd(&["SET", "k2", "two"]);
        assert_eq!(digest(&mut b), same);
        b.cmd(&["SET", "k1", "1", "PXAT", "99999999999999"]);
        assert_ne!(digest(&mut b), same);
        let mut c = server();
        c.cmd(&["SELECT", "1"]);
        c.cmd(&["SET", "foo", "bar"]);
        assert_ne!(digest(&mut c), "d2ab4820c1be0580ea28efbfe8bfa1dc05bb802a");
        // an integer and the same digits stored as a string digest alike
        let mut d = server();
        d.cmd(&["SET", "n", "12"]);
        d.cmd(&["APPEND", "m", "12"]);
        let dv = parse(&d.cmd(&["DEBUG", "DIGEST-VALUE", "n", "m"]));
        assert_eq!(dv.arr()[0], dv.arr()[1]);
    }

    #[test]
    fn populate_creates_missing_keys_only_and_is_not_propagated() {
        let mut ts = server();
        ts.capture();
        let dirty = ts.srv.dirty;
        assert_eq!(ts.cmd(&["DEBUG", "POPULATE", "100"]), b"+OK\r\n");
        assert_eq!(ts.srv.ks.dbs[0].len(), 100);
        assert_eq!(ts.cmd(&["GET", "key:99"]), b"$8\r\nvalue:99\r\n");
        ts.cmd(&["SET", "key:5", "mine"]);
        assert_eq!(ts.cmd(&["DEBUG", "POPULATE", "150"]), b"+OK\r\n");
        assert_eq!(ts.srv.ks.dbs[0].len(), 150);
        assert_eq!(ts.cmd(&["GET", "key:5"]), b"$4\r\nmine\r\n");
        assert_eq!(ts.cmd(&["DEBUG", "POPULATE", "2", "p", "10"]), b"+OK\r\n");
        assert_eq!(ts.cmd(&["GET", "p:1"]), b"$10\r\nvalue:1\0\0\0\r\n");
        assert_eq!(ts.cmd(&["DEBUG", "POPULATE", "0"]), b"+OK\r\n");
        assert_eq!(ts.srv.ks.dbs[0].len(), 152);
        // only the SET is propagated and counted as a change
        assert_eq!(ts.srv.dirty, dirty + 1);
        let stream = ts.take_captured();
        assert!(!String::from_utf8_lossy(&stream).contains("value:"), "{:?}", String::from_utf8_lossy(&stream));
        let e = parse(&ts.cmd(&["DEBUG", "POPULATE", "-1"]));
        assert_eq!(e, R::Err("ERR value is out of range, must be positive".into()));
    }

    #[test]
    fn object_reports_encoding_and_length() {
        let mut ts = server();
        ts.cmd(&["SET", "foo", "bar"]);
        ts.cmd(&["SET", "n", "12"]);
        let o = parse(&ts.cmd(&["DEBUG", "OBJECT", "foo"])).text();
        assert!(o.starts_with("Value at:0x"), "{o}");
        assert!(o.contains(" refcount:1 encoding:embstr serializedlength:4 lru:"), "{o}");
        assert!(o.ends_with(" lru_seconds_idle:0"), "{o}");
        let o = parse(&ts.cmd(&["DEBUG", "OBJECT", "n"])).text();
        assert!(o.contains(" refcount:2147483647 encoding:int serializedlength:2 lru:"), "{o}");
        assert_eq!(parse(&ts.cmd(&["DEBUG", "OBJECT", "nokey"])), R::Err("ERR no such key".into()));
    }

    #[test]
    fn switches_sleep_and_errors() {
        let mut ts = server();
        assert_eq!(ts.cmd(&["DEBUG", "SET-ACTIVE-EXPIRE", "0"]), b"+OK\r\n");
        assert!(!ts.srv.active_expire_enabled);
        assert_eq!(ts.cmd(&["DEBUG", "set-active-expire", "1"]), b"+OK\r\n");
        assert!(ts.srv.active_expire_enabled);
        let t = std::time::Instant::now();
        assert_eq!(ts.cmd(&["DEBUG", "SLEEP", "0.05"]), b"+OK\r\n");
        assert!(t.elapsed() >= std::time::Duration::from_millis(50));
        assert_eq!(ts.cmd(&["DEBUG", "ERROR", "boom\nnow"]), b"-boom now\r\n");
        assert_eq!(
            ts.cmd(&["DEBUG", "RELOAD", "now"]),
            b"-ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.\r\n"
        );
        let help = parse(&ts.cmd(&["DEBUG", "HELP"]));
        assert!(help.arr()[0].text().starts_with("DEBUG <subcommand>"));
        let refused = parse(&TestServer::new("").cmd(&["DEBUG", "DIGEST"]));
        assert!(matches!(refused, R::Err(e) if e.starts_with("ERR DEBUG command not allowed")));
    }

    #[test]
    fn htstats_layout() {
        let mut ts = server();
        ts.cmd(&["DEBUG", "POPULATE", "5"]);
        let t = parse(&ts.cmd(&["DEBUG", "HTSTATS", "0"])).text();
        // (the table may still be rehashing into a second one)
        assert!(t.starts_with("[Dictionary HT]\nHash table 0 stats (main hash table):\n table size: "), "{t}");
        assert!(
            t.ends_with(
                "[Expires HT]\nHash table 0 stats (main hash table):\nNo stats available for empty dictionaries\n"
            ),
            "{t}"
        );
        assert_eq!(parse(&ts.cmd(&["DEBUG", "HTSTATS", "16"])), R::Err("ERR Out of range database".into()));
    }
}
