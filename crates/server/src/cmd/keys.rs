//! Generic key commands: DEL, UNLINK, EXISTS, TYPE, TOUCH, RENAME, RENAMENX, KEYS, SCAN,
//! RANDOMKEY, DBSIZE, the EXPIRE family (EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT), the TTL family
//! (TTL, PTTL, EXPIRETIME, PEXPIRETIME), PERSIST, COPY, MOVE, SWAPDB, FLUSHDB, FLUSHALL and
//! OBJECT. Handlers parse arguments, call the data operations of `vireo_keyspace::ops::keys`,
//! reply, and report their effects: dirty counts, keyspace notifications, and the replicated
//! form of the command where it differs from what the client sent (relative expire times
//! become PEXPIREAT, an expire time in the past becomes DEL or UNLINK, FLUSH* is always
//! propagated). Values taken out of the keyspace are freed here, on the lazy-free thread when
//! the command or the lazyfree-* configuration asks for it. Nothing here knows about sockets,
//! the replication backlog or the AOF.

use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use crate::server::Server;
use crate::util::eq_ic;
use bytes::Bytes;
use std::sync::atomic::Ordering;
use vireo_keyspace::ops::keys::{self, ExpireCond, ScanOpts};
use vireo_keyspace::value::Entry;

const S_DEL: &str = "Removes the given keys and returns how many existed.";
const S_UNLINK: &str = "Removes the given keys like DEL, reclaiming large values' memory in the background.";
const S_EXISTS: &str = "Counts how many of the given keys exist (a key named twice counts twice).";
const S_TYPE: &str = "Names the data type stored at a key, or none.";
const S_RENAME: &str = "Gives a key a new name, replacing whatever the new name held.";
const S_RENAMENX: &str = "Gives a key a new name only when that name is free.";
const S_KEYS: &str = "Lists every key whose name matches a glob-style pattern.";
const S_SCAN: &str =
    "Walks the keys of the database a few at a time with a cursor, optionally filtered by pattern and type.";
const S_RANDOMKEY: &str = "Picks a key of the database at random.";
const S_DBSIZE: &str = "Tells how many keys the current database holds.";
const S_EXPIRE: &str = "Makes a key expire after a number of seconds.";
const S_PEXPIRE: &str = "Makes a key expire after a number of milliseconds.";
const S_EXPIREAT: &str = "Makes a key expire at a Unix time given in seconds.";
const S_PEXPIREAT: &str = "Makes a key expire at a Unix time given in milliseconds.";
const S_TTL: &str = "Tells how many seconds a key has left to live.";
const S_PTTL: &str = "Tells how many milliseconds a key has left to live.";
const S_EXPIRETIME: &str = "Tells the Unix time, in seconds, at which a key expires.";
const S_PEXPIRETIME: &str = "Tells the Unix time, in milliseconds, at which a key expires.";
const S_PERSIST: &str = "Removes the time to live of a key so that it stays.";
const S_TOUCH: &str = "Marks keys as just accessed and counts how many exist.";
const S_COPY: &str = "Duplicates the value of a key under another name, possibly in another database.";
const S_OBJECT: &str = "Introspection of the values stored at keys.";
const S_OBJECT_ENCODING: &str = "Names the internal representation of the value at a key.";
const S_OBJECT_FREQ: &str = "Reports the logarithmic access-frequency counter of a key (LFU policies).";
const S_OBJECT_HELP: &str = "Lists the OBJECT subcommands.";
const S_OBJECT_IDLETIME: &str = "Reports how many seconds ago a key was last accessed (LRU policies).";
const S_OBJECT_REFCOUNT: &str = "Reports how many references the value at a key has.";
const S_MOVE: &str = "Transfers a key to another database.";
const S_SWAPDB: &str = "Exchanges the contents of two databases.";
const S_FLUSHDB: &str = "Deletes every key of the current database.";
const S_FLUSHALL: &str = "Deletes every key of every database.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "del",
        arity: -2,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW,
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RM | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_DEL, since: "1.0.0", group: Group::Generic, complexity: Some("O(N) where N is the number of keys that will be removed. When a key to remove holds a value other than a string, the individual complexity for this key is O(M) where M is the number of elements in the list, set, sorted set or hash. Removing a single key that holds a string value is O(1)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(del),
        subcommands: &[],
    },
    CommandSpec {
        name: "unlink",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST,
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RM | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_UNLINK, since: "4.0.0", group: Group::Generic, complexity: Some("O(1) for each key removed regardless of its size. Then the command does O(N) work in a different thread in order to reclaim memory, where N is the number of allocations the deleted objects where composed of."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(unlink),
        subcommands: &[],
    },
    CommandSpec {
        name: "exists",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_EXISTS, since: "1.0.0", group: Group::Generic, complexity: Some("O(N) where N is the number of keys to check."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(exists),
        subcommands: &[],
    },
    CommandSpec {
        name: "type",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_TYPE, since: "1.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(type_cmd),
        subcommands: &[],
    },
    CommandSpec {
        name: "rename",
        arity: 3,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_RENAME, since: "1.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "newkey", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(rename),
        subcommands: &[],
    },
    CommandSpec {
        name: "renamenx",
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::OW | kflags::INSERT, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_RENAMENX, since: "1.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "newkey", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(renamenx),
        subcommands: &[],
    },
    CommandSpec {
        name: "keys",
        arity: 2,
        flags: flags::READONLY,
        acl: acl::KEYSPACE | acl::READ | acl::SLOW | acl::DANGEROUS,
        tips: &["request_policy:all_shards", "nondeterministic_output_order"],
        key_specs: &[],
        doc: Doc { summary: S_KEYS, since: "1.0.0", group: Group::Generic, complexity: Some("O(N) with N being the number of keys in the database, under the assumption that the key names in the database and the given pattern have limited length."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(keys_cmd),
        subcommands: &[],
    },
    CommandSpec {
        name: "scan",
        arity: -2,
        flags: flags::READONLY | flags::TOUCHES_ARBITRARY_KEYS,
        acl: acl::KEYSPACE | acl::READ | acl::SLOW,
        tips: &["nondeterministic_output", "request_policy:special"],
        key_specs: &[],
        doc: Doc { summary: S_SCAN, since: "2.8.0", group: Group::Generic, complexity: Some("O(1) for every call. O(N) for a complete iteration, including enough command calls for the cursor to return back to 0. N is the number of elements inside the collection."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "cursor", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: -1, token: Some("MATCH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "type", typ: ArgType::String, key_spec_index: -1, token: Some("TYPE"), summary: None, since: Some("6.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(scan),
        subcommands: &[],
    },
    CommandSpec {
        name: "randomkey",
        arity: 1,
        flags: flags::READONLY | flags::TOUCHES_ARBITRARY_KEYS,
        acl: acl::KEYSPACE | acl::READ | acl::SLOW,
        tips: &["request_policy:all_shards", "nondeterministic_output"],
        key_specs: &[],
        doc: Doc { summary: S_RANDOMKEY, since: "1.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(randomkey),
        subcommands: &[],
    },
    CommandSpec {
        name: "dbsize",
        arity: 1,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        tips: &["request_policy:all_shards", "response_policy:agg_sum"],
        key_specs: &[],
        doc: Doc { summary: S_DBSIZE, since: "1.0.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(dbsize),
        subcommands: &[],
    },
    CommandSpec {
        name: "expire",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_EXPIRE, since: "1.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "seconds", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "condition", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "nx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "xx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("XX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "gt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("GT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "lt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(expire),
        subcommands: &[],
    },
    CommandSpec {
        name: "pexpire",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PEXPIRE, since: "2.6.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "milliseconds", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "condition", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "nx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "xx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("XX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "gt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("GT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "lt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(pexpire),
        subcommands: &[],
    },
    CommandSpec {
        name: "expireat",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_EXPIREAT, since: "1.2.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "unix-time-seconds", typ: ArgType::UnixTime, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "condition", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "nx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "xx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("XX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "gt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("GT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "lt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(expireat),
        subcommands: &[],
    },
    CommandSpec {
        name: "pexpireat",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PEXPIREAT, since: "2.6.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "unix-time-milliseconds", typ: ArgType::UnixTime, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "condition", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "nx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "xx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("XX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "gt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("GT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "lt", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(pexpireat),
        subcommands: &[],
    },
    CommandSpec {
        name: "ttl",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_TTL, since: "1.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(ttl),
        subcommands: &[],
    },
    CommandSpec {
        name: "pttl",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PTTL, since: "2.6.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(pttl),
        subcommands: &[],
    },
    CommandSpec {
        name: "expiretime",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_EXPIRETIME, since: "7.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(expiretime),
        subcommands: &[],
    },
    CommandSpec {
        name: "pexpiretime",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PEXPIRETIME, since: "7.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(pexpiretime),
        subcommands: &[],
    },
    CommandSpec {
        name: "persist",
        arity: 2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PERSIST, since: "2.2.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(persist),
        subcommands: &[],
    },
    CommandSpec {
        name: "touch",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::KEYSPACE | acl::READ | acl::FAST,
        tips: &["request_policy:multi_shard", "response_policy:agg_sum"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_TOUCH, since: "3.2.1", group: Group::Generic, complexity: Some("O(N) where N is the number of keys that will be touched."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(touch),
        subcommands: &[],
    },
    CommandSpec {
        name: "copy",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_COPY, since: "6.2.0", group: Group::Generic, complexity: Some("O(N) worst case for collections, where N is the number of nested items. O(1) for string values."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "destination-db", typ: ArgType::Integer, key_spec_index: -1, token: Some("DB"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "replace", typ: ArgType::PureToken, key_spec_index: -1, token: Some("REPLACE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(copy),
        subcommands: &[],
    },
    CommandSpec {
        name: "object",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_OBJECT, since: "2.2.3", group: Group::Generic, complexity: Some("Depends on subcommand."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: None,
        subcommands: &[
            CommandSpec {
                name: "encoding",
                arity: 3,
                flags: flags::READONLY,
                acl: acl::KEYSPACE | acl::READ | acl::SLOW,
                tips: &["nondeterministic_output"],
                key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_OBJECT_ENCODING, since: "2.2.3", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(object_encoding),
                subcommands: &[],
            },
            CommandSpec {
                name: "freq",
                arity: 3,
                flags: flags::READONLY,
                acl: acl::KEYSPACE | acl::READ | acl::SLOW,
                tips: &["nondeterministic_output"],
                key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_OBJECT_FREQ, since: "4.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(object_freq),
                subcommands: &[],
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::KEYSPACE | acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_OBJECT_HELP, since: "6.2.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
                handler: Some(object_help),
                subcommands: &[],
            },
            CommandSpec {
                name: "idletime",
                arity: 3,
                flags: flags::READONLY,
                acl: acl::KEYSPACE | acl::READ | acl::SLOW,
                tips: &["nondeterministic_output"],
                key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_OBJECT_IDLETIME, since: "2.2.3", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(object_idletime),
                subcommands: &[],
            },
            CommandSpec {
                name: "refcount",
                arity: 3,
                flags: flags::READONLY,
                acl: acl::KEYSPACE | acl::READ | acl::SLOW,
                tips: &["nondeterministic_output"],
                key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_OBJECT_REFCOUNT, since: "2.2.3", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(object_refcount),
                subcommands: &[],
            },
        ],
    },
    CommandSpec {
        name: "move",
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_MOVE, since: "1.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "db", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(move_cmd),
        subcommands: &[],
    },
    CommandSpec {
        name: "swapdb",
        arity: 3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::KEYSPACE | acl::WRITE | acl::FAST | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_SWAPDB, since: "4.0.0", group: Group::Server, complexity: Some("O(N) where N is the count of clients watching or blocking on keys from both databases."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "index1", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "index2", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(swapdb),
        subcommands: &[],
    },
    CommandSpec {
        name: "flushdb",
        arity: -1,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        doc: Doc { summary: S_FLUSHDB, since: "1.0.0", group: Group::Server, complexity: Some("O(N) where N is the number of keys in the selected database"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "async", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "async", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASYNC"), summary: None, since: Some("4.0.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "sync", typ: ArgType::PureToken, key_spec_index: -1, token: Some("SYNC"), summary: None, since: Some("6.2.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(flushdb),
        subcommands: &[],
    },
    CommandSpec {
        name: "flushall",
        arity: -1,
        flags: flags::WRITE,
        acl: acl::KEYSPACE | acl::WRITE | acl::SLOW | acl::DANGEROUS,
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        doc: Doc { summary: S_FLUSHALL, since: "1.0.0", group: Group::Server, complexity: Some("O(N) where N is the total number of keys in all databases"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "async", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "async", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASYNC"), summary: None, since: Some("4.0.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "sync", typ: ArgType::PureToken, key_spec_index: -1, token: Some("SYNC"), summary: None, since: Some("6.2.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(flushall),
        subcommands: &[],
    },
];

// ---------------------------------------------------------------------------------------------
// Helpers

/// How a removed value is released.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Free {
    /// Drop it now, on this thread.
    Sync,
    /// Hand it to the lazy-free thread when it is big enough to be worth it.
    Lazy,
}

impl Free {
    pub(crate) fn from_flag(lazy: bool) -> Free {
        if lazy {
            Free::Lazy
        } else {
            Free::Sync
        }
    }
}

/// Releases a value removed from the keyspace (Redis's freeObjAsync when `how` is lazy: only
/// values costing more than LAZYFREE_THRESHOLD allocations leave the thread).
fn release(srv: &Server, e: Entry, how: Free) {
    if how == Free::Lazy && keys::free_effort(&e.val) > keys::LAZYFREE_THRESHOLD {
        let pending = srv.lazyfree_pending.clone();
        let freed = srv.lazyfreed_objects.clone();
        pending.fetch_add(1, Ordering::Relaxed);
        lazyfree::submit(Box::new(move || {
            drop(e);
            pending.fetch_sub(1, Ordering::Relaxed);
            freed.fetch_add(1, Ordering::Relaxed);
        }));
    } else {
        drop(e);
    }
}

/// Releases an entry removed from the keyspace outside a command (eviction), on the lazy-free
/// thread when `lazy` and the value is big enough.
pub(crate) fn free_entry(srv: &Server, e: Entry, lazy: bool) {
    release(srv, e, Free::from_flag(lazy));
}

/// Releases the contents of a flushed database, on the lazy-free thread for ASYNC flushes
/// (every key counts as one pending object until the thread has dropped them).
pub(crate) fn release_flushed(srv: &Server, f: keys::Flushed, how: Free) {
    if how == Free::Lazy && f.keys > 0 {
        let n = f.keys as u64;
        let pending = srv.lazyfree_pending.clone();
        let freed = srv.lazyfreed_objects.clone();
        pending.fetch_add(n, Ordering::Relaxed);
        lazyfree::submit(Box::new(move || {
            drop(f);
            pending.fetch_sub(n, Ordering::Relaxed);
            freed.fetch_add(n, Ordering::Relaxed);
        }));
    } else {
        drop(f);
    }
}

const SAME_OBJECT: &str = "ERR source and destination objects are the same";

/// Redis's getIntFromObjectOrReply: an i64 that must also fit in a C int.
fn int32_arg(ctx: &mut Ctx, i: usize) -> Option<i64> {
    let n = ctx.int_arg(i)?;
    if n < i32::MIN as i64 || n > i32::MAX as i64 {
        ctx.error("ERR value is out of range, value must between -2147483648 and 2147483647");
        return None;
    }
    Some(n)
}

/// A database index argument (MOVE, COPY ... DB): an int, then a valid database.
fn db_index_arg(ctx: &mut Ctx, i: usize) -> Option<usize> {
    let n = int32_arg(ctx, i)?;
    if n < 0 || n as usize >= ctx.srv.ks.dbs.len() {
        ctx.error(errors::DB_INDEX);
        return None;
    }
    Some(n as usize)
}

/// Applies the command's clock to databases `a` and `b` (cross-database operations reach them
/// through the keyspace directly).
fn clock_dbs(srv: &mut Server, a: usize, b: usize) {
    srv.db(a);
    srv.db(b);
}

/// The command's name as Redis prints it in errors ("expire", "object|freq").
fn full_name(ctx: &Ctx) -> String {
    ctx.srv.registry.get(ctx.id).full_name.clone()
}

// ---------------------------------------------------------------------------------------------
// DEL, UNLINK, EXISTS, TYPE, TOUCH, DBSIZE, RANDOMKEY

fn del(ctx: &mut Ctx) {
    let lazy = ctx.srv.config.lazyfree_lazy_user_del;
    del_generic(ctx, Free::from_flag(lazy));
}

fn unlink(ctx: &mut Ctx) {
    del_generic(ctx, Free::Lazy);
}

fn del_generic(ctx: &mut Ctx, how: Free) {
    let argv = ctx.argv;
    let mut deleted = 0;
    for key in &argv[1..] {
        if let Some(e) = keys::delete(ctx.db(), key) {
            release(ctx.srv, e, how);
            ctx.notify(notify::GENERIC, "del", key);
            ctx.dirty(1);
            deleted += 1;
        }
    }
    ctx.int(deleted);
}

fn exists(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let n = keys::exists(ctx.db(), &argv[1..]);
    ctx.int(n as i64);
}

fn touch(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let n = keys::touch(ctx.db(), &argv[1..]);
    ctx.int(n as i64);
}

fn type_cmd(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let name = keys::key_type(ctx.db(), &argv[1]).map_or("none", |k| k.name());
    ctx.out().simple(name);
}

fn dbsize(ctx: &mut Ctx) {
    let n = ctx.db().len();
    ctx.int(n as i64);
}

fn randomkey(ctx: &mut Ctx) {
    let i = ctx.c.db;
    let srv = &mut *ctx.srv;
    srv.db(i);
    match keys::random_key(&mut srv.ks.dbs[i], &mut srv.rng) {
        Some(k) => ctx.bulk(&k),
        None => ctx.null(),
    }
}

// ---------------------------------------------------------------------------------------------
// RENAME, RENAMENX

fn rename(ctx: &mut Ctx) {
    rename_generic(ctx, false);
}

fn renamenx(ctx: &mut Ctx) {
    rename_generic(ctx, true);
}

fn rename_generic(ctx: &mut Ctx, nx: bool) {
    let argv = ctx.argv;
    let (src, dst) = (&argv[1], &argv[2]);
    match keys::rename(ctx.db(), src, dst, nx) {
        keys::Rename::NoSource => ctx.error(errors::NO_SUCH_KEY),
        keys::Rename::SameKey | keys::Rename::DestExists if nx => ctx.int(0),
        keys::Rename::SameKey | keys::Rename::DestExists => ctx.ok(),
        keys::Rename::Done { replaced } => {
            if let Some(e) = replaced {
                let lazy = ctx.srv.config.lazyfree_lazy_server_del;
                release(ctx.srv, e, Free::from_flag(lazy));
            }
            ctx.notify(notify::GENERIC, "rename_from", src);
            ctx.notify(notify::GENERIC, "rename_to", dst);
            ctx.dirty(1);
            if nx {
                ctx.int(1);
            } else {
                ctx.ok();
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// KEYS, SCAN

fn keys_cmd(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let pattern: &[u8] = &argv[1];
    let all = pattern == b"*";
    let found = keys::keys(ctx.db(), |k| all || vireo_config::glob::glob_match(pattern, k, false));
    let out = ctx.out();
    out.array(found.len());
    for k in &found {
        out.bulk(k);
    }
}

fn scan(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(cursor) = keys::parse_cursor(&argv[1]) else {
        ctx.error("ERR invalid cursor");
        return;
    };
    let mut count: i64 = 10;
    let mut pattern: Option<&[u8]> = None;
    let mut type_name: Option<&[u8]> = None;
    let mut i = 2;
    while i < argv.len() {
        let more = argv.len() - i >= 2;
        if more && eq_ic(&argv[i], "count") {
            let Some(n) = ctx.int_arg(i + 1) else { return };
            if n < 1 {
                ctx.error(errors::SYNTAX);
                return;
            }
            count = n;
        } else if more && eq_ic(&argv[i], "match") {
            // "*" alone matches everything: no pattern at all
            pattern = if &argv[i + 1][..] == b"*" { None } else { Some(&argv[i + 1][..]) };
        } else if more && eq_ic(&argv[i], "type") {
            type_name = Some(&argv[i + 1][..]);
        } else {
            ctx.error(errors::SYNTAX);
            return;
        }
        i += 2;
    }
    let matcher = |k: &[u8]| pattern.is_none_or(|p| vireo_config::glob::glob_match(p, k, false));
    let opts = ScanOpts {
        count: usize::try_from(count).unwrap_or(usize::MAX),
        filter: if pattern.is_some() { Some(&matcher) } else { None },
        type_name,
    };
    let (next, found) = keys::scan(ctx.db(), cursor, &opts);
    let out = ctx.out();
    out.array(2);
    // Redis prints the unsigned cursor through a signed conversion
    out.bulk_int(next as i64);
    out.array(found.len());
    for k in &found {
        out.bulk(k);
    }
}

// ---------------------------------------------------------------------------------------------
// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT

/// The unit and base of an EXPIRE-family command.
#[derive(Clone, Copy, PartialEq, Eq)]
enum ExpireKind {
    Expire,
    PExpire,
    ExpireAt,
    PExpireAt,
}

fn expire(ctx: &mut Ctx) {
    expire_generic(ctx, ExpireKind::Expire);
}

fn pexpire(ctx: &mut Ctx) {
    expire_generic(ctx, ExpireKind::PExpire);
}

fn expireat(ctx: &mut Ctx) {
    expire_generic(ctx, ExpireKind::ExpireAt);
}

fn pexpireat(ctx: &mut Ctx) {
    expire_generic(ctx, ExpireKind::PExpireAt);
}

/// Parses NX / XX / GT / LT (any case, any order, repeats allowed) and checks their
/// combinations, replying the error when they are invalid.
fn parse_expire_cond(ctx: &mut Ctx, from: usize) -> Option<ExpireCond> {
    let argv = ctx.argv;
    let mut cond = ExpireCond::default();
    for opt in &argv[from..] {
        if eq_ic(opt, "nx") {
            cond.nx = true;
        } else if eq_ic(opt, "xx") {
            cond.xx = true;
        } else if eq_ic(opt, "gt") {
            cond.gt = true;
        } else if eq_ic(opt, "lt") {
            cond.lt = true;
        } else {
            ctx.error(&format!("ERR Unsupported option {}", errors::sanitize(opt, usize::MAX)));
            return None;
        }
    }
    if cond.nx && (cond.xx || cond.gt || cond.lt) {
        ctx.error("ERR NX and XX, GT or LT options at the same time are not compatible");
        return None;
    }
    if cond.gt && cond.lt {
        ctx.error("ERR GT and LT options at the same time are not compatible");
        return None;
    }
    Some(cond)
}

/// The EXPIRE family. The options are checked before the number, the number before the key is
/// looked up (Redis's order, which decides which error a bad command gets). Replicated as
/// `PEXPIREAT key <absolute ms> [options]`, or as DEL/UNLINK when the time is already past on a
/// master.
fn expire_generic(ctx: &mut Ctx, kind: ExpireKind) {
    let argv = ctx.argv;
    let Some(cond) = parse_expire_cond(ctx, 3) else { return };
    let Some(n) = ctx.int_arg(2) else { return };
    let seconds = matches!(kind, ExpireKind::Expire | ExpireKind::ExpireAt);
    let relative = matches!(kind, ExpireKind::Expire | ExpireKind::PExpire);
    let base = if relative { ctx.srv.mstime() } else { 0 };
    let Some(when) = keys::expire_deadline(n, seconds, base) else {
        let e = format!("{} '{}' command", errors::INVALID_EXPIRE_PREFIX, full_name(ctx));
        ctx.error(&e);
        return;
    };
    let key = &argv[1];
    match keys::expire(ctx.db(), key, when, cond) {
        keys::Expire::NoKey | keys::Expire::NotSet => ctx.int(0),
        keys::Expire::Deleted(e) => {
            let lazy = ctx.srv.config.lazyfree_lazy_expire;
            release(ctx.srv, e, Free::from_flag(lazy));
            ctx.dirty(1);
            let verb: &'static [u8] = if lazy { b"UNLINK" } else { b"DEL" };
            ctx.rewrite(vec![Bytes::from_static(verb), key.clone()]);
            ctx.notify(notify::GENERIC, "del", key);
            ctx.int(1);
        }
        keys::Expire::Set(when) => {
            ctx.int(1);
            if kind != ExpireKind::PExpireAt {
                let mut v = argv.to_vec();
                v[0] = Bytes::from_static(b"PEXPIREAT");
                v[2] = Bytes::from(when.to_string());
                ctx.rewrite(v);
            }
            ctx.notify(notify::GENERIC, "expire", key);
            ctx.dirty(1);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// TTL, PTTL, EXPIRETIME, PEXPIRETIME, PERSIST

fn ttl(ctx: &mut Ctx) {
    ttl_generic(ctx, false, false);
}

fn pttl(ctx: &mut Ctx) {
    ttl_generic(ctx, true, false);
}

fn expiretime(ctx: &mut Ctx) {
    ttl_generic(ctx, false, true);
}

fn pexpiretime(ctx: &mut Ctx) {
    ttl_generic(ctx, true, true);
}

fn ttl_generic(ctx: &mut Ctx, ms: bool, absolute: bool) {
    let argv = ctx.argv;
    let now = ctx.srv.mstime();
    let state = keys::ttl(ctx.db(), &argv[1]);
    ctx.int(state.reply(now, ms, absolute));
}

fn persist(ctx: &mut Ctx) {
    let argv = ctx.argv;
    if keys::persist(ctx.db(), &argv[1]) {
        ctx.notify(notify::GENERIC, "persist", &argv[1]);
        ctx.int(1);
        ctx.dirty(1);
    } else {
        ctx.int(0);
    }
}

// ---------------------------------------------------------------------------------------------
// COPY, MOVE, SWAPDB

fn copy(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let src = ctx.c.db;
    let mut dst = src;
    let mut replace = false;
    let mut j = 3;
    while j < argv.len() {
        let additional = argv.len() - j - 1;
        if eq_ic(&argv[j], "replace") {
            replace = true;
        } else if eq_ic(&argv[j], "db") && additional >= 1 {
            let Some(d) = db_index_arg(ctx, j + 1) else { return };
            dst = d;
            j += 1;
        } else {
            ctx.error(errors::SYNTAX);
            return;
        }
        j += 1;
    }
    let (key, newkey) = (&argv[1], &argv[2]);
    if src == dst && key == newkey {
        ctx.error(SAME_OBJECT);
        return;
    }
    clock_dbs(ctx.srv, src, dst);
    match keys::copy(&mut ctx.srv.ks, src, dst, key, newkey, replace) {
        keys::Copy::NoSource | keys::Copy::DestExists => ctx.int(0),
        keys::Copy::Copied { replaced } => {
            if let Some(e) = replaced {
                let lazy = ctx.srv.config.lazyfree_lazy_server_del;
                release(ctx.srv, e, Free::from_flag(lazy));
            }
            ctx.srv.notify_keyspace_event(Some(&mut *ctx.c), notify::GENERIC, "copy_to", newkey, dst);
            ctx.dirty(1);
            ctx.int(1);
        }
    }
}

fn move_cmd(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let src = ctx.c.db;
    let Some(dst) = db_index_arg(ctx, 2) else { return };
    if src == dst {
        ctx.error(SAME_OBJECT);
        return;
    }
    let key = &argv[1];
    clock_dbs(ctx.srv, src, dst);
    match keys::move_key(&mut ctx.srv.ks, src, dst, key) {
        keys::Move::NoKey | keys::Move::DestExists => ctx.int(0),
        keys::Move::Moved => {
            ctx.srv.notify_keyspace_event(Some(&mut *ctx.c), notify::GENERIC, "move_from", key, src);
            ctx.srv.notify_keyspace_event(Some(&mut *ctx.c), notify::GENERIC, "move_to", key, dst);
            ctx.dirty(1);
            ctx.int(1);
        }
    }
}

fn swapdb(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let parse = |b: &[u8]| vireo_resp::num::parse_i64(b).filter(|n| i32::try_from(*n).is_ok());
    let Some(a) = parse(&argv[1]) else {
        ctx.error("ERR invalid first DB index");
        return;
    };
    let Some(b) = parse(&argv[2]) else {
        ctx.error("ERR invalid second DB index");
        return;
    };
    let (Ok(a), Ok(b)) = (usize::try_from(a), usize::try_from(b)) else {
        ctx.error(errors::DB_INDEX);
        return;
    };
    if a >= ctx.srv.ks.dbs.len() || b >= ctx.srv.ks.dbs.len() {
        ctx.error(errors::DB_INDEX);
        return;
    }
    // watchers of keys that exist on either side see a change
    crate::cmd::multi::touch_all_watched_in_db(ctx.srv, Some(&mut *ctx.c), a, Some(b));
    crate::cmd::multi::touch_all_watched_in_db(ctx.srv, Some(&mut *ctx.c), b, Some(a));
    keys::swap_dbs(&mut ctx.srv.ks, a, b);
    // clients blocked on keys of either database may find data there now
    crate::blocking::signal_all_waited(ctx.srv, a);
    crate::blocking::signal_all_waited(ctx.srv, b);
    ctx.dirty(1);
    ctx.ok();
}

// ---------------------------------------------------------------------------------------------
// FLUSHDB, FLUSHALL

/// The ASYNC / SYNC argument, or lazyfree-lazy-user-flush without one.
fn flush_mode(ctx: &mut Ctx) -> Option<Free> {
    let argv = ctx.argv;
    match argv.len() {
        1 => Some(Free::from_flag(ctx.srv.config.lazyfree_lazy_user_flush)),
        2 if eq_ic(&argv[1], "sync") => Some(Free::Sync),
        2 if eq_ic(&argv[1], "async") => Some(Free::Lazy),
        _ => {
            ctx.error(errors::SYNTAX);
            None
        }
    }
}

/// Propagates the flush as sent even when it removed nothing (a replica may hold keys its
/// master does not).
fn force_propagation(ctx: &mut Ctx) {
    let db = ctx.c.db;
    ctx.prevent_propagation();
    ctx.also_propagate(db, ctx.argv.to_vec());
}

fn flushdb(ctx: &mut Ctx) {
    let Some(how) = flush_mode(ctx) else { return };
    let db = ctx.c.db;
    crate::cmd::multi::touch_all_watched_in_db(ctx.srv, Some(&mut *ctx.c), db, None);
    // XREADGROUP clients waiting on a flushed stream are released with an error
    crate::blocking::signal_all_waited(ctx.srv, db);
    let flushed = keys::flush(ctx.db());
    ctx.dirty(flushed.keys as u64);
    release_flushed(ctx.srv, flushed, how);
    force_propagation(ctx);
    ctx.ok();
}

fn flushall(ctx: &mut Ctx) {
    let Some(how) = flush_mode(ctx) else { return };
    for i in 0..ctx.srv.ks.dbs.len() {
        crate::cmd::multi::touch_all_watched_in_db(ctx.srv, Some(&mut *ctx.c), i, None);
        crate::blocking::signal_all_waited(ctx.srv, i);
        let flushed = keys::flush(ctx.srv.db(i));
        ctx.dirty(flushed.keys as u64);
        release_flushed(ctx.srv, flushed, how);
    }
    // a snapshot in progress is of data that no longer exists; with save points, the empty
    // dataset is saved at once (as Redis does)
    crate::persist::kill_child(ctx.srv);
    if !ctx.srv.config.save.is_empty() {
        let _ = crate::persist::save(ctx.srv);
    }
    force_propagation(ctx);
    ctx.ok();
}

// ---------------------------------------------------------------------------------------------
// OBJECT

const OBJECT_HELP: &[&str] = &[
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
];

const IDLETIME_UNDER_LFU: &str = "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";
const FREQ_WITHOUT_LFU: &str = "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust.";

fn object_help(ctx: &mut Ctx) {
    super::reply_help(ctx, "OBJECT", OBJECT_HELP);
}

/// What an OBJECT subcommand reports about a found entry.
enum ObjectQuery {
    Encoding,
    Refcount,
    Idletime,
    Freq,
}

fn object_encoding(ctx: &mut Ctx) {
    object_generic(ctx, ObjectQuery::Encoding);
}

fn object_refcount(ctx: &mut Ctx) {
    object_generic(ctx, ObjectQuery::Refcount);
}

fn object_idletime(ctx: &mut Ctx) {
    object_generic(ctx, ObjectQuery::Idletime);
}

fn object_freq(ctx: &mut Ctx) {
    object_generic(ctx, ObjectQuery::Freq);
}

fn object_generic(ctx: &mut Ctx, q: ObjectQuery) {
    let argv = ctx.argv;
    let lfu = ctx.srv.config.maxmemory_policy.is_lfu();
    let lru = ctx.srv.config.maxmemory_policy.is_lru();
    // small integers are shared objects unless a maxmemory limit with an LRU/LFU policy needs
    // per-key access data
    let shared_integers = ctx.srv.config.maxmemory == 0 || !(lru || lfu);
    let db = ctx.db();
    let clock = db.clock;
    let Some(e) = keys::object_lookup(db, &argv[2]) else {
        ctx.null();
        return;
    };
    match q {
        ObjectQuery::Encoding => {
            let name = e.encoding();
            ctx.bulk(name.as_bytes());
        }
        ObjectQuery::Refcount => {
            let n = keys::refcount(e, shared_integers);
            ctx.int(n);
        }
        ObjectQuery::Idletime if lfu => ctx.error(IDLETIME_UNDER_LFU),
        ObjectQuery::Idletime => {
            let n = keys::idle_seconds(e, &clock);
            ctx.int(n);
        }
        ObjectQuery::Freq if !lfu => ctx.error(FREQ_WITHOUT_LFU),
        ObjectQuery::Freq => {
            let n = keys::frequency(e, &clock);
            ctx.int(n);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The lazy-free thread

/// A background thread that drops values and flushed databases handed to it, so that freeing
/// millions of allocations never stalls the event loop (Redis's BIO_LAZY_FREE job queue). It
/// is started on first use; if it cannot be started the work is done inline.
mod lazyfree {
    use std::sync::mpsc::{channel, Sender};
    use std::sync::OnceLock;

    pub type Job = Box<dyn FnOnce() + Send>;

    static QUEUE: OnceLock<Option<Sender<Job>>> = OnceLock::new();

    fn queue() -> &'static Option<Sender<Job>> {
        QUEUE.get_or_init(|| {
            let (tx, rx) = channel::<Job>();
            std::thread::Builder::new()
                .name("vireo-lazyfree".into())
                .spawn(move || {
                    while let Ok(job) = rx.recv() {
                        job();
                    }
                })
                .ok()
                .map(|_| tx)
        })
    }

    /// Runs `job` on the lazy-free thread (in order with earlier jobs).
    pub fn submit(job: Job) {
        match queue() {
            Some(tx) => {
                if let Err(e) = tx.send(job) {
                    (e.0)();
                }
            }
            None => job(),
        }
    }
}
