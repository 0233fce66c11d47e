//! SORT and SORT_RO: parsing their SQL-like options the way Redis 7.0 does (same errors, same
//! order of checks: options first, then the key's type), running the sort of
//! `vireo_keyspace::ops::sort`, replying with the elements or GET values, and for STORE writing
//! the result as a list, notifying "sortstore" (or "del" for an empty result that removed the
//! destination) and counting one change per stored element. SORT ... STORE is propagated as
//! written: its result depends only on the data, never on chance. Nothing here knows sockets,
//! the backlog or the AOF.

use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use vireo_keyspace::ops::sort::{self as ops, SortError, SortOptions, Stored};
use vireo_resp::num::parse_i64;

const S_SORT: &str = "Orders the elements of a list, set or sorted set, numerically or as strings, optionally by external weights, and returns or stores them.";
const S_SORT_RO: &str = "The read-only form of SORT: the same ordering options, without STORE.";
const NOTE_SORT_1: &str = "BY and GET patterns name further keys, known only at run time.";
const NOTE_SORT_2: &str = "The STORE destination, found by scanning the options.";
const NOTE_SORT_RO_1: &str = "BY and GET patterns name further keys, known only at run time.";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "sort",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::SET | acl::SORTEDSET | acl::LIST | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: NOTE_SORT_1, flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Unknown, find: FindKeys::Unknown }, KeySpec { notes: NOTE_SORT_2, flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Unknown, find: FindKeys::Unknown }],
        doc: Doc { summary: S_SORT, since: "1.0.0", group: Group::Generic, complexity: Some("O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: 1, token: Some("BY"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset_count", typ: ArgType::Block, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: 1, token: Some("GET"), summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE | argflags::MULTIPLE_TOKEN, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "order", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "asc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "desc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("DESC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "sorting", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ALPHA"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 2, token: Some("STORE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sort),
        subcommands: &[],
    },
    CommandSpec {
        name: "sort_ro",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::SET | acl::SORTEDSET | acl::LIST | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: NOTE_SORT_RO_1, flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Unknown, find: FindKeys::Unknown }],
        doc: Doc { summary: S_SORT_RO, since: "7.0.0", group: Group::Generic, complexity: Some("O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N)."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: 1, token: Some("BY"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "offset_count", typ: ArgType::Block, key_spec_index: -1, token: Some("LIMIT"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "offset", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "pattern", typ: ArgType::Pattern, key_spec_index: 1, token: Some("GET"), summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE | argflags::MULTIPLE_TOKEN, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "order", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "asc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "desc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("DESC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "sorting", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ALPHA"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(sort_ro),
        subcommands: &[],
    },
];

const BAD_SCORE: &str = "ERR One or more scores can't be converted into double";

fn sort(ctx: &mut Ctx) {
    sort_generic(ctx, false);
}

fn sort_ro(ctx: &mut Ctx) {
    sort_generic(ctx, true);
}

/// A weight as SORT reads it: C's strtod over the value seen as a C string (up to a NUL), so
/// leading blanks are allowed, an empty value weighs 0, and trailing characters, NaN and
/// out-of-range values are errors.
fn sort_score(b: &[u8]) -> Option<f64> {
    let b = match b.iter().position(|&c| c == 0) {
        Some(i) => &b[..i],
        None => b,
    };
    if b.is_empty() {
        return Some(0.0);
    }
    let skip = b.iter().take_while(|&&c| matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')).count();
    vireo_resp::num::parse_f64(&b[skip..])
}

fn sort_generic(ctx: &mut Ctx, readonly: bool) {
    let argv = ctx.argv;
    let mut o = SortOptions::new();
    let mut store: Option<&[u8]> = None;
    let mut j = 2;
    while j < argv.len() {
        let a = &argv[j][..];
        let left = argv.len() - j - 1;
        if a.eq_ignore_ascii_case(b"asc") {
            o.desc = false;
        } else if a.eq_ignore_ascii_case(b"desc") {
            o.desc = true;
        } else if a.eq_ignore_ascii_case(b"alpha") {
            o.alpha = true;
        } else if a.eq_ignore_ascii_case(b"limit") && left >= 2 {
            let (Some(off), Some(cnt)) = (parse_i64(&argv[j + 1]), parse_i64(&argv[j + 2])) else {
                ctx.error(errors::NOT_INTEGER);
                return;
            };
            o.offset = off;
            o.count = cnt;
            j += 2;
        } else if !readonly && a.eq_ignore_ascii_case(b"store") && left >= 1 {
            store = Some(&argv[j + 1]);
            j += 1;
        } else if a.eq_ignore_ascii_case(b"by") && left >= 1 {
            // (in cluster mode a BY pattern with '*' is refused; no cluster mode yet)
            o.by = Some(&argv[j + 1]);
            j += 1;
        } else if a.eq_ignore_ascii_case(b"get") && left >= 1 {
            o.get.push(&argv[j + 1]);
            j += 1;
        } else {
            ctx.error(errors::SYNTAX);
            return;
        }
        j += 1;
    }
    o.store = store.is_some();
    let rows = match ops::sort(ctx.db(), &argv[1], &o, &sort_score) {
        Ok(r) => r,
        Err(SortError::WrongType) => {
            ctx.error(errors::WRONGTYPE);
            return;
        }
        Err(SortError::BadScore) => {
            ctx.error(BAD_SCORE);
            return;
        }
    };
    let Some(dest) = store else {
        let out = ctx.out();
        out.array(rows.len());
        for r in &rows {
            match r {
                Some(v) => out.bulk(v),
                None => out.null(),
            }
        }
        return;
    };
    let limits = ctx.type_limits();
    match ops::store(ctx.db(), dest, rows, &limits) {
        Stored::List(n) => {
            ctx.notify(notify::LIST, "sortstore", dest);
            ctx.dirty(n as u64);
            ctx.int(n as i64);
        }
        Stored::Deleted => {
            ctx.notify(notify::GENERIC, "del", dest);
            ctx.dirty(1);
            ctx.int(0);
        }
        Stored::Nothing => ctx.int(0),
    }
}
