//! Geo commands: GEOADD, GEODIST, GEOHASH, GEOPOS, GEORADIUS, GEORADIUSBYMEMBER, their _RO
//! forms, GEOSEARCH and GEOSEARCHSTORE. Points live in sorted sets (the score is the 52-bit
//! geohash of `vireo_keyspace::ops::geo`); handlers parse arguments as Redis 7.0 does (same
//! error texts and order of checks), search with the keyspace's area search, write replies
//! (distances with four decimals, coordinates as Redis's human long doubles, RESP3 doubles) and
//! report effects: GEOADD is replicated as the ZADD it amounts to; the STORE forms store a
//! sorted set and notify `georadiusstore` / `geosearchstore`. They know nothing of sockets, the
//! backlog or the AOF.

use crate::client::Reply;
use crate::cmd::is_opt;
use crate::command::*;
use crate::errors;
use crate::exec::{notify, Ctx};
use bytes::Bytes;
use vireo_keyspace::ops::geo::{self, Area, Found, Shape};
use vireo_keyspace::ops::zsets::{self as zops, Stored};
use vireo_keyspace::ops::OpError;
use vireo_keyspace::sbytes::SBytes;
use vireo_keyspace::types::zset::{AddFlags, ZSet};
use vireo_keyspace::Value;
use vireo_resp::num::{parse_f64, parse_i64};

const S_GEOADD: &str = "Adds points (longitude, latitude, name) to a geospatial index kept in a sorted set.";
const S_GEODIST: &str = "Returns the distance between two points of a geospatial index.";
const S_GEOHASH: &str = "Returns the standard geohash strings of points of a geospatial index.";
const S_GEOPOS: &str = "Returns the longitude and latitude of points of a geospatial index.";
const S_GEOSEARCH: &str =
    "Returns the points of a geospatial index inside a circle or a box around a member or a position.";
const S_GEOSEARCHSTORE: &str =
    "Stores the points of a geospatial index inside a circle or a box under a destination key.";
const S_GEORADIUS: &str = "Returns (or stores) the points of a geospatial index within a radius of a position.";
const S_GEORADIUSBYMEMBER: &str =
    "Returns (or stores) the points of a geospatial index within a radius of one of its members.";
const S_GEORADIUS_RO: &str = "Returns the points of a geospatial index within a radius of a position (read-only form).";
const S_GEORADIUSBYMEMBER_RO: &str =
    "Returns the points of a geospatial index within a radius of one of its members (read-only form).";

pub static COMMANDS: &[CommandSpec] = &[
    CommandSpec {
        name: "geoadd",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEOADD, since: "3.2.0", group: Group::Geo, complexity: Some("O(log(N)) for each item added, where N is the number of elements in the sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "condition", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "nx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("NX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "xx", typ: ArgType::PureToken, key_spec_index: -1, token: Some("XX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "change", typ: ArgType::PureToken, key_spec_index: -1, token: Some("CH"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "longitude_latitude_member", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[
                Arg { name: "longitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "latitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(geoadd),
        subcommands: &[],
    },
    CommandSpec {
        name: "geodist",
        arity: -4,
        flags: flags::READONLY,
        acl: acl::READ | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEODIST, since: "3.2.0", group: Group::Geo, complexity: Some("O(log(N))"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member1", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member2", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(geodist),
        subcommands: &[],
    },
    CommandSpec {
        name: "geohash",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEOHASH, since: "3.2.0", group: Group::Geo, complexity: Some("O(log(N)) for each member requested, where N is the number of elements in the sorted set."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(geohash),
        subcommands: &[],
    },
    CommandSpec {
        name: "geopos",
        arity: -2,
        flags: flags::READONLY,
        acl: acl::READ | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEOPOS, since: "3.2.0", group: Group::Geo, complexity: Some("O(N) where N is the number of members requested."), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::MULTIPLE, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(geopos),
        subcommands: &[],
    },
    CommandSpec {
        name: "geosearch",
        arity: -7,
        flags: flags::READONLY,
        acl: acl::READ | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEOSEARCH, since: "6.2.0", group: Group::Geo, complexity: Some("O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "from", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: Some("FROMMEMBER"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "longitude_latitude", typ: ArgType::Block, key_spec_index: -1, token: Some("FROMLONLAT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "longitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "latitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
            ] },
            Arg { name: "by", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "circle", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "radius", typ: ArgType::Double, key_spec_index: -1, token: Some("BYRADIUS"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                        Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    ] },
                ] },
                Arg { name: "box", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "width", typ: ArgType::Double, key_spec_index: -1, token: Some("BYBOX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "height", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                        Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    ] },
                ] },
            ] },
            Arg { name: "order", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "asc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "desc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("DESC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "count", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "any", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ANY"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "withcoord", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHCOORD"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withdist", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHDIST"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withhash", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHHASH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(geosearch),
        subcommands: &[],
    },
    CommandSpec {
        name: "geosearchstore",
        arity: -8,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(2), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEOSEARCHSTORE, since: "6.2.0", group: Group::Geo, complexity: Some("O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape"), deprecated_since: None, replaced_by: None, history: &[], doc_flags: &[], args: &[
            Arg { name: "destination", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "source", typ: ArgType::Key, key_spec_index: 1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "from", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: Some("FROMMEMBER"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "longitude_latitude", typ: ArgType::Block, key_spec_index: -1, token: Some("FROMLONLAT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "longitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "latitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                ] },
            ] },
            Arg { name: "by", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "circle", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "radius", typ: ArgType::Double, key_spec_index: -1, token: Some("BYRADIUS"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                        Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    ] },
                ] },
                Arg { name: "box", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                    Arg { name: "width", typ: ArgType::Double, key_spec_index: -1, token: Some("BYBOX"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "height", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                        Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                        Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                    ] },
                ] },
            ] },
            Arg { name: "order", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "asc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "desc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("DESC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "count", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "any", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ANY"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "storedist", typ: ArgType::PureToken, key_spec_index: -1, token: Some("STOREDIST"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(geosearchstore),
        subcommands: &[],
    },
    CommandSpec {
        name: "georadius",
        arity: -6,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Keyword { keyword: "STORE", startfrom: 6 }, find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Keyword { keyword: "STOREDIST", startfrom: 6 }, find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEORADIUS, since: "3.2.0", group: Group::Geo, complexity: Some("O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."), deprecated_since: Some("6.2.0"), replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` argument"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "longitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "latitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "radius", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "withcoord", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHCOORD"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withdist", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHDIST"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withhash", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHHASH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "any", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ANY"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "order", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "asc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "desc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("DESC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 1, token: Some("STORE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 2, token: Some("STOREDIST"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(georadius),
        subcommands: &[],
    },
    CommandSpec {
        name: "georadiusbymember",
        arity: -5,
        flags: flags::WRITE | flags::DENYOOM,
        acl: acl::WRITE | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Keyword { keyword: "STORE", startfrom: 5 }, find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }, KeySpec { notes: "", flags: kflags::OW | kflags::UPDATE, begin: BeginSearch::Keyword { keyword: "STOREDIST", startfrom: 5 }, find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEORADIUSBYMEMBER, since: "3.2.0", group: Group::Geo, complexity: Some("O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."), deprecated_since: Some("6.2.0"), replaced_by: Some("`GEOSEARCH` and `GEOSEARCHSTORE` with the `BYRADIUS` and `FROMMEMBER` arguments"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "radius", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "withcoord", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHCOORD"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withdist", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHDIST"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withhash", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHHASH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "any", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ANY"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "order", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "asc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "desc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("DESC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 1, token: Some("STORE"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 2, token: Some("STOREDIST"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
        ] },
        handler: Some(georadiusbymember),
        subcommands: &[],
    },
    CommandSpec {
        name: "georadius_ro",
        arity: -6,
        flags: flags::READONLY,
        acl: acl::READ | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEORADIUS_RO, since: "3.2.10", group: Group::Geo, complexity: Some("O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."), deprecated_since: Some("6.2.0"), replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` argument"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "longitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "latitude", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "radius", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "withcoord", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHCOORD"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withdist", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHDIST"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withhash", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHHASH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "any", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ANY"), summary: None, since: Some("6.2.0"), flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "order", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "asc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "desc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("DESC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(georadius_ro),
        subcommands: &[],
    },
    CommandSpec {
        name: "georadiusbymember_ro",
        arity: -5,
        flags: flags::READONLY,
        acl: acl::READ | acl::GEO | acl::SLOW,
        tips: &[],
        key_specs: &[KeySpec { notes: "", flags: kflags::RO | kflags::ACCESS, begin: BeginSearch::Index(1), find: FindKeys::Range { lastkey: 0, step: 1, limit: 0 } }],
        doc: Doc { summary: S_GEORADIUSBYMEMBER_RO, since: "3.2.10", group: Group::Geo, complexity: Some("O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index."), deprecated_since: Some("6.2.0"), replaced_by: Some("`GEOSEARCH` with the `BYRADIUS` and `FROMMEMBER` arguments"), history: &[], doc_flags: &["deprecated"], args: &[
            Arg { name: "key", typ: ArgType::Key, key_spec_index: 0, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "member", typ: ArgType::String, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "radius", typ: ArgType::Double, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "unit", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[
                Arg { name: "m", typ: ArgType::PureToken, key_spec_index: -1, token: Some("M"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "km", typ: ArgType::PureToken, key_spec_index: -1, token: Some("KM"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "ft", typ: ArgType::PureToken, key_spec_index: -1, token: Some("FT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "mi", typ: ArgType::PureToken, key_spec_index: -1, token: Some("MI"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "withcoord", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHCOORD"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withdist", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHDIST"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "withhash", typ: ArgType::PureToken, key_spec_index: -1, token: Some("WITHHASH"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            Arg { name: "count", typ: ArgType::Block, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "count", typ: ArgType::Integer, key_spec_index: -1, token: Some("COUNT"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "any", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ANY"), summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[] },
            ] },
            Arg { name: "order", typ: ArgType::Oneof, key_spec_index: -1, token: None, summary: None, since: None, flags: argflags::OPTIONAL, deprecated_since: None, display: None, subargs: &[
                Arg { name: "asc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("ASC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
                Arg { name: "desc", typ: ArgType::PureToken, key_spec_index: -1, token: Some("DESC"), summary: None, since: None, flags: 0, deprecated_since: None, display: None, subargs: &[] },
            ] },
        ] },
        handler: Some(georadiusbymember_ro),
        subcommands: &[],
    },
];

const UNIT_ERR: &str = "ERR unsupported unit provided. please use M, KM, FT, MI";
const DECODE_MEMBER: &str = "ERR could not decode requested zset member";

fn op_error(out: &mut Reply, e: OpError) {
    match e {
        OpError::WrongType => out.error(errors::WRONGTYPE),
        _ => out.error(errors::SYNTAX),
    }
}

/// A distance as Redis prints it: fixed point, four decimals (rounded half to even).
fn distance_text(d: f64) -> String {
    let v = (d * 10000.0).round_ties_even();
    let v = if v.is_finite() && v.abs() < 9.2e18 { v as i64 } else { i64::MIN };
    let neg = v < 0;
    let a = v.unsigned_abs();
    format!("{}{}.{:04}", if neg { "-" } else { "" }, a / 10000, a % 10000)
}

/// A coordinate as Redis's human-friendly long double: 17 decimals, trailing zeros dropped.
fn human_text(d: f64) -> String {
    let mut s = format!("{:.17}", d);
    if s.contains('.') {
        while s.ends_with('0') {
            s.pop();
        }
        if s.ends_with('.') {
            s.pop();
        }
    }
    if s == "-0" {
        s = "0".into();
    }
    s
}

fn human_reply(out: &mut Reply, d: f64) {
    let t = human_text(d);
    if out.is_resp3() {
        out.raw(format!(",{}\r\n", t).as_bytes());
    } else {
        out.bulk(t.as_bytes());
    }
}

/// Parses a longitude, latitude pair at `argv[i..i + 2]`, replying the error on failure.
fn lon_lat(ctx: &mut Ctx, i: usize) -> Option<(f64, f64)> {
    let argv = ctx.argv;
    let mut xy = [0.0f64; 2];
    for (k, v) in xy.iter_mut().enumerate() {
        match parse_f64(&argv[i + k]) {
            Some(x) => *v = x,
            None => {
                ctx.error(errors::NOT_FLOAT);
                return None;
            }
        }
    }
    let [x, y] = xy;
    if !(geo::LONG_MIN..=geo::LONG_MAX).contains(&x) || !(geo::LAT_MIN..=geo::LAT_MAX).contains(&y) {
        ctx.error(&format!("ERR invalid longitude,latitude pair {:.6},{:.6}", x, y));
        return None;
    }
    Some((x, y))
}

fn unit(ctx: &mut Ctx, arg: &[u8]) -> Option<f64> {
    let u = if is_opt(arg, "m") {
        1.0
    } else if is_opt(arg, "km") {
        1000.0
    } else if is_opt(arg, "ft") {
        0.3048
    } else if is_opt(arg, "mi") {
        1609.34
    } else {
        ctx.error(UNIT_ERR);
        return None;
    };
    Some(u)
}

/// `<radius> <unit>` at argv[i..].
fn radius(ctx: &mut Ctx, i: usize) -> Option<(f64, f64)> {
    let argv = ctx.argv;
    let Some(r) = parse_f64(&argv[i]) else {
        ctx.error("ERR need numeric radius");
        return None;
    };
    if r < 0.0 {
        ctx.error("ERR radius cannot be negative");
        return None;
    }
    let u = unit(ctx, &argv[i + 1])?;
    Some((r, u))
}

/// `<width> <height> <unit>` at argv[i..].
fn box_size(ctx: &mut Ctx, i: usize) -> Option<(f64, f64, f64)> {
    let argv = ctx.argv;
    let Some(w) = parse_f64(&argv[i]) else {
        ctx.error("ERR need numeric width");
        return None;
    };
    let Some(h) = parse_f64(&argv[i + 1]) else {
        ctx.error("ERR need numeric height");
        return None;
    };
    if h < 0.0 || w < 0.0 {
        ctx.error("ERR height or width cannot be negative");
        return None;
    }
    let u = unit(ctx, &argv[i + 2])?;
    Some((w, h, u))
}

/// The sorted set at `key`, already looked up by the command (no statistics).
fn peek_zset<'a>(ctx: &'a mut Ctx, key: &[u8]) -> Option<&'a ZSet> {
    let i = ctx.c.db;
    match ctx.srv.ks.dbs[i].peek(key).map(|e| &e.val) {
        Some(Value::ZSet(z)) => Some(z),
        _ => None,
    }
}

fn member_score(ctx: &mut Ctx, key: &[u8], member: &[u8]) -> Option<f64> {
    peek_zset(ctx, key).and_then(|z| z.score(member))
}

// ---------------------------------------------------------------------------------------------
// GEOADD, GEODIST, GEOHASH, GEOPOS

fn geoadd(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (mut nx, mut xx, mut ch) = (false, false, false);
    let mut idx = 2;
    while idx < argv.len() {
        let a = &argv[idx];
        if is_opt(a, "nx") {
            nx = true;
        } else if is_opt(a, "xx") {
            xx = true;
        } else if is_opt(a, "ch") {
            ch = true;
        } else {
            break;
        }
        idx += 1;
    }
    if !(argv.len() - idx).is_multiple_of(3) || (xx && nx) || argv.len() == idx {
        return ctx.error(errors::SYNTAX);
    }
    let n = (argv.len() - idx) / 3;
    let mut scores: Vec<f64> = Vec::with_capacity(n);
    for i in 0..n {
        let Some((x, y)) = lon_lat(ctx, idx + 3 * i) else { return };
        scores.push(geo::score_of(x, y).unwrap_or(0) as f64);
    }
    let pairs: Vec<(f64, &[u8])> = (0..n).map(|i| (scores[i], &argv[idx + 3 * i + 2][..])).collect();
    let limits = ctx.type_limits();
    let f = AddFlags { nx, xx, ..Default::default() };
    let r = match zops::zadd(ctx.db(), &argv[1], &pairs, f, &limits) {
        Ok(r) => r,
        Err(e) => return op_error(ctx.out(), e),
    };
    ctx.int((if ch { r.added + r.updated } else { r.added }) as i64);
    if r.added + r.updated > 0 {
        ctx.dirty((r.added + r.updated) as u64);
        ctx.notify(notify::ZSET, "zadd", &argv[1]);
        // replicas see the ZADD this amounts to
        let mut v: Vec<Bytes> = Vec::with_capacity(idx + 2 * n);
        v.push(Bytes::from_static(b"zadd"));
        v.extend(argv[1..idx].iter().cloned());
        for (i, s) in scores.iter().enumerate() {
            v.push(Bytes::from((*s as u64).to_string()));
            v.push(argv[idx + 3 * i + 2].clone());
        }
        ctx.rewrite(v);
    }
}

fn geodist(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let mut to_m = 1.0;
    if argv.len() == 5 {
        let Some(u) = unit(ctx, &argv[4]) else { return };
        to_m = u;
    } else if argv.len() > 5 {
        return ctx.error(errors::SYNTAX);
    }
    let z = match zops::zset_for_read(ctx.db(), &argv[1]) {
        Err(e) => return op_error(ctx.out(), e),
        Ok(None) => return ctx.null(),
        Ok(Some(z)) => z,
    };
    match (z.score(&argv[2]), z.score(&argv[3])) {
        (Some(a), Some(b)) => {
            let (x1, y1) = geo::decode_score(a);
            let (x2, y2) = geo::decode_score(b);
            let d = geo::distance(x1, y1, x2, y2) / to_m;
            ctx.bulk(distance_text(d).as_bytes());
        }
        _ => ctx.null(),
    }
}

fn geohash(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    let z = match zops::zset_for_read(db, &argv[1]) {
        Err(e) => return op_error(out, e),
        Ok(z) => z,
    };
    out.array(argv.len() - 2);
    for m in &argv[2..] {
        match z.as_ref().and_then(|z| z.score(m)) {
            Some(s) => out.bulk(&geo::geohash_string(s)),
            None => out.null(),
        }
    }
}

fn geopos(ctx: &mut Ctx) {
    let argv = ctx.argv;
    let (db, out) = ctx.db_out();
    let z = match zops::zset_for_read(db, &argv[1]) {
        Err(e) => return op_error(out, e),
        Ok(z) => z,
    };
    out.array(argv.len() - 2);
    for m in &argv[2..] {
        match z.as_ref().and_then(|z| z.score(m)) {
            Some(s) => {
                let (x, y) = geo::decode_score(s);
                out.array(2);
                human_reply(out, x);
                human_reply(out, y);
            }
            None => out.null_array(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// GEORADIUS, GEORADIUSBYMEMBER, their _RO forms, GEOSEARCH, GEOSEARCHSTORE

const RADIUS_COORDS: u8 = 1;
const RADIUS_MEMBER: u8 = 2;
const NOSTORE: u8 = 4;
const SEARCH: u8 = 8;
const SEARCHSTORE: u8 = 16;

#[derive(PartialEq, Eq, Clone, Copy)]
enum Sort {
    None,
    Asc,
    Desc,
}

fn georadius_generic(ctx: &mut Ctx, src: usize, flags: u8) {
    let argv = ctx.argv;
    let key = &argv[src];
    let exists = match zops::zset_for_read(ctx.db(), key) {
        Err(e) => return op_error(ctx.out(), e),
        Ok(z) => z.is_some(),
    };
    let mut center = (0.0, 0.0);
    let mut area = Area::Radius(0.0);
    let mut to_m = 0.0;
    let mut store: Option<&Bytes> = None;
    let mut storedist = false;
    let base;
    if flags & RADIUS_COORDS != 0 {
        base = 6;
        let Some(c) = lon_lat(ctx, 2) else { return };
        center = c;
        let Some((r, u)) = radius(ctx, 4) else { return };
        area = Area::Radius(r);
        to_m = u;
    } else if flags & RADIUS_MEMBER != 0 && !exists {
        base = 5;
    } else if flags & RADIUS_MEMBER != 0 {
        base = 5;
        let Some(s) = member_score(ctx, key, &argv[2]) else { return ctx.error(DECODE_MEMBER) };
        center = geo::decode_score(s);
        let Some((r, u)) = radius(ctx, 3) else { return };
        area = Area::Radius(r);
        to_m = u;
    } else {
        base = if flags & SEARCHSTORE != 0 { 3 } else { 2 };
        if flags & SEARCHSTORE != 0 {
            store = Some(&argv[1]);
        }
    }
    let (mut withdist, mut withhash, mut withcoord) = (false, false, false);
    let (mut frommember, mut fromloc, mut byradius, mut bybox) = (false, false, false, false);
    let mut sort = Sort::None;
    let mut any = false;
    let mut count: i64 = 0;
    let search = flags & SEARCH != 0;
    let remaining = argv.len().saturating_sub(base);
    let mut i = 0;
    while i < remaining {
        let a = &argv[base + i];
        if is_opt(a, "withdist") {
            withdist = true;
        } else if is_opt(a, "withhash") {
            withhash = true;
        } else if is_opt(a, "withcoord") {
            withcoord = true;
        } else if is_opt(a, "any") {
            any = true;
        } else if is_opt(a, "asc") {
            sort = Sort::Asc;
        } else if is_opt(a, "desc") {
            sort = Sort::Desc;
        } else if is_opt(a, "count") && i + 1 < remaining {
            let Some(c) = parse_i64(&argv[base + i + 1]) else { return ctx.error(errors::NOT_INTEGER) };
            if c <= 0 {
                return ctx.error("ERR COUNT must be > 0");
            }
            count = c;
            i += 1;
        } else if (is_opt(a, "store") || is_opt(a, "storedist")) && i + 1 < remaining && flags & NOSTORE == 0 && !search
        {
            store = Some(&argv[base + i + 1]);
            storedist = is_opt(a, "storedist");
            i += 1;
        } else if is_opt(a, "storedist") && search && flags & SEARCHSTORE != 0 {
            storedist = true;
        } else if is_opt(a, "frommember") && i + 1 < remaining && search && !fromloc {
            if exists {
                let Some(s) = member_score(ctx, key, &argv[base + i + 1]) else { return ctx.error(DECODE_MEMBER) };
                center = geo::decode_score(s);
            }
            frommember = true;
            i += 1;
        } else if is_opt(a, "fromlonlat") && i + 2 < remaining && search && !frommember {
            let Some(c) = lon_lat(ctx, base + i + 1) else { return };
            center = c;
            fromloc = true;
            i += 2;
        } else if is_opt(a, "byradius") && i + 2 < remaining && search && !bybox {
            let Some((r, u)) = radius(ctx, base + i + 1) else { return };
            area = Area::Radius(r);
            to_m = u;
            byradius = true;
            i += 2;
        } else if is_opt(a, "bybox") && i + 3 < remaining && search && !byradius {
            let Some((w, h, u)) = box_size(ctx, base + i + 1) else { return };
            area = Area::Box(w, h);
            to_m = u;
            bybox = true;
            i += 3;
        } else {
            return ctx.error(errors::SYNTAX);
        }
        i += 1;
    }
    if store.is_some() && (withdist || withhash || withcoord) {
        let what = if flags & SEARCHSTORE != 0 { "GEOSEARCHSTORE" } else { "STORE option in GEORADIUS" };
        return ctx.error(&format!("ERR {} is not compatible with WITHDIST, WITHHASH and WITHCOORD options", what));
    }
    let name = String::from_utf8_lossy(&argv[0]).into_owned();
    if search && !(frommember || fromloc) {
        return ctx.error(&format!("ERR exactly one of FROMMEMBER or FROMLONLAT can be specified for {}", name));
    }
    if search && !(byradius || bybox) {
        return ctx.error(&format!("ERR exactly one of BYRADIUS and BYBOX can be specified for {}", name));
    }
    if any && count == 0 {
        return ctx.error("ERR the ANY argument requires COUNT argument");
    }
    if !exists {
        match store {
            Some(dst) => {
                if ctx.db().delete(dst) {
                    ctx.notify(notify::GENERIC, "del", dst);
                    ctx.dirty(1);
                }
                ctx.int(0);
            }
            None => ctx.out().array(0),
        }
        return;
    }
    if count != 0 && sort == Sort::None && !any {
        sort = Sort::Asc;
    }
    let shape = Shape { center, area, to_meters: to_m };
    let limit = if any { usize::try_from(count).unwrap_or(usize::MAX) } else { 0 };
    let mut found: Vec<Found> = match peek_zset(ctx, key) {
        Some(z) => geo::search(z, &shape, limit),
        None => Vec::new(),
    };
    match sort {
        Sort::Asc => found.sort_by(|a, b| a.dist.partial_cmp(&b.dist).unwrap_or(std::cmp::Ordering::Equal)),
        Sort::Desc => found.sort_by(|a, b| b.dist.partial_cmp(&a.dist).unwrap_or(std::cmp::Ordering::Equal)),
        Sort::None => {}
    }
    let returned = if count == 0 { found.len() } else { found.len().min(count as usize) };
    found.truncate(returned);
    match store {
        None => {
            let out = ctx.out();
            let opts = usize::from(withdist) + usize::from(withhash) + usize::from(withcoord);
            out.array(returned);
            for f in &found {
                if opts > 0 {
                    out.array(opts + 1);
                }
                out.bulk(f.member.as_slice());
                if withdist {
                    out.bulk(distance_text(f.dist / to_m).as_bytes());
                }
                if withhash {
                    out.int(f.score as i64);
                }
                if withcoord {
                    out.array(2);
                    human_reply(out, f.lon);
                    human_reply(out, f.lat);
                }
            }
        }
        Some(dst) => {
            let mut pairs: Vec<(SBytes, f64)> = found
                .into_iter()
                .map(|f| {
                    let s = if storedist { f.dist / to_m } else { f.score };
                    (f.member, s)
                })
                .collect();
            ZSet::sort_items(&mut pairs);
            let limits = ctx.type_limits();
            match zops::store(ctx.db(), dst, pairs, &limits) {
                Stored::Stored(n) => {
                    ctx.notify(notify::ZSET, if search { "geosearchstore" } else { "georadiusstore" }, dst);
                    ctx.dirty(n as u64);
                }
                Stored::Deleted => {
                    ctx.notify(notify::GENERIC, "del", dst);
                    ctx.dirty(1);
                }
                Stored::Nothing => {}
            }
            ctx.int(returned as i64);
        }
    }
}

fn georadius(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, RADIUS_COORDS);
}

fn georadiusbymember(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, RADIUS_MEMBER);
}

fn georadius_ro(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, RADIUS_COORDS | NOSTORE);
}

fn georadiusbymember_ro(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, RADIUS_MEMBER | NOSTORE);
}

fn geosearch(ctx: &mut Ctx) {
    georadius_generic(ctx, 1, SEARCH);
}

fn geosearchstore(ctx: &mut Ctx) {
    georadius_generic(ctx, 2, SEARCH | SEARCHSTORE);
}
