//! Proofs from stored subtree hashes, so that a proof over a log of millions of events reads a few
//! dozen rows instead of every leaf.
//!
//! Every node an RFC 9162 proof or root needs is the Merkle Tree Hash of a range of leaves
//! `[start, end)` that the recursion of section 2.1 produces. Such a range is always a run of
//! *aligned perfect subtrees* of strictly decreasing size (a block of `2^level` leaves starting at
//! a multiple of `2^level`), and its hash is those blocks' hashes folded from the right. The store
//! keeps the hash of every aligned perfect subtree of at least [`STORED_LEVEL`] levels (one row per
//! 256 events and as many again above), written with the events that complete it; smaller blocks
//! are hashed from their at most 255 leaves.
//!
//! So a proof is computed in three steps, with no I/O here: [`consistency_ranges`] or
//! [`inclusion_ranges`] name the ranges, [`blocks_of`] names the blocks each range needs, the
//! caller fetches those, and [`fold_blocks`] turns each range's block hashes into its hash.

use super::AuditError;
use super::merkle::{Hash, node_hash};

/// The smallest subtree the store keeps: `2^8 = 256` leaves.
pub const STORED_LEVEL: u32 = 8;

/// An aligned perfect subtree: leaves `index * 2^level .. (index + 1) * 2^level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Block {
    pub level: u32,
    pub index: u64,
}

impl Block {
    /// The first leaf it covers.
    pub fn start(&self) -> u64 {
        self.index << self.level
    }
    /// One past the last leaf it covers.
    pub fn end(&self) -> u64 {
        (self.index + 1) << self.level
    }
    /// Whether the store keeps this block's hash (rather than its leaves being hashed).
    pub fn is_stored(&self) -> bool {
        self.level >= STORED_LEVEL
    }
}

/// A range of leaves whose Merkle Tree Hash a proof needs.
pub type Range = (u64, u64);

/// The largest power of two strictly less than `n` (`n >= 2`).
fn split(n: u64) -> u64 {
    1 << (n - 1).ilog2()
}

/// The ranges whose hashes make the RFC 9162 consistency proof between the trees of `old_size`
/// and `new_size` leaves, in proof order. Empty when `old_size` is 0 or equals `new_size`.
pub fn consistency_ranges(old_size: u64, new_size: u64) -> Result<Vec<Range>, AuditError> {
    if old_size > new_size {
        return Err(AuditError::OldSizeTooLarge { old_size, size: new_size });
    }
    let mut out = Vec::with_capacity(64);
    if old_size > 0 {
        subproof(old_size, 0, new_size, true, &mut out);
    }
    Ok(out)
}

fn subproof(m: u64, start: u64, n: u64, complete: bool, out: &mut Vec<Range>) {
    if m == n {
        if !complete {
            out.push((start, start + n));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(m, start, k, complete, out);
        out.push((start + k, start + n));
    } else {
        subproof(m - k, start + k, n - k, false, out);
        out.push((start, start + k));
    }
}

/// The ranges whose hashes make the RFC 9162 inclusion proof of leaf `index` in a tree of `size`
/// leaves, from the leaf up.
pub fn inclusion_ranges(index: u64, size: u64) -> Result<Vec<Range>, AuditError> {
    if index >= size {
        return Err(AuditError::IndexOutOfRange { index, size });
    }
    let mut out = Vec::with_capacity(64);
    path(index, 0, size, &mut out);
    Ok(out)
}

fn path(m: u64, start: u64, n: u64, out: &mut Vec<Range>) {
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(m, start, k, out);
        out.push((start + k, start + n));
    } else {
        path(m - k, start + k, n - k, out);
        out.push((start, start + k));
    }
}

/// The aligned perfect subtrees that make up `[start, end)`, largest (leftmost) first. For the
/// ranges above (and `(0, size)`, a tree's root) the sizes strictly decrease, and the range's hash
/// is [`fold_blocks`] of their hashes. Empty for an empty range.
pub fn blocks_of((start, end): Range) -> Vec<Block> {
    let mut out = Vec::new();
    let mut at = start;
    while at < end {
        // The largest aligned block starting at `at` that still fits.
        let mut level = if at == 0 { 63 } else { at.trailing_zeros() };
        while level > 0 && (1u64.checked_shl(level).is_none_or(|w| at.checked_add(w).is_none_or(|e| e > end))) {
            level -= 1;
        }
        out.push(Block { level, index: at >> level });
        at += 1 << level;
    }
    out
}

/// The Merkle Tree Hash of a range from its blocks' hashes (largest first): folded from the right.
/// None for no blocks (the caller handles the empty tree).
pub fn fold_blocks(hashes: &[Hash]) -> Option<Hash> {
    let (last, rest) = hashes.split_last()?;
    Some(rest.iter().rev().fold(*last, |acc, left| node_hash(left, &acc)))
}

/// The hash of one block from its leaves (all `2^level` of them, in order).
pub fn block_from_leaves(leaves: &[Hash]) -> Hash {
    super::merkle::root_of(leaves)
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::super::merkle::{consistency_proof, inclusion_proof, leaf_hash, root_of};
    use super::*;
    use proptest::prelude::*;

    fn leaves(n: u64, seed: u64) -> Vec<Hash> {
        (0..n).map(|i| leaf_hash(&(i ^ seed).to_be_bytes())).collect()
    }

    /// The hash of a range computed the slow way (its leaves) and through its blocks agree, and
    /// the blocks are aligned, perfect, strictly decreasing and cover the range exactly.
    fn range_hash(l: &[Hash], r: Range) -> Hash {
        let blocks = blocks_of(r);
        let mut at = r.0;
        for w in blocks.windows(2) {
            assert!(w[0].level > w[1].level, "{r:?}: {blocks:?}");
        }
        for b in &blocks {
            assert_eq!(b.start(), at);
            at = b.end();
        }
        assert_eq!(at, r.1);
        let hashes: Vec<Hash> =
            blocks.iter().map(|b| block_from_leaves(&l[b.start() as usize..b.end() as usize])).collect();
        fold_blocks(&hashes).unwrap()
    }

    proptest! {
        #[test]
        fn consistency_from_blocks_equals_the_proof_from_leaves(n in 1u64..600, old in 0u64..600, seed in any::<u64>()) {
            let old = old % (n + 1);
            let l = leaves(n, seed);
            let want = consistency_proof(old, &l).unwrap();
            let got: Vec<Hash> = consistency_ranges(old, n).unwrap().into_iter().map(|r| range_hash(&l, r)).collect();
            prop_assert_eq!(got, want);
            prop_assert_eq!(range_hash(&l, (0, n)), root_of(&l));
        }

        #[test]
        fn inclusion_from_blocks_equals_the_proof_from_leaves(n in 1u64..600, i in 0u64..600, seed in any::<u64>()) {
            let i = i % n;
            let l = leaves(n, seed);
            let want = inclusion_proof(i, &l).unwrap();
            let got: Vec<Hash> = inclusion_ranges(i, n).unwrap().into_iter().map(|r| range_hash(&l, r)).collect();
            prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn a_proof_over_ten_million_leaves_needs_few_blocks_and_few_leaves() {
        let (old, new) = (7_654_321u64, 10_000_000u64);
        let mut ranges = consistency_ranges(old, new).unwrap();
        ranges.push((0, old));
        ranges.push((0, new));
        let blocks: std::collections::BTreeSet<Block> = ranges.into_iter().flat_map(blocks_of).collect();
        let stored = blocks.iter().filter(|b| b.is_stored()).count();
        let leaves: u64 = blocks.iter().filter(|b| !b.is_stored()).map(|b| b.end() - b.start()).sum();
        assert!(stored <= 3 * 24, "{stored} stored blocks");
        assert!(leaves < 2 * 256, "{leaves} leaves hashed");
    }

    #[test]
    fn bad_sizes_are_refused() {
        assert!(consistency_ranges(5, 4).is_err());
        assert!(inclusion_ranges(4, 4).is_err());
        assert_eq!(consistency_ranges(0, 9).unwrap(), vec![]);
        assert_eq!(consistency_ranges(9, 9).unwrap(), vec![]);
        assert_eq!(blocks_of((0, 0)), vec![]);
    }
}
