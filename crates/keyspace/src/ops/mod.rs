//! Data operations of the commands, one module per family: plain functions over `&mut Db` that
//! look keys up (with lazy expiry and hit/miss statistics, as the command would), change values
//! and return what happened. They never build replies, never propagate and never notify: the
//! server's command handlers turn the results into replies, dirty counts, notifications and the
//! replicated form of the command.

pub mod bits;
pub mod geo;
pub mod hashes;
pub mod hll;
pub mod keys;
pub mod lists;
pub mod longdouble;
pub mod sets;
pub mod sort;
pub mod streams;
pub mod strings;
pub mod zsets;

/// Why a data operation refused to run. The server maps each to Redis's exact error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpError {
    /// The key holds a value of another type (WRONGTYPE).
    WrongType,
    /// The stored value is not an integer, or is out of the i64 range.
    NotInteger,
    /// The stored value or the increment is not a valid float.
    NotFloat,
    /// An integer increment would overflow i64.
    Overflow,
    /// A float increment would produce NaN or an infinity.
    NanOrInfinity,
    /// The resulting string would be longer than the allowed maximum (proto-max-bulk-len).
    TooLarge,
    /// An expire time is not positive or overflows once converted to absolute milliseconds.
    InvalidExpire,
}
