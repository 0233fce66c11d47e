//! Geospatial data operations over sorted sets (GEOADD's scores, GEOPOS, GEODIST, GEOHASH,
//! GEORADIUS / GEOSEARCH): the 52-bit geohash (latitude bits at even positions, longitude bits
//! at odd positions, 26 steps over the Web-Mercator latitude limits), the haversine distance on
//! a sphere of Earth's mean radius, and the area search that Redis performs (a center box at a
//! step estimated from the radius plus its eight neighbours, each read as a score range, in a
//! fixed order), so which members a limited search finds and in which order is Redis's. The
//! formulas are the published geohash and haversine ones. Nothing here knows commands,
//! arguments or replies; the sorted set itself comes from `ops::zsets`.

use crate::sbytes::SBytes;
use crate::types::zset::{ScoreRange, ZSet};

pub const LONG_MIN: f64 = -180.0;
pub const LONG_MAX: f64 = 180.0;
pub const LAT_MIN: f64 = -85.05112878;
pub const LAT_MAX: f64 = 85.05112878;
/// Bits per coordinate in a stored score.
pub const STEP_MAX: u8 = 26;

const EARTH_RADIUS_M: f64 = 6372797.560856;
const MERCATOR_MAX: f64 = 20037726.37;

fn rad(deg: f64) -> f64 {
    deg * (std::f64::consts::PI / 180.0)
}

fn deg(rad: f64) -> f64 {
    rad / (std::f64::consts::PI / 180.0)
}

/// Spreads the low 32 bits of `v` to the even bit positions.
fn spread(v: u32) -> u64 {
    let mut x = v as u64;
    x = (x | (x << 16)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x << 8)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x << 4)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x << 2)) & 0x3333_3333_3333_3333;
    x = (x | (x << 1)) & 0x5555_5555_5555_5555;
    x
}

/// Gathers the even bit positions of `v` into 32 bits.
fn gather(v: u64) -> u32 {
    let mut x = v & 0x5555_5555_5555_5555;
    x = (x | (x >> 1)) & 0x3333_3333_3333_3333;
    x = (x | (x >> 2)) & 0x0F0F_0F0F_0F0F_0F0F;
    x = (x | (x >> 4)) & 0x00FF_00FF_00FF_00FF;
    x = (x | (x >> 8)) & 0x0000_FFFF_0000_FFFF;
    x = (x | (x >> 16)) & 0x0000_0000_FFFF_FFFF;
    x as u32
}

/// A geohash cell: `step` bits per coordinate, interleaved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cell {
    pub bits: u64,
    pub step: u8,
}

/// A coordinate interval.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub min: f64,
    pub max: f64,
}

const LONG_SPAN: Span = Span { min: LONG_MIN, max: LONG_MAX };
const LAT_SPAN: Span = Span { min: LAT_MIN, max: LAT_MAX };

/// The cell holding (lon, lat) at `step` over the given coordinate spans; None outside them.
pub fn encode(lon_span: Span, lat_span: Span, lon: f64, lat: f64, step: u8) -> Option<Cell> {
    if !(LONG_MIN..=LONG_MAX).contains(&lon) || !(LAT_MIN..=LAT_MAX).contains(&lat) {
        return None;
    }
    if lat < lat_span.min || lat > lat_span.max || lon < lon_span.min || lon > lon_span.max {
        return None;
    }
    let scale = (1u64 << step) as f64;
    let lat_off = (lat - lat_span.min) / (lat_span.max - lat_span.min) * scale;
    let lon_off = (lon - lon_span.min) / (lon_span.max - lon_span.min) * scale;
    Some(Cell { bits: spread(lat_off as u32) | (spread(lon_off as u32) << 1), step })
}

/// The cell's extent: (longitude span, latitude span).
pub fn decode(lon_span: Span, lat_span: Span, c: Cell) -> (Span, Span) {
    let ilat = gather(c.bits) as f64;
    let ilon = gather(c.bits >> 1) as f64;
    let scale = (1u64 << c.step) as f64;
    let lat_w = lat_span.max - lat_span.min;
    let lon_w = lon_span.max - lon_span.min;
    (
        Span { min: lon_span.min + (ilon / scale) * lon_w, max: lon_span.min + ((ilon + 1.0) / scale) * lon_w },
        Span { min: lat_span.min + (ilat / scale) * lat_w, max: lat_span.min + ((ilat + 1.0) / scale) * lat_w },
    )
}

/// The score GEOADD stores for a valid coordinate pair.
pub fn score_of(lon: f64, lat: f64) -> Option<u64> {
    let c = encode(LONG_SPAN, LAT_SPAN, lon, lat, STEP_MAX)?;
    Some(align52(c))
}

fn align52(c: Cell) -> u64 {
    c.bits << (52 - 2 * c.step as u32)
}

/// C's conversion of a score to an unsigned 64-bit hash (x86-64 behaviour for negatives).
fn score_bits(score: f64) -> u64 {
    if score < 9.223_372_036_854_776e18 {
        score as i64 as u64
    } else {
        ((score - 9.223_372_036_854_776e18) as i64 as u64) ^ (1 << 63)
    }
}

/// The center of the cell a stored score stands for: (longitude, latitude).
pub fn decode_score(score: f64) -> (f64, f64) {
    let (lon, lat) = decode(LONG_SPAN, LAT_SPAN, Cell { bits: score_bits(score), step: STEP_MAX });
    let x = ((lon.min + lon.max) / 2.0).clamp(LONG_MIN, LONG_MAX);
    let y = ((lat.min + lat.max) / 2.0).clamp(LAT_MIN, LAT_MAX);
    (x, y)
}

/// The 11-character standard geohash (GEOHASH) of a stored score.
pub fn geohash_string(score: f64) -> [u8; 11] {
    const ALPHABET: &[u8; 32] = b"0123456789bcdefghjkmnpqrstuvwxyz";
    let (x, y) = decode_score(score);
    let bits = encode(LONG_SPAN, Span { min: -90.0, max: 90.0 }, x, y, STEP_MAX).map_or(0, |c| c.bits);
    let mut out = [b'0'; 11];
    for (i, o) in out.iter_mut().enumerate().take(10) {
        *o = ALPHABET[((bits >> (52 - (i + 1) * 5)) & 0x1f) as usize];
    }
    out
}

/// Distance in meters along a great circle (haversine).
pub fn distance(lon1: f64, lat1: f64, lon2: f64, lat2: f64) -> f64 {
    let v = ((rad(lon2) - rad(lon1)) / 2.0).sin();
    if v == 0.0 {
        return lat_distance(lat1, lat2);
    }
    let (lat1r, lat2r) = (rad(lat1), rad(lat2));
    let u = ((lat2r - lat1r) / 2.0).sin();
    let a = u * u + lat1r.cos() * lat2r.cos() * v * v;
    2.0 * EARTH_RADIUS_M * a.sqrt().asin()
}

fn lat_distance(lat1: f64, lat2: f64) -> f64 {
    EARTH_RADIUS_M * (rad(lat2) - rad(lat1)).abs()
}

// ---------------------------------------------------------------------------------------------
// Searching

/// The area of a search, around `center` (lon, lat); sizes in the unit of `to_meters`.
#[derive(Debug, Clone, Copy)]
pub enum Area {
    Radius(f64),
    /// width, height
    Box(f64, f64),
}

#[derive(Debug, Clone, Copy)]
pub struct Shape {
    pub center: (f64, f64),
    pub area: Area,
    /// Meters per unit.
    pub to_meters: f64,
}

impl Shape {
    /// Whether (x, y) lies in the shape; its distance to the center in meters.
    fn contains(&self, x: f64, y: f64) -> Option<f64> {
        let (cx, cy) = self.center;
        match self.area {
            Area::Radius(r) => {
                let d = distance(cx, cy, x, y);
                (d <= r * self.to_meters).then_some(d)
            }
            Area::Box(w, h) => {
                let (w, h) = (w * self.to_meters, h * self.to_meters);
                if lat_distance(y, cy) > h / 2.0 {
                    return None;
                }
                if distance(x, y, cx, y) > w / 2.0 {
                    return None;
                }
                Some(distance(cx, cy, x, y))
            }
        }
    }

    /// Bounding box: (min lon, min lat, max lon, max lat).
    fn bounds(&self) -> (f64, f64, f64, f64) {
        let (lon, lat) = self.center;
        let (half_h, half_w) = match self.area {
            Area::Radius(r) => (r * self.to_meters, r * self.to_meters),
            Area::Box(w, h) => (h / 2.0 * self.to_meters, w / 2.0 * self.to_meters),
        };
        let lat_delta = deg(half_h / EARTH_RADIUS_M);
        let top = deg(half_w / EARTH_RADIUS_M / rad(lat + lat_delta).cos());
        let bottom = deg(half_w / EARTH_RADIUS_M / rad(lat - lat_delta).cos());
        let d = if lat < 0.0 { bottom } else { top };
        (lon - d, lat - lat_delta, lon + d, lat + lat_delta)
    }

    fn radius_m(&self) -> f64 {
        match self.area {
            Area::Radius(r) => r * self.to_meters,
            Area::Box(w, h) => ((w / 2.0) * (w / 2.0) + (h / 2.0) * (h / 2.0)).sqrt() * self.to_meters,
        }
    }
}

fn estimate_step(range_m: f64, lat: f64) -> u8 {
    if range_m == 0.0 {
        return 26;
    }
    let mut range = range_m;
    let mut step: i32 = 1;
    while range < MERCATOR_MAX {
        range *= 2.0;
        step += 1;
    }
    step -= 2;
    if !(-66.0..=66.0).contains(&lat) {
        step -= 1;
        if !(-80.0..=80.0).contains(&lat) {
            step -= 1;
        }
    }
    step.clamp(1, 26) as u8
}

fn shift_lon(c: Cell, d: i8) -> Cell {
    let x = c.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = c.bits & 0x5555_5555_5555_5555;
    let zz = 0x5555_5555_5555_5555u64 >> (64 - 2 * c.step as u32);
    let x = if d > 0 { x.wrapping_add(zz + 1) } else { (x | zz).wrapping_sub(zz + 1) };
    let x = x & (0xaaaa_aaaa_aaaa_aaaau64 >> (64 - 2 * c.step as u32));
    Cell { bits: x | y, step: c.step }
}

fn shift_lat(c: Cell, d: i8) -> Cell {
    let x = c.bits & 0xaaaa_aaaa_aaaa_aaaa;
    let y = c.bits & 0x5555_5555_5555_5555;
    let zz = 0xaaaa_aaaa_aaaa_aaaau64 >> (64 - 2 * c.step as u32);
    let y = if d > 0 { y.wrapping_add(zz + 1) } else { (y | zz).wrapping_sub(zz + 1) };
    let y = y & (0x5555_5555_5555_5555u64 >> (64 - 2 * c.step as u32));
    Cell { bits: x | y, step: c.step }
}

/// The cells to read, in Redis's order: center, N, S, E, W, NE, NW, SE, SW (None = skipped).
fn search_cells(shape: &Shape) -> [Option<Cell>; 9] {
    let (min_lon, min_lat, max_lon, max_lat) = shape.bounds();
    let (lon, lat) = shape.center;
    let mut step = estimate_step(shape.radius_m(), lat);
    let around = |step: u8| -> [Cell; 9] {
        let c = encode(LONG_SPAN, LAT_SPAN, lon, lat, step).unwrap_or(Cell { bits: 0, step });
        [
            c,
            shift_lat(c, 1),
            shift_lat(c, -1),
            shift_lon(c, 1),
            shift_lon(c, -1),
            shift_lat(shift_lon(c, 1), 1),
            shift_lat(shift_lon(c, -1), 1),
            shift_lat(shift_lon(c, 1), -1),
            shift_lat(shift_lon(c, -1), -1),
        ]
    };
    let mut cells = around(step);
    let ext = |c: Cell| decode(LONG_SPAN, LAT_SPAN, c);
    let too_coarse = ext(cells[1]).1.max < max_lat
        || ext(cells[2]).1.min > min_lat
        || ext(cells[3]).0.max < max_lon
        || ext(cells[4]).0.min > min_lon;
    if step > 1 && too_coarse {
        step -= 1;
        cells = around(step);
    }
    let mut out: [Option<Cell>; 9] = cells.map(Some);
    if step >= 2 {
        let (area_lon, area_lat) = ext(cells[0]);
        if area_lat.min < min_lat {
            for i in [2, 7, 8] {
                out[i] = None;
            }
        }
        if area_lat.max > max_lat {
            for i in [1, 5, 6] {
                out[i] = None;
            }
        }
        if area_lon.min < min_lon {
            for i in [4, 6, 8] {
                out[i] = None;
            }
        }
        if area_lon.max > max_lon {
            for i in [3, 5, 7] {
                out[i] = None;
            }
        }
    }
    out
}

/// A member found by a search.
#[derive(Debug, Clone)]
pub struct Found {
    pub member: SBytes,
    pub score: f64,
    /// Meters from the center.
    pub dist: f64,
    pub lon: f64,
    pub lat: f64,
}

/// The members of `z` inside `shape`, in the order Redis finds them (cell by cell, each in
/// score order), stopping once `limit` were found when `limit > 0`.
pub fn search(z: &ZSet, shape: &Shape, limit: usize) -> Vec<Found> {
    let cells = search_cells(shape);
    let mut out: Vec<Found> = Vec::new();
    let mut last: Option<Cell> = None;
    for c in cells.iter().flatten() {
        if last == Some(*c) {
            continue;
        }
        if limit > 0 && out.len() >= limit {
            break;
        }
        let min = align52(*c) as f64;
        let max = align52(Cell { bits: c.bits + 1, step: c.step }) as f64;
        let r = ScoreRange { min, max, minex: false, maxex: true };
        if let Some(first) = z.first_in_score_range(&r) {
            for (e, s) in z.range(first, false) {
                if !r.lte_max(s) {
                    break;
                }
                let (x, y) = decode_score(s);
                if let Some(dist) = shape.contains(x, y) {
                    out.push(Found { member: SBytes::new(&e.to_bytes()), score: s, dist, lon: x, lat: y });
                }
                if limit > 0 && out.len() >= limit {
                    break;
                }
            }
        }
        last = Some(*c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interleave_round_trip() {
        for v in [0u32, 1, 0x3ff_ffff, 0x1234_5678, u32::MAX] {
            assert_eq!(gather(spread(v)), v);
        }
    }

    #[test]
    fn score_and_back() {
        // Palermo, as in Redis's documentation examples
        let s = score_of(13.361389, 38.115556).unwrap();
        assert_eq!(s, 3479099956230698);
        let (x, y) = decode_score(s as f64);
        assert!((x - 13.361389).abs() < 1e-5 && (y - 38.115556).abs() < 1e-5);
        assert_eq!(&geohash_string(s as f64), b"sqc8b49rny0");
        assert!(score_of(181.0, 0.0).is_none());
        assert!(score_of(0.0, 86.0).is_none());
    }

    #[test]
    fn distance_palermo_catania() {
        let a = score_of(13.361389, 38.115556).unwrap() as f64;
        let b = score_of(15.087269, 37.502669).unwrap() as f64;
        let (x1, y1) = decode_score(a);
        let (x2, y2) = decode_score(b);
        let d = distance(x1, y1, x2, y2);
        assert!((d - 166274.1516).abs() < 0.001, "{}", d);
    }
}
