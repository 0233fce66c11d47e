//! RESP on the wire: the incremental request decoder ([`RequestParser`]), the reply encoder
//! ([`ReplyBuf`]) for RESP2 and RESP3, and the number formatting and parsing rules Redis uses on
//! the wire ([`num`]). This crate knows nothing of commands, keys or clients: it turns bytes into
//! argument vectors and values into bytes, with Redis's exact error texts and limits.

pub mod num;
pub mod reply;
pub mod request;

pub use reply::{Proto, ReplyBuf};
pub use request::{Limits, ProtocolError, RequestParser};
