//! Posts on the force's social media accounts (WP034 6.3-6.8): the route a post takes from
//! draft to publication, decided by what it says (the screening) and by the account it is for,
//! and the major-incident pause. Pure: the store applies these rules inside its transactions.
//!
//! ```text
//! draft --submit--> pending_sio --SIO approves--> pending_comms --CC approves--> scheduled --> published
//!   ^                  (only when investigation.*     (only where the account       |  ^
//!   |                   details are found, 6.3e)       requires it, 6.4)            v  |
//!   +----------------- any edit restarts approval ----------------------------- held (6.8)
//! ```
//!
//! The approvals themselves run on the shared chain of [`crate::approvals`]: [`chain_spec`]
//! turns a post's [`Route`] into a sequential chain (the SIO step, then Corporate
//! Communications), whose rules refuse the author and a second decision by the same person and
//! let a named SIO's deputy decide. The post's state follows the chain's decisions.

use serde::{Deserialize, Serialize};

use crate::approvals::{ChainSpec, Decider, Order, StepSpec};
use crate::people::Role;

crate::str_enum! {
    /// Where a post is in its life.
    pub enum PostState {
        /// Being written; screening runs on every save.
        Draft = "draft",
        /// Waiting for the Senior Investigating Officer (WP034 6.3e).
        PendingSio = "pending_sio",
        /// Waiting for Corporate Communications (WP034 6.4, and after a hold 6.8).
        PendingComms = "pending_comms",
        /// Approved and waiting for its time.
        Scheduled = "scheduled",
        /// Paused by a major incident (WP034 6.8).
        Held = "held",
        /// Sent through the publisher.
        Published = "published",
    }
}

impl PostState {
    pub const ALL: [PostState; 6] =
        [Self::Draft, Self::PendingSio, Self::PendingComms, Self::Scheduled, Self::Held, Self::Published];
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "Draft",
            Self::PendingSio => "Waiting for the SIO",
            Self::PendingComms => "Waiting for Corporate Communications",
            Self::Scheduled => "Scheduled",
            Self::Held => "Held: major incident",
            Self::Published => "Published",
        }
    }
    /// Whether the text may still change (anything not yet published).
    pub fn editable(self) -> bool {
        self != Self::Published
    }
}

crate::str_enum! {
    parse: lenient;
    /// The social platforms an account can be on.
    pub enum Platform {
        X = "x",
        Facebook = "facebook",
        Instagram = "instagram",
        Nextdoor = "nextdoor",
        Linkedin = "linkedin",
        Tiktok = "tiktok",
        Youtube = "youtube",
        Threads = "threads",
        Bluesky = "bluesky",
        Other = "other",
    }
}

impl Platform {
    pub const ALL: [Platform; 10] = [
        Self::X,
        Self::Facebook,
        Self::Instagram,
        Self::Nextdoor,
        Self::Linkedin,
        Self::Tiktok,
        Self::Youtube,
        Self::Threads,
        Self::Bluesky,
        Self::Other,
    ];
}

crate::str_enum! {
    parse: trimmed;
    /// On what basis the force may publish an attachment (WP034 6.3c: posts must not breach
    /// copyright).
    pub enum Rights {
        /// Made by the force's own personnel in the course of their work.
        ForceOwned = "force_owned",
        /// Used under a licence the force holds.
        Licensed = "licensed",
        /// Used with the rights holder's written permission.
        Permission = "permission",
        /// Out of copyright, or released for any use.
        PublicDomain = "public_domain",
    }
}

impl Rights {
    pub const ALL: [Rights; 4] = [Self::ForceOwned, Self::Licensed, Self::Permission, Self::PublicDomain];
    pub fn label(self) -> &'static str {
        match self {
            Self::ForceOwned => "Made by Warwickshire Police",
            Self::Licensed => "Used under a licence we hold",
            Self::Permission => "Used with the rights holder's written permission",
            Self::PublicDomain => "Public domain or openly licensed",
        }
    }
    /// Whether the declaration must name the rights holder.
    pub fn needs_holder(self) -> bool {
        matches!(self, Self::Licensed | Self::Permission)
    }
}

/// A file attached to a post, with its rights declaration (WP034 6.3c).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attachment {
    pub name: String,
    pub rights: Rights,
    /// Who holds the rights, where the force does not.
    #[serde(default)]
    pub holder: String,
}

/// Check the attachments' declarations: each named, each with a rights holder where the
/// basis needs one. Errors name the attachment by position (`attachments[2].holder`).
pub fn check_attachments(list: &[Attachment]) -> Result<(), crate::FieldError> {
    for (i, a) in list.iter().enumerate() {
        if a.name.trim().is_empty() {
            return Err(crate::FieldError::new(format!("attachments[{i}].name"), "give the file's name"));
        }
        if a.rights.needs_holder() && a.holder.trim().is_empty() {
            return Err(crate::FieldError::new(
                format!("attachments[{i}].holder"),
                "name the rights holder: WP034 6.3c, posts must not breach copyright",
            ));
        }
    }
    Ok(())
}

/// What the screening of one version found, as far as the route is concerned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gate {
    /// Findings that block publication as written: they must be fixed.
    pub blocks: u32,
    /// Warnings: the author fixes them or Corporate Communications override them with a reason.
    pub warnings: u32,
    /// An investigation detail (investigation.*): the SIO must approve (WP034 6.3e).
    pub investigation: bool,
    /// A finding the screening sends to Corporate Communications.
    pub comms: bool,
}

/// The approvals a post needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Route {
    pub sio: bool,
    pub comms: bool,
}

/// Why a post cannot be submitted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the post has {0} finding(s) that block publication: fix them first (WP034 6.3)")]
    Blocked(u32),
    #[error(
        "the post has {0} warning(s): fix them, or ask Corporate Communications to override them with a reason (WP034 6.3)"
    )]
    Warnings(u32),
    #[error("only a draft can be submitted; this post is {0}")]
    NotDraft(&'static str),
    #[error("you cannot approve your own post: approval needs a second person")]
    OwnPost,
    #[error(
        "you wrote or edited this version of the post, or overrode its warnings: someone else must approve it (WP034 6.3, separation of duties)"
    )]
    OwnWords,
    #[error("this post is not waiting for that approval; it is {0}")]
    NotWaiting(&'static str),
    #[error("this post names an investigation whose SIO is {0}: only they can approve it (WP034 6.3e)")]
    WrongSio(String),
    #[error("Corporate Communications can override warnings, never a blocking finding (WP034 6.3)")]
    OverrideBlock,
    #[error("give a reason")]
    NoReason,
}

/// The route for a post: SIO approval for investigation details (6.3e); Corporate
/// Communications where the account requires it (6.4), where the screening asks for it, and
/// after a major-incident hold (6.8).
pub fn route(gate: Gate, account_requires_comms: bool, reapproval: bool) -> Route {
    Route { sio: gate.investigation, comms: account_requires_comms || gate.comms || reapproval }
}

/// Whether a draft may be submitted: no blocking finding, and every warning fixed or
/// overridden by Corporate Communications for this very version.
pub fn check_submit(state: PostState, gate: Gate, overridden: bool) -> Result<(), Refusal> {
    if state != PostState::Draft {
        return Err(Refusal::NotDraft(state.label()));
    }
    if gate.blocks > 0 {
        return Err(Refusal::Blocked(gate.blocks));
    }
    if gate.warnings > 0 && !overridden {
        return Err(Refusal::Warnings(gate.warnings));
    }
    Ok(())
}

/// Where a post goes once the approvals given so far are counted: the first approval still
/// missing, else scheduled, or held while a major incident pauses its (departmental) account.
pub fn next_state(route: Route, sio_done: bool, comms_done: bool, paused: bool) -> PostState {
    if route.sio && !sio_done {
        PostState::PendingSio
    } else if route.comms && !comms_done {
        PostState::PendingComms
    } else if paused {
        PostState::Held
    } else {
        PostState::Scheduled
    }
}

crate::str_enum! {
    parse: own;
    /// Which approval an approver gives.
    pub enum Approval {
        Sio = "sio",
        Comms = "comms",
    }
}

impl Approval {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "sio" => Some(Self::Sio),
            "comms" | "corporate_comms" => Some(Self::Comms),
            _ => None,
        }
    }
    /// The clause the approval is given under.
    pub fn clause(self) -> &'static str {
        match self {
            Self::Sio => "6.3e",
            Self::Comms => "6.4",
        }
    }
    /// The key of this approval's step in the post's approval chain.
    pub fn step_key(self) -> &'static str {
        match self {
            Self::Sio => "sio",
            Self::Comms => "corporate_comms",
        }
    }
    /// The approval a chain step stands for.
    pub fn from_step_key(key: &str) -> Option<Self> {
        [Self::Sio, Self::Comms].into_iter().find(|a| a.step_key() == key)
    }
    /// The state a post waits in for this approval.
    pub fn waiting_state(self) -> PostState {
        match self {
            Self::Sio => PostState::PendingSio,
            Self::Comms => PostState::PendingComms,
        }
    }
}

/// The approval chain a post's route needs (WP034 6.3e then 6.4), on the shared chain of
/// [`crate::approvals`], or `None` when the route needs no approval. The SIO step is decided by
/// the SIO recorded for the investigation named when there is one (or their deputy), else by
/// any Senior Investigating Officer; the Corporate Communications step by anyone in that role.
/// Steps run in order: Corporate Communications see a post once the SIO has approved it. The
/// chain itself refuses the author (nobody approves their own post) and a second decision by
/// the same person.
pub fn chain_spec(route: Route, recorded_sio: Option<uuid::Uuid>) -> Option<ChainSpec> {
    let mut steps = Vec::new();
    if route.sio {
        let decider = recorded_sio.map_or(Decider::Role(Role::Sio), Decider::Person);
        steps.push(StepSpec::new(Approval::Sio.step_key(), Approval::Sio.clause(), decider));
    }
    if route.comms {
        steps.push(StepSpec::new(
            Approval::Comms.step_key(),
            Approval::Comms.clause(),
            Decider::Role(Role::CorporateComms),
        ));
    }
    (!steps.is_empty()).then(|| ChainSpec::new(Order::Sequential, steps))
}

/// Whether an open request already follows `spec` (same steps, same deciders), so a post sent
/// back to approval after an edit keeps its restarted request instead of opening another.
pub fn same_route(spec: &ChainSpec, steps: &[(String, Decider)]) -> bool {
    spec.steps.len() == steps.len() && spec.steps.iter().zip(steps).all(|(a, (k, d))| a.key == *k && a.decider == *d)
}

/// Normalise an operation name or crime reference for lookup: lower case, single spaces, and
/// a leading "operation"/"op" dropped ("Operation  Kestrel" and "op kestrel" are "kestrel").
pub fn investigation_key(s: &str) -> String {
    let words: Vec<String> = s.split_whitespace().map(|w| w.to_lowercase()).collect();
    let skip = usize::from(matches!(words.first().map(String::as_str), Some("operation" | "op" | "op.")));
    words[skip.min(words.len())..].join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use uuid::Uuid;

    #[test]
    fn investigation_details_go_to_the_sio_first_then_corporate_communications() {
        let gate = Gate { investigation: true, ..Gate::default() };
        let r = route(gate, true, false);
        assert_eq!(next_state(r, false, false, false), PostState::PendingSio);
        assert_eq!(next_state(r, true, false, false), PostState::PendingComms);
        assert_eq!(next_state(r, true, true, false), PostState::Scheduled);
        assert_eq!(next_state(r, true, true, true), PostState::Held);
    }

    #[test]
    fn a_clear_post_on_an_account_without_approval_is_scheduled_at_once() {
        let r = route(Gate::default(), false, false);
        assert_eq!(r, Route::default());
        assert_eq!(next_state(r, false, false, false), PostState::Scheduled);
        assert!(route(Gate::default(), false, true).comms, "a held post needs Corporate Communications again");
    }

    #[test]
    fn blocks_must_be_fixed_and_warnings_fixed_or_overridden() {
        let blocked = Gate { blocks: 1, warnings: 1, ..Gate::default() };
        assert_eq!(check_submit(PostState::Draft, blocked, true), Err(Refusal::Blocked(1)));
        let warned = Gate { warnings: 2, ..Gate::default() };
        assert_eq!(check_submit(PostState::Draft, warned, false), Err(Refusal::Warnings(2)));
        assert_eq!(check_submit(PostState::Draft, warned, true), Ok(()));
        assert!(matches!(check_submit(PostState::Scheduled, Gate::default(), false), Err(Refusal::NotDraft(_))));
    }

    #[test]
    fn the_chain_names_the_recorded_sio_else_any_sio_then_corporate_communications() {
        let kwame = Uuid::from_u128(3);
        let both = Route { sio: true, comms: true };
        let spec = chain_spec(both, Some(kwame)).unwrap();
        assert_eq!(spec.order, Order::Sequential);
        let steps: Vec<(String, Decider)> = spec.steps.iter().map(|s| (s.key.clone(), s.decider)).collect();
        assert_eq!(
            steps,
            vec![
                ("sio".into(), Decider::Person(kwame)),
                ("corporate_comms".into(), Decider::Role(Role::CorporateComms))
            ]
        );
        assert_eq!(spec.steps[0].clause, "6.3e");
        assert_eq!(spec.steps[1].clause, "6.4");
        assert!(same_route(&spec, &steps));
        let any = chain_spec(Route { sio: true, comms: false }, None).unwrap();
        assert_eq!(any.steps.len(), 1);
        assert_eq!(any.steps[0].decider, Decider::Role(Role::Sio));
        assert!(!same_route(&any, &steps), "a route that changed opens a new request");
        assert!(chain_spec(Route::default(), Some(kwame)).is_none(), "no approval needed, no chain");
        assert_eq!(Approval::from_step_key("corporate_comms"), Some(Approval::Comms));
        assert_eq!(Approval::from_step_key("hod"), None);
    }

    #[test]
    fn keys_ignore_case_spacing_and_the_word_operation() {
        assert_eq!(investigation_key("Operation  Kestrel"), "kestrel");
        assert_eq!(investigation_key("op KESTREL"), "kestrel");
        assert_eq!(investigation_key("23/123456/24"), "23/123456/24");
        assert_eq!(investigation_key("Operation"), "");
    }

    #[test]
    fn attachments_need_a_holder_where_the_force_does_not_own_them() {
        let ok = Attachment { name: "map.png".into(), rights: Rights::ForceOwned, holder: String::new() };
        let bad = Attachment { name: "photo.jpg".into(), rights: Rights::Licensed, holder: " ".into() };
        assert!(check_attachments(std::slice::from_ref(&ok)).is_ok());
        assert_eq!(check_attachments(&[ok, bad]).unwrap_err().field, "attachments[1].holder");
    }

    proptest! {
        /// Whatever the screening and approvals, a post never reaches scheduled or held while
        /// an approval its route needs is missing.
        #[test]
        fn no_post_is_scheduled_without_the_approvals_its_route_needs(
            inv in any::<bool>(), comms in any::<bool>(), account in any::<bool>(), re in any::<bool>(),
            sio_done in any::<bool>(), comms_done in any::<bool>(), paused in any::<bool>(),
        ) {
            let r = route(Gate { investigation: inv, comms, ..Gate::default() }, account, re);
            let s = next_state(r, sio_done, comms_done, paused);
            if matches!(s, PostState::Scheduled | PostState::Held) {
                prop_assert!(!inv || sio_done);
                prop_assert!(!(account || comms || re) || comms_done);
            }
            prop_assert_eq!(s == PostState::Scheduled, (!r.sio || sio_done) && (!r.comms || comms_done) && !paused);
        }
    }
}
