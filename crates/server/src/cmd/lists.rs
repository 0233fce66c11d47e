//! List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LRANGE, LINDEX, LSET, LINSERT, LREM,
//! LTRIM, LLEN, LPOS, LMOVE, RPOPLPUSH, LMPOP and the blocking BLPOP, BRPOP, BLMOVE, BRPOPLPUSH
//! and BLMPOP. Handlers check arguments in the order Redis 7.0 does (same error texts, same
//! order of checks against the lookups), run the data operations of
//! `vireo_keyspace::ops::lists`, write the reply (null bulk or null array exactly where Redis
//! sends one, in RESP2 and RESP3) and report effects: dirty counts, keyspace notifications in
//! Redis's order, and what replicas and the AOF see (a served blocking pop as the plain pop it
//! performed, LMPOP as LPOP/RPOP with the count actually popped). A blocking command that finds
//! nothing waits through `Ctx::block_on_keys` and is run again when a key it waits on is written;
//! the bookkeeping of waiting clients is `blocking.rs`'s. Nothing here knows sockets, the
//! replication backlog or the AOF.

use crate::client::Reply;
use crate::cmd::{bulk_elem, is_opt};
use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use bytes::Bytes;
use vireo_keyspace::ops::lists::{self as ops, End, Inserted, SetOutcome};
use vireo_keyspace::ops::longdouble;
use vireo_keyspace::ops::OpError;
use vireo_keyspace::Kind;
use vireo_resp::num::parse_i64;
use vireo_resp::reply::Agg;

const S_LPUSH: &str = "Adds elements at the head of a list, creating it if needed; returns the new length.";
const S_RPUSH: &str = "Adds elements at the tail of a list, creating it if needed; returns the new length.";
const S_LPUSHX: &str = "Adds elements at the head of a list only when the list already exists.";
const S_RPUSHX: &str = "Adds elements at the tail of a list only when the list already exists.";
const S_LPOP: &str = "Removes and returns the first element of a list, or the first few with a count.";
const S_RPOP: &str = "Removes and returns the last element of a list, or the last few with a count.";
const S_LRANGE: &str = "Returns the elements of a list between two indexes, both included.";
const S_LINDEX: &str = "Returns the element of a list at an index (negative indexes count from the tail).";
const S_LSET: &str = "Replaces the element of a list at an index.";
const S_LINSERT: &str = "Inserts an element just before or just after the first occurrence of a pivot value.";
const S_LREM: &str = "Removes occurrences of a value from a list, from the head or the tail, or all of them.";
const S_LTRIM: &str = "Keeps only the elements of a list between two indexes, dropping the rest.";
const S_LLEN: &str = "Returns the number of elements in a list.";
const S_LPOS: &str = "Finds the indexes at which a value occurs in a list, with optional rank, count and scan limit.";
const S_LMOVE: &str = "Takes an element from one end of a list and puts it at one end of another list.";
const S_RPOPLPUSH: &str = "Takes the last element of a list and puts it at the head of another list.";
const S_LMPOP: &str = "Pops one or more elements from the first non-empty list among several keys.";
const S_BLPOP: &str = "Pops the first element of the first non-empty list among several keys, waiting for one if none.";
const S_BRPOP: &str = "Pops the last element of the first non-empty list among several keys, waiting for one if none.";
const S_BLMOVE: &str = "Like LMOVE, but waits for the source list to receive an element when it is empty.";
const S_BRPOPLPUSH: &str = "Like RPOPLPUSH, but waits for the source list to receive an element when it is empty.";
const S_BLMPOP: &str = "Like LMPOP, but waits for one of the lists to receive elements when all are empty.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "lpush",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::LIST | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LPUSH, since: "1.0.0", group: Group::List, complexity: Some("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lpush),
        subcommands: &[],
    },
    CommandSpec {
        name: "rpush",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::LIST | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_RPUSH, since: "1.0.0", group: Group::List, complexity: Some("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(rpush),
        subcommands: &[],
    },
    CommandSpec {
        name: "lpushx",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::LIST | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LPUSHX, since: "2.2.0", group: Group::List, complexity: Some("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lpushx),
        subcommands: &[],
    },
    CommandSpec {
        name: "rpushx",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::LIST | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_RPUSHX, since: "2.2.0", group: Group::List, complexity: Some("O(1) for each element added, so O(N) to add N elements when the command is called with multiple arguments."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(rpushx),
        subcommands: &[],
    },
    CommandSpec {
        name: "lpop",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::LIST | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LPOP, since: "1.0.0", group: Group::List, complexity: Some("O(N) where N is the number of elements returned"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "rpop",
        arity: -2,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::LIST | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_RPOP, since: "1.0.0", group: Group::List, complexity: Some("O(N) where N is the number of elements returned"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(rpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "lrange",
        arity: 4,
        flags: flags::READONLY,
        acl: acl::READ | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LRANGE, since: "1.0.0", group: Group::List, complexity: Some("O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "stop", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "lindex",
        arity: 3,
        flags: flags::READONLY,
        acl: acl::READ | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LINDEX, since: "1.0.0", group: Group::List, complexity: Some("O(N) where N is the number of elements to traverse to get to the element at index. This makes asking for the first or the last element of the list O(1)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "index", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lindex),
        subcommands: &[],
    },
    CommandSpec {
        name: "lset",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LSET, since: "1.0.0", group: Group::List, complexity: Some("O(N) where N is the length of the list. Setting either the first or the last element of the list is O(1)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "index", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lset),
        subcommands: &[],
    },
    CommandSpec {
        name: "linsert",
        arity: 5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LINSERT, since: "2.2.0", group: Group::List, complexity: Some("O(N) where N is the number of elements to traverse before seeing the value pivot. This means that inserting somewhere on the left end on the list (head) can be considered O(1) and inserting somewhere on the right end (tail) is O(N)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "where", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "before", typ: ArgType::PureToken, key_spec_index: -1, token: Some("BEFORE"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "after", typ: ArgType::PureToken, key_spec_index: -1, token: Some("AFTER"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "pivot", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(linsert),
        subcommands: &[],
    },
    CommandSpec {
        name: "lrem",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::WRITE | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LREM, since: "1.0.0", group: Group::List, complexity: Some("O(N+M) where N is the length of the list and M is the number of elements removed."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lrem),
        subcommands: &[],
    },
    CommandSpec {
        name: "ltrim",
        arity: 4,
        flags: flags::WRITE,
        acl: acl::WRITE | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LTRIM, since: "1.0.0", group: Group::List, complexity: Some("O(N) where N is the number of elements to be removed by the operation."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "stop", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(ltrim),
        subcommands: &[],
    },
    CommandSpec {
        name: "llen",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::LIST | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LLEN, since: "1.0.0", group: Group::List, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(llen),
        subcommands: &[],
    },
    CommandSpec {
        name: "lpos",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LPOS, since: "6.0.6", group: Group::List, complexity: Some("O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "rank", typ: ArgType::Integer, key_spec_index: -1, token: Some("RANK"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "num-matches", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "len", typ: ArgType::Integer, key_spec_index: -1, token: Some("MAXLEN"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lpos),
        subcommands: &[],
    },
    CommandSpec {
        name: "lmove",
        arity: 5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_LMOVE, since: "6.2.0", group: Group::List, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "wherefrom", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "left", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LEFT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "right", typ: ArgType::PureToken, key_spec_index: -1, token: Some("RIGHT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "whereto", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "left", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LEFT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "right", typ: ArgType::PureToken, key_spec_index: -1, token: Some("RIGHT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(lmove),
        subcommands: &[],
    },
    CommandSpec {
        name: "rpoplpush",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_RPOPLPUSH, since: "1.2.0", group: Group::List, complexity: Some("O(1)"), deprecated_since: Some("6.2.0"), replaced_by: Some("`LMOVE` with the `RIGHT` and `LEFT` arguments"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(rpoplpush),
        subcommands: &[],
    },
    CommandSpec {
        name: "lmpop",
        arity: -4,
        flags: flags::WRITE,
        acl: acl::WRITE | acl::LIST | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_LMPOP, since: "7.0.0", group: Group::List, complexity: Some("O(N+M) where N is the number of provided keys and M is the number of elements returned."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "where", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "left", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LEFT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "right", typ: ArgType::PureToken, key_spec_index: -1, token: Some("RIGHT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(lmpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "blpop",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -2, step: 1, limit: 0 } }],
        doc: Doc { summary: S_BLPOP, since: "2.0.0", group: Group::List, complexity: Some("O(N) where N is the number of provided keys."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "timeout", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(blpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "brpop",
        arity: -3,
        flags: flags::WRITE | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -2, step: 1, limit: 0 } }],
        doc: Doc { summary: S_BRPOP, since: "2.0.0", group: Group::List, complexity: Some("O(N) where N is the number of provided keys."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "timeout", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(brpop),
        subcommands: &[],
    },
    CommandSpec {
        name: "blmove",
        arity: 6,
        flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_BLMOVE, since: "6.2.0", group: Group::List, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "wherefrom", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "left", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LEFT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "right", typ: ArgType::PureToken, key_spec_index: -1, token: Some("RIGHT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "whereto", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "left", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LEFT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "right", typ: ArgType::PureToken, key_spec_index: -1, token: Some("RIGHT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "timeout", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(blmove),
        subcommands: &[],
    },
    CommandSpec {
        name: "brpoplpush",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM | flags::NOSCRIPT | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_BRPOPLPUSH, since: "2.2.0", group: Group::List, complexity: Some("O(1)"), deprecated_since: Some("6.2.0"), replaced_by: Some("`BLMOVE` with the `RIGHT` and `LEFT` arguments"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "timeout", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(brpoplpush),
        subcommands: &[],
    },
    CommandSpec {
        name: "blmpop",
        arity: -5,
        flags: flags::WRITE | flags::BLOCKING,
        acl: acl::WRITE | acl::LIST | acl::SLOW | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::DELETE, begin: BeginSearch::Index(2), find: FindKeys::Keynum { keynumidx: 0, firstkey: 1, step: 1 } }],
        doc: Doc { summary: S_BLMPOP, since: "7.0.0", group: Group::List, complexity: Some("O(N+M) where N is the number of provided keys and M is the number of elements returned."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "timeout", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "numkeys", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "where", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "left", typ: ArgType::PureToken, key_spec_index: -1, token: Some("LEFT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "right", typ: ArgType::PureToken, key_spec_index: -1, token: Some("RIGHT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(blmpop),
        subcommands: &[],
    },
];

const POSITIVE: &str = "ERR value is out of range, must be positive";
const RANK_ZERO: &str = "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";
const COUNT_NEGATIVE: &str = "ERR COUNT can't be negative";
const MAXLEN_NEGATIVE: &str = "ERR MAXLEN can't be negative";
const NUMKEYS: &str = "ERR numkeys should be greater than 0";
const COUNT_POSITIVE: &str = "ERR count should be greater than 0";
const TIMEOUT_NOT_FLOAT: &str = "ERR timeout is not a float or out of range";
const TIMEOUT_NEGATIVE: &str = "ERR timeout is negative";

fn op_error(out: &mut Reply, e: OpError) {
    match e {
        OpError::WrongType => out.error(errors::WRONGTYPE),
        // list operations report no other error; keep a sensible text anyway
        _ => out.error(errors::SYNTAX),
    }
}

fn pop_event(end: End) -> &'static str {
    match end {
        End::Head => "lpop",
        End::Tail => "rpop",
    }
}

fn push_event(end: End) -> &'static str {
    match end {
        End::Head => "lpush",
        End::Tail => "rpush",
    }
}

fn pop_verb(end: End) -> Bytes {
    Bytes::from_static(match end {
        End::Head => b"LPOP",
        End::Tail => b"RPOP",
    })
}

/// LEFT or RIGHT (any case).
fn parse_end(arg: &[u8]) -> Option<End> {
    if is_opt(arg, "right") {
        Some(End::Tail)
    } else if is_opt(arg, "left") {
        Some(End::Head)
    } else {
        None
    }
}

/// Parses a LEFT/RIGHT argument, replying the syntax error when it is neither.
fn end_arg(ctx: &mut Ctx, i: usize) -> Option<End> {
    let r = parse_end(ctx.arg(i));
    if r.is_none() {
        ctx.error(errors::SYNTAX);
    }
    r
}

/// Parses a blocking command's timeout (seconds, fractions allowed) into an absolute deadline in
/// ms since the epoch (0 = wait forever), replying Redis's errors when it is not valid.
fn timeout_arg(ctx: &mut Ctx, i: usize) -> Option<i64> {
    match longdouble::seconds_to_ms(ctx.arg(i)) {
        None => {
            ctx.error(TIMEOUT_NOT_FLOAT);
            None
        }
        Some(ms) if ms < 0 => {
            ctx.error(TIMEOUT_NEGATIVE);
            None
        }
        Some(0) => Some(0),
        Some(ms) => Some(ctx.srv.mstime().saturating_add(ms)),
    }
}

/// Parses an integer in `min..=i64::MAX`, replying `err` both when it is not an integer and
/// when it is out of range (as Redis's range-checked getters do).
fn ranged_arg(ctx: &mut Ctx, i: usize, min: i64, err: &str) -> Option<i64> {
    match parse_i64(ctx.arg(i)) {
        Some(n) if n >= min => Some(n),
        _ => {
            ctx.error(err);
            None
        }
    }
}

fn null_array_reply(out: &mut Reply) {
    out.null_array();
}

/// Reports a pop of `count` elements from `key`: notification, deletion notice, dirty.
fn popped_effects(ctx: &mut Ctx, key: &[u8], end: End, count: usize, deleted: bool) {
    ctx.notify(notify::LIST, pop_event(end), key);
    if deleted {
        ctx.notify(notify::GENERIC, "del", key);
    }
    ctx.dirty(count as u64);
}

// ---------------------------------------------------------------------------------------------
// LPUSH, RPUSH, LPUSHX, RPUSHX

fn push_generic(ctx: &mut Ctx, end: End, only_existing: bool) {
    let argv = ctx.argv;
    let limits = ctx.type_limits();
    match ops::push(ctx.db(), &argv[1], &argv[2..], end, only_existing, &limits) {
        Err(e) => op_error(ctx.out(), e),
        Ok(0) => ctx.int(0),
        Ok(len) => {
            ctx.dirty((argv.len() - 2) as u64);
            ctx.int(len as i64);
            ctx.notify(notify::LIST, push_event(end), &argv[1]);
        }
    }
}

fn lpush(ctx: &mut Ctx) {
    push_generic(ctx, End::Head, false)
}

fn rpush(ctx: &mut Ctx) {
    push_generic(ctx, End::Tail, false)
}

fn lpushx(ctx: &mut Ctx) {
    push_generic(ctx, End::Head, true)
}

fn rpushx(ctx: &mut Ctx) {
    push_generic(ctx, End::Tail, true)
}

// ---------------------------------------------------------------------------------------------
// LPOP, RPOP

fn pop_generic(ctx: &mut Ctx, end: End) {
    let argv = ctx.argv;
    if argv.len() > 3 {
        return ctx.wrong_arity();
    }
    let count = if argv.len() == 3 {
        match ranged_arg(ctx, 2, 0, POSITIVE) {
            Some(n) => Some(usize::try_from(n).unwrap_or(usize::MAX)),
            None => return,
        }
    } else {
        None
    };
    let key = &argv[1];
    let (db, out) = ctx.db_out();
    let popped = match count {
        None => ops::pop(db, key, end, 1, |e| bulk_elem(out, e)),
        Some(n) => {
            let mut len = None;
            let r = ops::pop(db, key, end, n, |e| {
                if len.is_none() {
                    len = Some(out.deferred());
                }
                bulk_elem(out, e)
            });
            if let Ok(Some(p)) = &r {
                match len {
                    Some(d) => out.set_deferred(d, Agg::Array, p.count),
                    None => out.array(0),
                }
            }
            r
        }
    };
    match popped {
        Err(e) => op_error(ctx.out(), e),
        Ok(None) if count.is_some() => ctx.out().null_array(),
        Ok(None) => ctx.null(),
        Ok(Some(p)) => {
            if p.count > 0 {
                popped_effects(ctx, key, end, p.count, p.deleted);
            }
        }
    }
}

fn lpop(ctx: &mut Ctx) {
    pop_generic(ctx, End::Head)
}

fn rpop(ctx: &mut Ctx) {
    pop_generic(ctx, End::Tail)
}

// ---------------------------------------------------------------------------------------------
// LLEN, LINDEX, LRANGE, LPOS

fn llen(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::read(ctx.db(), &argv[1]) {
        Err(e) => op_error(ctx.out(), e),
        Ok(None) => ctx.int(0),
        Ok(Some(l)) => {
            let n = l.len() as i64;
            ctx.int(n)
        }
    }
}

fn lindex(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::read(ctx.db(), &argv[1]) {
        Err(e) => return op_error(ctx.out(), e),
        Ok(None) => return ctx.null(),
        Ok(Some(_)) => {}
    }
    let Some(index) = ctx.int_arg(2) else { return };
    let (db, out) = ctx.db_out();
    match db.peek(&argv[1]).map(|e| &e.val) {
        Some(vireo_keyspace::Value::List(l)) => match l.get(index) {
            Some(e) => bulk_elem(out, e),
            None => out.null(),
        },
        _ => out.null(),
    }
}

fn lrange(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(start) = ctx.int_arg(2) else { return };
    let Some(end) = ctx.int_arg(3) else { return };
    let (db, out) = ctx.db_out();
    match ops::read(db, &argv[1]) {
        Err(e) => op_error(out, e),
        Ok(None) => out.array(0),
        Ok(Some(l)) => {
            let len = l.len() as i64;
            let mut start = if start < 0 { len + start } else { start };
            let mut end = if end < 0 { len + end } else { end };
            if start < 0 {
                start = 0;
            }
            if start > end || start >= len {
                return out.array(0);
            }
            if end >= len {
                end = len - 1;
            }
            let n = (end - start + 1) as usize;
            out.array(n);
            for e in l.iter_from(start as usize).take(n) {
                bulk_elem(out, e);
            }
        }
    }
}

fn lpos(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let mut rank: i64 = 1;
    let mut count: Option<i64> = None;
    let mut maxlen: i64 = 0;
    let mut j = 3;
    while j < argv.len() {
        let more = j + 1 < argv.len();
        if is_opt(&argv[j], "rank") && more {
            j += 1;
            let Some(r) = ctx.int_arg(j) else { return };
            if r == 0 {
                return ctx.error(RANK_ZERO);
            }
            rank = r;
        } else if is_opt(&argv[j], "count") && more {
            j += 1;
            let Some(c) = ranged_arg(ctx, j, 0, COUNT_NEGATIVE) else { return };
            count = Some(c);
        } else if is_opt(&argv[j], "maxlen") && more {
            j += 1;
            let Some(m) = ranged_arg(ctx, j, 0, MAXLEN_NEGATIVE) else { return };
            maxlen = m;
        } else {
            return ctx.error(errors::SYNTAX);
        }
        j += 1;
    }
    let (db, out) = ctx.db_out();
    let list = match ops::read(db, &argv[1]) {
        Err(e) => return op_error(out, e),
        Ok(None) => {
            return match count {
                Some(_) => out.array(0),
                None => out.null(),
            }
        }
        Ok(Some(l)) => l,
    };
    let maxlen = usize::try_from(maxlen).unwrap_or(usize::MAX);
    // the most negative rank cannot be negated: Redis then starts at the first match from the
    // tail and never reaches the count
    let (rank, limit) = match (rank, count) {
        (i64::MIN, _) => (-1, 0),
        (r, Some(c)) => (r, usize::try_from(c).unwrap_or(usize::MAX)),
        (r, None) => (r, 1),
    };
    let found = ops::positions(list, &argv[2], rank, limit, maxlen);
    match count {
        Some(_) => {
            out.array(found.len());
            for i in found {
                out.int(i as i64);
            }
        }
        None => match found.first() {
            Some(&i) => out.int(i as i64),
            None => out.null(),
        },
    }
}

// ---------------------------------------------------------------------------------------------
// LSET, LINSERT, LREM, LTRIM

fn lset(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::write(ctx.db(), &argv[1]) {
        Err(e) => return op_error(ctx.out(), e),
        Ok(None) => return ctx.error(errors::NO_SUCH_KEY),
        Ok(Some(_)) => {}
    }
    let Some(index) = ctx.int_arg(2) else { return };
    match ops::set(ctx.db(), &argv[1], index, &argv[3]) {
        Err(e) => op_error(ctx.out(), e),
        Ok(SetOutcome::NoSuchKey) => ctx.error(errors::NO_SUCH_KEY),
        Ok(SetOutcome::OutOfRange) => ctx.error(errors::OUT_OF_RANGE),
        Ok(SetOutcome::Done) => {
            ctx.ok();
            ctx.notify(notify::LIST, "lset", &argv[1]);
            ctx.dirty(1);
        }
    }
}

fn linsert(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let after = if is_opt(&argv[2], "after") {
        true
    } else if is_opt(&argv[2], "before") {
        false
    } else {
        return ctx.error(errors::SYNTAX);
    };
    match ops::insert(ctx.db(), &argv[1], after, &argv[3], &argv[4]) {
        Err(e) => op_error(ctx.out(), e),
        Ok(Inserted::NoSuchKey) => ctx.int(0),
        Ok(Inserted::NoPivot) => ctx.int(-1),
        Ok(Inserted::Len(n)) => {
            ctx.notify(notify::LIST, "linsert", &argv[1]);
            ctx.dirty(1);
            ctx.int(n as i64);
        }
    }
}

fn lrem(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(count) = ctx.int_arg(2) else { return };
    match ops::rem(ctx.db(), &argv[1], count, &argv[3]) {
        Err(e) => op_error(ctx.out(), e),
        Ok(None) => ctx.int(0),
        Ok(Some((removed, deleted))) => {
            if removed > 0 {
                ctx.notify(notify::LIST, "lrem", &argv[1]);
            }
            if deleted {
                ctx.notify(notify::GENERIC, "del", &argv[1]);
            }
            ctx.dirty(removed as u64);
            ctx.int(removed as i64);
        }
    }
}

fn ltrim(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(start) = ctx.int_arg(2) else { return };
    let Some(end) = ctx.int_arg(3) else { return };
    match ops::trim(ctx.db(), &argv[1], start, end) {
        Err(e) => op_error(ctx.out(), e),
        Ok(None) => ctx.ok(),
        Ok(Some((removed, deleted))) => {
            ctx.notify(notify::LIST, "ltrim", &argv[1]);
            if deleted {
                ctx.notify(notify::GENERIC, "del", &argv[1]);
            }
            ctx.dirty(removed as u64);
            if removed == 0 {
                // Redis signals the key as modified even when the trim kept everything: WATCH
                // sees it (call() touches watched keys only for commands that changed data)
                let db = ctx.c.db;
                crate::cmd::multi::touch_watched_key(ctx.srv, Some(&mut *ctx.c), db, &argv[1]);
            }
            ctx.ok();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// LMOVE, RPOPLPUSH, BLMOVE, BRPOPLPUSH

/// Moves one element from `from` of argv[1] to `to` of argv[2]. Returns false, having written
/// nothing, when the source does not exist; otherwise replies (the element or an error).
fn move_one(ctx: &mut Ctx, from: End, to: End) -> bool {
    let argv = ctx.argv;
    let limits = ctx.type_limits();
    let (src, dst) = (&argv[1], &argv[2]);
    match ops::lmove(ctx.db(), src, dst, from, to, &limits) {
        Err(e) => {
            op_error(ctx.out(), e);
            true
        }
        Ok(None) => false,
        Ok(Some(m)) => {
            ctx.notify(notify::LIST, push_event(to), dst);
            ctx.bulk(&m.value);
            ctx.notify(notify::LIST, pop_event(from), src);
            if m.src_deleted {
                ctx.notify(notify::GENERIC, "del", src);
            }
            ctx.dirty(1);
            true
        }
    }
}

fn lmove(ctx: &mut Ctx) {
    let Some(from) = end_arg(ctx, 3) else { return };
    let Some(to) = end_arg(ctx, 4) else { return };
    if !move_one(ctx, from, to) {
        ctx.null();
    }
}

fn rpoplpush(ctx: &mut Ctx) {
    if !move_one(ctx, End::Tail, End::Head) {
        ctx.null();
    }
}

/// The end's name as Redis propagates a move served to a client that had been waiting.
fn end_word(end: End) -> Bytes {
    Bytes::from_static(match end {
        End::Head => b"left",
        End::Tail => b"right",
    })
}

fn blocking_move(ctx: &mut Ctx, from: End, to: End, deadline: i64, rpoplpush: bool) {
    let argv = ctx.argv;
    let served_after_wait = ctx.srv.blocking.serving_key(ctx.c.db).is_some();
    let dirty_before = ctx.srv.dirty;
    if move_one(ctx, from, to) {
        if ctx.srv.dirty != dirty_before {
            let v = if rpoplpush {
                vec![Bytes::from_static(b"RPOPLPUSH"), argv[1].clone(), argv[2].clone()]
            } else if served_after_wait {
                vec![Bytes::from_static(b"LMOVE"), argv[1].clone(), argv[2].clone(), end_word(from), end_word(to)]
            } else {
                vec![Bytes::from_static(b"LMOVE"), argv[1].clone(), argv[2].clone(), argv[3].clone(), argv[4].clone()]
            };
            ctx.rewrite(v);
        }
        return;
    }
    if !ctx.may_block() {
        return ctx.null();
    }
    ctx.block_on_keys(&argv[1..2], Kind::List, deadline, null_array_reply);
}

fn blmove(ctx: &mut Ctx) {
    let Some(from) = end_arg(ctx, 3) else { return };
    let Some(to) = end_arg(ctx, 4) else { return };
    let Some(deadline) = timeout_arg(ctx, 5) else { return };
    blocking_move(ctx, from, to, deadline, false)
}

fn brpoplpush(ctx: &mut Ctx) {
    let Some(deadline) = timeout_arg(ctx, 3) else { return };
    blocking_move(ctx, End::Tail, End::Head, deadline, true)
}

// ---------------------------------------------------------------------------------------------
// LMPOP, BLPOP, BRPOP, BLMPOP

/// How a multi-key pop replies.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PopReply {
    /// BLPOP/BRPOP: [key, element].
    Single,
    /// LMPOP/BLMPOP: [key, [elements...]].
    Nested,
}

/// Pops up to `count` elements from `end` of the first of `keys` holding a list (the key being
/// served first when a waiting client runs again), replying and reporting the effects, and
/// propagating the pop as LPOP/RPOP. Returns false, having written nothing, when no key holds a
/// list.
fn mpop_reply(ctx: &mut Ctx, keys: &[Bytes], end: End, count: usize, shape: PopReply) -> bool {
    let served = ctx.srv.blocking.serving_key(ctx.c.db).cloned();
    let ordered: Vec<Bytes>;
    let keys: &[Bytes] = match served {
        Some(k) if keys.contains(&k) => {
            ordered = std::iter::once(k.clone()).chain(keys.iter().filter(|x| **x != k).cloned()).collect();
            &ordered
        }
        _ => keys,
    };
    let (db, out) = ctx.db_out();
    let mut header = None;
    let r = ops::mpop(db, keys, end, count, |i, e| {
        if header.is_none() {
            out.array(2);
            out.bulk(&keys[i]);
            if shape == PopReply::Nested {
                header = Some(Some(out.deferred()));
            } else {
                header = Some(None);
            }
        }
        bulk_elem(out, e)
    });
    match r {
        Err(e) => {
            op_error(ctx.out(), e);
            true
        }
        Ok(None) => false,
        Ok(Some((i, p))) => {
            if let Some(Some(d)) = header {
                ctx.out().set_deferred(d, Agg::Array, p.count);
            }
            let key = keys[i].clone();
            popped_effects(ctx, &key, end, p.count, p.deleted);
            let mut v = vec![pop_verb(end), key];
            if shape == PopReply::Nested {
                v.push(Bytes::from(p.count.to_string()));
            }
            ctx.rewrite(v);
            true
        }
    }
}

fn blocking_pop(ctx: &mut Ctx, keys: &[Bytes], end: End, count: usize, shape: PopReply, deadline: i64) {
    if mpop_reply(ctx, keys, end, count, shape) {
        return;
    }
    if !ctx.may_block() {
        return ctx.out().null_array();
    }
    ctx.block_on_keys(keys, Kind::List, deadline, null_array_reply);
}

fn blpop(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(deadline) = timeout_arg(ctx, argv.len() - 1) else { return };
    blocking_pop(ctx, &argv[1..argv.len() - 1], End::Head, 1, PopReply::Single, deadline)
}

fn brpop(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(deadline) = timeout_arg(ctx, argv.len() - 1) else { return };
    blocking_pop(ctx, &argv[1..argv.len() - 1], End::Tail, 1, PopReply::Single, deadline)
}

/// LMPOP/BLMPOP arguments from `numkeys_idx`: numkeys, keys, LEFT|RIGHT, [COUNT count].
fn mpop_args(ctx: &mut Ctx, numkeys_idx: usize) -> Option<(std::ops::Range<usize>, End, usize)> {
    let argc = ctx.argc();
    let numkeys = ranged_arg(ctx, numkeys_idx, 1, NUMKEYS)? as u64;
    let where_idx = (numkeys_idx as u64 + 1).saturating_add(numkeys);
    if where_idx >= argc as u64 {
        ctx.error(errors::SYNTAX);
        return None;
    }
    let where_idx = where_idx as usize;
    let end = end_arg(ctx, where_idx)?;
    let mut count: Option<i64> = None;
    let mut j = where_idx + 1;
    while j < argc {
        if count.is_none() && is_opt(ctx.arg(j), "count") && j + 1 < argc {
            j += 1;
            count = Some(ranged_arg(ctx, j, 1, COUNT_POSITIVE)?);
        } else {
            ctx.error(errors::SYNTAX);
            return None;
        }
        j += 1;
    }
    let count = usize::try_from(count.unwrap_or(1)).unwrap_or(usize::MAX);
    Some((numkeys_idx + 1..where_idx, end, count))
}

fn lmpop(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some((keys, end, count)) = mpop_args(ctx, 1) else { return };
    if !mpop_reply(ctx, &argv[keys], end, count, PopReply::Nested) {
        ctx.out().null_array();
    }
}

fn blmpop(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some((keys, end, count)) = mpop_args(ctx, 2) else { return };
    let Some(deadline) = timeout_arg(ctx, 1) else { return };
    blocking_pop(ctx, &argv[keys], end, count, PopReply::Nested, deadline)
}
