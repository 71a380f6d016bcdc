//! The device register (WP034 1.2, 4.1, 4.7): force devices, their lifecycle states and the
//! transitions between them. Every device is allocated to at most one named person at a time.

pub mod mdm;

crate::str_enum! {
    parse: lenient;
    /// The kinds of device WP034 1.2 and 5.2 name.
    pub enum DeviceType {
        Laptop = "laptop",
        Tablet = "tablet",
        Phone = "phone",
        Radio = "radio",
        Other = "other",
    }
}

impl DeviceType {
    pub const ALL: [DeviceType; 5] = [Self::Laptop, Self::Tablet, Self::Phone, Self::Radio, Self::Other];
}

crate::str_enum! {
    parse: lenient;
    /// Where a device is in its life. `Allocated` is the only state with a holder.
    pub enum DeviceStatus {
        InStock = "in_stock",
        Allocated = "allocated",
        Returned = "returned",
        Lost = "lost",
        Stolen = "stolen",
        Damaged = "damaged",
        InRepair = "in_repair",
        InExamination = "in_examination",
        Retired = "retired",
    }
}

impl DeviceStatus {
    pub const ALL: [DeviceStatus; 9] = [
        Self::InStock,
        Self::Allocated,
        Self::Returned,
        Self::Lost,
        Self::Stolen,
        Self::Damaged,
        Self::InRepair,
        Self::InExamination,
        Self::Retired,
    ];
    pub fn label(self) -> &'static str {
        match self {
            Self::InStock => "In stock",
            Self::Allocated => "Allocated",
            Self::Returned => "Returned",
            Self::Lost => "Lost",
            Self::Stolen => "Stolen",
            Self::Damaged => "Damaged",
            Self::InRepair => "In repair",
            Self::InExamination => "In examination",
            Self::Retired => "Retired",
        }
    }

    /// Whether a device in this state has a holder (WP034 4.1: one named person).
    pub fn has_holder(self) -> bool {
        matches!(self, Self::Allocated)
    }

    /// The states a device may move to from this one. Retired is final. A device under
    /// examination (WP034 5.4) goes back to its holder, or to repair or retirement.
    pub fn next_states(self) -> &'static [DeviceStatus] {
        use DeviceStatus::*;
        match self {
            InStock => &[Allocated, Damaged, InRepair, Lost, Stolen, Retired],
            Allocated => &[Returned, Lost, Stolen, Damaged, InRepair, InExamination],
            Returned => &[InStock, Allocated, Damaged, InRepair, InExamination, Retired],
            Lost => &[Returned, InStock, Retired],
            Stolen => &[Returned, InStock, Retired],
            Damaged => &[InRepair, Retired, InStock],
            InRepair => &[InStock, Allocated, Retired, Damaged],
            InExamination => &[Allocated, Returned, InRepair, Retired],
            Retired => &[],
        }
    }

    pub fn can_move_to(self, to: DeviceStatus) -> bool {
        self.next_states().contains(&to)
    }
}

/// Why a transition was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("a device that is {} cannot become {}", .from.label().to_lowercase(), .to.label().to_lowercase())]
    NotAllowed { from: DeviceStatus, to: DeviceStatus },
    #[error("allocating a device needs a named holder (WP034 4.1)")]
    HolderRequired,
    #[error("only an allocated device has a holder")]
    HolderNotAllowed,
}

/// Check a proposed status change. `holder` is the person the device will be allocated to,
/// required when (and only when) the new state is `Allocated`.
pub fn check_transition(from: DeviceStatus, to: DeviceStatus, has_new_holder: bool) -> Result<(), TransitionError> {
    if !from.can_move_to(to) {
        return Err(TransitionError::NotAllowed { from, to });
    }
    match (to.has_holder(), has_new_holder) {
        (true, false) => Err(TransitionError::HolderRequired),
        (false, true) => Err(TransitionError::HolderNotAllowed),
        _ => Ok(()),
    }
}

/// The WP034 clause a register event rests on, for the history timeline.
pub fn clause_for(to: DeviceStatus) -> &'static str {
    match to {
        DeviceStatus::Allocated => "4.1",
        DeviceStatus::InExamination => "5.4",
        DeviceStatus::Lost | DeviceStatus::Stolen | DeviceStatus::Damaged | DeviceStatus::InRepair => "4.7",
        _ => "1.2",
    }
}

/// One allocation in a device's recorded history, as the overlap checks see it (microseconds
/// since the epoch; `to_us` is `None` while it is current).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub id: uuid::Uuid,
    pub person: uuid::Uuid,
    pub from_us: i64,
    pub to_us: Option<i64>,
}

impl Span {
    /// Whether `[from_us, to_us)` (open-ended when `to_us` is `None`) shares an instant with
    /// this allocation.
    pub fn overlaps(&self, from_us: i64, to_us: Option<i64>) -> bool {
        to_us.is_none_or(|t| self.from_us < t) && self.to_us.is_none_or(|e| from_us < e)
    }
}

/// Why a start or end of an allocation was refused (WP034 4.1: one holder at a time).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HistoryError {
    #[error("{0} is in the future; an allocation cannot start or end after now")]
    Future(String),
    #[error("the end ({end}) must be after the start ({start})")]
    EndBeforeStart { start: String, end: String },
    #[error(
        "it would overlap the device's allocation from {from} to {to}; one person holds a device at a time (WP034 4.1)"
    )]
    Overlap { from: String, to: String },
}

fn rfc3339(us: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(us) * 1000)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_else(|| us.to_string())
}

/// Check a proposed allocation `[from_us, to_us)` against the device's other allocations
/// (`others` excludes the allocation being changed) at `now_us`: it must not start or end in the
/// future, must end after it starts, and must share no instant with another allocation.
pub fn check_span(from_us: i64, to_us: Option<i64>, others: &[Span], now_us: i64) -> Result<(), HistoryError> {
    if from_us > now_us {
        return Err(HistoryError::Future(rfc3339(from_us)));
    }
    if let Some(t) = to_us {
        if t > now_us {
            return Err(HistoryError::Future(rfc3339(t)));
        }
        if t <= from_us {
            return Err(HistoryError::EndBeforeStart { start: rfc3339(from_us), end: rfc3339(t) });
        }
    }
    match others.iter().filter(|o| o.overlaps(from_us, to_us)).min_by_key(|o| o.from_us) {
        Some(o) => Err(HistoryError::Overlap {
            from: rfc3339(o.from_us),
            to: o.to_us.map_or_else(|| "now (current)".to_string(), rfc3339),
        }),
        None => Ok(()),
    }
}

/// What an import row with `allocated_from` does to a device's allocation history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartPlan {
    /// The person already holds the device from then or earlier: nothing changes (a re-import).
    Keep,
    /// The person holds the device from a later instant: that allocation (this id) starts earlier.
    MoveEarlier(uuid::Uuid),
    /// Someone else holds the device now: their allocation (this id) ends at the new start and
    /// the new one begins there.
    Handover(uuid::Uuid),
    /// Nobody holds the device now: a new allocation starts then.
    Start,
}

/// Plan an allocation of the device to `person` starting at `from_us`, given its recorded
/// history `spans`, at `now_us`. Refused when the start is in the future or would overlap an
/// allocation the history records (an ended one, or the current holder's from before its start).
pub fn plan_start(spans: &[Span], person: uuid::Uuid, from_us: i64, now_us: i64) -> Result<StartPlan, HistoryError> {
    if from_us > now_us {
        return Err(HistoryError::Future(rfc3339(from_us)));
    }
    let current = spans.iter().find(|s| s.to_us.is_none());
    let others: Vec<Span> = spans.iter().filter(|s| Some(s.id) != current.map(|c| c.id)).copied().collect();
    match current {
        Some(c) if c.person == person => {
            if from_us >= c.from_us {
                return Ok(StartPlan::Keep);
            }
            check_span(from_us, None, &others, now_us)?;
            Ok(StartPlan::MoveEarlier(c.id))
        }
        Some(c) => {
            check_span(from_us, None, &others, now_us)?;
            if from_us <= c.from_us {
                return Err(HistoryError::Overlap { from: rfc3339(c.from_us), to: "now (current)".into() });
            }
            Ok(StartPlan::Handover(c.id))
        }
        None => {
            check_span(from_us, None, &others, now_us)?;
            Ok(StartPlan::Start)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn span(from: i64, to: Option<i64>) -> Span {
        Span { id: uuid::Uuid::nil(), person: uuid::Uuid::nil(), from_us: from, to_us: to }
    }

    #[test]
    fn a_start_before_another_holders_allocation_ended_overlaps() {
        let others = [span(100, Some(200))];
        assert!(matches!(check_span(150, None, &others, 1000), Err(HistoryError::Overlap { .. })));
        assert!(matches!(check_span(50, Some(101), &others, 1000), Err(HistoryError::Overlap { .. })));
        // Touching ends are not an overlap: the end instant is not held.
        assert_eq!(check_span(200, None, &others, 1000), Ok(()));
        assert_eq!(check_span(50, Some(100), &others, 1000), Ok(()));
    }

    #[test]
    fn a_current_allocation_overlaps_everything_after_its_start() {
        let others = [span(100, None)];
        assert!(matches!(check_span(500, Some(600), &others, 1000), Err(HistoryError::Overlap { .. })));
        assert_eq!(check_span(10, Some(100), &others, 1000), Ok(()));
    }

    #[test]
    fn an_import_start_keeps_moves_earlier_hands_over_or_starts() {
        let (a, b) = (uuid::Uuid::from_u128(1), uuid::Uuid::from_u128(2));
        let past = Span { id: uuid::Uuid::from_u128(10), person: b, from_us: 100, to_us: Some(200) };
        let cur = Span { id: uuid::Uuid::from_u128(11), person: a, from_us: 500, to_us: None };
        let spans = [past, cur];
        assert_eq!(plan_start(&spans, a, 500, 1000), Ok(StartPlan::Keep));
        assert_eq!(plan_start(&spans, a, 700, 1000), Ok(StartPlan::Keep));
        assert_eq!(plan_start(&spans, a, 300, 1000), Ok(StartPlan::MoveEarlier(cur.id)));
        // Earlier than the end of b's allocation: an overlap.
        assert!(matches!(plan_start(&spans, a, 150, 1000), Err(HistoryError::Overlap { .. })));
        assert_eq!(plan_start(&spans, b, 600, 1000), Ok(StartPlan::Handover(cur.id)));
        assert!(matches!(plan_start(&spans, b, 400, 1000), Err(HistoryError::Overlap { .. })));
        assert_eq!(plan_start(&[past], a, 250, 1000), Ok(StartPlan::Start));
        assert!(matches!(plan_start(&[past], a, 150, 1000), Err(HistoryError::Overlap { .. })));
        assert!(matches!(plan_start(&[], a, 1001, 1000), Err(HistoryError::Future(_))));
        // A future start is refused even when the holder already holds the device.
        assert!(matches!(plan_start(&spans, a, 1001, 1000), Err(HistoryError::Future(_))));
    }

    #[test]
    fn future_and_inverted_spans_are_refused() {
        assert!(matches!(check_span(1001, None, &[], 1000), Err(HistoryError::Future(_))));
        assert!(matches!(check_span(10, Some(1001), &[], 1000), Err(HistoryError::Future(_))));
        assert!(matches!(check_span(10, Some(10), &[], 1000), Err(HistoryError::EndBeforeStart { .. })));
        assert_eq!(check_span(1000, None, &[], 1000), Ok(()));
    }

    #[test]
    fn retired_devices_never_come_back() {
        for to in DeviceStatus::ALL {
            assert!(check_transition(DeviceStatus::Retired, to, to.has_holder()).is_err());
        }
    }

    #[test]
    fn allocation_needs_a_holder_and_nothing_else_takes_one() {
        assert_eq!(
            check_transition(DeviceStatus::InStock, DeviceStatus::Allocated, false),
            Err(TransitionError::HolderRequired)
        );
        assert_eq!(
            check_transition(DeviceStatus::Allocated, DeviceStatus::Lost, true),
            Err(TransitionError::HolderNotAllowed)
        );
        assert!(check_transition(DeviceStatus::InStock, DeviceStatus::Allocated, true).is_ok());
    }

    #[test]
    fn an_allocated_device_must_be_returned_before_reallocation() {
        assert!(!DeviceStatus::Allocated.can_move_to(DeviceStatus::Allocated));
    }

    fn any_status() -> impl Strategy<Value = DeviceStatus> {
        proptest::sample::select(DeviceStatus::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn no_state_moves_to_itself(s in any_status()) {
            prop_assert!(!s.can_move_to(s));
        }

        #[test]
        fn every_state_but_retired_can_reach_retired(s in any_status()) {
            // Breadth-first search over the transition graph.
            let mut seen = vec![s];
            let mut i = 0;
            while i < seen.len() {
                for n in seen[i].next_states() {
                    if !seen.contains(n) { seen.push(*n); }
                }
                i += 1;
            }
            prop_assert!(seen.contains(&DeviceStatus::Retired));
        }

        #[test]
        fn status_names_round_trip(s in any_status()) {
            prop_assert_eq!(DeviceStatus::parse(s.as_str()), Some(s));
        }
    }
}
