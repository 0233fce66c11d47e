//! CONFIG and its subcommands: GET, SET (atomic over several parameters, with the side effects
//! applied through the server and rolled back on failure), RESETSTAT, REWRITE, HELP. The value
//! logic lives in vireo-config; this file owns the side effects on the running server.

use crate::command::*;
use crate::exec::Ctx;
use crate::log_warning;
use crate::server::Server;
use vireo_config::{apply_hooks, set_failed, ApplyHook, RewriteExtras, SetContext};

const S_CONFIG: &str = "Commands that read and change the server configuration.";
const S_CONFIG_GET: &str = "Returns the values of the parameters matching the given patterns.";
const S_CONFIG_HELP: &str = "Lists the CONFIG subcommands.";
const S_CONFIG_RESETSTAT: &str = "Resets the statistics INFO reports.";
const S_CONFIG_REWRITE: &str = "Writes the running configuration back into the configuration file.";
const S_CONFIG_SET: &str = "Changes parameters at runtime, all of them or none.";

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "config",
    arity: -2,
    flags: 0,
    acl: acl::SLOW,
    tips: &[],
    key_specs: &[],
    doc: Doc {
        summary: S_CONFIG,
        since: "2.0.0",
        group: Group::Server,
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
            name: "get",
            arity: -3,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CONFIG_GET,
                since: "2.0.0",
                group: Group::Server,
                complexity: Some("O(N) when N is the number of configuration parameters provided"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "parameter",
                    typ: ArgType::Block,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: argflags::MULTIPLE,
                    deprecated_since: None,
                    display: None,
                    subargs: &[Arg {
                        name: "parameter",
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
                }],
            },
            handler: Some(config_get),
            subcommands: &[],
        },
        CommandSpec {
            name: "help",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SLOW,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CONFIG_HELP,
                since: "5.0.0",
                group: Group::Server,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(config_help),
            subcommands: &[],
        },
        CommandSpec {
            name: "resetstat",
            arity: 2,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CONFIG_RESETSTAT,
                since: "2.0.0",
                group: Group::Server,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(config_resetstat),
            subcommands: &[],
        },
        CommandSpec {
            name: "rewrite",
            arity: 2,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_CONFIG_REWRITE,
                since: "2.8.0",
                group: Group::Server,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(config_rewrite),
            subcommands: &[],
        },
        CommandSpec {
            name: "set",
            arity: -4,
            flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
            acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
            tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
            key_specs: &[],
            doc: Doc {
                summary: S_CONFIG_SET,
                since: "2.0.0",
                group: Group::Server,
                complexity: Some("O(N) when N is the number of configuration parameters provided"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "parameter_value",
                    typ: ArgType::Block,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: argflags::MULTIPLE,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "parameter",
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
                            name: "value",
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
                }],
            },
            handler: Some(config_set),
            subcommands: &[],
        },
    ],
}];

fn config_get(ctx: &mut Ctx) {
    let patterns: Vec<&[u8]> = ctx.argv[2..].iter().map(|a| &a[..]).collect();
    let pairs = ctx.srv.config.get(&patterns);
    let out = ctx.out();
    out.map(pairs.len());
    for (k, v) in pairs {
        out.bulk(k.as_bytes());
        out.bulk(v.as_bytes());
    }
}

fn config_set(ctx: &mut Ctx) {
    let argc = ctx.argc();
    if !argc.is_multiple_of(2) {
        // a name without its value
        ctx.error("ERR syntax error");
        return;
    }
    // values of sensitive parameters stay out of the slowlog and MONITOR
    for i in (2..argc).step_by(2) {
        if vireo_config::is_sensitive(&ctx.argv[i]) {
            ctx.redact(i + 1);
        }
    }
    let pairs: Vec<(&[u8], &[u8])> = (2..argc).step_by(2).map(|i| (&ctx.argv[i][..], &ctx.argv[i + 1][..])).collect();
    let local = ctx.c.has(crate::client::cflags::UNIX_SOCKET)
        || ctx.c.addr.starts_with("127.0.0.1:")
        || ctx.c.addr.starts_with("[::1]:");
    let sctx = SetContext { loading: ctx.srv.loading, local_client: local };
    let records = match ctx.srv.config.set_with(&pairs, &sctx) {
        Ok(r) => r,
        Err(e) => {
            ctx.error(&e);
            return;
        }
    };
    for (hook, name) in apply_hooks(&records) {
        if let Err(msg) = apply(ctx.srv, hook) {
            let hooks: Vec<ApplyHook> = apply_hooks(&records).into_iter().map(|(h, _)| h).collect();
            ctx.srv.config.rollback(records);
            for h in hooks {
                let _ = apply(ctx.srv, h);
            }
            sync_derived_state(ctx.srv);
            ctx.error(&set_failed(name, &msg));
            return;
        }
    }
    sync_derived_state(ctx.srv);
    ctx.ok();
}

/// State the server derives from the configuration (read at every change).
pub fn sync_derived_state(srv: &mut Server) {
    crate::log::set_level(crate::startup::log_level(srv.config.loglevel));
    srv.prop.aof_timestamps = srv.config.aof_timestamp_enabled;
}

/// Runs one apply hook; the error is Redis's message for it.
fn apply(srv: &mut Server, hook: ApplyHook) -> Result<(), String> {
    match hook {
        ApplyHook::Port => {
            crate::net::listen_tcp(srv).map_err(|_| "Unable to listen on this port. Check server logs.".to_string())
        }
        ApplyHook::Bind => {
            crate::net::listen_tcp(srv).map_err(|_| "Failed to bind to specified addresses.".to_string())
        }
        ApplyHook::Dir => std::env::set_current_dir(&srv.config.dir)
            .map_err(|e| crate::util::strerror(e.raw_os_error().unwrap_or(libc::EINVAL))),
        ApplyHook::Hz => {
            srv.hz = srv.config.hz.clamp(1, 500) as u32;
            Ok(())
        }
        ApplyHook::Maxclients => {
            let wanted = srv.config.maxclients as u64;
            let got = crate::startup::adjust_open_files_limit(wanted);
            if got < wanted {
                srv.config.maxclients = got as _;
                return Err(format!(
                    "The operating system is not able to handle the specified number of clients, try with {}",
                    got
                ));
            }
            Ok(())
        }
        ApplyHook::Appendonly => {
            if srv.config.appendonly {
                crate::aof::start(srv)
            } else {
                crate::aof::stop(srv);
                Ok(())
            }
        }
        ApplyHook::Maxmemory => {
            crate::evict::maxmemory_changed(srv);
            Ok(())
        }
        ApplyHook::AofAutoGc => {
            crate::aof::gc_history(srv);
            Ok(())
        }
        ApplyHook::ReplBacklogSize => {
            if let Some(b) = &mut srv.prop.backlog {
                b.set_size(srv.config.repl_backlog_size.max(1) as u64);
            }
            Ok(())
        }
        // requirepass is read at each authentication; the rest have no runtime machinery yet
        // (their values are stored and shown, as the startup log says)
        _ => Ok(()),
    }
}

fn config_resetstat(ctx: &mut Ctx) {
    reset_stats(ctx.srv);
    ctx.ok();
}

/// CONFIG RESETSTAT: the server counters, the command table's and the error table's.
pub fn reset_stats(srv: &mut Server) {
    let keep_max_in = srv.stats.client_max_input_buffer;
    let keep_max_out = srv.stats.client_max_output_buffer;
    srv.stats = Default::default();
    srv.stats.client_max_input_buffer = keep_max_in;
    srv.stats.client_max_output_buffer = keep_max_out;
    srv.inst = Default::default();
    for s in srv.cmd_stats.iter_mut() {
        *s = Default::default();
    }
    for db in srv.ks.dbs.iter_mut() {
        db.stats = Default::default();
    }
    srv.expire_cycle.stale_perc = 0.0;
    srv.expire_cycle.time_cap_reached = 0;
    srv.expire_cycle.time_used_us = 0;
    srv.lazyfreed_objects.store(0, std::sync::atomic::Ordering::Relaxed);
    srv.evict.total_exceeded_us = 0;
    srv.evict.exceeded_since = None;
}

fn config_rewrite(ctx: &mut Ctx) {
    let Some(path) = ctx.srv.config_file.clone() else {
        ctx.error("ERR The server is running without a config file");
        return;
    };
    let extras = RewriteExtras { users: Some(vec![default_user_line(ctx.srv)]), loadmodules: Some(vec![]) };
    match ctx.srv.config.rewrite_with(&path, &extras) {
        Ok(()) => {
            log_warning!("CONFIG REWRITE executed with success.");
            ctx.ok();
        }
        Err(e) => {
            log_warning!("CONFIG REWRITE failed: {}", e);
            ctx.error(&format!("ERR Rewriting config file: {}", e));
        }
    }
}

/// The ACL line of the default user as Redis writes it (ACL itself arrives later; the default
/// user is "nopass" or has requirepass's SHA-256).
fn default_user_line(srv: &Server) -> String {
    use sha2::{Digest, Sha256};
    let pass = &srv.config.requirepass;
    if pass.is_empty() {
        "user default on nopass ~* &* +@all".to_string()
    } else {
        let h = Sha256::digest(pass.as_bytes());
        let hex: String = h.iter().map(|b| format!("{:02x}", b)).collect();
        format!("user default on #{} ~* &* +@all", hex)
    }
}

fn config_help(ctx: &mut Ctx) {
    let lines: &[&str] = &[
        "GET <pattern> [<pattern> ...]",
        "    Return the parameters matching the glob-like patterns and their values.",
        "SET <directive> <value> [<directive> <value> ...]",
        "    Set the parameters to the values, all of them or none.",
        "RESETSTAT",
        "    Reset the statistics reported by INFO.",
        "REWRITE",
        "    Write the running configuration into the configuration file.",
    ];
    crate::cmd::reply_help(ctx, "CONFIG", lines);
}
