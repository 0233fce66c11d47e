//! Server administration commands of the core: SHUTDOWN (and the shutdown sequence that
//! signals also use), TIME, LASTSAVE, ROLE (master form until replication exists), MONITOR.

use crate::client::cflags;
use crate::command::*;
use crate::errors;
use crate::exec::Ctx;
use crate::net::EventLoop;
use crate::server::{Server, ShutdownFlags};
use crate::util::eq_ic;
use crate::{log_notice, log_warning};
use std::sync::atomic::Ordering;

const S_SHUTDOWN: &str = "Stops the server, saving first when configured or asked to.";
const S_TIME: &str = "Returns the server's clock.";
const S_LASTSAVE: &str = "Returns the Unix time of the last successful save.";
const S_ROLE: &str = "Returns the replication role of the server.";
const S_MONITOR: &str = "Streams every command the server runs to this connection.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "shutdown",
        arity: -1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::NO_MULTI | flags::ALLOW_BUSY,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_SHUTDOWN, since: "1.0.0", group: Group::Server, complexity: Some("O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "nosave_save", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "nosave", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NOSAVE"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "save", typ: ArgType::PureToken, key_spec_index: -1, token: Some("SAVE"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "now", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NOW"), summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "force", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FORCE"), summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "abort", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ABORT"), summary: None, since: Some("7.0.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(shutdown),
        subcommands: &[],
    },
    CommandSpec {
        name: "time",
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::FAST,
        tips: &["nondeterministic_output"],
        key_specs: &[],
        doc: Doc { summary: S_TIME, since: "2.6.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(time),
        subcommands: &[],
    },
    CommandSpec {
        name: "lastsave",
        arity: 1,
        flags: flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::ADMIN | acl::FAST | acl::DANGEROUS,
        tips: &["nondeterministic_output"],
        key_specs: &[],
        doc: Doc { summary: S_LASTSAVE, since: "1.0.0", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(lastsave),
        subcommands: &[],
    },
    CommandSpec {
        name: "role",
        arity: 1,
        flags: flags::NOSCRIPT | flags::LOADING | flags::STALE | flags::FAST,
        acl: acl::ADMIN | acl::FAST | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_ROLE, since: "2.8.12", group: Group::Server, complexity: Some("O(1)"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(role),
        subcommands: &[],
    },
    CommandSpec {
        name: "monitor",
        arity: 1,
        flags: flags::ADMIN | flags::NOSCRIPT | flags::LOADING | flags::STALE,
        acl: acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_MONITOR, since: "1.0.0", group: Group::Server, complexity: None, deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[] },
        handler: Some(monitor),
        subcommands: &[],
    },
];

fn shutdown(ctx: &mut Ctx) {
    let mut f = ShutdownFlags::default();
    let mut abort = false;
    for a in &ctx.argv[1..] {
        if eq_ic(a, "nosave") {
            f.nosave = true;
        } else if eq_ic(a, "save") {
            f.save = true;
        } else if eq_ic(a, "now") {
            f.now = true;
        } else if eq_ic(a, "force") {
            f.force = true;
        } else if eq_ic(a, "abort") {
            abort = true;
        } else {
            ctx.error(errors::SYNTAX);
            return;
        }
    }
    let any = f.nosave || f.save || f.now || f.force;
    if (abort && any) || (f.nosave && f.save) {
        ctx.error(errors::SYNTAX);
        return;
    }
    if ctx.srv.loading {
        // a partly loaded dataset is never saved over the file it comes from
        f.save = false;
        f.nosave = true;
    }
    if abort {
        if abort_shutdown(ctx.srv) {
            ctx.ok();
        } else {
            ctx.error("ERR No shutdown in progress.");
        }
        return;
    }
    let outcome = if ctx.srv.shutdown_wait.is_some() { Shutdown::Waiting } else { prepare_for_shutdown(ctx.srv, f) };
    match outcome {
        Shutdown::Now => {
            ctx.srv.shutdown_requested = Some(f);
            ctx.c.flags |= cflags::CLOSE_ASAP;
        }
        Shutdown::Waiting => {
            // the caller waits for the outcome: the process exits, or it gets an error
            ctx.block_for_acks(0, 0, 0);
            let id = ctx.c.id;
            if let Some(w) = &mut ctx.srv.shutdown_wait {
                w.blocked.push(id);
            }
        }
        Shutdown::Failed => ctx.error("ERR Errors trying to SHUTDOWN. Check logs."),
    }
}

/// What asking for a shutdown led to.
enum Shutdown {
    /// Everything is done: the process may exit.
    Now,
    /// Waiting for replicas to catch up (up to shutdown-timeout).
    Waiting,
    /// The final save failed: the server keeps running.
    Failed,
}

fn prepare_for_shutdown(srv: &mut Server, f: ShutdownFlags) -> Shutdown {
    log_warning!("User requested shutdown...");
    // replicas get the chance to acknowledge everything first, so that no write is lost
    if !f.now && srv.config.shutdown_timeout != 0 && !replicas_in_sync(srv) {
        srv.shutdown_wait = Some(crate::server::ShutdownWait {
            flags: f,
            deadline_ms: srv.mstime() + srv.config.shutdown_timeout as i64 * 1000,
            blocked: Vec::new(),
        });
        srv.repl.getack_pending = true;
        srv.pause.shutdown = true;
        log_notice!("Waiting for replicas before shutting down.");
        return Shutdown::Waiting;
    }
    match finish_shutdown(srv, f) {
        Ok(()) => Shutdown::Now,
        Err(()) => Shutdown::Failed,
    }
}

/// Every replica acknowledged our whole stream (or there is none).
fn replicas_in_sync(srv: &Server) -> bool {
    let end = srv.prop.repl_offset;
    crate::repl::master::replica_rows(srv).iter().all(|r| r.ack_off == end)
}

/// The last steps before exiting: report lagging replicas, stop the children, save.
fn finish_shutdown(srv: &mut Server, f: ShutdownFlags) -> Result<(), ()> {
    let end = srv.prop.repl_offset;
    let rows = crate::repl::master::replica_rows(srv);
    let mut lagging = 0;
    for r in &rows {
        if r.ack_off != end {
            lagging += 1;
            log_warning!(
                "Lagging replica {}:{} reported offset {} behind master, lag={}, state={}.",
                r.ip,
                r.port,
                end as i64 - r.ack_off as i64,
                r.lag,
                r.state.info_name()
            );
        }
    }
    if !rows.is_empty() {
        log_notice!("{} of {} replicas are in sync when shutting down.", rows.len() - lagging, rows.len());
    }
    if srv.rdb.child.is_some() {
        log_warning!("There is a child saving an .rdb. Killing it!");
        crate::persist::kill_child(srv);
    }
    if srv.aof.child.is_some() {
        // the AOF that exists already holds the whole dataset, except while the first one
        // is being written
        if srv.aof.wait_rewrite {
            if f.force {
                log_warning!("Writing initial AOF. Exit anyway.");
            } else {
                log_warning!("Writing initial AOF, can't exit.");
                log_warning!("Errors trying to shut down the server. Check the logs for more information.");
                return Err(());
            }
        }
        log_warning!("There is a child rewriting the AOF. Killing it!");
    }
    crate::aof::shutdown(srv);
    let save_points = !srv.config.save.is_empty();
    if (save_points && !f.nosave) || f.save {
        log_notice!("Saving the final RDB snapshot before exiting.");
        if crate::persist::save(srv).is_err() {
            if !f.force {
                log_warning!("Error trying to save the DB, can't exit.");
                log_warning!("Errors trying to shut down the server. Check the logs for more information.");
                return Err(());
            }
            log_warning!("Error trying to save the DB. Exit anyway.");
        }
    }
    Ok(())
}

/// Ends a waiting shutdown without exiting: the waiting SHUTDOWN callers get an error.
fn cancel_shutdown(srv: &mut Server) {
    let Some(w) = srv.shutdown_wait.take() else { return };
    srv.pause.shutdown = false;
    srv.shutdown_asap.store(false, Ordering::SeqCst);
    srv.signal_int.store(false, Ordering::SeqCst);
    srv.signal_term.store(false, Ordering::SeqCst);
    for id in w.blocked {
        let Some(&t) = srv.client_order.get(&id) else { continue };
        if let Some(mut c) = crate::net::take_client(srv, t) {
            crate::blocking::error_client(srv, &mut c, "ERR Errors trying to SHUTDOWN. Check logs.");
            crate::net::put_client(srv, c);
        }
    }
    crate::cmd::client::release_paused(srv);
}

/// SHUTDOWN ABORT: stops a shutdown that waits for replicas (or one a signal asked for that
/// has not started). False when there is none.
fn abort_shutdown(srv: &mut Server) -> bool {
    if srv.shutdown_wait.is_some() {
        cancel_shutdown(srv);
    } else if srv.shutdown_asap.load(Ordering::SeqCst) {
        srv.shutdown_asap.store(false, Ordering::SeqCst);
    } else {
        return false;
    }
    log_notice!("Shutdown manually aborted.");
    true
}

/// Called by the cron: a waiting shutdown finishes once the replicas caught up or the
/// timeout passed.
pub fn shutdown_cron(srv: &mut Server) {
    let Some(w) = srv.shutdown_wait.clone() else { return };
    if srv.mstime() < w.deadline_ms && !replicas_in_sync(srv) {
        return;
    }
    match finish_shutdown(srv, w.flags) {
        Ok(()) => {
            srv.shutdown_wait = None;
            srv.shutdown_requested = Some(w.flags);
        }
        Err(()) => cancel_shutdown(srv),
    }
}

/// The flags of a shutdown started by a signal: `shutdown-on-sigint` / `shutdown-on-sigterm`
/// ("default" is no flag).
fn signal_shutdown_flags(srv: &Server) -> ShutdownFlags {
    let cfg = if srv.signal_int.load(Ordering::SeqCst) {
        srv.config.shutdown_on_sigint
    } else {
        srv.config.shutdown_on_sigterm
    };
    use vireo_config::ShutdownFlags as C;
    ShutdownFlags {
        save: cfg.0 & C::SAVE != 0,
        nosave: cfg.0 & C::NOSAVE != 0,
        now: cfg.0 & C::NOW != 0,
        force: cfg.0 & C::FORCE != 0,
        signal: true,
    }
}

/// Called by the event loop when a shutdown was requested (command or signal). Returns the exit
/// code when the server must exit now.
pub fn try_shutdown(srv: &mut Server, el: &mut EventLoop) -> Option<i32> {
    if srv.shutdown_requested.is_none() {
        if srv.shutdown_wait.is_some() {
            // waiting for replicas: the cron finishes it
            return None;
        }
        // from a signal; a failure cancels it, as Redis's cancelShutdown does
        let mut f = signal_shutdown_flags(srv);
        if srv.loading {
            f.save = false;
            f.nosave = true;
        }
        match prepare_for_shutdown(srv, f) {
            Shutdown::Now => {}
            Shutdown::Waiting => return None,
            Shutdown::Failed => {
                srv.shutdown_asap.store(false, Ordering::SeqCst);
                srv.signal_int.store(false, Ordering::SeqCst);
                srv.signal_term.store(false, Ordering::SeqCst);
                return None;
            }
        }
    }
    // let the client that asked see its connection close cleanly, then leave
    crate::net::before_sleep(srv);
    if !srv.config.pidfile.is_empty() {
        log_notice!("Removing the pid file.");
        let _ = std::fs::remove_file(&srv.config.pidfile);
    }
    let _ = el;
    crate::net::close_listeners(srv);
    log_warning!("{} is now ready to exit, bye bye...", "Redis");
    Some(0)
}

fn time(ctx: &mut Ctx) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
    let out = ctx.out();
    out.array(2);
    out.bulk_int(now.as_secs() as i64);
    out.bulk_int(now.subsec_micros() as i64);
}

fn lastsave(ctx: &mut Ctx) {
    let t = ctx.srv.lastsave;
    ctx.int(t);
}

fn role(ctx: &mut Ctx) {
    if ctx.srv.masterhost.is_some() {
        crate::repl::replica::role_reply(ctx);
        return;
    }
    let offset = ctx.srv.prop.repl_offset;
    let rows: Vec<_> = crate::repl::master::replica_rows(ctx.srv)
        .into_iter()
        .filter(|r| r.state == crate::repl::master::SyncState::Online)
        .collect();
    let out = ctx.out();
    out.array(3);
    out.bulk(b"master");
    out.int(offset as i64);
    out.array(rows.len());
    for r in rows {
        out.array(3);
        out.bulk(r.ip.as_bytes());
        out.bulk(r.port.to_string().as_bytes());
        out.bulk(r.ack_off.to_string().as_bytes());
    }
}

fn monitor(ctx: &mut Ctx) {
    if ctx.c.has(cflags::SLAVE) {
        return;
    }
    ctx.c.flags |= cflags::SLAVE | cflags::MONITOR;
    let t = ctx.c.token;
    ctx.srv.monitors.push(t);
    ctx.ok();
}
