//! Connection commands: PING, ECHO, QUIT, RESET, AUTH, HELLO, SELECT. They change the state of
//! the calling connection only (protocol, database, name, authentication).

use crate::client::{cflags, Client, ReplyMode};
use crate::command::*;
use crate::errors;
use crate::exec::Ctx;
use crate::util::eq_ic;
use vireo_resp::Proto;

const S_PING: &str = "Checks that the server answers; returns PONG or the given message.";
const S_ECHO: &str = "Returns the given message.";
const S_QUIT: &str = "Closes the connection after replying.";
const S_RESET: &str = "Resets the connection to its initial state.";
const S_AUTH: &str = "Authenticates the connection.";
const S_HELLO: &str = "Negotiates the protocol version, optionally authenticating and naming the connection.";
const S_SELECT: &str = "Changes the database of the connection.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "ping",
        arity: -1,
        flags: flags::FAST,
        acl: acl::FAST | acl::CONNECTION,
        tips: &["request_policy:all_shards", "response_policy:all_succeeded"],
        key_specs: &[],
        doc: Doc {
            summary: S_PING,
            since: "1.0.0",
            group: Group::Connection,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[Arg {
                name: "message",
                typ: ArgType::String,
                key_spec_index: -1,
                token: None,
                summary: None,
                since: None,
                flags: argflags::OPTIONAL,
                deprecated_since: None,
                display: None,
                subargs: &[],
            }],
        },
        handler: Some(ping),
        subcommands: &[],
    },
    CommandSpec {
        name: "echo",
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::FAST | acl::CONNECTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_ECHO,
            since: "1.0.0",
            group: Group::Connection,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[Arg {
                name: "message",
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
        handler: Some(echo),
        subcommands: &[],
    },
    CommandSpec {
        name: "quit",
        arity: -1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::CONNECTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_QUIT,
            since: "1.0.0",
            group: Group::Connection,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[],
        },
        handler: Some(quit),
        subcommands: &[],
    },
    CommandSpec {
        name: "reset",
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::CONNECTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_RESET,
            since: "6.2.0",
            group: Group::Connection,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[],
        },
        handler: Some(reset),
        subcommands: &[],
    },
    CommandSpec {
        name: "auth",
        arity: -2,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::CONNECTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_AUTH,
            since: "1.0.0",
            group: Group::Connection,
            complexity: Some("O(N) where N is the number of passwords defined for the user"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[
                Arg {
                    name: "username",
                    typ: ArgType::String,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: Some("6.0.0"),
                    flags: argflags::OPTIONAL,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
                Arg {
                    name: "password",
                    typ: ArgType::String,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
            ],
        },
        handler: Some(auth),
        subcommands: &[],
    },
    CommandSpec {
        name: "hello",
        arity: -1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST | flags::NO_AUTH | flags::ALLOW_BUSY,
        acl: acl::FAST | acl::CONNECTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_HELLO,
            since: "6.0.0",
            group: Group::Connection,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[Arg {
                name: "arguments",
                typ: ArgType::Block,
                key_spec_index: -1,
                token: None,
                summary: None,
                since: None,
                flags: argflags::OPTIONAL,
                deprecated_since: None,
                display: None,
                subargs: &[
                    Arg {
                        name: "protover",
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
                        name: "username_password",
                        typ: ArgType::Block,
                        key_spec_index: -1,
                        token: Some("AUTH"),
                        summary: None,
                        since: None,
                        flags: argflags::OPTIONAL,
                        deprecated_since: None,
                        display: None,
                        subargs: &[
                            Arg {
                                name: "username",
                                typ: ArgType::String,
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
                                name: "password",
                                typ: ArgType::String,
                                key_spec_index: -1,
                                token: None,
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
                        name: "clientname",
                        typ: ArgType::String,
                        key_spec_index: -1,
                        token: Some("SETNAME"),
                        summary: None,
                        since: None,
                        flags: argflags::OPTIONAL,
                        deprecated_since: None,
                        display: None,
                        subargs: &[],
                    },
                ],
            }],
        },
        handler: Some(hello),
        subcommands: &[],
    },
    CommandSpec {
        name: "select",
        arity: 2,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::FAST | acl::CONNECTION,
        tips: &[],
        key_specs: &[],
        doc: Doc {
            summary: S_SELECT,
            since: "1.0.0",
            group: Group::Connection,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[Arg {
                name: "index",
                typ: ArgType::Integer,
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
        handler: Some(select),
        subcommands: &[],
    },
];

fn ping(ctx: &mut Ctx) {
    if ctx.argc() > 2 {
        ctx.wrong_arity();
        return;
    }
    if ctx.c.has(cflags::PUBSUB) && !ctx.c.resp3() {
        let msg = if ctx.argc() == 2 { ctx.argv[1].clone() } else { bytes::Bytes::new() };
        let out = ctx.out();
        out.array(2);
        out.bulk(b"pong");
        out.bulk(&msg);
    } else if ctx.argc() == 1 {
        ctx.out().simple("PONG");
    } else {
        let m = ctx.argv[1].clone();
        ctx.bulk(&m);
    }
}

fn echo(ctx: &mut Ctx) {
    let m = ctx.argv[1].clone();
    ctx.bulk(&m);
}

fn quit(ctx: &mut Ctx) {
    ctx.ok();
    ctx.c.flags |= cflags::CLOSE_AFTER_REPLY;
}

fn reset(ctx: &mut Ctx) {
    // a MONITOR client carries the replica flag too: it may reset
    let mut flags = ctx.c.flags;
    if flags & cflags::MONITOR != 0 {
        flags &= !(cflags::MONITOR | cflags::SLAVE);
    }
    if flags & (cflags::SLAVE | cflags::MASTER) != 0 {
        ctx.error("ERR can only reset normal client connections");
        return;
    }
    clear_connection_state(ctx);
    ctx.out().simple("RESET");
}

/// What RESET undoes: MONITOR, database, protocol, authentication, transaction, subscriptions,
/// name and reply mode.
fn clear_connection_state(ctx: &mut Ctx) {
    if ctx.c.has(cflags::MONITOR) {
        let t = ctx.c.token;
        ctx.srv.monitors.retain(|&m| m != t);
        ctx.c.flags &= !(cflags::MONITOR | cflags::SLAVE);
    }
    crate::cmd::multi::discard_transaction(ctx.srv, ctx.c);
    crate::cmd::pubsub::unsubscribe_all(ctx.srv, ctx.c);
    ctx.c.db = 0;
    ctx.c.reply.rb.proto = Proto::Resp2;
    ctx.c.authenticated = !ctx.srv.auth_required();
    ctx.c.user = "default".to_string();
    ctx.c.flags &= !(cflags::MULTI
        | cflags::DIRTY_CAS
        | cflags::DIRTY_EXEC
        | cflags::PUBSUB
        | cflags::NO_EVICT
        | cflags::NO_TOUCH);
    ctx.c.name = None;
    ctx.c.reply_mode = ReplyMode::On;
}

/// Checks a password against requirepass (the default user of the coming ACL system).
fn check_password(ctx: &Ctx, user: &[u8], pass: &[u8]) -> bool {
    if user != b"default" {
        return false;
    }
    let req = &ctx.srv.config.requirepass;
    if req.is_empty() {
        return true;
    }
    crate::util::time_independent_eq(req.as_bytes(), pass)
}

fn auth(ctx: &mut Ctx) {
    if ctx.argc() > 3 {
        ctx.error(errors::SYNTAX);
        return;
    }
    ctx.redact(1);
    let (user, pass) = if ctx.argc() == 2 {
        if !ctx.srv.auth_required() {
            ctx.error(errors::AUTH_NO_PASSWORD);
            return;
        }
        (bytes::Bytes::from_static(b"default"), ctx.argv[1].clone())
    } else {
        ctx.redact(2);
        (ctx.argv[1].clone(), ctx.argv[2].clone())
    };
    if check_password(ctx, &user, &pass) {
        ctx.c.authenticated = true;
        ctx.c.user = String::from_utf8_lossy(&user).into_owned();
        ctx.ok();
    } else {
        ctx.error(errors::WRONGPASS);
    }
}

/// Validates and sets a client name (CLIENT SETNAME, HELLO SETNAME). Empty clears it.
pub fn set_client_name(c: &mut Client, name: &[u8]) -> Result<(), &'static str> {
    if name.is_empty() {
        c.name = None;
        return Ok(());
    }
    if name.iter().any(|&b| !(b'!'..=b'~').contains(&b)) {
        return Err("ERR Client names cannot contain spaces, newlines or special characters.");
    }
    c.name = Some(bytes::Bytes::copy_from_slice(name));
    Ok(())
}

fn hello(ctx: &mut Ctx) {
    let mut ver = 0;
    let mut next = 1;
    if ctx.argc() >= 2 {
        match vireo_resp::num::parse_i64(&ctx.argv[1]) {
            Some(v) => ver = v,
            None => {
                ctx.error("ERR Protocol version is not an integer or out of range");
                return;
            }
        }
        next = 2;
        if !(2..=3).contains(&ver) {
            ctx.error("NOPROTO unsupported protocol version");
            return;
        }
    }
    let mut j = next;
    while j < ctx.argc() {
        let more = ctx.argc() - 1 - j;
        let opt = ctx.argv[j].clone();
        if eq_ic(&opt, "auth") && more >= 2 {
            ctx.redact(j + 1);
            ctx.redact(j + 2);
            let (u, p) = (ctx.argv[j + 1].clone(), ctx.argv[j + 2].clone());
            if !check_password(ctx, &u, &p) {
                ctx.error(errors::WRONGPASS);
                return;
            }
            ctx.c.authenticated = true;
            ctx.c.user = String::from_utf8_lossy(&u).into_owned();
            j += 3;
        } else if eq_ic(&opt, "setname") && more >= 1 {
            let name = ctx.argv[j + 1].clone();
            if let Err(e) = set_client_name(ctx.c, &name) {
                ctx.error(e);
                return;
            }
            j += 2;
        } else {
            let e = format!("ERR Syntax error in HELLO option '{}'", errors::sanitize(&opt, 128));
            ctx.error(&e);
            return;
        }
    }
    if !ctx.c.authenticated {
        ctx.error("NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time");
        return;
    }
    if ver == 3 {
        ctx.c.reply.rb.proto = Proto::Resp3;
    } else if ver == 2 {
        ctx.c.reply.rb.proto = Proto::Resp2;
    }
    let id = ctx.c.id as i64;
    let proto = if ctx.c.resp3() { 3 } else { 2 };
    let replica = ctx.srv.masterhost.is_some();
    let out = ctx.out();
    out.map(7);
    out.bulk(b"server");
    out.bulk(b"redis");
    out.bulk(b"version");
    out.bulk(crate::REDIS_VERSION.as_bytes());
    out.bulk(b"proto");
    out.int(proto);
    out.bulk(b"id");
    out.int(id);
    out.bulk(b"mode");
    out.bulk(b"standalone");
    out.bulk(b"role");
    out.bulk(if replica { b"replica" } else { b"master" });
    out.bulk(b"modules");
    out.array(0);
}

fn select(ctx: &mut Ctx) {
    let Some(n) = vireo_resp::num::parse_i64(&ctx.argv[1]) else {
        ctx.error(errors::NOT_INTEGER);
        return;
    };
    // Redis's getIntFromObjectOrReply: an integer outside the int range has its own error
    let Ok(id) = i32::try_from(n) else {
        ctx.error("ERR value is out of range, value must between -2147483648 and 2147483647");
        return;
    };
    if id < 0 || id as usize >= ctx.srv.ks.dbs.len() {
        ctx.error(errors::DB_INDEX);
        return;
    }
    ctx.c.db = id as usize;
    ctx.ok();
}

/// Redis's getIntFromObject: a strict i64 that must also fit in an i32.
pub fn parse_int32(b: &[u8]) -> Option<i32> {
    vireo_resp::num::parse_i64(b).and_then(|n| i32::try_from(n).ok())
}
