//! An `f64` as decimal text, exactly as core writes it with `{}`, `{:.N}` and `{:.Ne}`, without
//! core's float formatting: that brings Grisu and Dragon4 both, with Grisu's table of cached
//! powers, into the wasm module (BENCHMARKS.md has the figure), for the few numbers the sentences
//! write. This is Dragon4 alone, as core's `flt2dec` has it (core answers with Grisu when Grisu
//! is sure, which is exactly when it agrees with Dragon4): the shortest digits that read back as
//! the same `f64`, or the exact value rounded half to even. Pure Rust, tested natively against
//! `format!` (tests.rs). Slower than core's (a big-integer division per digit): a few
//! microseconds a number, for sentences, never for a task.

mod big;
#[cfg(test)]
mod tests;

use big::Big;
use std::cmp::Ordering;
use std::fmt;

/// `{:.N}` of an `f64`: `Fixed(x, 2)` writes what `format!("{x:.2}")` writes ("1.93", "-0.00",
/// "NaN", "inf"). Width and fill are not supported (nothing asks for them).
pub struct Fixed(pub f64, pub usize);

/// `{}` of an `f64`: the shortest digits that read back as the same number, never in exponent
/// form ("0.1", "1e21" as "1000000000000000000000", "-0").
pub struct Shortest(pub f64);

/// `{:.Ne}` of an `f64`: `Sci(x, 3)` writes what `format!("{x:.3e}")` writes ("1.235e-7").
pub struct Sci(pub f64, pub usize);

impl fmt::Display for Fixed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&write(self.0, Mode::Fixed(self.1)))
    }
}

impl fmt::Display for Shortest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&write(self.0, Mode::Shortest))
    }
}

impl fmt::Display for Sci {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&write(self.0, Mode::Sci(self.1)))
    }
}

/// Which of core's three forms, with its number of decimals.
#[derive(Clone, Copy)]
enum Mode {
    Fixed(usize),
    Shortest,
    Sci(usize),
}

/// A finite, non-zero `f64` as core's `flt2dec::decode` gives it: the value is `mant × 2^exp`,
/// and every number from `(mant - minus) × 2^exp` to `(mant + plus) × 2^exp` reads back as it
/// (the ends too when `inclusive`).
struct Decoded {
    mant: u64,
    minus: u64,
    plus: u64,
    exp: i16,
    inclusive: bool,
}

/// `x` in `mode`, as core writes it.
fn write(x: f64, mode: Mode) -> String {
    let mut out = Vec::new();
    if x.is_nan() {
        out.extend_from_slice(b"NaN");
    } else {
        if x.is_sign_negative() {
            out.push(b'-');
        }
        if x.is_infinite() {
            out.extend_from_slice(b"inf");
        } else {
            finite(&mut out, x, mode);
        }
    }
    // ASCII only, so never the empty default.
    String::from_utf8(out).unwrap_or_default()
}

/// A finite `x`, its sign aside.
fn finite(out: &mut Vec<u8>, x: f64, mode: Mode) {
    let Some(d) = decode(x) else {
        match mode {
            Mode::Shortest => out.push(b'0'),
            Mode::Fixed(frac) => point_zeros(out, frac),
            Mode::Sci(frac) => {
                point_zeros(out, frac);
                out.extend_from_slice(b"e0");
            }
        }
        return;
    };
    // As much room for digits as core gives them (enough for every digit of an exact value).
    let room = 21 + ((if d.exp < 0 { -12 } else { 5 } * i32::from(d.exp)) as usize >> 4);
    match mode {
        Mode::Shortest => {
            let (digits, k) = shortest(&d);
            fixed_text(out, &digits, k, 0);
        }
        Mode::Fixed(frac) => {
            let limit = if frac < 0x8000 { -(frac as i16) } else { i16::MIN };
            let (digits, k) = exact(&d, room, limit);
            if k <= limit {
                point_zeros(out, frac);
            } else {
                fixed_text(out, &digits, k, frac);
            }
        }
        Mode::Sci(frac) => {
            let (digits, k) = exact(&d, (frac + 1).min(room), i16::MIN);
            sci_text(out, &digits, k, frac);
        }
    }
}

/// `0`, or `0.` and `frac` zeros.
fn point_zeros(out: &mut Vec<u8>, frac: usize) {
    out.push(b'0');
    if frac > 0 {
        out.push(b'.');
        zeros(out, frac);
    }
}

fn zeros(out: &mut Vec<u8>, n: usize) {
    out.resize(out.len() + n, b'0');
}

/// Digits `0.d1d2... × 10^k` written out with at least `frac` decimals (core's `digits_to_dec_str`).
fn fixed_text(out: &mut Vec<u8>, digits: &[u8], k: i16, frac: usize) {
    let len = digits.len();
    if k <= 0 {
        let lead = usize::from(k.unsigned_abs());
        out.extend_from_slice(b"0.");
        zeros(out, lead);
        out.extend_from_slice(digits);
        zeros(out, frac.saturating_sub(len + lead));
    } else if usize::from(k as u16) < len {
        let whole = usize::from(k as u16);
        out.extend_from_slice(&digits[..whole]);
        out.push(b'.');
        out.extend_from_slice(&digits[whole..]);
        zeros(out, frac.saturating_sub(len - whole));
    } else {
        out.extend_from_slice(digits);
        zeros(out, usize::from(k as u16) - len);
        if frac > 0 {
            out.push(b'.');
            zeros(out, frac);
        }
    }
}

/// Digits `0.d1d2... × 10^k` as `d1.d2...e(k-1)` with at least `frac` decimals (core's
/// `digits_to_exp_str`).
fn sci_text(out: &mut Vec<u8>, digits: &[u8], k: i16, frac: usize) {
    out.push(digits[0]);
    let more = digits.len() - 1;
    if more > 0 || frac > 0 {
        out.push(b'.');
        out.extend_from_slice(&digits[1..]);
        zeros(out, frac.saturating_sub(more));
    }
    out.push(b'e');
    out.extend_from_slice((i32::from(k) - 1).to_string().as_bytes());
}

/// A finite non-zero `x` as core's `flt2dec::decode` splits it (the sign aside); `None` for zero.
fn decode(x: f64) -> Option<Decoded> {
    let bits = x.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as i16;
    let fraction = bits & ((1 << 52) - 1);
    if biased == 0 && fraction == 0 {
        return None;
    }
    // Whether the integer mantissa is even; a subnormal's counts twice (core's `integer_decode`).
    let inclusive = biased == 0 || fraction & 1 == 0;
    let d = if biased == 0 {
        Decoded { mant: fraction << 1, minus: 1, plus: 1, exp: -1075, inclusive }
    } else if fraction == 0 {
        // A power of two: the next number down is half as far as the next one up.
        Decoded { mant: (1 << 52) << 2, minus: 1, plus: 2, exp: biased - 1075 - 2, inclusive }
    } else {
        Decoded { mant: (fraction | 1 << 52) << 1, minus: 1, plus: 1, exp: biased - 1075 - 1, inclusive }
    };
    Some(d)
}

/// `k` with `10^(k-1) < mant × 2^exp <= 10^(k+1)` (core's `estimate_scaling_factor`).
fn estimate(mant: u64, exp: i16) -> i16 {
    let bits = 64 - i64::from((mant - 1).leading_zeros());
    (((bits + i64::from(exp)) * 1_292_913_986) >> 32) as i16
}

/// `mant` and `scale` with `v = mant / scale × 10^k`; `others` (the bounds) scaled as `mant`.
fn fraction(d: &Decoded, k: i16, others: &mut [&mut Big]) -> (Big, Big) {
    let mut mant = Big::from_u64(d.mant);
    let mut scale = Big::from_u64(1);
    if d.exp < 0 {
        scale.mul_pow2(usize::from(d.exp.unsigned_abs()));
    } else {
        mant.mul_pow2(d.exp as usize);
        others.iter_mut().for_each(|b| _ = b.mul_pow2(d.exp as usize));
    }
    if k >= 0 {
        scale.mul_pow10(k as usize);
    } else {
        mant.mul_pow10(usize::from(k.unsigned_abs()));
        others.iter_mut().for_each(|b| b.mul_pow10(usize::from(k.unsigned_abs())));
    }
    (mant, scale)
}

/// The next digit, `mant / scale` (below 10), leaving the remainder in `mant`.
fn digit(mant: &mut Big, scale: &Big) -> u8 {
    let mut d = b'0';
    while mant.compare(scale) != Ordering::Less {
        mant.sub(scale);
        d += 1;
    }
    d
}

/// Adds one to the last digit, carrying; gives the digit to append when all were 9s (core's
/// `round_up`).
fn round_up(digits: &mut [u8]) -> Option<u8> {
    match digits.iter().rposition(|&c| c != b'9') {
        Some(i) => {
            digits[i] += 1;
            digits[i + 1..].fill(b'0');
            None
        }
        None if digits.is_empty() => Some(b'1'),
        None => {
            digits[0] = b'1';
            digits[1..].fill(b'0');
            Some(b'0')
        }
    }
}

/// The shortest digits that read back as the number, the closest to it of those (core's
/// `dragon::format_shortest`): `0.d1d2... × 10^k`.
fn shortest(d: &Decoded) -> (Vec<u8>, i16) {
    // `a.compare(b) < rounding` is `a <= b` when the ends read back, `a < b` when not.
    let rounding = if d.inclusive { Ordering::Greater } else { Ordering::Equal };
    let mut k = estimate(d.mant + d.plus, d.exp);
    let (mut minus, mut plus) = (Big::from_u64(d.minus), Big::from_u64(d.plus));
    let (mut mant, scale) = fraction(d, k, &mut [&mut minus, &mut plus]);
    if scale.compare(mant.clone().add(&plus)) < rounding {
        k += 1;
    } else {
        [&mut mant, &mut minus, &mut plus].into_iter().for_each(|b| _ = b.mul_small(10));
    }
    let mut digits = Vec::with_capacity(17);
    let (down, up) = loop {
        digits.push(digit(&mut mant, &scale));
        let down = mant.compare(&minus) < rounding;
        let up = scale.compare(mant.clone().add(&plus)) < rounding;
        if down || up {
            break (down, up);
        }
        [&mut mant, &mut minus, &mut plus].into_iter().for_each(|b| _ = b.mul_small(10));
    };
    // Up when only up reads back, or both do and up is as close or closer.
    if up
        && (!down || mant.mul_pow2(1).compare(&scale) != Ordering::Less)
        && let Some(c) = round_up(&mut digits)
    {
        digits.push(c);
        k += 1;
    }
    (digits, k)
}

/// The exact value rounded half to even to at most `room` digits and no digit below `10^limit`
/// (core's `dragon::format_exact`): `0.d1d2... × 10^k`.
fn exact(d: &Decoded, room: usize, limit: i16) -> (Vec<u8>, i16) {
    let mut k = estimate(d.mant, d.exp);
    let (mut mant, mut scale) = fraction(d, k, &mut []);
    // Half a unit of the last digit room allows, rounded down, decides whether rounding could
    // carry into a new first digit.
    let mut half = scale.clone();
    let mut n = room;
    while n > 9 {
        half.div_small(1_000_000_000);
        n -= 9;
    }
    half.div_small(10u32.pow(n as u32) << 1);
    if half.add(&mant).compare(&scale) != Ordering::Less {
        k += 1;
    } else {
        mant.mul_small(10);
    }
    let span = i32::from(k) - i32::from(limit);
    let mut len = if span < 0 { 0 } else { (span as usize).min(room) };
    let mut digits = Vec::with_capacity(len + 1);
    while digits.len() < len {
        if mant.is_zero() {
            // The rest are zeros, exactly: nothing to round.
            digits.resize(len, b'0');
            return (digits, k);
        }
        digits.push(digit(&mut mant, &scale));
        mant.mul_small(10);
    }
    // Past half way up, or half way after an odd digit (half to even).
    let order = mant.compare(scale.mul_small(5));
    let odd = digits.last().is_some_and(|&c| c & 1 == 1);
    if (order == Ordering::Greater || (order == Ordering::Equal && odd))
        && let Some(c) = round_up(&mut digits)
    {
        k += 1;
        if k > limit && len < room {
            digits.push(c);
            len += 1;
        }
    }
    debug_assert_eq!(digits.len(), len);
    (digits, k)
}
