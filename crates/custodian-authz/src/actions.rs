//! The actions catalogue: everything Custodian asks permission for, one table row per action
//! (its Rust name, its Cedar action id and the kind of resource it is about).
//!
//! Adding a permission means one row in the `actions!` table below, the action in
//! `policies/custodian.cedarschema` and the policies that permit it (the loader refuses a schema
//! that declares other actions than this table).

custodian_domain::str_enum! {
    bare:
    /// The kind of thing an action is about; each [`Action`] applies to exactly one.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
    pub enum ResourceKind {
        /// Custodian as a whole (lists, imports, administration).
        System = "System",
        /// One person's record.
        Person = "Person",
        /// One device.
        Device = "Device",
        /// One finding.
        Finding = "Finding",
        /// One selected person's lawful business monitoring case.
        MonitoringCase = "MonitoringCase",
        /// One departmental social media account (its credentials in the vault).
        SocialAccount = "SocialAccount",
    }
}

/// Declares [`Action`] from its table: each row is `Variant = "cedar.id", ResourceKind;` with
/// its documentation. The order of the rows is the order of the schema and of [`Action::ALL`].
macro_rules! actions {
    ($($(#[doc = $doc:literal])* $variant:ident = $name:literal, $kind:ident;)*) => {
        /// Everything Custodian asks permission for. The names are the Cedar action ids.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[doc = $doc])* $variant,)*
        }

        impl Action {
            /// Every action, in the order of the schema.
            pub const ALL: &'static [Action] = &[$(Self::$variant,)*];

            /// The action's name, as in the schema and policies, e.g. `"devices.allocate"`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $name,)*
                }
            }

            /// The action's description, from its row's documentation ("List devices."), for
            /// telling a person in words what they may not do.
            pub fn description(self) -> &'static str {
                match self {
                    $(Self::$variant => concat!($($doc, " ",)*).trim_ascii(),)*
                }
            }

            /// The kind of resource this action is about. Asking about another kind is denied.
            pub fn resource_kind(self) -> ResourceKind {
                match self {
                    $(Self::$variant => ResourceKind::$kind,)*
                }
            }
        }
    };
}

actions! {
    /// See the dashboard.
    DashboardView = "dashboard.view", System;
    /// Read WP034 and Custodian's permission policies.
    PolicyRead = "policy.read", System;
    /// See the devices allocated to oneself.
    MyDevicesView = "my_devices.view", System;
    /// List people.
    PeopleList = "people.list", System;
    /// See one person's record.
    PeopleView = "people.view", Person;
    /// Import people from a CSV file.
    PeopleImport = "people.import", System;
    /// Change one person's record.
    PeopleEdit = "people.edit", Person;
    /// List devices.
    DevicesList = "devices.list", System;
    /// See one device.
    DevicesView = "devices.view", Device;
    /// Add a device.
    DevicesCreate = "devices.create", System;
    /// Import devices from a CSV file.
    DevicesImport = "devices.import", System;
    /// Allocate a device to a person.
    DevicesAllocate = "devices.allocate", Device;
    /// Move a device through its life cycle (returned, repaired, wiped, disposed of...).
    DevicesTransition = "devices.transition", Device;
    /// Correct the start or end of a device's allocation, with a reason (WP034 4.1).
    DevicesCorrectAllocation = "devices.correct_allocation", Device;
    /// Confirm receipt of a device allocated to oneself.
    DevicesConfirmReceipt = "devices.confirm_receipt", Device;
    /// Report a device allocated to oneself lost or stolen.
    DevicesReportLoss = "devices.report_loss", Device;
    /// List findings (each row is then checked with [`Action::FindingsView`]).
    FindingsList = "findings.list", System;
    /// See one finding.
    FindingsView = "findings.view", Finding;
    /// Review (judge) one finding.
    FindingsReview = "findings.review", Finding;
    /// Export findings.
    FindingsExport = "findings.export", System;
    /// Create monitoring rounds, record exclusions and make the draw.
    MonitoringRoundsManage = "monitoring.rounds.manage", System;
    /// See monitoring rounds, their draws and verification bundles.
    MonitoringRoundsView = "monitoring.rounds.view", System;
    /// See one monitoring case and its custody record.
    MonitoringCasesView = "monitoring.cases.view", MonitoringCase;
    /// Propose slots, assign the DMI, issue the notice, withdraw a case.
    MonitoringCasesManage = "monitoring.cases.manage", MonitoringCase;
    /// Answer on availability: accept, defer or decline the slot.
    MonitoringCasesRespond = "monitoring.cases.respond", MonitoringCase;
    /// Custody steps: receive, download, examine and return the devices.
    MonitoringCasesCustody = "monitoring.cases.custody", MonitoringCase;
    /// See the screening pack in force and its history of versions.
    ScreeningPackView = "screening.pack.view", System;
    /// Check and put into effect a new version of the screening pack.
    ScreeningPackManage = "screening.pack.manage", System;
    /// Draft, change, send to consultation and adopt a new version of the policy.
    PolicyManage = "policy.manage", System;
    /// See how far each business area has acknowledged the policy (campaign completion).
    PolicyCampaignsView = "policy.campaigns.view", System;
    /// Start an acknowledgement campaign on the version in force, for everyone or chosen business areas or roles.
    PolicyCampaignsStart = "policy.campaigns.start", System;
    /// Record who attended the policy's training sessions (upload an attendance file).
    PolicyTrainingRecord = "policy.training.record", System;
    /// Declare one's own online associations (or that there is nothing to declare) and see one's own declarations.
    DeclarationsMake = "declarations.make", System;
    /// Assess declarations of notifiable associations (the Force Vetting Unit; Professional Standards for the categories that need them).
    DeclarationsAssess = "declarations.assess", System;
    /// Start the annual re-declaration of notifiable associations.
    DeclarationsCampaign = "declarations.campaign", System;
    /// Check the text of one's own public profile or a draft personal post against 7.1 and 7.2 (advice for oneself only).
    ProfileCheck = "profile.check", System;
    /// Report inappropriate social media activity to Professional Standards and see one's own reports.
    PsdReportsMake = "psd_reports.make", System;
    /// See and triage the reports made to Professional Standards.
    PsdReportsTriage = "psd_reports.triage", System;
    /// Read the audit trail.
    AuditRead = "audit.read", System;
    /// Verify the audit trail's integrity.
    AuditVerify = "audit.verify", System;
    /// Manage user accounts and their roles.
    UsersManage = "users.manage", System;
    /// Issue and revoke API tokens.
    TokensManage = "tokens.manage", System;
    /// Read service metrics.
    MetricsRead = "metrics.read", System;
    /// See and mark read one's own in-app notifications.
    NotificationsView = "notifications.view", System;
    /// Decide approval steps (the chain names who decides each step; this permits asking).
    ApprovalsDecide = "approvals.decide", System;
    /// Name a deputy to decide one's approval steps during an absence.
    ApprovalsDelegate = "approvals.delegate", System;
    /// See every pending approval step past its service level.
    ApprovalsOverview = "approvals.overview", System;
    /// See the approved apps catalogue.
    AppsCatalogueView = "apps.catalogue.view", System;
    /// Keep the app catalogue and its grants.
    AppsCatalogueManage = "apps.catalogue.manage", System;
    /// Import app inventories from the MDM.
    AppsInventoryImport = "apps.inventory.import", System;
    /// See the unlisted apps seen on devices.
    AppsUnlistedView = "apps.unlisted.view", System;
    /// Request an unlisted app, and follow or withdraw one's requests.
    AppsRequest = "apps.request", System;
    /// Export the approved apps per role for the MDM.
    AppsExport = "apps.export", System;
    /// See posts one wrote or that are for one's team's accounts.
    PostsView = "posts.view", System;
    /// See every post (the approvers).
    PostsViewAll = "posts.view_all", System;
    /// Draft, edit and submit posts.
    PostsDraft = "posts.draft", System;
    /// Approve a post that gives investigation details, as the SIO.
    PostsApproveSio = "posts.approve_sio", System;
    /// Approve a post for Corporate Communications.
    PostsApproveComms = "posts.approve_comms", System;
    /// Override a post's screening warnings, with a reason (never a block).
    PostsOverride = "posts.override", System;
    /// Set up the force's social media accounts.
    PostsAccounts = "posts.accounts", System;
    /// Record the SIO of an operation or crime reference.
    PostsInvestigations = "posts.investigations", System;
    /// Declare and end a major incident.
    PostsIncident = "posts.incident", System;
    /// Request overseas use of one's devices, follow and withdraw one's requests.
    OverseasRequest = "overseas.request", System;
    /// See every overseas-use window.
    OverseasWindowsView = "overseas.windows.view", System;
    /// Export the approved overseas-use windows for the MDM.
    OverseasExport = "overseas.export", System;
    /// Import carrier and web gateway usage files and see the import history.
    UsageImport = "usage.import", System;
    /// See, per team and month, the share of managers' calls and messages to their reports outside working hours (aggregates only).
    UsageOutOfHoursView = "usage.out_of_hours.view", System;
    /// Record a policing-purpose streaming exception for a person (as its approver).
    StreamingExceptionsRecord = "usage.streaming_exceptions.record", Person;
    /// See every streaming exception.
    StreamingExceptionsViewAll = "usage.streaming_exceptions.view_all", System;
    /// See unsubmitted drafts of other people's posts (Corporate Communications).
    PostsViewDrafts = "posts.view_drafts", System;
    /// Read which SIO is recorded for each operation or crime reference.
    PostsInvestigationsView = "posts.investigations.view", System;
    /// See a drawn round's verification bundle (everyone selected and in reserve) and its
    /// exclusions.
    MonitoringRoundsBundle = "monitoring.rounds.bundle", System;
    /// Mark one's own notifications read (a change: a read-only token may not).
    NotificationsUpdate = "notifications.update", System;
    /// See the retention schedule and how many records of each type are held and due.
    RetentionView = "data_protection.retention.view", System;
    /// See the legal holds.
    HoldsView = "data_protection.holds.view", System;
    /// Place and release legal holds.
    HoldsManage = "data_protection.holds.manage", System;
    /// Export everything held about one person (subject access).
    SubjectAccessExport = "data_protection.subject_access", System;
    /// See every social media account's credential status in the vault (stored, due for rotation).
    VaultList = "vault.list", System;
    /// See which log-in details are stored for an account (never their values).
    VaultView = "vault.view", SocialAccount;
    /// Store or replace an account's log-in details in the vault.
    VaultStore = "vault.store", SocialAccount;
    /// Reveal one of an account's stored log-in details, giving a reason (audited).
    VaultReveal = "vault.reveal", SocialAccount;
    /// See the social media accounts one manages, is authorised to use or whose team runs them.
    SocialAccountsView = "social_accounts.view", System;
    /// See every social media account in the register, with its authorised users and tasks.
    SocialAccountsViewAll = "social_accounts.view_all", System;
    /// Request a new departmental social media account.
    SocialAccountsRequest = "social_accounts.request", System;
    /// Act as an account's team manager: its authorised users, re-certification, profile, posts
    /// and closing (the server checks that the person is the account's team manager).
    SocialAccountsTeam = "social_accounts.team", System;
    /// Manage any social media account: set-up, authorised users, profile, closing, log-in
    /// rotation tasks and the import (Corporate Communications).
    SocialAccountsManage = "social_accounts.manage", System;
    /// See every public comment on the force's channels with its labels and evidence pack
    /// (Corporate Communications).
    CommentsViewAll = "comments.view_all", System;
    /// Act on a public comment: keep its evidence, record advice and action (Corporate
    /// Communications).
    CommentsAct = "comments.act", System;
    /// See the wellbeing cases opened for the people one line-manages (the server lists only
    /// those).
    CommentsWellbeingList = "comments.wellbeing.list", System;
    /// Open, record the support given on and close a wellbeing case about one person: their line
    /// manager only.
    CommentsWellbeingManage = "comments.wellbeing.manage", Person;
    /// See the Resolution Centre referrals of public comments, their evidence packs and the
    /// counts per strand.
    CommentsReferralsView = "comments.referrals.view", System;
    /// Record the outcome of a Resolution Centre referral (crime recorded, no crime, advice).
    CommentsReferralsDecide = "comments.referrals.decide", System;
    /// Work the reply queues of the accounts one manages or is authorised to use: see them and
    /// mark replies sent (the server checks the account).
    CommentsReplies = "comments.replies", System;
    /// Keep Corporate Communications' out-of-hours rota and see who is on call.
    CommentsRota = "comments.rota", System;
}

impl Action {
    /// The action with this name, if there is one.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|a| a.as_str() == s)
    }

    /// The position of this action in [`Action::ALL`].
    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Action {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
