//! Long double arithmetic as Redis does it for INCRBYFLOAT and HINCRBYFLOAT: numbers are parsed
//! strictly (strtold over the whole text, no leading blank, no NaN, no overflow), added in the
//! platform's `long double` (80-bit on x86-64) and printed "human friendly" (`%.17Lf` with the
//! trailing zeros of the fraction removed). The arithmetic lives in a small C file
//! (`c/longdouble.c`) because Rust has no extended-precision float; this module only moves byte
//! strings across that boundary. It knows nothing about keys or replies.

use std::os::raw::{c_char, c_int};

/// Room for any rendered long double (`%.17Lf` of the largest one is under 5,000 characters).
const OUT_CAP: usize = 5 * 1024;

const LD_OK: c_int = 0;
const LD_BAD_VALUE: c_int = 1;
const LD_BAD_INCR: c_int = 2;
const LD_NOT_FINITE: c_int = 3;

extern "C" {
    fn vireo_ld_valid(text: *const c_char, len: usize) -> c_int;
    fn vireo_ld_add_human(
        value: *const c_char,
        value_len: usize,
        has_value: c_int,
        incr: *const c_char,
        incr_len: usize,
        out: *mut c_char,
        cap: usize,
        out_len: *mut usize,
    ) -> c_int;
    fn vireo_ld_seconds_to_ms(text: *const c_char, len: usize, out: *mut i64) -> c_int;
    fn vireo_ld_normalize_human(
        text: *const c_char,
        len: usize,
        out: *mut c_char,
        cap: usize,
        out_len: *mut usize,
    ) -> c_int;
}

/// Why a long double addition failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LdError {
    /// The current value is not a valid float.
    BadValue,
    /// The increment is not a valid float.
    BadIncrement,
    /// The sum is NaN or infinite.
    NotFinite,
}

/// True when `text` is a number Redis's string2ld accepts.
pub fn is_valid(text: &[u8]) -> bool {
    // SAFETY: the pointer and length describe a live slice; the C side only reads `len` bytes.
    unsafe { vireo_ld_valid(text.as_ptr().cast(), text.len()) != 0 }
}

/// `value + incr` in long double precision, rendered human friendly. An absent value counts as 0.
pub fn add_human(value: Option<&[u8]>, incr: &[u8]) -> Result<Vec<u8>, LdError> {
    let mut out = vec![0u8; OUT_CAP];
    let mut len = 0usize;
    let (vp, vl, has) = match value {
        Some(v) => (v.as_ptr(), v.len(), 1),
        None => (std::ptr::null(), 0, 0),
    };
    // SAFETY: every pointer/length pair describes a live slice (or is null with `has_value` 0,
    // in which case the C side does not read it); `out` has `OUT_CAP` writable bytes and the C
    // side writes at most `cap` bytes and stores the length it wrote.
    let rc = unsafe {
        vireo_ld_add_human(
            vp.cast(),
            vl,
            has,
            incr.as_ptr().cast(),
            incr.len(),
            out.as_mut_ptr().cast(),
            OUT_CAP,
            &mut len,
        )
    };
    match rc {
        LD_OK => {
            out.truncate(len);
            Ok(out)
        }
        LD_BAD_VALUE => Err(LdError::BadValue),
        LD_BAD_INCR => Err(LdError::BadIncrement),
        LD_NOT_FINITE => Err(LdError::NotFinite),
        // cannot happen with OUT_CAP; treat as an invalid result rather than panic
        _ => Err(LdError::NotFinite),
    }
}

/// A blocking command's timeout: `text` seconds (a number Redis's string2ld accepts) as whole
/// milliseconds rounded up in long double precision; `None` when it is not a number. Products
/// beyond the range of i64 come back as `i64::MIN` (negative), as on Redis's x86-64 builds.
pub fn seconds_to_ms(text: &[u8]) -> Option<i64> {
    let mut ms = 0i64;
    // SAFETY: the pointer and length describe a live slice; the C side writes one i64 to `ms`.
    let ok = unsafe { vireo_ld_seconds_to_ms(text.as_ptr().cast(), text.len(), &mut ms) };
    (ok != 0).then_some(ms)
}

/// Parses `text` and renders it back human friendly (`None` when it is not a valid float).
pub fn normalize_human(text: &[u8]) -> Option<Vec<u8>> {
    let mut out = vec![0u8; OUT_CAP];
    let mut len = 0usize;
    // SAFETY: as in `add_human`.
    let rc = unsafe {
        vireo_ld_normalize_human(text.as_ptr().cast(), text.len(), out.as_mut_ptr().cast(), OUT_CAP, &mut len)
    };
    if rc != LD_OK {
        return None;
    }
    out.truncate(len);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(a: &str, b: &str) -> Result<String, LdError> {
        add_human(Some(a.as_bytes()), b.as_bytes()).map(|v| String::from_utf8(v).unwrap())
    }

    #[test]
    fn extended_precision_sums_print_like_redis() {
        // f64 would give 10.59999999999999964
        assert_eq!(add("10.5", "0.1").unwrap(), "10.6");
        assert_eq!(add("0", "1").unwrap(), "1");
        assert_eq!(add("5.0e3", "2.0e2").unwrap(), "5200");
        assert_eq!(add("1", "-1").unwrap(), "0");
        assert_eq!(add("-1", "0.5").unwrap(), "-0.5");
        assert_eq!(add("3", "0x10").unwrap(), "19");
        assert_eq!(add("0", "-1e-20").unwrap(), "0");
        assert_eq!(add("1", "1e-400").unwrap(), "1");
        assert_eq!(add_human(None, b"1.5").unwrap(), b"1.5");
    }

    #[test]
    fn strict_parsing_rejects_what_redis_rejects() {
        for bad in ["", " 1", "1 ", "abc", "nan", "1e5000", "-1e5000", "1e-5000", "1\x002", "1.5x"] {
            assert!(!is_valid(bad.as_bytes()), "{bad:?} accepted");
        }
        for good in ["1", "-1.5", "0x1p3", "inf", "1e-400", "+3", ".5", "5."] {
            assert!(is_valid(good.as_bytes()), "{good:?} rejected");
        }
        assert!(!is_valid(&vec![b'0'; 5120]));
        assert!(is_valid(&vec![b'0'; 5119]));
    }

    #[test]
    fn errors_name_the_bad_operand() {
        assert_eq!(add("x", "1"), Err(LdError::BadValue));
        assert_eq!(add("1", "x"), Err(LdError::BadIncrement));
        assert_eq!(add("1", "inf"), Err(LdError::NotFinite));
        assert_eq!(add("1e4932", "1e4932"), Err(LdError::NotFinite));
    }

    #[test]
    fn huge_values_fit_the_buffer() {
        let s = add("1e4931", "0").unwrap();
        assert_eq!(s.len(), 4932);
        assert!(s.starts_with("1000000000"));
        assert_eq!(normalize_human(b"-0").unwrap(), b"0");
        assert_eq!(normalize_human(b"inf").unwrap(), b"inf");
    }
}
