//! The streaming verifier behind `custodian audit verify`.

use super::{CHAIN_START, Checkpoint, EventRecord, Frontier, Hash, canonical_bytes_into, chain_hash, leaf_hash};
use crate::audit::empty_root;
use crate::audit::{Block, STORED_LEVEL};

/// The first problem a [`Verifier`] found. Every variant names the event (`seq`) or the
/// checkpoint size at fault.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Tamper {
    /// A later seq arrived early: events `expected..found` are missing (deleted, or moved later).
    #[error("event seq {found} arrived where seq {expected} was expected: events {expected} to {} are missing or out of order", found.saturating_sub(1))]
    SeqGap { expected: u64, found: u64 },
    /// An earlier seq arrived again: a duplicate or a reordering.
    #[error("event seq {found} arrived where seq {expected} was expected: duplicated or reordered event")]
    SeqRepeat { expected: u64, found: u64 },
    /// The event's content does not hash to its stored leaf: the event was altered.
    #[error("event seq {seq}: content does not match its stored leaf hash (event altered)")]
    LeafMismatch { seq: u64 },
    /// The stored chain value after this event differs from the chain recomputed over all
    /// leaves so far: the event (or its stored hashes) was rewritten.
    #[error(
        "event seq {seq}: stored chain hash does not match the chain recomputed from events 0 to {seq} (event or its hashes rewritten)"
    )]
    ChainMismatch { seq: u64 },
    /// A signed checkpoint's root differs from the recomputed root at its size.
    #[error("signed checkpoint at size {size}: root does not match the root recomputed from events 0 to {}", size.saturating_sub(1))]
    CheckpointMismatch { size: u64 },
    /// A signed checkpoint covers more events than the log holds: events were removed from the end.
    #[error("signed checkpoint covers {size} events but the log holds only {log_size}: events were removed")]
    CheckpointBeyondLog { size: u64, log_size: u64 },
    /// The verifier was not asked to keep the root at this size (pass it to [`Verifier::new`]).
    #[error("the root at size {size} was not kept, so the checkpoint cannot be checked")]
    CheckpointSizeNotKept { size: u64 },
}

/// Streaming verifier behind `custodian audit verify`. Feed it every stored event in seq order,
/// with the stored leaf hash and the stored root after that event; it recomputes the tree from
/// event content alone and stops at the first event that is out of order or inconsistent.
///
/// Invariants: after `n` accepted events, `size() == n` and `root()` is the root of their leaves;
/// once a [`Tamper`] is reported the verifier is stuck and repeats it. Per event it does one
/// canonical encoding into a reused buffer, one leaf hash and `popcount(seq)` node hashes, with no
/// other allocation.
#[derive(Debug, Clone)]
pub struct Verifier {
    frontier: Frontier,
    chain: Hash,
    buf: Vec<u8>,
    /// Sizes whose roots to keep, sorted ascending, deduplicated, all > 0.
    keep: Vec<u64>,
    /// Index into `keep` of the next size to record.
    next_keep: usize,
    /// Roots kept so far, ascending by size.
    kept: Vec<(u64, Hash)>,
    failed: Option<Tamper>,
    /// The hashes of the perfect subtrees of [`STORED_LEVEL`] levels or more seen so far, to check
    /// the store's copies against (see [`Verifier::subtrees`]).
    subtrees: Vec<(Block, Hash)>,
}

impl Verifier {
    /// A verifier that will keep the roots at `checkpoint_sizes` for [`Verifier::check_checkpoint`].
    pub fn new(checkpoint_sizes: &[u64]) -> Self {
        let mut keep: Vec<u64> = checkpoint_sizes.iter().copied().filter(|&s| s > 0).collect();
        keep.sort_unstable();
        keep.dedup();
        Self {
            frontier: Frontier::new(),
            chain: CHAIN_START,
            buf: Vec::with_capacity(1024),
            kept: Vec::with_capacity(keep.len()),
            keep,
            next_keep: 0,
            failed: None,
            subtrees: Vec::new(),
        }
    }

    /// Checks the next stored event. `stored_leaf` and `stored_chain` are what the store recorded
    /// for it: its leaf hash and the chain value after it ([`chain_hash`]).
    ///
    /// Checks, in order: `e.seq` is the next index; the leaf recomputed from the content equals
    /// `stored_leaf`; the chain recomputed over all leaves so far equals `stored_chain`. The tree
    /// itself is extended in O(1) amortised time; its root is computed only at the kept sizes.
    pub fn feed(&mut self, e: &EventRecord, stored_leaf: &Hash, stored_chain: &Hash) -> Result<(), Tamper> {
        if let Some(t) = &self.failed {
            return Err(t.clone());
        }
        let expected = self.frontier.size();
        if e.seq != expected {
            let found = e.seq;
            let t = if found > expected {
                Tamper::SeqGap { expected, found }
            } else {
                Tamper::SeqRepeat { expected, found }
            };
            return Err(self.fail(t));
        }
        canonical_bytes_into(e, &mut self.buf);
        let leaf = leaf_hash(&self.buf);
        self.feed_leaf(e.seq, &leaf, stored_leaf, stored_chain)
    }

    /// [`Verifier::feed`] for a caller that has already computed the event's leaf hash from its
    /// content (`leaf`, e.g. on another thread): the same checks in the same order.
    pub fn feed_leaf(&mut self, seq: u64, leaf: &Hash, stored_leaf: &Hash, stored_chain: &Hash) -> Result<(), Tamper> {
        if let Some(t) = &self.failed {
            return Err(t.clone());
        }
        let expected = self.frontier.size();
        if seq != expected {
            let t = if seq > expected {
                Tamper::SeqGap { expected, found: seq }
            } else {
                Tamper::SeqRepeat { expected, found: seq }
            };
            return Err(self.fail(t));
        }
        let leaf = *leaf;
        if leaf != *stored_leaf {
            return Err(self.fail(Tamper::LeafMismatch { seq }));
        }
        let chain = chain_hash(&self.chain, &leaf);
        if chain != *stored_chain {
            return Err(self.fail(Tamper::ChainMismatch { seq }));
        }
        self.chain = chain;
        let subtrees = &mut self.subtrees;
        self.frontier.push_reporting(leaf, |level, index, hash| {
            if level >= STORED_LEVEL {
                subtrees.push((Block { level, index }, *hash));
            }
        });
        let size = self.frontier.size();
        if self.keep.get(self.next_keep) == Some(&size) {
            self.kept.push((size, self.frontier.root()));
            self.next_keep += 1;
        }
        Ok(())
    }

    fn fail(&mut self, t: Tamper) -> Tamper {
        self.failed = Some(t.clone());
        t
    }

    /// The first problem found, if any.
    pub fn tamper(&self) -> Option<&Tamper> {
        self.failed.as_ref()
    }

    /// How many events have been accepted.
    pub fn size(&self) -> u64 {
        self.frontier.size()
    }

    /// The chain value recomputed over the accepted events ([`CHAIN_START`] before any): what the
    /// log head must store beside its frontier.
    pub fn chain(&self) -> Hash {
        self.chain
    }

    /// The hash of every perfect subtree of at least [`STORED_LEVEL`] levels among the accepted
    /// events, recomputed from them, smallest first within each push: what the store's
    /// `audit_subtrees` must hold.
    pub fn subtrees(&self) -> &[(Block, Hash)] {
        &self.subtrees
    }

    /// The root recomputed over the accepted events ([`empty_root`] before any).
    pub fn root(&self) -> Hash {
        self.frontier.root()
    }

    /// The recomputed root at `size`: known for 0, the current size, and every size passed to
    /// [`Verifier::new`] that has been reached.
    pub fn root_at(&self, size: u64) -> Option<Hash> {
        if size == 0 {
            return Some(empty_root());
        }
        if size == self.size() {
            return Some(self.frontier.root());
        }
        self.kept.binary_search_by_key(&size, |&(s, _)| s).ok().map(|i| self.kept[i].1)
    }

    /// Compares a signed checkpoint (already opened and its origin checked) with the recomputed
    /// tree at its size. A checkpoint beyond the accepted events means events were removed from
    /// the end, unless the stream already stopped at a [`Tamper`], which is then repeated.
    pub fn check_checkpoint(&self, cp: &Checkpoint) -> Result<(), Tamper> {
        if cp.size > self.size() {
            return Err(match &self.failed {
                Some(t) => t.clone(),
                None => Tamper::CheckpointBeyondLog { size: cp.size, log_size: self.size() },
            });
        }
        match self.root_at(cp.size) {
            None => Err(Tamper::CheckpointSizeNotKept { size: cp.size }),
            Some(root) if root != cp.root => Err(Tamper::CheckpointMismatch { size: cp.size }),
            Some(_) => Ok(()),
        }
    }
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::audit::event::tests::event;
    use crate::audit::{Checkpoint, canonical_bytes, empty_root, root_of};
    use ed25519_dalek::SigningKey;

    /// A stored log: each event with the leaf and chain value the store recorded for it.
    fn stored_log(n: u64) -> Vec<(EventRecord, Hash, Hash)> {
        let mut chain = CHAIN_START;
        (0..n)
            .map(|seq| {
                let e = event(seq);
                let leaf = leaf_hash(&canonical_bytes(&e));
                chain = chain_hash(&chain, &leaf);
                (e, leaf, chain)
            })
            .collect()
    }

    /// The tree root over a stored log's first `n` leaves.
    fn root_after(log: &[(EventRecord, Hash, Hash)], n: usize) -> Hash {
        root_of(&log[..n].iter().map(|(_, l, _)| *l).collect::<Vec<_>>())
    }

    /// Recomputes the stored leaves and chain from `from` onwards, as a careful tamperer would.
    fn restamp(log: &mut [(EventRecord, Hash, Hash)], from: usize, leaves_too: bool) {
        let mut chain = CHAIN_START;
        for (i, (e, leaf, stored)) in log.iter_mut().enumerate() {
            if i >= from && leaves_too {
                *leaf = leaf_hash(&canonical_bytes(e));
            }
            chain = chain_hash(&chain, leaf);
            if i >= from {
                *stored = chain;
            }
        }
    }

    fn verify(log: &[(EventRecord, Hash, Hash)], sizes: &[u64]) -> (Verifier, Result<(), Tamper>) {
        let mut v = Verifier::new(sizes);
        for (e, leaf, root) in log {
            if let Err(t) = v.feed(e, leaf, root) {
                return (v, Err(t));
            }
        }
        (v, Ok(()))
    }

    #[test]
    fn an_untouched_log_verifies_and_keeps_the_requested_roots() {
        let log = stored_log(100);
        let (v, result) = verify(&log, &[64, 10, 10, 0, 1000]);
        assert_eq!(result, Ok(()));
        assert_eq!(v.size(), 100);
        let all: Vec<Hash> = log.iter().map(|(_, leaf, _)| *leaf).collect();
        assert_eq!(v.root(), root_of(&all));
        assert_eq!(v.root_at(10), Some(root_of(&all[..10])));
        assert_eq!(v.root_at(64), Some(root_of(&all[..64])));
        assert_eq!(v.root_at(0), Some(empty_root()));
        assert_eq!(v.root_at(100), Some(v.root()));
        assert_eq!(v.root_at(11), None);
        assert_eq!(v.tamper(), None);
        assert_eq!(v.chain(), log[99].2, "the chain after the last event is the one stored with it");
        assert_eq!(Verifier::new(&[]).chain(), CHAIN_START);
    }

    #[test]
    fn the_verifier_names_an_event_whose_field_was_altered() {
        let mut log = stored_log(40);
        log[17].0.justification = Some("edited later".into());
        assert_eq!(verify(&log, &[]).1, Err(Tamper::LeafMismatch { seq: 17 }));
        let mut log = stored_log(40);
        log[5].0.at_us += 1;
        assert_eq!(verify(&log, &[]).1, Err(Tamper::LeafMismatch { seq: 5 }));
    }

    #[test]
    fn the_verifier_names_the_gap_left_by_a_deleted_event() {
        let mut log = stored_log(40);
        log.remove(23);
        let (v, result) = verify(&log, &[]);
        assert_eq!(result, Err(Tamper::SeqGap { expected: 23, found: 24 }));
        assert_eq!(v.size(), 23);
    }

    #[test]
    fn the_verifier_names_the_first_of_two_swapped_events() {
        let mut log = stored_log(40);
        log.swap(8, 9);
        assert_eq!(verify(&log, &[]).1, Err(Tamper::SeqGap { expected: 8, found: 9 }));
        // Renumbering the swapped events to hide the swap breaks their leaves instead.
        log[8].0.seq = 8;
        log[9].0.seq = 9;
        assert_eq!(verify(&log, &[]).1, Err(Tamper::LeafMismatch { seq: 8 }));
    }

    #[test]
    fn the_verifier_names_a_duplicated_event() {
        let mut log = stored_log(10);
        let dup = log[4].clone();
        log.insert(5, dup);
        assert_eq!(verify(&log, &[]).1, Err(Tamper::SeqRepeat { expected: 5, found: 4 }));
    }

    #[test]
    fn recomputing_the_stored_chain_after_an_edit_still_names_the_edited_event() {
        // Chain recomputed over the edited content, leaf left alone: the leaf gives it away.
        let mut log = stored_log(50);
        log[30].0.actor = "person:B9999".into();
        let edited = leaf_hash(&canonical_bytes(&log[30].0));
        let mut chain = CHAIN_START;
        for (i, (_, leaf, stored)) in log.iter_mut().enumerate() {
            chain = chain_hash(&chain, if i == 30 { &edited } else { leaf });
            *stored = chain;
        }
        assert_eq!(verify(&log, &[]).1, Err(Tamper::LeafMismatch { seq: 30 }));

        // Leaf recomputed but not the chain: the chain at that very event no longer matches.
        let mut log = stored_log(50);
        log[30].0.actor = "person:B9999".into();
        log[30].1 = leaf_hash(&canonical_bytes(&log[30].0));
        assert_eq!(verify(&log, &[]).1, Err(Tamper::ChainMismatch { seq: 30 }));

        // A stored chain value altered on its own is named too.
        let mut log = stored_log(50);
        log[12].2[0] ^= 1;
        assert_eq!(verify(&log, &[]).1, Err(Tamper::ChainMismatch { seq: 12 }));
    }

    #[test]
    fn a_fully_restamped_log_is_caught_by_an_earlier_signed_checkpoint() {
        let log = stored_log(50);
        let key = SigningKey::from_bytes(&[7; 32]);
        let note = Checkpoint::new("custodian.example/audit", 50, root_after(&log, 50))
            .expect("origin")
            .sign("custodian", &key);
        let cp = Checkpoint::open(&note, "custodian", &key.verifying_key()).expect("signed");

        let mut tampered = log.clone();
        tampered[30].0.actor = "person:B9999".into();
        restamp(&mut tampered, 30, true);
        let (v, result) = verify(&tampered, &[50]);
        assert_eq!(result, Ok(()), "a consistent rewrite cannot be seen without a checkpoint");
        assert_eq!(v.check_checkpoint(&cp), Err(Tamper::CheckpointMismatch { size: 50 }));

        let (v, result) = verify(&log, &[50]);
        assert_eq!(result, Ok(()));
        assert_eq!(v.check_checkpoint(&cp), Ok(()));
    }

    #[test]
    fn events_removed_from_the_end_are_caught_by_the_checkpoint() {
        let log = stored_log(20);
        let cp = Checkpoint::new("o", 20, root_after(&log, 20)).expect("origin");
        let (v, result) = verify(&log[..18], &[10, 20]);
        assert_eq!(result, Ok(()));
        assert_eq!(v.check_checkpoint(&cp), Err(Tamper::CheckpointBeyondLog { size: 20, log_size: 18 }));
        let mid = Checkpoint::new("o", 10, root_after(&log, 10)).expect("origin");
        assert_eq!(v.check_checkpoint(&mid), Ok(()));
        let unkept = Checkpoint::new("o", 11, root_after(&log, 11)).expect("origin");
        assert_eq!(v.check_checkpoint(&unkept), Err(Tamper::CheckpointSizeNotKept { size: 11 }));
    }

    #[test]
    fn the_verifier_stays_failed_after_the_first_tamper() {
        let mut log = stored_log(10);
        log[3].0.detail = "{}".into();
        let mut v = Verifier::new(&[8]);
        let mut errors = Vec::new();
        for (e, leaf, root) in &log {
            if let Err(t) = v.feed(e, leaf, root) {
                errors.push(t);
            }
        }
        assert_eq!(errors, vec![Tamper::LeafMismatch { seq: 3 }; 7]);
        assert_eq!(v.size(), 3);
        assert_eq!(v.tamper(), Some(&Tamper::LeafMismatch { seq: 3 }));
        let cp = Checkpoint::new("o", 8, root_after(&log, 8)).expect("origin");
        assert_eq!(v.check_checkpoint(&cp), Err(Tamper::LeafMismatch { seq: 3 }));
    }

    #[test]
    fn tamper_messages_name_the_event() {
        assert_eq!(
            Tamper::SeqGap { expected: 3, found: 5 }.to_string(),
            "event seq 5 arrived where seq 3 was expected: events 3 to 4 are missing or out of order"
        );
        assert!(Tamper::LeafMismatch { seq: 9 }.to_string().contains("seq 9"));
        assert!(Tamper::ChainMismatch { seq: 9 }.to_string().contains("seq 9"));
    }
}
