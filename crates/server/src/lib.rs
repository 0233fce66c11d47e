//! The vireo server: the event loop that owns the keyspace, clients, the command table, the gate
//! and `call()`, command handlers, INFO, logging and the cron. Reading order: `command` (what a
//! command is), `registry`, `exec` (gate and call), `propagate`, `server` (state), `net` (event
//! loop), `cron`, then `cmd/*` (the commands) and `startup` (process start and the banner).

pub mod alloc;
pub mod aof;
pub mod aof_rewrite;
pub mod blocking;
pub mod check;
pub mod client;
pub mod cmd;
pub mod command;
pub mod cron;
pub mod disk;
pub mod errors;
pub mod evict;
pub mod exec;
pub mod info;
pub mod log;
pub mod loop_job;
pub mod net;
pub mod persist;
pub mod propagate;
pub mod registry;
pub mod repl;
pub mod server;
pub mod startup;
pub mod stats;
pub mod testing;
pub mod util;

/// The Redis version vireo is compatible with (INFO redis_version, HELLO version).
pub const REDIS_VERSION: &str = "7.0.15";
/// vireo's own version.
pub const VIREO_VERSION: &str = env!("CARGO_PKG_VERSION");
