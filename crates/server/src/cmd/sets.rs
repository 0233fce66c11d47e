//! Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SMOVE, SPOP, SRANDMEMBER,
//! SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE and SSCAN. Handlers
//! parse arguments the way Redis 7.0 does (same error texts, same order of checks against the
//! lookups), run the data operations of `vireo_keyspace::ops::sets`, write the reply (RESP3 sets
//! where Redis sends sets) and report effects: dirty counts, keyspace notifications in Redis's
//! order, and what replicas and the AOF see (SPOP becomes SREM of the popped members, or DEL when
//! the whole set went; random choices are never propagated as such). They know nothing of
//! sockets, the replication backlog or the AOF.

use crate::client::{cflags, Reply};
use crate::cmd::{bulk_elem, is_opt};
use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use bytes::Bytes;
use vireo_keyspace::db::Db;
use vireo_keyspace::ops::keys::parse_cursor;
use vireo_keyspace::ops::sets::{self as ops, Move, PopMany, RandMembers, Stored};
use vireo_keyspace::ops::OpError;
use vireo_keyspace::types::set::Set;
use vireo_keyspace::Rng;
use vireo_resp::num::parse_i64;
use vireo_resp::reply::Agg;

const S_SADD: &str = "Adds members to a set, creating it if needed; returns how many were new.";
const S_SREM: &str = "Removes members from a set, deleting the key once it is empty; returns how many were removed.";
const S_SMEMBERS: &str = "Returns every member of a set.";
const S_SISMEMBER: &str = "Tells whether a value is a member of a set.";
const S_SMISMEMBER: &str = "Tells, for each of several values, whether it is a member of a set.";
const S_SCARD: &str = "Returns the number of members of a set.";
const S_SMOVE: &str = "Moves a member from one set to another.";
const S_SPOP: &str = "Removes and returns one or more random members of a set.";
const S_SRANDMEMBER: &str = "Returns random members of a set without removing them; a negative count allows repeats.";
const S_SINTER: &str = "Returns the members common to all the given sets.";
const S_SINTERCARD: &str = "Counts the members common to all the given sets, optionally stopping at a limit.";
const S_SINTERSTORE: &str = "Stores the members common to all the given sets under a destination key.";
const S_SUNION: &str = "Returns the members found in any of the given sets.";
const S_SUNIONSTORE: &str = "Stores the members found in any of the given sets under a destination key.";
const S_SDIFF: &str = "Returns the members of the first set that are in none of the others.";
const S_SDIFFSTORE: &str =
    "Stores the members of the first set that are in none of the others under a destination key.";
const S_SSCAN: &str = "Walks the members of a set a few at a time with a cursor, optionally filtered by pattern.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sadd",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::SET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SADD, since: "1.0.0", group: Group::Set, complexity: Some("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sadd),
        subcommands: &[],
    },
    CommandSpec {
        name: "srem",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::SET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SREM, since: "1.0.0", group: Group::Set, complexity: Some("O(N) where N is the number of members to be removed."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(srem),
        subcommands: &[],
    },
    CommandSpec {
        name: "smembers",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::READ | acl::SET | acl::SLOW,
        tips: &["nondeterministic_output_order"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SMEMBERS, since: "1.0.0", group: Group::Set, complexity: Some("O(N) where N is the set cardinality."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(smembers),
        subcommands: &[],
    },
    CommandSpec {
        name: "sismember",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SISMEMBER, since: "1.0.0", group: Group::Set, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sismember),
        subcommands: &[],
    },
    CommandSpec {
        name: "smismember",
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SMISMEMBER, since: "6.2.0", group: Group::Set, complexity: Some("O(N) where N is the number of elements being checked for membership"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(smismember),
        subcommands: &[],
    },
    CommandSpec {
        name: "scard",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SCARD, since: "1.0.0", group: Group::Set, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(scard),
        subcommands: &[],
    },
    CommandSpec {
        name: "smove",
        arity: 4,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::SET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SMOVE, since: "1.0.0", group: Group::Set, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(smove),
        subcommands: &[],
    },
    CommandSpec {
        name: "spop",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::SET | acl::FAST,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SPOP, since: "1.0.0", group: Group::Set, complexity: Some("Without the count argument O(1), otherwise O(N) where N is the value of the passed count."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: Some("3.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(spop),
        subcommands: &[],
    },
    CommandSpec {
        name: "srandmember",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::SET | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SRANDMEMBER, since: "1.0.0", group: Group::Set, complexity: Some("Without the count argument O(1), otherwise O(N) where N is the absolute value of the passed count."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: Some("2.6.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(srandmember),
        subcommands: &[],
    },
    CommandSpec {
        name: "sinter",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::SET | acl::SLOW,
        tips: &["nondeterministic_output_order"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SINTER, since: "1.0.0", group: Group::Set, complexity: Some("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sinter),
        subcommands: &[],
    },
    CommandSpec {
        name: "sintercard",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::SET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_SINTERCARD, since: "7.0.0", group: Group::Set, complexity: Some("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "limit", typ: ArgType::Integer, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sintercard),
        subcommands: &[],
    },
    CommandSpec {
        name: "sinterstore",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::SET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SINTERSTORE, since: "1.0.0", group: Group::Set, complexity: Some("O(N*M) worst case where N is the cardinality of the smallest set and M is the number of sets."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sinterstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "sunion",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::SET | acl::SLOW,
        tips: &["nondeterministic_output_order"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SUNION, since: "1.0.0", group: Group::Set, complexity: Some("O(N) where N is the total number of elements in all given sets."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sunion),
        subcommands: &[],
    },
    CommandSpec {
        name: "sunionstore",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::SET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SUNIONSTORE, since: "1.0.0", group: Group::Set, complexity: Some("O(N) where N is the total number of elements in all given sets."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sunionstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "sdiff",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::SET | acl::SLOW,
        tips: &["nondeterministic_output_order"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SDIFF, since: "1.0.0", group: Group::Set, complexity: Some("O(N) where N is the total number of elements in all given sets."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sdiff),
        subcommands: &[],
    },
    CommandSpec {
        name: "sdiffstore",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::SET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SDIFFSTORE, since: "1.0.0", group: Group::Set, complexity: Some("O(N) where N is the total number of elements in all given sets."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sdiffstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "sscan",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::SET | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SSCAN, since: "2.8.0", group: Group::Set, complexity: Some("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "cursor", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: Some("MATCH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sscan),
        subcommands: &[],
    },
];

const POSITIVE: &str = "ERR value is out of range, must be positive";
const SRANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const NUMKEYS: &str = "ERR numkeys should be greater than 0";
const TOO_MANY_KEYS: &str = "ERR Number of keys can't be greater than number of args";
const LIMIT_NEGATIVE: &str = "ERR LIMIT can't be negative";
const INVALID_CURSOR: &str = "ERR invalid cursor";

/// Output a reply with an unbounded number of random picks may reach before the client is
/// disconnected, when the normal clients' client-output-buffer-limit sets no hard limit (Redis
/// would grow the buffer until memory runs out).
const RANDOM_REPLY_CAP: u64 = 512 << 20;
/// Picks written between two checks of that cap.
const CAP_CHECK_EVERY: u64 = 1024;

fn op_error(out: &mut Reply, e: OpError) {
    match e {
        OpError::WrongType => out.error(errors::WRONGTYPE),
        // set operations report no other error; keep a sensible text anyway
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

fn srem_argv(key: &Bytes, member: &[u8]) -> Vec<Bytes> {
    vec![Bytes::from_static(b"SREM"), key.clone(), Bytes::copy_from_slice(member)]
}

// ---------------------------------------------------------------------------------------------
// SADD, SREM, SMOVE

fn sadd(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let limits = ctx.type_limits();
    match ops::sadd(ctx.db(), &argv[1], &argv[2..], &limits) {
        Ok(added) => {
            if added > 0 {
                ctx.notify(notify::SET, "sadd", &argv[1]);
            }
            ctx.dirty(added as u64);
            ctx.int(added as i64);
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

fn srem(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::srem(ctx.db(), &argv[1], &argv[2..]) {
        Ok(r) => {
            if r.removed > 0 {
                ctx.notify(notify::SET, "srem", &argv[1]);
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

fn smove(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let limits = ctx.type_limits();
    let (src, dst) = (&argv[1], &argv[2]);
    match ops::smove(ctx.db(), src, dst, &argv[3], &limits) {
        Err(e) => op_error(ctx.out(), e),
        Ok(Move::SrcMissing) | Ok(Move::NotMember) => ctx.int(0),
        Ok(Move::SameKey { is_member }) => ctx.int(i64::from(is_member)),
        Ok(Move::Moved { src_deleted, dst_added }) => {
            ctx.notify(notify::SET, "srem", src);
            if src_deleted {
                ctx.notify(notify::GENERIC, "del", src);
            }
            ctx.dirty(1);
            if dst_added {
                ctx.dirty(1);
                ctx.notify(notify::SET, "sadd", dst);
            }
            ctx.int(1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// SISMEMBER, SMISMEMBER, SCARD

fn sismember(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::sismember(ctx.db(), &argv[1], &argv[2]) {
        Ok(b) => ctx.int(i64::from(b)),
        Err(e) => op_error(ctx.out(), e),
    }
}

fn smismember(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::smismember(ctx.db(), &argv[1], &argv[2..]) {
        Ok(v) => {
            let out = ctx.out();
            out.array(v.len());
            for b in v {
                out.int(i64::from(b));
            }
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

fn scard(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::scard(ctx.db(), &argv[1]) {
        Ok(n) => ctx.int(n as i64),
        Err(e) => op_error(ctx.out(), e),
    }
}

// ---------------------------------------------------------------------------------------------
// SPOP, SRANDMEMBER

fn spop(ctx: &mut Ctx) {
    match ctx.argc() {
        3 => return spop_with_count(ctx),
        n if n > 3 => return ctx.error(errors::SYNTAX),
        _ => {}
    }
    let argv = ctx.argv;
    let key = &argv[1];
    let r = {
        let (db, rng, _) = db_rng(ctx);
        ops::spop(db, key, rng)
    };
    match r {
        Err(e) => op_error(ctx.out(), e),
        Ok(None) => ctx.null(),
        Ok(Some(p)) => {
            ctx.notify(notify::SET, "spop", key);
            // replicas remove what was chosen here
            ctx.rewrite(srem_argv(key, &p.member));
            ctx.bulk(&p.member);
            if p.key_deleted {
                ctx.notify(notify::GENERIC, "del", key);
            }
            ctx.dirty(1);
        }
    }
}

fn spop_with_count(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let key = &argv[1];
    let count = match parse_i64(&argv[2]) {
        Some(n) if n >= 0 => n as u64,
        _ => return ctx.error(POSITIVE),
    };
    let limits = ctx.type_limits();
    let r = {
        let (db, rng, _) = db_rng(ctx);
        ops::spop_count(db, key, count, rng, &limits)
    };
    match r {
        Err(e) => op_error(ctx.out(), e),
        Ok(PopMany::Missing) | Ok(PopMany::Zero) => ctx.out().set(0),
        Ok(PopMany::All(members)) => {
            ctx.notify(notify::SET, "spop", key);
            ctx.dirty(members.len() as u64);
            let out = ctx.out();
            out.set(members.len());
            for m in &members {
                out.bulk(m);
            }
            ctx.notify(notify::GENERIC, "del", key);
            ctx.rewrite(vec![Bytes::from_static(b"DEL"), key.clone()]);
        }
        Ok(PopMany::Some(members)) => {
            ctx.notify(notify::SET, "spop", key);
            ctx.dirty(members.len() as u64);
            let out = ctx.out();
            out.set(members.len());
            for m in &members {
                out.bulk(m);
            }
            let db = ctx.c.db;
            for m in &members {
                ctx.also_propagate(db, srem_argv(key, m));
            }
            ctx.prevent_propagation();
        }
    }
}

fn srandmember(ctx: &mut Ctx) {
    match ctx.argc() {
        3 => return srandmember_with_count(ctx),
        n if n > 3 => return ctx.error(errors::SYNTAX),
        _ => {}
    }
    let argv = ctx.argv;
    let (db, rng, out) = db_rng(ctx);
    match ops::srandmember(db, &argv[1], rng) {
        Err(e) => op_error(out, e),
        Ok(None) => out.null(),
        Ok(Some(m)) => out.bulk(&m),
    }
}

fn srandmember_with_count(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let count = match parse_i64(&argv[2]) {
        None => return ctx.error(errors::NOT_INTEGER),
        Some(i64::MIN) => return ctx.error(SRANDMEMBER_RANGE),
        Some(n) => n,
    };
    let cap = match ctx.srv.config.client_output_buffer_limit[0].hard_limit_bytes {
        0 => RANDOM_REPLY_CAP,
        n => n,
    };
    let (db, rng, out) = db_rng(ctx);
    let over_cap = match ops::srandmember_count(db, &argv[1], count, rng) {
        Err(e) => {
            op_error(out, e);
            false
        }
        Ok(RandMembers::Empty) => {
            out.array(0);
            false
        }
        Ok(RandMembers::Whole(set)) => {
            out.array(set.len());
            for e in set.iter() {
                bulk_elem(out, e);
            }
            false
        }
        Ok(RandMembers::Distinct(members)) => {
            out.array(members.len());
            for m in &members {
                out.bulk(m);
            }
            false
        }
        Ok(RandMembers::Repeat { set, times }) => repeated_picks(out, set, times, rng, cap),
    };
    if over_cap {
        crate::log_warning!(
            "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
            ctx.c.addr
        );
        ctx.c.flags |= cflags::CLOSE_ASAP;
    }
}

/// Writes `times` independent random members. A reply that would pass `cap` bytes is dropped
/// and true is returned: the client is then disconnected, as Redis does to a client over its
/// output buffer limit (the count can be up to 2^63 - 1).
fn repeated_picks(out: &mut Reply, set: &Set, times: u64, rng: &mut Rng, cap: u64) -> bool {
    let start = out.len();
    out.array(usize::try_from(times).unwrap_or(usize::MAX));
    for i in 0..times {
        let Some(m) = set.random(rng) else { break };
        out.bulk(&m);
        if i % CAP_CHECK_EVERY == 0 && (out.len() - start) as u64 > cap {
            out.rb.buf.truncate(start);
            return true;
        }
    }
    false
}

// ---------------------------------------------------------------------------------------------
// SMEMBERS, SINTER, SINTERCARD, SINTERSTORE

/// The intersection of the sets at `keys` as a set reply (SMEMBERS is the one-key case).
fn inter_reply(ctx: &mut Ctx, keys: &[Bytes]) {
    let (db, out) = ctx.db_out();
    match ops::read_sets(db, keys) {
        Err(e) => op_error(out, e),
        Ok(sets) if sets.iter().any(Option::is_none) => out.set(0),
        Ok(sets) => {
            let len = out.deferred();
            let n = ops::intersect(&sets, 0, |e| bulk_elem(out, e));
            out.set_deferred(len, Agg::Set, n);
        }
    }
}

fn smembers(ctx: &mut Ctx) {
    let argv = ctx.argv;
    inter_reply(ctx, &argv[1..2]);
}

fn sinter(ctx: &mut Ctx) {
    let argv = ctx.argv;
    inter_reply(ctx, &argv[1..]);
}

fn sintercard(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let numkeys = match parse_i64(&argv[1]) {
        Some(n) if n >= 1 => n as u64,
        _ => return ctx.error(NUMKEYS),
    };
    if numkeys > (argv.len() - 2) as u64 {
        return ctx.error(TOO_MANY_KEYS);
    }
    let numkeys = numkeys as usize;
    let mut limit = 0usize;
    let mut j = 2 + numkeys;
    while j < argv.len() {
        if is_opt(&argv[j], "limit") && j + 1 < argv.len() {
            j += 1;
            limit = match parse_i64(&argv[j]) {
                Some(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
                _ => return ctx.error(LIMIT_NEGATIVE),
            };
        } else {
            return ctx.error(errors::SYNTAX);
        }
        j += 1;
    }
    let (db, out) = ctx.db_out();
    match ops::read_sets(db, &argv[2..2 + numkeys]) {
        Err(e) => op_error(out, e),
        Ok(sets) => {
            let n = ops::intersect(&sets, limit, |_| {});
            out.int(n as i64);
        }
    }
}

/// Stores a computed set at `dst` and reports it: the count, the store event and one dirty
/// change; or, for an empty result, 0 and the deletion of an existing destination.
fn store_reply(ctx: &mut Ctx, dst: &[u8], result: Set, event: &str) {
    match ops::store(ctx.db(), dst, result) {
        Stored::Stored(n) => {
            ctx.int(n as i64);
            ctx.notify(notify::SET, event, dst);
            ctx.dirty(1);
        }
        Stored::Deleted => {
            ctx.int(0);
            ctx.dirty(1);
            ctx.notify(notify::GENERIC, "del", dst);
        }
        Stored::Nothing => ctx.int(0),
    }
}

fn sinterstore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let limits = ctx.type_limits();
    let result = ops::read_sets(ctx.db(), &argv[2..]).map(|sets| ops::inter_set(&sets, &limits));
    match result {
        Ok(set) => store_reply(ctx, &argv[1], set, "sinterstore"),
        Err(e) => op_error(ctx.out(), e),
    }
}

// ---------------------------------------------------------------------------------------------
// SUNION, SUNIONSTORE, SDIFF, SDIFFSTORE

#[derive(Clone, Copy, PartialEq, Eq)]
enum Algebra {
    Union,
    Diff,
}

fn compute(ctx: &mut Ctx, keys: &[Bytes], op: Algebra) -> Result<Set, OpError> {
    let max = ctx.type_limits().set_max_intset_entries;
    let sets = ops::read_sets(ctx.db(), keys)?;
    Ok(match op {
        Algebra::Union => ops::union(&sets, max),
        Algebra::Diff => ops::diff(&sets, max),
    })
}

fn algebra_reply(ctx: &mut Ctx, op: Algebra) {
    let argv = ctx.argv;
    match compute(ctx, &argv[1..], op) {
        Ok(set) => {
            let out = ctx.out();
            out.set(set.len());
            for e in set.iter() {
                bulk_elem(out, e);
            }
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

fn algebra_store(ctx: &mut Ctx, op: Algebra) {
    let argv = ctx.argv;
    match compute(ctx, &argv[2..], op) {
        Ok(set) => {
            let event = if op == Algebra::Union { "sunionstore" } else { "sdiffstore" };
            store_reply(ctx, &argv[1], set, event);
        }
        Err(e) => op_error(ctx.out(), e),
    }
}

fn sunion(ctx: &mut Ctx) {
    algebra_reply(ctx, Algebra::Union);
}

fn sunionstore(ctx: &mut Ctx) {
    algebra_store(ctx, Algebra::Union);
}

fn sdiff(ctx: &mut Ctx) {
    algebra_reply(ctx, Algebra::Diff);
}

fn sdiffstore(ctx: &mut Ctx) {
    algebra_store(ctx, Algebra::Diff);
}

// ---------------------------------------------------------------------------------------------
// SSCAN

fn sscan(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(cursor) = parse_cursor(&argv[2]) else {
        return ctx.error(INVALID_CURSOR);
    };
    let (db, out) = ctx.db_out();
    let set = match ops::set_for_read(db, &argv[1]) {
        Err(e) => return op_error(out, e),
        Ok(None) => {
            out.array(2);
            out.bulk(b"0");
            out.array(0);
            return;
        }
        Ok(Some(set)) => set,
    };
    let (count, pattern) = match crate::cmd::scan_options(argv, 3) {
        Ok(o) => o,
        Err(e) => return out.error(e),
    };
    let mut found = Vec::new();
    let next = set.scan(cursor, count, &mut found);
    if let Some(p) = pattern {
        found.retain(|m| vireo_config::glob::glob_match(p, m, false));
    }
    out.array(2);
    // Redis prints the unsigned cursor through a signed conversion
    out.bulk_int(next as i64);
    out.array(found.len());
    for m in &found {
        out.bulk(m);
    }
}
