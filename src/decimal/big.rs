//! Unsigned integers of up to 1,280 bits with the few operations the digit generation needs: an
//! `f64`'s exact value as a fraction of two of them fits (the largest is about 2^1024 × 10, the
//! smallest subnormal scaled up about 10^325), as in core's own `Big32x40`.

use std::cmp::Ordering;

const LIMBS: usize = 40;

/// A number in base 2^32, least significant limb first; limbs from `size` on are zero.
#[derive(Clone)]
pub struct Big {
    size: usize,
    limbs: [u32; LIMBS],
}

impl Big {
    pub fn from_u64(v: u64) -> Big {
        let mut limbs = [0; LIMBS];
        limbs[0] = v as u32;
        limbs[1] = (v >> 32) as u32;
        Big { size: if limbs[1] == 0 { 1 } else { 2 }, limbs }
    }

    pub fn is_zero(&self) -> bool {
        self.limbs[..self.size].iter().all(|&l| l == 0)
    }

    /// Drops zero limbs from the top (keeping one).
    fn trim(&mut self) {
        while self.size > 1 && self.limbs[self.size - 1] == 0 {
            self.size -= 1;
        }
    }

    pub fn add(&mut self, other: &Big) -> &mut Big {
        let n = self.size.max(other.size);
        let mut carry = 0u64;
        for i in 0..n {
            let sum = u64::from(self.limbs[i]) + u64::from(other.limbs[i]) + carry;
            self.limbs[i] = sum as u32;
            carry = sum >> 32;
        }
        self.size = n;
        self.push(carry as u32);
        self
    }

    /// `self - other`, where `other <= self`.
    pub fn sub(&mut self, other: &Big) {
        let n = self.size.max(other.size);
        let mut borrow = false;
        for i in 0..n {
            let (d, b1) = self.limbs[i].overflowing_sub(other.limbs[i]);
            let (d, b2) = d.overflowing_sub(u32::from(borrow));
            self.limbs[i] = d;
            borrow = b1 || b2;
        }
        self.size = n;
        self.trim();
    }

    pub fn mul_small(&mut self, m: u32) -> &mut Big {
        let mut carry = 0u64;
        for limb in &mut self.limbs[..self.size] {
            let product = u64::from(*limb) * u64::from(m) + carry;
            *limb = product as u32;
            carry = product >> 32;
        }
        self.push(carry as u32);
        self
    }

    /// Multiplies by 10^n.
    pub fn mul_pow10(&mut self, mut n: usize) {
        while n >= 9 {
            self.mul_small(1_000_000_000);
            n -= 9;
        }
        self.mul_small(10u32.pow(n as u32));
    }

    pub fn mul_pow2(&mut self, bits: usize) -> &mut Big {
        let (whole, part) = (bits / 32, bits % 32);
        if whole > 0 {
            self.limbs.copy_within(..self.size, whole);
            self.limbs[..whole].fill(0);
            self.size += whole;
        }
        if part > 0 {
            let mut carry = 0;
            for limb in &mut self.limbs[whole..self.size] {
                let l = *limb;
                *limb = (l << part) | carry;
                carry = l >> (32 - part);
            }
            self.push(carry);
        }
        self
    }

    /// Divides by `d` (not zero), dropping the remainder.
    pub fn div_small(&mut self, d: u32) {
        let mut rem = 0u64;
        for limb in self.limbs[..self.size].iter_mut().rev() {
            let x = (rem << 32) | u64::from(*limb);
            *limb = (x / u64::from(d)) as u32;
            rem = x % u64::from(d);
        }
        self.trim();
    }

    pub fn compare(&self, other: &Big) -> Ordering {
        let n = self.size.max(other.size);
        self.limbs[..n].iter().rev().cmp(other.limbs[..n].iter().rev())
    }

    /// Appends a carry out of the top limb.
    fn push(&mut self, carry: u32) {
        if carry > 0 {
            self.limbs[self.size] = carry;
            self.size += 1;
        }
    }
}
