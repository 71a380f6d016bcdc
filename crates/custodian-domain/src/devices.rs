//! The device register (WP034 1.2, 4.1, 4.7): force devices, their lifecycle states and the
//! transitions between them. Every device is allocated to at most one named person at a time.

pub mod mdm;

use serde::{Deserialize, Serialize};

crate::str_enum! {
    /// The kinds of device WP034 1.2 and 5.2 name.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
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
    pub fn parse(s: &str) -> Option<Self> {
        s.trim().to_ascii_lowercase().parse().ok()
    }
}

crate::str_enum! {
    /// Where a device is in its life. `Allocated` is the only state with a holder.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
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
    pub fn parse(s: &str) -> Option<Self> {
        s.trim().to_ascii_lowercase().parse().ok()
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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
