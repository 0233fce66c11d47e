//! Snapshot and serialization commands: SAVE, BGSAVE [SCHEDULE], DUMP and RESTORE. SAVE and
//! BGSAVE hand over to `persist` (which owns files and the background child); DUMP and RESTORE
//! use the RDB value codec of `vireo-rdb` with its payload framing (value, RDB version, CRC64),
//! so payloads cross between vireo and Redis 7.0 both ways. RESTORE with a relative TTL is
//! propagated with the absolute time and ABSTTL, as Redis does. Knows nothing of sockets.

use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use crate::util::eq_ic;
use bytes::Bytes;
use vireo_rdb::enc::{check_dump_payload, dump_payload};
use vireo_rdb::{Decoder, Encoder};
use vireo_resp::num::parse_i64;

const S_SAVE: &str = "Writes a snapshot of every database to the RDB file, blocking the server while it runs.";
const S_BGSAVE: &str = "Writes a snapshot of every database to the RDB file from a background process.";
const S_DUMP: &str = "Serializes the value stored at a key into an opaque payload that RESTORE accepts.";
const S_RESTORE: &str =
    "Creates a key from a payload made by DUMP, optionally replacing it and setting its TTL and access data.";

const S_BGREWRITEAOF: &str = "Rewrites the append-only file's base from the current dataset in a background process.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "bgrewriteaof",
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_BGREWRITEAOF, since: "1.0.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(bgrewriteaof),
        subcommands: &[],
    },
    CommandSpec {
        name: "save",
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_SAVE, since: "1.0.0", group: Group::Server, complexity: Some("O(N) where N is the total number of keys in all databases"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(save),
        subcommands: &[],
    },
    CommandSpec {
        name: "bgsave",
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_BGSAVE, since: "1.0.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "schedule", typ: ArgType::PureToken, key_spec_index: -1, token: Some("SCHEDULE"), summary: None, since: Some("3.2.2"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(bgsave),
        subcommands: &[],
    },
    CommandSpec {
        name: "dump",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::KEYSPACE | acl::READ | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_DUMP, since: "2.6.0", group: Group::Generic, complexity: Some("O(1) to access the key and additional O(N*M) to serialize it, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(dump),
        subcommands: &[],
    },
    CommandSpec {
        name: "restore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_RESTORE, since: "2.6.0", group: Group::Generic, complexity: Some("O(1) to create the new key and additional O(N*M) to reconstruct the serialized value, where N is the number of Redis objects composing the value and M their average size. For small string values the time complexity is thus O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values the complexity is O(N*M*log(N)) because inserting values into sorted sets is O(log(N))."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "ttl", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "serialized-value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "replace", typ: ArgType::PureToken, key_spec_index: -1, token: Some("REPLACE"), summary: None, since: Some("3.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "absttl", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ABSTTL"), summary: None, since: Some("5.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "seconds", typ: ArgType::Integer, key_spec_index: -1, token: Some("IDLETIME"), summary: None, since: Some("5.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "frequency", typ: ArgType::Integer, key_spec_index: -1, token: Some("FREQ"), summary: None, since: Some("5.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(restore),
        subcommands: &[],
    },
];

fn save(ctx: &mut Ctx) {
    match crate::persist::save(ctx.srv) {
        Ok(()) => ctx.ok(),
        Err(e) if e.starts_with("ERR ") => ctx.error(&e),
        Err(_) => ctx.error("ERR"),
    }
}

fn bgsave(ctx: &mut Ctx) {
    let mut schedule = false;
    if ctx.argc() > 1 {
        if ctx.argc() == 2 && eq_ic(&ctx.argv[1], "schedule") {
            schedule = true;
        } else {
            ctx.error(errors::SYNTAX);
            return;
        }
    }
    if ctx.srv.aof.child.is_some() {
        if schedule {
            ctx.srv.rdb.scheduled = true;
            ctx.c.reply.simple("Background saving scheduled");
        } else {
            ctx.error("ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
        }
        return;
    }
    match crate::persist::bgsave(ctx.srv) {
        Ok(()) => ctx.c.reply.simple("Background saving started"),
        Err(e) if e.starts_with("ERR Background save already") => ctx.error(&e),
        Err(_) => ctx.error("ERR"),
    }
}

fn bgrewriteaof(ctx: &mut Ctx) {
    match crate::aof::bgrewriteaof(ctx.srv) {
        Ok(true) => ctx.c.reply.simple("Background append only file rewriting started"),
        Ok(false) => ctx.c.reply.simple("Background append only file rewriting scheduled"),
        Err(e) => ctx.error(e),
    }
}

fn dump(ctx: &mut Ctx) {
    let key = ctx.argv[1].clone();
    let Some(e) = ctx.db().lookup_read(&key) else {
        ctx.null();
        return;
    };
    let mut body = Vec::new();
    let mut enc = Encoder::new(&mut body);
    match vireo_rdb::value::write_value(&mut enc, &e.val) {
        Ok(()) => {
            let p = dump_payload(&body);
            ctx.bulk(&p);
        }
        Err(err) => ctx.error(&format!("ERR {err}")),
    }
}

fn restore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (mut replace, mut absttl) = (false, false);
    let (mut idle, mut freq): (i64, i64) = (-1, -1);
    let mut j = 4;
    while j < argv.len() {
        let more = argv.len() - j - 1;
        let a = &argv[j];
        if eq_ic(a, "replace") {
            replace = true;
        } else if eq_ic(a, "absttl") {
            absttl = true;
        } else if eq_ic(a, "idletime") && more >= 1 && freq == -1 {
            match parse_i64(&argv[j + 1]) {
                Some(v) if v >= 0 => idle = v,
                Some(_) => return ctx.error("ERR Invalid IDLETIME value, must be >= 0"),
                None => return ctx.error(errors::NOT_INTEGER),
            }
            j += 1;
        } else if eq_ic(a, "freq") && more >= 1 && idle == -1 {
            match parse_i64(&argv[j + 1]) {
                Some(v) if (0..=255).contains(&v) => freq = v,
                Some(_) => return ctx.error("ERR Invalid FREQ value, must be >= 0 and <= 255"),
                None => return ctx.error(errors::NOT_INTEGER),
            }
            j += 1;
        } else {
            return ctx.error(errors::SYNTAX);
        }
        j += 1;
    }
    let key = argv[1].clone();
    if !replace && ctx.db().lookup_write(&key).is_some() {
        return ctx.error("BUSYKEY Target key name already exists.");
    }
    let mut ttl = match parse_i64(&argv[2]) {
        Some(t) if t >= 0 => t,
        Some(_) => return ctx.error("ERR Invalid TTL value, must be >= 0"),
        None => return ctx.error(errors::NOT_INTEGER),
    };
    let Some(body) = check_dump_payload(&argv[3]) else {
        return ctx.error("ERR DUMP payload version or checksum are wrong");
    };
    let limits = ctx.type_limits();
    let mut dec = Decoder::new(body);
    let value = match dec.u8().ok().map(|t| vireo_rdb::value::read_value(&mut dec, t, &limits)) {
        Some(Ok(Some(v))) => v,
        _ => return ctx.error("ERR Bad data format"),
    };
    let deleted = replace && ctx.db().delete(&key);
    let now = ctx.db().clock.now_ms;
    if ttl != 0 && !absttl {
        ttl = ttl.saturating_add(now);
    }
    if ttl != 0 && ttl <= now && ctx.srv.masterhost.is_none() {
        // already expired: the key is gone (and so is any key it replaced)
        if deleted {
            let del: &'static [u8] = if ctx.srv.config.lazyfree_lazy_server_del { b"UNLINK" } else { b"DEL" };
            ctx.rewrite(vec![Bytes::from_static(del), key.clone()]);
            ctx.notify(notify::GENERIC, "del", &key);
            ctx.dirty(1);
        } else {
            ctx.prevent_propagation();
        }
        return ctx.ok();
    }
    ctx.db().add(&key, value);
    if ttl != 0 {
        ctx.db().set_expire(&key, ttl);
        if !absttl {
            let mut v: Vec<Bytes> = argv.to_vec();
            v[2] = Bytes::from(ttl.to_string());
            v.push(Bytes::from_static(b"ABSTTL"));
            ctx.rewrite(v);
        }
    }
    let idle = u64::try_from(idle).ok();
    let freq = u8::try_from(freq).ok();
    crate::persist::restore_access(ctx.db(), &key, idle, freq);
    ctx.notify(notify::GENERIC, "restore", &key);
    ctx.dirty(1);
    ctx.ok();
}
