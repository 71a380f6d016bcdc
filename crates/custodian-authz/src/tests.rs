//! Decisions for every role and relation, the loader's refusals, and properties of `decide`.

use super::*;
use crate::cedar::Vocabulary;
use crate::sources::{EMBEDDED_POLICIES, SCHEMA_SRC, is_wp034_clause};
use cedar_policy::{Context, Entities, Request};
use proptest::prelude::*;
use std::collections::HashSet;
use std::path::Path;
use uuid::Uuid;

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

fn social_account(team_manager: Option<u128>) -> Resource {
    Resource::SocialAccount { id: uid(903), team_manager: team_manager.map(uid) }
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
        ResourceKind::SocialAccount => social_account(Some(10)),
    }
}

#[test]
fn an_at_clause_may_name_the_numbered_clauses_of_wp034_only() {
    for ok in ["1.1", "4.10", "7.3", "10.2"] {
        assert!(is_wp034_clause(ok), "{ok}");
    }
    // Not printed as such: the pack's id for the second 7.3, an item, a section, no clause.
    for bad in ["7.3-2", "6.3b", "4.0", "10.3", "11.1", "", "4.1 "] {
        assert!(!is_wp034_clause(bad), "{bad:?}");
    }
    let numbered = custodian_domain::policy::wp034().clauses.iter().filter(|c| is_wp034_clause(&c.id)).count();
    assert_eq!(numbered, 49);
}

#[test]
fn the_embedded_policies_parse_and_validate_in_strict_mode() {
    let a = authz();
    let texts = a.policy_texts();
    assert!(texts.len() >= 20, "{} policies", texts.len());
    for (id, clause, text) in &texts {
        assert!(is_wp034_clause(clause), "{id}: {clause}");
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
const MATRIX: &[(Action, [bool; 11])] = &[
    //                                ds cc psd dmi vet hod sio rc aud adm dpo
    (Action::DashboardView,         [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::PolicyRead,            [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::MyDevicesView,         [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::PeopleList,            [Y, N, Y,  N,  Y,  Y,  N,  N, N,  Y, N]),
    (Action::PeopleView,            [Y, N, Y,  N,  Y,  Y,  N,  N, N,  Y, N]),
    (Action::PeopleImport,          [Y, N, N,  N,  N,  N,  N,  N, N,  Y, N]),
    (Action::PeopleEdit,            [Y, N, N,  N,  N,  N,  N,  N, N,  Y, N]),
    (Action::DevicesList,           [Y, N, Y,  Y,  N,  N,  N,  N, Y,  N, N]),
    (Action::DevicesView,           [Y, N, Y,  Y,  N,  N,  N,  N, Y,  N, N]),
    (Action::DevicesCreate,         [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::DevicesImport,         [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::DevicesAllocate,       [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::DevicesTransition,     [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::DevicesCorrectAllocation, [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::DevicesConfirmReceipt, [N, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::DevicesReportLoss,     [N, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::FindingsList,          [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::FindingsView,          [Y, N, Y,  N,  N,  N,  N,  N, Y,  N, N]),
    (Action::FindingsReview,        [Y, N, Y,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::FindingsExport,        [Y, N, Y,  N,  N,  N,  N,  N, Y,  N, N]),
    (Action::MonitoringRoundsManage, [N, N, Y,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::MonitoringRoundsView,  [N, N, Y,  Y,  N,  N,  N,  N, Y,  N, N]),
    (Action::MonitoringCasesView,   [N, N, Y,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::MonitoringCasesManage, [N, N, Y,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::MonitoringCasesRespond, [N, N, Y,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::MonitoringCasesCustody, [N, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::ScreeningPackView,     [N, Y, N,  N,  N,  N,  N,  N, Y,  N, N]),
    (Action::ScreeningPackManage,   [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::PolicyManage,          [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::PolicyCampaignsView,   [N, Y, N,  N,  N,  Y,  N,  N, N,  N, N]),
    (Action::PolicyCampaignsStart,  [N, Y, N,  N,  N,  N,  N,  N, N,  Y, N]),
    (Action::PolicyTrainingRecord,  [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::DeclarationsMake,      [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::DeclarationsAssess,    [N, N, Y,  N,  Y,  N,  N,  N, N,  N, N]),
    (Action::DeclarationsCampaign,  [N, N, N,  N,  Y,  N,  N,  N, N,  N, N]),
    (Action::ProfileCheck,          [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::PsdReportsMake,        [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::PsdReportsTriage,      [N, N, Y,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::AuditRead,             [N, N, N,  N,  N,  N,  N,  N, Y,  Y, N]),
    (Action::AuditVerify,           [N, N, N,  N,  N,  N,  N,  N, Y,  Y, N]),
    (Action::UsersManage,           [N, N, N,  N,  N,  N,  N,  N, N,  Y, N]),
    (Action::TokensManage,          [N, N, N,  N,  N,  N,  N,  N, N,  Y, N]),
    (Action::MetricsRead,           [Y, N, N,  N,  N,  N,  N,  N, N,  Y, N]),
    (Action::NotificationsView, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::ApprovalsDecide, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::ApprovalsDelegate, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::ApprovalsOverview, [Y, N, N,  N,  N,  N,  N,  N, N,  Y, N]),
    (Action::AppsCatalogueView, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::AppsCatalogueManage, [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::AppsInventoryImport, [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::AppsUnlistedView, [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::AppsRequest, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::AppsExport, [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::PostsView,             [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::PostsViewAll,          [N, Y, N,  N,  N,  N,  Y,  N, N,  N, N]),
    (Action::PostsDraft,            [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::PostsApproveSio,       [N, N, N,  N,  N,  N,  Y,  N, N,  N, N]),
    (Action::PostsApproveComms,     [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::PostsOverride,         [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::PostsAccounts,         [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::PostsInvestigations,   [N, N, N,  N,  N,  N,  Y,  N, N,  N, N]),
    (Action::PostsIncident,         [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::OverseasRequest,       [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::OverseasWindowsView,   [Y, N, N,  N,  Y,  N,  N,  N, N,  N, N]),
    (Action::OverseasExport,        [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::UsageImport,           [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::UsageOutOfHoursView,   [N, N, N,  N,  N,  Y,  N,  N, N,  N, N]),
    (Action::StreamingExceptionsRecord, [N, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::StreamingExceptionsViewAll, [Y, N, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::PostsViewDrafts,       [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::PostsInvestigationsView, [N, Y, Y,  N,  N,  N,  Y,  N, N,  Y, N]),
    (Action::MonitoringRoundsBundle, [N, N, Y,  N,  N,  N,  N,  N, Y,  N, N]),
    (Action::NotificationsUpdate,   [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::RetentionView,         [Y, N, N,  N,  N,  N,  N,  N, N,  N, Y]),
    (Action::HoldsView,             [N, N, Y,  N,  N,  N,  N,  N, N,  N, Y]),
    (Action::HoldsManage,           [N, N, Y,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::SubjectAccessExport,   [N, N, N,  N,  N,  N,  N,  N, N,  N, Y]),
    (Action::VaultList,             [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::VaultView,             [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::VaultStore,            [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::VaultReveal,           [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::SocialAccountsView,    [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::SocialAccountsViewAll, [N, Y, N,  N,  N,  N,  N,  N, Y,  N, N]),
    (Action::SocialAccountsRequest, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::SocialAccountsTeam,    [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::SocialAccountsManage,  [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::CommentsViewAll,       [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::CommentsAct,           [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
    (Action::CommentsWellbeingList, [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::CommentsWellbeingManage, [N, N, N, N,  N,  N,  N,  N, N,  N, N]),
    (Action::CommentsReferralsView, [N, Y, N,  N,  N,  N,  N,  Y, N,  N, N]),
    (Action::CommentsReferralsDecide, [N, N, N, N,  N,  N,  N,  Y, N,  N, N]),
    (Action::CommentsReplies,       [Y, Y, Y,  Y,  Y,  Y,  Y,  Y, Y,  Y, Y]),
    (Action::CommentsRota,          [N, Y, N,  N,  N,  N,  N,  N, N,  N, N]),
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
            assert!(d.clauses.iter().all(|c| is_wp034_clause(c)), "{d:?}");
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
        Action::SocialAccountsView,
        Action::SocialAccountsRequest,
        Action::SocialAccountsTeam,
        Action::DeclarationsMake,
        Action::ProfileCheck,
        Action::PsdReportsMake,
        Action::CommentsWellbeingList,
        Action::CommentsReplies,
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
fn the_vault_reveals_to_corporate_communications_and_the_accounts_own_team_manager_only() {
    let a = authz();
    let manager = person(1, &[]);
    let other_manager = person(2, &[Role::HeadOfDepartment]);
    let comms = person(3, &[Role::CorporateComms]);
    let own = social_account(Some(1));
    let theirs = social_account(Some(2));
    assert!(a.is_allowed(&manager, Action::VaultReveal, &own));
    assert!(a.is_allowed(&manager, Action::VaultView, &own));
    assert_eq!(a.decide(&manager, Action::VaultReveal, &own).clauses, vec!["6.7".to_string()]);
    assert!(!a.is_allowed(&manager, Action::VaultStore, &own), "only Corporate Communications store");
    assert!(!a.is_allowed(&manager, Action::VaultReveal, &theirs));
    assert!(!a.is_allowed(&manager, Action::VaultReveal, &social_account(None)));
    assert!(!a.is_allowed(&other_manager, Action::VaultReveal, &own));
    assert!(!a.is_allowed(&manager, Action::VaultList, &Resource::System));
    for action in [Action::VaultView, Action::VaultStore, Action::VaultReveal] {
        assert!(a.is_allowed(&comms, action, &theirs));
        assert!(a.is_allowed(&comms, action, &social_account(None)));
    }
    assert_eq!(a.decide(&comms, Action::VaultReveal, &own).clauses, vec!["6.6".to_string()]);
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
fn wellbeing_cases_go_to_the_persons_line_manager_only() {
    let a = authz();
    let laura = person_record(1, Some(3), Some("Response Policing North"));
    let manager = person(3, &[]);
    let d = a.decide(&manager, Action::CommentsWellbeingManage, &laura);
    assert!(d.allowed);
    assert_eq!(d.policies, vec!["comments.line-manager-wellbeing".to_string()]);
    assert_eq!(d.clauses, vec!["8.2".to_string()]);
    // Not the person themself, not another manager, not Corporate Communications or the
    // Resolution Centre.
    assert!(!a.is_allowed(&person(1, &[]), Action::CommentsWellbeingManage, &laura));
    assert!(!a.is_allowed(&person(4, &[]), Action::CommentsWellbeingManage, &laura));
    assert!(!a.is_allowed(&person(5, &[Role::CorporateComms]), Action::CommentsWellbeingManage, &laura));
    assert!(!a.is_allowed(&person(6, &[Role::ResolutionCentre]), Action::CommentsWellbeingManage, &laura));
    // The Resolution Centre sees referrals only, not the comments themselves.
    let rc = person(6, &[Role::ResolutionCentre]);
    assert!(a.is_allowed(&rc, Action::CommentsReferralsDecide, &Resource::System));
    assert!(!a.is_allowed(&rc, Action::CommentsViewAll, &Resource::System));
    assert!(!a.is_allowed(&rc, Action::CommentsAct, &Resource::System));
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
        social_account(Some(1)),
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
        (any_person(), who()).prop_map(|(id, team_manager)| Resource::SocialAccount { id, team_manager }),
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
