//! RESP on the wire: the incremental request decoder ([`RequestParser`]), the reply encoder
//! ([`ReplyBuf`]) for RESP2 and RESP3, and the number formatting and parsing rules Redis uses on
//! the wire ([`num`]). This crate knows nothing of commands, keys or clients: it turns bytes into
//! argument vectors and values into bytes, with Redis's exact error texts and limits.
//!
//! Reading order: [`request`] (what a client may send and how it is cut into arguments),
//! [`reply`] (every reply type in both protocol versions), [`num`] (the number rules both use).

pub mod num;
pub mod reply;
pub mod request;

pub use num::{fmt_double, i64_to_string, parse_f64, parse_i64, parse_u64, write_double, write_i64, write_u64};
pub use reply::{Agg, Deferred, Proto, ReplyBuf};
pub use request::{Limits, Parsed, ProtocolError, RequestParser};
