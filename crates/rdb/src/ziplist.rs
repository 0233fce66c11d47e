//! Reading ziplists, the compact encoding of lists, hashes and sorted sets in RDB files written
//! by Redis before 7.0 (types 10, 12, 13 and the nodes of quicklist type 14). Layout: a header
//! of total bytes (u32 LE), tail offset (u32 LE) and entry count (u16 LE), then entries of
//! "previous entry length" (1 byte, or 0xFE + u32 LE), an encoding header (strings of 6, 14 or
//! 32-bit length; integers of 8, 16, 24, 32 or 64 bits; 4-bit immediates 0..=12) and the data,
//! then 0xFF. Entries are returned as owned bytes or integers; every bound is checked, so a
//! corrupt blob is an error, never a panic. Only reading: vireo never writes ziplists.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ZipEntry {
    Bytes(Vec<u8>),
    Int(i64),
}

impl ZipEntry {
    /// The entry as bytes (integers in decimal).
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            ZipEntry::Bytes(b) => b,
            ZipEntry::Int(i) => i.to_string().into_bytes(),
        }
    }
}

/// Decodes every entry of a ziplist blob; Err names what was wrong.
pub fn entries(z: &[u8]) -> Result<Vec<ZipEntry>, String> {
    if z.len() < 11 {
        return Err("ziplist shorter than its header".into());
    }
    let total = u32::from_le_bytes([z[0], z[1], z[2], z[3]]) as usize;
    if total != z.len() {
        return Err(format!("ziplist size {total} does not match its blob of {}", z.len()));
    }
    if z[z.len() - 1] != 0xFF {
        return Err("ziplist without its end mark".into());
    }
    let count = u16::from_le_bytes([z[8], z[9]]) as usize;
    let mut out = Vec::with_capacity(count.min(z.len()));
    let mut p = 10;
    let end = z.len() - 1;
    let byte = |i: usize| -> Result<u8, String> {
        if i < end {
            Ok(z[i])
        } else {
            Err("ziplist entry runs past the end".into())
        }
    };
    let slice = |i: usize, n: usize| -> Result<&[u8], String> {
        if i.checked_add(n).is_some_and(|e| e <= end) {
            Ok(&z[i..i + n])
        } else {
            Err("ziplist entry runs past the end".into())
        }
    };
    while p < end {
        // previous entry length
        p += if byte(p)? == 0xFE { 5 } else { 1 };
        let h = byte(p)?;
        match h >> 6 {
            0 => {
                let n = (h & 0x3f) as usize;
                out.push(ZipEntry::Bytes(slice(p + 1, n)?.to_vec()));
                p += 1 + n;
            }
            1 => {
                let n = (((h & 0x3f) as usize) << 8) | byte(p + 1)? as usize;
                out.push(ZipEntry::Bytes(slice(p + 2, n)?.to_vec()));
                p += 2 + n;
            }
            2 => {
                let b = slice(p + 1, 4)?;
                let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
                out.push(ZipEntry::Bytes(slice(p + 5, n)?.to_vec()));
                p += 5 + n;
            }
            _ => {
                let (v, size) = match h {
                    0xC0 => {
                        let b = slice(p + 1, 2)?;
                        (i16::from_le_bytes([b[0], b[1]]) as i64, 2)
                    }
                    0xD0 => {
                        let b = slice(p + 1, 4)?;
                        (i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64, 4)
                    }
                    0xE0 => {
                        let b = slice(p + 1, 8)?;
                        (i64::from_le_bytes(b.try_into().unwrap_or([0; 8])), 8)
                    }
                    0xF0 => {
                        let b = slice(p + 1, 3)?;
                        // 24-bit signed: sign-extend from the top byte
                        ((i32::from_le_bytes([0, b[0], b[1], b[2]]) >> 8) as i64, 3)
                    }
                    0xFE => (byte(p + 1)? as i8 as i64, 1),
                    0xF1..=0xFD => (((h & 0x0f) as i64) - 1, 0),
                    _ => return Err(format!("invalid ziplist entry encoding {h:#x}")),
                };
                slice(p + 1, size)?;
                out.push(ZipEntry::Int(v));
                p += 1 + size;
            }
        }
    }
    if count != 0xFFFF && count != out.len() {
        return Err(format!("ziplist header says {count} entries, found {}", out.len()));
    }
    Ok(out)
}

/// A field and its value.
pub type Pair = (Vec<u8>, Vec<u8>);

/// Decodes a zipmap (hash encoding of RDB files before Redis 2.6): a count byte, then pairs of
/// length-prefixed field and value (the value with a free-space byte), then 0xFF.
pub fn zipmap_pairs(z: &[u8]) -> Result<Vec<Pair>, String> {
    let mut p = 1;
    let mut out = Vec::new();
    let len_at = |p: usize| -> Result<(usize, usize), String> {
        match z.get(p) {
            Some(&b) if b < 254 => Ok((b as usize, 1)),
            Some(&254) => {
                let b = z.get(p + 1..p + 5).ok_or("zipmap length runs past the end")?;
                Ok((u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 5))
            }
            _ => Err("zipmap length runs past the end".into()),
        }
    };
    loop {
        match z.get(p) {
            None => return Err("zipmap without its end mark".into()),
            Some(0xFF) => break,
            _ => {}
        }
        let (klen, kh) = len_at(p)?;
        p += kh;
        let key = z.get(p..p + klen).ok_or("zipmap field runs past the end")?.to_vec();
        p += klen;
        let (vlen, vh) = len_at(p)?;
        p += vh;
        let free = *z.get(p).ok_or("zipmap value runs past the end")? as usize;
        p += 1;
        let val = z.get(p..p + vlen).ok_or("zipmap value runs past the end")?.to_vec();
        p += vlen + free;
        out.push((key, val));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a ziplist the way an old Redis lays it out (for tests only).
    fn build(entries: &[&[u8]]) -> Vec<u8> {
        let mut body = Vec::new();
        let mut prev = 0usize;
        for e in entries {
            let start = body.len();
            if prev < 254 {
                body.push(prev as u8);
            } else {
                body.push(0xFE);
                body.extend_from_slice(&(prev as u32).to_le_bytes());
            }
            match std::str::from_utf8(e).ok().and_then(|s| s.parse::<i64>().ok()) {
                Some(v) if (0..=12).contains(&v) => body.push(0xF1 + v as u8),
                Some(v) if i8::try_from(v).is_ok() => {
                    body.push(0xFE);
                    body.push(v as i8 as u8);
                }
                Some(v) if i16::try_from(v).is_ok() => {
                    body.push(0xC0);
                    body.extend_from_slice(&(v as i16).to_le_bytes());
                }
                Some(v) if (-(1 << 23)..(1 << 23)).contains(&v) => {
                    body.push(0xF0);
                    body.extend_from_slice(&(v as i32).to_le_bytes()[..3]);
                }
                Some(v) => {
                    body.push(0xE0);
                    body.extend_from_slice(&v.to_le_bytes());
                }
                None if e.len() < 64 => {
                    body.push(e.len() as u8);
                    body.extend_from_slice(e);
                }
                None => {
                    body.push(0x40 | (e.len() >> 8) as u8);
                    body.push(e.len() as u8);
                    body.extend_from_slice(e);
                }
            }
            prev = body.len() - start;
        }
        let mut z = Vec::new();
        z.extend_from_slice(&((body.len() + 11) as u32).to_le_bytes());
        z.extend_from_slice(&0u32.to_le_bytes());
        z.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        z.extend_from_slice(&body);
        z.push(0xFF);
        z
    }

    #[test]
    fn decodes_every_encoding() {
        let long = vec![b'x'; 300];
        let items: Vec<&[u8]> = vec![b"a", b"hello", b"7", b"-100", b"30000", b"-8000000", b"123456789012", &long];
        let z = build(&items);
        let got: Vec<Vec<u8>> = entries(&z).unwrap().into_iter().map(ZipEntry::into_bytes).collect();
        let want: Vec<Vec<u8>> = items.iter().map(|e| e.to_vec()).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn corrupt_blobs_are_errors() {
        let z = build(&[b"hello", b"world"]);
        for cut in 0..z.len() {
            let mut t = z[..cut].to_vec();
            if t.len() >= 4 {
                let n = t.len() as u32;
                t[..4].copy_from_slice(&n.to_le_bytes());
            }
            let _ = entries(&t);
        }
        let mut bad = z.clone();
        bad[11] = 60; // string length past the end
        assert!(entries(&bad).is_err());
    }

    #[test]
    fn zipmap() {
        let z = [2u8, 1, b'a', 2, 0, b'h', b'i', 1, b'b', 1, 3, b'x', 0, 0, 0, 0xFF];
        assert_eq!(zipmap_pairs(&z).unwrap(), vec![(b"a".to_vec(), b"hi".to_vec()), (b"b".to_vec(), b"x".to_vec())]);
        assert!(zipmap_pairs(&z[..8]).is_err());
    }
}
