//! A set of commands: one bit per command and subcommand of a table (the selector's
//! command bitmap of the server, 1024 bits).

use super::spec::CmdId;

/// One bit per command and subcommand of the profile's table.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
pub struct Bitmap(pub [u64; 16]);

impl std::fmt::Debug for Bitmap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bitmap({} set)", self.count())
    }
}

impl Bitmap {
    /// Every bit set (what `+@all` sets, including the bits of no command).
    pub const ALL: Bitmap = Bitmap([u64::MAX; 16]);

    pub fn get(&self, id: CmdId) -> bool {
        self.0[id as usize / 64] >> (id % 64) & 1 == 1
    }
    pub fn set(&mut self, id: CmdId, on: bool) {
        let (w, b) = (id as usize / 64, id % 64);
        if on {
            self.0[w] |= 1 << b;
        } else {
            self.0[w] &= !(1 << b);
        }
    }
    /// All commands of a table of `n` entries.
    pub fn full(n: usize) -> Bitmap {
        let mut b = Bitmap::default();
        for (w, word) in b.0.iter_mut().enumerate() {
            let lo = w * 64;
            if n >= lo + 64 {
                *word = u64::MAX;
            } else if n > lo {
                *word = (1u64 << (n - lo)) - 1;
            }
        }
        b
    }
    pub fn count(&self) -> u32 {
        self.0.iter().map(|w| w.count_ones()).sum()
    }
    pub fn and_count(&self, other: &Bitmap) -> u32 {
        self.0.iter().zip(&other.0).map(|(a, b)| (a & b).count_ones()).sum()
    }
    /// Sets every bit of `other` (`on`) or clears it.
    pub fn apply(&mut self, other: &Bitmap, on: bool) {
        for (w, bits) in self.0.iter_mut().zip(&other.0) {
            if on {
                *w |= bits;
            } else {
                *w &= !bits;
            }
        }
    }
    /// Every bit of `self` is set in `other`.
    pub fn is_subset(&self, other: &Bitmap) -> bool {
        self.0.iter().zip(&other.0).all(|(x, y)| x & !y == 0)
    }
}
