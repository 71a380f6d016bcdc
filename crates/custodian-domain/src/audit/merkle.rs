//! The RFC 6962 / RFC 9162 Merkle tree: leaf and node hashes, the frontier the store persists,
//! and inclusion and consistency proofs.

use sha2::{Digest as _, Sha256};

use super::AuditError;

/// A SHA-256 digest: a leaf hash, an interior node hash or a tree root.
pub type Hash = [u8; 32];

/// Domain-separation prefix for leaf hashes (RFC 6962 section 2.1).
const LEAF_PREFIX: u8 = 0x00;
/// Domain-separation prefix for interior node hashes (RFC 6962 section 2.1).
const NODE_PREFIX: u8 = 0x01;

/// Hash of one leaf: `SHA-256(0x00 || data)`.
///
/// Invariant: the 0x00 prefix keeps leaf hashes disjoint from [`node_hash`] outputs, so a leaf can
/// never be passed off as an interior node (second-preimage protection).
pub fn leaf_hash(data: &[u8]) -> Hash {
    Sha256::new_with_prefix([LEAF_PREFIX]).chain_update(data).finalize().into()
}

/// Hash of an interior node: `SHA-256(0x01 || left || right)`.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut buf = [0u8; 65];
    buf[0] = NODE_PREFIX;
    buf[1..33].copy_from_slice(left);
    buf[33..].copy_from_slice(right);
    Sha256::digest(buf).into()
}

/// The root of the empty tree: SHA-256 of the empty string (RFC 6962 section 2.1).
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// The largest power of two strictly less than `n`. Requires `n >= 2`.
fn split_point(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (n - 1).ilog2()
}

/// The RFC 6962 Merkle Tree Hash (MTH) over already-hashed leaves.
///
/// `root_of(&[]) == empty_root()`, `root_of(&[h]) == h`, and for `n >= 2` the leaves are split at
/// `k`, the largest power of two strictly less than `n`:
/// `node_hash(root_of(&leaves[..k]), root_of(&leaves[k..]))`. This is the reference definition the
/// [`Frontier`] and the proofs are tested against; it is O(n).
/// The hash chain over leaves that the store records beside each event: `chain_hash(prev, leaf)`
/// = SHA-256(0x02 || prev || leaf), starting from [`CHAIN_START`]. It costs one hash per event
/// (the tree root after every event would cost O(log n)), and lets `verify` name the first
/// event whose content and leaf were rewritten consistently. Domain-separated from RFC 6962's
/// 0x00 leaf and 0x01 node prefixes.
pub fn chain_hash(prev: &Hash, leaf: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([0x02]);
    h.update(prev);
    h.update(leaf);
    h.finalize().into()
}

/// The chain value before the first event.
pub const CHAIN_START: Hash = [0u8; 32];

pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => empty_root(),
        [only] => *only,
        _ => {
            let k = split_point(leaves.len());
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// A compact range (frontier) of the tree: its size and the roots of the perfect subtrees that
/// cover leaves `0..size`, largest (leftmost) first.
///
/// Invariants: `nodes.len() == size.count_ones()`, and the subtree for the i-th set bit of `size`
/// (from the most significant) covers the next `2^bit` leaves. This is what the store persists
/// between appends; [`Frontier::root`] always equals [`root_of`] over every leaf pushed.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct Frontier {
    size: u64,
    nodes: Vec<Hash>,
}

impl Frontier {
    /// The largest size [`Frontier::from_bytes`] accepts (2^62 leaves). No real log comes near it,
    /// and the bound keeps [`Frontier::push`]'s size arithmetic far from overflow even for a
    /// corrupted or hostile persisted frontier.
    pub const MAX_SIZE: u64 = 1 << 62;

    /// The frontier of the empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// How many leaves have been pushed.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect-subtree roots, largest (leftmost) first; one per set bit of [`Frontier::size`].
    pub fn nodes(&self) -> &[Hash] {
        &self.nodes
    }

    /// Appends one leaf hash. Amortised O(1) hashes: one [`node_hash`] per trailing one bit of the
    /// old size, as equal-sized subtrees merge.
    pub fn push(&mut self, leaf: Hash) {
        let mut acc = leaf;
        let mut carry = self.size;
        while carry & 1 == 1 {
            match self.nodes.pop() {
                Some(left) => acc = node_hash(&left, &acc),
                // Unreachable while the popcount invariant holds.
                None => break,
            }
            carry >>= 1;
        }
        self.nodes.push(acc);
        self.size += 1;
    }

    /// Appends one leaf as [`Frontier::push`] does, and calls `completed(level, index, hash)` for
    /// each aligned perfect subtree of two or more leaves the push completes, smallest first: the
    /// block of `2^level` leaves starting at leaf `index * 2^level` (see `subtrees`).
    pub fn push_reporting(&mut self, leaf: Hash, mut completed: impl FnMut(u32, u64, &Hash)) {
        let new_size = self.size + 1;
        let mut acc = leaf;
        let mut carry = self.size;
        let mut level = 0u32;
        while carry & 1 == 1 {
            match self.nodes.pop() {
                Some(left) => acc = node_hash(&left, &acc),
                None => break,
            }
            level += 1;
            completed(level, (new_size >> level) - 1, &acc);
            carry >>= 1;
        }
        self.nodes.push(acc);
        self.size = new_size;
    }

    /// The tree root: [`empty_root`] when empty, otherwise the subtree roots folded from the right.
    /// Costs `size.count_ones() - 1` hashes.
    pub fn root(&self) -> Hash {
        let mut rev = self.nodes.iter().rev();
        let Some(last) = rev.next() else {
            return empty_root();
        };
        rev.fold(*last, |acc, left| node_hash(left, &acc))
    }

    /// Computes, without changing `self`, the merged subtree that pushing `leaf` would create and
    /// the root the tree would then have. The merges are the first steps of the root fold, so this
    /// costs `size.count_ones()` hashes in total.
    fn peek_push(&self, leaf: &Hash) -> (Hash, Hash) {
        let merges = self.size.trailing_ones() as usize;
        let mut acc = *leaf;
        let mut merged = *leaf;
        for (i, left) in self.nodes.iter().rev().enumerate() {
            if i == merges {
                merged = acc;
            }
            acc = node_hash(left, &acc);
        }
        if merges >= self.nodes.len() {
            merged = acc;
        }
        (merged, acc)
    }

    /// Commits a push whose merged subtree was computed by [`Frontier::peek_push`].
    fn commit_push(&mut self, merged: Hash) {
        let merges = self.size.trailing_ones() as usize;
        self.nodes.truncate(self.nodes.len().saturating_sub(merges));
        self.nodes.push(merged);
        self.size += 1;
    }

    /// Appends one leaf and returns the new root, in `old_size.count_ones()` hashes (the same work
    /// as [`Frontier::push`] followed by [`Frontier::root`], done in one pass).
    pub fn push_and_root(&mut self, leaf: Hash) -> Hash {
        let (merged, root) = self.peek_push(&leaf);
        self.commit_push(merged);
        root
    }

    /// Persistent form: the size as 8 bytes big-endian, then each subtree root, largest first.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(8 + 32 * self.nodes.len());
        out.extend_from_slice(&self.size.to_be_bytes());
        for node in &self.nodes {
            out.extend_from_slice(node);
        }
        out
    }

    /// Parses [`Frontier::to_bytes`] output, enforcing the popcount invariant.
    pub fn from_bytes(b: &[u8]) -> Result<Self, AuditError> {
        let (size_bytes, rest) =
            b.split_first_chunk::<8>().ok_or(AuditError::BadFrontier("shorter than the 8-byte size"))?;
        let size = u64::from_be_bytes(*size_bytes);
        if size > Self::MAX_SIZE {
            return Err(AuditError::BadFrontier("size is implausibly large"));
        }
        let (chunks, tail) = rest.as_chunks::<32>();
        if !tail.is_empty() {
            return Err(AuditError::BadFrontier("node bytes are not a multiple of 32"));
        }
        if chunks.len() != size.count_ones() as usize {
            return Err(AuditError::BadFrontier("node count does not match the size"));
        }
        Ok(Self { size, nodes: chunks.to_vec() })
    }
}

fn index_to_usize(index: u64, size: usize) -> Result<usize, AuditError> {
    usize::try_from(index).ok().filter(|&i| i < size).ok_or(AuditError::IndexOutOfRange { index, size: size as u64 })
}

/// The RFC 6962 audit path PATH(index, leaves): sibling subtree roots from the leaf up to the root.
///
/// Errors if `index >= leaves.len()`. For a one-leaf tree the path is empty.
pub fn inclusion_proof(index: u64, leaves: &[Hash]) -> Result<Vec<Hash>, AuditError> {
    let index = index_to_usize(index, leaves.len())?;
    let mut out = Vec::with_capacity(64);
    audit_path(index, leaves, &mut out);
    Ok(out)
}

fn audit_path(m: usize, leaves: &[Hash], out: &mut Vec<Hash>) {
    let n = leaves.len();
    if n <= 1 {
        return;
    }
    let k = split_point(n);
    if m < k {
        audit_path(m, &leaves[..k], out);
        out.push(root_of(&leaves[k..]));
    } else {
        audit_path(m - k, &leaves[k..], out);
        out.push(root_of(&leaves[..k]));
    }
}

/// Verifies an inclusion proof with the algorithm of RFC 9162 section 2.1.3.2.
///
/// True only if `index < size`, the proof has exactly the length the tree shape requires, and
/// hashing `leaf` up the path yields `root`.
pub fn verify_inclusion(index: u64, size: u64, leaf: &Hash, proof: &[Hash], root: &Hash) -> bool {
    if index >= size {
        return false;
    }
    let mut f = index;
    let mut s = size - 1;
    let mut r = *leaf;
    for p in proof {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            r = node_hash(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    s == 0 && r == *root
}

/// The RFC 6962 consistency proof PROOF(old_size, leaves) between the first `old_size` leaves and
/// all of `leaves`.
///
/// Empty when `old_size == 0` or `old_size == leaves.len()`; errors if `old_size > leaves.len()`.
pub fn consistency_proof(old_size: u64, leaves: &[Hash]) -> Result<Vec<Hash>, AuditError> {
    let n = leaves.len();
    let m = usize::try_from(old_size)
        .ok()
        .filter(|&m| m <= n)
        .ok_or(AuditError::OldSizeTooLarge { old_size, size: n as u64 })?;
    let mut out = Vec::with_capacity(64);
    if m > 0 {
        subproof(m, leaves, true, &mut out);
    }
    Ok(out)
}

fn subproof(m: usize, leaves: &[Hash], complete: bool, out: &mut Vec<Hash>) {
    let n = leaves.len();
    if m == n {
        if !complete {
            out.push(root_of(leaves));
        }
        return;
    }
    // Here 1 <= m < n, so n >= 2.
    let k = split_point(n);
    if m <= k {
        subproof(m, &leaves[..k], complete, out);
        out.push(root_of(&leaves[k..]));
    } else {
        subproof(m - k, &leaves[k..], false, out);
        out.push(root_of(&leaves[..k]));
    }
}

/// Verifies a consistency proof with the algorithm of RFC 9162 section 2.1.4.2: the tree of
/// `new_size` leaves with root `new_root` extends the tree of `old_size` leaves with `old_root`.
///
/// Edge cases: `old_size > new_size` is false; `old_size == new_size` needs an empty proof and
/// equal roots; `old_size == 0` needs an empty proof and `old_root == empty_root()`.
pub fn verify_consistency(old_size: u64, new_size: u64, old_root: &Hash, new_root: &Hash, proof: &[Hash]) -> bool {
    if old_size > new_size {
        return false;
    }
    if old_size == new_size {
        return proof.is_empty() && old_root == new_root;
    }
    if old_size == 0 {
        return proof.is_empty() && *old_root == empty_root();
    }
    if proof.is_empty() {
        return false;
    }
    let mut path = proof.iter();
    let mut f = old_size - 1;
    let mut s = new_size - 1;
    // When old_size is a power of two the old root is itself a node of the new tree and the
    // proof omits it; RFC 9162 prepends it.
    let start = if old_size.is_power_of_two() {
        old_root
    } else {
        match path.next() {
            Some(h) => h,
            None => return false,
        }
    };
    while f & 1 == 1 {
        f >>= 1;
        s >>= 1;
    }
    let mut fr = *start;
    let mut sr = *start;
    for c in path {
        if s == 0 {
            return false;
        }
        if f & 1 == 1 || f == s {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        f >>= 1;
        s >>= 1;
    }
    fr == *old_root && sr == *new_root && s == 0
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    fn h(hex_text: &str) -> Hash {
        let bytes = hex::decode(hex_text).expect("test hex");
        bytes.try_into().expect("32 bytes")
    }

    /// The leaf inputs of the RFC 6962 reference test data (certificate-transparency test suite).
    const RFC6962_LEAVES: [&str; 8] =
        ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"];

    /// Published roots of the first 1..=8 of those leaves.
    const RFC6962_ROOTS: [&str; 8] = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];

    fn rfc_leaves() -> Vec<Hash> {
        RFC6962_LEAVES.iter().map(|d| leaf_hash(&hex::decode(d).expect("test hex"))).collect()
    }

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n as u64).map(|i| leaf_hash(&i.to_be_bytes())).collect()
    }

    #[test]
    fn the_empty_tree_has_the_sha256_of_the_empty_string_as_root() {
        assert_eq!(empty_root(), h("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
        assert_eq!(root_of(&[]), empty_root());
        assert_eq!(Frontier::new().root(), empty_root());
    }

    #[test]
    fn roots_over_the_rfc6962_test_data_match_the_published_values() {
        let all = rfc_leaves();
        for n in 1..=8 {
            assert_eq!(root_of(&all[..n]), h(RFC6962_ROOTS[n - 1]), "root over {n} leaves");
        }
    }

    #[test]
    fn the_frontier_reproduces_the_rfc6962_roots_at_every_size() {
        let mut f = Frontier::new();
        for (i, leaf) in rfc_leaves().into_iter().enumerate() {
            f.push(leaf);
            assert_eq!(f.root(), h(RFC6962_ROOTS[i]));
        }
    }

    /// The worked example of RFC 6962 section 2.1.3: seven leaves a..g(=j in the RFC).
    #[test]
    fn proofs_match_the_worked_examples_of_rfc6962() {
        let d = leaves(7);
        let (a, b, c, dd, e, f, j) = (d[0], d[1], d[2], d[3], d[4], d[5], d[6]);
        let g = node_hash(&a, &b);
        let hh = node_hash(&c, &dd);
        let i = node_hash(&e, &f);
        let k = node_hash(&g, &hh);
        let l = node_hash(&i, &j);
        assert_eq!(root_of(&d), node_hash(&k, &l));
        assert_eq!(inclusion_proof(0, &d).expect("proof"), vec![b, hh, l]);
        assert_eq!(inclusion_proof(3, &d).expect("proof"), vec![c, g, l]);
        assert_eq!(inclusion_proof(4, &d).expect("proof"), vec![f, j, k]);
        assert_eq!(inclusion_proof(6, &d).expect("proof"), vec![i, k]);
        assert_eq!(consistency_proof(3, &d).expect("proof"), vec![c, dd, g, l]);
        assert_eq!(consistency_proof(4, &d).expect("proof"), vec![l]);
        assert_eq!(consistency_proof(6, &d).expect("proof"), vec![i, j, k]);
        assert!(verify_consistency(3, 7, &root_of(&d[..3]), &root_of(&d), &[c, dd, g, l]));
        assert!(verify_consistency(4, 7, &root_of(&d[..4]), &root_of(&d), &[l]));
        assert!(verify_consistency(6, 7, &root_of(&d[..6]), &root_of(&d), &[i, j, k]));
    }

    #[test]
    fn proofs_are_refused_for_leaves_or_sizes_the_tree_does_not_have() {
        let d = leaves(5);
        assert_eq!(inclusion_proof(5, &d), Err(AuditError::IndexOutOfRange { index: 5, size: 5 }));
        assert!(inclusion_proof(0, &[]).is_err());
        assert_eq!(consistency_proof(6, &d), Err(AuditError::OldSizeTooLarge { old_size: 6, size: 5 }));
        assert_eq!(consistency_proof(0, &d), Ok(vec![]));
        assert_eq!(consistency_proof(5, &d), Ok(vec![]));
        assert_eq!(inclusion_proof(0, &d[..1]), Ok(vec![]));
        assert!(verify_inclusion(0, 1, &d[0], &[], &d[0]));
        assert!(!verify_inclusion(1, 1, &d[0], &[], &d[0]));
    }

    #[test]
    fn consistency_edge_cases_follow_the_documented_rules() {
        let d = leaves(9);
        let root = root_of(&d);
        assert!(verify_consistency(0, 9, &empty_root(), &root, &[]));
        assert!(!verify_consistency(0, 9, &root, &root, &[]));
        assert!(verify_consistency(9, 9, &root, &root, &[]));
        assert!(!verify_consistency(9, 9, &root, &root, &[root]));
        assert!(!verify_consistency(9, 9, &root, &empty_root(), &[]));
        assert!(!verify_consistency(9, 4, &root, &root_of(&d[..4]), &[]));
        assert!(!verify_consistency(4, 9, &root_of(&d[..4]), &root, &[]));
    }

    #[test]
    fn the_frontier_reports_every_perfect_subtree_it_completes() {
        let l = leaves(1000);
        let mut f = Frontier::new();
        let mut seen = Vec::new();
        for leaf in &l {
            f.push_reporting(*leaf, |level, index, hash| seen.push((level, index, *hash)));
        }
        let mut want = Vec::new();
        for level in 1..10u32 {
            let w = 1usize << level;
            for index in 0..l.len() / w {
                want.push((level, index as u64, root_of(&l[index * w..(index + 1) * w])));
            }
        }
        seen.sort_by_key(|&(level, index, _)| (level, index));
        assert_eq!(seen, want);
        assert_eq!(f.root(), root_of(&l));
    }

    #[test]
    fn frontier_bytes_with_the_wrong_shape_are_rejected() {
        assert!(Frontier::from_bytes(&[0; 7]).is_err());
        assert_eq!(Frontier::from_bytes(&[0; 8]), Ok(Frontier::new()));
        // Size 3 needs two nodes.
        let mut b = 3u64.to_be_bytes().to_vec();
        b.extend_from_slice(&[1; 32]);
        assert!(Frontier::from_bytes(&b).is_err());
        b.extend_from_slice(&[2; 32]);
        assert!(Frontier::from_bytes(&b).is_ok());
        b.push(0);
        assert!(Frontier::from_bytes(&b).is_err());
        let mut huge = u64::MAX.to_be_bytes().to_vec();
        huge.extend_from_slice(&[0; 64 * 32]);
        assert!(Frontier::from_bytes(&huge).is_err());
    }

    // Each case checks every prefix, index or old size of its tree, so a few dozen cases cover all
    // tree shapes below the bound many times over; the cases vary the leaf contents.
    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        #[test]
        fn the_frontier_root_equals_root_of_every_prefix(seed in any::<u64>(), n in 0usize..300) {
            let d: Vec<Hash> = (0..n as u64).map(|i| leaf_hash(&(seed ^ i).to_be_bytes())).collect();
            let mut f = Frontier::new();
            let mut g = Frontier::new();
            prop_assert_eq!(f.root(), root_of(&[]));
            for (i, leaf) in d.iter().enumerate() {
                f.push(*leaf);
                let fused = g.push_and_root(*leaf);
                let want = root_of(&d[..=i]);
                prop_assert_eq!(f.root(), want);
                prop_assert_eq!(fused, want);
                prop_assert_eq!(&f, &g);
                prop_assert_eq!(f.nodes().len() as u32, f.size().count_ones());
            }
            prop_assert_eq!(f.size(), n as u64);
        }

        #[test]
        fn frontier_bytes_round_trip(seed in any::<u64>(), n in 0usize..300) {
            let mut f = Frontier::new();
            for i in 0..n as u64 {
                f.push(leaf_hash(&(seed ^ i).to_be_bytes()));
            }
            let bytes = f.to_bytes();
            prop_assert_eq!(bytes.len(), 8 + 32 * f.size().count_ones() as usize);
            prop_assert_eq!(&bytes[..8], &(n as u64).to_be_bytes()[..]);
            let back = Frontier::from_bytes(&bytes).expect("round trip");
            prop_assert_eq!(&back, &f);
            // The restored frontier carries on exactly like the original.
            let mut a = back;
            let mut b = f;
            a.push([9; 32]);
            b.push([9; 32]);
            prop_assert_eq!(a.root(), b.root());
        }

        #[test]
        fn every_inclusion_proof_verifies_and_tampering_fails(n in 1usize..130, pick in any::<u64>(), bit in 0usize..256) {
            let d = leaves(n);
            let root = root_of(&d);
            let size = n as u64;
            for index in 0..size {
                let proof = inclusion_proof(index, &d).expect("in range");
                prop_assert!(verify_inclusion(index, size, &d[index as usize], &proof, &root));
            }
            let index = pick % size;
            let proof = inclusion_proof(index, &d).expect("in range");
            let leaf = d[index as usize];
            // The proof does not hold for any other leaf, at its own or another index.
            let other = (index + 1) % size;
            if other != index {
                prop_assert!(!verify_inclusion(index, size, &d[other as usize], &proof, &root));
                prop_assert!(!verify_inclusion(other, size, &d[other as usize], &proof, &root));
            }
            prop_assert!(!verify_inclusion(index, size, &leaf_hash(b"forged"), &proof, &root));
            // Flipping any bit of any proof element breaks it.
            if !proof.is_empty() {
                let mut bad = proof.clone();
                let at = bit % bad.len();
                bad[at][bit % 32] ^= 1 << (bit % 8);
                prop_assert!(!verify_inclusion(index, size, &leaf, &bad, &root));
            }
            // So does dropping or adding an element, or a different root.
            if let Some((_, shorter)) = proof.split_last() {
                prop_assert!(!verify_inclusion(index, size, &leaf, shorter, &root));
            }
            let mut longer = proof.clone();
            longer.push(root);
            prop_assert!(!verify_inclusion(index, size, &leaf, &longer, &root));
            prop_assert!(!verify_inclusion(index, size, &leaf, &proof, &empty_root()));
            prop_assert!(!verify_inclusion(size, size, &leaf, &proof, &root));
        }

        #[test]
        fn consistency_proofs_verify_for_every_old_size_and_tampering_fails(n in 0usize..100, bit in 0usize..256) {
            let d = leaves(n);
            let new_root = root_of(&d);
            let new_size = n as u64;
            for old in 0..=new_size {
                let old_root = root_of(&d[..old as usize]);
                let proof = consistency_proof(old, &d).expect("old <= new");
                prop_assert!(verify_consistency(old, new_size, &old_root, &new_root, &proof));
                if !proof.is_empty() {
                    let mut bad = proof.clone();
                    let at = bit % bad.len();
                    bad[at][bit % 32] ^= 1 << (bit % 8);
                    prop_assert!(!verify_consistency(old, new_size, &old_root, &new_root, &bad));
                    prop_assert!(!verify_consistency(old, new_size, &old_root, &new_root, &proof[1..]));
                    let mut wrong_old = old_root;
                    wrong_old[0] ^= 0x80;
                    prop_assert!(!verify_consistency(old, new_size, &wrong_old, &new_root, &proof));
                    let mut wrong_new = new_root;
                    wrong_new[31] ^= 0x01;
                    prop_assert!(!verify_consistency(old, new_size, &old_root, &wrong_new, &proof));
                }
                // A proof for one old size does not pass for its neighbour.
                if old > 1 && old < new_size {
                    let prev_root = root_of(&d[..old as usize - 1]);
                    prop_assert!(!verify_consistency(old - 1, new_size, &prev_root, &new_root, &proof));
                }
            }
        }
    }
}
