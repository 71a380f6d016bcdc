//! Custodian's permissions as policy code.
//!
//! Who may do what in Custodian is written as [Cedar](https://www.cedarpolicy.com) policies in
//! the repository's `policies/` directory, one file per area (`everyone.cedar`,
//! `people.cedar`, `devices.cedar`, `findings.cedar`, `monitoring.cedar`, `audit.cedar`,
//! `admin.cedar`, `approvals.cedar`, `apps.cedar`, `posts.cedar`, `usage.cedar`), checked
//! against `policies/custodian.cedarschema`. The rules are:
//!
//! * **default deny**: an action is allowed only when some policy permits it;
//! * **forbid beats permit**: a matching `forbid` denies whatever permits also match;
//! * **validated at start-up**: [`Authz::load`] parses the policies and validates them against
//!   the schema in strict mode, and refuses to start on any error;
//! * **every rule cites WP034**: each policy carries an `@id("...")`, an `@clause("x.y")` naming
//!   the clause of WP034 (the force's Mobile Devices and Social Media Policy) it comes from, and
//!   a `// WP034 x.y: why` comment right above it. The loader refuses a policy that lacks any of
//!   them, or whose clause is not a clause of WP034, so a [`Decision`] can always say which
//!   policies decided it and why.
//!
//! The policies are compiled into the binary ([`Authz::load`]); operators who edit them can
//! load a directory instead ([`Authz::from_dir`]).
//!
//! Decisions are cheap: [`Authz::decide`] builds the few request entities it needs (the
//! principal with its roles as parents, the resource, and the people the resource refers to)
//! and evaluates the policy set in a few microseconds. It never panics: an action asked about
//! the wrong kind of resource is simply denied.
//!
//! ```
//! use custodian_authz::{Action, Authz, Principal, Resource, Role};
//! use uuid::Uuid;
//!
//! let authz = Authz::load()?;
//! let ds = Principal { id: Uuid::from_u128(1), roles: vec![Role::DigitalServices], business_area: None };
//! let device = Resource::Device { id: Uuid::from_u128(2), holder: None, holder_line_manager: None };
//! let decision = authz.decide(&ds, Action::DevicesAllocate, &device);
//! assert!(decision.allowed);
//! assert_eq!(decision.clauses, vec!["4.1".to_string()]);
//! # Ok::<(), custodian_authz::AuthzError>(())
//! ```

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// The Cedar version the policies are written for, for callers of [`Authz::schema`] and
/// [`Authz::policy_set`].
pub use cedar_policy;
use cedar_policy::{
    ActionConstraint, Authorizer, Context, Entities, Entity, EntityId, EntityTypeName, EntityUid, Policy, PolicyId,
    PolicySet, Request, RestrictedExpression, Schema, ValidationMode, Validator,
};
pub use custodian_domain::people::Role;
use uuid::Uuid;

/// The Cedar namespace of the schema and the policies.
pub const NAMESPACE: &str = "Custodian";

/// The schema's file name, in the repository's `policies/` directory and in a directory given to
/// [`Authz::from_dir`].
pub const SCHEMA_FILE: &str = "custodian.cedarschema";

/// The id of the single [`Resource::System`] entity.
const SYSTEM_ID: &str = "custodian";

const SCHEMA_SRC: &str = include_str!("../../../policies/custodian.cedarschema");

/// The policy files compiled into the binary, by name.
const EMBEDDED_POLICIES: &[(&str, &str)] = &[
    ("everyone.cedar", include_str!("../../../policies/everyone.cedar")),
    ("people.cedar", include_str!("../../../policies/people.cedar")),
    ("devices.cedar", include_str!("../../../policies/devices.cedar")),
    ("findings.cedar", include_str!("../../../policies/findings.cedar")),
    ("monitoring.cedar", include_str!("../../../policies/monitoring.cedar")),
    ("screening.cedar", include_str!("../../../policies/screening.cedar")),
    ("audit.cedar", include_str!("../../../policies/audit.cedar")),
    ("admin.cedar", include_str!("../../../policies/admin.cedar")),
    ("approvals.cedar", include_str!("../../../policies/approvals.cedar")),
    ("apps.cedar", include_str!("../../../policies/apps.cedar")),
    ("posts.cedar", include_str!("../../../policies/posts.cedar")),
    ("usage.cedar", include_str!("../../../policies/usage.cedar")),
];

/// The numbered clauses of WP034 version 3; an `@clause` must name one of them.
const WP034_CLAUSES: &[&str] = &[
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6", //
    "2.1", "2.2", "2.3", "2.4", "2.5", //
    "3.1", "3.2", "3.3", "3.4", //
    "4.1", "4.2", "4.3", "4.4", "4.5", "4.6", "4.7", "4.8", "4.9", "4.10", "4.11", "4.12", //
    "5.1", "5.2", "5.3", "5.4", "5.5", //
    "6.1", "6.2", "6.3", "6.4", "6.5", "6.6", "6.7", "6.8", //
    "7.1", "7.2", "7.3", "7.4", //
    "8.1", "8.2", //
    "9.1", //
    "10.1", "10.2",
];

/// Why the policies could not be loaded. Each message names the file and, where there is one,
/// the policy, so an operator can fix it.
#[derive(Debug, thiserror::Error)]
pub enum AuthzError {
    /// A file could not be read (only from [`Authz::from_dir`]).
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The schema does not parse, or does not declare exactly the actions Custodian asks about.
    #[error("schema: {0}")]
    Schema(String),
    /// A policy file does not parse.
    #[error("{file}: {message}")]
    Parse {
        /// The policy file.
        file: String,
        /// The parser's message.
        message: String,
    },
    /// A policy breaks the conventions: a missing or repeated `@id`, a missing or unknown
    /// `@clause`, or no `// WP034 x.y:` comment matching its clause.
    #[error("{file}: policy {policy}: {message}")]
    Convention {
        /// The policy file.
        file: String,
        /// The policy's `@id`, or its position in the file if it has none.
        policy: String,
        /// What is wrong.
        message: String,
    },
    /// The policies do not validate against the schema in strict mode.
    #[error("the policies do not validate against the schema: {0}")]
    Validation(String),
    /// There are no policy files.
    #[error("no policy files (*.cedar) found in {}", .0.display())]
    NoPolicies(PathBuf),
}

/// The kind of thing an action is about; each [`Action`] applies to exactly one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ResourceKind {
    /// Custodian as a whole (lists, imports, administration).
    System,
    /// One person's record.
    Person,
    /// One device.
    Device,
    /// One finding.
    Finding,
    /// One selected person's lawful business monitoring case.
    MonitoringCase,
}

impl ResourceKind {
    /// The Cedar entity type's name, without the namespace.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::System => "System",
            Self::Person => "Person",
            Self::Device => "Device",
            Self::Finding => "Finding",
            Self::MonitoringCase => "MonitoringCase",
        }
    }
}

/// Everything Custodian asks permission for. The names are the Cedar action ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// See the dashboard.
    DashboardView,
    /// Read WP034 and Custodian's permission policies.
    PolicyRead,
    /// See the devices allocated to oneself.
    MyDevicesView,
    /// List people.
    PeopleList,
    /// See one person's record.
    PeopleView,
    /// Import people from a CSV file.
    PeopleImport,
    /// Change one person's record.
    PeopleEdit,
    /// List devices.
    DevicesList,
    /// See one device.
    DevicesView,
    /// Add a device.
    DevicesCreate,
    /// Import devices from a CSV file.
    DevicesImport,
    /// Allocate a device to a person.
    DevicesAllocate,
    /// Move a device through its life cycle (returned, repaired, wiped, disposed of...).
    DevicesTransition,
    /// Confirm receipt of a device allocated to oneself.
    DevicesConfirmReceipt,
    /// Report a device allocated to oneself lost or stolen.
    DevicesReportLoss,
    /// List findings (each row is then checked with [`Action::FindingsView`]).
    FindingsList,
    /// See one finding.
    FindingsView,
    /// Review (judge) one finding.
    FindingsReview,
    /// Export findings.
    FindingsExport,
    /// Create monitoring rounds, record exclusions and make the draw.
    MonitoringRoundsManage,
    /// See monitoring rounds, their draws and verification bundles.
    MonitoringRoundsView,
    /// See one monitoring case and its custody record.
    MonitoringCasesView,
    /// Propose slots, assign the DMI, issue the notice, withdraw a case.
    MonitoringCasesManage,
    /// Answer on availability: accept, defer or decline the slot.
    MonitoringCasesRespond,
    /// Custody steps: receive, download, examine and return the devices.
    MonitoringCasesCustody,
    /// See the screening pack in force and its history of versions.
    ScreeningPackView,
    /// Check and put into effect a new version of the screening pack.
    ScreeningPackManage,
    /// Read the audit trail.
    AuditRead,
    /// Verify the audit trail's integrity.
    AuditVerify,
    /// Manage user accounts and their roles.
    UsersManage,
    /// Issue and revoke API tokens.
    TokensManage,
    /// Read service metrics.
    MetricsRead,
    /// See and mark read one's own in-app notifications.
    NotificationsView,
    /// Decide approval steps (the chain names who decides each step; this permits asking).
    ApprovalsDecide,
    /// Name a deputy to decide one's approval steps during an absence.
    ApprovalsDelegate,
    /// See every pending approval step past its service level.
    ApprovalsOverview,
    /// See the approved apps catalogue.
    AppsCatalogueView,
    /// Keep the app catalogue and its grants.
    AppsCatalogueManage,
    /// Import app inventories from the MDM.
    AppsInventoryImport,
    /// See the unlisted apps seen on devices.
    AppsUnlistedView,
    /// Request an unlisted app, and follow or withdraw one's requests.
    AppsRequest,
    /// Export the approved apps per role for the MDM.
    AppsExport,
    /// See posts one wrote or that are for one's team's accounts.
    PostsView,
    /// See every post (the approvers).
    PostsViewAll,
    /// Draft, edit and submit posts.
    PostsDraft,
    /// Approve a post that gives investigation details, as the SIO.
    PostsApproveSio,
    /// Approve a post for Corporate Communications.
    PostsApproveComms,
    /// Override a post's screening warnings, with a reason (never a block).
    PostsOverride,
    /// Set up the force's social media accounts.
    PostsAccounts,
    /// Record the SIO of an operation or crime reference.
    PostsInvestigations,
    /// Declare and end a major incident.
    PostsIncident,
    /// Request overseas use of one's devices, follow and withdraw one's requests.
    OverseasRequest,
    /// See every overseas-use window.
    OverseasWindowsView,
    /// Export the approved overseas-use windows for the MDM.
    OverseasExport,
    /// Import carrier and web gateway usage files and see the import history.
    UsageImport,
    /// Record a policing-purpose streaming exception for a person (as its approver).
    StreamingExceptionsRecord,
    /// See every streaming exception.
    StreamingExceptionsViewAll,
    /// See unsubmitted drafts of other people's posts (Corporate Communications).
    PostsViewDrafts,
    /// Read which SIO is recorded for each operation or crime reference.
    PostsInvestigationsView,
    /// See a drawn round's verification bundle (everyone selected and in reserve) and its
    /// exclusions.
    MonitoringRoundsBundle,
    /// Mark one's own notifications read (a change: a read-only token may not).
    NotificationsUpdate,
}

impl Action {
    /// Every action, in the order of the schema.
    pub const ALL: &'static [Action] = &[
        Self::DashboardView,
        Self::PolicyRead,
        Self::MyDevicesView,
        Self::PeopleList,
        Self::PeopleView,
        Self::PeopleImport,
        Self::PeopleEdit,
        Self::DevicesList,
        Self::DevicesView,
        Self::DevicesCreate,
        Self::DevicesImport,
        Self::DevicesAllocate,
        Self::DevicesTransition,
        Self::DevicesConfirmReceipt,
        Self::DevicesReportLoss,
        Self::FindingsList,
        Self::FindingsView,
        Self::FindingsReview,
        Self::FindingsExport,
        Self::MonitoringRoundsManage,
        Self::MonitoringRoundsView,
        Self::MonitoringCasesView,
        Self::MonitoringCasesManage,
        Self::MonitoringCasesRespond,
        Self::MonitoringCasesCustody,
        Self::ScreeningPackView,
        Self::ScreeningPackManage,
        Self::AuditRead,
        Self::AuditVerify,
        Self::UsersManage,
        Self::TokensManage,
        Self::MetricsRead,
        Self::NotificationsView,
        Self::ApprovalsDecide,
        Self::ApprovalsDelegate,
        Self::ApprovalsOverview,
        Self::AppsCatalogueView,
        Self::AppsCatalogueManage,
        Self::AppsInventoryImport,
        Self::AppsUnlistedView,
        Self::AppsRequest,
        Self::AppsExport,
        Self::PostsView,
        Self::PostsViewAll,
        Self::PostsDraft,
        Self::PostsApproveSio,
        Self::PostsApproveComms,
        Self::PostsOverride,
        Self::PostsAccounts,
        Self::PostsInvestigations,
        Self::PostsIncident,
        Self::OverseasRequest,
        Self::OverseasWindowsView,
        Self::OverseasExport,
        Self::UsageImport,
        Self::StreamingExceptionsRecord,
        Self::StreamingExceptionsViewAll,
        Self::PostsViewDrafts,
        Self::PostsInvestigationsView,
        Self::MonitoringRoundsBundle,
        Self::NotificationsUpdate,
    ];

    /// The action's name, as in the schema and policies, e.g. `"devices.allocate"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DashboardView => "dashboard.view",
            Self::PolicyRead => "policy.read",
            Self::MyDevicesView => "my_devices.view",
            Self::PeopleList => "people.list",
            Self::PeopleView => "people.view",
            Self::PeopleImport => "people.import",
            Self::PeopleEdit => "people.edit",
            Self::DevicesList => "devices.list",
            Self::DevicesView => "devices.view",
            Self::DevicesCreate => "devices.create",
            Self::DevicesImport => "devices.import",
            Self::DevicesAllocate => "devices.allocate",
            Self::DevicesTransition => "devices.transition",
            Self::DevicesConfirmReceipt => "devices.confirm_receipt",
            Self::DevicesReportLoss => "devices.report_loss",
            Self::FindingsList => "findings.list",
            Self::FindingsView => "findings.view",
            Self::FindingsReview => "findings.review",
            Self::FindingsExport => "findings.export",
            Self::MonitoringRoundsManage => "monitoring.rounds.manage",
            Self::MonitoringRoundsView => "monitoring.rounds.view",
            Self::MonitoringCasesView => "monitoring.cases.view",
            Self::MonitoringCasesManage => "monitoring.cases.manage",
            Self::MonitoringCasesRespond => "monitoring.cases.respond",
            Self::MonitoringCasesCustody => "monitoring.cases.custody",
            Self::ScreeningPackView => "screening.pack.view",
            Self::ScreeningPackManage => "screening.pack.manage",
            Self::AuditRead => "audit.read",
            Self::AuditVerify => "audit.verify",
            Self::UsersManage => "users.manage",
            Self::TokensManage => "tokens.manage",
            Self::MetricsRead => "metrics.read",
            Self::NotificationsView => "notifications.view",
            Self::ApprovalsDecide => "approvals.decide",
            Self::ApprovalsDelegate => "approvals.delegate",
            Self::ApprovalsOverview => "approvals.overview",
            Self::AppsCatalogueView => "apps.catalogue.view",
            Self::AppsCatalogueManage => "apps.catalogue.manage",
            Self::AppsInventoryImport => "apps.inventory.import",
            Self::AppsUnlistedView => "apps.unlisted.view",
            Self::AppsRequest => "apps.request",
            Self::AppsExport => "apps.export",
            Self::PostsView => "posts.view",
            Self::PostsViewAll => "posts.view_all",
            Self::PostsDraft => "posts.draft",
            Self::PostsApproveSio => "posts.approve_sio",
            Self::PostsApproveComms => "posts.approve_comms",
            Self::PostsOverride => "posts.override",
            Self::PostsAccounts => "posts.accounts",
            Self::PostsInvestigations => "posts.investigations",
            Self::PostsIncident => "posts.incident",
            Self::OverseasRequest => "overseas.request",
            Self::OverseasWindowsView => "overseas.windows.view",
            Self::OverseasExport => "overseas.export",
            Self::UsageImport => "usage.import",
            Self::StreamingExceptionsRecord => "usage.streaming_exceptions.record",
            Self::StreamingExceptionsViewAll => "usage.streaming_exceptions.view_all",
            Self::PostsViewDrafts => "posts.view_drafts",
            Self::PostsInvestigationsView => "posts.investigations.view",
            Self::MonitoringRoundsBundle => "monitoring.rounds.bundle",
            Self::NotificationsUpdate => "notifications.update",
        }
    }

    /// The action with this name, if there is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    /// The kind of resource this action is about. Asking about another kind is denied.
    pub fn resource_kind(self) -> ResourceKind {
        match self {
            Self::PeopleView | Self::PeopleEdit | Self::StreamingExceptionsRecord => ResourceKind::Person,
            Self::DevicesView
            | Self::DevicesAllocate
            | Self::DevicesTransition
            | Self::DevicesConfirmReceipt
            | Self::DevicesReportLoss => ResourceKind::Device,
            Self::FindingsView | Self::FindingsReview => ResourceKind::Finding,
            Self::MonitoringCasesView
            | Self::MonitoringCasesManage
            | Self::MonitoringCasesRespond
            | Self::MonitoringCasesCustody => ResourceKind::MonitoringCase,
            Self::DashboardView
            | Self::PolicyRead
            | Self::MyDevicesView
            | Self::PeopleList
            | Self::PeopleImport
            | Self::DevicesList
            | Self::DevicesCreate
            | Self::DevicesImport
            | Self::FindingsList
            | Self::FindingsExport
            | Self::MonitoringRoundsManage
            | Self::MonitoringRoundsView
            | Self::ScreeningPackView
            | Self::ScreeningPackManage
            | Self::AuditRead
            | Self::AuditVerify
            | Self::UsersManage
            | Self::TokensManage
            | Self::MetricsRead
            | Self::NotificationsView
            | Self::ApprovalsDecide
            | Self::ApprovalsDelegate
            | Self::ApprovalsOverview
            | Self::AppsCatalogueView
            | Self::AppsCatalogueManage
            | Self::AppsInventoryImport
            | Self::AppsUnlistedView
            | Self::AppsRequest
            | Self::AppsExport
            | Self::PostsView
            | Self::PostsViewAll
            | Self::PostsDraft
            | Self::PostsApproveSio
            | Self::PostsApproveComms
            | Self::PostsOverride
            | Self::PostsAccounts
            | Self::PostsInvestigations
            | Self::PostsIncident
            | Self::OverseasRequest
            | Self::OverseasWindowsView
            | Self::OverseasExport
            | Self::UsageImport
            | Self::StreamingExceptionsViewAll
            | Self::PostsViewDrafts
            | Self::PostsInvestigationsView
            | Self::MonitoringRoundsBundle
            | Self::NotificationsUpdate => ResourceKind::System,
        }
    }

    /// The position of this action in [`Action::ALL`].
    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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
    fn default_deny() -> Self {
        Self { allowed: false, policies: Vec::new(), clauses: Vec::new() }
    }
}

/// What the loader keeps about each policy.
#[derive(Debug, Clone)]
struct PolicyMeta {
    id: String,
    clause: String,
    /// The `// WP034` comment and the policy text, as in the file.
    text: String,
}

/// Entity type names and uids, built once so decisions do not re-parse them.
#[derive(Debug)]
struct Vocabulary {
    person: EntityTypeName,
    device: EntityTypeName,
    finding: EntityTypeName,
    monitoring_case: EntityTypeName,
    system: EntityUid,
    /// Indexed by [`Action::index`].
    actions: Vec<EntityUid>,
    /// In the order of [`Role::ALL`].
    roles: Vec<(Role, EntityUid)>,
}

impl Vocabulary {
    fn new() -> Result<Self, AuthzError> {
        let name = |ty: &str| {
            EntityTypeName::from_str(&format!("{NAMESPACE}::{ty}")).map_err(|e| AuthzError::Schema(e.to_string()))
        };
        let action_type = name("Action")?;
        let role_type = name("Role")?;
        Ok(Self {
            person: name(ResourceKind::Person.as_str())?,
            device: name(ResourceKind::Device.as_str())?,
            finding: name(ResourceKind::Finding.as_str())?,
            monitoring_case: name(ResourceKind::MonitoringCase.as_str())?,
            system: EntityUid::from_type_name_and_id(name(ResourceKind::System.as_str())?, EntityId::new(SYSTEM_ID)),
            actions: Action::ALL
                .iter()
                .map(|a| EntityUid::from_type_name_and_id(action_type.clone(), EntityId::new(a.as_str())))
                .collect(),
            roles: Role::ALL
                .iter()
                .map(|r| (*r, EntityUid::from_type_name_and_id(role_type.clone(), EntityId::new(r.as_str()))))
                .collect(),
        })
    }

    fn person(&self, id: Uuid) -> EntityUid {
        let mut buf = Uuid::encode_buffer();
        EntityUid::from_type_name_and_id(self.person.clone(), EntityId::new(id.hyphenated().encode_lower(&mut buf)))
    }

    fn role(&self, role: Role) -> Option<&EntityUid> {
        self.roles.iter().find(|(r, _)| *r == role).map(|(_, uid)| uid)
    }

    fn action(&self, action: Action) -> Option<&EntityUid> {
        self.actions.get(action.index())
    }

    fn resource_type(&self, kind: ResourceKind) -> &EntityTypeName {
        match kind {
            ResourceKind::System => self.system.type_name(),
            ResourceKind::Person => &self.person,
            ResourceKind::Device => &self.device,
            ResourceKind::Finding => &self.finding,
            ResourceKind::MonitoringCase => &self.monitoring_case,
        }
    }
}

/// The request Cedar evaluates: principal, resource and the entities they need.
struct RequestParts {
    principal: EntityUid,
    resource: EntityUid,
    entities: Vec<Entity>,
}

/// Custodian's loaded, validated permission policies. Build it once at start-up and share it
/// (it is `Send + Sync`); each [`Authz::decide`] is independent.
pub struct Authz {
    schema: Schema,
    /// Every policy, as validated.
    policies: PolicySet,
    /// For each action (by [`Action::index`]), the policies whose action scope can match it:
    /// a decision evaluates only those. Same answers as the whole set, a fraction of the work.
    by_action: Vec<PolicySet>,
    authorizer: Authorizer,
    vocabulary: Vocabulary,
    /// In file order.
    meta: Vec<PolicyMeta>,
    /// `@id` to its index in `meta`.
    by_id: HashMap<String, usize>,
}

impl std::fmt::Debug for Authz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authz").field("policies", &self.meta.iter().map(|m| &m.id).collect::<Vec<_>>()).finish()
    }
}

impl Authz {
    /// Loads the policies compiled into the binary and validates them against the schema in
    /// strict mode.
    ///
    /// # Errors
    /// If the schema or a policy does not parse, a policy breaks the conventions (see
    /// [`AuthzError::Convention`]) or the policies do not validate.
    pub fn load() -> Result<Self, AuthzError> {
        let files: Vec<(String, String)> =
            EMBEDDED_POLICIES.iter().map(|(name, src)| ((*name).to_string(), (*src).to_string())).collect();
        Self::from_sources(SCHEMA_SRC, &files)
    }

    /// Loads `custodian.cedarschema` and every `*.cedar` file (in name order) from `dir`, for
    /// operators who edit the policies, with the same checks as [`Authz::load`].
    ///
    /// # Errors
    /// As [`Authz::load`], and if a file cannot be read or there is no policy file.
    pub fn from_dir(dir: &Path) -> Result<Self, AuthzError> {
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| AuthzError::Io { path, source }
        };
        let schema_path = dir.join(SCHEMA_FILE);
        let schema = std::fs::read_to_string(&schema_path).map_err(io(&schema_path))?;
        let mut paths = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io(dir))? {
            let path = entry.map_err(io(dir))?.path();
            if path.extension().is_some_and(|e| e == "cedar") && path.is_file() {
                paths.push(path);
            }
        }
        if paths.is_empty() {
            return Err(AuthzError::NoPolicies(dir.to_path_buf()));
        }
        paths.sort();
        let mut files = Vec::with_capacity(paths.len());
        for path in paths {
            let src = std::fs::read_to_string(&path).map_err(io(&path))?;
            let name =
                path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
            files.push((name, src));
        }
        Self::from_sources(&schema, &files)
    }

    /// Parses, checks and validates a schema and `(file name, source)` policy files.
    fn from_sources(schema_src: &str, files: &[(String, String)]) -> Result<Self, AuthzError> {
        let (schema, _warnings) =
            Schema::from_cedarschema_str(schema_src).map_err(|e| AuthzError::Schema(e.to_string()))?;
        let vocabulary = Vocabulary::new()?;
        check_schema_actions(&schema, &vocabulary)?;

        let mut policies = PolicySet::new();
        let mut meta = Vec::new();
        let mut by_id = HashMap::new();
        for (file, src) in files {
            let parsed = PolicySet::from_str(src)
                .map_err(|e| AuthzError::Parse { file: file.clone(), message: e.to_string() })?;
            if parsed.templates().next().is_some() {
                return Err(AuthzError::Parse {
                    file: file.clone(),
                    message: "templates (policies with ?principal or ?resource) are not supported".into(),
                });
            }
            // Cedar numbers policies per file ("policy0", ...); order them as in the file.
            let mut in_file: Vec<_> = parsed.policies().collect();
            in_file.sort_by_key(|p| policy_position(p.id()));
            for (n, policy) in in_file.into_iter().enumerate() {
                let convention = |policy: &str, message: String| AuthzError::Convention {
                    file: file.clone(),
                    policy: policy.to_string(),
                    message,
                };
                let nth = format!("#{}", n + 1);
                let id = match policy.annotation("id") {
                    Some(id) if !id.trim().is_empty() => id.to_string(),
                    _ => return Err(convention(&nth, "has no @id(\"...\") annotation".into())),
                };
                let clause = match policy.annotation("clause") {
                    Some(c) if WP034_CLAUSES.contains(&c) => c.to_string(),
                    Some(c) => return Err(convention(&id, format!("@clause(\"{c}\") is not a clause of WP034"))),
                    None => return Err(convention(&id, "has no @clause(\"x.y\") annotation".into())),
                };
                let body = policy.to_string();
                let comment = preceding_comment(src, &body)
                    .ok_or_else(|| convention(&id, "cannot find the policy's text in the file".into()))?;
                let marker = format!("// WP034 {clause}:");
                if !comment.lines().any(|l| l.trim_start().starts_with(&marker)) {
                    return Err(convention(&id, format!("needs a `{marker} why` comment right above it")));
                }
                if by_id.contains_key(&id) {
                    return Err(convention(&id, "the @id is used by another policy".into()));
                }
                policies.add(policy.new_id(PolicyId::new(&id))).map_err(|e| convention(&id, e.to_string()))?;
                let text = if comment.is_empty() { body } else { format!("{comment}\n{body}") };
                by_id.insert(id.clone(), meta.len());
                meta.push(PolicyMeta { id, clause, text });
            }
        }
        if meta.is_empty() {
            return Err(AuthzError::Validation("there are no policies: everything would be denied".into()));
        }

        let result = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        if !result.validation_passed() {
            let errors: Vec<String> = result.validation_errors().map(ToString::to_string).collect();
            return Err(AuthzError::Validation(errors.join("; ")));
        }

        let by_action = partition_by_action(&policies, &vocabulary)?;
        Ok(Self { schema, policies, by_action, authorizer: Authorizer::new(), vocabulary, meta, by_id })
    }

    /// Decides whether `principal` may do `action` to `resource`, and which policies decided.
    /// Default deny; a forbid beats any permit; an action asked about the wrong kind of
    /// resource is denied.
    pub fn decide(&self, principal: &Principal, action: Action, resource: &Resource) -> Decision {
        let Some(response) = self.evaluate(principal, action, resource) else {
            return Decision::default_deny();
        };
        let mut policies: Vec<String> = response.diagnostics().reason().map(ToString::to_string).collect();
        policies.sort_unstable();
        let clauses = policies
            .iter()
            .map(|id| self.by_id.get(id).and_then(|&i| self.meta.get(i)).map(|m| m.clause.clone()).unwrap_or_default())
            .collect();
        Decision { allowed: response.decision() == cedar_policy::Decision::Allow, policies, clauses }
    }

    /// Whether `principal` may do `action` to `resource`; [`Authz::decide`] without the reasons.
    pub fn is_allowed(&self, principal: &Principal, action: Action, resource: &Resource) -> bool {
        self.evaluate(principal, action, resource).is_some_and(|r| r.decision() == cedar_policy::Decision::Allow)
    }

    /// Every policy as `(@id, @clause, source text)`, the text including its `// WP034` comment,
    /// in file order: for the policy page and for operators.
    pub fn policy_texts(&self) -> Vec<(String, String, String)> {
        self.meta.iter().map(|m| (m.id.clone(), m.clause.clone(), m.text.clone())).collect()
    }

    /// The validated schema, for tools that analyse the policies. Decisions go through
    /// [`Authz::decide`].
    pub fn schema(&self) -> &Schema {
        &self.schema
    }

    /// The whole validated policy set, each policy under its `@id`, for tools that analyse the
    /// policies. Decisions go through [`Authz::decide`].
    pub fn policy_set(&self) -> &PolicySet {
        &self.policies
    }

    /// Runs Cedar on one request; `None` when the request cannot be formed (wrong resource
    /// kind), which callers treat as deny.
    fn evaluate(&self, principal: &Principal, action: Action, resource: &Resource) -> Option<cedar_policy::Response> {
        if action.resource_kind() != resource.kind() {
            return None;
        }
        let action_uid = self.vocabulary.action(action)?.clone();
        let policies = self.by_action.get(action.index())?;
        let parts = self.request_parts(principal, resource)?;
        // No schema here: the loader checked that the schema types each action exactly as
        // `Action::resource_kind` does, the kinds were compared above, and the entities are
        // built from typed values (the tests check them against the schema).
        let entities = Entities::from_entities(parts.entities, None).ok()?;
        let request = Request::new(parts.principal, action_uid, parts.resource, Context::empty(), None).ok()?;
        Some(self.authorizer.is_authorized(&request, policies, &entities))
    }

    /// Builds the request's entities: the principal (its roles as parents), the resource with
    /// its relations, and each person the resource refers to as a plain entity. A person who
    /// appears more than once (the principal is the holder, the person viewed is the principal,
    /// ...) is one entity.
    fn request_parts(&self, principal: &Principal, resource: &Resource) -> Option<RequestParts> {
        let v = &self.vocabulary;
        let principal_uid = v.person(principal.id);
        let parents: HashSet<EntityUid> = principal.roles.iter().filter_map(|r| v.role(*r)).cloned().collect();
        let mut principal_attrs: HashMap<String, RestrictedExpression> = HashMap::new();
        if let Some(area) = &principal.business_area {
            principal_attrs.insert("business_area".into(), RestrictedExpression::new_string(area.clone()));
        }

        let mut entities = Vec::with_capacity(4);
        let mut seen: Vec<Uuid> = vec![principal.id];
        let person_ref = |id: Uuid| RestrictedExpression::new_entity_uid(v.person(id));
        let (resource_uid, related): (EntityUid, [Option<Uuid>; 2]) = match resource {
            Resource::System => (v.system.clone(), [None, None]),
            Resource::Person { id, line_manager, business_area } => {
                let uid = v.person(*id);
                let mut attrs = HashMap::new();
                if let Some(lm) = line_manager {
                    attrs.insert("line_manager".to_string(), person_ref(*lm));
                }
                if let Some(area) = business_area {
                    attrs.insert("business_area".to_string(), RestrictedExpression::new_string(area.clone()));
                }
                if *id == principal.id {
                    // The principal is looking at their own record: one entity, the record's
                    // relations, the principal's own business area where it is known.
                    for (k, val) in attrs {
                        principal_attrs.entry(k).or_insert(val);
                    }
                } else {
                    seen.push(*id);
                    entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                }
                (uid, [*line_manager, None])
            }
            Resource::Device { id, holder, holder_line_manager } => {
                let uid = EntityUid::from_type_name_and_id(v.device.clone(), EntityId::new(id.to_string()));
                let mut attrs = HashMap::new();
                if let Some(h) = holder {
                    attrs.insert("holder".to_string(), person_ref(*h));
                }
                if let Some(lm) = holder_line_manager {
                    attrs.insert("holder_line_manager".to_string(), person_ref(*lm));
                }
                entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                (uid, [*holder, *holder_line_manager])
            }
            Resource::Finding { id, subject, subject_line_manager } => {
                let uid = EntityUid::from_type_name_and_id(v.finding.clone(), EntityId::new(id.to_string()));
                let mut attrs = HashMap::new();
                if let Some(s) = subject {
                    attrs.insert("subject".to_string(), person_ref(*s));
                }
                if let Some(lm) = subject_line_manager {
                    attrs.insert("subject_line_manager".to_string(), person_ref(*lm));
                }
                entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                (uid, [*subject, *subject_line_manager])
            }
            Resource::MonitoringCase { id, subject, dmi } => {
                let uid = EntityUid::from_type_name_and_id(v.monitoring_case.clone(), EntityId::new(id.to_string()));
                let mut attrs = HashMap::new();
                if let Some(s) = subject {
                    attrs.insert("subject".to_string(), person_ref(*s));
                }
                if let Some(d) = dmi {
                    attrs.insert("dmi".to_string(), person_ref(*d));
                }
                entities.push(Entity::new(uid.clone(), attrs, HashSet::new()).ok()?);
                (uid, [*subject, *dmi])
            }
        };
        for id in related.into_iter().flatten() {
            if !seen.contains(&id) {
                seen.push(id);
                entities.push(Entity::new_no_attrs(v.person(id), HashSet::new()));
            }
        }
        entities.push(Entity::new(principal_uid.clone(), principal_attrs, parents).ok()?);
        Some(RequestParts { principal: principal_uid, resource: resource_uid, entities })
    }
}

/// Checks that the schema declares exactly [`Action::ALL`], each for a `Person` principal and
/// the resource kind Custodian will send, so the Rust side and the schema cannot drift apart.
fn check_schema_actions(schema: &Schema, v: &Vocabulary) -> Result<(), AuthzError> {
    for &action in Action::ALL {
        let uid = v.action(action).ok_or_else(|| AuthzError::Schema(format!("action {action} has no uid")))?;
        let principals: Vec<_> = schema
            .principals_for_action(uid)
            .ok_or_else(|| AuthzError::Schema(format!("action \"{action}\" is not declared")))?
            .collect();
        if principals != [&v.person] {
            return Err(AuthzError::Schema(format!("action \"{action}\" must apply to principal Person only")));
        }
        let expected = v.resource_type(action.resource_kind());
        let resources: Vec<_> = schema
            .resources_for_action(uid)
            .ok_or_else(|| AuthzError::Schema(format!("action \"{action}\" is not declared")))?
            .collect();
        if resources != [expected] {
            return Err(AuthzError::Schema(format!(
                "action \"{action}\" must apply to resource {} only",
                action.resource_kind().as_str()
            )));
        }
    }
    if let Some(group) = schema.action_groups().next() {
        return Err(AuthzError::Schema(format!("action groups are not supported ({group}): list the actions")));
    }
    let declared = schema.actions().count();
    if declared != Action::ALL.len() {
        return Err(AuthzError::Schema(format!(
            "declares {declared} actions; Custodian knows {}: remove the others",
            Action::ALL.len()
        )));
    }
    Ok(())
}

/// Splits the policy set by action: for each action, the policies whose action scope names it
/// or is unconstrained. Exact, because the schema has no action groups (checked at load).
fn partition_by_action(policies: &PolicySet, v: &Vocabulary) -> Result<Vec<PolicySet>, AuthzError> {
    let mut sets: Vec<PolicySet> = Action::ALL.iter().map(|_| PolicySet::new()).collect();
    let add = |set: &mut PolicySet, policy: &Policy| {
        set.add(policy.clone()).map_err(|e| AuthzError::Validation(format!("{}: {e}", policy.id())))
    };
    for policy in policies.policies() {
        let applies: Box<dyn Fn(&EntityUid) -> bool> = match policy.action_constraint() {
            ActionConstraint::Any => Box::new(|_| true),
            ActionConstraint::Eq(uid) => Box::new(move |a| *a == uid),
            ActionConstraint::In(uids) => Box::new(move |a| uids.contains(a)),
        };
        for (set, uid) in sets.iter_mut().zip(&v.actions) {
            if applies(uid) {
                add(set, policy)?;
            }
        }
    }
    Ok(sets)
}

/// The position Cedar gave a policy when parsing a file ("policy3" is the fourth).
fn policy_position(id: &PolicyId) -> usize {
    id.to_string().strip_prefix("policy").and_then(|n| n.parse().ok()).unwrap_or(usize::MAX)
}

/// The block of `//` comment lines right above `body` in `src` (no blank line between), or
/// `None` if `body` is not in `src`.
fn preceding_comment(src: &str, body: &str) -> Option<String> {
    let start = src.find(body)?;
    let before = src.get(..start)?;
    let mut lines: Vec<&str> = before.lines().collect();
    // The line the policy starts on, up to the policy (normally empty).
    if !before.ends_with('\n') {
        lines.pop();
    }
    let block: Vec<&str> = lines.iter().rev().take_while(|l| l.trim_start().starts_with("//")).copied().collect();
    Some(block.into_iter().rev().map(str::trim_end).collect::<Vec<_>>().join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn authz() -> Authz {
        match Authz::load() {
            Ok(a) => a,
            Err(e) => panic!("the embedded policies must load: {e}"),
        }
    }

    fn uid(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    fn person(n: u128, roles: &[Role]) -> Principal {
        Principal { id: uid(n), roles: roles.to_vec(), business_area: Some("Operations".into()) }
    }

    fn device(holder: Option<u128>, manager: Option<u128>) -> Resource {
        Resource::Device { id: uid(900), holder: holder.map(uid), holder_line_manager: manager.map(uid) }
    }

    fn finding(subject: Option<u128>, manager: Option<u128>) -> Resource {
        Resource::Finding { id: uid(901), subject: subject.map(uid), subject_line_manager: manager.map(uid) }
    }

    fn monitoring_case(subject: Option<u128>, dmi: Option<u128>) -> Resource {
        Resource::MonitoringCase { id: uid(902), subject: subject.map(uid), dmi: dmi.map(uid) }
    }

    fn person_record(id: u128, manager: Option<u128>, area: Option<&str>) -> Resource {
        Resource::Person { id: uid(id), line_manager: manager.map(uid), business_area: area.map(str::to_string) }
    }

    /// A resource of the kind `action` takes, held by / about / managed by people (10 and 11)
    /// who are never the principal (1) of the matrix.
    fn unrelated_resource(action: Action) -> Resource {
        match action.resource_kind() {
            ResourceKind::System => Resource::System,
            ResourceKind::Person => person_record(10, Some(11), Some("Operations")),
            ResourceKind::Device => device(Some(10), Some(11)),
            ResourceKind::Finding => finding(Some(10), Some(11)),
            ResourceKind::MonitoringCase => monitoring_case(Some(10), Some(11)),
        }
    }

    #[test]
    fn the_embedded_policies_parse_and_validate_in_strict_mode() {
        let a = authz();
        let texts = a.policy_texts();
        assert!(texts.len() >= 20, "{} policies", texts.len());
        for (id, clause, text) in &texts {
            assert!(WP034_CLAUSES.contains(&clause.as_str()), "{id}: {clause}");
            assert!(text.contains(&format!("// WP034 {clause}:")), "{id} lacks its clause comment:\n{text}");
            assert!(text.contains(&format!("@id(\"{id}\")")), "{id}:\n{text}");
            assert!(text.contains(&format!("@clause(\"{clause}\")")), "{id}:\n{text}");
        }
        let ids: HashSet<_> = texts.iter().map(|(id, _, _)| id).collect();
        assert_eq!(ids.len(), texts.len(), "policy ids are unique");
    }

    #[test]
    fn the_policies_directory_loads_the_same_as_the_embedded_copy() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../policies");
        let from_dir = match Authz::from_dir(&dir) {
            Ok(a) => a,
            Err(e) => panic!("{e}"),
        };
        let mut a = authz().policy_texts();
        let mut b = from_dir.policy_texts();
        a.sort();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn actions_round_trip_through_their_names_and_match_the_schema() {
        for (i, a) in Action::ALL.iter().copied().enumerate() {
            assert_eq!(a.index(), i);
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        assert_eq!(Action::parse("devices.destroy"), None);
        let v = match Vocabulary::new() {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        for (i, r) in Role::ALL.into_iter().enumerate() {
            assert_eq!(v.roles.get(i).map(|(role, _)| *role), Some(r));
        }
    }

    #[test]
    fn authz_can_be_shared_between_threads() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Authz>();
    }

    const Y: bool = true;
    const N: bool = false;

    /// The expected decision for a principal holding only one role, who is not the holder,
    /// manager or subject of anything. Changing a policy must change this table.
    #[rustfmt::skip]
    const MATRIX: &[(Action, [bool; 10])] = &[
        //                                ds cc psd dmi vet hod sio rc aud adm
        (Action::DashboardView,         [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::PolicyRead,            [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::MyDevicesView,         [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::PeopleList,            [Y, N, Y,  N,  Y,  Y,  N,  N, N,  Y]),
        (Action::PeopleView,            [Y, N, Y,  N,  Y,  Y,  N,  N, N,  Y]),
        (Action::PeopleImport,          [Y, N, N,  N,  N,  N,  N,  N, N,  Y]),
        (Action::PeopleEdit,            [Y, N, N,  N,  N,  N,  N,  N, N,  Y]),
        (Action::DevicesList,           [Y, N, Y,  Y,  N,  N,  N,  N, Y,  N]),
        (Action::DevicesView,           [Y, N, Y,  Y,  N,  N,  N,  N, Y,  N]),
        (Action::DevicesCreate,         [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::DevicesImport,         [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::DevicesAllocate,       [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::DevicesTransition,     [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::DevicesConfirmReceipt, [N, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::DevicesReportLoss,     [N, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::FindingsList,          [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::FindingsView,          [Y, N, Y,  N,  N,  N,  N,  N, Y,  N]),
        (Action::FindingsReview,        [Y, N, Y,  N,  N,  N,  N,  N, N,  N]),
        (Action::FindingsExport,        [Y, N, Y,  N,  N,  N,  N,  N, Y,  N]),
        (Action::MonitoringRoundsManage, [N, N, Y,  N,  N,  N,  N,  N, N,  N]),
        (Action::MonitoringRoundsView,  [N, N, Y,  Y,  N,  N,  N,  N, Y,  N]),
        (Action::MonitoringCasesView,   [N, N, Y,  N,  N,  N,  N,  N, N,  N]),
        (Action::MonitoringCasesManage, [N, N, Y,  N,  N,  N,  N,  N, N,  N]),
        (Action::MonitoringCasesRespond, [N, N, Y,  N,  N,  N,  N,  N, N,  N]),
        (Action::MonitoringCasesCustody, [N, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::ScreeningPackView,     [N, Y, N,  N,  N,  N,  N,  N, Y,  N]),
        (Action::ScreeningPackManage,   [N, Y, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::AuditRead,             [N, N, N,  N,  N,  N,  N,  N, Y,  Y]),
        (Action::AuditVerify,           [N, N, N,  N,  N,  N,  N,  N, Y,  Y]),
        (Action::UsersManage,           [N, N, N,  N,  N,  N,  N,  N, N,  Y]),
        (Action::TokensManage,          [N, N, N,  N,  N,  N,  N,  N, N,  Y]),
        (Action::MetricsRead,           [Y, N, N,  N,  N,  N,  N,  N, N,  Y]),
        (Action::NotificationsView, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::ApprovalsDecide, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::ApprovalsDelegate, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::ApprovalsOverview, [Y, N, N,  N,  N,  N,  N,  N, N,  Y]),
        (Action::AppsCatalogueView, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::AppsCatalogueManage, [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::AppsInventoryImport, [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::AppsUnlistedView, [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::AppsRequest, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::AppsExport, [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::PostsView,             [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::PostsViewAll,          [N, Y, N,  N,  N,  N,  Y,  N, N,  N]),
        (Action::PostsDraft,            [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::PostsApproveSio,       [N, N, N,  N,  N,  N,  Y,  N, N,  N]),
        (Action::PostsApproveComms,     [N, Y, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::PostsOverride,         [N, Y, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::PostsAccounts,         [N, Y, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::PostsInvestigations,   [N, N, N,  N,  N,  N,  Y,  N, N,  N]),
        (Action::PostsIncident,         [N, Y, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::OverseasRequest,       [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
        (Action::OverseasWindowsView,   [Y, N, N,  N,  Y,  N,  N,  N, N,  N]),
        (Action::OverseasExport,        [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::UsageImport,           [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::StreamingExceptionsRecord, [N, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::StreamingExceptionsViewAll, [Y, N, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::PostsViewDrafts,       [N, Y, N,  N,  N,  N,  N,  N, N,  N]),
        (Action::PostsInvestigationsView, [N, Y, Y,  N,  N,  N,  Y,  N, N,  Y]),
        (Action::MonitoringRoundsBundle, [N, N, Y,  N,  N,  N,  N,  N, Y,  N]),
        (Action::NotificationsUpdate,   [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y]),
    ];

    #[test]
    fn every_action_for_every_single_role_matches_the_table() {
        let a = authz();
        let actions: Vec<Action> = MATRIX.iter().map(|(action, _)| *action).collect();
        assert_eq!(actions, Action::ALL, "the table lists every action once, in order");
        let mut wrong = Vec::new();
        for &(action, row) in MATRIX {
            for (role, expected) in Role::ALL.into_iter().zip(row) {
                let p = person(1, &[role]);
                let d = a.decide(&p, action, &unrelated_resource(action));
                assert_eq!(a.is_allowed(&p, action, &unrelated_resource(action)), d.allowed);
                if d.allowed != expected {
                    wrong.push(format!("{} {action}: expected {expected}, got {d:?}", role.as_str()));
                }
                if d.allowed {
                    assert!(!d.policies.is_empty(), "{action} allowed without a reason");
                }
                assert_eq!(d.policies.len(), d.clauses.len());
                assert!(d.clauses.iter().all(|c| WP034_CLAUSES.contains(&c.as_str())), "{d:?}");
            }
        }
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    }

    #[test]
    fn a_person_with_no_roles_gets_only_the_everyone_actions() {
        let a = authz();
        let nobody = person(1, &[]);
        let everyone = [
            Action::DashboardView,
            Action::PolicyRead,
            Action::MyDevicesView,
            Action::FindingsList,
            Action::NotificationsView,
            Action::ApprovalsDecide,
            Action::ApprovalsDelegate,
            Action::AppsCatalogueView,
            Action::AppsRequest,
            Action::PostsView,
            Action::PostsDraft,
            Action::OverseasRequest,
            Action::NotificationsUpdate,
        ];
        for &action in Action::ALL {
            let d = a.decide(&nobody, action, &unrelated_resource(action));
            assert_eq!(d.allowed, everyone.contains(&action), "{action}: {d:?}");
        }
        let d = a.decide(&nobody, Action::PolicyRead, &Resource::System);
        assert_eq!(d.policies, vec!["everyone.dashboard-and-policy".to_string()]);
        assert_eq!(d.clauses, vec!["2.3".to_string()]);
    }

    #[test]
    fn the_holder_confirms_receipt_and_reports_loss_but_digital_services_does_not() {
        let a = authz();
        let holder = person(1, &[]);
        let ds = person(2, &[Role::DigitalServices]);
        let manager = person(3, &[]);
        let d = device(Some(1), Some(3));
        for action in [Action::DevicesConfirmReceipt, Action::DevicesReportLoss, Action::DevicesView] {
            assert!(a.is_allowed(&holder, action, &d), "holder {action}");
        }
        assert_eq!(a.decide(&holder, Action::DevicesReportLoss, &d).clauses, vec!["4.7".to_string()]);
        assert!(!a.is_allowed(&ds, Action::DevicesConfirmReceipt, &d));
        assert!(!a.is_allowed(&ds, Action::DevicesReportLoss, &d));
        assert!(a.is_allowed(&ds, Action::DevicesAllocate, &d));
        // The holder cannot reallocate or transition their own device.
        assert!(!a.is_allowed(&holder, Action::DevicesAllocate, &d));
        assert!(!a.is_allowed(&holder, Action::DevicesTransition, &d));
        // Their line manager may see it, not act as the holder.
        assert!(a.is_allowed(&manager, Action::DevicesView, &d));
        assert!(!a.is_allowed(&manager, Action::DevicesConfirmReceipt, &d));
        assert!(!a.is_allowed(&manager, Action::DevicesReportLoss, &d));
        // An unallocated device has no holder to act for it.
        for p in [&holder, &ds, &manager] {
            assert!(!a.is_allowed(p, Action::DevicesConfirmReceipt, &device(None, None)));
        }
    }

    #[test]
    fn monitoring_cases_go_to_psd_the_assigned_dmi_and_the_person_selected_only() {
        let a = authz();
        let case = monitoring_case(Some(1), Some(2));
        let subject = person(1, &[]);
        let dmi = person(2, &[Role::Dmi]);
        let other_dmi = person(3, &[Role::Dmi]);
        let psd = person(4, &[Role::Psd]);
        // The person selected sees their case and answers on availability (5.4), nothing more.
        assert!(a.is_allowed(&subject, Action::MonitoringCasesView, &case));
        assert!(a.is_allowed(&subject, Action::MonitoringCasesRespond, &case));
        assert!(!a.is_allowed(&subject, Action::MonitoringCasesManage, &case));
        assert!(!a.is_allowed(&subject, Action::MonitoringCasesCustody, &case));
        assert!(!a.is_allowed(&subject, Action::MonitoringRoundsView, &Resource::System));
        // The assigned DMI handles the devices; another DMI sees nothing of the case.
        let d = a.decide(&dmi, Action::MonitoringCasesCustody, &case);
        assert_eq!((d.allowed, d.clauses.clone()), (true, vec!["5.4".to_string()]));
        assert!(!a.is_allowed(&dmi, Action::MonitoringCasesManage, &case));
        assert!(!a.is_allowed(&other_dmi, Action::MonitoringCasesView, &case));
        assert!(!a.is_allowed(&other_dmi, Action::MonitoringCasesCustody, &case));
        // PSD runs rounds and cases, but not a case about themself, whatever roles they hold.
        assert!(a.is_allowed(&psd, Action::MonitoringRoundsManage, &Resource::System));
        assert!(a.is_allowed(&psd, Action::MonitoringCasesManage, &case));
        let own = monitoring_case(Some(4), Some(4));
        let everything = person(4, &Role::ALL);
        for action in [Action::MonitoringCasesManage, Action::MonitoringCasesCustody] {
            let d = a.decide(&everything, action, &own);
            assert!(!d.allowed, "{action}");
            assert_eq!(d.policies, vec!["monitoring.no-own-case".to_string()]);
        }
        assert!(a.is_allowed(&everything, Action::MonitoringCasesView, &own));
    }

    #[test]
    fn the_line_manager_reviews_a_finding_but_not_one_about_themself() {
        let a = authz();
        let manager = person(3, &[]);
        let d = a.decide(&manager, Action::FindingsReview, &finding(Some(1), Some(3)));
        assert!(d.allowed);
        assert_eq!(d.policies, vec!["findings.line-manager".to_string()]);
        assert_eq!(d.clauses, vec!["4.10".to_string()]);
        assert!(a.is_allowed(&manager, Action::FindingsView, &finding(Some(1), Some(3))));
        // A finding about the manager, managed by their own manager: not theirs to review.
        assert!(!a.is_allowed(&manager, Action::FindingsReview, &finding(Some(3), Some(4))));
        // Even if the records say they manage themself, the forbid wins.
        let d = a.decide(&manager, Action::FindingsReview, &finding(Some(3), Some(3)));
        assert!(!d.allowed);
        assert_eq!(d.policies, vec!["findings.no-self-review".to_string()]);
        assert_eq!(d.clauses, vec!["4.10".to_string()]);
        // A manager of someone else's report sees nothing.
        assert!(!a.is_allowed(&manager, Action::FindingsView, &finding(Some(1), Some(4))));
    }

    #[test]
    fn the_subject_views_but_never_reviews_their_own_finding_whatever_their_roles() {
        let a = authz();
        let own = finding(Some(1), Some(3));
        let subject = person(1, &[]);
        assert!(a.is_allowed(&subject, Action::FindingsView, &own));
        assert!(!a.is_allowed(&subject, Action::FindingsReview, &own));
        for role in [Role::Psd, Role::DigitalServices] {
            let reviewer = person(1, &[role]);
            let d = a.decide(&reviewer, Action::FindingsReview, &own);
            assert!(!d.allowed, "{}", role.as_str());
            assert_eq!(d.policies, vec!["findings.no-self-review".to_string()]);
            // The same role reviews other people's findings.
            assert!(a.is_allowed(&reviewer, Action::FindingsReview, &finding(Some(2), Some(3))));
        }
        let all_roles = person(1, &Role::ALL);
        assert!(!a.is_allowed(&all_roles, Action::FindingsReview, &own));
    }

    #[test]
    fn people_records_are_visible_to_themselves_their_manager_and_their_head_of_department() {
        let a = authz();
        let me = person(1, &[]);
        let own = person_record(1, Some(3), Some("Operations"));
        assert_eq!(a.decide(&me, Action::PeopleView, &own).policies, vec!["people.self-view".to_string()]);
        assert!(!a.is_allowed(&me, Action::PeopleEdit, &own));
        assert!(!a.is_allowed(&me, Action::PeopleList, &Resource::System));
        let manager = person(3, &[]);
        assert!(a.is_allowed(&manager, Action::PeopleView, &own));
        assert!(!a.is_allowed(&manager, Action::PeopleEdit, &own));
        assert!(!a.is_allowed(&manager, Action::PeopleView, &person_record(2, Some(4), Some("Operations"))));
        // A Head of Department sees their own business area only.
        let hod = person(5, &[Role::HeadOfDepartment]);
        assert!(a.is_allowed(&hod, Action::PeopleView, &person_record(2, None, Some("Operations"))));
        assert!(!a.is_allowed(&hod, Action::PeopleView, &person_record(2, None, Some("Custody"))));
        assert!(!a.is_allowed(&hod, Action::PeopleView, &person_record(2, None, None)));
        let hod_nowhere = Principal { business_area: None, ..hod };
        assert!(!a.is_allowed(&hod_nowhere, Action::PeopleView, &person_record(2, None, None)));
    }

    #[test]
    fn an_action_asked_about_the_wrong_kind_of_resource_is_denied() {
        let a = authz();
        let everything = person(1, &Role::ALL);
        let resources = [
            Resource::System,
            person_record(1, Some(1), Some("Operations")),
            device(Some(1), Some(1)),
            finding(Some(2), Some(1)),
            monitoring_case(Some(2), Some(1)),
        ];
        for &action in Action::ALL {
            for r in &resources {
                if r.kind() != action.resource_kind() {
                    assert_eq!(a.decide(&everything, action, r), Decision::default_deny(), "{action} {r:?}");
                }
            }
        }
    }

    fn load_with(file: &str) -> Result<Authz, AuthzError> {
        Authz::from_sources(SCHEMA_SRC, &[("test.cedar".to_string(), file.to_string())])
    }

    #[test]
    fn a_policy_without_its_annotations_or_clause_comment_is_refused() {
        let body = "permit (principal, action == Custodian::Action::\"policy.read\", resource);";
        let ok = format!("// WP034 2.3: why\n@id(\"t\")\n@clause(\"2.3\")\n{body}\n");
        assert!(load_with(&ok).is_ok(), "{:?}", load_with(&ok).err());
        let cases = [
            format!("// WP034 2.3: why\n@clause(\"2.3\")\n{body}"),
            format!("// WP034 2.3: why\n@id(\"t\")\n{body}"),
            format!("// WP034 4.13: why\n@id(\"t\")\n@clause(\"4.13\")\n{body}"),
            format!("@id(\"t\")\n@clause(\"2.3\")\n{body}"),
            format!("// WP034 2.3: why\n\n@id(\"t\")\n@clause(\"2.3\")\n{body}"),
            format!("// WP034 4.1: why\n@id(\"t\")\n@clause(\"2.3\")\n{body}"),
            format!("{ok}\n{ok}"),
        ];
        for case in cases {
            assert!(matches!(load_with(&case), Err(AuthzError::Convention { .. })), "accepted:\n{case}");
        }
    }

    #[test]
    fn a_policy_that_does_not_parse_or_validate_stops_the_load() {
        let unguarded = "// WP034 4.1: why\n@id(\"t\")\n@clause(\"4.1\")\npermit (principal, \
                         action == Custodian::Action::\"devices.view\", resource) when { resource.holder == principal };";
        assert!(matches!(load_with(unguarded), Err(AuthzError::Validation(_))));
        let unknown_action = "// WP034 4.1: why\n@id(\"t\")\n@clause(\"4.1\")\npermit (principal, \
                              action == Custodian::Action::\"devices.destroy\", resource);";
        assert!(matches!(load_with(unknown_action), Err(AuthzError::Validation(_))));
        assert!(matches!(load_with("permit (principal, action, resource"), Err(AuthzError::Parse { .. })));
        assert!(matches!(load_with("// only a comment\n"), Err(AuthzError::Validation(_))));
    }

    #[test]
    fn a_schema_that_drifts_from_the_actions_stops_the_load() {
        let files = [("e.cedar".to_string(), EMBEDDED_POLICIES[0].1.to_string())];
        let missing =
            SCHEMA_SRC.replace("action \"metrics.read\" appliesTo { principal: [Person], resource: [System] };", "");
        assert!(matches!(Authz::from_sources(&missing, &files), Err(AuthzError::Schema(_))));
        let retyped = SCHEMA_SRC.replace(
            "action \"devices.allocate\" appliesTo { principal: [Person], resource: [Device] };",
            "action \"devices.allocate\" appliesTo { principal: [Person], resource: [System] };",
        );
        assert!(matches!(Authz::from_sources(&retyped, &files), Err(AuthzError::Schema(_))));
        let extra = SCHEMA_SRC.replace(
            "action \"metrics.read\"",
            "action \"devices.destroy\" appliesTo { principal: [Person], resource: [Device] };\n    action \"metrics.read\"",
        );
        assert!(matches!(Authz::from_sources(&extra, &files), Err(AuthzError::Schema(_))));
    }

    #[test]
    fn from_dir_reports_a_missing_directory_or_policy_files() {
        let missing = Path::new(env!("CARGO_MANIFEST_DIR")).join("no-such-policies");
        assert!(matches!(Authz::from_dir(&missing), Err(AuthzError::Io { .. })));
        let empty = std::env::temp_dir().join(format!("custodian-authz-empty-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&empty);
        let _ = std::fs::write(empty.join(SCHEMA_FILE), SCHEMA_SRC);
        assert!(matches!(Authz::from_dir(&empty), Err(AuthzError::NoPolicies(_))));
        let _ = std::fs::remove_dir_all(&empty);
    }

    /// People drawn from a pool of four so the principal, holder, manager and subject often
    /// coincide.
    fn any_person() -> impl Strategy<Value = Uuid> {
        (1u128..=4).prop_map(Uuid::from_u128)
    }

    fn any_area() -> impl Strategy<Value = Option<String>> {
        prop::option::of(prop_oneof![Just("Operations".to_string()), Just("Custody".to_string())])
    }

    fn any_resource() -> impl Strategy<Value = Resource> {
        let who = || prop::option::of(any_person());
        prop_oneof![
            Just(Resource::System),
            (any_person(), who(), any_area()).prop_map(|(id, line_manager, business_area)| Resource::Person {
                id,
                line_manager,
                business_area
            }),
            (any_person(), who(), who()).prop_map(|(id, holder, holder_line_manager)| Resource::Device {
                id,
                holder,
                holder_line_manager
            }),
            (any_person(), who(), who()).prop_map(|(id, subject, subject_line_manager)| Resource::Finding {
                id,
                subject,
                subject_line_manager
            }),
            (any_person(), who(), who()).prop_map(|(id, subject, dmi)| Resource::MonitoringCase { id, subject, dmi }),
        ]
    }

    fn any_principal(roles: impl Strategy<Value = Vec<Role>>) -> impl Strategy<Value = Principal> {
        (any_person(), roles, any_area()).prop_map(|(id, roles, business_area)| Principal { id, roles, business_area })
    }

    fn any_roles() -> impl Strategy<Value = Vec<Role>> {
        prop::collection::vec(prop::sample::select(Role::ALL.to_vec()), 0..4)
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop::sample::select(Action::ALL.to_vec())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn decide_never_panics_and_evaluates_without_errors(
            p in any_principal(any_roles()), action in any_action(), r in any_resource()
        ) {
            let a = authz_shared();
            let d = a.decide(&p, action, &r);
            prop_assert_eq!(d.allowed, a.is_allowed(&p, action, &r));
            prop_assert_eq!(d.policies.len(), d.clauses.len());
            if action.resource_kind() == r.kind() {
                // The request is well formed, so Cedar answers without evaluation errors and
                // the entities built conform to the schema.
                let response = a.evaluate(&p, action, &r);
                prop_assert!(response.is_some());
                if let Some(response) = response {
                    prop_assert_eq!(response.diagnostics().errors().count(), 0);
                }
                let parts = a.request_parts(&p, &r);
                prop_assert!(parts.is_some());
                let action_uid = a.vocabulary.action(action).cloned();
                if let (Some(parts), Some(action_uid)) = (parts, action_uid) {
                    let request =
                        Request::new(parts.principal, action_uid, parts.resource, Context::empty(), Some(&a.schema));
                    prop_assert!(request.is_ok(), "{:?}", request.as_ref().err());
                    let checked = Entities::from_entities(parts.entities, Some(&a.schema));
                    prop_assert!(checked.is_ok(), "{:?}", checked.as_ref().err());
                    // The whole policy set, with schema-checked request and entities, gives the
                    // same answer and reasons as the per-action subset `decide` evaluates.
                    if let (Ok(request), Ok(entities)) = (request, checked) {
                        let whole = a.authorizer.is_authorized(&request, &a.policies, &entities);
                        prop_assert_eq!(whole.decision() == cedar_policy::Decision::Allow, d.allowed);
                        let mut reasons: Vec<String> = whole.diagnostics().reason().map(ToString::to_string).collect();
                        reasons.sort_unstable();
                        prop_assert_eq!(reasons, d.policies);
                    }
                }
            } else {
                prop_assert!(!d.allowed);
            }
        }

        #[test]
        fn a_person_with_no_roles_never_allocates_reads_the_audit_or_manages_users(
            p in any_principal(Just(Vec::new())), r in any_resource()
        ) {
            let a = authz_shared();
            for action in [Action::DevicesAllocate, Action::AuditRead, Action::UsersManage] {
                prop_assert!(!a.is_allowed(&p, action, &r), "{} {:?} {:?}", action, p, r);
            }
        }
    }

    fn authz_shared() -> &'static Authz {
        static AUTHZ: std::sync::OnceLock<Authz> = std::sync::OnceLock::new();
        AUTHZ.get_or_init(authz)
    }
}
