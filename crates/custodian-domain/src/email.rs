//! E-mail notifications: how each person chooses to be e-mailed, which notifications ignore that
//! choice, and the sentence each e-mail adds to say what to do. The outbox that carries them is
//! the store's (`email`), the sending the server's (`email`); see docs/email.md.

crate::str_enum! {
    /// How a person is e-mailed their notifications. There is no "off": every notification
    /// Custodian sends either asks its reader to act (a decision, a device hand-over) or tells
    /// them the outcome of their own request, and the in-app list alone is easy to miss.
    #[derive(Default)]
    pub enum Delivery {
        /// One e-mail per notification, sent within a tick of it.
        #[default]
        Immediate = "immediate",
        /// One e-mail a day at the configured hour (Europe/London) gathering the day's notifications.
        Digest = "digest",
    }
}

impl Delivery {
    /// Words for the settings page.
    pub fn label(self) -> &'static str {
        match self {
            Delivery::Immediate => "Immediately, one e-mail for each notification",
            Delivery::Digest => "Once a day, in a single summary e-mail",
        }
    }
}

/// Notifications e-mailed at once whatever the person chose, because waiting for the digest
/// could make them miss a deadline: a monitoring selection, proposed time or hand-over notice
/// (WP034 5.4: the person must hand their devices over by a deadline), and a decision already
/// past its service level.
pub fn always_immediate(kind: &str) -> bool {
    kind.starts_with("monitoring.") || kind == "approval.overdue"
}

/// The delivery a notification of `kind` gets for a person who chose `chosen`.
pub fn delivery_for(kind: &str, chosen: Delivery) -> Delivery {
    if always_immediate(kind) { Delivery::Immediate } else { chosen }
}

/// What the reader should do, for the e-mail's body: one sentence by notification kind.
pub fn action(kind: &str) -> &'static str {
    match kind {
        "approval.to_decide" => "Open the request, read it, and approve it or reject it with your reasons.",
        "approval.overdue" => {
            "The decision is past its service level: decide it now, or ask a deputy to decide it for you."
        }
        "approval.withdrawn" => "Nothing: the request no longer needs your decision.",
        "approval.approved" | "approval.rejected" => "Open your request to see the decision and its reasons.",
        "approval.deputy" => "Open Approvals to see the requests you may decide while you are a deputy.",
        k if k.starts_with("monitoring.") => {
            "Open your case now to see what you must do and by when; ask there if you need another date."
        }
        _ => "Open Custodian to see the details.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_ignore_the_digest_and_the_rest_follow_the_choice() {
        assert_eq!(delivery_for("monitoring.selected", Delivery::Digest), Delivery::Immediate);
        assert_eq!(delivery_for("approval.overdue", Delivery::Digest), Delivery::Immediate);
        assert_eq!(delivery_for("approval.to_decide", Delivery::Digest), Delivery::Digest);
        assert_eq!(delivery_for("approval.to_decide", Delivery::Immediate), Delivery::Immediate);
        assert_eq!("digest".parse::<Delivery>().unwrap(), Delivery::Digest);
        assert!("off".parse::<Delivery>().is_err());
    }

    #[test]
    fn every_kind_gets_an_action() {
        for k in ["approval.to_decide", "approval.overdue", "monitoring.notice", "anything"] {
            assert!(action(k).ends_with('.'));
        }
    }
}
