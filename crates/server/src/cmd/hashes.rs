//! Hash commands: HSET, HSETNX, HMSET, HGET, HMGET, HDEL, HLEN, HSTRLEN, HEXISTS, HKEYS, HVALS,
//! HGETALL, HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN. Handlers parse arguments the way Redis
//! 7.0 does (same error texts, same order of checks against the lookups), run the data
//! operations of `vireo_keyspace::ops::hashes`, write the reply (a RESP3 map for HGETALL, pairs
//! for HRANDFIELD ... WITHVALUES) and report effects: dirty counts, keyspace notifications in
//! Redis's order, and what replicas and the AOF see (HINCRBYFLOAT becomes HSET of the result).
//! They know nothing of sockets, the replication backlog or the AOF.

use crate::client::{cflags, Reply};
use crate::cmd::{bulk_elem, is_opt};
use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use bytes::Bytes;
use vireo_keyspace::db::Db;
use vireo_keyspace::ops::hashes::{self as ops, RandFields};
use vireo_keyspace::ops::keys::parse_cursor;
use vireo_keyspace::ops::longdouble;
use vireo_keyspace::ops::OpError;
use vireo_keyspace::types::hash::Hash;
use vireo_keyspace::types::Elem;
use vireo_keyspace::Rng;
use vireo_resp::num::parse_i64;

const S_HSET: &str = "Sets one or more fields of a hash, creating it if needed; returns how many fields were new.";
const S_HSETNX: &str = "Sets a field of a hash only when that field does not exist yet.";
const S_HMSET: &str = "Sets one or more fields of a hash (older form of HSET that replies OK).";
const S_HGET: &str = "Returns the value stored in a field of a hash.";
const S_HMGET: &str = "Returns the values stored in several fields of a hash, nil for missing ones.";
const S_HDEL: &str = "Removes fields from a hash, deleting the key once it is empty; returns how many were removed.";
const S_HLEN: &str = "Returns the number of fields of a hash.";
const S_HSTRLEN: &str = "Returns the length in bytes of the value stored in a field of a hash.";
const S_HEXISTS: &str = "Tells whether a field exists in a hash.";
const S_HKEYS: &str = "Returns every field name of a hash.";
const S_HVALS: &str = "Returns every value of a hash.";
const S_HGETALL: &str = "Returns every field of a hash together with its value.";
const S_HINCRBY: &str = "Adds an integer to the number stored in a field of a hash and returns the result.";
const S_HINCRBYFLOAT: &str =
    "Adds a floating point number to the number stored in a field of a hash and returns the result.";
const S_HRANDFIELD: &str =
    "Returns random fields of a hash, optionally with their values; a negative count allows repeats.";
const S_HSCAN: &str =
    "Walks the fields and values of a hash a few at a time with a cursor, optionally filtered by pattern.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "hset",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HSET, since: "2.0.0", group: Group::Hash, complexity: Some("O(1) for each field/value pair added, so O(N) to add N field/value pairs when the command is called with multiple field/value pairs."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field_value", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[
                Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(hset),
        subcommands: &[],
    },
    CommandSpec {
        name: "hsetnx",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HSETNX, since: "2.0.0", group: Group::Hash, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hsetnx),
        subcommands: &[],
    },
    CommandSpec {
        name: "hmset",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HMSET, since: "2.0.0", group: Group::Hash, complexity: Some("O(N) where N is the number of fields being set."), deprecated_since: Some("4.0.0"), replaced_by: Some("`HSET` with multiple field-value pairs"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field_value", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[
                Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(hmset),
        subcommands: &[],
    },
    CommandSpec {
        name: "hget",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HGET, since: "2.0.0", group: Group::Hash, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hget),
        subcommands: &[],
    },
    CommandSpec {
        name: "hmget",
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HMGET, since: "2.0.0", group: Group::Hash, complexity: Some("O(N) where N is the number of fields being requested."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hmget),
        subcommands: &[],
    },
    CommandSpec {
        name: "hdel",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HDEL, since: "2.0.0", group: Group::Hash, complexity: Some("O(N) where N is the number of fields to be removed."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hdel),
        subcommands: &[],
    },
    CommandSpec {
        name: "hlen",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HLEN, since: "2.0.0", group: Group::Hash, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hlen),
        subcommands: &[],
    },
    CommandSpec {
        name: "hstrlen",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HSTRLEN, since: "3.2.0", group: Group::Hash, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hstrlen),
        subcommands: &[],
    },
    CommandSpec {
        name: "hexists",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HEXISTS, since: "2.0.0", group: Group::Hash, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hexists),
        subcommands: &[],
    },
    CommandSpec {
        name: "hkeys",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::READ | acl::HASH | acl::SLOW,
        tips: &["nondeterministic_output_order"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HKEYS, since: "2.0.0", group: Group::Hash, complexity: Some("O(N) where N is the size of the hash."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hkeys),
        subcommands: &[],
    },
    CommandSpec {
        name: "hvals",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::READ | acl::HASH | acl::SLOW,
        tips: &["nondeterministic_output_order"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HVALS, since: "2.0.0", group: Group::Hash, complexity: Some("O(N) where N is the size of the hash."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hvals),
        subcommands: &[],
    },
    CommandSpec {
        name: "hgetall",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::READ | acl::HASH | acl::SLOW,
        tips: &["nondeterministic_output_order"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HGETALL, since: "2.0.0", group: Group::Hash, complexity: Some("O(N) where N is the size of the hash."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hgetall),
        subcommands: &[],
    },
    CommandSpec {
        name: "hincrby",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HINCRBY, since: "2.0.0", group: Group::Hash, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "increment", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hincrby),
        subcommands: &[],
    },
    CommandSpec {
        name: "hincrbyfloat",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::HASH | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HINCRBYFLOAT, since: "2.6.0", group: Group::Hash, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "increment", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hincrbyfloat),
        subcommands: &[],
    },
    CommandSpec {
        name: "hrandfield",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::HASH | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HRANDFIELD, since: "6.2.0", group: Group::Hash, complexity: Some("O(N) where N is the number of fields returned"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "options", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "withvalues", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHVALUES"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(hrandfield),
        subcommands: &[],
    },
    CommandSpec {
        name: "hscan",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::HASH | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_HSCAN, since: "2.8.0", group: Group::Hash, complexity: Some("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "cursor", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: Some("MATCH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(hscan),
        subcommands: &[],
    },
];

const HINCRBY_NOT_INT: &str = "ERR hash value is not an integer";
const HINCRBYFLOAT_NOT_FLOAT: &str = "ERR hash value is not a float";
const INCR_NAN_OR_INF: &str = "ERR value is NaN or Infinity";
const RESULT_NAN_OR_INF: &str = "ERR increment would produce NaN or Infinity";
const HRANDFIELD_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const OUT_OF_RANGE: &str = "ERR value is out of range";
const INVALID_CURSOR: &str = "ERR invalid cursor";

/// Output a reply with an unbounded number of random picks may reach before the client is
/// disconnected, when the normal clients' client-output-buffer-limit sets no hard limit (Redis
/// would grow the buffer until memory runs out).
const RANDOM_REPLY_CAP: u64 = 512 << 20;
/// Random picks drawn (and written) between two checks of that cap (Redis draws listpack picks
/// in batches of this size too).
const PICK_BATCH: u64 = 1000;

fn op_error(out: &mut Reply, e: OpError) {
    match e {
        OpError::WrongType => out.error(errors::WRONGTYPE),
        OpError::NotInteger => out.error(HINCRBY_NOT_INT),
        OpError::NotFloat => out.error(HINCRBYFLOAT_NOT_FLOAT),
        OpError::Overflow => out.error(errors::OVERFLOW),
        OpError::NanOrInfinity => out.error(RESULT_NAN_OR_INF),
        _ => out.error(errors::SYNTAX),
    }
}

/// The current database and the server's random generator at once.
fn db_rng<'c>(ctx: &'c mut Ctx) -> (&'c mut Db, &'c mut Rng, &'c mut Reply) {
    let i = ctx.c.db;
    let srv = &mut *ctx.srv;
    srv.db(i);
    (&mut srv.ks.dbs[i], &mut srv.rng, &mut ctx.c.reply)
}

// ---------------------------------------------------------------------------------------------
// HSET, HMSET, HSETNX, HDEL

fn hset_generic(ctx: &mut Ctx, is_hmset: bool) {
    if ctx.argc() % 2 == 1 {
        return ctx.wrong_arity();
    }
    let argv = ctx.argv;
    let limits = ctx.type_limits();
    match ops::hset(ctx.db(), &argv[1], &argv[2..], &limits) {
        Ok(created) => {
            if is_hmset {
                ctx.ok();
            } else {
                ctx.int(created as i64);
            }
            ctx.notify(notify::HASH, "hset", &argv[1]);
            ctx.dirty(((argv.len() - 2) / 2) as u64);
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

fn hset(ctx: &mut Ctx) {
    hset_generic(ctx, false);
}

fn hmset(ctx: &mut Ctx) {
    hset_generic(ctx, true);
}

fn hsetnx(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let limits = ctx.type_limits();
    match ops::hsetnx(ctx.db(), &argv[1], &argv[2], &argv[3], &limits) {
        Ok(false) => ctx.int(0),
        Ok(true) => {
            ctx.int(1);
            ctx.notify(notify::HASH, "hset", &argv[1]);
            ctx.dirty(1);
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

fn hdel(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::hdel(ctx.db(), &argv[1], &argv[2..]) {
        Ok(r) => {
            if r.removed > 0 {
                ctx.notify(notify::HASH, "hdel", &argv[1]);
                if r.key_deleted {
                    ctx.notify(notify::GENERIC, "del", &argv[1]);
                }
                ctx.dirty(r.removed as u64);
            }
            ctx.int(r.removed as i64);
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

// ---------------------------------------------------------------------------------------------
// HINCRBY, HINCRBYFLOAT

fn hincrby(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(incr) = ctx.int_arg(3) else { return };
    let limits = ctx.type_limits();
    match ops::hincrby(ctx.db(), &argv[1], &argv[2], incr, &limits) {
        Ok(v) => {
            ctx.int(v);
            ctx.notify(notify::HASH, "hincrby", &argv[1]);
            ctx.dirty(1);
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

fn hincrbyfloat(ctx: &mut Ctx) {
    let argv = ctx.argv;
    if !longdouble::is_valid(&argv[3]) {
        return ctx.error(errors::NOT_FLOAT);
    }
    // the increment parses: reject the infinities (NaN never parses)
    if longdouble::normalize_human(&argv[3]).is_none_or(|t| t.ends_with(b"inf")) {
        return ctx.error(INCR_NAN_OR_INF);
    }
    let limits = ctx.type_limits();
    match ops::hincrbyfloat(ctx.db(), &argv[1], &argv[2], &argv[3], &limits) {
        Ok(text) => {
            ctx.bulk(&text);
            ctx.notify(notify::HASH, "hincrbyfloat", &argv[1]);
            ctx.dirty(1);
            // replicas and the AOF get the exact result, never the float arithmetic
            ctx.rewrite(vec![Bytes::from_static(b"HSET"), argv[1].clone(), argv[2].clone(), Bytes::from(text)]);
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

// ---------------------------------------------------------------------------------------------
// HGET, HMGET, HLEN, HSTRLEN, HEXISTS

fn hget(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    match ops::hash_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(h) => match h.and_then(|h| h.get(&argv[2])) {
            Some(v) => bulk_elem(out, v),
            None => out.null(),
        },
    }
}

fn hmget(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    match ops::hash_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(h) => {
            out.array(argv.len() - 2);
            for f in &argv[2..] {
                match h.as_ref().and_then(|h| h.get(f)) {
                    Some(v) => bulk_elem(out, v),
                    None => out.null(),
                }
            }
        }
    }
}

fn hlen(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::hlen(ctx.db(), &argv[1]) {
        Ok(n) => ctx.int(n as i64),
        Err(e) => op_error(ctx.out(), e),
    }
}

fn hstrlen(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::hstrlen(ctx.db(), &argv[1], &argv[2]) {
        Ok(n) => ctx.int(n as i64),
        Err(e) => op_error(ctx.out(), e),
    }
}

fn hexists(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::hexists(ctx.db(), &argv[1], &argv[2]) {
        Ok(b) => ctx.int(i64::from(b)),
        Err(e) => op_error(ctx.out(), e),
    }
}

// ---------------------------------------------------------------------------------------------
// HKEYS, HVALS, HGETALL

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Fields,
    Values,
    Both,
}

fn getall_generic(ctx: &mut Ctx, part: Part) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    let h = match ops::hash_for_read(db, &argv[1]) {
        Err(e) => return op_error(out, e),
        Ok(h) => h,
    };
    let len = h.as_ref().map_or(0, |h| h.len());
    if part == Part::Both {
        out.map(len);
    } else {
        out.array(len);
    }
    let Some(h) = h else { return };
    for (k, v) in h.iter() {
        if part != Part::Values {
            bulk_elem(out, k);
        }
        if part != Part::Fields {
            bulk_elem(out, v);
        }
    }
}

fn hkeys(ctx: &mut Ctx) {
    getall_generic(ctx, Part::Fields);
}

fn hvals(ctx: &mut Ctx) {
    getall_generic(ctx, Part::Values);
}

fn hgetall(ctx: &mut Ctx) {
    getall_generic(ctx, Part::Both);
}

// ---------------------------------------------------------------------------------------------
// HRANDFIELD

fn hrandfield(ctx: &mut Ctx) {
    if ctx.argc() >= 3 {
        return hrandfield_with_count(ctx);
    }
    let argv = ctx.argv;
    let (db, rng, out) = db_rng(ctx);
    match ops::hrandfield(db, &argv[1], rng) {
        Err(e) => op_error(out, e),
        Ok(None) => out.null(),
        Ok(Some(f)) => out.bulk(&f),
    }
}

/// Writes one pair of a WITHVALUES reply (a two-element array in RESP3), or a field alone.
fn write_pick(out: &mut Reply, k: Elem<'_>, v: Elem<'_>, withvalues: bool) {
    if withvalues && out.is_resp3() {
        out.array(2);
    }
    bulk_elem(out, k);
    if withvalues {
        bulk_elem(out, v);
    }
}

fn hrandfield_with_count(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let count = match parse_i64(&argv[2]) {
        None => return ctx.error(errors::NOT_INTEGER),
        Some(i64::MIN) => return ctx.error(HRANDFIELD_RANGE),
        Some(n) => n,
    };
    let withvalues = match argv.len() {
        3 => false,
        4 if is_opt(&argv[3], "withvalues") => true,
        _ => return ctx.error(errors::SYNTAX),
    };
    if withvalues && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
        return ctx.error(OUT_OF_RANGE);
    }
    let cap = match ctx.srv.config.client_output_buffer_limit[0].hard_limit_bytes {
        0 => RANDOM_REPLY_CAP,
        n => n,
    };
    let (db, rng, out) = db_rng(ctx);
    let resp2_pairs = withvalues && !out.is_resp3();
    let reply_len = |n: usize| if resp2_pairs { n.saturating_mul(2) } else { n };
    let over_cap = match ops::hrandfield_count(db, &argv[1], count, rng) {
        Err(e) => {
            op_error(out, e);
            false
        }
        Ok(RandFields::Empty) => {
            out.array(0);
            false
        }
        Ok(RandFields::Whole(h)) => {
            out.array(reply_len(h.len()));
            for (k, v) in h.iter() {
                write_pick(out, k, v, withvalues);
            }
            false
        }
        Ok(RandFields::Distinct(pairs)) => {
            out.array(reply_len(pairs.len()));
            for (k, v) in &pairs {
                write_pick(out, Elem::Bytes(k), Elem::Bytes(v), withvalues);
            }
            false
        }
        Ok(RandFields::Repeat { hash, times }) => repeated_picks(out, hash, times, withvalues, rng, cap),
    };
    if over_cap {
        crate::log_warning!(
            "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
            ctx.c.addr
        );
        ctx.c.flags |= cflags::CLOSE_ASAP;
    }
}

/// Writes `times` independent random picks, in batches. A reply that would pass `cap` bytes is
/// dropped and true is returned: the client is then disconnected, as Redis does to a client
/// over its output buffer limit (the count can be up to 2^63 - 1).
fn repeated_picks(out: &mut Reply, hash: &Hash, times: u64, withvalues: bool, rng: &mut Rng, cap: u64) -> bool {
    let start = out.len();
    let n = usize::try_from(times).unwrap_or(usize::MAX);
    let len = if withvalues && !out.is_resp3() { n.saturating_mul(2) } else { n };
    out.array(len);
    let mut left = times;
    while left > 0 {
        let batch = left.min(PICK_BATCH);
        left -= batch;
        hash.random_pairs(rng, batch as usize, |k, v| write_pick(out, k, v, withvalues));
        if (out.len() - start) as u64 > cap {
            out.rb.buf.truncate(start);
            return true;
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// HSCAN

fn hscan(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(cursor) = parse_cursor(&argv[2]) else {
        return ctx.error(INVALID_CURSOR);
    };
    let (db, out) = ctx.db_out();
    let h = match ops::hash_for_read(db, &argv[1]) {
        Err(e) => return op_error(out, e),
        Ok(None) => {
            out.array(2);
            out.bulk(b"0");
            out.array(0);
            return;
        }
        Ok(Some(h)) => h,
    };
    let (count, pattern) = match crate::cmd::scan_options(argv, 3) {
        Ok(o) => o,
        Err(e) => return out.error(e),
    };
    let mut found = Vec::new();
    let next = h.scan(cursor, count, &mut found);
    if let Some(p) = pattern {
        found.retain(|(k, _)| vireo_config::glob::glob_match(p, k, false));
    }
    out.array(2);
    // Redis prints the unsigned cursor through a signed conversion
    out.bulk_int(next as i64);
    out.array(found.len() * 2);
    for (k, v) in &found {
        out.bulk(k);
        out.bulk(v);
    }
}
