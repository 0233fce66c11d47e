//! HyperLogLog commands: PFADD, PFCOUNT, PFMERGE, PFDEBUG and PFSELFTEST. HLLs are ordinary
//! string values in Redis's byte format (see `vireo_keyspace::ops::hll`). Handlers run the data
//! operations, map their errors to Redis's texts (the HLL-specific WRONGTYPE and INVALIDOBJ
//! wordings live here with their commands), write the reply and report effects as Redis does:
//! PFADD counts one change per modified register, PFCOUNT of one key dirties the keyspace (and
//! so is propagated) when it refreshes a stale cached cardinality, PFDEBUG GETREG/TODENSE when
//! they convert a sparse HLL, and PFADD/PFMERGE notify "pfadd". They know nothing of sockets,
//! the replication backlog or the AOF.

use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use vireo_keyspace::ops::bits::cstr;
use vireo_keyspace::ops::hll::{self as ops, Debug, DebugOut, HllError};

const S_PFADD: &str =
    "Adds elements to the HyperLogLog at a key, creating it if needed; returns 1 if an estimate register changed.";
const S_PFCOUNT: &str =
    "Returns the estimated number of distinct elements added to the HyperLogLog(s) at the given key(s).";
const S_PFMERGE: &str = "Stores in the destination key the union of the destination and source HyperLogLogs.";
const S_PFDEBUG: &str = "Internal command to inspect or convert the representation of a HyperLogLog.";
const S_PFSELFTEST: &str = "Internal command that checks the HyperLogLog implementation.";

const NOTE_PFCOUNT_0: &str =
    "Marked RW because refreshing the cached estimate rewrites the value, which is then propagated.";

/// A string that is not an HLL (Redis words this WRONGTYPE error differently from the generic one).
pub const NOT_HLL_ERR: &str = "WRONGTYPE Key is not a valid HyperLogLog string value.";
/// An HLL whose sparse representation is inconsistent.
pub const CORRUPT_HLL_ERR: &str = "INVALIDOBJ Corrupted HLL object detected";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "pfadd",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM | flags::FAST,
        acl: acl::WRITE | acl::HYPERLOGLOG | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PFADD, since: "2.8.9", group: Group::Hyperloglog, complexity: Some("O(1) to add every element."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "element", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL | argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(pfadd),
        subcommands: &[],
    },
    CommandSpec {
        name: "pfcount",
        arity: -2,
        flags: flags::READONLY | flags::MAY_REPLICATE,
        acl: acl::READ | acl::HYPERLOGLOG | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: NOTE_PFCOUNT_0, flags: kflags::RW | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PFCOUNT, since: "2.8.9", group: Group::Hyperloglog, complexity: Some("O(1) with a very small average constant time when called with a single key. O(N) with N being the number of keys, and much bigger constant times, when called with multiple keys."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(pfcount),
        subcommands: &[],
    },
    CommandSpec {
        name: "pfmerge",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::HYPERLOGLOG | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS | kflags::INSERT, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PFMERGE, since: "2.8.9", group: Group::Hyperloglog, complexity: Some("O(N) to merge N HyperLogLogs, but with high constant times."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "destkey", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "sourcekey", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(pfmerge),
        subcommands: &[],
    },
    CommandSpec {
        name: "pfdebug",
        arity: 3,
        flags: flags::WRITE | flags::DENYOOM | flags::ADMIN,
        acl: acl::WRITE | acl::HYPERLOGLOG | acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_PFDEBUG, since: "2.8.9", group: Group::Hyperloglog, complexity: Some("N/A"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &["syscmd"], args: &[
            Arg { name: "subcommand", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(pfdebug),
        subcommands: &[],
    },
    CommandSpec {
        name: "pfselftest",
        arity: 1,
        flags: flags::ADMIN,
        acl: acl::HYPERLOGLOG | acl::ADMIN | acl::SLOW | acl::DANGEROUS,
        tips: &[],
        key_specs: &[],
        doc: Doc { summary: S_PFSELFTEST, since: "2.8.9", group: Group::Hyperloglog, complexity: Some("N/A"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &["syscmd"], args: &[] },
        handler: Some(pfselftest),
        subcommands: &[],
    },
];

fn hll_error(ctx: &mut Ctx, e: HllError) {
    ctx.error(match e {
        HllError::WrongType => errors::WRONGTYPE,
        HllError::NotHll => NOT_HLL_ERR,
        HllError::Corrupt => CORRUPT_HLL_ERR,
        HllError::NoKey => "ERR The specified key does not exist",
    });
}

fn max_bytes(ctx: &Ctx) -> usize {
    ctx.srv.config.hll_sparse_max_bytes
}

fn pfadd(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let max = max_bytes(ctx);
    match ops::pfadd(ctx.db(), &argv[1], &argv[2..], max) {
        Ok(updated) => {
            if updated > 0 {
                ctx.notify(notify::STRING, "pfadd", &argv[1]);
                ctx.dirty(updated);
            }
            ctx.int((updated > 0) as i64);
        }
        Err(e) => hll_error(ctx, e),
    }
}

fn pfcount(ctx: &mut Ctx) {
    let argv = ctx.argv;
    if argv.len() > 2 {
        return match ops::pfcount_union(ctx.db(), &argv[1..]) {
            Ok(card) => ctx.int(card as i64),
            Err(e) => hll_error(ctx, e),
        };
    }
    match ops::pfcount_one(ctx.db(), &argv[1]) {
        Ok(r) => {
            if r.cache_written {
                ctx.dirty(1);
            }
            ctx.int(r.card as i64);
        }
        Err(e) => hll_error(ctx, e),
    }
}

fn pfmerge(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let max = max_bytes(ctx);
    match ops::pfmerge(ctx.db(), &argv[1], &argv[2..], max) {
        Ok(()) => {
            ctx.notify(notify::STRING, "pfadd", &argv[1]);
            ctx.dirty(1);
            ctx.ok();
        }
        Err(e) => hll_error(ctx, e),
    }
}

fn pfdebug(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let name = cstr(&argv[1]);
    let sub = [
        ("getreg", Debug::GetReg),
        ("decode", Debug::Decode),
        ("encoding", Debug::Encoding),
        ("todense", Debug::ToDense),
    ]
    .into_iter()
    .find(|(n, _)| name.eq_ignore_ascii_case(n.as_bytes()))
    .map(|(_, d)| d);
    let out = match ops::pfdebug(ctx.db(), &argv[2], sub) {
        Ok(out) => out,
        Err(e) => return hll_error(ctx, e),
    };
    match out {
        DebugOut::Registers { regs, converted } => {
            if converted {
                ctx.dirty(1);
            }
            let out = ctx.out();
            out.array(regs.len());
            for r in regs {
                out.int(r as i64);
            }
        }
        DebugOut::Decoded(text) => ctx.bulk(text.as_bytes()),
        DebugOut::NotSparse => ctx.error("ERR HLL encoding is not sparse"),
        DebugOut::Encoding { sparse } => ctx.out().simple(if sparse { "sparse" } else { "dense" }),
        DebugOut::ToDense { converted } => {
            if converted {
                ctx.dirty(1);
            }
            ctx.int(converted as i64);
        }
        DebugOut::Unknown => {
            let msg = format!("ERR Unknown PFDEBUG subcommand '{}'", String::from_utf8_lossy(name));
            ctx.error(&msg);
        }
    }
}

fn pfselftest(ctx: &mut Ctx) {
    let max = max_bytes(ctx);
    match ops::selftest(&mut ctx.srv.rng, max) {
        Ok(()) => ctx.ok(),
        Err(what) => ctx.error(&format!("TESTFAILED {what}")),
    }
}
