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
pub mod replication;
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
        replication::COMMANDS,
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

/// Options are compared as C strings (up to a NUL byte), case-insensitively, as Redis does.
pub(crate) fn is_opt(arg: &[u8], name: &str) -> bool {
    crate::errors::cstr(arg).eq_ignore_ascii_case(name.as_bytes())
}

/// An element of a compact encoding as a bulk string (integers in decimal).
pub(crate) fn bulk_elem(out: &mut crate::client::Reply, e: vireo_keyspace::types::Elem<'_>) {
    match e {
        vireo_keyspace::types::Elem::Int(v) => out.bulk_int(v),
        vireo_keyspace::types::Elem::Bytes(b) => out.bulk(b),
    }
}

/// COUNT and MATCH of SSCAN, HSCAN and ZSCAN from argument `from` on, parsed as Redis does:
/// the count and the pattern ("*" alone means none), or the error to reply.
pub(crate) fn scan_options(argv: &[bytes::Bytes], from: usize) -> Result<(usize, Option<&[u8]>), &'static str> {
    let mut count: i64 = 10;
    let mut pattern = None;
    let mut i = from;
    while i < argv.len() {
        let more = i + 1 < argv.len();
        if more && is_opt(&argv[i], "count") {
            match vireo_resp::num::parse_i64(&argv[i + 1]) {
                None => return Err(crate::errors::NOT_INTEGER),
                Some(n) if n < 1 => return Err(crate::errors::SYNTAX),
                Some(n) => count = n,
            }
        } else if more && is_opt(&argv[i], "match") {
            pattern = if &argv[i + 1][..] == b"*" { None } else { Some(&argv[i + 1][..]) };
        } else {
            return Err(crate::errors::SYNTAX);
        }
        i += 2;
    }
    Ok((usize::try_from(count).unwrap_or(usize::MAX), pattern))
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
