//! Sorted-set commands: ZADD, ZINCRBY, ZREM, ZCARD, ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE, ZRANK,
//! ZREVRANK, the ZRANGE family (ZRANGE, ZRANGESTORE, ZREVRANGE, Z[REV]RANGEBYSCORE,
//! Z[REV]RANGEBYLEX), ZREMRANGEBY{RANK,SCORE,LEX}, ZUNION/ZINTER/ZDIFF and their STORE forms,
//! ZINTERCARD, ZRANDMEMBER, ZPOPMIN/ZPOPMAX, ZMPOP, the blocking BZPOPMIN/BZPOPMAX/BZMPOP and
//! ZSCAN. Handlers parse arguments as Redis 7.0 does (same error texts, same order of checks
//! against the lookups: e.g. the algebra commands look their keys up before reading options),
//! run the data operations of `vireo_keyspace::ops::zsets`, write replies (scores as RESP3
//! doubles, WITHSCORES pairs nested in RESP3 and flat in RESP2) and report effects: dirty
//! counts, keyspace notifications in Redis's order, and what replicas see (a blocking pop or
//! ZMPOP becomes the ZPOPMIN/ZPOPMAX that happened). They know nothing of sockets, the
//! replication backlog or the AOF.

use crate::client::{cflags, Reply};
use crate::cmd::{bulk_elem, is_opt};
use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use bytes::Bytes;
use vireo_keyspace::db::Db;
use vireo_keyspace::ops::keys::parse_cursor;
use vireo_keyspace::ops::zsets::{self as ops, Aggregate, Pair, Select, Stored};
use vireo_keyspace::ops::OpError;
use vireo_keyspace::types::zset::{AddFlags, LexBound, LexRange, ScoreRange, ZSet};
use vireo_keyspace::{Kind, Rng};
use vireo_resp::num::{parse_f64, parse_i64};

const S_ZADD: &str = "Adds members with scores to a sorted set or updates their scores, with conditions (NX, XX, GT, LT), a changed count (CH) or increment mode (INCR).";
const S_ZINCRBY: &str = "Adds an increment to the score of a sorted set member, creating it if needed.";
const S_ZREM: &str = "Removes members from a sorted set, deleting the key once it is empty.";
const S_ZCARD: &str = "Returns the number of members of a sorted set.";
const S_ZCOUNT: &str = "Counts the members of a sorted set whose score lies in a range.";
const S_ZLEXCOUNT: &str = "Counts the members of a sorted set between two members in lexicographic order.";
const S_ZSCORE: &str = "Returns the score of one member of a sorted set.";
const S_ZMSCORE: &str = "Returns the scores of several members of a sorted set.";
const S_ZRANK: &str = "Returns the position of a member in a sorted set, lowest score first.";
const S_ZREVRANK: &str = "Returns the position of a member in a sorted set, highest score first.";
const S_ZRANGE: &str =
    "Returns a range of a sorted set by rank, score or lexicographic order, optionally reversed and paged.";
const S_ZRANGESTORE: &str =
    "Stores a range of a sorted set (by rank, score or lexicographic order) under a destination key.";
const S_ZREVRANGE: &str = "Returns a range of a sorted set by rank, highest score first.";
const S_ZRANGEBYSCORE: &str = "Returns the members of a sorted set whose score lies in a range, lowest first.";
const S_ZREVRANGEBYSCORE: &str = "Returns the members of a sorted set whose score lies in a range, highest first.";
const S_ZRANGEBYLEX: &str = "Returns the members of a sorted set between two members in lexicographic order.";
const S_ZREVRANGEBYLEX: &str =
    "Returns the members of a sorted set between two members in reverse lexicographic order.";
const S_ZREMRANGEBYRANK: &str = "Removes the members of a sorted set within a range of ranks.";
const S_ZREMRANGEBYSCORE: &str = "Removes the members of a sorted set whose score lies in a range.";
const S_ZREMRANGEBYLEX: &str = "Removes the members of a sorted set between two members in lexicographic order.";
const S_ZUNION: &str = "Returns the union of sorted sets (or sets), with weighted and aggregated scores.";
const S_ZINTER: &str = "Returns the intersection of sorted sets (or sets), with weighted and aggregated scores.";
const S_ZDIFF: &str = "Returns the members of the first sorted set found in none of the others.";
const S_ZUNIONSTORE: &str = "Stores the union of sorted sets (or sets) under a destination key.";
const S_ZINTERSTORE: &str = "Stores the intersection of sorted sets (or sets) under a destination key.";
const S_ZDIFFSTORE: &str =
    "Stores the members of the first sorted set found in none of the others under a destination key.";
const S_ZINTERCARD: &str = "Counts the members common to several sorted sets, optionally stopping at a limit.";
const S_ZRANDMEMBER: &str =
    "Returns random members of a sorted set, optionally with scores; a negative count allows repeats.";
const S_ZPOPMIN: &str = "Removes and returns the members with the lowest scores.";
const S_ZPOPMAX: &str = "Removes and returns the members with the highest scores.";
const S_ZMPOP: &str =
    "Removes and returns the lowest or highest scored members of the first non-empty sorted set among several keys.";
const S_BZPOPMIN: &str =
    "Removes and returns the lowest scored member of the first non-empty sorted set, waiting for one if none.";
const S_BZPOPMAX: &str =
    "Removes and returns the highest scored member of the first non-empty sorted set, waiting for one if none.";
const S_BZMPOP: &str = "Like ZMPOP, but waits until one of the sorted sets has members.";
const S_ZSCAN: &str =
    "Walks the members and scores of a sorted set a few at a time with a cursor, optionally filtered by pattern.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "zadd",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZADD, since: "1.2.0", group: Group::SortedSet, complexity: Some("O(log(N)) for each item added, where N is the number of elements in the sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "condition", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("3.0.2"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "nx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "xx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("XX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "comparison", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "gt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("GT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "lt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "change", typ: ArgType::PureToken, key_spec_index: -1, token: Some("CH"), summary: None, since: Some("3.0.2"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "increment", typ: ArgType::PureToken, key_spec_index: -1, token: Some("INCR"), summary: None, since: Some("3.0.2"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "score_member", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[
                Arg { name: "score", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zadd),
        subcommands: &[],
    },
    CommandSpec {
        name: "zincrby",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZINCRBY, since: "1.2.0", group: Group::SortedSet, complexity: Some("O(log(N)) where N is the number of elements in the sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "increment", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zincrby),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrem",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZREM, since: "1.2.0", group: Group::SortedSet, complexity: Some("O(M*log(N)) with N being the number of elements in the sorted set and M the number of elements to be removed."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zrem),
        subcommands: &[],
    },
    CommandSpec {
        name: "zcard",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZCARD, since: "1.2.0", group: Group::SortedSet, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zcard),
        subcommands: &[],
    },
    CommandSpec {
        name: "zcount",
        arity: 4,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZCOUNT, since: "2.0.0", group: Group::SortedSet, complexity: Some("O(log(N)) with N being the number of elements in the sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zcount),
        subcommands: &[],
    },
    CommandSpec {
        name: "zlexcount",
        arity: 4,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZLEXCOUNT, since: "2.8.9", group: Group::SortedSet, complexity: Some("O(log(N)) with N being the number of elements in the sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zlexcount),
        subcommands: &[],
    },
    CommandSpec {
        name: "zscore",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZSCORE, since: "1.2.0", group: Group::SortedSet, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zscore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zmscore",
        arity: -3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZMSCORE, since: "6.2.0", group: Group::SortedSet, complexity: Some("O(N) where N is the number of members being requested."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zmscore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrank",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZRANK, since: "2.0.0", group: Group::SortedSet, complexity: Some("O(log(N))"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zrank),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrevrank",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZREVRANK, since: "2.0.0", group: Group::SortedSet, complexity: Some("O(log(N))"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zrevrank),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrange",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZRANGE, since: "1.2.0", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "stop", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "sortby", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "byscore", typ: ArgType::PureToken, key_spec_index: -1, token: Some("BYSCORE"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "bylex", typ: ArgType::PureToken, key_spec_index: -1, token: Some("BYLEX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "rev", typ: ArgType::PureToken, key_spec_index: -1, token: Some("REV"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset_count", typ: ArgType::Block, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "withscores", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHSCORES"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrangestore",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZRANGESTORE, since: "6.2.0", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements stored into the destination key."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "dst", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "src", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "sortby", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "byscore", typ: ArgType::PureToken, key_spec_index: -1, token: Some("BYSCORE"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "bylex", typ: ArgType::PureToken, key_spec_index: -1, token: Some("BYLEX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "rev", typ: ArgType::PureToken, key_spec_index: -1, token: Some("REV"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset_count", typ: ArgType::Block, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zrangestore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrevrange",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZREVRANGE, since: "1.2.0", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements returned."), deprecated_since: Some("6.2.0"), replaced_by: Some("`ZRANGE` with the `REV` argument"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "stop", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withscores", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHSCORES"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zrevrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrangebyscore",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZRANGEBYSCORE, since: "1.0.5", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."), deprecated_since: Some("6.2.0"), replaced_by: Some("`ZRANGE` with the `BYSCORE` argument"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withscores", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHSCORES"), summary: None, since: Some("2.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset_count", typ: ArgType::Block, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zrangebyscore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrevrangebyscore",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZREVRANGEBYSCORE, since: "2.2.0", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."), deprecated_since: Some("6.2.0"), replaced_by: Some("`ZRANGE` with the `REV` and `BYSCORE` arguments"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withscores", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHSCORES"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset_count", typ: ArgType::Block, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zrevrangebyscore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrangebylex",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZRANGEBYLEX, since: "2.8.9", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."), deprecated_since: Some("6.2.0"), replaced_by: Some("`ZRANGE` with the `BYLEX` argument"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset_count", typ: ArgType::Block, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zrangebylex),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrevrangebylex",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZREVRANGEBYLEX, since: "2.8.9", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements being returned. If M is constant (e.g. always asking for the first 10 elements with LIMIT), you can consider it O(log(N))."), deprecated_since: Some("6.2.0"), replaced_by: Some("`ZRANGE` with the `REV` and `BYLEX` arguments"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset_count", typ: ArgType::Block, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zrevrangebylex),
        subcommands: &[],
    },
    CommandSpec {
        name: "zremrangebyrank",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZREMRANGEBYRANK, since: "2.0.0", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "stop", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zremrangebyrank),
        subcommands: &[],
    },
    CommandSpec {
        name: "zremrangebyscore",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZREMRANGEBYSCORE, since: "1.2.0", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zremrangebyscore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zremrangebylex",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZREMRANGEBYLEX, since: "2.8.9", group: Group::SortedSet, complexity: Some("O(log(N)+M) with N being the number of elements in the sorted set and M the number of elements removed by the operation."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zremrangebylex),
        subcommands: &[],
    },
    CommandSpec {
        name: "zunion",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_ZUNION, since: "6.2.0", group: Group::SortedSet, complexity: Some("O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "weight", typ: ArgType::Integer, key_spec_index: -1, token: Some("WEIGHTS"), summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "aggregate", typ: ArgType::Oneof, key_spec_index: -1, token: Some("AGGREGATE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "sum", typ: ArgType::PureToken, key_spec_index: -1, token: Some("SUM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "min", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MIN"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "max", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MAX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "withscores", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHSCORES"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zunion),
        subcommands: &[],
    },
    CommandSpec {
        name: "zinter",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_ZINTER, since: "6.2.0", group: Group::SortedSet, complexity: Some("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "weight", typ: ArgType::Integer, key_spec_index: -1, token: Some("WEIGHTS"), summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "aggregate", typ: ArgType::Oneof, key_spec_index: -1, token: Some("AGGREGATE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "sum", typ: ArgType::PureToken, key_spec_index: -1, token: Some("SUM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "min", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MIN"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "max", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MAX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "withscores", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHSCORES"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zinter),
        subcommands: &[],
    },
    CommandSpec {
        name: "zdiff",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_ZDIFF, since: "6.2.0", group: Group::SortedSet, complexity: Some("O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withscores", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHSCORES"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zdiff),
        subcommands: &[],
    },
    CommandSpec {
        name: "zunionstore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_ZUNIONSTORE, since: "2.0.0", group: Group::SortedSet, complexity: Some("O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M being the number of elements in the resulting sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "weight", typ: ArgType::Integer, key_spec_index: -1, token: Some("WEIGHTS"), summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "aggregate", typ: ArgType::Oneof, key_spec_index: -1, token: Some("AGGREGATE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "sum", typ: ArgType::PureToken, key_spec_index: -1, token: Some("SUM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "min", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MIN"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "max", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MAX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zunionstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zinterstore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_ZINTERSTORE, since: "2.0.0", group: Group::SortedSet, complexity: Some("O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being the number of input sorted sets and M being the number of elements in the resulting sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "weight", typ: ArgType::Integer, key_spec_index: -1, token: Some("WEIGHTS"), summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "aggregate", typ: ArgType::Oneof, key_spec_index: -1, token: Some("AGGREGATE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "sum", typ: ArgType::PureToken, key_spec_index: -1, token: Some("SUM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "min", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MIN"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "max", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MAX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zinterstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zdiffstore",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_ZDIFFSTORE, since: "6.2.0", group: Group::SortedSet, complexity: Some("O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets, N is the size of the first set, and K is the size of the result set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zdiffstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "zintercard",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_ZINTERCARD, since: "7.0.0", group: Group::SortedSet, complexity: Some("O(N*K) worst case with N being the smallest input sorted set, K being the number of input sorted sets."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "limit", typ: ArgType::Integer, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zintercard),
        subcommands: &[],
    },
    CommandSpec {
        name: "zrandmember",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZRANDMEMBER, since: "6.2.0", group: Group::SortedSet, complexity: Some("O(N) where N is the number of elements returned"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "options", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "withscores", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHSCORES"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(zrandmember),
        subcommands: &[],
    },
    CommandSpec {
        name: "zpopmin",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZPOPMIN, since: "5.0.0", group: Group::SortedSet, complexity: Some("O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zpopmin),
        subcommands: &[],
    },
    CommandSpec {
        name: "zpopmax",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZPOPMAX, since: "5.0.0", group: Group::SortedSet, complexity: Some("O(log(N)*M) with N being the number of elements in the sorted set, and M being the number of elements popped."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zpopmax),
        subcommands: &[],
    },
    CommandSpec {
        name: "zmpop",
        arity: -4,
        flags: flags::WRITE,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_ZMPOP, since: "7.0.0", group: Group::SortedSet, complexity: Some("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "where", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "min", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MIN"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "max", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MAX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zmpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "bzpopmin",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -2, step: 1, limit: 0 } }],
        doc: Doc { summary: S_BZPOPMIN, since: "5.0.0", group: Group::SortedSet, complexity: Some("O(log(N)) with N being the number of elements in the sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "timeout", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(bzpopmin),
        subcommands: &[],
    },
    CommandSpec {
        name: "bzpopmax",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING | flags::FAST,
        acl: acl::WRITE | acl::SORTEDSET | acl::FAST | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -2, step: 1, limit: 0 } }],
        doc: Doc { summary: S_BZPOPMAX, since: "5.0.0", group: Group::SortedSet, complexity: Some("O(log(N)) with N being the number of elements in the sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "timeout", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(bzpopmax),
        subcommands: &[],
    },
    CommandSpec {
        name: "bzmpop",
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING,
        acl: acl::WRITE | acl::SORTEDSET | acl::SLOW | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_BZMPOP, since: "7.0.0", group: Group::SortedSet, complexity: Some("O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of elements in the sorted set, and M being the number of elements popped."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "timeout", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "where", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "min", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MIN"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "max", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MAX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(bzmpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "zscan",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::SORTEDSET | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_ZSCAN, since: "2.8.0", group: Group::SortedSet, complexity: Some("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection.."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "cursor", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: Some("MATCH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(zscan),
        subcommands: &[],
    },
];

const NAN_RESULT: &str = "ERR resulting score is not a number (NaN)";
const MINMAX_FLOAT: &str = "ERR min or max is not a float";
const MINMAX_LEX: &str = "ERR min or max not valid string range item";
const POSITIVE: &str = "ERR value is out of range, must be positive";
const RANDMEMBER_RANGE: &str =
    "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807";
const NUMKEYS: &str = "ERR numkeys should be greater than 0";
const COUNT_POSITIVE: &str = "ERR count should be greater than 0";
const LIMIT_NEGATIVE: &str = "ERR LIMIT can't be negative";
const INVALID_CURSOR: &str = "ERR invalid cursor";
const TIMEOUT_FLOAT: &str = "ERR timeout is not a float or out of range";
const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";

/// Output a reply with an unbounded number of random picks may reach before the client is
/// disconnected, when no hard client-output-buffer-limit is set.
const RANDOM_REPLY_CAP: u64 = 512 << 20;
const CAP_CHECK_EVERY: u64 = 1024;

fn op_error(out: &mut Reply, e: OpError) {
    match e {
        OpError::WrongType => out.error(errors::WRONGTYPE),
        _ => out.error(errors::SYNTAX),
    }
}

fn db_rng<'c>(ctx: &'c mut Ctx) -> (&'c mut Db, &'c mut Rng, &'c mut Reply) {
    let i = ctx.c.db;
    let srv = &mut *ctx.srv;
    srv.db(i);
    (&mut srv.ks.dbs[i], &mut srv.rng, &mut ctx.c.reply)
}

// ---------------------------------------------------------------------------------------------
// Parsing

/// C's strtod over a whole argument, as Redis parses score range bounds: leading white space
/// skipped, the empty string reads 0, hexadecimal accepted, overflow gives an infinity, NaN and
/// trailing garbage refused.
fn parse_strtod(b: &[u8]) -> Option<f64> {
    if b.is_empty() {
        return Some(0.0);
    }
    let start = b.iter().position(|c| !matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'))?;
    let t = &b[start..];
    if let Some(v) = parse_f64(t) {
        return Some(v);
    }
    // strtod also accepts what overflows or underflows (string2d refuses it)
    let s = std::str::from_utf8(t).ok()?;
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if !body.bytes().next().is_some_and(|c| c.is_ascii_digit() || c == b'.') || body.contains(['x', 'X']) {
        return None;
    }
    if !body.bytes().all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-')) {
        return None;
    }
    let v: f64 = s.parse().ok()?;
    (!v.is_nan()).then_some(v)
}

/// zslParseRange: `(` makes a bound exclusive.
fn parse_score_range(min: &[u8], max: &[u8]) -> Option<ScoreRange> {
    fn one(b: &[u8]) -> Option<(f64, bool)> {
        match b.first() {
            Some(b'(') => parse_strtod(&b[1..]).map(|v| (v, true)),
            _ => parse_strtod(b).map(|v| (v, false)),
        }
    }
    let (min, minex) = one(min)?;
    let (max, maxex) = one(max)?;
    Some(ScoreRange { min, max, minex, maxex })
}

/// zslParseLexRange: `-`, `+`, `(x` or `[x` at each end.
fn parse_lex_range(min: &[u8], max: &[u8]) -> Option<LexRange> {
    fn one(b: &[u8]) -> Option<LexBound> {
        match b.first() {
            Some(b'+') if b.len() == 1 => Some(LexBound::PosInf),
            Some(b'-') if b.len() == 1 => Some(LexBound::NegInf),
            Some(b'(') => Some(LexBound::Excl(b[1..].to_vec())),
            Some(b'[') => Some(LexBound::Incl(b[1..].to_vec())),
            _ => None,
        }
    }
    Some(LexRange { min: one(min)?, max: one(max)? })
}

/// getTimeoutFromObjectOrReply in seconds: an absolute deadline in ms, 0 for none.
fn parse_timeout(ctx: &mut Ctx, i: usize) -> Option<i64> {
    let Some(secs) = parse_f64(&ctx.argv[i]) else {
        ctx.error(TIMEOUT_FLOAT);
        return None;
    };
    let ms = (secs * 1000.0).ceil();
    // C converts an out-of-range value to the minimum long long: "negative"
    let ms = if (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&ms) { ms as i64 } else { i64::MIN };
    if ms < 0 {
        ctx.error(TIMEOUT_NEGATIVE);
        return None;
    }
    if ms == 0 {
        return Some(0);
    }
    Some(ms.saturating_add(crate::server::now_ms()))
}

// ---------------------------------------------------------------------------------------------
// Replies

/// A score as Redis replies it (RESP3 double, RESP2 bulk of `%.17g`).
fn pairs_reply(out: &mut Reply, pairs: &[Pair], withscores: bool) {
    let resp3 = out.is_resp3();
    if withscores && !resp3 {
        out.array(pairs.len() * 2);
    } else {
        out.array(pairs.len());
    }
    for (m, s) in pairs {
        if withscores && resp3 {
            out.array(2);
        }
        out.bulk(m.as_slice());
        if withscores {
            out.double(*s);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ZADD, ZINCRBY, ZREM

fn zadd_generic(ctx: &mut Ctx, incr_cmd: bool) {
    let argv = ctx.argv;
    let mut f = AddFlags { incr: incr_cmd, ..Default::default() };
    let mut ch = false;
    let mut idx = 2;
    while idx < argv.len() {
        let a = &argv[idx];
        if is_opt(a, "nx") {
            f.nx = true;
        } else if is_opt(a, "xx") {
            f.xx = true;
        } else if is_opt(a, "ch") {
            ch = true;
        } else if is_opt(a, "incr") {
            f.incr = true;
        } else if is_opt(a, "gt") {
            f.gt = true;
        } else if is_opt(a, "lt") {
            f.lt = true;
        } else {
            break;
        }
        idx += 1;
    }
    let elements = argv.len() - idx;
    if !elements.is_multiple_of(2) || elements == 0 {
        return ctx.error(errors::SYNTAX);
    }
    let elements = elements / 2;
    if f.nx && f.xx {
        return ctx.error("ERR XX and NX options at the same time are not compatible");
    }
    if (f.nx && (f.gt || f.lt)) || (f.gt && f.lt) {
        return ctx.error("ERR GT, LT, and/or NX options at the same time are not compatible");
    }
    if f.incr && elements > 1 {
        return ctx.error("ERR INCR option supports a single increment-element pair");
    }
    let mut pairs: Vec<(f64, &[u8])> = Vec::with_capacity(elements);
    for j in 0..elements {
        match parse_f64(&argv[idx + 2 * j]) {
            Some(s) => pairs.push((s, &argv[idx + 2 * j + 1][..])),
            None => return ctx.error(errors::NOT_FLOAT),
        }
    }
    let limits = ctx.type_limits();
    let key = &argv[1];
    let r = match ops::zadd(ctx.db(), key, &pairs, f, &limits) {
        Ok(r) => r,
        Err(e) => return op_error(ctx.out(), e),
    };
    if r.nan {
        ctx.error(NAN_RESULT);
    } else {
        ctx.dirty((r.added + r.updated) as u64);
        if f.incr {
            if r.processed > 0 {
                ctx.out().double(r.score);
            } else {
                ctx.null();
            }
        } else {
            ctx.int((if ch { r.added + r.updated } else { r.added }) as i64);
        }
    }
    if r.added + r.updated > 0 {
        ctx.notify(notify::ZSET, if f.incr { "zincr" } else { "zadd" }, key);
    }
}

fn zadd(ctx: &mut Ctx) {
    zadd_generic(ctx, false);
}

fn zincrby(ctx: &mut Ctx) {
    zadd_generic(ctx, true);
}

fn zrem(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::zrem(ctx.db(), &argv[1], &argv[2..]) {
        Err(e) => op_error(ctx.out(), e),
        Ok(r) => {
            if r.removed > 0 {
                ctx.notify(notify::ZSET, "zrem", &argv[1]);
                if r.key_deleted {
                    ctx.notify(notify::GENERIC, "del", &argv[1]);
                }
                ctx.dirty(r.removed as u64);
            }
            ctx.int(r.removed as i64);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// ZCARD, ZCOUNT, ZLEXCOUNT, ZSCORE, ZMSCORE, ZRANK, ZREVRANK

fn zcard(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    match ops::zset_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(z) => out.int(z.map_or(0, |z| z.len()) as i64),
    }
}

fn zcount(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(r) = parse_score_range(&argv[2], &argv[3]) else { return ctx.error(MINMAX_FLOAT) };
    let (db, out) = ctx.db_out();
    match ops::zset_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(z) => out.int(z.map_or(0, |z| z.count_in_score_range(&r)) as i64),
    }
}

fn zlexcount(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(r) = parse_lex_range(&argv[2], &argv[3]) else { return ctx.error(MINMAX_LEX) };
    let (db, out) = ctx.db_out();
    match ops::zset_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(z) => out.int(z.map_or(0, |z| z.count_in_lex_range(&r)) as i64),
    }
}

fn zscore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    match ops::zset_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(z) => match z.and_then(|z| z.score(&argv[2])) {
            Some(s) => out.double(s),
            None => out.null(),
        },
    }
}

fn zmscore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    match ops::zset_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(z) => {
            out.array(argv.len() - 2);
            for m in &argv[2..] {
                match z.as_ref().and_then(|z| z.score(m)) {
                    Some(s) => out.double(s),
                    None => out.null(),
                }
            }
        }
    }
}

fn rank_generic(ctx: &mut Ctx, rev: bool) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    match ops::zset_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(z) => match z.and_then(|z| z.rank(&argv[2]).map(|r| if rev { z.len() - 1 - r } else { r })) {
            Some(r) => out.int(r as i64),
            None => out.null(),
        },
    }
}

fn zrank(ctx: &mut Ctx) {
    rank_generic(ctx, false);
}

fn zrevrank(ctx: &mut Ctx) {
    rank_generic(ctx, true);
}

// ---------------------------------------------------------------------------------------------
// The ZRANGE family

#[derive(Clone, Copy, PartialEq, Eq)]
enum RangeType {
    Auto,
    Rank,
    Score,
    Lex,
}

/// ZRANGE and its relatives: `src` is the index of the source key, followed by min, max and
/// options; `dst` is the destination of ZRANGESTORE.
fn zrange_generic(ctx: &mut Ctx, src: usize, dst: Option<&Bytes>, mut rt: RangeType, rev_fixed: Option<bool>) {
    let argv = ctx.argv;
    let store = dst.is_some();
    let mut withscores = false;
    let mut offset: i64 = 0;
    let mut limit: i64 = -1;
    let mut rev = rev_fixed;
    let mut j = src + 3;
    while j < argv.len() {
        let left = argv.len() - j - 1;
        let a = &argv[j];
        if !store && is_opt(a, "withscores") {
            withscores = true;
        } else if is_opt(a, "limit") && left >= 2 {
            let (Some(o), Some(l)) = (parse_i64(&argv[j + 1]), parse_i64(&argv[j + 2])) else {
                return ctx.error(errors::NOT_INTEGER);
            };
            offset = o;
            limit = l;
            j += 2;
        } else if rev.is_none() && is_opt(a, "rev") {
            rev = Some(true);
        } else if rt == RangeType::Auto && is_opt(a, "bylex") {
            rt = RangeType::Lex;
        } else if rt == RangeType::Auto && is_opt(a, "byscore") {
            rt = RangeType::Score;
        } else {
            return ctx.error(errors::SYNTAX);
        }
        j += 1;
    }
    let rev = rev.unwrap_or(false);
    if rt == RangeType::Auto {
        rt = RangeType::Rank;
    }
    if limit != -1 && rt == RangeType::Rank {
        return ctx.error("ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
    }
    if withscores && rt == RangeType::Lex {
        return ctx.error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
    }
    let (mut lo, mut hi) = (&argv[src + 1], &argv[src + 2]);
    if rev && rt != RangeType::Rank {
        std::mem::swap(&mut lo, &mut hi);
    }
    let sel = match rt {
        RangeType::Score => match parse_score_range(lo, hi) {
            Some(r) => Select::Score(r, offset, limit),
            None => return ctx.error(MINMAX_FLOAT),
        },
        RangeType::Lex => match parse_lex_range(lo, hi) {
            Some(r) => Select::Lex(r, offset, limit),
            None => return ctx.error(MINMAX_LEX),
        },
        _ => match (parse_i64(lo), parse_i64(hi)) {
            (Some(a), Some(b)) => Select::Rank(a, b),
            _ => return ctx.error(errors::NOT_INTEGER),
        },
    };
    let key = &argv[src];
    let pairs = match ops::zset_for_read(ctx.db(), key) {
        Err(e) => return op_error(ctx.out(), e),
        Ok(None) => Vec::new(),
        Ok(Some(z)) => ops::select(z, &sel, rev),
    };
    match dst {
        None => pairs_reply(ctx.out(), &pairs, withscores),
        Some(dst) => {
            let mut pairs = pairs;
            if rev {
                pairs.reverse();
            }
            store_reply(ctx, dst, pairs, "zrangestore");
        }
    }
}

/// Stores a computed result and reports it as Redis does for the STORE commands.
fn store_reply(ctx: &mut Ctx, dst: &[u8], pairs: Vec<Pair>, event: &str) {
    let limits = ctx.type_limits();
    match ops::store(ctx.db(), dst, pairs, &limits) {
        Stored::Stored(n) => {
            ctx.int(n as i64);
            ctx.notify(notify::ZSET, event, dst);
            ctx.dirty(1);
        }
        Stored::Deleted => {
            ctx.int(0);
            ctx.notify(notify::GENERIC, "del", dst);
            ctx.dirty(1);
        }
        Stored::Nothing => ctx.int(0),
    }
}

fn zrange(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, RangeType::Auto, None);
}

fn zrangestore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    zrange_generic(ctx, 2, Some(&argv[1]), RangeType::Auto, None);
}

fn zrevrange(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, RangeType::Rank, Some(true));
}

fn zrangebyscore(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, RangeType::Score, Some(false));
}

fn zrevrangebyscore(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, RangeType::Score, Some(true));
}

fn zrangebylex(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, RangeType::Lex, Some(false));
}

fn zrevrangebylex(ctx: &mut Ctx) {
    zrange_generic(ctx, 1, None, RangeType::Lex, Some(true));
}

// ---------------------------------------------------------------------------------------------
// ZREMRANGEBY*

fn zremrange_generic(ctx: &mut Ctx, rt: RangeType) {
    let argv = ctx.argv;
    let (sel, event) = match rt {
        RangeType::Score => match parse_score_range(&argv[2], &argv[3]) {
            Some(r) => (Select::Score(r, 0, -1), "zremrangebyscore"),
            None => return ctx.error(MINMAX_FLOAT),
        },
        RangeType::Lex => match parse_lex_range(&argv[2], &argv[3]) {
            Some(r) => (Select::Lex(r, 0, -1), "zremrangebylex"),
            None => return ctx.error(MINMAX_LEX),
        },
        _ => match (parse_i64(&argv[2]), parse_i64(&argv[3])) {
            (Some(a), Some(b)) => (Select::Rank(a, b), "zremrangebyrank"),
            _ => return ctx.error(errors::NOT_INTEGER),
        },
    };
    let key = &argv[1];
    match ops::remove_selected(ctx.db(), key, &sel) {
        Err(e) => op_error(ctx.out(), e),
        Ok(r) => {
            if r.removed > 0 {
                ctx.notify(notify::ZSET, event, key);
                if r.key_deleted {
                    ctx.notify(notify::GENERIC, "del", key);
                }
            }
            ctx.dirty(r.removed as u64);
            ctx.int(r.removed as i64);
        }
    }
}

fn zremrangebyrank(ctx: &mut Ctx) {
    zremrange_generic(ctx, RangeType::Rank);
}

fn zremrangebyscore(ctx: &mut Ctx) {
    zremrange_generic(ctx, RangeType::Score);
}

fn zremrangebylex(ctx: &mut Ctx) {
    zremrange_generic(ctx, RangeType::Lex);
}

// ---------------------------------------------------------------------------------------------
// ZUNION, ZINTER, ZDIFF, their STORE forms, ZINTERCARD

#[derive(Clone, Copy, PartialEq, Eq)]
enum SetOp {
    Union,
    Inter,
    Diff,
}

fn algebra(ctx: &mut Ctx, dst: Option<&Bytes>, numkeys_idx: usize, op: SetOp, card_only: bool) {
    let argv = ctx.argv;
    let Some(setnum) = parse_i64(&argv[numkeys_idx]) else { return ctx.error(errors::NOT_INTEGER) };
    if setnum < 1 {
        let name = ctx.srv.registry.get(ctx.id).full_name.clone();
        return ctx.error(&format!("ERR at least 1 input key is needed for '{}' command", name));
    }
    if setnum > (argv.len() - (numkeys_idx + 1)) as i64 {
        return ctx.error(errors::SYNTAX);
    }
    let setnum = setnum as usize;
    let keys = &argv[numkeys_idx + 1..numkeys_idx + 1 + setnum];
    // the keys are looked up (and type-checked) before the options are read
    let mut types_ok = Ok(());
    {
        let db = ctx.db();
        if let Err(e) = ops::read_sources(db, keys) {
            types_ok = Err(e);
        }
    }
    if let Err(e) = types_ok {
        return op_error(ctx.out(), e);
    }
    let mut weights = vec![1.0f64; setnum];
    let mut agg = Aggregate::Sum;
    let mut withscores = false;
    let mut limit: usize = 0;
    let mut j = numkeys_idx + 1 + setnum;
    while j < argv.len() {
        let remaining = argv.len() - j;
        let a = &argv[j];
        if op != SetOp::Diff && !card_only && remaining > setnum && is_opt(a, "weights") {
            j += 1;
            for w in weights.iter_mut() {
                match parse_f64(&argv[j]) {
                    Some(v) => *w = v,
                    None => return ctx.error("ERR weight value is not a float"),
                }
                j += 1;
            }
        } else if op != SetOp::Diff && !card_only && remaining >= 2 && is_opt(a, "aggregate") {
            let v = &argv[j + 1];
            agg = if is_opt(v, "sum") {
                Aggregate::Sum
            } else if is_opt(v, "min") {
                Aggregate::Min
            } else if is_opt(v, "max") {
                Aggregate::Max
            } else {
                return ctx.error(errors::SYNTAX);
            };
            j += 2;
        } else if dst.is_none() && !card_only && is_opt(a, "withscores") {
            withscores = true;
            j += 1;
        } else if card_only && remaining >= 2 && is_opt(a, "limit") {
            limit = match parse_i64(&argv[j + 1]) {
                Some(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
                _ => return ctx.error(LIMIT_NEGATIVE),
            };
            j += 2;
        } else {
            return ctx.error(errors::SYNTAX);
        }
    }
    // the lookups were done: borrow the inputs without counting them again
    let (pairs, card) = {
        let i = ctx.c.db;
        let db: &Db = &ctx.srv.ks.dbs[i];
        let srcs: Vec<Option<ops::Source<'_>>> = keys
            .iter()
            .map(|k| match db.peek(k).map(|e| &e.val) {
                Some(vireo_keyspace::Value::ZSet(z)) if !db.key_is_expired(k) => Some(ops::Source::Z(z)),
                Some(vireo_keyspace::Value::Set(s)) if !db.key_is_expired(k) => Some(ops::Source::S(s)),
                _ => None,
            })
            .collect();
        match op {
            SetOp::Inter => ops::inter(&srcs, &weights, agg, card_only, limit),
            SetOp::Union => (ops::union(&srcs, &weights, agg), 0),
            SetOp::Diff => (ops::diff(&srcs), 0),
        }
    };
    if card_only {
        return ctx.int(card as i64);
    }
    match dst {
        Some(dst) => {
            let event = match op {
                SetOp::Union => "zunionstore",
                SetOp::Inter => "zinterstore",
                SetOp::Diff => "zdiffstore",
            };
            store_reply(ctx, dst, pairs, event);
        }
        None => pairs_reply(ctx.out(), &pairs, withscores),
    }
}

fn zunion(ctx: &mut Ctx) {
    algebra(ctx, None, 1, SetOp::Union, false);
}

fn zinter(ctx: &mut Ctx) {
    algebra(ctx, None, 1, SetOp::Inter, false);
}

fn zdiff(ctx: &mut Ctx) {
    algebra(ctx, None, 1, SetOp::Diff, false);
}

fn zintercard(ctx: &mut Ctx) {
    algebra(ctx, None, 1, SetOp::Inter, true);
}

fn zunionstore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    algebra(ctx, Some(&argv[1]), 2, SetOp::Union, false);
}

fn zinterstore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    algebra(ctx, Some(&argv[1]), 2, SetOp::Inter, false);
}

fn zdiffstore(ctx: &mut Ctx) {
    let argv = ctx.argv;
    algebra(ctx, Some(&argv[1]), 2, SetOp::Diff, false);
}

// ---------------------------------------------------------------------------------------------
// ZRANDMEMBER

fn zrandmember(ctx: &mut Ctx) {
    let argv = ctx.argv;
    if argv.len() >= 3 {
        let count = match parse_i64(&argv[2]) {
            None => return ctx.error(errors::NOT_INTEGER),
            Some(i64::MIN) => return ctx.error(RANDMEMBER_RANGE),
            Some(n) => n,
        };
        let withscores = if argv.len() > 4 || (argv.len() == 4 && !is_opt(&argv[3], "withscores")) {
            return ctx.error(errors::SYNTAX);
        } else {
            argv.len() == 4
        };
        if withscores && !(-(i64::MAX / 2)..=i64::MAX / 2).contains(&count) {
            return ctx.error("ERR value is out of range");
        }
        return zrandmember_count(ctx, count, withscores);
    }
    let (db, rng, out) = db_rng(ctx);
    match ops::zset_for_read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(None) => out.null(),
        Ok(Some(z)) => match z.random(rng) {
            Some((e, _)) => bulk_elem(out, e),
            None => out.null(),
        },
    }
}

fn zrandmember_count(ctx: &mut Ctx, count: i64, withscores: bool) {
    let argv = ctx.argv;
    let cap = match ctx.srv.config.client_output_buffer_limit[0].hard_limit_bytes {
        0 => RANDOM_REPLY_CAP,
        n => n,
    };
    let (db, rng, out) = db_rng(ctx);
    let z: &ZSet = match ops::zset_for_read(db, &argv[1]) {
        Err(e) => return op_error(out, e),
        Ok(None) => return out.array(0),
        Ok(Some(z)) => z,
    };
    if count == 0 {
        return out.array(0);
    }
    let resp3 = out.is_resp3();
    let uniq = count > 0;
    let n = count.unsigned_abs();
    if !uniq || n == 1 {
        let start = out.len();
        let total = if withscores && !resp3 { n.saturating_mul(2) } else { n };
        out.array(usize::try_from(total).unwrap_or(usize::MAX));
        for i in 0..n {
            let Some((e, s)) = z.random(rng) else { break };
            if withscores && resp3 {
                out.array(2);
            }
            bulk_elem(out, e);
            if withscores {
                out.double(s);
            }
            if i % CAP_CHECK_EVERY == 0 && (out.len() - start) as u64 > cap {
                out.rb.buf.truncate(start);
                crate::log_warning!(
                    "Client {} scheduled to be closed ASAP for overcoming of output buffer limits.",
                    ctx.c.addr
                );
                ctx.c.flags |= cflags::CLOSE_ASAP;
                return;
            }
        }
        return;
    }
    let pairs: Vec<Pair> = if n >= z.len() as u64 {
        z.iter().map(|(e, s)| (ops::elem_sbytes(e), s)).collect()
    } else {
        ops::random_distinct(z, n as usize, rng)
    };
    pairs_reply(out, &pairs, withscores);
}

// ---------------------------------------------------------------------------------------------
// ZPOPMIN, ZPOPMAX, ZMPOP, BZPOPMIN, BZPOPMAX, BZMPOP

fn zpop_argv(max: bool, key: &[u8], count: Option<usize>) -> Vec<Bytes> {
    let mut v = vec![Bytes::from_static(if max { b"ZPOPMAX" } else { b"ZPOPMIN" }), Bytes::copy_from_slice(key)];
    if let Some(c) = count {
        v.push(Bytes::from(c.to_string()));
    }
    v
}

/// Pops from `key` (known to hold a sorted set) and reports the effects; returns the pairs.
fn pop_and_report(ctx: &mut Ctx, key: &[u8], max: bool, count: usize) -> Vec<Pair> {
    let p = ops::pop(ctx.db(), key, max, count);
    if !p.pairs.is_empty() {
        ctx.dirty(p.pairs.len() as u64);
        ctx.notify(notify::ZSET, if max { "zpopmax" } else { "zpopmin" }, key);
        if p.key_deleted {
            ctx.notify(notify::GENERIC, "del", key);
        }
    }
    p.pairs
}

fn zpop_generic(ctx: &mut Ctx, max: bool) {
    let argv = ctx.argv;
    if argv.len() > 3 {
        return ctx.error(errors::SYNTAX);
    }
    let count = if argv.len() == 3 {
        match parse_i64(&argv[2]) {
            Some(n) if n >= 0 => Some(n as u64),
            _ => return ctx.error(POSITIVE),
        }
    } else {
        None
    };
    let key = &argv[1];
    match ops::zset_for_write(ctx.db(), key) {
        Err(e) => return op_error(ctx.out(), e),
        Ok(None) => return ctx.out().array(0),
        Ok(Some(_)) => {}
    }
    if count == Some(0) {
        return ctx.out().array(0);
    }
    let n = usize::try_from(count.unwrap_or(1)).unwrap_or(usize::MAX);
    let pairs = pop_and_report(ctx, key, max, n);
    let out = ctx.out();
    let nested = out.is_resp3() && count.is_some();
    if nested {
        pairs_reply(out, &pairs, true);
    } else {
        out.array(pairs.len() * 2);
        for (m, s) in &pairs {
            out.bulk(m.as_slice());
            out.double(*s);
        }
    }
}

fn zpopmin(ctx: &mut Ctx) {
    zpop_generic(ctx, false);
}

fn zpopmax(ctx: &mut Ctx) {
    zpop_generic(ctx, true);
}

/// ZMPOP / BZMPOP arguments after the numkeys index: keys, MIN|MAX, COUNT.
fn parse_mpop(ctx: &mut Ctx, numkeys_idx: usize) -> Option<(usize, usize, bool, usize)> {
    let argv = ctx.argv;
    let numkeys = match parse_i64(&argv[numkeys_idx]) {
        Some(n) if n >= 1 => n as u64,
        _ => {
            ctx.error(NUMKEYS);
            return None;
        }
    };
    let where_idx = (numkeys_idx as u64 + 1).saturating_add(numkeys);
    if where_idx >= argv.len() as u64 {
        ctx.error(errors::SYNTAX);
        return None;
    }
    let where_idx = where_idx as usize;
    let max = if is_opt(&argv[where_idx], "min") {
        false
    } else if is_opt(&argv[where_idx], "max") {
        true
    } else {
        ctx.error(errors::SYNTAX);
        return None;
    };
    let mut count: Option<usize> = None;
    let mut j = where_idx + 1;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if count.is_none() && is_opt(&argv[j], "count") && more > 0 {
            j += 1;
            match parse_i64(&argv[j]) {
                Some(n) if n >= 1 => count = Some(usize::try_from(n).unwrap_or(usize::MAX)),
                _ => {
                    ctx.error(COUNT_POSITIVE);
                    return None;
                }
            }
        } else {
            ctx.error(errors::SYNTAX);
            return None;
        }
        j += 1;
    }
    Some((numkeys_idx + 1, where_idx, max, count.unwrap_or(1)))
}

/// The ZMPOP reply: [key, [[member, score], ...]].
fn mpop_reply(out: &mut Reply, key: &[u8], pairs: &[Pair]) {
    out.array(2);
    out.bulk(key);
    out.array(pairs.len());
    for (m, s) in pairs {
        out.array(2);
        out.bulk(m.as_slice());
        out.double(*s);
    }
}

fn zmpop(ctx: &mut Ctx) {
    let Some((first, end, max, count)) = parse_mpop(ctx, 1) else { return };
    let argv = ctx.argv;
    let key = match ops::first_existing(ctx.db(), &argv[first..end]) {
        Err(e) => return op_error(ctx.out(), e),
        Ok(None) => return ctx.out().null_array(),
        Ok(Some(k)) => Bytes::copy_from_slice(k),
    };
    let pairs = pop_and_report(ctx, &key, max, count);
    mpop_reply(ctx.out(), &key, &pairs);
    ctx.rewrite(zpop_argv(max, &key, Some(pairs.len())));
}

fn timeout_null_array(out: &mut Reply) {
    out.null_array();
}

/// The blocking pops: serve from the first non-empty key, or wait (a null array right away
/// where blocking is not allowed).
fn blocking_pop(ctx: &mut Ctx, keys: std::ops::Range<usize>, timeout_idx: usize, max: bool, mpop_count: Option<usize>) {
    let Some(deadline) = parse_timeout(ctx, timeout_idx) else { return };
    let argv = ctx.argv;
    let found = match ops::first_nonempty(ctx.db(), &argv[keys.clone()]) {
        Err(e) => return op_error(ctx.out(), e),
        Ok(k) => k.map(Bytes::copy_from_slice),
    };
    match found {
        Some(key) => {
            let n = mpop_count.unwrap_or(1);
            let pairs = pop_and_report(ctx, &key, max, n);
            match mpop_count {
                None => {
                    let out = ctx.out();
                    out.array(pairs.len() * 2 + 1);
                    out.bulk(&key);
                    for (m, s) in &pairs {
                        out.bulk(m.as_slice());
                        out.double(*s);
                    }
                    ctx.rewrite(zpop_argv(max, &key, None));
                }
                Some(_) => {
                    mpop_reply(ctx.out(), &key, &pairs);
                    ctx.rewrite(zpop_argv(max, &key, Some(pairs.len())));
                }
            }
        }
        None => {
            if !ctx.may_block() {
                return ctx.out().null_array();
            }
            ctx.block_on_keys(&argv[keys], Kind::ZSet, deadline, timeout_null_array);
        }
    }
}

fn bzpopmin(ctx: &mut Ctx) {
    let n = ctx.argc();
    blocking_pop(ctx, 1..n - 1, n - 1, false, None);
}

fn bzpopmax(ctx: &mut Ctx) {
    let n = ctx.argc();
    blocking_pop(ctx, 1..n - 1, n - 1, true, None);
}

fn bzmpop(ctx: &mut Ctx) {
    let Some((first, end, max, count)) = parse_mpop(ctx, 2) else { return };
    blocking_pop(ctx, first..end, 1, max, Some(count));
}

// ---------------------------------------------------------------------------------------------
// ZSCAN

fn zscan(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(cursor) = parse_cursor(&argv[2]) else {
        return ctx.error(INVALID_CURSOR);
    };
    let (db, out) = ctx.db_out();
    let z = match ops::zset_for_read(db, &argv[1]) {
        Err(e) => return op_error(out, e),
        Ok(None) => {
            out.array(2);
            out.bulk(b"0");
            out.array(0);
            return;
        }
        Ok(Some(z)) => z,
    };
    let (count, pattern) = match crate::cmd::scan_options(argv, 3) {
        Ok(o) => o,
        Err(e) => return out.error(e),
    };
    let mut found: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let next = z.scan(cursor, count, |m, s| found.push((m.to_vec(), s.to_vec())));
    if let Some(p) = pattern {
        found.retain(|(m, _)| vireo_config::glob::glob_match(p, m, false));
    }
    out.array(2);
    out.bulk_int(next as i64);
    out.array(found.len() * 2);
    for (m, s) in &found {
        out.bulk(m);
        out.bulk(s);
    }
}
