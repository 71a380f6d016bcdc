//! The question asked (who asks, about what) and the answer.

use uuid::Uuid;

use crate::{ResourceKind, Role};

/// The person asking: who they are, the roles they hold and their business area.
#[derive(Debug, Clone)]
pub struct Principal {
    /// The person's id.
    pub id: Uuid,
    /// The roles granted to them. Line manager is not a role: it is a relation on the resource.
    pub roles: Vec<Role>,
    /// Their business area (department), if known.
    pub business_area: Option<String>,
}

/// What the action is about, with the relations the policies look at.
#[derive(Debug, Clone)]
pub enum Resource {
    /// Custodian as a whole.
    System,
    /// One person's record.
    Person {
        /// The person's id.
        id: Uuid,
        /// Their line manager, if any.
        line_manager: Option<Uuid>,
        /// Their business area, if known.
        business_area: Option<String>,
    },
    /// One device.
    Device {
        /// The device's id.
        id: Uuid,
        /// The person it is allocated to, if any.
        holder: Option<Uuid>,
        /// That person's line manager, if any.
        holder_line_manager: Option<Uuid>,
    },
    /// One finding.
    Finding {
        /// The finding's id.
        id: Uuid,
        /// The person it is about, if any.
        subject: Option<Uuid>,
        /// That person's line manager, if any.
        subject_line_manager: Option<Uuid>,
    },
    /// One selected person's lawful business monitoring case.
    MonitoringCase {
        /// The case's id.
        id: Uuid,
        /// The person selected.
        subject: Option<Uuid>,
        /// The Digital Media Investigator it is assigned to, if any.
        dmi: Option<Uuid>,
    },
    /// One departmental social media account.
    SocialAccount {
        /// The account's id.
        id: Uuid,
        /// Its team manager (WP034 6.7), if recorded.
        team_manager: Option<Uuid>,
    },
}

impl Resource {
    /// The kind of this resource.
    pub fn kind(&self) -> ResourceKind {
        match self {
            Self::System => ResourceKind::System,
            Self::Person { .. } => ResourceKind::Person,
            Self::Device { .. } => ResourceKind::Device,
            Self::Finding { .. } => ResourceKind::Finding,
            Self::MonitoringCase { .. } => ResourceKind::MonitoringCase,
            Self::SocialAccount { .. } => ResourceKind::SocialAccount,
        }
    }
}

/// The answer to one question, with the policies that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// The `@id`s of the determining policies, sorted: the permits that matched when allowed,
    /// the forbids that matched when denied by a forbid, and none when denied by default.
    pub policies: Vec<String>,
    /// The `@clause` of each of [`Decision::policies`], in the same order.
    pub clauses: Vec<String>,
}

impl Decision {
    /// Denied because no policy permits it.
    pub(crate) fn default_deny() -> Self {
        Self { allowed: false, policies: Vec::new(), clauses: Vec::new() }
    }
}
