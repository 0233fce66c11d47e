//! Stream commands: XADD, XRANGE, XREVRANGE, XLEN, XDEL, XTRIM, XREAD, XREADGROUP, XGROUP (CREATE,
//! CREATECONSUMER, DELCONSUMER, DESTROY, SETID, HELP), XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO
//! (STREAM, GROUPS, CONSUMERS, HELP) and XSETID. Handlers parse arguments as Redis 7.0 does (same
//! error texts, same order of checks against the lookups), run the data operations of
//! `vireo_keyspace::ops::streams`, write the replies (RESP3 maps where Redis sends maps) and
//! report effects: dirty counts, keyspace notifications, and what replicas and the AOF see (XADD
//! with the id it generated, approximate trims as exact ones with the resulting length or first
//! id, consumer-group reads as XCLAIM and XGROUP SETID/CREATECONSUMER). XREAD and XREADGROUP with
//! BLOCK wait through `Ctx::block_on_stream_keys`. They know nothing of sockets, the replication
//! backlog or the AOF.

use crate::client::{cflags, Reply};
use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use bytes::Bytes;
use vireo_keyspace::ops::streams::{self as ops, AddError, ClaimError, GroupError, GroupStart, SetIdError, TrimArgs};
use vireo_keyspace::ops::OpError;
use vireo_keyspace::types::stream::{parse_id, EntryRef, GroupEffect, IdSpec, Stream, StreamId, Trim};
use vireo_resp::num::parse_i64;
use vireo_resp::reply::Agg;

const S_XADD: &str = "Appends an entry to a stream, creating the stream unless told not to, and optionally trims it.";
const S_XRANGE: &str = "Returns the entries of a stream whose ids lie in a range, oldest first.";
const S_XREVRANGE: &str = "Returns the entries of a stream whose ids lie in a range, newest first.";
const S_XLEN: &str = "Returns the number of entries in a stream.";
const S_XDEL: &str = "Deletes entries of a stream by id; returns how many existed.";
const S_XTRIM: &str = "Removes the oldest entries of a stream, by count or by minimum id.";
const S_XREAD: &str = "Reads entries newer than the given ids from one or more streams, optionally waiting for them.";
const S_XGROUP: &str = "Container for the consumer group management subcommands.";
const S_XGROUP_CREATE: &str = "Creates a consumer group on a stream, starting after the given id.";
const S_XGROUP_CREATECONSUMER: &str = "Adds a named consumer to a consumer group.";
const S_XGROUP_DELCONSUMER: &str = "Removes a consumer from a consumer group, dropping its pending entries.";
const S_XGROUP_DESTROY: &str = "Removes a consumer group from a stream.";
const S_XGROUP_HELP: &str = "Lists the XGROUP subcommands.";
const S_XGROUP_SETID: &str = "Moves the last delivered id of a consumer group.";
const S_XREADGROUP: &str = "Reads entries from streams on behalf of a consumer of a group, tracking what it was given.";
const S_XACK: &str = "Marks pending entries of a consumer group as processed.";
const S_XPENDING: &str = "Reports the entries delivered to a consumer group and not acknowledged yet.";
const S_XCLAIM: &str = "Hands pending entries of a consumer group over to another consumer.";
const S_XAUTOCLAIM: &str = "Scans a group's pending entries and hands the idle ones over to a consumer.";
const S_XINFO: &str = "Container for the stream introspection subcommands.";
const S_XINFO_CONSUMERS: &str = "Lists the consumers of a consumer group.";
const S_XINFO_GROUPS: &str = "Lists the consumer groups of a stream.";
const S_XINFO_HELP: &str = "Lists the XINFO subcommands.";
const S_XINFO_STREAM: &str = "Describes a stream, optionally in full detail with its groups and consumers.";
const S_XSETID: &str = "Sets the internal counters of a stream: last id, entries added, largest deleted id.";
const NOTE_XADD_0: &str = "Marked as an update rather than an insert because the command may also trim the stream.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "xadd",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STREAM | acl::FAST,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: NOTE_XADD_0, flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XADD, since: "5.0.0", group: Group::Stream, complexity: Some("O(1) when adding a new entry, O(N) when trimming where N being the number of entries evicted."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "nomkstream", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NOMKSTREAM"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "trim", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "strategy", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "maxlen", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MAXLEN"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "minid", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MINID"), summary: None, since: Some("6.2.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                Arg { name: "operator", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "equal", typ: ArgType::PureToken, key_spec_index: -1, token: Some("="), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "approximately", typ: ArgType::PureToken, key_spec_index: -1, token: Some("~"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                Arg { name: "threshold", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "id_or_auto", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "auto_id", typ: ArgType::PureToken, key_spec_index: -1, token: Some("*"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "field_value", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[
                Arg { name: "field", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "value", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(xadd),
        subcommands: &[],
    },
    CommandSpec {
        name: "xrange",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::STREAM | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XRANGE, since: "5.0.0", group: Group::Stream, complexity: Some("O(N) with N being the number of elements being returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "end", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(xrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "xrevrange",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::STREAM | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XREVRANGE, since: "5.0.0", group: Group::Stream, complexity: Some("O(N) with N being the number of elements returned. If N is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "end", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(xrevrange),
        subcommands: &[],
    },
    CommandSpec {
        name: "xlen",
        arity: 2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::STREAM | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XLEN, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(xlen),
        subcommands: &[],
    },
    CommandSpec {
        name: "xdel",
        arity: -3,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::STREAM | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XDEL, since: "5.0.0", group: Group::Stream, complexity: Some("O(1) for each single item to delete in the stream, regardless of the stream size."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(xdel),
        subcommands: &[],
    },
    CommandSpec {
        name: "xtrim",
        arity: -4,
        flags: flags::WRITE,
        acl: acl::WRITE | acl::STREAM | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XTRIM, since: "5.0.0", group: Group::Stream, complexity: Some("O(N), with N being the number of evicted entries. Constant times are very small however, since entries are organized in macro nodes containing multiple entries that can be released with a single deallocation."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "trim", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "strategy", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "maxlen", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MAXLEN"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "minid", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MINID"), summary: None, since: Some("6.2.0"), flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                Arg { name: "operator", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "equal", typ: ArgType::PureToken, key_spec_index: -1, token: Some("="), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "approximately", typ: ArgType::PureToken, key_spec_index: -1, token: Some("~"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                Arg { name: "threshold", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(xtrim),
        subcommands: &[],
    },
    CommandSpec {
        name: "xread",
        arity: -4,
        flags: flags::READONLY | flags::BLOCKING,
        acl: acl::READ | acl::STREAM | acl::SLOW | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Keyword { keyword: "STREAMS", startfrom: 1 }, find: FindKeys::Range { lastkey: -1, step: 1, limit: 2 } }],
        doc: Doc { summary: S_XREAD, since: "5.0.0", group: Group::Stream, complexity: Some("For each stream mentioned: O(N) with N being the number of elements being returned, it means that XREAD-ing with a fixed COUNT is O(1). Note that when the BLOCK option is used, XADD will pay O(M) time in order to serve the M clients blocked on the stream getting new data."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "milliseconds", typ: ArgType::Integer, key_spec_index: -1, token: Some("BLOCK"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "streams", typ: ArgType::Block, key_spec_index: -1, token: Some("STREAMS"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(xread),
        subcommands: &[],
    },
    CommandSpec {
        name: "xgroup",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_XGROUP, since: "5.0.0", group: Group::Stream, complexity: Some("Depends on subcommand."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: None,
        subcommands: &[
            CommandSpec {
                name: "create",
                arity: -5,
                flags: flags::WRITE | flags::DENYOOM,
                acl: acl::WRITE | acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_XGROUP_CREATE, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "groupname", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "id", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                        Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "new_id", typ: ArgType::PureToken, key_spec_index: -1, token: Some("$"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    ] },
                    Arg { name: "mkstream", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MKSTREAM"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "entries_read", typ: ArgType::Integer, key_spec_index: -1, token: Some("ENTRIESREAD"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(xgroup_create),
                subcommands: &[],
            },
            CommandSpec {
                name: "createconsumer",
                arity: 5,
                flags: flags::WRITE | flags::DENYOOM,
                acl: acl::WRITE | acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_XGROUP_CREATECONSUMER, since: "6.2.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "groupname", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "consumername", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(xgroup_createconsumer),
                subcommands: &[],
            },
            CommandSpec {
                name: "delconsumer",
                arity: 5,
                flags: flags::WRITE,
                acl: acl::WRITE | acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_XGROUP_DELCONSUMER, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "groupname", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "consumername", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(xgroup_delconsumer),
                subcommands: &[],
            },
            CommandSpec {
                name: "destroy",
                arity: 4,
                flags: flags::WRITE,
                acl: acl::WRITE | acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_XGROUP_DESTROY, since: "5.0.0", group: Group::Stream, complexity: Some("O(N) where N is the number of entries in the group's pending entries list (PEL)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "groupname", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(xgroup_destroy),
                subcommands: &[],
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_XGROUP_HELP, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
                handler: Some(xgroup_help),
                subcommands: &[],
            },
            CommandSpec {
                name: "setid",
                arity: -5,
                flags: flags::WRITE,
                acl: acl::WRITE | acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_XGROUP_SETID, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "groupname", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "id", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                        Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "new_id", typ: ArgType::PureToken, key_spec_index: -1, token: Some("$"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    ] },
                    Arg { name: "entries_read", typ: ArgType::Integer, key_spec_index: -1, token: Some("ENTRIESREAD"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(xgroup_setid),
                subcommands: &[],
            },
        ],
    },
    CommandSpec {
        name: "xreadgroup",
        arity: -7,
        flags: flags::WRITE | flags::BLOCKING,
        acl: acl::WRITE | acl::STREAM | acl::SLOW | acl::BLOCKING,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Keyword { keyword: "STREAMS", startfrom: 4 }, find: FindKeys::Range { lastkey: -1, step: 1, limit: 2 } }],
        doc: Doc { summary: S_XREADGROUP, since: "5.0.0", group: Group::Stream, complexity: Some("For each stream mentioned: O(M) with M being the number of elements returned. If M is constant (e.g. always asking for the first 10 elements with COUNT), you can consider it O(1). On the other side when XREADGROUP blocks, XADD will pay the O(N) time in order to serve the N clients blocked on the stream getting new data."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "group_consumer", typ: ArgType::Block, key_spec_index: -1, token: Some("GROUP"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "group", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "consumer", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "milliseconds", typ: ArgType::Integer, key_spec_index: -1, token: Some("BLOCK"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "noack", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NOACK"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "streams", typ: ArgType::Block, key_spec_index: -1, token: Some("STREAMS"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(xreadgroup),
        subcommands: &[],
    },
    CommandSpec {
        name: "xack",
        arity: -4,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::STREAM | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XACK, since: "5.0.0", group: Group::Stream, complexity: Some("O(1) for each message ID processed."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "group", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(xack),
        subcommands: &[],
    },
    CommandSpec {
        name: "xpending",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::STREAM | acl::SLOW,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XPENDING, since: "5.0.0", group: Group::Stream, complexity: Some("O(N) with N being the number of elements returned, so asking for a small fixed number of entries per call is O(1). O(M), where M is the total number of entries scanned when used with the IDLE filter. When the command returns just the summary and the list of consumers is small, it runs in O(1) time; otherwise, an additional O(N) time for iterating every consumer."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "group", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "filters", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "min-idle-time", typ: ArgType::Integer, key_spec_index: -1, token: Some("IDLE"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "start", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "end", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "consumer", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(xpending),
        subcommands: &[],
    },
    CommandSpec {
        name: "xclaim",
        arity: -6,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::STREAM | acl::FAST,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XCLAIM, since: "5.0.0", group: Group::Stream, complexity: Some("O(log N) with N being the number of messages in the PEL of the consumer group."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "group", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "consumer", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min-idle-time", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "ms", typ: ArgType::Integer, key_spec_index: -1, token: Some("IDLE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "unix-time-milliseconds", typ: ArgType::UnixTime, key_spec_index: -1, token: Some("TIME"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("RETRYCOUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "force", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FORCE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "justid", typ: ArgType::PureToken, key_spec_index: -1, token: Some("JUSTID"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "id", typ: ArgType::String, key_spec_index: -1, token: Some("LASTID"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(xclaim),
        subcommands: &[],
    },
    CommandSpec {
        name: "xautoclaim",
        arity: -6,
        flags: flags::WRITE | flags::FAST,
        acl: acl::WRITE | acl::STREAM | acl::FAST,
        tips: &["nondeterministic_output"],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::DELETE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XAUTOCLAIM, since: "6.2.0", group: Group::Stream, complexity: Some("O(1) if COUNT is small."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "group", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "consumer", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "min-idle-time", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "start", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "justid", typ: ArgType::PureToken, key_spec_index: -1, token: Some("JUSTID"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(xautoclaim),
        subcommands: &[],
    },
    CommandSpec {
        name: "xinfo",
        arity: -2,
        flags: 0,
        acl: acl::SLOW,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_XINFO, since: "5.0.0", group: Group::Stream, complexity: Some("Depends on subcommand."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: None,
        subcommands: &[
            CommandSpec {
                name: "consumers",
                arity: 4,
                flags: flags::READONLY,
                acl: acl::READ | acl::STREAM | acl::SLOW,
                tips: &["nondeterministic_output"],
                key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_XINFO_CONSUMERS, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "groupname", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(xinfo_consumers),
                subcommands: &[],
            },
            CommandSpec {
                name: "groups",
                arity: 3,
                flags: flags::READONLY,
                acl: acl::READ | acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_XINFO_GROUPS, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                handler: Some(xinfo_groups),
                subcommands: &[],
            },
            CommandSpec {
                name: "help",
                arity: 2,
                flags: flags::LOADING | flags::STALE,
                acl: acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[],
                doc: Doc { summary: S_XINFO_HELP, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
                handler: Some(xinfo_help),
                subcommands: &[],
            },
            CommandSpec {
                name: "stream",
                arity: -3,
                flags: flags::READONLY,
                acl: acl::READ | acl::STREAM | acl::SLOW,
                tips: &[],
                key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
                doc: Doc { summary: S_XINFO_STREAM, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
                    Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "full", typ: ArgType::Block, key_spec_index: -1, token: Some("FULL"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                        Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
                    ] },
                ] },
                handler: Some(xinfo_stream),
                subcommands: &[],
            },
        ],
    },
    CommandSpec {
        name: "xsetid",
        arity: -3,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::STREAM | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_XSETID, since: "5.0.0", group: Group::Stream, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "last-id", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "entries_added", typ: ArgType::Integer, key_spec_index: -1, token: Some("ENTRIESADDED"), summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "max_deleted_entry_id", typ: ArgType::String, key_spec_index: -1, token: Some("MAXDELETEDID"), summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(xsetid),
        subcommands: &[],
    },
];

// ---------------------------------------------------------------------------------------------
// Shared helpers

const INVALID_ID: &str = "ERR Invalid stream ID specified as stream command argument";
const NO_XGROUP_KEY: &str = "ERR The XGROUP subcommand requires the key to exist. Note that for CREATE you may want to use the MKSTREAM option to create an empty stream automatically.";
/// The COUNT an XREAD that blocked uses when it was given none.
const BLOCKED_DEFAULT_COUNT: i64 = 1000;

fn id_bytes(id: StreamId) -> Bytes {
    Bytes::from(id.to_bytes())
}

fn reply_id(out: &mut Reply, id: StreamId) {
    out.bulk(&id.to_bytes());
}

/// `[id, [field, value, ...]]`
fn reply_entry(out: &mut Reply, e: &EntryRef<'_>) {
    out.array(2);
    reply_id(out, e.id);
    out.array(e.num_fields() * 2);
    for (f, v) in e.fields() {
        out.bulk(&f.to_bytes());
        out.bulk(&v.to_bytes());
    }
}

/// User text inside an error, as `%s` prints it.
fn txt(b: &[u8]) -> String {
    errors::sanitize(b, usize::MAX)
}

/// A strict id (no `-`/`+`), `<ms>` taking sequence 0; replies the error when invalid.
fn strict_id(ctx: &mut Ctx, i: usize) -> Option<StreamId> {
    match parse_id(&ctx.argv[i], 0, true, false) {
        Some(p) => Some(p.id),
        None => {
            ctx.error(INVALID_ID);
            None
        }
    }
}

/// A range bound: `(` makes it exclusive (strict id after it), otherwise `-`/`+` are allowed.
/// Returns the inclusive bound, replying the error when invalid.
fn interval_id(ctx: &mut Ctx, i: usize, missing_seq: u64, start: bool) -> Option<StreamId> {
    let a = &ctx.argv[i];
    let excl = a.len() > 1 && a[0] == b'(';
    let parsed =
        if excl { parse_id(&a[1..], missing_seq, true, false) } else { parse_id(a, missing_seq, false, false) };
    let Some(p) = parsed else {
        ctx.error(INVALID_ID);
        return None;
    };
    if !excl {
        return Some(p.id);
    }
    let moved = if start { p.id.incr() } else { p.id.decr() };
    if moved.is_none() {
        ctx.error(if start { "ERR invalid start ID for the interval" } else { "ERR invalid end ID for the interval" });
    }
    moved
}

fn eq(a: &[u8], b: &str) -> bool {
    a.eq_ignore_ascii_case(b.as_bytes())
}

/// Clients whose commands must be obeyed (the master link, the AOF loader): no trimming limit.
fn must_obey(ctx: &Ctx) -> bool {
    ctx.c.has(cflags::MASTER) || ctx.c.is_fake()
}

fn xclaim_argv(
    key: &[u8],
    group: &[u8],
    consumer: &[u8],
    id: Bytes,
    time: i64,
    count: u64,
    last: StreamId,
) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XCLAIM"),
        Bytes::copy_from_slice(key),
        Bytes::copy_from_slice(group),
        Bytes::copy_from_slice(consumer),
        Bytes::from_static(b"0"),
        id,
        Bytes::from_static(b"TIME"),
        Bytes::from(time.to_string()),
        Bytes::from_static(b"RETRYCOUNT"),
        Bytes::from(count.to_string()),
        Bytes::from_static(b"FORCE"),
        Bytes::from_static(b"JUSTID"),
        Bytes::from_static(b"LASTID"),
        id_bytes(last),
    ]
}

fn setid_argv(key: &[u8], group: &[u8], last: StreamId, entries_read: i64) -> Vec<Bytes> {
    vec![
        Bytes::from_static(b"XGROUP"),
        Bytes::from_static(b"SETID"),
        Bytes::copy_from_slice(key),
        Bytes::copy_from_slice(group),
        id_bytes(last),
        Bytes::from_static(b"ENTRIESREAD"),
        Bytes::from(entries_read.to_string()),
    ]
}

// ---------------------------------------------------------------------------------------------
// XADD / XTRIM

/// The options XADD and XTRIM share, parsed.
struct AddTrim {
    trim: Option<TrimArgs>,
    /// Position of the MAXLEN/MINID value (for rewriting an approximate trim).
    trim_arg: usize,
    no_mkstream: bool,
    /// XADD: the id argument's position and how it was written (`None` = `*`).
    id_pos: usize,
    id: Option<vireo_keyspace::types::stream::ParsedId>,
}

fn parse_add_trim(ctx: &mut Ctx, xadd: bool) -> Option<AddTrim> {
    let argc = ctx.argc();
    let mut how: Option<Trim> = None;
    let mut approx = false;
    let mut limit: i64 = 0;
    let mut limit_given = false;
    let mut trim_arg = 0;
    let mut no_mkstream = false;
    let mut id = None;
    let mut i = 2;
    while i < argc {
        let more = argc - 1 - i;
        let opt = ctx.argv[i].clone();
        if xadd && &opt[..] == b"*" {
            break;
        } else if (eq(&opt, "maxlen") || eq(&opt, "minid")) && more > 0 {
            if how.is_some() {
                ctx.error("ERR syntax error, MAXLEN and MINID options at the same time are not compatible");
                return None;
            }
            approx = false;
            let next = &ctx.argv[i + 1];
            if more >= 2 && &next[..] == b"~" {
                approx = true;
                i += 1;
            } else if more >= 2 && &next[..] == b"=" {
                i += 1;
            }
            if eq(&opt, "maxlen") {
                let n = ctx.int_arg(i + 1)?;
                if n < 0 {
                    ctx.error("ERR The MAXLEN argument must be >= 0.");
                    return None;
                }
                how = Some(Trim::MaxLen(n as u64));
            } else {
                how = Some(Trim::MinId(strict_id(ctx, i + 1)?));
            }
            i += 1;
            trim_arg = i;
        } else if eq(&opt, "limit") && more > 0 {
            limit = ctx.int_arg(i + 1)?;
            if limit < 0 {
                ctx.error("ERR The LIMIT argument must be >= 0.");
                return None;
            }
            limit_given = true;
            i += 1;
        } else if xadd && eq(&opt, "nomkstream") {
            no_mkstream = true;
        } else if xadd {
            match parse_id(&opt, 0, true, true) {
                Some(p) => id = Some(p),
                None => {
                    ctx.error(INVALID_ID);
                    return None;
                }
            }
            break;
        } else {
            ctx.error(errors::SYNTAX);
            return None;
        }
        i += 1;
    }
    if limit != 0 && how.is_none() {
        ctx.error("ERR syntax error, LIMIT cannot be used without specifying a trimming strategy");
        return None;
    }
    if !xadd && how.is_none() {
        ctx.error("ERR syntax error, XTRIM must be called with a trimming strategy");
        return None;
    }
    if must_obey(ctx) {
        limit = 0;
    } else if limit_given {
        if !approx {
            ctx.error("ERR syntax error, LIMIT cannot be used without the special ~ option");
            return None;
        }
    } else if approx {
        let per_node = ctx.type_limits().stream_node_max_entries as i64;
        limit = per_node.saturating_mul(100);
        if limit <= 0 {
            limit = 10_000;
        }
        limit = limit.min(1_000_000);
    } else {
        limit = 0;
    }
    Some(AddTrim { trim: how.map(|how| TrimArgs { how, approx, limit }), trim_arg, no_mkstream, id_pos: i, id })
}

/// The argument vector with an approximate trim turned into the exact one it amounted to.
fn rewrite_trim(argv: &mut [Bytes], at: usize, eff: ops::EffectiveTrim) {
    argv[at - 1] = Bytes::from_static(b"=");
    argv[at] = match eff {
        ops::EffectiveTrim::MaxLen(n) => Bytes::from(n.to_string()),
        ops::EffectiveTrim::MinId(id) => id_bytes(id),
    };
}

fn xadd(ctx: &mut Ctx) {
    let Some(p) = parse_add_trim(ctx, true) else { return };
    let field_pos = p.id_pos + 1;
    let nfields = ctx.argc() as isize - field_pos as isize;
    if nfields < 2 || nfields % 2 == 1 {
        ctx.wrong_arity();
        return;
    }
    if let Some(id) = p.id {
        if id.seq_given && id.id.is_zero() {
            ctx.error("ERR The ID specified in XADD must be greater than 0-0");
            return;
        }
    }
    let spec = match p.id {
        None => IdSpec::Auto,
        Some(id) if !id.seq_given => IdSpec::AutoSeq(id.id.ms),
        Some(id) => IdSpec::Explicit(id.id),
    };
    let limits = ctx.type_limits();
    let argv = ctx.argv;
    let key = &argv[1];
    match ops::xadd(ctx.db(), key, &argv[field_pos..], spec, p.no_mkstream, p.trim, &limits) {
        Err(AddError::WrongType) => ctx.error(errors::WRONGTYPE),
        Err(AddError::NoStream) => ctx.null(),
        Err(AddError::Exhausted) => {
            ctx.error("ERR The stream has exhausted the last possible ID, unable to add more items")
        }
        Err(AddError::IdTooSmall) => {
            ctx.error("ERR The ID specified in XADD is equal or smaller than the target stream top item")
        }
        Err(AddError::TooLarge) => ctx.error("ERR Elements are too large to be stored"),
        Ok(added) => {
            reply_id(ctx.out(), added.id);
            ctx.notify(notify::STREAM, "xadd", key);
            ctx.dirty(1);
            if added.trimmed > 0 {
                ctx.notify(notify::STREAM, "xtrim", key);
            }
            let mut v = argv.to_vec();
            if let Some(eff) = added.effective {
                rewrite_trim(&mut v, p.trim_arg, eff);
            }
            if !matches!(spec, IdSpec::Explicit(_)) {
                v[p.id_pos] = id_bytes(added.id);
            }
            ctx.rewrite(v);
            let db = ctx.c.db;
            ctx.signal_key_ready(db, key);
        }
    }
}

fn xtrim(ctx: &mut Ctx) {
    let Some(p) = parse_add_trim(ctx, false) else { return };
    let Some(t) = p.trim else { return };
    let argv = ctx.argv;
    match ops::xtrim(ctx.db(), &argv[1], t) {
        Err(_) => ctx.error(errors::WRONGTYPE),
        Ok((n, eff)) => {
            if n > 0 {
                ctx.notify(notify::STREAM, "xtrim", &argv[1]);
                if let Some(eff) = eff {
                    let mut v = argv.to_vec();
                    rewrite_trim(&mut v, p.trim_arg, eff);
                    ctx.rewrite(v);
                }
                ctx.dirty(n);
            }
            ctx.int(n as i64);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// XDEL / XLEN / XRANGE / XREVRANGE

fn xdel(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::write(ctx.db(), &argv[1]) {
        Err(_) => return ctx.error(errors::WRONGTYPE),
        Ok(None) => return ctx.int(0),
        Ok(Some(_)) => {}
    }
    let mut ids = Vec::with_capacity(argv.len() - 2);
    for i in 2..argv.len() {
        let Some(id) = strict_id(ctx, i) else { return };
        ids.push(id);
    }
    let n = ops::peek_mut(ctx.db(), &argv[1]).map_or(0, |s| s.delete_ids(&ids));
    if n > 0 {
        ctx.notify(notify::STREAM, "xdel", &argv[1]);
        ctx.dirty(n);
    }
    ctx.int(n as i64);
}

fn xlen(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::xlen(ctx.db(), &argv[1]) {
        Ok(n) => ctx.int(n as i64),
        Err(_) => ctx.error(errors::WRONGTYPE),
    }
}

fn xrange(ctx: &mut Ctx) {
    xrange_generic(ctx, false);
}

fn xrevrange(ctx: &mut Ctx) {
    xrange_generic(ctx, true);
}

fn xrange_generic(ctx: &mut Ctx, rev: bool) {
    let (si, ei) = if rev { (3, 2) } else { (2, 3) };
    let Some(start) = interval_id(ctx, si, 0, true) else { return };
    let Some(end) = interval_id(ctx, ei, u64::MAX, false) else { return };
    let mut count: i64 = -1;
    let mut j = 4;
    while j < ctx.argc() {
        if eq(&ctx.argv[j], "count") && ctx.argc() - j > 1 {
            let Some(c) = ctx.int_arg(j + 1) else { return };
            count = c.max(0);
            j += 1;
        } else {
            return ctx.error(errors::SYNTAX);
        }
        j += 1;
    }
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    let s = match ops::read(db, &argv[1]) {
        Err(_) => return out.error(errors::WRONGTYPE),
        Ok(None) => return out.array(0),
        Ok(Some(s)) => s,
    };
    if count == 0 {
        return out.null_array();
    }
    reply_range(out, s, start, end, rev, if count < 0 { usize::MAX } else { count as usize });
}

fn reply_range(out: &mut Reply, s: &Stream, start: StreamId, end: StreamId, rev: bool, count: usize) -> usize {
    let d = out.deferred();
    let mut n = 0;
    for e in s.range(start, end, rev).take(count) {
        reply_entry(out, &e);
        n += 1;
    }
    out.set_deferred(d, Agg::Array, n);
    n
}

// ---------------------------------------------------------------------------------------------
// XREAD / XREADGROUP

fn xread(ctx: &mut Ctx) {
    xread_generic(ctx, false);
}

fn xreadgroup(ctx: &mut Ctx) {
    xread_generic(ctx, true);
}

fn timeout_null_array(r: &mut Reply) {
    r.null_array();
}

fn xread_generic(ctx: &mut Ctx, with_group: bool) {
    // the command itself is never propagated: its effects are (XCLAIM, XGROUP ...)
    ctx.prevent_propagation();
    let argv = ctx.argv;
    let argc = argv.len();
    let mut deadline: Option<i64> = None;
    let mut block_arg = 0;
    let mut count: i64 = 0;
    let mut count_given = false;
    let mut streams_arg = 0;
    let mut nstreams = 0;
    let mut group: Option<(Bytes, Bytes)> = None;
    let mut noack = false;
    let mut i = 1;
    while i < argc {
        let more = argc - i - 1;
        let o = &argv[i];
        if eq(o, "block") && more > 0 {
            i += 1;
            let Some(d) = crate::cmd::client::parse_timeout_ms(ctx, i) else { return };
            deadline = Some(d);
            block_arg = i;
        } else if eq(o, "count") && more > 0 {
            i += 1;
            let Some(c) = ctx.int_arg(i) else { return };
            count = c.max(0);
            count_given = true;
        } else if eq(o, "streams") && more > 0 {
            streams_arg = i + 1;
            let n = argc - streams_arg;
            if !n.is_multiple_of(2) {
                return ctx.error(
                    "ERR Unbalanced XREAD list of streams: for each stream key an ID or '$' must be specified.",
                );
            }
            nstreams = n / 2;
            break;
        } else if eq(o, "group") && more >= 2 {
            if !with_group {
                return ctx.error("ERR The GROUP option is only supported by XREADGROUP. You called XREAD instead.");
            }
            group = Some((argv[i + 1].clone(), argv[i + 2].clone()));
            i += 2;
        } else if eq(o, "noack") {
            if !with_group {
                return ctx.error("ERR The NOACK option is only supported by XREADGROUP. You called XREAD instead.");
            }
            noack = true;
        } else {
            return ctx.error(errors::SYNTAX);
        }
        i += 1;
    }
    if streams_arg == 0 {
        return ctx.error(errors::SYNTAX);
    }
    if with_group && group.is_none() {
        return ctx.error("ERR Missing GROUP option for XREADGROUP");
    }
    let keys = &argv[streams_arg..streams_arg + nstreams];
    let id_args = &argv[streams_arg + nstreams..];
    // the ids: what each key must be past; StreamId::MAX stands for ">"
    let mut ids = Vec::with_capacity(nstreams);
    for k in 0..nstreams {
        let key = &keys[k];
        let found = match ops::read(ctx.db(), key) {
            Err(_) => return ctx.error(errors::WRONGTYPE),
            Ok(s) => s.map(|s| (s.last_id(), group.as_ref().is_some_and(|(g, _)| s.group(g).is_some()))),
        };
        if let Some((g, _)) = &group {
            if !found.is_some_and(|(_, has_group)| has_group) {
                let e = format!(
                    "NOGROUP No such key '{}' or consumer group '{}' in XREADGROUP with GROUP option",
                    txt(key),
                    txt(g)
                );
                return ctx.error(&e);
            }
        }
        let a = &id_args[k];
        if &a[..] == b"$" {
            if with_group {
                return ctx.error("ERR The $ ID is meaningless in the context of XREADGROUP: you want to read the history of this consumer by specifying a proper ID, or use the > ID to get new messages. The $ ID would just return an empty result set.");
            }
            ids.push(found.map_or(StreamId::MIN, |(last, _)| last));
        } else if &a[..] == b">" {
            if !with_group {
                return ctx.error("ERR The > ID can be specified only when calling XREADGROUP using the GROUP <group> <consumer> option.");
            }
            ids.push(StreamId::MAX);
        } else {
            match parse_id(a, 0, true, false) {
                Some(p) => ids.push(p.id),
                None => return ctx.error(INVALID_ID),
            }
        }
    }

    // serve what can be served now
    let db_index = ctx.c.db;
    let resp3 = ctx.c.resp3();
    let now = ctx.db().clock.now_ms;
    let mut served_keys = 0usize;
    let mut header = None;
    let limit = if count == 0 { 0 } else { count as usize };
    for k in 0..nstreams {
        let key = &keys[k];
        let Ok(Some(s)) = ops::read(ctx.db(), key) else { continue };
        let mut gt = ids[k];
        let mut serve = false;
        let mut history = false;
        if let Some((g, _)) = &group {
            if gt != StreamId::MAX {
                serve = true;
                history = true;
            } else if !s.is_empty() {
                let last = s.group(g).map_or(StreamId::MAX, |cg| cg.last_id);
                if s.entries().last_valid_id().is_some_and(|m| m > last) {
                    serve = true;
                    gt = last;
                }
            }
        } else if !s.is_empty() && s.entries().last_valid_id().is_some_and(|m| m > gt) {
            serve = true;
        }
        if !serve {
            continue;
        }
        served_keys += 1;
        if served_keys == 1 {
            header = Some(ctx.out().deferred());
        }
        if !resp3 {
            ctx.out().array(2);
        }
        ctx.out().bulk(key);
        let start = gt.incr().unwrap_or(StreamId::MIN);
        let Some((g, consumer)) = &group else {
            let (db, out) = ctx.db_out();
            if let Some(s) = ops::peek(db, key) {
                reply_range(out, s, start, StreamId::MAX, false, if limit == 0 { usize::MAX } else { limit });
            }
            continue;
        };
        // the consumer, created on first use
        let created = match ops::peek_mut(ctx.db(), key).and_then(|s| s.group_mut(g)) {
            Some(cg) => ops::touch_or_create_consumer(cg, consumer, now),
            None => false,
        };
        if created {
            ctx.dirty(1);
            ctx.notify(notify::STREAM, "xgroup-createconsumer", key);
            if noack {
                ctx.also_propagate(
                    db_index,
                    vec![
                        Bytes::from_static(b"XGROUP"),
                        Bytes::from_static(b"CREATECONSUMER"),
                        key.clone(),
                        g.clone(),
                        consumer.clone(),
                    ],
                );
            }
        }
        let mut effects = Vec::new();
        {
            let (db, out) = ctx.db_out();
            let Some(s) = ops::peek_mut(db, key) else { continue };
            let d = out.deferred();
            let n = if history {
                s.read_group_history(g, consumer, start, limit, now, &mut |id, e| match e {
                    Some(e) => reply_entry(out, e),
                    None => {
                        out.array(2);
                        reply_id(out, id);
                        out.null_array();
                    }
                })
            } else {
                s.read_group_new(g, consumer, start, limit, noack, now, &mut |e| reply_entry(out, e), &mut effects)
            };
            out.set_deferred(d, Agg::Array, n);
        }
        for eff in effects {
            let v = match eff {
                GroupEffect::Claim { id, consumer, delivery_time, delivery_count, last_id } => {
                    xclaim_argv(key, g, &consumer, id_bytes(id), delivery_time, delivery_count, last_id)
                }
                GroupEffect::SetId { last_id, entries_read } => setid_argv(key, g, last_id, entries_read),
            };
            ctx.also_propagate(db_index, v);
        }
        ctx.dirty(1);
    }
    if let Some(d) = header {
        let kind = if resp3 { Agg::Map } else { Agg::Array };
        ctx.out().set_deferred(d, kind, served_keys);
        return;
    }
    let Some(deadline) = deadline else {
        return ctx.out().null_array();
    };
    if !ctx.may_block() {
        return ctx.out().null_array();
    }
    // run again later with `$` resolved and a bounded count
    let mut again: Vec<Bytes> = vec![argv[0].clone()];
    if let Some((g, c)) = &group {
        again.extend([Bytes::from_static(b"GROUP"), g.clone(), c.clone()]);
    }
    again.push(Bytes::from_static(b"COUNT"));
    again.push(Bytes::from((if count_given && count > 0 { count } else { BLOCKED_DEFAULT_COUNT }).to_string()));
    again.push(Bytes::from_static(b"BLOCK"));
    again.push(argv[block_arg].clone());
    if noack {
        again.push(Bytes::from_static(b"NOACK"));
    }
    again.push(Bytes::from_static(b"STREAMS"));
    again.extend(keys.iter().cloned());
    for (k, a) in id_args.iter().enumerate() {
        again.push(if &a[..] == b"$" { id_bytes(ids[k]) } else { a.clone() });
    }
    let gname = group.map(|(g, _)| g);
    ctx.block_on_stream_keys(keys, deadline, timeout_null_array, again, gname);
}

// ---------------------------------------------------------------------------------------------
// XGROUP

/// The options of XGROUP CREATE/SETID, parsed before any lookup (as Redis does).
struct GroupOpts {
    mkstream: bool,
    entries_read: i64,
}

fn xgroup_opts(ctx: &mut Ctx, create: bool, setid: bool) -> Option<GroupOpts> {
    let mut o = GroupOpts { mkstream: false, entries_read: -1 };
    let mut i = 5;
    while i < ctx.argc() {
        let a = &ctx.argv[i];
        if create && eq(a, "mkstream") {
            o.mkstream = true;
            i += 1;
        } else if (create || setid) && eq(a, "entriesread") && i + 1 < ctx.argc() {
            let n = ctx.int_arg(i + 1)?;
            if n < 0 && n != -1 {
                ctx.error("ERR value for ENTRIESREAD must be positive or -1");
                return None;
            }
            o.entries_read = n;
            i += 2;
        } else {
            crate::cmd::debug::subcommand_syntax_error(ctx);
            return None;
        }
    }
    Some(o)
}

fn group_error(ctx: &mut Ctx, e: GroupError) {
    match e {
        GroupError::WrongType => ctx.error(errors::WRONGTYPE),
        GroupError::NoKey => ctx.error(NO_XGROUP_KEY),
        GroupError::NoGroup => {
            let m =
                format!("NOGROUP No such consumer group '{}' for key name '{}'", txt(&ctx.argv[3]), txt(&ctx.argv[2]));
            ctx.error(&m)
        }
        GroupError::InvalidId => ctx.error(INVALID_ID),
        GroupError::BusyGroup => ctx.error("BUSYGROUP Consumer Group name already exists"),
    }
}

fn xgroup_create(ctx: &mut Ctx) {
    let Some(o) = xgroup_opts(ctx, true, false) else { return };
    let argv = ctx.argv;
    if argv.len() > 8 {
        if let Err(e) = ops::xgroup_check(ctx.db(), &argv[2], &argv[3], o.mkstream, false) {
            return group_error(ctx, e);
        }
        return crate::cmd::debug::subcommand_syntax_error(ctx);
    }
    let start = if &argv[4][..] == b"$" {
        GroupStart::Last
    } else {
        parse_id(&argv[4], 0, true, false).map_or(GroupStart::Invalid, |p| GroupStart::Id(p.id))
    };
    match ops::xgroup_create(ctx.db(), &argv[2], &argv[3], start, o.mkstream, o.entries_read) {
        Err(e) => group_error(ctx, e),
        Ok(_) => {
            ctx.ok();
            ctx.dirty(1);
            ctx.notify(notify::STREAM, "xgroup-create", &argv[2]);
        }
    }
}

fn xgroup_setid(ctx: &mut Ctx) {
    let Some(o) = xgroup_opts(ctx, false, true) else { return };
    let argv = ctx.argv;
    if argv.len() != 5 && argv.len() != 7 {
        if let Err(e) = ops::xgroup_check(ctx.db(), &argv[2], &argv[3], false, true) {
            return group_error(ctx, e);
        }
        return crate::cmd::debug::subcommand_syntax_error(ctx);
    }
    let start = if &argv[4][..] == b"$" {
        GroupStart::Last
    } else {
        parse_id(&argv[4], 0, false, false).map_or(GroupStart::Invalid, |p| GroupStart::Id(p.id))
    };
    match ops::xgroup_setid(ctx.db(), &argv[2], &argv[3], start, o.entries_read) {
        Err(e) => group_error(ctx, e),
        Ok(()) => {
            ctx.ok();
            ctx.dirty(1);
            ctx.notify(notify::STREAM, "xgroup-setid", &argv[2]);
        }
    }
}

fn xgroup_destroy(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::xgroup_destroy(ctx.db(), &argv[2], &argv[3]) {
        Err(e) => group_error(ctx, e),
        Ok(false) => ctx.int(0),
        Ok(true) => {
            ctx.int(1);
            ctx.dirty(1);
            ctx.notify(notify::STREAM, "xgroup-destroy", &argv[2]);
            // XREADGROUP clients blocked on this group get their error
            let db = ctx.c.db;
            ctx.signal_key_ready(db, &argv[2]);
        }
    }
}

fn xgroup_createconsumer(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::xgroup_createconsumer(ctx.db(), &argv[2], &argv[3], &argv[4]) {
        Err(e) => group_error(ctx, e),
        Ok(false) => ctx.int(0),
        Ok(true) => {
            ctx.int(1);
            ctx.dirty(1);
            ctx.notify(notify::STREAM, "xgroup-createconsumer", &argv[2]);
        }
    }
}

fn xgroup_delconsumer(ctx: &mut Ctx) {
    let argv = ctx.argv;
    match ops::xgroup_delconsumer(ctx.db(), &argv[2], &argv[3], &argv[4]) {
        Err(e) => group_error(ctx, e),
        Ok(None) => ctx.int(0),
        Ok(Some(n)) => {
            ctx.int(n as i64);
            ctx.dirty(1);
            ctx.notify(notify::STREAM, "xgroup-delconsumer", &argv[2]);
        }
    }
}

const XGROUP_HELP: &[&str] = &[
    "CREATE <key> <groupname> <id|$> [option]",
    "    Create a new consumer group. Options are:",
    "    * MKSTREAM",
    "      Create the empty stream if it does not exist.",
    "    * ENTRIESREAD entries_read",
    "      Set the group's entries_read counter (internal use).",
    "CREATECONSUMER <key> <groupname> <consumer>",
    "    Create a new consumer in the specified group.",
    "DELCONSUMER <key> <groupname> <consumer>",
    "    Remove the specified consumer.",
    "DESTROY <key> <groupname>",
    "    Remove the specified group.",
    "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
    "    Set the current group ID and entries_read counter.",
];

fn xgroup_help(ctx: &mut Ctx) {
    super::reply_help(ctx, "XGROUP", XGROUP_HELP);
}

// ---------------------------------------------------------------------------------------------
// XSETID / XACK

fn xsetid(ctx: &mut Ctx) {
    let Some(id) = strict_id(ctx, 2) else { return };
    let mut entries_added = None;
    let mut max_deleted = StreamId::MIN;
    let mut i = 3;
    while i < ctx.argc() {
        let more = ctx.argc() - 1 - i;
        let a = ctx.argv[i].clone();
        if eq(&a, "entriesadded") && more > 0 {
            let Some(n) = ctx.int_arg(i + 1) else { return };
            if n < 0 {
                return ctx.error("ERR entries_added must be positive");
            }
            entries_added = Some(n as u64);
            i += 2;
        } else if eq(&a, "maxdeletedid") && more > 0 {
            let Some(m) = strict_id(ctx, i + 1) else { return };
            max_deleted = m;
            if id < max_deleted {
                return ctx.error("ERR The ID specified in XSETID is smaller than the provided max_deleted_entry_id");
            }
            i += 2;
        } else {
            return ctx.error(errors::SYNTAX);
        }
    }
    let argv = ctx.argv;
    match ops::xsetid(ctx.db(), &argv[1], id, entries_added, max_deleted) {
        Err(SetIdError::WrongType) => ctx.error(errors::WRONGTYPE),
        Err(SetIdError::NoKey) => ctx.error(errors::NO_SUCH_KEY),
        Err(SetIdError::SmallerThanTop) => {
            ctx.error("ERR The ID specified in XSETID is smaller than the target stream top item")
        }
        Err(SetIdError::EntriesAddedTooSmall) => {
            ctx.error("ERR The entries_added specified in XSETID is smaller than the target stream length")
        }
        Ok(()) => {
            ctx.ok();
            ctx.dirty(1);
            ctx.notify(notify::STREAM, "xsetid", &argv[1]);
        }
    }
}

fn xack(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let ids: Vec<Option<StreamId>> = argv[3..].iter().map(|a| parse_id(a, 0, true, false).map(|p| p.id)).collect();
    match ops::xack(ctx.db(), &argv[1], &argv[2], &ids) {
        Err(_) => ctx.error(errors::WRONGTYPE),
        Ok(None) => ctx.error(INVALID_ID),
        Ok(Some(n)) => {
            ctx.dirty(n);
            ctx.int(n as i64);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// XPENDING

fn xpending(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let argc = argv.len();
    if argc != 3 && !(6..=9).contains(&argc) {
        return ctx.error(errors::SYNTAX);
    }
    let mut range = None;
    let mut min_idle = 0i64;
    let mut consumer: Option<&Bytes> = None;
    if argc >= 6 {
        let mut at = 3;
        if eq(&argv[3], "idle") {
            let Some(m) = ctx.int_arg(4) else { return };
            min_idle = m;
            if argc < 8 {
                return ctx.error(errors::SYNTAX);
            }
            at += 2;
        }
        let Some(count) = ctx.int_arg(at + 2) else { return };
        let count = count.max(0);
        let Some(start) = interval_id(ctx, at, 0, true) else { return };
        let Some(end) = interval_id(ctx, at + 1, u64::MAX, false) else { return };
        if at + 3 < argc {
            consumer = Some(&argv[at + 3]);
        }
        range = Some((start, end, count));
    }
    let now = ctx.db().clock.now_ms;
    let (db, out) = ctx.db_out();
    let s = match ops::read(db, &argv[1]) {
        Err(_) => return out.error(errors::WRONGTYPE),
        Ok(s) => s,
    };
    let Some(g) = s.and_then(|s| s.group(&argv[2])) else {
        let e = format!("NOGROUP No such key '{}' or consumer group '{}'", txt(&argv[1]), txt(&argv[2]));
        return out.error(&e);
    };
    let Some((start, end, count)) = range else {
        out.array(4);
        out.int(g.pel_len() as i64);
        let (Some((first, _)), Some((last, _))) = (g.pel().next(), g.pel().next_back()) else {
            out.null();
            out.null();
            out.null_array();
            return;
        };
        reply_id(out, first);
        reply_id(out, last);
        let owners: Vec<_> = g.consumers().filter(|(_, c)| c.pending() > 0).collect();
        out.array(owners.len());
        for (name, c) in owners {
            out.array(2);
            out.bulk(name);
            out.bulk_int(c.pending() as i64);
        }
        return;
    };
    let ids: Vec<StreamId> = match consumer {
        Some(name) => match g.consumer(name) {
            None => return out.array(0),
            Some(c) => c.pending_from(start).take_while(|&id| id <= end).collect(),
        },
        None => g.pel_range(start, end).map(|(id, _)| id).collect(),
    };
    let d = out.deferred();
    let mut n = 0usize;
    let mut left = count;
    for id in ids {
        if left == 0 {
            break;
        }
        let Some(nack) = g.nack(id) else { continue };
        if min_idle != 0 && now.wrapping_sub(nack.delivery_time) < min_idle {
            continue;
        }
        left -= 1;
        n += 1;
        out.array(4);
        reply_id(out, id);
        out.bulk(nack.owner());
        out.int(now.wrapping_sub(nack.delivery_time).max(0));
        out.int(nack.delivery_count as i64);
    }
    out.set_deferred(d, Agg::Array, n);
}

// ---------------------------------------------------------------------------------------------
// XCLAIM / XAUTOCLAIM

fn claim_target(ctx: &mut Ctx) -> bool {
    let argv = ctx.argv;
    match ops::claim_target(ctx.db(), &argv[1], &argv[2]) {
        Ok(()) => true,
        Err(ClaimError::WrongType) => {
            ctx.error(errors::WRONGTYPE);
            false
        }
        Err(ClaimError::NoGroup) => {
            let e = format!("NOGROUP No such key '{}' or consumer group '{}'", txt(&argv[1]), txt(&argv[2]));
            ctx.error(&e);
            false
        }
    }
}

fn int_or(ctx: &mut Ctx, i: usize, msg: &str) -> Option<i64> {
    match parse_i64(&ctx.argv[i]) {
        Some(n) => Some(n),
        None => {
            ctx.error(msg);
            None
        }
    }
}

/// Replies the claimed ids (JUSTID) or their entries, and propagates each step as an XCLAIM.
fn finish_claim(
    ctx: &mut Ctx,
    out_ids: &[StreamId],
    justid: bool,
    steps: &[ops::ClaimStep],
    id_arg: &dyn Fn(&ops::ClaimStep) -> Bytes,
) {
    let argv = ctx.argv;
    {
        let (db, out) = ctx.db_out();
        out.array(out_ids.len());
        for &id in out_ids {
            if justid {
                reply_id(out, id);
            } else {
                match ops::entries_of(db, &argv[1]).and_then(|e| e.get(id)) {
                    Some(e) => reply_entry(out, &e),
                    None => out.null_array(),
                }
            }
        }
    }
    let db = ctx.c.db;
    for st in steps {
        let v = xclaim_argv(
            &argv[1],
            &argv[2],
            &st.state.consumer,
            id_arg(st),
            st.state.delivery_time,
            st.state.delivery_count,
            st.state.group_last_id,
        );
        ctx.also_propagate(db, v);
    }
}

fn xclaim(ctx: &mut Ctx) {
    if !claim_target(ctx) {
        return;
    }
    let argv = ctx.argv;
    let Some(min_idle) = int_or(ctx, 4, "ERR Invalid min-idle-time argument for XCLAIM") else { return };
    let min_idle = min_idle.max(0);
    let mut ids = Vec::new();
    let mut j = 5;
    while j < argv.len() {
        match parse_id(&argv[j], 0, true, false) {
            Some(p) => ids.push(p.id),
            None => break,
        }
        j += 1;
    }
    let now = ctx.db().clock.now_ms;
    let mut delivery: Option<i64> = None;
    let mut retry: i64 = -1;
    let mut force = false;
    let mut justid = false;
    let mut last_id = StreamId::MIN;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        let o = &argv[j];
        if eq(o, "force") {
            force = true;
        } else if eq(o, "justid") {
            justid = true;
        } else if eq(o, "idle") && more > 0 {
            j += 1;
            let Some(n) = int_or(ctx, j, "ERR Invalid IDLE option argument for XCLAIM") else { return };
            delivery = Some(now.wrapping_sub(n));
        } else if eq(o, "time") && more > 0 {
            j += 1;
            let Some(n) = int_or(ctx, j, "ERR Invalid TIME option argument for XCLAIM") else { return };
            delivery = Some(n);
        } else if eq(o, "retrycount") && more > 0 {
            j += 1;
            let Some(n) = int_or(ctx, j, "ERR Invalid RETRYCOUNT option argument for XCLAIM") else { return };
            retry = n;
        } else if eq(o, "lastid") && more > 0 {
            j += 1;
            let Some(id) = strict_id(ctx, j) else { return };
            last_id = id;
        } else {
            let e = format!("ERR Unrecognized XCLAIM option '{}'", txt(o));
            return ctx.error(&e);
        }
        j += 1;
    }
    let delivery_time = match delivery {
        Some(t) if t < 0 || t > now => now,
        Some(t) => t,
        None => now,
    };
    let opts = ops::ClaimOpts { min_idle, delivery_time, retry_count: retry, force, justid, last_id };
    let Ok(out) = ops::xclaim(ctx.db(), &argv[1], &argv[2], &argv[3], &ids, &opts) else { return };
    if out.consumer_created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", &argv[1]);
    }
    finish_claim(ctx, &out.ids, justid, &out.steps, &|st| argv[5 + st.index].clone());
    if let Some((last, read)) = out.set_id {
        let db = ctx.c.db;
        ctx.also_propagate(db, setid_argv(&argv[1], &argv[2], last, read));
    }
    ctx.dirty(out.dirty);
    ctx.prevent_propagation();
}

/// Largest COUNT XAUTOCLAIM takes (LONG_MAX divided by the larger of an id's size and the
/// attempts factor).
const AUTOCLAIM_MAX_COUNT: i64 = i64::MAX / 16;
/// Beyond this many ids the list of deleted ids Redis allocates up front cannot be had.
const AUTOCLAIM_ALLOC_LIMIT: i64 = 1 << 36;

fn xautoclaim(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let Some(min_idle) = int_or(ctx, 4, "ERR Invalid min-idle-time argument for XAUTOCLAIM") else { return };
    let min_idle = min_idle.max(0);
    let Some(start) = interval_id(ctx, 5, 0, true) else { return };
    let mut count: i64 = 100;
    let mut justid = false;
    let mut j = 6;
    while j < argv.len() {
        let more = argv.len() - 1 - j;
        if eq(&argv[j], "count") && more > 0 {
            match parse_i64(&argv[j + 1]) {
                Some(n) if (1..=AUTOCLAIM_MAX_COUNT).contains(&n) => count = n,
                _ => return ctx.error("ERR COUNT must be > 0"),
            }
            j += 1;
        } else if eq(&argv[j], "justid") {
            justid = true;
        } else {
            return ctx.error(errors::SYNTAX);
        }
        j += 1;
    }
    if !claim_target(ctx) {
        return;
    }
    if count >= AUTOCLAIM_ALLOC_LIMIT {
        return ctx.error("ERR Insufficient memory, failed allocating transient memory, COUNT too high.");
    }
    let Ok(out) = ops::xautoclaim(ctx.db(), &argv[1], &argv[2], &argv[3], min_idle, start, count as u64, justid) else {
        return;
    };
    if out.consumer_created {
        ctx.notify(notify::STREAM, "xgroup-createconsumer", &argv[1]);
    }
    ctx.out().array(3);
    reply_id(ctx.out(), out.next);
    finish_claim(ctx, &out.ids, justid, &out.steps, &|st| id_bytes(st.id));
    let o = ctx.out();
    o.array(out.deleted.len());
    for &id in &out.deleted {
        reply_id(o, id);
    }
    ctx.dirty(out.dirty);
    ctx.prevent_propagation();
}

// ---------------------------------------------------------------------------------------------
// XINFO

/// The stream for XINFO, or the error reply.
fn xinfo_stream_of<'a>(db: &'a mut vireo_keyspace::Db, out: &mut Reply, key: &[u8]) -> Option<&'a mut Stream> {
    match ops::read(db, key) {
        Err(OpError::WrongType) => {
            out.error(errors::WRONGTYPE);
            None
        }
        Err(_) => None,
        Ok(None) => {
            out.error(errors::NO_SUCH_KEY);
            None
        }
        Ok(Some(s)) => Some(s),
    }
}

fn reply_lag(out: &mut Reply, lag: Option<i64>) {
    match lag {
        Some(n) => out.int(n),
        None => out.null(),
    }
}

fn reply_entries_read(out: &mut Reply, n: i64) {
    if n != vireo_keyspace::types::stream::INVALID_ENTRIES_READ {
        out.int(n)
    } else {
        out.null()
    }
}

fn xinfo_consumers(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let now = ctx.db().clock.now_ms;
    let (db, out) = ctx.db_out();
    let Some(s) = xinfo_stream_of(db, out, &argv[2]) else { return };
    let Some(g) = s.group(&argv[3]) else {
        let e = format!("NOGROUP No such consumer group '{}' for key name '{}'", txt(&argv[3]), txt(&argv[2]));
        return out.error(&e);
    };
    out.array(g.consumer_count());
    for (name, c) in g.consumers() {
        out.map(3);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"pending");
        out.int(c.pending() as i64);
        out.bulk(b"idle");
        out.int(now.wrapping_sub(c.seen_time).max(0));
    }
}

fn xinfo_groups(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    let Some(s) = xinfo_stream_of(db, out, &argv[2]) else { return };
    out.array(s.group_count());
    for (name, g) in s.groups() {
        out.map(6);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"consumers");
        out.int(g.consumer_count() as i64);
        out.bulk(b"pending");
        out.int(g.pel_len() as i64);
        out.bulk(b"last-delivered-id");
        reply_id(out, g.last_id);
        out.bulk(b"entries-read");
        reply_entries_read(out, g.entries_read);
        out.bulk(b"lag");
        reply_lag(out, s.entries().lag(g));
    }
}

fn xinfo_stream(ctx: &mut Ctx) {
    let argv = ctx.argv;
    {
        let (db, out) = ctx.db_out();
        if xinfo_stream_of(db, out, &argv[2]).is_none() {
            return;
        }
    }
    let opts = &argv[3..];
    let mut full = false;
    let mut count: i64 = 10;
    if !opts.is_empty() {
        if (opts.len() != 1 && opts.len() != 3) || !eq(&opts[0], "full") || (opts.len() == 3 && !eq(&opts[1], "count"))
        {
            return crate::cmd::debug::subcommand_syntax_error(ctx);
        }
        full = true;
        if opts.len() == 3 {
            let Some(c) = ctx.int_arg(5) else { return };
            count = c;
            if count < 0 {
                count = 10;
            }
        }
    }
    let (db, out) = ctx.db_out();
    let Some(s) = ops::peek(db, &argv[2]) else { return };
    let e = s.entries();
    out.map(if full { 9 } else { 10 });
    out.bulk(b"length");
    out.int(e.len() as i64);
    out.bulk(b"radix-tree-keys");
    out.int(e.node_count() as i64);
    out.bulk(b"radix-tree-nodes");
    out.int(e.radix_tree_nodes() as i64);
    out.bulk(b"last-generated-id");
    reply_id(out, e.last_id());
    out.bulk(b"max-deleted-entry-id");
    reply_id(out, e.max_deleted_id());
    out.bulk(b"entries-added");
    out.int(e.entries_added() as i64);
    out.bulk(b"recorded-first-entry-id");
    reply_id(out, e.first_id());
    if !full {
        out.bulk(b"groups");
        out.int(s.group_count() as i64);
        out.bulk(b"first-entry");
        match s.range(StreamId::MIN, StreamId::MAX, false).next() {
            Some(x) => reply_entry(out, &x),
            None => out.null(),
        }
        out.bulk(b"last-entry");
        match s.range(StreamId::MIN, StreamId::MAX, true).next() {
            Some(x) => reply_entry(out, &x),
            None => out.null(),
        }
        return;
    }
    let limit = if count == 0 { usize::MAX } else { count as usize };
    out.bulk(b"entries");
    reply_range(out, s, StreamId::MIN, StreamId::MAX, false, limit);
    out.bulk(b"groups");
    out.array(s.group_count());
    for (name, g) in s.groups() {
        out.map(7);
        out.bulk(b"name");
        out.bulk(name);
        out.bulk(b"last-delivered-id");
        reply_id(out, g.last_id);
        out.bulk(b"entries-read");
        reply_entries_read(out, g.entries_read);
        out.bulk(b"lag");
        reply_lag(out, e.lag(g));
        out.bulk(b"pel-count");
        out.int(g.pel_len() as i64);
        out.bulk(b"pending");
        let pel: Vec<_> = g.pel().take(limit).collect();
        out.array(pel.len());
        for (id, nack) in pel {
            out.array(4);
            reply_id(out, id);
            out.bulk(nack.owner());
            out.int(nack.delivery_time);
            out.int(nack.delivery_count as i64);
        }
        out.bulk(b"consumers");
        out.array(g.consumer_count());
        for (cname, c) in g.consumers() {
            out.map(4);
            out.bulk(b"name");
            out.bulk(cname);
            out.bulk(b"seen-time");
            out.int(c.seen_time);
            out.bulk(b"pel-count");
            out.int(c.pending() as i64);
            out.bulk(b"pending");
            let ids: Vec<_> = c.pending_ids().take(limit).collect();
            out.array(ids.len());
            for id in ids {
                out.array(3);
                reply_id(out, id);
                let (t, n) = g.nack(id).map_or((0, 0), |x| (x.delivery_time, x.delivery_count));
                out.int(t);
                out.int(n as i64);
            }
        }
    }
}

const XINFO_HELP: &[&str] = &[
    "CONSUMERS <key> <groupname>",
    "    Show consumers of <groupname>.",
    "GROUPS <key>",
    "    Show the stream consumer groups.",
    "STREAM <key> [FULL [COUNT <count>]",
    "    Show information about the stream.",
];

fn xinfo_help(ctx: &mut Ctx) {
    super::reply_help(ctx, "XINFO", XINFO_HELP);
}
