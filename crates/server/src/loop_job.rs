//! Long jobs that a command hands to the event loop so that other clients are served while
//! they run: DEBUG RELOAD and DEBUG LOADAOF load the whole dataset, as the load at startup
//! does, in the loading state (-LOADING, INFO's loading fields) with clients served between
//! chunks. A handler cannot reach the event loop, so it submits the job here: the job is
//! queued and its client held (flag `LOOP_JOB`: its further input is neither read nor run,
//! like Redis's protected client); the loop runs the queue after the current round, passing
//! `EventLoop::process_events_while_blocked` for the pauses, then writes each job's reply to
//! its client and lets it go on. Inside EXEC (or for a client without a connection) the job
//! runs at once instead, serving no one meanwhile. This module owns the queue and the hand-over
//! only: what a job does lives in `persist` and `aof`, the sockets in `net`.

use crate::client::{cflags, Client, ReplyMode};
use crate::exec::Ctx;
use crate::persist::Events;
use crate::registry::CmdId;
use crate::server::Server;
use crate::{log_warning, net};
use std::time::{Duration, Instant};

/// What a job does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// DEBUG RELOAD with its options.
    Reload(crate::persist::ReloadOptions),
    /// DEBUG LOADAOF.
    LoadAof,
}

/// A job waiting for the event loop, and whom to answer.
#[derive(Debug, Clone)]
pub struct LoopJob {
    /// Id of the client that sent the command.
    pub client: u64,
    /// The command (its statistics get the job's time and outcome).
    pub cmd: CmdId,
    pub kind: JobKind,
    /// Whether the client wants the reply (not under CLIENT REPLY OFF/SKIP).
    pub reply: bool,
}

/// Runs `kind` for the calling command: handed to the event loop with the client held, or, where
/// the client cannot wait (inside EXEC, a client without a connection, the master link), at
/// once.
pub fn submit(ctx: &mut Ctx, kind: JobKind) {
    if ctx.may_block() && !ctx.c.has(cflags::MASTER) {
        let reply = ctx.c.reply_mode == ReplyMode::On;
        ctx.srv.loop_jobs.push_back(LoopJob { client: ctx.c.id, cmd: ctx.id, kind, reply });
        ctx.c.flags |= cflags::LOOP_JOB;
        return;
    }
    match run(ctx.srv, kind, &mut |_| {}) {
        Ok(()) => ctx.ok(),
        Err(e) => ctx.error(&e),
    }
}

/// Runs one job; `events` serves the clients between its chunks. Err is the error reply. A
/// DEBUG LOADAOF that cannot load ends the process, as in Redis.
pub fn run(srv: &mut Server, kind: JobKind, events: Events<'_>) -> Result<(), String> {
    match kind {
        JobKind::Reload(opts) => crate::persist::reload(srv, opts, events),
        JobKind::LoadAof => {
            if crate::aof::debug_loadaof(srv, events).is_err() {
                log_warning!("Failed loading the AOF by DEBUG LOADAOF: exiting");
                std::process::exit(1);
            }
            Ok(())
        }
    }
}

/// Runs every queued job (jobs queued meanwhile included), answering and releasing each
/// client. Returns the clients whose socket must be read again: the released ones and the
/// master link, none of which was read during the load.
pub fn run_queued(srv: &mut Server, events: Events<'_>) -> Vec<usize> {
    let mut reread = Vec::new();
    while let Some(job) = srv.loop_jobs.pop_front() {
        let start = Instant::now();
        let out = run(srv, job.kind, &mut *events);
        let Some(&token) = srv.client_order.get(&job.client) else {
            // the client left meanwhile (CLIENT KILL): the job still ran, as Redis's would
            account(srv, &job, &out, start.elapsed());
            continue;
        };
        let Some(mut c) = net::take_client(srv, token) else {
            continue;
        };
        finish(srv, &mut c, &job, out, start.elapsed());
        net::process_input(srv, &mut c);
        if c.pending_output() > 0 {
            srv.schedule_write(&mut c);
        }
        net::put_client(srv, c);
        reread.push(token);
    }
    if let Some(t) = srv.repl.link.master_token {
        reread.push(t);
    }
    // clients blocked on keys written by the load are served now that it is over
    if srv.blocking.has_ready() {
        crate::blocking::serve_ready_keys(srv);
    }
    reread
}

/// Writes the job's reply to its client and releases it.
pub fn finish(srv: &mut Server, c: &mut Client, job: &LoopJob, out: Result<(), String>, took: Duration) {
    c.flags &= !cflags::LOOP_JOB;
    match &out {
        Ok(()) if job.reply => c.reply.ok(),
        Ok(()) => {}
        // errors are counted (errorstats) even when the reply is not wanted
        Err(e) if job.reply => c.reply.error(e),
        Err(e) => c.reply.errors.push(e.clone()),
    }
    srv.count_errors(c);
    account(srv, job, &out, took);
}

/// The command's statistics: its time includes the job; a failed job is a failed call.
fn account(srv: &mut Server, job: &LoopJob, out: &Result<(), String>, took: Duration) {
    let st = &mut srv.cmd_stats[job.cmd];
    st.nsec += took.as_nanos() as u64;
    if out.is_err() {
        st.failed_calls += 1;
    }
}
