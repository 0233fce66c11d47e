//! The command families. Each file declares its commands (`pub static COMMANDS`) next to their
//! handlers; [`table`] collects them into the one command table the registry is built from.

pub mod bits;
pub mod client;
pub mod command;
pub mod config_cmd;
pub mod connection;
pub mod debug;
pub mod geo;
pub mod hashes;
pub mod hll;
pub mod introspect;
pub mod keys;
pub mod lists;
pub mod multi;
pub mod persistence;
pub mod pubsub;
pub mod server_admin;
pub mod sets;
pub mod slowlog_latency;
pub mod sort;
pub mod streams;
pub mod strings;
pub mod zsets;

use crate::command::CommandSpec;
use crate::exec::Ctx;

/// Every command vireo implements, in declaration order.
pub fn table() -> Vec<&'static CommandSpec> {
    let families: &[&'static [CommandSpec]] = &[
        connection::COMMANDS,
        client::COMMANDS,
        command::COMMANDS,
        server_admin::COMMANDS,
        persistence::COMMANDS,
        config_cmd::COMMANDS,
        strings::COMMANDS,
        keys::COMMANDS,
        lists::COMMANDS,
        hashes::COMMANDS,
        sets::COMMANDS,
        zsets::COMMANDS,
        geo::COMMANDS,
        streams::COMMANDS,
        sort::COMMANDS,
        bits::COMMANDS,
        hll::COMMANDS,
        multi::COMMANDS,
        pubsub::COMMANDS,
        introspect::COMMANDS,
        debug::COMMANDS,
        slowlog_latency::COMMANDS,
    ];
    families.iter().flat_map(|f| f.iter()).collect()
}

/// A HELP reply in Redis's layout: a header line naming the command, the given lines, and the
/// HELP entry itself.
pub fn reply_help(ctx: &mut Ctx, cmd: &str, lines: &[&str]) {
    let out = ctx.out();
    out.array(lines.len() + 3);
    out.simple(&format!("{} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", cmd));
    for l in lines {
        out.simple(l);
    }
    out.simple("HELP");
    out.simple("    Prints this help.");
}
