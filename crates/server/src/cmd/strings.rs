//! String commands: GET, SET and its variants (SETNX, SETEX, PSETEX, GETSET), GETEX, GETDEL,
//! MGET, MSET, MSETNX, APPEND, STRLEN, GETRANGE/SUBSTR, SETRANGE, INCR/DECR/INCRBY/DECRBY,
//! INCRBYFLOAT and LCS. Handlers parse arguments the way Redis 7.0 does (same error texts, same
//! order of checks), run the data operations of `vireo_keyspace::ops::strings`, write the reply
//! and report effects: dirty counts, keyspace notifications, and the form in which the command is
//! propagated (relative TTLs become absolute, INCRBYFLOAT becomes SET, GETDEL becomes DEL...).
//! They know nothing of sockets, the replication backlog or the AOF.

use crate::client::cflags;
use crate::cmd::is_opt;
use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use bytes::Bytes;
use vireo_keyspace::ops::strings::{self as ops, GetExEffect, GetExOpt, LcsError, SetOpts, TtlKind};
use vireo_keyspace::ops::OpError;
use vireo_keyspace::Value;
use vireo_resp::ReplyBuf;

const S_GET: &str = "Returns the string stored at a key, or nil when the key does not exist.";
const S_SET: &str =
    "Stores a string under a key, optionally only if it exists or not, with an expiry, or returning the old value.";
const S_GETEX: &str = "Returns the string stored at a key and optionally changes or removes its time to live.";
const S_GETDEL: &str = "Returns the string stored at a key and removes the key.";
const S_GETSET: &str = "Stores a new string under a key and returns the previous one.";
const S_MGET: &str = "Returns the strings stored at several keys, nil for missing or non-string keys.";
const S_MSET: &str = "Stores several key/value pairs at once.";
const S_MSETNX: &str = "Stores several key/value pairs only if none of the keys exists.";
const S_SETNX: &str = "Stores a string under a key only if the key does not exist yet.";
const S_SETEX: &str = "Stores a string under a key with a time to live in seconds.";
const S_PSETEX: &str = "Stores a string under a key with a time to live in milliseconds.";
const S_APPEND: &str = "Adds bytes at the end of a string, creating the key if needed; returns the new length.";
const S_STRLEN: &str = "Returns the length in bytes of the string stored at a key.";
const S_GETRANGE: &str = "Returns the bytes of a string between two offsets (negative offsets count from the end).";
const S_SUBSTR: &str = "Older name of GETRANGE: returns the bytes of a string between two offsets.";
const S_SETRANGE: &str =
    "Overwrites part of a string starting at an offset, padding with zero bytes; returns the new length.";
const S_INCR: &str = "Adds one to the integer stored at a key.";
const S_DECR: &str = "Subtracts one from the integer stored at a key.";
const S_INCRBY: &str = "Adds an integer to the integer stored at a key.";
const S_DECRBY: &str = "Subtracts an integer from the integer stored at a key.";
const S_INCRBYFLOAT: &str = "Adds a floating point number to the number stored at a key.";
const S_LCS: &str = "Finds the longest common subsequence of the strings at two keys.";

const NOTE_SET_0: &str = "Reads the old value when GET is given, so the key is also accessed.";
const NOTE_GETEX_0: &str = "Can change the key's time to live, so the key is updated.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "get",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GET, since: "1.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(get),
        subcommands: &[],
    },
    CommandSpec {
        name: "set",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::STRING | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: NOTE_SET_0, flags: kflags::RW | kflags::ACCESS | kflags::UPDATE | kflags::VARIABLE_FLAGS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SET, since: "1.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "condition", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("2.6.12"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "nx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "xx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("XX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "get", typ: ArgType::PureToken, key_spec_index: -1, token: Some("GET"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "expiration", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "seconds", typ: ArgType::Integer, key_spec_index: -1, token: Some("EX"), summary: None, since: Some("2.6.12"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "milliseconds", typ: ArgType::Integer, key_spec_index: -1, token: Some("PX"), summary: None, since: Some("2.6.12"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "unix-time-seconds", typ: ArgType::UnixTime, key_spec_index: -1, token: Some("EXAT"), summary: None, since: Some("6.2.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "unix-time-milliseconds", typ: ArgType::UnixTime, key_spec_index: -1, token: Some("PXAT"), summary: None, since: Some("6.2.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "keepttl", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KEEPTTL"), summary: None, since: Some("6.0.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(set),
        subcommands: &[],
    },
    CommandSpec {
        name: "getex",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: NOTE_GETEX_0, flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GETEX, since: "6.2.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "expiration", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "seconds", typ: ArgType::Integer, key_spec_index: -1, token: Some("EX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "milliseconds", typ: ArgType::Integer, key_spec_index: -1, token: Some("PX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "unix-time-seconds", typ: ArgType::UnixTime, key_spec_index: -1, token: Some("EXAT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "unix-time-milliseconds", typ: ArgType::UnixTime, key_spec_index: -1, token: Some("PXAT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "persist", typ: ArgType::PureToken, key_spec_index: -1, token: Some("PERSIST"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(getex),
        subcommands: &[],
    },
    CommandSpec {
        name: "getdel",
        arity: 2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GETDEL, since: "6.2.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(getdel),
        subcommands: &[],
    },
    CommandSpec {
        name: "getset",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GETSET, since: "1.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: Some("6.2.0"), replaced_by: Some("`SET` with the `!GET` argument"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(getset),
        subcommands: &[],
    },
    CommandSpec {
        name: "mget",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::STRING | acl::FAST,
        tips: &["request_policy:multi_shard"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_MGET, since: "1.0.0", group: Group::String, complexity: Some("O(N) where N is the number of keys to retrieve."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(mget),
        subcommands: &[],
    },
    CommandSpec {
        name: "mset",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::STRING | acl::SLOW,
        tips: &["request_policy:multi_shard", "response_policy:all_succeeded"],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 2, limit: 0 } }],
        doc: Doc { summary: S_MSET, since: "1.0.1", group: Group::String, complexity: Some("O(N) where N is the number of keys to set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key_value", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[
                Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(mset),
        subcommands: &[],
    },
    CommandSpec {
        name: "msetnx",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::STRING | acl::SLOW,
        tips: &["request_policy:multi_shard", "response_policy:agg_min"],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 2, limit: 0 } }],
        doc: Doc { summary: S_MSETNX, since: "1.0.1", group: Group::String, complexity: Some("O(N) where N is the number of keys to set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key_value", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[
                Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(msetnx),
        subcommands: &[],
    },
    CommandSpec {
        name: "setnx",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SETNX, since: "1.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(setnx),
        subcommands: &[],
    },
    CommandSpec {
        name: "setex",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::STRING | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SETEX, since: "2.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "seconds", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(setex),
        subcommands: &[],
    },
    CommandSpec {
        name: "psetex",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::STRING | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PSETEX, since: "2.6.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "milliseconds", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(psetex),
        subcommands: &[],
    },
    CommandSpec {
        name: "append",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_APPEND, since: "2.0.0", group: Group::String, complexity: Some("O(1). The amortized time complexity is O(1) assuming the appended value is small and the already present value is of any size, since the dynamic string library used by Redis will double the free space available on every reallocation."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(append),
        subcommands: &[],
    },
    CommandSpec {
        name: "strlen",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_STRLEN, since: "2.2.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(strlen),
        subcommands: &[],
    },
    CommandSpec {
        name: "getrange",
        arity: 4,
        flags: flags::READONLY,
        acl: acl::READ | acl::STRING | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GETRANGE, since: "2.4.0", group: Group::String, complexity: Some("O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "end", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(getrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "substr",
        arity: 4,
        flags: flags::READONLY,
        acl: acl::READ | acl::STRING | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SUBSTR, since: "1.0.0", group: Group::String, complexity: Some("O(N) where N is the length of the returned string. The complexity is ultimately determined by the returned length, but because creating a substring from an existing string is very cheap, it can be considered O(1) for small strings."), deprecated_since: Some("2.0.0"), replaced_by: Some("`GETRANGE`"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "end", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(substr),
        subcommands: &[],
    },
    CommandSpec {
        name: "setrange",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::STRING | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_SETRANGE, since: "2.2.0", group: Group::String, complexity: Some("O(1), not counting the time taken to copy the new string in place. Usually, this string is very small so the amortized complexity is O(1). Otherwise, complexity is O(M) with M being the length of the value argument."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(setrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "incr",
        arity: 2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_INCR, since: "1.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(incr),
        subcommands: &[],
    },
    CommandSpec {
        name: "decr",
        arity: 2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_DECR, since: "1.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(decr),
        subcommands: &[],
    },
    CommandSpec {
        name: "incrby",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_INCRBY, since: "1.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "increment", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(incrby),
        subcommands: &[],
    },
    CommandSpec {
        name: "decrby",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_DECRBY, since: "1.0.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "decrement", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(decrby),
        subcommands: &[],
    },
    CommandSpec {
        name: "incrbyfloat",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STRING | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_INCRBYFLOAT, since: "2.6.0", group: Group::String, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "increment", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(incrbyfloat),
        subcommands: &[],
    },
    CommandSpec {
        name: "lcs",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::STRING | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LCS, since: "7.0.0", group: Group::String, complexity: Some("O(N*M) where N and M are the lengths of s1 and s2, respectively"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key1", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key2", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "len", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LEN"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "idx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("IDX"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "len", typ: ArgType::Integer, key_spec_index: -1, token: Some("MINMATCHLEN"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withmatchlen", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHMATCHLEN"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lcs),
        subcommands: &[],
    },
];

const TOO_LARGE: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";
const NAN_OR_INF: &str = "ERR increment would produce NaN or Infinity";
const LCS_WRONGTYPE: &str = "ERR The specified keys must contain string values";

// SET/GETEX option flags (as parsed; the combination rules are Redis's)
const O_NX: u32 = 1;
const O_XX: u32 = 1 << 1;
const O_EX: u32 = 1 << 2;
const O_PX: u32 = 1 << 3;
const O_KEEPTTL: u32 = 1 << 4;
const O_GET: u32 = 1 << 5;
const O_EXAT: u32 = 1 << 6;
const O_PXAT: u32 = 1 << 7;
const O_PERSIST: u32 = 1 << 8;
const O_ANY_EXPIRE: u32 = O_EX | O_PX | O_EXAT | O_PXAT;

/// Replies a data operation's error with Redis's text.
fn op_error(ctx: &mut Ctx, e: OpError) {
    match e {
        OpError::WrongType => ctx.error(errors::WRONGTYPE),
        OpError::NotInteger => ctx.error(errors::NOT_INTEGER),
        OpError::NotFloat => ctx.error(errors::NOT_FLOAT),
        OpError::Overflow => ctx.error(errors::OVERFLOW),
        OpError::NanOrInfinity => ctx.error(NAN_OR_INF),
        OpError::TooLarge => ctx.error(TOO_LARGE),
        OpError::InvalidExpire => {
            let e = format!("{} '{}' command", errors::INVALID_EXPIRE_PREFIX, ctx.cmd.name);
            ctx.error(&e)
        }
    }
}

/// A string value as a bulk reply.
fn reply_value(out: &mut ReplyBuf, v: &Value) {
    match v {
        Value::Int(n) => out.bulk_int(*n),
        Value::Str(s) => out.bulk(s.as_slice()),
        #[allow(unreachable_patterns)]
        other => out.bulk(&other.as_bytes().unwrap_or_default()),
    }
}

/// The string length limit for this client: none for the master link and the AOF loader,
/// whose commands must be obeyed (Redis's mustObeyClient), proto-max-bulk-len otherwise.
fn length_limit(ctx: &Ctx) -> Option<u64> {
    if ctx.c.has(cflags::MASTER) || ctx.c.is_fake() {
        None
    } else {
        Some(ctx.srv.config.proto_max_bulk_len as u64)
    }
}

fn key_arg(ctx: &Ctx, i: usize) -> Bytes {
    ctx.argv[i].clone()
}

/// Parses SET's (`for_set`) or GETEX's options from argument 3 (SET) or 2 (GETEX). Returns the
/// flags and, when an expire option was given, its kind and the index of its number. Replies a
/// syntax error and returns `None` on a bad or conflicting option.
fn parse_extended(ctx: &mut Ctx, for_set: bool) -> Option<(u32, Option<(TtlKind, usize)>)> {
    let mut fl = 0u32;
    let mut ttl = None;
    let mut j = if for_set { 3 } else { 2 };
    while j < ctx.argc() {
        let opt = ctx.arg(j);
        let has_next = j + 1 < ctx.argc();
        let expire_kind = |name: &str, kind: TtlKind, flag: u32| -> Option<(TtlKind, u32)> {
            let others = (O_ANY_EXPIRE & !flag) | O_KEEPTTL | O_PERSIST;
            (is_opt(opt, name) && fl & others == 0 && has_next).then_some((kind, flag))
        };
        if for_set && is_opt(opt, "nx") && fl & O_XX == 0 {
            fl |= O_NX;
        } else if for_set && is_opt(opt, "xx") && fl & O_NX == 0 {
            fl |= O_XX;
        } else if for_set && is_opt(opt, "get") {
            fl |= O_GET;
        } else if for_set && is_opt(opt, "keepttl") && fl & (O_PERSIST | O_ANY_EXPIRE) == 0 {
            fl |= O_KEEPTTL;
        } else if !for_set && is_opt(opt, "persist") && fl & (O_ANY_EXPIRE | O_KEEPTTL) == 0 {
            fl |= O_PERSIST;
        } else if let Some((kind, flag)) = expire_kind("ex", TtlKind::Ex, O_EX)
            .or_else(|| expire_kind("px", TtlKind::Px, O_PX))
            .or_else(|| expire_kind("exat", TtlKind::ExAt, O_EXAT))
            .or_else(|| expire_kind("pxat", TtlKind::PxAt, O_PXAT))
        {
            fl |= flag;
            ttl = Some((kind, j + 1));
            j += 1;
        } else {
            ctx.error(errors::SYNTAX);
            return None;
        }
        j += 1;
    }
    Some((fl, ttl))
}

/// GET's lookup and reply; returns false after replying an error.
fn get_reply(ctx: &mut Ctx, key: &[u8]) -> bool {
    let err = {
        let (db, out) = ctx.db_out();
        match ops::get(db, key) {
            Ok(Some(v)) => {
                reply_value(out, v);
                None
            }
            Ok(None) => {
                out.null();
                None
            }
            Err(e) => Some(e),
        }
    };
    match err {
        Some(e) => {
            op_error(ctx, e);
            false
        }
        None => true,
    }
}

/// What SET-like commands reply when they wrote the value or were stopped by NX/XX.
#[derive(Clone, Copy, PartialEq, Eq)]
enum SetReplies {
    /// +OK / nil (SET, SETEX, PSETEX).
    OkNil,
    /// :1 / :0 (SETNX).
    OneZero,
}

/// The common part of SET, SETNX, SETEX and PSETEX (Redis's setGenericCommand).
fn set_generic(ctx: &mut Ctx, fl: u32, ttl: Option<(TtlKind, usize)>, val_i: usize, replies: SetReplies) {
    let key = key_arg(ctx, 1);
    let val = ctx.argv[val_i].clone();
    let expire_at = match ttl {
        None => None,
        Some((kind, i)) => {
            let now = ctx.db().clock.now_ms;
            match kind.deadline(ctx.arg(i), now) {
                Ok(ms) => Some(ms),
                Err(e) => return op_error(ctx, e),
            }
        }
    };
    if fl & O_GET != 0 && !get_reply(ctx, &key) {
        return;
    }
    let opts = SetOpts { nx: fl & O_NX != 0, xx: fl & O_XX != 0, keep_ttl: fl & O_KEEPTTL != 0, expire_at };
    if !ops::set(ctx.db(), &key, Value::from_bytes(&val), &opts) {
        if fl & O_GET == 0 {
            match replies {
                SetReplies::OkNil => ctx.null(),
                SetReplies::OneZero => ctx.int(0),
            }
        }
        return;
    }
    ctx.dirty(1);
    ctx.notify(notify::STRING, "set", &key);
    if let Some(ms) = expire_at {
        let ms = Bytes::from(ms.to_string());
        ctx.rewrite(vec![Bytes::from_static(b"SET"), key.clone(), val, Bytes::from_static(b"PXAT"), ms]);
        ctx.notify(notify::GENERIC, "expire", &key);
    }
    if fl & O_GET == 0 {
        match replies {
            SetReplies::OkNil => ctx.ok(),
            SetReplies::OneZero => ctx.int(1),
        }
    } else if expire_at.is_none() {
        // propagate without the GET option(s); the value at index 2 is never an option
        let argv: Vec<Bytes> =
            ctx.argv.iter().enumerate().filter(|(j, a)| *j < 3 || !is_opt(a, "get")).map(|(_, a)| a.clone()).collect();
        ctx.rewrite(argv);
    }
}

fn set(ctx: &mut Ctx) {
    let Some((fl, ttl)) = parse_extended(ctx, true) else { return };
    set_generic(ctx, fl, ttl, 2, SetReplies::OkNil);
}

fn setnx(ctx: &mut Ctx) {
    set_generic(ctx, O_NX, None, 2, SetReplies::OneZero);
}

fn setex(ctx: &mut Ctx) {
    set_generic(ctx, O_EX, Some((TtlKind::Ex, 2)), 3, SetReplies::OkNil);
}

fn psetex(ctx: &mut Ctx) {
    set_generic(ctx, O_PX, Some((TtlKind::Px, 2)), 3, SetReplies::OkNil);
}

fn get(ctx: &mut Ctx) {
    let key = key_arg(ctx, 1);
    get_reply(ctx, &key);
}

fn getex(ctx: &mut Ctx) {
    let Some((fl, ttl)) = parse_extended(ctx, false) else { return };
    let key = key_arg(ctx, 1);
    let argv = ctx.argv;
    let opt = match ttl {
        Some((kind, i)) => GetExOpt::Expire(kind, &argv[i]),
        None if fl & O_PERSIST != 0 => GetExOpt::Persist,
        None => GetExOpt::Keep,
    };
    let (v, effect) = match ops::getex(ctx.db(), &key, opt) {
        Ok(Some(r)) => r,
        Ok(None) => return ctx.null(),
        Err(e) => return op_error(ctx, e),
    };
    reply_value(ctx.out(), &v);
    match effect {
        GetExEffect::None => {}
        GetExEffect::Deleted => {
            let verb: &'static [u8] = if ctx.srv.config.lazyfree_lazy_expire { b"UNLINK" } else { b"DEL" };
            ctx.rewrite(vec![Bytes::from_static(verb), key.clone()]);
            ctx.notify(notify::GENERIC, "del", &key);
            ctx.dirty(1);
        }
        GetExEffect::ExpireSet(ms) => {
            ctx.rewrite(vec![Bytes::from_static(b"PEXPIREAT"), key.clone(), Bytes::from(ms.to_string())]);
            ctx.notify(notify::GENERIC, "expire", &key);
            ctx.dirty(1);
        }
        GetExEffect::Persisted => {
            ctx.rewrite(vec![Bytes::from_static(b"PERSIST"), key.clone()]);
            ctx.notify(notify::GENERIC, "persist", &key);
            ctx.dirty(1);
        }
    }
}

fn getdel(ctx: &mut Ctx) {
    let key = key_arg(ctx, 1);
    let v = match ops::getdel(ctx.db(), &key) {
        Ok(Some(v)) => v,
        Ok(None) => return ctx.null(),
        Err(e) => return op_error(ctx, e),
    };
    reply_value(ctx.out(), &v);
    let verb: &'static [u8] = if ctx.srv.config.lazyfree_lazy_user_del { b"UNLINK" } else { b"DEL" };
    ctx.rewrite(vec![Bytes::from_static(verb), key.clone()]);
    ctx.notify(notify::GENERIC, "del", &key);
    ctx.dirty(1);
}

fn getset(ctx: &mut Ctx) {
    let key = key_arg(ctx, 1);
    let val = ctx.argv[2].clone();
    match ops::getset(ctx.db(), &key, Value::from_bytes(&val)) {
        Ok(Some(old)) => reply_value(ctx.out(), &old),
        Ok(None) => ctx.null(),
        Err(e) => return op_error(ctx, e),
    }
    ctx.notify(notify::STRING, "set", &key);
    ctx.dirty(1);
    ctx.rewrite(vec![Bytes::from_static(b"SET"), key, val]);
}

fn mget(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    out.array(argv.len() - 1);
    for key in &argv[1..] {
        match ops::get_if_string(db, key) {
            Some(v) => reply_value(out, v),
            None => out.null(),
        }
    }
}

fn mset(ctx: &mut Ctx) {
    if ctx.argc().is_multiple_of(2) {
        return ctx.wrong_arity();
    }
    let argv = ctx.argv;
    ops::mset(ctx.db(), &argv[1..]);
    for pair in argv[1..].chunks_exact(2) {
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    ctx.dirty((argv.len() as u64 - 1) / 2);
    ctx.ok();
}

fn msetnx(ctx: &mut Ctx) {
    if ctx.argc().is_multiple_of(2) {
        return ctx.wrong_arity();
    }
    let argv = ctx.argv;
    if !ops::msetnx(ctx.db(), &argv[1..]) {
        return ctx.int(0);
    }
    for pair in argv[1..].chunks_exact(2) {
        ctx.notify(notify::STRING, "set", &pair[0]);
    }
    ctx.dirty((argv.len() as u64 - 1) / 2);
    ctx.int(1);
}

fn append(ctx: &mut Ctx) {
    let key = key_arg(ctx, 1);
    let limit = length_limit(ctx);
    let argv = ctx.argv;
    match ops::append(ctx.db(), &key, &argv[2], limit) {
        Ok(len) => {
            ctx.notify(notify::STRING, "append", &key);
            ctx.dirty(1);
            ctx.int(len as i64);
        }
        Err(e) => op_error(ctx, e),
    }
}

fn strlen(ctx: &mut Ctx) {
    let key = key_arg(ctx, 1);
    match ops::strlen(ctx.db(), &key) {
        Ok(n) => ctx.int(n as i64),
        Err(e) => op_error(ctx, e),
    }
}

fn getrange(ctx: &mut Ctx) {
    let Some(start) = ctx.int_arg(2) else { return };
    let Some(end) = ctx.int_arg(3) else { return };
    let key = key_arg(ctx, 1);
    let err = {
        let (db, out) = ctx.db_out();
        match ops::getrange(db, &key, start, end) {
            Ok(bytes) => {
                out.bulk(&bytes);
                None
            }
            Err(e) => Some(e),
        }
    };
    if let Some(e) = err {
        op_error(ctx, e);
    }
}

fn substr(ctx: &mut Ctx) {
    getrange(ctx);
}

fn setrange(ctx: &mut Ctx) {
    let Some(offset) = ctx.int_arg(2) else { return };
    if offset < 0 {
        return ctx.error("ERR offset is out of range");
    }
    let key = key_arg(ctx, 1);
    let limit = length_limit(ctx);
    let argv = ctx.argv;
    let val = &argv[3];
    match ops::setrange(ctx.db(), &key, offset as u64, val, limit) {
        Ok(len) => {
            if !val.is_empty() {
                ctx.notify(notify::STRING, "setrange", &key);
                ctx.dirty(1);
            }
            ctx.int(len as i64);
        }
        Err(e) => op_error(ctx, e),
    }
}

/// The common part of INCR, DECR, INCRBY and DECRBY.
fn incr_decr(ctx: &mut Ctx, delta: i64) {
    let key = key_arg(ctx, 1);
    match ops::incr_by(ctx.db(), &key, delta) {
        Ok(n) => {
            ctx.notify(notify::STRING, "incrby", &key);
            ctx.dirty(1);
            ctx.int(n);
        }
        Err(e) => op_error(ctx, e),
    }
}

fn incr(ctx: &mut Ctx) {
    incr_decr(ctx, 1);
}

fn decr(ctx: &mut Ctx) {
    incr_decr(ctx, -1);
}

fn incrby(ctx: &mut Ctx) {
    let Some(n) = ctx.int_arg(2) else { return };
    incr_decr(ctx, n);
}

fn decrby(ctx: &mut Ctx) {
    let Some(n) = ctx.int_arg(2) else { return };
    if n == i64::MIN {
        return ctx.error("ERR decrement would overflow");
    }
    incr_decr(ctx, -n);
}

fn incrbyfloat(ctx: &mut Ctx) {
    let key = key_arg(ctx, 1);
    let argv = ctx.argv;
    match ops::incr_by_float(ctx.db(), &key, &argv[2]) {
        Ok(text) => {
            ctx.notify(notify::STRING, "incrbyfloat", &key);
            ctx.dirty(1);
            ctx.bulk(&text);
            // replicas and the AOF get the exact result, never the float arithmetic
            ctx.rewrite(vec![Bytes::from_static(b"SET"), key, Bytes::from(text), Bytes::from_static(b"KEEPTTL")]);
        }
        Err(e) => op_error(ctx, e),
    }
}

fn lcs(ctx: &mut Ctx) {
    let (ka, kb) = (key_arg(ctx, 1), key_arg(ctx, 2));
    let (a, b) = match ops::lcs_values(ctx.db(), &ka, &kb) {
        Ok(v) => v,
        Err(_) => return ctx.error(LCS_WRONGTYPE),
    };
    let (mut want_len, mut want_idx, mut with_len) = (false, false, false);
    let mut min_len: i64 = 0;
    let mut j = 3;
    while j < ctx.argc() {
        let opt = ctx.arg(j);
        let more = j + 1 < ctx.argc();
        if is_opt(opt, "idx") {
            want_idx = true;
        } else if is_opt(opt, "len") {
            want_len = true;
        } else if is_opt(opt, "withmatchlen") {
            with_len = true;
        } else if is_opt(opt, "minmatchlen") && more {
            let Some(n) = ctx.int_arg(j + 1) else { return };
            min_len = n.max(0);
            j += 1;
        } else {
            return ctx.error(errors::SYNTAX);
        }
        j += 1;
    }
    if want_len && want_idx {
        return ctx.error("ERR If you want both the length and indexes, please just use IDX.");
    }
    let limit = ctx.srv.config.proto_max_bulk_len as u64;
    let r = match ops::lcs(&a, &b, limit, want_idx || !want_len) {
        Ok(r) => r,
        Err(LcsError::TooLong) => return ctx.error("ERR String too long for LCS"),
        Err(LcsError::TableTooLarge) => {
            return ctx.error("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
        }
        Err(LcsError::OutOfMemory) => {
            return ctx.error("ERR Insufficient memory, failed allocating transient memory for LCS")
        }
    };
    let out = ctx.out();
    if want_idx {
        let shown: Vec<_> = r.matches.iter().filter(|m| min_len == 0 || m.len as i64 >= min_len).collect();
        out.map(2);
        out.bulk(b"matches");
        out.array(shown.len());
        for m in shown {
            out.array(if with_len { 3 } else { 2 });
            out.array(2);
            out.int(m.a.0 as i64);
            out.int(m.a.1 as i64);
            out.array(2);
            out.int(m.b.0 as i64);
            out.int(m.b.1 as i64);
            if with_len {
                out.int(m.len as i64);
            }
        }
        out.bulk(b"len");
        out.int(r.len as i64);
    } else if want_len {
        out.int(r.len as i64);
    } else {
        out.bulk(&r.seq);
    }
}
