//! COMMAND and its subcommands: introspection of the command table (INFO, DOCS, COUNT, LIST,
//! GETKEYS, GETKEYSANDFLAGS). Everything printed here is read from the `CommandSpec`s; nothing
//! about a command is restated.

use crate::client::Reply;
use crate::command::*;
use crate::errors;
use crate::exec::Ctx;
use crate::registry::{CmdId, Lookup, Registry};
use crate::util::eq_ic;

const S_COMMAND: &str = "Describes every command.";
const S_COMMAND_COUNT: &str = "Returns the number of commands.";
const S_COMMAND_DOCS: &str = "Returns the documentation of commands.";
const S_COMMAND_GETKEYS: &str = "Extracts the key names from a full command.";
const S_COMMAND_GETKEYSANDFLAGS: &str = "Extracts the key names and their access flags from a full command.";
const S_COMMAND_HELP: &str = "Lists the COMMAND subcommands.";
const S_COMMAND_INFO: &str = "Describes the given commands.";
const S_COMMAND_LIST: &str = "Lists command names, optionally filtered.";

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "command",
    arity: -1,
    flags: flags::LOADING | flags::STALE,
    acl: acl::SLOW | acl::CONNECTION,
    tips: &["nondeterministic_output_order"],
    key_specs: &[],
    doc: Doc {
        summary: S_COMMAND,
        since: "2.8.13",
        group: Group::Server,
        complexity: Some("O(N) where N is the total number of Redis commands"),
        deprecated_since: None,
        replaced_by: None,
        history: &[],
        doc_flags: &[],
        args: &[],
    },
    handler: Some(command),
    subcommands: &[
        CommandSpec {
            name: "count",
            arity: 2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_COMMAND_COUNT,
                since: "2.8.13",
                group: Group::Server,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(command_count),
            subcommands: &[],
        },
        CommandSpec {
            name: "docs",
            arity: -2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &["nondeterministic_output_order"],
            key_specs: &[],
            doc: Doc {
                summary: S_COMMAND_DOCS,
                since: "7.0.0",
                group: Group::Server,
                complexity: Some("O(N) where N is the number of commands to look up"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "command-name",
                    typ: ArgType::String,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: argflags::OPTIONAL | argflags::MULTIPLE,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                }],
            },
            handler: Some(command_docs),
            subcommands: &[],
        },
        CommandSpec {
            name: "getkeys",
            arity: -4,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_COMMAND_GETKEYS,
                since: "2.8.13",
                group: Group::Server,
                complexity: Some("O(N) where N is the number of arguments to the command"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(command_getkeys),
            subcommands: &[],
        },
        CommandSpec {
            name: "getkeysandflags",
            arity: -4,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &[],
            key_specs: &[],
            doc: Doc {
                summary: S_COMMAND_GETKEYSANDFLAGS,
                since: "7.0.0",
                group: Group::Server,
                complexity: Some("O(N) where N is the number of arguments to the command"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(command_getkeysandflags),
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
                summary: S_COMMAND_HELP,
                since: "5.0.0",
                group: Group::Server,
                complexity: Some("O(1)"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[],
            },
            handler: Some(command_help),
            subcommands: &[],
        },
        CommandSpec {
            name: "info",
            arity: -2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &["nondeterministic_output_order"],
            key_specs: &[],
            doc: Doc {
                summary: S_COMMAND_INFO,
                since: "2.8.13",
                group: Group::Server,
                complexity: Some("O(N) where N is the number of commands to look up"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "command-name",
                    typ: ArgType::String,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: argflags::OPTIONAL | argflags::MULTIPLE,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                }],
            },
            handler: Some(command_info),
            subcommands: &[],
        },
        CommandSpec {
            name: "list",
            arity: -2,
            flags: flags::LOADING | flags::STALE,
            acl: acl::SLOW | acl::CONNECTION,
            tips: &["nondeterministic_output_order"],
            key_specs: &[],
            doc: Doc {
                summary: S_COMMAND_LIST,
                since: "7.0.0",
                group: Group::Server,
                complexity: Some("O(N) where N is the total number of Redis commands"),
                deprecated_since: None,
                replaced_by: None,
                history: &[],
                doc_flags: &[],
                args: &[Arg {
                    name: "filterby",
                    typ: ArgType::Oneof,
                    key_spec_index: -1,
                    token: Some("FILTERBY"),
                    summary: None,
                    since: None,
                    flags: argflags::OPTIONAL,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "module-name",
                            typ: ArgType::String,
                            key_spec_index: -1,
                            token: Some("MODULE"),
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                        Arg {
                            name: "category",
                            typ: ArgType::String,
                            key_spec_index: -1,
                            token: Some("ACLCAT"),
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[],
                        },
                        Arg {
                            name: "pattern",
                            typ: ArgType::Pattern,
                            key_spec_index: -1,
                            token: Some("PATTERN"),
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
            handler: Some(command_list),
            subcommands: &[],
        },
    ],
}];

fn flag_set(out: &mut Reply, bits: u64, names: &[(u64, &str)]) {
    let n = names.iter().filter(|(b, _)| bits & b != 0).count();
    out.set(n);
    for (b, name) in names {
        if bits & b != 0 {
            out.simple(name);
        }
    }
}

fn key_flag_set(out: &mut Reply, bits: u32) {
    let n = kflags::NAMES.iter().filter(|(b, _)| bits & b != 0).count();
    out.set(n);
    for (b, name) in kflags::NAMES {
        if bits & b != 0 {
            out.simple(name);
        }
    }
}

/// One COMMAND INFO entry.
pub fn reply_command_info(out: &mut Reply, reg: &Registry, id: CmdId) {
    let e = reg.get(id);
    let spec = e.spec;
    let (first, last, step, movable) = spec.legacy();
    let mut fl = spec.flags
        & !(flags::MAY_REPLICATE
            | flags::PROTECTED
            | flags::TOUCHES_ARBITRARY_KEYS
            | flags::SENTINEL
            | flags::ONLY_SENTINEL);
    if movable {
        fl |= flags::MOVABLE_KEYS;
    }
    out.array(10);
    out.bulk(e.full_name.as_bytes());
    out.int(spec.arity as i64);
    flag_set(out, fl, flags::NAMES);
    out.int(first as i64);
    out.int(last as i64);
    out.int(step as i64);
    let cats: Vec<&str> = acl::NAMES.iter().filter(|(b, _)| spec.acl & b != 0).map(|(_, n)| *n).collect();
    out.set(cats.len());
    for c in cats {
        out.simple(&format!("@{}", c));
    }
    out.set(spec.tips.len());
    for t in spec.tips {
        out.bulk(t.as_bytes());
    }
    out.set(spec.key_specs.len());
    for ks in spec.key_specs {
        reply_key_spec(out, ks);
    }
    if e.subs.is_empty() {
        out.set(0);
    } else {
        out.array(e.subs.len());
        for sub in sorted_subs(reg, id) {
            reply_command_info(out, reg, sub);
        }
    }
}

fn sorted_subs(reg: &Registry, id: CmdId) -> Vec<CmdId> {
    let mut v: Vec<CmdId> = reg.get(id).subs.values().copied().collect();
    v.sort();
    v
}

fn reply_key_spec(out: &mut Reply, ks: &KeySpec) {
    out.map(if ks.notes.is_empty() { 3 } else { 4 });
    if !ks.notes.is_empty() {
        out.bulk(b"notes");
        out.bulk(ks.notes.as_bytes());
    }
    out.bulk(b"flags");
    key_flag_set(out, ks.flags);
    out.bulk(b"begin_search");
    out.map(2);
    out.bulk(b"type");
    match ks.begin {
        BeginSearch::Index(i) => {
            out.bulk(b"index");
            out.bulk(b"spec");
            out.map(1);
            out.bulk(b"index");
            out.int(i as i64);
        }
        BeginSearch::Keyword { keyword, startfrom } => {
            out.bulk(b"keyword");
            out.bulk(b"spec");
            out.map(2);
            out.bulk(b"keyword");
            out.bulk(keyword.as_bytes());
            out.bulk(b"startfrom");
            out.int(startfrom as i64);
        }
        BeginSearch::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            out.map(0);
        }
    }
    out.bulk(b"find_keys");
    out.map(2);
    out.bulk(b"type");
    match ks.find {
        FindKeys::Range { lastkey, step, limit } => {
            out.bulk(b"range");
            out.bulk(b"spec");
            out.map(3);
            out.bulk(b"lastkey");
            out.int(lastkey as i64);
            out.bulk(b"keystep");
            out.int(step as i64);
            out.bulk(b"limit");
            out.int(limit as i64);
        }
        FindKeys::Keynum { keynumidx, firstkey, step } => {
            out.bulk(b"keynum");
            out.bulk(b"spec");
            out.map(3);
            out.bulk(b"keynumidx");
            out.int(keynumidx as i64);
            out.bulk(b"firstkey");
            out.int(firstkey as i64);
            out.bulk(b"keystep");
            out.int(step as i64);
        }
        FindKeys::Unknown => {
            out.bulk(b"unknown");
            out.bulk(b"spec");
            out.map(0);
        }
    }
}

fn reply_args(out: &mut Reply, args: &[Arg]) {
    out.array(args.len());
    for a in args {
        let mut n = 2;
        n += (a.key_spec_index != -1) as usize;
        n += a.token.is_some() as usize;
        n += a.summary.is_some() as usize;
        n += a.since.is_some() as usize;
        n += a.deprecated_since.is_some() as usize;
        n += (a.flags != 0) as usize;
        n += matches!(a.typ, ArgType::Oneof | ArgType::Block) as usize;
        out.map(n);
        out.bulk(b"name");
        out.bulk(a.name.as_bytes());
        out.bulk(b"type");
        out.bulk(a.typ.name().as_bytes());
        if a.key_spec_index != -1 {
            out.bulk(b"key_spec_index");
            out.int(a.key_spec_index as i64);
        }
        if let Some(t) = a.token {
            out.bulk(b"token");
            out.bulk(t.as_bytes());
        }
        if let Some(s) = a.summary {
            out.bulk(b"summary");
            out.bulk(s.as_bytes());
        }
        if let Some(s) = a.since {
            out.bulk(b"since");
            out.bulk(s.as_bytes());
        }
        if let Some(s) = a.deprecated_since {
            out.bulk(b"deprecated_since");
            out.bulk(s.as_bytes());
        }
        if a.flags != 0 {
            out.bulk(b"flags");
            let names = [
                (argflags::OPTIONAL, "optional"),
                (argflags::MULTIPLE, "multiple"),
                (argflags::MULTIPLE_TOKEN, "multiple_token"),
            ];
            let cnt = names.iter().filter(|(b, _)| a.flags & b != 0).count();
            out.set(cnt);
            for (b, name) in names {
                if a.flags & b != 0 {
                    out.simple(name);
                }
            }
        }
        if matches!(a.typ, ArgType::Oneof | ArgType::Block) {
            out.bulk(b"arguments");
            reply_args(out, a.subargs);
        }
    }
}

/// One COMMAND DOCS entry (the value of the map).
pub fn reply_command_docs(out: &mut Reply, reg: &Registry, id: CmdId) {
    let e = reg.get(id);
    let d = &e.spec.doc;
    let mut n = 1;
    n += (!d.summary.is_empty()) as usize;
    n += (!d.since.is_empty()) as usize;
    n += d.complexity.is_some() as usize;
    n += (!d.doc_flags.is_empty()) as usize;
    n += d.deprecated_since.is_some() as usize;
    n += d.replaced_by.is_some() as usize;
    n += (!d.history.is_empty()) as usize;
    n += (!d.args.is_empty()) as usize;
    n += (!e.subs.is_empty()) as usize;
    out.map(n);
    if !d.summary.is_empty() {
        out.bulk(b"summary");
        out.bulk(d.summary.as_bytes());
    }
    if !d.since.is_empty() {
        out.bulk(b"since");
        out.bulk(d.since.as_bytes());
    }
    out.bulk(b"group");
    out.bulk(d.group.name().as_bytes());
    if let Some(c) = d.complexity {
        out.bulk(b"complexity");
        out.bulk(c.as_bytes());
    }
    if !d.doc_flags.is_empty() {
        out.bulk(b"doc_flags");
        out.set(d.doc_flags.len());
        for f in d.doc_flags {
            out.simple(f);
        }
    }
    if let Some(s) = d.deprecated_since {
        out.bulk(b"deprecated_since");
        out.bulk(s.as_bytes());
    }
    if let Some(s) = d.replaced_by {
        out.bulk(b"replaced_by");
        out.bulk(s.as_bytes());
    }
    if !d.history.is_empty() {
        out.bulk(b"history");
        out.set(d.history.len());
        for (v, what) in d.history {
            out.array(2);
            out.bulk(v.as_bytes());
            out.bulk(what.as_bytes());
        }
    }
    if !d.args.is_empty() {
        out.bulk(b"arguments");
        reply_args(out, d.args);
    }
    if !e.subs.is_empty() {
        out.bulk(b"subcommands");
        let subs = sorted_subs(reg, id);
        out.map(subs.len());
        for s in subs {
            out.bulk(reg.get(s).full_name.as_bytes());
            reply_command_docs(out, reg, s);
        }
    }
}

fn command(ctx: &mut Ctx) {
    let reg = &ctx.srv.registry;
    let out = &mut ctx.c.reply;
    let top: Vec<CmdId> = reg.top_level().collect();
    out.array(top.len());
    for id in top {
        reply_command_info(out, reg, id);
    }
}

fn command_count(ctx: &mut Ctx) {
    let n = ctx.srv.registry.top_level().count();
    ctx.int(n as i64);
}

fn command_info(ctx: &mut Ctx) {
    let reg = &ctx.srv.registry;
    let out = &mut ctx.c.reply;
    if ctx.argv.len() == 2 {
        let top: Vec<CmdId> = reg.top_level().collect();
        out.array(top.len());
        for id in top {
            reply_command_info(out, reg, id);
        }
        return;
    }
    out.array(ctx.argv.len() - 2);
    for a in &ctx.argv[2..] {
        match reg.by_full_name(a) {
            Some(id) => reply_command_info(out, reg, id),
            None => out.null(),
        }
    }
}

fn command_docs(ctx: &mut Ctx) {
    let reg = &ctx.srv.registry;
    let out = &mut ctx.c.reply;
    let ids: Vec<CmdId> = if ctx.argv.len() == 2 {
        reg.top_level().collect()
    } else {
        ctx.argv[2..].iter().filter_map(|a| reg.by_full_name(a)).collect()
    };
    out.map(ids.len());
    for id in ids {
        out.bulk(reg.get(id).full_name.as_bytes());
        reply_command_docs(out, reg, id);
    }
}

fn command_list(ctx: &mut Ctx) {
    enum Filter {
        None,
        Module,
        AclCat(u64),
        Pattern(Vec<u8>),
    }
    let mut filter = Filter::None;
    let mut i = 2;
    while i < ctx.argc() {
        let more = ctx.argc() - 1 - i;
        if eq_ic(&ctx.argv[i], "filterby") && more == 2 {
            let kind = ctx.argv[i + 1].clone();
            let arg = ctx.argv[i + 2].clone();
            if eq_ic(&kind, "module") {
                filter = Filter::Module;
            } else if eq_ic(&kind, "aclcat") {
                let cat = acl::NAMES
                    .iter()
                    .find(|(_, n)| arg.eq_ignore_ascii_case(n.as_bytes()))
                    .map(|(b, _)| *b)
                    .unwrap_or(0);
                filter = Filter::AclCat(cat);
            } else if eq_ic(&kind, "pattern") {
                filter = Filter::Pattern(arg.to_vec());
            } else {
                ctx.error(errors::SYNTAX);
                return;
            }
            i += 3;
        } else {
            ctx.error(errors::SYNTAX);
            return;
        }
    }
    let reg = &ctx.srv.registry;
    let names: Vec<&str> = reg
        .entries
        .iter()
        .filter(|e| match &filter {
            Filter::None => true,
            Filter::Module => false,
            Filter::AclCat(c) => *c != 0 && e.spec.acl & c != 0,
            Filter::Pattern(p) => vireo_config::glob::glob_match(p, e.full_name.as_bytes(), true),
        })
        .map(|e| e.full_name.as_str())
        .collect();
    let out = &mut ctx.c.reply;
    out.array(names.len());
    for n in names {
        out.bulk(n.as_bytes());
    }
}

fn getkeys_impl(ctx: &mut Ctx, with_flags: bool) {
    let args = &ctx.argv[2..];
    let reg = &ctx.srv.registry;
    let id = match reg.lookup(args) {
        Lookup::Found(id) => id,
        _ => {
            ctx.error("ERR Invalid command specified");
            return;
        }
    };
    let spec = reg.spec(id);
    // specs marked not_key (shard channels) name no keys: a command with only those has none
    let has_keys = spec.key_specs.iter().any(|k| k.flags & kflags::NOT_KEY == 0);
    if !has_keys && !spec.has(flags::MOVABLE_KEYS) {
        ctx.error("ERR The command has no key arguments");
        return;
    }
    if !spec.arity_ok(args.len()) {
        ctx.error("ERR Invalid number of arguments specified for command");
        return;
    }
    let pos = match variable_flag_keys(spec.name, args) {
        Some(p) => p,
        None => spec.key_positions_strict(args).unwrap_or_default(),
    };
    let out = &mut ctx.c.reply;
    if pos.is_empty() {
        if spec.has(flags::NO_MANDATORY_KEYS) {
            out.array(0);
        } else {
            ctx.error("ERR Invalid arguments specified for command");
        }
        return;
    }
    out.array(pos.len());
    for (p, f) in pos {
        if with_flags {
            out.array(2);
            out.bulk(&args[p]);
            key_flag_set(out, f);
        } else {
            out.bulk(&args[p]);
        }
    }
}

/// The keys of the commands whose key-spec flags depend on the arguments (`variable_flags`):
/// the access they make is decided by their options, as Redis's own key extraction does.
fn variable_flag_keys(name: &str, args: &[bytes::Bytes]) -> Option<Vec<(usize, u32)>> {
    match name {
        "set" => {
            let get = args.iter().skip(3).any(|a| a.eq_ignore_ascii_case(b"get"));
            let f = if get { kflags::RW | kflags::ACCESS | kflags::UPDATE } else { kflags::OW | kflags::UPDATE };
            Some(vec![(1, f)])
        }
        "bitfield" => {
            let mut readonly = true;
            let mut i = 2;
            while i < args.len() {
                let rem = args.len() - i - 1;
                let a = &args[i];
                if a.eq_ignore_ascii_case(b"get") && rem >= 2 {
                    i += 2;
                } else if (a.eq_ignore_ascii_case(b"set") || a.eq_ignore_ascii_case(b"incrby")) && rem >= 3 {
                    readonly = false;
                    break;
                } else if a.eq_ignore_ascii_case(b"overflow") && rem >= 1 {
                    i += 1;
                } else {
                    // a syntax error: assume it writes, as Redis does
                    readonly = false;
                    break;
                }
                i += 1;
            }
            let f = if readonly { kflags::RO | kflags::ACCESS } else { kflags::RW | kflags::ACCESS | kflags::UPDATE };
            Some(vec![(1, f)])
        }
        // the sorted key, and the destination of the last STORE (options are skipped the way
        // Redis's own key extraction skips them)
        "sort" => {
            let mut keys = vec![(1, kflags::RO | kflags::ACCESS)];
            let mut store = None;
            let mut i = 2;
            while i < args.len() {
                let a = &args[i];
                if a.eq_ignore_ascii_case(b"limit") {
                    i += 2;
                } else if a.eq_ignore_ascii_case(b"store") && i + 1 < args.len() {
                    store = Some(i + 1);
                } else if a.eq_ignore_ascii_case(b"get") || a.eq_ignore_ascii_case(b"by") {
                    i += 1;
                }
                i += 1;
            }
            if let Some(p) = store {
                keys.push((p, kflags::OW | kflags::UPDATE));
            }
            Some(keys)
        }
        "sort_ro" => Some(vec![(1, kflags::RO | kflags::ACCESS)]),
        _ => None,
    }
}

fn command_getkeys(ctx: &mut Ctx) {
    getkeys_impl(ctx, false)
}

fn command_getkeysandflags(ctx: &mut Ctx) {
    getkeys_impl(ctx, true)
}

fn command_help(ctx: &mut Ctx) {
    let lines: &[&str] = &[
        "(no subcommand)",
        "    Return details about all commands.",
        "COUNT",
        "    Return the total number of commands.",
        "DOCS [<command-name> ...]",
        "    Return documentation of the given commands, or of all of them.",
        "GETKEYS <full-command>",
        "    Return the keys named in a full command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys named in a full command, with their access flags.",
        "INFO [<command-name> ...]",
        "    Return details about the given commands, or about all of them.",
        "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
        "    Return the names of all commands, or of those matching a filter.",
    ];
    crate::cmd::reply_help(ctx, "COMMAND", lines);
}
