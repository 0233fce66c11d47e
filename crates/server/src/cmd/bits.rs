//! Bitmap commands: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and BITFIELD_RO. Handlers
//! parse what Redis 7.0 parses before the key lookup (bit offsets with the proto-max-bulk-len
//! limit and BITFIELD's `#` form, bit values, BITFIELD's operation list), in Redis's order and
//! with its error texts, run the data operations of `vireo_keyspace::ops::bits`, write the reply
//! and report effects: a dirty count only for real changes (a SETBIT that leaves the bit as it
//! was, or a BITFIELD of GETs, is not propagated), the "setbit", "set" and "del" keyspace
//! events. They know nothing of sockets, the replication backlog or the AOF.

use crate::client::cflags;
use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use vireo_keyspace::ops::bits::{self as ops, BitError, BitOp, BitOpEffect, FieldKind, FieldOp, Overflow};
use vireo_resp::num::parse_i64;

const S_SETBIT: &str =
    "Sets or clears one bit of a string, growing it with zero bytes as needed; returns the previous bit.";
const S_GETBIT: &str = "Returns one bit of a string (0 past its end or for a missing key).";
const S_BITCOUNT: &str = "Counts the bits set to 1 in a string, optionally within a range of bytes or bits.";
const S_BITPOS: &str = "Returns the position of the first bit set to 1 or 0 in a string, optionally within a range.";
const S_BITOP: &str = "Combines strings with AND, OR, XOR or NOT bit by bit and stores the result in a key.";
const S_BITFIELD: &str = "Reads, writes and increments integer fields of any width at any bit offset of a string.";
const S_BITFIELD_RO: &str = "Reads integer fields of any width at any bit offset of a string (read-only BITFIELD).";

const NOTE_BITFIELD_0: &str = "Reads the key for GET and changes it for SET and INCRBY.";

const BIT_OFFSET_ERR: &str = "ERR bit offset is not an integer or out of range";
const BIT_VALUE_ERR: &str = "ERR bit is not an integer or out of range";
const BIT_ARG_ERR: &str = "ERR The bit argument must be 1 or 0.";
const BITOP_NOT_ERR: &str = "ERR BITOP NOT must be called with a single source key.";
const FIELD_TYPE_ERR: &str =
    "ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not supported but i64 is.";
const OVERFLOW_TYPE_ERR: &str = "ERR Invalid OVERFLOW type specified";
const RO_ONLY_GET_ERR: &str = "ERR BITFIELD_RO only supports the GET subcommand";
const TOO_LARGE_ERR: &str = "ERR string exceeds maximum allowed size (proto-max-bulk-len)";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "setbit",
        arity: 4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::BITMAP | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec {
            notes: "",
            flags: kflags::RW | kflags::ACCESS | kflags::UPDATE,
            begin: BeginSearch::Index(1),
            find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 },
        }],
        doc: Doc {
            summary: S_SETBIT,
            since: "2.2.0",
            group: Group::Bitmap,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[
                Arg {
                    name: "key",
                    typ: ArgType::Key,
                    key_spec_index: 0,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
                Arg {
                    name: "offset",
                    typ: ArgType::Integer,
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
                    typ: ArgType::Integer,
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
        },
        handler: Some(setbit),
        subcommands: &[],
    },
    CommandSpec {
        name: "getbit",
        arity: 3,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::BITMAP | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec {
            notes: "",
            flags: kflags::RO | kflags::ACCESS,
            begin: BeginSearch::Index(1),
            find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 },
        }],
        doc: Doc {
            summary: S_GETBIT,
            since: "2.2.0",
            group: Group::Bitmap,
            complexity: Some("O(1)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[
                Arg {
                    name: "key",
                    typ: ArgType::Key,
                    key_spec_index: 0,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
                Arg {
                    name: "offset",
                    typ: ArgType::Integer,
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
        },
        handler: Some(getbit),
        subcommands: &[],
    },
    CommandSpec {
        name: "bitcount",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::BITMAP | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec {
            notes: "",
            flags: kflags::RO | kflags::ACCESS,
            begin: BeginSearch::Index(1),
            find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 },
        }],
        doc: Doc {
            summary: S_BITCOUNT,
            since: "2.6.0",
            group: Group::Bitmap,
            complexity: Some("O(N)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[
                Arg {
                    name: "key",
                    typ: ArgType::Key,
                    key_spec_index: 0,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
                Arg {
                    name: "index",
                    typ: ArgType::Block,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: argflags::OPTIONAL,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "start",
                            typ: ArgType::Integer,
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
                            name: "end",
                            typ: ArgType::Integer,
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
                            name: "index_unit",
                            typ: ArgType::Oneof,
                            key_spec_index: -1,
                            token: None,
                            summary: None,
                            since: Some("7.0.0"),
                            flags: argflags::OPTIONAL,
                            deprecated_since: None,
                            display: None,
                            subargs: &[
                                Arg {
                                    name: "byte",
                                    typ: ArgType::PureToken,
                                    key_spec_index: -1,
                                    token: Some("BYTE"),
                                    summary: None,
                                    since: None,
                                    flags: 0,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[],
                                },
                                Arg {
                                    name: "bit",
                                    typ: ArgType::PureToken,
                                    key_spec_index: -1,
                                    token: Some("BIT"),
                                    summary: None,
                                    since: None,
                                    flags: 0,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[],
                                },
                            ],
                        },
                    ],
                },
            ],
        },
        handler: Some(bitcount),
        subcommands: &[],
    },
    CommandSpec {
        name: "bitpos",
        arity: -3,
        flags: flags::READONLY,
        acl: acl::READ | acl::BITMAP | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec {
            notes: "",
            flags: kflags::RO | kflags::ACCESS,
            begin: BeginSearch::Index(1),
            find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 },
        }],
        doc: Doc {
            summary: S_BITPOS,
            since: "2.8.7",
            group: Group::Bitmap,
            complexity: Some("O(N)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[
                Arg {
                    name: "key",
                    typ: ArgType::Key,
                    key_spec_index: 0,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
                Arg {
                    name: "bit",
                    typ: ArgType::Integer,
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
                    name: "index",
                    typ: ArgType::Block,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: argflags::OPTIONAL,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "start",
                            typ: ArgType::Integer,
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
                            name: "end_index",
                            typ: ArgType::Block,
                            key_spec_index: -1,
                            token: None,
                            summary: None,
                            since: None,
                            flags: argflags::OPTIONAL,
                            deprecated_since: None,
                            display: None,
                            subargs: &[
                                Arg {
                                    name: "end",
                                    typ: ArgType::Integer,
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
                                    name: "index_unit",
                                    typ: ArgType::Oneof,
                                    key_spec_index: -1,
                                    token: None,
                                    summary: None,
                                    since: Some("7.0.0"),
                                    flags: argflags::OPTIONAL,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[
                                        Arg {
                                            name: "byte",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("BYTE"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                        Arg {
                                            name: "bit",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("BIT"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                    ],
                                },
                            ],
                        },
                    ],
                },
            ],
        },
        handler: Some(bitpos),
        subcommands: &[],
    },
    CommandSpec {
        name: "bitop",
        arity: -4,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::BITMAP | acl::SLOW,
        tips: &[],
        key_specs: &[
            KeySpec {
                notes: "",
                flags: kflags::OW | kflags::UPDATE,
                begin: BeginSearch::Index(2),
                find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 },
            },
            KeySpec {
                notes: "",
                flags: kflags::RO | kflags::ACCESS,
                begin: BeginSearch::Index(3),
                find: FindKeys::Range { lastkey: -1, step: 1, limit: 0 },
            },
        ],
        doc: Doc {
            summary: S_BITOP,
            since: "2.6.0",
            group: Group::Bitmap,
            complexity: Some("O(N)"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[
                Arg {
                    name: "operation",
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
                    name: "destkey",
                    typ: ArgType::Key,
                    key_spec_index: 0,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
                Arg {
                    name: "key",
                    typ: ArgType::Key,
                    key_spec_index: 1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: argflags::MULTIPLE,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
            ],
        },
        handler: Some(bitop),
        subcommands: &[],
    },
    CommandSpec {
        name: "bitfield",
        arity: -2,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::BITMAP | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec {
            notes: NOTE_BITFIELD_0,
            flags: kflags::RW | kflags::ACCESS | kflags::UPDATE | kflags::VARIABLE_FLAGS,
            begin: BeginSearch::Index(1),
            find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 },
        }],
        doc: Doc {
            summary: S_BITFIELD,
            since: "3.2.0",
            group: Group::Bitmap,
            complexity: Some("O(1) for each subcommand specified"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[
                Arg {
                    name: "key",
                    typ: ArgType::Key,
                    key_spec_index: 0,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
                Arg {
                    name: "operation",
                    typ: ArgType::Oneof,
                    key_spec_index: -1,
                    token: None,
                    summary: None,
                    since: None,
                    flags: argflags::OPTIONAL | argflags::MULTIPLE,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "encoding_offset",
                            typ: ArgType::Block,
                            key_spec_index: -1,
                            token: Some("GET"),
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[
                                Arg {
                                    name: "encoding",
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
                                    name: "offset",
                                    typ: ArgType::Integer,
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
                        },
                        Arg {
                            name: "write",
                            typ: ArgType::Block,
                            key_spec_index: -1,
                            token: None,
                            summary: None,
                            since: None,
                            flags: 0,
                            deprecated_since: None,
                            display: None,
                            subargs: &[
                                Arg {
                                    name: "wrap_sat_fail",
                                    typ: ArgType::Oneof,
                                    key_spec_index: -1,
                                    token: Some("OVERFLOW"),
                                    summary: None,
                                    since: None,
                                    flags: argflags::OPTIONAL,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[
                                        Arg {
                                            name: "wrap",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("WRAP"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                        Arg {
                                            name: "sat",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("SAT"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                        Arg {
                                            name: "fail",
                                            typ: ArgType::PureToken,
                                            key_spec_index: -1,
                                            token: Some("FAIL"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[],
                                        },
                                    ],
                                },
                                Arg {
                                    name: "write_operation",
                                    typ: ArgType::Oneof,
                                    key_spec_index: -1,
                                    token: None,
                                    summary: None,
                                    since: None,
                                    flags: 0,
                                    deprecated_since: None,
                                    display: None,
                                    subargs: &[
                                        Arg {
                                            name: "encoding_offset_value",
                                            typ: ArgType::Block,
                                            key_spec_index: -1,
                                            token: Some("SET"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[
                                                Arg {
                                                    name: "encoding",
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
                                                    name: "offset",
                                                    typ: ArgType::Integer,
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
                                                    typ: ArgType::Integer,
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
                                        },
                                        Arg {
                                            name: "encoding_offset_increment",
                                            typ: ArgType::Block,
                                            key_spec_index: -1,
                                            token: Some("INCRBY"),
                                            summary: None,
                                            since: None,
                                            flags: 0,
                                            deprecated_since: None,
                                            display: None,
                                            subargs: &[
                                                Arg {
                                                    name: "encoding",
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
                                                    name: "offset",
                                                    typ: ArgType::Integer,
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
                                                    name: "increment",
                                                    typ: ArgType::Integer,
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
                                        },
                                    ],
                                },
                            ],
                        },
                    ],
                },
            ],
        },
        handler: Some(bitfield),
        subcommands: &[],
    },
    CommandSpec {
        name: "bitfield_ro",
        arity: -2,
        flags: flags::READONLY | flags::FAST,
        acl: acl::READ | acl::BITMAP | acl::FAST,
        tips: &[],
        key_specs: &[KeySpec {
            notes: "",
            flags: kflags::RO | kflags::ACCESS,
            begin: BeginSearch::Index(1),
            find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 },
        }],
        doc: Doc {
            summary: S_BITFIELD_RO,
            since: "6.0.0",
            group: Group::Bitmap,
            complexity: Some("O(1) for each subcommand specified"),
            deprecated_since: None,
            replaced_by: None,
            history: &[],
            doc_flags: &[],
            args: &[
                Arg {
                    name: "key",
                    typ: ArgType::Key,
                    key_spec_index: 0,
                    token: None,
                    summary: None,
                    since: None,
                    flags: 0,
                    deprecated_since: None,
                    display: None,
                    subargs: &[],
                },
                Arg {
                    name: "encoding_offset",
                    typ: ArgType::Block,
                    key_spec_index: -1,
                    token: Some("GET"),
                    summary: None,
                    since: None,
                    flags: argflags::OPTIONAL | argflags::MULTIPLE | argflags::MULTIPLE_TOKEN,
                    deprecated_since: None,
                    display: None,
                    subargs: &[
                        Arg {
                            name: "encoding",
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
                            name: "offset",
                            typ: ArgType::Integer,
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
                },
            ],
        },
        handler: Some(bitfield_ro),
        subcommands: &[],
    },
];

fn bit_error(ctx: &mut Ctx, e: BitError) {
    ctx.error(match e {
        BitError::WrongType => errors::WRONGTYPE,
        BitError::NotInteger => errors::NOT_INTEGER,
        BitError::Syntax => errors::SYNTAX,
        BitError::TooLarge => TOO_LARGE_ERR,
    });
}

/// Clients whose commands must be obeyed (the master link, the AOF loader) are not held to
/// proto-max-bulk-len.
fn must_obey(ctx: &Ctx) -> bool {
    ctx.c.has(cflags::MASTER) || ctx.c.is_fake()
}

/// Redis's bit offset argument: a non-negative integer whose byte (offset / 8) lies below
/// proto-max-bulk-len. With `field_bits`, the `#<n>` form means n * field_bits (BITFIELD).
fn parse_offset(ctx: &Ctx, i: usize, field_bits: Option<u32>) -> Option<u64> {
    let arg = ctx.arg(i);
    let hash = field_bits.is_some() && arg.first() == Some(&b'#');
    let n = parse_i64(&arg[hash as usize..])?;
    let n = match field_bits {
        Some(bits) if hash => n.wrapping_mul(bits as i64),
        _ => n,
    };
    let limit = ctx.srv.config.proto_max_bulk_len;
    if n < 0 || (!must_obey(ctx) && (n >> 3) >= limit) {
        return None;
    }
    Some(n as u64)
}

fn setbit(ctx: &mut Ctx) {
    let Some(offset) = parse_offset(ctx, 2, None) else { return ctx.error(BIT_OFFSET_ERR) };
    let on = match parse_i64(ctx.arg(3)) {
        Some(v) if v & !1 == 0 => v == 1,
        _ => return ctx.error(BIT_VALUE_ERR),
    };
    let key = ctx.argv[1].clone();
    match ops::setbit(ctx.db(), &key, offset, on) {
        Ok(r) => {
            if r.changed {
                ctx.notify(notify::STRING, "setbit", &key);
                ctx.dirty(1);
            }
            ctx.int(r.old as i64);
        }
        Err(e) => bit_error(ctx, e),
    }
}

fn getbit(ctx: &mut Ctx) {
    let Some(offset) = parse_offset(ctx, 2, None) else { return ctx.error(BIT_OFFSET_ERR) };
    let key = ctx.argv[1].clone();
    match ops::getbit(ctx.db(), &key, offset) {
        Ok(b) => ctx.int(b as i64),
        Err(e) => bit_error(ctx, e),
    }
}

fn bitcount(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let args: Vec<&[u8]> = argv[2..].iter().map(|a| &a[..]).collect();
    match ops::bitcount(ctx.db(), &argv[1], &args) {
        Ok(n) => ctx.int(n as i64),
        Err(e) => bit_error(ctx, e),
    }
}

fn bitpos(ctx: &mut Ctx) {
    let bit = match parse_i64(ctx.arg(2)) {
        Some(b @ (0 | 1)) => b == 1,
        Some(_) => return ctx.error(BIT_ARG_ERR),
        None => return ctx.error(errors::NOT_INTEGER),
    };
    let argv = ctx.argv;
    let args: Vec<&[u8]> = argv[3..].iter().map(|a| &a[..]).collect();
    match ops::bitpos(ctx.db(), &argv[1], bit, &args) {
        Ok(n) => ctx.int(n),
        Err(e) => bit_error(ctx, e),
    }
}

fn bitop(ctx: &mut Ctx) {
    let Some(op) = BitOp::parse(ctx.arg(1)) else { return ctx.error(errors::SYNTAX) };
    if op == BitOp::Not && ctx.argc() != 4 {
        return ctx.error(BITOP_NOT_ERR);
    }
    let argv = ctx.argv;
    let dest = &argv[2];
    match ops::bitop(ctx.db(), op, dest, &argv[3..]) {
        Ok((len, effect)) => {
            match effect {
                BitOpEffect::Stored => {
                    ctx.notify(notify::STRING, "set", dest);
                    ctx.dirty(1);
                }
                BitOpEffect::Deleted => {
                    ctx.notify(notify::GENERIC, "del", dest);
                    ctx.dirty(1);
                }
                BitOpEffect::None => {}
            }
            ctx.int(len as i64);
        }
        Err(e) => bit_error(ctx, e),
    }
}

/// Parses a field type: `i<1..64>` or `u<1..63>` (the digits are read up to a NUL byte, like
/// Redis's strlen-bounded parse). Returns (signed, bits).
fn parse_field_type(arg: &[u8]) -> Option<(bool, u32)> {
    let signed = match arg.first() {
        Some(b'i') => true,
        Some(b'u') => false,
        _ => return None,
    };
    let bits = parse_i64(ops::cstr(&arg[1..]))?;
    let max = if signed { 64 } else { 63 };
    (1..=max).contains(&bits).then_some((signed, bits as u32))
}

/// Parses BITFIELD's operations (Redis checks every one before looking the key up). Replies
/// the error and returns `None` on the first bad one.
fn parse_field_ops(ctx: &mut Ctx) -> Option<Vec<FieldOp>> {
    let mut ops = Vec::new();
    let mut overflow = Overflow::Wrap;
    let mut j = 2;
    while j < ctx.argc() {
        let left = ctx.argc() - j - 1;
        let sub = ops::cstr(ctx.arg(j));
        let is = |name: &str| sub.eq_ignore_ascii_case(name.as_bytes());
        let kind = if is("get") && left >= 2 {
            FieldKind::Get
        } else if is("set") && left >= 3 {
            FieldKind::Set(0)
        } else if is("incrby") && left >= 3 {
            FieldKind::IncrBy(0)
        } else if is("overflow") && left >= 1 {
            let name = ops::cstr(ctx.arg(j + 1));
            overflow = if name.eq_ignore_ascii_case(b"wrap") {
                Overflow::Wrap
            } else if name.eq_ignore_ascii_case(b"sat") {
                Overflow::Sat
            } else if name.eq_ignore_ascii_case(b"fail") {
                Overflow::Fail
            } else {
                ctx.error(OVERFLOW_TYPE_ERR);
                return None;
            };
            j += 2;
            continue;
        } else {
            ctx.error(errors::SYNTAX);
            return None;
        };
        let Some((signed, bits)) = parse_field_type(ctx.arg(j + 1)) else {
            ctx.error(FIELD_TYPE_ERR);
            return None;
        };
        let Some(offset) = parse_offset(ctx, j + 2, Some(bits)) else {
            ctx.error(BIT_OFFSET_ERR);
            return None;
        };
        let kind = match kind {
            FieldKind::Get => kind,
            _ => {
                let Some(v) = parse_i64(ctx.arg(j + 3)) else {
                    ctx.error(errors::NOT_INTEGER);
                    return None;
                };
                if matches!(kind, FieldKind::Set(_)) {
                    FieldKind::Set(v)
                } else {
                    FieldKind::IncrBy(v)
                }
            }
        };
        ops.push(FieldOp { kind, signed, bits, offset, overflow });
        j += if kind == FieldKind::Get { 3 } else { 4 };
    }
    Some(ops)
}

fn bitfield_generic(ctx: &mut Ctx, read_only_cmd: bool) {
    let Some(fops) = parse_field_ops(ctx) else { return };
    if read_only_cmd && fops.iter().any(|o| o.kind != FieldKind::Get) {
        return ctx.error(RO_ONLY_GET_ERR);
    }
    let key = ctx.argv[1].clone();
    match ops::bitfield(ctx.db(), &key, &fops) {
        Ok(r) => {
            let out = ctx.out();
            out.array(r.replies.len());
            for v in &r.replies {
                match v {
                    Some(n) => out.int(*n),
                    None => out.null(),
                }
            }
            if r.changes > 0 {
                ctx.notify(notify::STRING, "setbit", &key);
                ctx.dirty(r.changes);
            }
        }
        Err(e) => bit_error(ctx, e),
    }
}

fn bitfield(ctx: &mut Ctx) {
    bitfield_generic(ctx, false);
}

fn bitfield_ro(ctx: &mut Ctx) {
    bitfield_generic(ctx, true);
}
