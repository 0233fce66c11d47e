//! Replication commands: REPLICAOF/SLAVEOF, SYNC/PSYNC, REPLCONF, WAIT and FAILOVER. This file
//! holds their declarations only; the handlers live with the role they serve (`repl::master`
//! for what a master answers, `repl::replica` for becoming and being a replica).

use crate::command::*;
use crate::repl::{master, replica};

const S_REPLICAOF: &str = "Makes the server a replica of another server, or turns a replica back into a master.";
const S_SLAVEOF: &str = "Older name of REPLICAOF: makes the server a replica of another one, or a master again.";
const S_SYNC: &str = "Asks for a full copy of the dataset followed by the replication stream (old protocol).";
const S_PSYNC: &str = "Asks to continue a replication stream from an offset, or for a full copy when that is impossible.";
const S_REPLCONF: &str = "Exchanges settings and acknowledgements on a replication link.";
const S_WAIT: &str = "Blocks until the writes of this connection reached the given number of replicas, or a timeout.";
const S_FAILOVER: &str = "Hands the master role to one of the replicas in a coordinated way, without losing writes.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "replicaof",
        arity: 3,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::STALE | flags::NO_ASYNC_LOADING,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_REPLICAOF, since: "5.0.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "args", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "host-port", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "host", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "port", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                Arg { name: "no-one", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "no", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NO"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "one", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ONE"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
            ] },
        ] },
        handler: Some(replica::replicaof_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "slaveof",
        arity: 3,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::STALE | flags::NO_ASYNC_LOADING,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_SLAVEOF, since: "1.0.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: Some("5.0.0"), replaced_by: Some("`REPLICAOF`"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "args", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "host-port", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "host", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "port", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
                Arg { name: "no-one", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "no", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NO"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "one", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ONE"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
            ] },
        ] },
        handler: Some(replica::replicaof_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "sync",
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_SYNC, since: "1.0.0", group: Group::Server, complexity: None, deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(master::sync_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "psync",
        arity: -3,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::NO_ASYNC_LOADING | flags::NO_MULTI,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_PSYNC, since: "2.8.0", group: Group::Server, complexity: None, deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "replicationid", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(master::sync_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "replconf",
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::ALLOW_BUSY,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_REPLCONF, since: "3.0.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &["syscmd"], args: &[] },
        handler: Some(master::replconf_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "wait",
        arity: 3,
        flags: flags::NOSCRIPT,
        acl: acl::SLOW | acl::CONNECTION,
        tips: &["request_policy:all_shards", "response_policy:agg_min"],
        key_specs: &[],
        doc: Doc { summary: S_WAIT, since: "3.0.0", group: Group::Generic, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "numreplicas", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "timeout", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(master::wait_command),
        subcommands: &[],
    },
    CommandSpec {
        name: "failover",
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::STALE,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_FAILOVER, since: "6.2.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "target", typ: ArgType::Block, key_spec_index: -1, token: Some("TO"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "host", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "port", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "force", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FORCE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "abort", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ABORT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "milliseconds", typ: ArgType::Integer, key_spec_index: -1, token: Some("TIMEOUT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(master::failover_command),
        subcommands: &[],
    },
];
