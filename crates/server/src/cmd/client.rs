//! CLIENT and its subcommands: identity (ID, SETNAME, GETNAME, INFO, LIST), control (KILL,
//! PAUSE, UNPAUSE, REPLY, NO-EVICT, UNBLOCK, GETREDIR). Also the client-info line format shared
//! with logs, and the unpause step the cron calls when a pause runs out.

use crate::client::{cflags, Client, ReplyMode};
use crate::command::*;
use crate::errors;
use crate::exec::Ctx;
use crate::server::{PauseKind, Server};
use crate::util::eq_ic;

const S_CLIENT: &str = "Commands about client connections.";
const S_CLIENT_GETNAME: &str = "Returns the name of the connection.";
const S_CLIENT_GETREDIR: &str = "Returns the client id tracking notifications are redirected to.";
const S_CLIENT_HELP: &str = "Lists the CLIENT subcommands.";
const S_CLIENT_ID: &str = "Returns the id of the connection.";
const S_CLIENT_INFO: &str = "Describes the connection.";
const S_CLIENT_KILL: &str = "Closes the connections matching a filter.";
const S_CLIENT_LIST: &str = "Describes every connection.";
const S_CLIENT_NO_EVICT: &str = "Exempts the connection from client eviction.";
const S_CLIENT_PAUSE: &str = "Holds the commands of clients for a while.";
const S_CLIENT_REPLY: &str = "Turns the replies to this connection on, off, or off for one command.";
const S_CLIENT_SETNAME: &str = "Names the connection.";
const S_CLIENT_UNBLOCK: &str = "Releases a client blocked by a blocking command.";
const S_CLIENT_UNPAUSE: &str = "Ends a CLIENT PAUSE.";

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "client",
    arity: -2,
    flags: 0,
    acl: acl::SLOW,
    tips: &[],
    key_specs: &[],
    doc: Doc {
        summary: S_CLIENT,
        since: "2.4.0",
        group: Group::Connection,
        complexity: Some("Depends on subcommand."),
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        doc_flags: &[],
        args: &[],
    },
    handler: None,
    subcommands: &[
        CommandSpec {
            name: "getname",
            arity: 2,
            flags: flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_GETNAME,
                since: "2.6.9",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(client_getname),
            subcommands: &[],
        },
        CommandSpec {
            name: "getredir",
            arity: 2,
            flags: flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_GETREDIR,
                since: "6.0.0",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(client_getredir),
            subcommands: &[],
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_HELP,
                since: "5.0.0",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(client_help),
            subcommands: &[],
        },
        CommandSpec {
            name: "id",
            arity: 2,
            flags: flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_ID,
                since: "5.0.0",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(client_id),
            subcommands: &[],
        },
        CommandSpec {
            name: "info",
            arity: 2,
            flags: flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &["nondeterministic_output"],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_INFO,
                since: "6.2.0",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(client_info),
            subcommands: &[],
        },
        CommandSpec {
            name: "kill",
            arity: -3,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_KILL,
                since: "2.4.0",
                group: Group::Connection,
                complexity: Some("O(N) where N is the number of client connections"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "filter",
                    typ: ArgType::Oneof,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "ip:port",
                            typ: ArgType::String,
                            key_spec_index: -1,
                            token: None,
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: Some("2.8.12"),
                            display: None,
                            subargs: &[],
                        },
                        Arg {
                            name: "new-format",
                            typ: ArgType::Oneof,
                            key_spec_index: -1,
                            token: None,
                            summary: None,
                            since: None,
                            flags: argflags::MULTIPLE,
                            deprecated_since: None,
                            display: None,
                            subargs: &[
                                Arg {
                                    name: "client-id",
                                    typ: ArgType::Integer,
                                    key_spec_index: -1,
                                    token: Some("ID"),
                                    summary: None,
                                    since: Some("2.8.12"),
                                    flags: argflags::OPTIONAL,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[],
                                },
                                Arg {
                                    name: "normal_master_slave_pubsub",
                                    typ: ArgType::Oneof,
                                    key_spec_index: -1,
                                    token: Some("TYPE"),
                                    summary: None,
                                    since: Some("2.8.12"),
                                    flags: argflags::OPTIONAL,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[
                                        Arg {
                                            name: "normal",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("NORMAL"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                        Arg {
                                            name: "master",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("MASTER"),
                                            summary: None,
                                            since: Some("3.2.0"),
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                        Arg {
                                            name: "slave",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("SLAVE"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                        Arg {
                                            name: "replica",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("REPLICA"),
                                            summary: None,
                                            since: Some("5.0.0"),
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                        Arg {
                                            name: "pubsub",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("PUBSUB"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                    ],
                                },
                                Arg {
                                    name: "username",
                                    typ: ArgType::String,
                                    key_spec_index: -1,
                                    token: Some("USER"),
                                    summary: None,
                                    since: None,
                                    flags: argflags::OPTIONAL,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[],
                                },
                                Arg {
                                    name: "ip:port",
                                    typ: ArgType::String,
                                    key_spec_index: -1,
                                    token: Some("ADDR"),
                                    summary: None,
                                    since: None,
                                    flags: argflags::OPTIONAL,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[],
                                },
                                Arg {
                                    name: "ip:port",
                                    typ: ArgType::String,
                                    key_spec_index: -1,
                                    token: Some("LADDR"),
                                    summary: None,
                                    since: Some("6.2.0"),
                                    flags: argflags::OPTIONAL,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[],
                                },
                                Arg {
                                    name: "yes/no",
                                    typ: ArgType::String,
                                    key_spec_index: -1,
                                    token: Some("SKIPME"),
                                    summary: None,
                                    since: None,
                                    flags: argflags::OPTIONAL,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[],
                                },
                            ],
                        },
                    ],
                }],
            },
            handler: Some(client_kill),
            subcommands: &[],
        },
        CommandSpec {
            name: "list",
            arity: -2,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS | acl::CONNECTION,
            tips: &["nondeterministic_output"],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_LIST,
                since: "2.4.0",
                group: Group::Connection,
                complexity: Some("O(N) where N is the number of client connections"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[
                    Arg {
                        name: "normal_master_replica_pubsub",
                        typ: ArgType::Oneof,
                        key_spec_index: -1,
                        token: Some("TYPE"),
                        summary: None,
                        since: Some("5.0.0"),
                        flags: argflags::OPTIONAL,
                        deprecated_since: None,
                        display: None,
                        subargs: &[
                            Arg {
                                name: "normal",
                                typ: ArgType::PureToken,
                                key_spec_index: -1,
                                token: Some("NORMAL"),
                                summary: None,
                                since: None,
                                flags: 0,
                                deprecated_since: None,
                                display: None,
                                subargs: &[],
                            },
                            Arg {
                                name: "master",
                                typ: ArgType::PureToken,
                                key_spec_index: -1,
                                token: Some("MASTER"),
                                summary: None,
                                since: None,
                                flags: 0,
                                deprecated_since: None,
                                display: None,
                                subargs: &[],
                            },
                            Arg {
                                name: "replica",
                                typ: ArgType::PureToken,
                                key_spec_index: -1,
                                token: Some("REPLICA"),
                                summary: None,
                                since: None,
                                flags: 0,
                                deprecated_since: None,
                                display: None,
                                subargs: &[],
                            },
                            Arg {
                                name: "pubsub",
                                typ: ArgType::PureToken,
                                key_spec_index: -1,
                                token: Some("PUBSUB"),
                                summary: None,
                                since: None,
                                flags: 0,
                                deprecated_since: None,
                                display: None,
                                subargs: &[],
                            },
                        ],
                    },
                    Arg {
                        name: "id",
                        typ: ArgType::Block,
                        key_spec_index: -1,
                        token: Some("ID"),
                        summary: None,
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        deprecated_since: None,
                        display: None,
                        subargs: &[Arg {
                            name: "client-id",
                            typ: ArgType::Integer,
                            key_spec_index: -1,
                            token: None,
                            summary: None,
                            since: None,
                            flags: argflags::MULTIPLE,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        }],
                    },
                ],
            },
            handler: Some(client_list),
            subcommands: &[],
        },
        CommandSpec {
            name: "no-evict",
            arity: 3,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_NO_EVICT,
                since: "7.0.0",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "enabled",
                    typ: ArgType::Oneof,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "on",
                            typ: ArgType::PureToken,
                            key_spec_index: -1,
                            token: Some("ON"),
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                        Arg {
                            name: "off",
                            typ: ArgType::PureToken,
                            key_spec_index: -1,
                            token: Some("OFF"),
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                    ],
                }],
            },
            handler: Some(client_no_evict),
            subcommands: &[],
        },
        CommandSpec {
            name: "pause",
            arity: -3,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_PAUSE,
                since: "2.9.50",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[
                    Arg {
                        name: "timeout",
                        typ: ArgType::Integer,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: None,
                        flags: 0,
                        deprecated_since: None,
                        display: None,
                        subargs: &[],
                    },
                    Arg {
                        name: "mode",
                        typ: ArgType::Oneof,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: Some("6.2.0"),
                        flags: argflags::OPTIONAL,
                        deprecated_since: None,
                        display: None,
                        subargs: &[
                            Arg {
                                name: "write",
                                typ: ArgType::PureToken,
                                key_spec_index: -1,
                                token: Some("WRITE"),
                                summary: None,
                                since: None,
                                flags: 0,
                                deprecated_since: None,
                                display: None,
                                subargs: &[],
                            },
                            Arg {
                                name: "all",
                                typ: ArgType::PureToken,
                                key_spec_index: -1,
                                token: Some("ALL"),
                                summary: None,
                                since: None,
                                flags: 0,
                                deprecated_since: None,
                                display: None,
                                subargs: &[],
                            },
                        ],
                    },
                ],
            },
            handler: Some(client_pause),
            subcommands: &[],
        },
        CommandSpec {
            name: "reply",
            arity: 3,
            flags: flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_REPLY,
                since: "3.2.0",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "on_off_skip",
                    typ: ArgType::Oneof,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "on",
                            typ: ArgType::PureToken,
                            key_spec_index: -1,
                            token: Some("ON"),
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                        Arg {
                            name: "off",
                            typ: ArgType::PureToken,
                            key_spec_index: -1,
                            token: Some("OFF"),
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                        Arg {
                            name: "skip",
                            typ: ArgType::PureToken,
                            key_spec_index: -1,
                            token: Some("SKIP"),
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                    ],
                }],
            },
            handler: Some(client_reply),
            subcommands: &[],
        },
        CommandSpec {
            name: "setname",
            arity: 3,
            flags: flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_SETNAME,
                since: "2.6.9",
                group: Group::Connection,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "connection-name",
                    typ: ArgType::String,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                }],
            },
            handler: Some(client_setname),
            subcommands: &[],
        },
        CommandSpec {
            name: "unblock",
            arity: -3,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_UNBLOCK,
                since: "5.0.0",
                group: Group::Connection,
                complexity: Some("O(log N) where N is the number of client connections"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[
                    Arg {
                        name: "client-id",
                        typ: ArgType::Integer,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: None,
                        flags: 0,
                        deprecated_since: None,
                        display: None,
                        subargs: &[],
                    },
                    Arg {
                        name: "timeout_error",
                        typ: ArgType::Oneof,
                        key_spec_index: -1,
                        token: None,
                        summary: None,
                        since: None,
                        flags: argflags::OPTIONAL,
                        deprecated_since: None,
                        display: None,
                        subargs: &[
                            Arg {
                                name: "timeout",
                                typ: ArgType::PureToken,
                                key_spec_index: -1,
                                token: Some("TIMEOUT"),
                                summary: None,
                                since: None,
                                flags: 0,
                                deprecated_since: None,
                                display: None,
                                subargs: &[],
                            },
                            Arg {
                                name: "error",
                                typ: ArgType::PureToken,
                                key_spec_index: -1,
                                token: Some("ERROR"),
                                summary: None,
                                since: None,
                                flags: 0,
                                deprecated_since: None,
                                display: None,
                                subargs: &[],
                            },
                        ],
                    },
                ],
            },
            handler: Some(client_unblock),
            subcommands: &[],
        },
        CommandSpec {
            name: "unpause",
            arity: 2,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CLIENT_UNPAUSE,
                since: "6.2.0",
                group: Group::Connection,
                complexity: Some("O(N) Where N is the number of paused clients"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(client_unpause),
            subcommands: &[],
        },
    ],
}];

/// Client types for KILL/LIST TYPE filters and output buffer classes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ClientType {
    Normal,
    Replica,
    Pubsub,
    Master,
}

pub fn client_type(c: &Client) -> ClientType {
    if c.has(cflags::MASTER) {
        ClientType::Master
    } else if c.has(cflags::SLAVE) && !c.has(cflags::MONITOR) {
        ClientType::Replica
    } else if c.has(cflags::PUBSUB) {
        ClientType::Pubsub
    } else {
        ClientType::Normal
    }
}

pub fn client_type_by_name(name: &[u8]) -> Option<ClientType> {
    let n = name.to_ascii_lowercase();
    Some(match &n[..] {
        b"normal" => ClientType::Normal,
        b"slave" | b"replica" => ClientType::Replica,
        b"pubsub" => ClientType::Pubsub,
        b"master" => ClientType::Master,
        _ => return None,
    })
}

/// One line of CLIENT LIST / CLIENT INFO, without the trailing newline.
pub fn client_info_string(srv: &Server, c: &Client, argv_mem: usize) -> String {
    let mut flags = String::new();
    if c.has(cflags::SLAVE) || c.has(cflags::MONITOR) {
        flags.push(if c.has(cflags::MONITOR) { 'O' } else { 'S' });
    }
    for (f, ch) in [
        (cflags::MASTER, 'M'),
        (cflags::PUBSUB, 'P'),
        (cflags::MULTI, 'x'),
        (cflags::BLOCKED, 'b'),
        (cflags::TRACKING, 't'),
        (cflags::DIRTY_CAS, 'd'),
        (cflags::CLOSE_AFTER_REPLY, 'c'),
        (cflags::UNBLOCKED, 'u'),
        (cflags::CLOSE_ASAP, 'A'),
        (cflags::UNIX_SOCKET, 'U'),
        (cflags::NO_EVICT, 'e'),
    ] {
        if c.has(f) {
            flags.push(ch);
        }
    }
    if flags.is_empty() {
        flags.push('N');
    }
    let mut events = String::new();
    // a client held for its loop job is not read (Redis's protected client)
    if c.registered && !c.has(cflags::LOOP_JOB) {
        events.push('r');
    }
    if c.pending_output() > 0 && c.pending_write {
        events.push('w');
    }
    let now = srv.mstime() / 1000;
    // requests already taken off the buffer in the current pass still count, as in Redis
    let qbuf = c.qbuf.len() + c.qb_pos;
    let qbuf_free = c.qbuf.capacity() - c.qbuf.len();
    let rbs = c.reply.rb.buf.capacity();
    let obl = c.pending_output();
    let tot = std::mem::size_of::<Client>() + c.qbuf.capacity() + rbs + argv_mem;
    let name = c.name.as_deref().map(|n| String::from_utf8_lossy(n).into_owned()).unwrap_or_default();
    format!(
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub=0 psub=0 ssub=0 multi=-1 qbuf={} qbuf-free={} argv-mem={} multi-mem=0 rbs={} rbp={} obl={} oll=0 omem=0 tot-mem={} events={} cmd={} user={} redir=-1 resp={}",
        c.id,
        c.addr,
        c.laddr,
        c.conn.fd(),
        name,
        now - c.ctime_ms / 1000,
        now - c.last_interaction_ms / 1000,
        flags,
        c.db,
        qbuf,
        qbuf_free,
        argv_mem,
        rbs,
        rbs,
        obl,
        tot,
        events,
        c.last_cmd,
        c.user,
        if c.resp3() { 3 } else { 2 }
    )
}

fn argv_mem(argv: &[bytes::Bytes]) -> usize {
    argv.iter().map(|a| a.len()).sum()
}

fn client_help(ctx: &mut Ctx) {
    let lines: &[&str] = &[
        "GETNAME",
        "    Return the name of the current connection.",
        "GETREDIR",
        "    Return the id of the client tracking notifications are redirected to (-1 if none).",
        "ID",
        "    Return the id of the current connection.",
        "INFO",
        "    Return information about the current connection.",
        "KILL <ip:port>",
        "    Close the connection from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Close connections matching every given filter:",
        "    * ID <client-id>",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "    * USER <username>",
        "    * SKIPME (YES|NO)   skip the calling connection (default: yes).",
        "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> [...]]",
        "    Return information about connections.",
        "NO-EVICT (ON|OFF)",
        "    Exempt the current connection from client eviction.",
        "PAUSE <timeout> [WRITE|ALL]",
        "    Hold the commands of all clients, or only writes, for <timeout> milliseconds.",
        "REPLY (ON|OFF|SKIP)",
        "    Turn the replies to this connection on or off, or skip the next one.",
        "SETNAME <name>",
        "    Name the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Release a client blocked by a blocking command.",
        "UNPAUSE",
        "    End a CLIENT PAUSE.",
    ];
    crate::cmd::reply_help(ctx, "CLIENT", lines);
}

fn client_id(ctx: &mut Ctx) {
    let id = ctx.c.id as i64;
    ctx.int(id);
}

fn client_info(ctx: &mut Ctx) {
    let mem = argv_mem(ctx.argv);
    let mut s = client_info_string(ctx.srv, ctx.c, mem);
    s.push('\n');
    ctx.out().verbatim("txt", s.as_bytes());
}

fn client_list(ctx: &mut Ctx) {
    let argc = ctx.argc();
    let mut filter_type = None;
    let mut ids: Option<Vec<u64>> = None;
    if argc == 4 && eq_ic(&ctx.argv[2], "type") {
        match client_type_by_name(&ctx.argv[3]) {
            Some(t) => filter_type = Some(t),
            None => {
                let e = format!("ERR Unknown client type '{}'", errors::sanitize(&ctx.argv[3], 128));
                ctx.error(&e);
                return;
            }
        }
    } else if argc > 3 && eq_ic(&ctx.argv[2], "id") {
        let mut v = Vec::new();
        for j in 3..argc {
            match vireo_resp::num::parse_i64(&ctx.argv[j]) {
                Some(n) => v.push(n as u64),
                None => {
                    ctx.error("ERR Invalid client ID");
                    return;
                }
            }
        }
        ids = Some(v);
    } else if argc != 2 {
        ctx.error(errors::SYNTAX);
        return;
    }
    let self_mem = argv_mem(ctx.argv);
    let mut out = String::new();
    let mut line = |srv: &Server, c: &Client, mem: usize| {
        out.push_str(&client_info_string(srv, c, mem));
        out.push('\n');
    };
    match ids {
        Some(ids) => {
            for id in ids {
                if id == ctx.c.id {
                    line(ctx.srv, ctx.c, self_mem);
                } else if let Some(&t) = ctx.srv.client_order.get(&id) {
                    if let Some(Some(c)) = ctx.srv.clients.get(t) {
                        line(ctx.srv, c, argv_mem(&c.argv));
                    }
                }
            }
        }
        None => {
            for (&id, &t) in ctx.srv.client_order.iter() {
                if id == ctx.c.id {
                    if filter_type.is_none_or(|ft| client_type(ctx.c) == ft) {
                        line(ctx.srv, ctx.c, self_mem);
                    }
                    continue;
                }
                if let Some(Some(c)) = ctx.srv.clients.get(t) {
                    if filter_type.is_none_or(|ft| client_type(c) == ft) {
                        line(ctx.srv, c, argv_mem(&c.argv));
                    }
                }
            }
        }
    }
    ctx.out().verbatim("txt", out.as_bytes());
}

fn client_reply(ctx: &mut Ctx) {
    let a = ctx.argv[2].clone();
    if eq_ic(&a, "on") {
        ctx.c.reply_mode = ReplyMode::On;
        ctx.ok();
    } else if eq_ic(&a, "off") {
        ctx.c.reply_mode = ReplyMode::Off;
    } else if eq_ic(&a, "skip") {
        if ctx.c.reply_mode != ReplyMode::Off {
            ctx.c.reply_mode = ReplyMode::SkipNext;
        }
    } else {
        ctx.error(errors::SYNTAX);
    }
}

fn client_no_evict(ctx: &mut Ctx) {
    let a = ctx.argv[2].clone();
    if eq_ic(&a, "on") {
        ctx.c.flags |= cflags::NO_EVICT;
        ctx.ok();
    } else if eq_ic(&a, "off") {
        ctx.c.flags &= !cflags::NO_EVICT;
        ctx.ok();
    } else {
        ctx.error(errors::SYNTAX);
    }
}

fn client_kill(ctx: &mut Ctx) {
    let argc = ctx.argc();
    let mut addr: Option<Vec<u8>> = None;
    let mut laddr: Option<Vec<u8>> = None;
    let mut user: Option<Vec<u8>> = None;
    let mut ctype: Option<ClientType> = None;
    let mut id: u64 = 0;
    let mut skipme = true;
    if argc == 3 {
        addr = Some(ctx.argv[2].to_vec());
        skipme = false;
    } else if argc > 3 {
        let mut i = 2;
        while i < argc {
            let more = argc > i + 1;
            let opt = ctx.argv[i].clone();
            if eq_ic(&opt, "id") && more {
                match vireo_resp::num::parse_i64(&ctx.argv[i + 1]) {
                    Some(n) if n >= 1 => id = n as u64,
                    _ => {
                        ctx.error("ERR client-id should be greater than 0");
                        return;
                    }
                }
            } else if eq_ic(&opt, "type") && more {
                match client_type_by_name(&ctx.argv[i + 1]) {
                    Some(t) => ctype = Some(t),
                    None => {
                        let e = format!("ERR Unknown client type '{}'", errors::sanitize(&ctx.argv[i + 1], 128));
                        ctx.error(&e);
                        return;
                    }
                }
            } else if eq_ic(&opt, "addr") && more {
                addr = Some(ctx.argv[i + 1].to_vec());
            } else if eq_ic(&opt, "laddr") && more {
                laddr = Some(ctx.argv[i + 1].to_vec());
            } else if eq_ic(&opt, "user") && more {
                if &ctx.argv[i + 1][..] != b"default" {
                    let e = format!("ERR No such user '{}'", errors::sanitize(&ctx.argv[i + 1], 128));
                    ctx.error(&e);
                    return;
                }
                user = Some(ctx.argv[i + 1].to_vec());
            } else if eq_ic(&opt, "skipme") && more {
                let v = ctx.argv[i + 1].clone();
                if eq_ic(&v, "yes") {
                    skipme = true;
                } else if eq_ic(&v, "no") {
                    skipme = false;
                } else {
                    ctx.error(errors::SYNTAX);
                    return;
                }
            } else {
                ctx.error(errors::SYNTAX);
                return;
            }
            i += 2;
        }
    } else {
        ctx.error(errors::SYNTAX);
        return;
    }
    let matches = |c: &Client| {
        addr.as_ref().is_none_or(|a| a[..] == *errors::cstr(c.addr.as_bytes()))
            && laddr.as_ref().is_none_or(|a| a[..] == *c.laddr.as_bytes())
            && ctype.is_none_or(|t| client_type(c) == t)
            && (id == 0 || c.id == id)
            && user.as_ref().is_none_or(|u| u[..] == *c.user.as_bytes())
    };
    let mut killed = 0;
    let mut close_self = false;
    let order: Vec<(u64, usize)> = ctx.srv.client_order.iter().map(|(&i, &t)| (i, t)).collect();
    for (cid, t) in order {
        if cid == ctx.c.id {
            if matches(ctx.c) && !skipme {
                close_self = true;
                killed += 1;
            }
            continue;
        }
        let hit = matches!(ctx.srv.clients.get(t), Some(Some(c)) if matches(c));
        if hit {
            ctx.srv.close_client_async(t);
            killed += 1;
        }
    }
    if argc == 3 {
        if killed == 0 {
            ctx.error("ERR No such client");
        } else {
            ctx.ok();
        }
    } else {
        ctx.int(killed);
    }
    if close_self {
        ctx.c.flags |= cflags::CLOSE_AFTER_REPLY;
    }
}

fn client_unblock(ctx: &mut Ctx) {
    if ctx.argc() == 4 {
        let r = ctx.argv[3].clone();
        if !eq_ic(&r, "timeout") && !eq_ic(&r, "error") {
            ctx.error("ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    let Some(id) = ctx.int_arg(2) else {
        return;
    };
    let as_error = ctx.argc() == 4 && eq_ic(&ctx.argv[3], "error");
    let token = ctx.srv.client_order.get(&(id as u64)).copied();
    let target = token.and_then(|t| crate::net::take_client(ctx.srv, t));
    let Some(mut target) = target else {
        ctx.int(0);
        return;
    };
    if target.block.is_none() {
        crate::net::put_client(ctx.srv, target);
        ctx.int(0);
        return;
    }
    if as_error {
        crate::blocking::error_client(ctx.srv, &mut target, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    } else {
        crate::blocking::timeout_client(ctx.srv, &mut target);
    }
    crate::net::put_client(ctx.srv, target);
    ctx.int(1);
}

fn client_setname(ctx: &mut Ctx) {
    let name = ctx.argv[2].clone();
    match crate::cmd::connection::set_client_name(ctx.c, &name) {
        Ok(()) => ctx.ok(),
        Err(e) => ctx.error(e),
    }
}

fn client_getname(ctx: &mut Ctx) {
    match ctx.c.name.clone() {
        Some(n) => ctx.bulk(&n),
        None => ctx.null(),
    }
}

fn client_getredir(ctx: &mut Ctx) {
    // client-side caching (TRACKING) is not implemented: no client ever redirects
    ctx.int(-1);
}

fn client_unpause(ctx: &mut Ctx) {
    unpause(ctx.srv);
    ctx.ok();
}

fn client_pause(ctx: &mut Ctx) {
    let mut kind = PauseKind::All;
    if ctx.argc() == 4 {
        let m = ctx.argv[3].clone();
        if eq_ic(&m, "write") {
            kind = PauseKind::Write;
        } else if eq_ic(&m, "all") {
            kind = PauseKind::All;
        } else {
            ctx.error("ERR CLIENT PAUSE mode must be WRITE or ALL");
            return;
        }
    }
    let Some(end) = parse_timeout_ms(ctx, 2) else {
        return;
    };
    let p = &mut ctx.srv.pause;
    let now = ctx.srv.cached_ms;
    if p.kind == PauseKind::Off || now >= p.end_ms {
        p.kind = kind;
        p.end_ms = end;
    } else {
        if kind == PauseKind::All {
            p.kind = PauseKind::All;
        }
        p.end_ms = p.end_ms.max(end);
    }
    ctx.ok();
}

/// Redis's getTimeoutFromObjectOrReply in milliseconds: an absolute deadline, 0 for none.
pub fn parse_timeout_ms(ctx: &mut Ctx, i: usize) -> Option<i64> {
    let Some(t) = vireo_resp::num::parse_i64(&ctx.argv[i]) else {
        ctx.error("ERR timeout is not an integer or out of range");
        return None;
    };
    if t < 0 {
        ctx.error("ERR timeout is negative");
        return None;
    }
    if t == 0 {
        return Some(0);
    }
    let now = crate::server::now_ms();
    if t > i64::MAX - now {
        ctx.error("ERR timeout is out of range");
        return None;
    }
    Some(t + now)
}

/// Ends a pause and lets the held clients run their pending commands.
pub fn unpause(srv: &mut Server) {
    srv.pause.kind = PauseKind::Off;
    srv.pause.end_ms = 0;
    release_paused(srv);
}

/// Lets the clients held by a pause run their pending commands (a pause still in force, e.g.
/// FAILOVER's or a waiting shutdown's, holds them again).
pub fn release_paused(srv: &mut Server) {
    let held = std::mem::take(&mut srv.paused_clients);
    for t in held {
        if let Some(mut c) = crate::net::take_client(srv, t) {
            c.flags &= !cflags::PAUSED;
            crate::net::process_input(srv, &mut c);
            if c.pending_output() > 0 {
                srv.schedule_write(&mut c);
            }
            crate::net::put_client(srv, c);
        }
    }
}
