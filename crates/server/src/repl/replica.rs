//! The replica side of replication: REPLICAOF/SLAVEOF and the `replicaof` directive, the link
//! to our master (connect, handshake, PSYNC, the RDB transfer and its loading), the master
//! client whose commands run through the gate with replies suppressed, REPLCONF ACK to the
//! master, and the cached master that lets a broken link continue with a partial resync.
//! It never feeds the replication stream itself except through `Propagator::feed_raw` with the
//! exact bytes it applied.

use crate::exec::Ctx;
use crate::server::Server;

/// State of our link to a master (Redis's repl_state and what goes with it).
#[derive(Debug, Default)]
pub struct LinkState {}

/// Per-client state of the client that is our master.
#[derive(Debug, Default)]
pub struct MasterClient {}

/// The database our master's stream last selected, for the repl-stream-db AUX field (None
/// when there is neither a master client nor a cached one).
pub fn stream_db(_srv: &Server) -> Option<i64> {
    None
}

/// REPLICAOF host port | NO ONE (and SLAVEOF).
pub fn replicaof_command(ctx: &mut Ctx) {
    ctx.error("ERR REPLICAOF is not available yet");
}

/// Whether our link to the master is up (a replica whose link is down refuses SYNC).
pub fn link_up(_srv: &Server) -> bool {
    false
}

/// Answers REPLCONF GETACK from our master with REPLCONF ACK <offset>.
pub fn send_ack(_srv: &mut Server) {}

/// Once a second: reconnects, times out the link, sends ACKs.
pub fn cron(_srv: &mut Server) {}

/// A client goes away: if it was our master, the link is down (the master state may be cached
/// for a partial resync).
pub fn client_freed(_srv: &mut Server, _c: &mut crate::client::Client) {}

/// ROLE on a replica: "slave", master host, port, link state, applied offset.
pub fn role_reply(ctx: &mut Ctx) {
    let (host, port) = ctx.srv.masterhost.clone().unwrap_or_default();
    let out = ctx.out();
    out.array(5);
    out.bulk(b"slave");
    out.bulk(host.as_bytes());
    out.int(port as i64);
    out.bulk(b"connect");
    out.int(-1);
}
