//! The screening engine end to end: one test per category with its look-alikes, the labelled
//! corpus of realistic drafts scored per category, and properties that hold for any text.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::LazyLock;

use custodian_screening::review::{LabelledDraft, score};
use custodian_screening::{Approver, Category, Engine, Pack, PackError, Screening, Verdict};
use proptest::prelude::*;

static ENGINE: LazyLock<Engine> = LazyLock::new(|| Engine::builtin().expect("the built-in pack compiles"));

fn screen(text: &str) -> Screening {
    ENGINE.screen(text)
}

/// The (category, match) pairs found in `text`.
fn found(text: &str) -> Vec<(String, String)> {
    screen(text).findings.into_iter().map(|f| (f.category.as_str().to_string(), f.matched)).collect()
}

fn has(text: &str, category: &str, matched: &str) -> bool {
    found(text).iter().any(|(c, m)| c == category && m == matched)
}

fn none_of(text: &str, category: &str) -> bool {
    !found(text).iter().any(|(c, _)| c == category)
}

/// Labelled drafts, one JSON object a line.
fn load(text: &str) -> Vec<LabelledDraft> {
    text.lines().filter(|l| !l.trim().is_empty()).map(|l| serde_json::from_str(l).expect("a labelled draft")).collect()
}

fn spans_point_at_their_text(drafts: &[LabelledDraft]) {
    for d in drafts {
        for s in &d.spans {
            assert_eq!(&d.text[s.start..s.end], s.matched, "{}", d.id);
        }
    }
}

/// The categories held to 0.95 precision and recall: every category Presidio also detects, and
/// marking, investigation.reference and covert (the goals).
const GOALS: [&str; 11] = [
    "marking",
    "investigation.reference",
    "covert",
    "personal.phone",
    "personal.email",
    "personal.postcode",
    "personal.nino",
    "personal.nhs",
    "personal.vehicle",
    "personal.card",
    "personal.bank",
];

/// Score `drafts`, print the table and the misses, and hold every category in `goals` to 0.95
/// precision and recall and every other to a floor of 0.75 that catches regressions. A finding
/// counts when it overlaps a labelled span of the same category; a labelled span counts as found
/// when any finding of its category overlaps it.
fn meets_goals(name: &str, drafts: &[LabelledDraft], goals: &[&str]) {
    let (scores, misses) = score(&ENGINE, drafts);
    println!("{name}: {:<26} {:>5} {:>5} {:>9} {:>7}", "category", "gold", "found", "precision", "recall");
    for (c, s) in &scores {
        println!("{name}: {c:<26} {:>5} {:>5} {:>9.3} {:>7.3}", s.gold, s.predicted, s.precision(), s.recall());
    }
    for m in &misses {
        let what = if m.missed { "missed" } else { "unexpected" };
        println!("{name}: {}: {what} {} {:?}", m.draft, m.category, m.matched);
    }
    for (c, s) in &scores {
        let floor = if goals.contains(c) { 0.95 } else { 0.75 };
        assert!(
            s.precision() >= floor && s.recall() >= floor,
            "{name} {c}: precision {:.3}, recall {:.3} below {floor}",
            s.precision(),
            s.recall()
        );
    }
}

mod categories {
    use super::*;

    #[test]
    fn markings_are_found_even_when_disguised_but_ordinary_words_are_not() {
        assert!(has("OFFICIAL-SENSITIVE: PERSONAL\nnotes follow", "marking", "OFFICIAL-SENSITIVE: PERSONAL"));
        assert!(has("0FFICIAL-SENSITIVE plan", "marking", "0FFICIAL-SENSITIVE"));
        assert!(has("the S E C R E T plan", "marking", "S E C R E T"));
        assert!(has("marked S\u{0415}CRET", "marking", "S\u{0415}CRET"));
        assert!(has("RESTRICTED\nroad plan", "marking", "RESTRICTED"));
        assert!(none_of("Secret Santa raised £400", "marking"));
        assert!(none_of("Calls are confidential.", "marking"));
        assert!(none_of("ROAD RESTRICTED TO ONE LANE ON THE A452 UNTIL FURTHER NOTICE", "marking"));
    }

    #[test]
    fn phone_numbers_are_validated_and_public_numbers_allowed() {
        assert!(has("call me on 07824 556781", "personal.phone", "07824 556781"));
        assert!(has("tel +44 (0)1926 415000", "personal.phone", "+44 (0)1926 415000"));
        assert!(none_of("Call 101, 999, 111 or Crimestoppers on 0800 555 111", "personal.phone"));
        assert!(none_of("Call 0300 123 2040 for Action Fraud", "personal.phone"));
        assert!(none_of("ticket 0123 4", "personal.phone"));
    }

    #[test]
    fn emails_are_found_except_the_forces_own() {
        assert!(has("mail jo.bloggs@gmail.com now", "personal.email", "jo.bloggs@gmail.com"));
        assert!(none_of("mail rugby.snt@warwickshire.police.uk", "personal.email"));
    }

    #[test]
    fn full_postcodes_are_found_but_outward_codes_alone_are_not() {
        assert!(has("lives at CV34 6RD", "personal.postcode", "CV34 6RD"));
        assert!(none_of("a car registered in CV34", "personal.postcode"));
        assert!(none_of("CV34 4AC is not a postcode", "personal.postcode"));
    }

    #[test]
    fn national_insurance_numbers_follow_hmrc_rules() {
        assert!(has("NI number JG 10 37 65 A", "personal.nino", "JG 10 37 65 A"));
        assert!(none_of("specimen QQ 12 34 56 C", "personal.nino"));
    }

    #[test]
    fn nhs_numbers_need_the_check_digit_or_their_label() {
        assert!(has("NHS number 943 476 5919", "personal.nhs", "943 476 5919"));
        // A mistyped number after its label is still a patient's.
        assert!(has("NHS number 943 476 5918", "personal.nhs", "943 476 5918"));
        assert!(none_of("order 943 476 5918 was dispatched", "personal.nhs"));
    }

    #[test]
    fn vehicle_registrations_are_found_but_road_numbers_are_not() {
        assert!(has("a silver Ford, registration WK19 XLM", "personal.vehicle", "WK19 XLM"));
        assert!(has("the car, reg R457 KDF, was seized", "personal.vehicle", "R457 KDF"));
        assert!(none_of("A46 NOW CLOSED AFTER A CAR CRASH", "personal.vehicle"));
        assert!(none_of("The M40, A46, A4177 and B4100 are busy with car traffic", "personal.vehicle"));
    }

    #[test]
    fn dates_are_dates_of_birth_only_in_a_birth_context() {
        assert!(has("date of birth 14/02/1988", "personal.dob", "14/02/1988"));
        assert!(none_of("the meeting on 14/02/1988 was cancelled", "personal.dob"));
    }

    #[test]
    fn names_of_the_public_are_found_but_not_officers_or_sentenced_defendants() {
        assert!(has("The victim, Daniel Hughes, 42, was assaulted", "personal.name", "Daniel Hughes"));
        assert!(none_of("Congratulations to DC Priya Sharma on her award", "personal.name"));
        assert!(none_of("Liam Price, 31, of Hillmorton, was sentenced to three years", "personal.name"));
    }

    #[test]
    fn house_numbers_with_streets_are_addresses_but_streets_alone_are_not() {
        assert!(has("stolen from outside 14 Mill Lane, Alcester", "personal.address", "14 Mill Lane"));
        assert!(none_of("Warwick Road will be closed on Sunday", "personal.address"));
    }

    #[test]
    fn bank_details_need_a_valid_iban_or_account_context() {
        assert!(has("pay GB82 WEST 1234 5698 7654 32", "personal.bank", "GB82 WEST 1234 5698 7654 32"));
        assert!(has("sort code 20-45-77", "personal.bank", "20-45-77"));
        assert!(none_of("open 12-03-24 to 19-03-24", "personal.bank"));
    }

    #[test]
    fn card_numbers_pass_luhn_and_an_imei_is_not_a_card() {
        assert!(has("card 4111 1111 1111 1111 used", "personal.card", "4111 1111 1111 1111"));
        assert!(none_of("IMEI 356938035643809", "personal.card"));
    }

    #[test]
    fn investigation_references_route_to_the_sio() {
        let s = screen("Call 101 quoting incident 123 of 12 March or 23/123456/24 or CR1234567.");
        assert_eq!(s.verdict, Verdict::NeedsApproval);
        assert_eq!(s.approver, Some(Approver::Sio));
        let refs: Vec<_> = s
            .findings
            .iter()
            .filter(|f| f.category == Category::InvestigationReference)
            .map(|f| f.matched.as_str())
            .collect();
        assert_eq!(refs, ["incident 123 of 12 March", "23/123456/24", "CR1234567"]);
        assert!(none_of("Scores 3/10, dates 12/03/24, open 24/7", "investigation.reference"));
    }

    #[test]
    fn operations_need_an_investigative_context_and_campaigns_are_allowed() {
        assert!(has("Operation Falcon: two men arrested", "investigation.operation", "Operation Falcon"));
        assert!(none_of("Operation Sceptre: knives were handed in and two men arrested", "investigation.operation"));
        assert!(none_of("Pack a shoebox for Operation Christmas Child", "investigation.operation"));
    }

    #[test]
    fn suspect_details_route_to_the_sio_but_suspicious_activity_advice_does_not() {
        assert!(has(
            "A man has been arrested on suspicion of theft",
            "investigation.suspect",
            "has been arrested on suspicion of"
        ));
        assert!(none_of("If you suspect fraud, report suspicious activity", "investigation.suspect"));
    }

    #[test]
    fn covert_tactics_are_blocked_but_under_cover_of_darkness_is_not() {
        assert_eq!(screen("Our informant told us where to look").verdict, Verdict::Block);
        assert!(none_of("Thieves came under cover of darkness; overt patrols continue", "covert"));
    }

    #[test]
    fn prejudging_a_pending_case_is_a_justice_finding_until_a_plea_or_verdict() {
        assert!(has("He has been charged and will appear in court. The thug must pay.", "justice", "thug"));
        assert!(none_of("He pleaded guilty and was jailed. The thug got four years.", "justice"));
        assert!(none_of("She has pleaded not guilty and awaits trial.", "justice"));
    }

    #[test]
    fn a_phrase_that_introduces_someone_names_them_whatever_their_given_name() {
        // Given names not in the pack's list, introduced the way posts introduce people.
        assert!(has("The man who died has been named as Tomasz Wisniewski.", "personal.name", "Tomasz Wisniewski"));
        assert!(has("Her neighbour, Imran Qureshi, chased them off.", "personal.name", "Imran Qureshi"));
        assert!(has("Have you seen Precious Adeyemi? Call 999.", "personal.name", "Precious Adeyemi"));
        assert!(has("Family of Eilidh MacLeod have paid tribute to her.", "personal.name", "Eilidh MacLeod"));
        // One capitalised word after an introducer is not enough, nor are places or officers.
        assert!(none_of("Have you seen Bartholomew? He is our new police dog.", "personal.name"));
        assert!(none_of("Thanks to Rugby Borough Council for the new lighting.", "personal.name"));
        assert!(none_of("Have you seen Inspector Deborah Clarke's talk?", "personal.name"));
        // A court verb straight before the name marks a defendant in a published result.
        assert!(none_of("Sentencing Ms Hollingsworth, the judge said the attack was unprovoked.", "personal.name"));
        assert!(has("He was jailed for attacking Ms Hollingsworth in her home.", "personal.name", "Hollingsworth"));
    }

    #[test]
    fn a_child_introduced_by_age_in_proceedings_is_a_justice_finding() {
        let s = screen("A 15-year-old girl, Jodie Brennan, was in court yesterday charged with arson.");
        assert!(s.findings.iter().any(|f| f.category == Category::Justice && f.matched == "Jodie Brennan"), "{s:?}");
        let adult = screen("A 35-year-old woman, Jodie Brennan, was in court yesterday charged with arson.");
        assert!(!adult.findings.iter().any(|f| f.category == Category::Justice), "{adult:?}");
    }

    #[test]
    fn naming_a_sexual_offence_complainant_is_blocked() {
        let s = screen("A man has been charged with rape. The victim, Emma Lawson, is being supported.");
        assert!(s.findings.iter().any(|f| f.category == Category::Justice && f.matched == "Emma Lawson"));
        assert_eq!(s.verdict, Verdict::Block);
    }

    #[test]
    fn abuse_is_found_through_look_alike_digits_but_not_inside_place_names() {
        assert!(has("another 5cumbag nicking parcels", "abuse", "5cumbag"));
        assert!(none_of("Great day at Scunthorpe", "abuse"));
    }

    #[test]
    fn direct_message_channels_are_flagged_unless_negated_or_about_scams() {
        assert!(has("Seen something? DM us", "channel", "DM us"));
        assert!(none_of("Please don't DM us to report crime", "channel"));
        assert!(none_of("Fraudsters contact victims via WhatsApp; be careful", "channel"));
        assert!(has("Text us on WhatsApp if you see anything", "channel", "on WhatsApp"));
        assert!(has("Know who did it? Pop us a DM.", "channel", "Pop us a DM"));
        assert!(has("Message us privately on Instagram with footage", "channel", "Message us privately on Instagram"));
        assert!(none_of("Follow us on Instagram for updates", "channel"));
        assert!(none_of("Never message us privately with crime reports: call 101", "channel"));
    }

    #[test]
    fn third_party_material_needs_a_rights_check_but_our_own_does_not() {
        assert!(has("Photo: Getty Images", "copyright", "Getty Images"));
        assert!(none_of("Image © Warwickshire Police", "copyright"));
    }

    #[test]
    fn swearing_and_politics_are_disrepute() {
        assert!(has("Who the f*** drives like this", "disrepute", "f***"));
        assert!(has("Vote Labour on Thursday", "disrepute", "Vote Labour"));
        assert!(none_of("Cockermouth and Penistone are lovely", "disrepute"));
    }

    #[test]
    fn a_clear_draft_has_no_findings_and_no_approver() {
        let s = screen("Lock your car and keep valuables out of sight.");
        assert_eq!(s.verdict, Verdict::Clear);
        assert_eq!(s.approver, None);
        assert!(s.findings.is_empty());
    }

    #[test]
    fn offsets_are_into_the_original_text_after_multibyte_characters() {
        let text = "Café ☕ update: call 07824 556781";
        let s = screen(text);
        let f = s.findings.iter().find(|f| f.category == Category::PersonalPhone).expect("phone");
        assert_eq!(&text[f.start..f.end], "07824 556781");
    }
}

mod pack {
    use super::*;

    #[test]
    fn a_pack_whose_saved_examples_fail_is_refused() {
        let text = Pack::builtin_text().replacen("\"sceptre\", ", "", 1);
        let mut pack = Pack::from_toml(&text).unwrap();
        pack.examples.push(custodian_screening::pack::Example {
            text: "Operation Sceptre: two men were arrested with knives.".into(),
            expect: vec![],
        });
        assert!(matches!(Engine::from_pack(&pack), Err(PackError::Example { .. })));
    }

    #[test]
    fn a_rule_citing_a_clause_outside_section_six_is_refused() {
        let mut pack = Pack::builtin().unwrap();
        pack.rules[0].clause = "4.8".into();
        assert!(matches!(Engine::from_pack(&pack), Err(PackError::Rule { .. })));
    }

    #[test]
    fn a_pattern_that_does_not_compile_names_its_rule() {
        let mut pack = Pack::builtin().unwrap();
        pack.rules[0].pattern = Some("(unclosed".into());
        let err = Engine::from_pack(&pack).unwrap_err().to_string();
        assert!(err.contains(&pack.rules[0].id), "{err}");
    }

    /// A sentence no rule names, found by the pack's sentence model (6.3d).
    /// ("There will be a team waiting on the estate tonight", the sentence this test used until
    /// pack 2026.12.11, is now a rule's: covert.deployed-when.)
    const WAITING: &str = "A few of us will be waiting in the bushes by the allotments until the thieves come back.";

    #[test]
    fn the_sentence_model_finds_what_no_rule_names_and_says_why() {
        let s = screen(WAITING);
        assert_eq!(s.verdict, Verdict::Block);
        let f = s.findings.iter().find(|f| f.category == Category::Covert).expect("a covert finding");
        assert_eq!(f.clause, "6.3d");
        assert_eq!(f.matched, WAITING, "the whole sentence");
        assert!(f.explanation.contains("statistical model 2026.12.12, score 0."), "{}", f.explanation);
        assert!(f.explanation.contains("the words that weighed most: \""), "{}", f.explanation);
        assert!(f.explanation.starts_with("WP034 6.3d"), "{}", f.explanation);
        // A sentence the rules found is not scored again: one finding, the rule's.
        let ruled = screen("Officers dressed as cyclists will be riding the canal towpath on Friday night.");
        assert_eq!(ruled.findings.iter().filter(|f| f.category == Category::Covert).count(), 1);
        assert!(!ruled.findings.iter().any(|f| f.explanation.contains("statistical model")));
        assert_eq!(ENGINE.model_version().map(|(v, _)| v), Some("2026.12.12"));
    }

    /// A pack stored before a retrain: it names the previous model file's version and SHA-256,
    /// which this build no longer ships.
    fn pinned_to_an_older_model() -> String {
        custodian_textmodel::train::repin(Pack::builtin_text(), "2026.12.1", &"ab".repeat(32)).unwrap()
    }

    #[test]
    fn a_stored_pack_pinned_to_an_older_model_still_loads_with_the_shipped_model_and_says_so() {
        let pack = Pack::from_toml(&pinned_to_an_older_model()).unwrap();
        let engine = Engine::from_pack(&pack).expect("a stored pack never stops screening");
        let w = engine.warnings().join("\n");
        assert!(w.contains(&"ab".repeat(32)) && w.contains("2026.12.1"), "{w}");
        assert!(w.contains(&custodian_screening::sha256_hex(Pack::builtin_model_text())), "{w}");
        assert!(w.contains("version 2026.12.12") && w.contains("no longer ships"), "{w}");
        // Scored with the shipped model, and the finding names it.
        assert_eq!(engine.model_version(), ENGINE.model_version());
        assert_eq!(engine.screen(WAITING), ENGINE.screen(WAITING));
        assert!(ENGINE.warnings().is_empty(), "the built-in pack names its own model");

        // Its saved examples were written for the other model: one that fails with the shipped
        // model is a warning beside the pack, not a refusal.
        let mut failing = pack.clone();
        failing.examples[0].expect = vec!["copyright".into()];
        let engine = Engine::from_pack(&failing).expect("a failing example of a stand-in model is a warning");
        assert!(
            engine.warnings().iter().any(|w| w.starts_with("with the shipped model, example 0")),
            "{:?}",
            engine.warnings()
        );
        // The same example fails a pack that names the shipped model: refused, as before.
        let mut own = Pack::builtin().unwrap();
        own.examples[0].expect = vec!["copyright".into()];
        assert!(matches!(Engine::from_pack(&own), Err(PackError::Example { index: 0, .. })));
        // Only the compiled-in model stands in: a file handed in with the pack must be the one it names.
        let handed = pack.with_model_text(Pack::builtin_model_text().replacen("threshold\t", "threshold\t0", 1));
        assert!(matches!(Engine::from_pack(&handed), Err(PackError::Model(m)) if m.contains("SHA-256")));
    }

    #[test]
    fn without_its_model_the_pack_screens_by_the_rules_alone() {
        let mut pack = Pack::builtin().unwrap();
        pack.model = None;
        pack.examples.retain(|e| e.text != WAITING);
        let engine = Engine::from_pack(&pack).unwrap();
        assert!(engine.model_version().is_none());
        assert_eq!(engine.screen(WAITING).verdict, Verdict::Clear);
    }

    #[test]
    fn a_model_file_that_is_not_the_one_the_pack_names_is_refused() {
        let pack = Pack::builtin().unwrap();
        let text = Pack::builtin_model_text().replacen("threshold\t", "threshold\t0", 1);
        let err = Engine::from_pack(&pack.clone().with_model_text(text)).unwrap_err();
        assert!(matches!(&err, PackError::Model(m) if m.contains("SHA-256")), "{err}");
        let mut unread = pack.clone();
        unread.model_text = None;
        assert!(matches!(Engine::from_pack(&unread), Err(PackError::Model(_))));
        let mut wrong = pack;
        wrong.model.as_mut().unwrap().clause = "4.8".into();
        assert!(matches!(Engine::from_pack(&wrong), Err(PackError::Model(_))));
    }

    #[test]
    fn an_edited_allowlist_takes_effect() {
        let mut pack = Pack::builtin().unwrap();
        pack.allowlist.phones.push("01926 415000".into());
        let engine = Engine::from_pack(&pack).unwrap();
        assert_eq!(engine.screen("Call the front desk on 01926 415000").verdict, Verdict::Clear);
    }
}

mod corpus {
    use custodian_screening::review::corpus;

    use super::*;

    #[test]
    fn the_corpus_spans_point_at_their_text() {
        spans_point_at_their_text(corpus());
        for d in corpus() {
            for s in &d.spans {
                assert!(Category::parse(&s.category).is_some(), "{}: {}", d.id, s.category);
            }
        }
    }

    #[test]
    fn every_category_meets_its_precision_and_recall_goal_on_the_corpus() {
        meets_goals("corpus", corpus(), &GOALS);
    }
}

/// The general rules of pack 2026.12.3 (issue 17), one class of miss or false alarm each.
mod general_rules {
    use super::*;

    #[test]
    fn a_small_letter_postcode_by_a_home_meets_the_threshold_exactly() {
        // 0.8 - 0.2 is 0.5999999 in f32: the tolerance lets it meet 0.6.
        assert!(has("lives at cv34 6rd", "personal.postcode", "cv34 6rd"));
    }

    #[test]
    fn a_value_takes_its_table_or_csv_columns_header_as_context() {
        let table = "| name | dob | tel |\n|---|---|---|\n| Ann Cole | 14 Sep 91 | 07700 900215 |";
        assert!(has(table, "personal.dob", "14 Sep 91"));
        assert!(has(table, "personal.phone", "07700 900215"));
        assert!(has("name,dob,vrm\nann cole,01.01.1957,sd51 jyo", "personal.vehicle", "sd51 jyo"));
        assert!(none_of("score,date,venue\nwon,01.01.1957,home", "personal.dob"));
    }

    #[test]
    fn given_names_of_many_origins_start_names() {
        assert!(has("Have you seen Thanh Okafor? Missing since Friday.", "personal.name", "Thanh Okafor"));
        assert!(has("Victim Kiplagat Lim was injured.", "personal.name", "Kiplagat Lim"));
        assert!(has("lucy harcourt found safe, thanks all.", "personal.name", "lucy harcourt"));
        assert!(has("Please share #bringbrendanhome", "personal.name", "brendan"));
        assert!(none_of("Queen Elizabeth II's statue is the meeting point.", "personal.name"));
        assert!(none_of("Subject: Op Thunderbolt - tomorrow", "personal.name"));
    }

    #[test]
    fn references_in_other_forces_shapes_and_in_lists() {
        assert!(has("Call 101 incident number WMP 955 16/12/24.", "investigation.reference", "WMP 955 16/12/24"));
        assert!(has("Same suspect in: TVP-24-72515, WKS-20251208-9968.", "investigation.reference", "TVP-24-72515"));
        assert!(has("Related logs - 30 of 2nd May, CR/00233/26.", "investigation.reference", "30 of 2nd May"));
        assert!(none_of("Match 3 of 12 May was a draw.", "investigation.reference"));
    }

    #[test]
    fn covert_tactics_in_ordinary_words_but_not_a_fraudsters_trick() {
        assert!(has("Nicked! Thanks to a bait car.", "covert", "a bait car"));
        assert!(has("That blue bike by the racks has a tracker in it.", "covert", "has a tracker in"));
        assert!(has("Cheers to the copper in a hi-vis builder's jacket.", "covert", "copper in a hi-vis builder's"));
        assert!(
            found("Team: warrants at 7pm on Wednesday at addresses on Bond End.").iter().any(|(c, _)| c == "covert")
        );
        assert!(none_of("Bait bikes are fitted with trackers and are deployed across Warwick.", "covert"));
        assert!(none_of("A fraudster posing as a landlord took £2,400.", "covert"));
        assert!(none_of(
            "Officers executed a warrant at an address on Bond End at 6am on Friday and found drugs.",
            "covert"
        ));
    }

    #[test]
    fn markings_in_title_case_only_where_they_are_markings() {
        assert!(has("Classification: Restricted\nLines to take.", "marking", "Restricted"));
        assert!(has("Restricted\nCUSTODY RECORD", "marking", "Restricted"));
        assert!(none_of("Restricted parking applies on match days.", "marking"));
        assert!(none_of("Protect. Prepare. Prevent.", "marking"));
    }

    #[test]
    fn operations_in_more_notations_and_campaigns_still_clean() {
        assert!(has("Op/Kingfisher briefing", "investigation.operation", "Op/Kingfisher"));
        assert!(has("#OPKINGFISHER results", "investigation.operation", "#OPKINGFISHER"));
        assert!(none_of("Operation: Snap is back", "investigation.operation"));
        assert!(none_of("#opportunity knocks", "investigation.operation"));
    }

    #[test]
    fn plates_in_more_shapes_but_not_codes_or_units() {
        assert!(has("Possibly with KXZ 6123, a white van.", "personal.vehicle", "KXZ 6123"));
        assert!(has("a silver Ford Focus, index 1 KEV, seen", "personal.vehicle", "1 KEV"));
        assert!(none_of("e-bike batteries model CL51 BVJ are being recalled", "personal.vehicle"));
        assert!(none_of("Stolen card details: 4420-2918-4336-7860, exp 09/27.", "personal.vehicle"));
        assert!(none_of("the car park at B49 3GZ is open from 6 PM", "personal.vehicle"));
    }

    #[test]
    fn addresses_with_more_street_words_and_a_date_of_birth_after_a_name() {
        assert!(has("home address 4 The Paddocks, Kineton", "personal.address", "4 The Paddocks"));
        assert!(has("home address 139 the green", "personal.address", "139 the green"));
        assert!(has("Kwame Asante (30/01/1992), 10 Kingsley Avenue", "personal.dob", "30/01/1992"));
        assert!(none_of("Remembering PC Alan Reid (5 May 1985), killed on duty.", "personal.dob"));
    }

    #[test]
    fn organisations_lines_are_not_personal_but_a_record_phone_is() {
        assert!(none_of("contact the dog warden service on 01632 960557 during office hours", "personal.phone"));
        assert!(has("Contact no: 07911 123456  NHS: 480 707 9298", "personal.phone", "07911 123456"));
    }
}

/// Drafts written apart from the development corpus, in bench/screening/: `holdout.jsonl` (80
/// drafts), `holdout2.jsonl` (30 drafts aimed at names, justice and channels, with look-alikes;
/// written before the introducer rules, but by the same hand), `holdout3.jsonl` (24 drafts
/// written after those rules and scored once before the fixes its misses led to) and
/// `holdout4.jsonl` (12 drafts written after every rule change). Scored the same way
/// as the development corpus.
mod held_out {
    use super::*;

    /// The goals of the development corpus, and names, justice and channels.
    fn check(name: &str, drafts: &[LabelledDraft]) {
        spans_point_at_their_text(drafts);
        let goals: Vec<&str> = GOALS.iter().copied().chain(["personal.name", "justice", "channel"]).collect();
        meets_goals(name, drafts, &goals);
    }

    #[test]
    fn the_first_held_out_set_meets_the_goals() {
        check("holdout", &load(include_str!("../../../bench/screening/holdout.jsonl")));
    }

    #[test]
    fn the_second_held_out_set_meets_the_goals() {
        check("holdout2", &load(include_str!("../../../bench/screening/holdout2.jsonl")));
    }

    #[test]
    fn the_third_held_out_set_meets_the_goals() {
        check("holdout3", &load(include_str!("../../../bench/screening/holdout3.jsonl")));
    }

    #[test]
    fn the_fourth_held_out_set_meets_the_goals() {
        check("holdout4", &load(include_str!("../../../bench/screening/holdout4.jsonl")));
    }
}

mod properties {
    use super::*;

    fn check(text: &str) {
        let s = screen(text);
        for f in &s.findings {
            assert!(f.start < f.end && f.end <= text.len(), "{f:?}");
            assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end), "{f:?}");
            assert_eq!(&text[f.start..f.end], f.matched);
        }
        assert_eq!(s.approver.is_some(), s.verdict == Verdict::NeedsApproval);
        assert_eq!(s.findings.is_empty(), s.verdict == Verdict::Clear);
        assert!(s.findings.windows(2).all(|w| (w[0].start, w[0].end) <= (w[1].start, w[1].end)));
    }

    /// Pieces of real drafts with the characters that normalisation rewrites mixed in.
    fn draftish() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "OFFICIAL-SENSITIVE",
            "0FFICIAL",
            "S E C R E T",
            "\u{200B}",
            "\u{0415}",
            "\u{FF33}",
            "e\u{0301}",
            " call 07824 556781",
            " CV34 6RD",
            " JG 10 37 65 A",
            " 943 476 5919",
            " 4111 1111 1111 1111",
            " WK19 XLM",
            " born 14/02/1988",
            " victim, Daniel Hughes, 42,",
            " 14 Mill Lane",
            " incident 12 of 3 May",
            " Operation Falcon arrested",
            " DM us",
            " © Getty Images",
            " f***",
            " scumbag",
            " ",
            "\n",
            ".",
            ",",
            "☕",
            "\u{1F600}",
            "ﬁ",
            "Ⅻ",
            "\u{00AD}",
            "-",
            "'",
        ]);
        prop::collection::vec(pieces, 0..24).prop_map(|v| v.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

        #[test]
        fn offsets_always_point_at_the_matched_text(text in draftish()) {
            check(&text);
        }

        #[test]
        fn screening_never_panics_on_arbitrary_text(text in "\\PC{0,200}") {
            check(&text);
        }

        #[test]
        fn screening_never_panics_on_arbitrary_characters_including_controls(text in any::<String>()) {
            check(&text);
        }
    }
}

/// The development sets written blind to the rules (`bench/screening/blind/dev.jsonl`,
/// `bench/screening/blind2/dev2.jsonl` and `bench/screening/blind3/dev3.jsonl`): a guard against a change that loses what the rules
/// reached on them. The floors are the scores measured when the rules were last changed, less
/// 0.03; the sealed half is never scored here (see BENCHMARKS.md).
mod blind_development {
    use super::*;

    /// Each category's (precision, recall) floors on dev, dev2, dev3 and dev4, in that order.
    const FLOORS: [(&str, [(f64, f64); 4]); 15] = [
        ("marking", [(0.97, 0.97), (0.97, 0.97), (0.95, 0.97), (0.97, 0.97)]),
        ("covert", [(0.97, 0.97), (0.95, 0.97), (0.97, 0.97), (0.97, 0.96)]),
        ("investigation.operation", [(0.97, 0.97), (0.97, 0.97), (0.97, 0.97), (0.97, 0.97)]),
        ("investigation.reference", [(0.97, 0.97), (0.97, 0.93), (0.97, 0.97), (0.97, 0.97)]),
        ("personal.address", [(0.97, 0.97), (0.97, 0.97), (0.97, 0.97), (0.96, 0.97)]),
        ("personal.bank", [(0.97, 0.97), (0.97, 0.91), (0.97, 0.96), (0.97, 0.97)]),
        ("personal.card", [(0.97, 0.97), (0.97, 0.97), (0.97, 0.97), (0.97, 0.97)]),
        ("personal.dob", [(0.97, 0.97), (0.97, 0.96), (0.95, 0.95), (0.97, 0.96)]),
        ("personal.email", [(0.97, 0.97), (0.97, 0.97), (0.97, 0.46), (0.97, 0.97)]),
        ("personal.name", [(0.96, 0.92), (0.93, 0.86), (0.94, 0.82), (0.95, 0.88)]),
        ("personal.nhs", [(0.97, 0.97), (0.97, 0.97), (0.97, 0.95), (0.97, 0.97)]),
        ("personal.nino", [(0.97, 0.97), (0.97, 0.97), (0.97, 0.57), (0.97, 0.97)]),
        ("personal.phone", [(0.97, 0.97), (0.97, 0.93), (0.97, 0.89), (0.97, 0.97)]),
        ("personal.postcode", [(0.96, 0.97), (0.97, 0.97), (0.97, 0.82), (0.96, 0.96)]),
        ("personal.vehicle", [(0.97, 0.97), (0.97, 0.89), (0.97, 0.92), (0.97, 0.97)]),
    ];

    /// Hold set `set` (its column in [`FLOORS`]) to its floors.
    fn check(name: &str, drafts: &[LabelledDraft], set: usize) {
        let (scores, _) = score(&ENGINE, drafts);
        for (c, floors) in FLOORS {
            let (p, r) = floors[set];
            let s = scores[c];
            assert!(
                s.precision() >= p && s.recall() >= r,
                "{name} {c}: precision {:.3} (floor {p}), recall {:.3} (floor {r})",
                s.precision(),
                s.recall()
            );
        }
    }

    #[test]
    fn the_first_blind_development_set_keeps_its_scores() {
        check("dev", &load(include_str!("../../../bench/screening/blind/dev.jsonl")), 0);
    }

    #[test]
    fn the_second_blind_development_set_keeps_its_scores() {
        check("dev2", &load(include_str!("../../../bench/screening/blind2/dev2.jsonl")), 1);
    }

    /// The third writer's set (`bench/screening/blind3/dev3.jsonl`): notations, record layouts
    /// and names in small letters. Floors are the scores reached with pack 2026.12.3, less 0.03.
    #[test]
    fn the_third_blind_development_set_keeps_its_scores() {
        check("dev3", &load(include_str!("../../../bench/screening/blind3/dev3.jsonl")), 2);
    }

    /// The fourth writer's development half (`bench/screening/blind4/dev4.jsonl`, written blind
    /// while pack 2026.12.3 was made; its sealed half is kept outside the repository). Floors are
    /// the scores reached, less 0.03.
    #[test]
    fn the_fourth_blind_development_set_keeps_its_scores() {
        check("dev4", &load(include_str!("../../../bench/screening/blind4/dev4.jsonl")), 3);
    }
}

/// Pack 2026.12.4 (issue 17): general rules for the classes the blind sets' sealed halves still
/// miss, each with the look-alikes that must stay clean.
mod pack_2026_12_4 {
    use super::*;

    #[test]
    fn names_in_a_records_row_are_found_when_the_row_holds_personal_data() {
        let row = "Máire Coyle | 19 March 1985 | JL 35 47 55 B | 96 Beverley Road CV8 3GN";
        assert!(has(row, "personal.name", "Máire Coyle"), "{:?}", found(row));
        let fraud = "Victim details: Wanjiru Chaudhry, DOB 23/04/1993, card 4397 6542 3548 5668.";
        assert!(has(fraud, "personal.name", "Wanjiru Chaudhry"), "{:?}", found(fraud));
        let custody = "DP: TAYLOR, Bartłomiej (14/08/1960)\nHome: 25 Abbey Green, CV37 8QR";
        assert!(has(custody, "personal.name", "TAYLOR, Bartłomiej"), "{:?}", found(custody));
        // A column headed "surname" or "name" holds names in any case.
        let csv = "surname,forename,nhs_no\nKOWALSKI,Tomasz,9585556944";
        assert!(has(csv, "personal.name", "KOWALSKI"), "{:?}", found(csv));
        assert!(has(csv, "personal.name", "Tomasz"), "{:?}", found(csv));
        // A row of published contacts holds no personal data, so it names nobody.
        let venue = "Royal Pump Rooms | The Parade | CV32 4AA | 01926 742700 (box office)";
        assert!(none_of(venue, "personal.name"), "{:?}", found(venue));
        // A town after a house number and street is a place.
        let town = "Coordinator notes\n12 myton road, Long Itchington, CV47 6HH\n+447700900865";
        assert!(none_of(town, "personal.name"), "{:?}", found(town));
        // Greetings and markings are not names.
        let mail = "Hi Comms, can you put something out? Victim DOB 03/03/1988.";
        assert!(!has(mail, "personal.name", "Hi Comms"), "{:?}", found(mail));
    }

    #[test]
    fn a_records_name_fields_are_names() {
        let rec = "Person record\nSurname: Nwosu\tForename: Amara\nNINO: PL 23 71 94 D";
        assert!(has(rec, "personal.name", "Nwosu"), "{:?}", found(rec));
        assert!(has(rec, "personal.name", "Amara"), "{:?}", found(rec));
        assert!(none_of("Name: Warwick Police Station", "personal.name"));
    }

    #[test]
    fn a_missing_persons_update_names_them() {
        assert!(has("Thank you for sharing. Harjit has been found.", "personal.name", "Harjit"));
        assert!(none_of("Thank you for sharing. The dog has been found.", "personal.name"));
    }

    #[test]
    fn dates_of_birth_in_every_common_format() {
        for (text, date) in [
            ("date of birth: 03 03 1988", "03 03 1988"),
            ("(DOB 1988/03/03)", "1988/03/03"),
            ("DOB 19880303", "19880303"),
            ("DOB 3 Mar. 1988", "3 Mar. 1988"),
            ("d.o.b. 1988-03-03", "1988-03-03"),
        ] {
            assert!(has(text, "personal.dob", date), "{text}: {:?}", found(text));
        }
        assert!(none_of("The hall opened on 03 03 1988 and is still going.", "personal.dob"));
    }

    #[test]
    fn planned_deployments_with_their_time_are_covert_but_results_are_not() {
        for text in [
            "Roads policing will set up a checkpoint on the A5 near Mancetter at 10pm Saturday.",
            "The raid is planned for 4am on Sunday at the farm on Stoneleigh Road.",
            "Our drone will be up over Newbold Comyn from midnight.",
            "Officers will be hidden in the woods by the reservoir tonight.",
            "Officers are watching the address on Albert Street.",
            "We have been monitoring their messages for weeks.",
            "Cameras concealed in the lay-by caught the fly-tippers.",
        ] {
            assert!(!none_of(text, "covert"), "{text}");
        }
        for text in [
            "Dawn raids on Tuesday led to five arrests.",
            "We use drones to find missing people.",
            "Officers will be patrolling town centres this weekend.",
        ] {
            assert!(none_of(text, "covert"), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn a_marking_in_small_letters_after_the_words_that_apply_it() {
        assert!(has("(marked restricted)", "marking", "restricted"));
        assert!(has("Classification: secret", "marking", "secret"));
        assert!(none_of("restricted parking on the high street", "marking"));
    }

    #[test]
    fn references_after_is_and_in_small_letters_and_hyphenated_operations() {
        assert!(has("The reference is SWP 2400123456", "investigation.reference", "SWP 2400123456"));
        assert!(has("crime ref: wk/24/001234", "investigation.reference", "wk/24/001234"));
        assert!(has("Thanks to all on Op-Viper.", "investigation.operation", "Op-Viper"));
        assert!(none_of("Well done to Op-Snap volunteers", "investigation.operation"));
    }

    #[test]
    fn a_postcode_in_small_letters_without_a_cue_is_still_reported() {
        // 0.8 - 0.2 is 0.5999999 in f32, just under the report threshold of 0.6.
        assert!(!none_of("cv34 6rd", "personal.postcode"), "{:?}", found("cv34 6rd"));
        assert!(!none_of("Cv37 5br", "personal.postcode"), "{:?}", found("Cv37 5br"));
    }
}

mod pack_2026_12_4_numbers {
    use super::*;

    #[test]
    fn dates_of_birth_run_together_after_a_cue() {
        for (text, date) in [
            ("DOB 03Mar1988", "03Mar1988"),
            ("DOB 03MAR88", "03MAR88"),
            ("DOB Mar-03-1988", "Mar-03-1988"),
            ("DOB 03/Mar/1988", "03/Mar/1988"),
            ("DOB 1988-Mar-03", "1988-Mar-03"),
            ("DOB 03/03/'88", "03/03/'88"),
            ("DOB: 1988 03 03", "1988 03 03"),
        ] {
            assert!(has(text, "personal.dob", date), "{text}: {:?}", found(text));
        }
        assert!(none_of("DOB 31Feb", "personal.dob"));
    }

    #[test]
    fn organisations_published_lines_are_not_personal() {
        for text in [
            "Contact Age UK Warwickshire on 01926 458100.",
            "Call the Rape Crisis centre on 024 7627 7777.",
            "Kenilworth Rotary Club — 01926 511511",
            "Call Stratford Police Station front desk on 01789 444888.",
        ] {
            assert!(none_of(text, "personal.phone"), "{text}: {:?}", found(text));
        }
        assert!(!none_of("Call the victim's son on 01926 458100.", "personal.phone"));
    }

    #[test]
    fn public_places_postcodes_are_not_personal_but_homes_near_a_hospital_are() {
        assert!(none_of("Free entry at the museum, CV34 4AB, all weekend.", "personal.postcode"));
        let home = "patient discharged from Warwick Hospital to CV10 1PL.";
        assert!(!none_of(home, "personal.postcode"), "{:?}", found(home));
    }
}

/// Pack 2026.12.8 (issue 17): covert tactics and planned activity in plain words (6.3a, 6.3d),
/// the force's own lines and public offices (6.3b), and names in replies, possessives, repeats
/// and short forms (6.3b), each with the look-alikes that must stay clean.
mod pack_2026_12_8 {
    use super::*;

    fn covert(text: &str) -> bool {
        !none_of(text, "covert")
    }

    #[test]
    fn an_observation_point_in_plain_words_but_not_an_invitation_to_watch() {
        assert!(covert(
            "Team - the lady at number 9 has agreed to let us use her spare bedroom to watch the flat across the road."
        ));
        assert!(covert("Observation from the upstairs room at the Bull's Head facing the car wash from 21:00."));
        assert!(!covert("Please watch the video and share it with your friends."));
        assert!(!covert("Residents can keep an eye on the Neighbourhood Watch page for updates."));
    }

    #[test]
    fn officers_in_disguise_but_not_offenders_posing_as_tradesmen() {
        assert!(covert("Team: the two of us will be dressed as delivery riders around the Parade tomorrow night."));
        assert!(covert("Next week: knock on the door at 4 Clifton Road as BT engineers to check the layout."));
        assert!(covert("Sarah and Jas will be sitting on the bench with the dog, in their own clothes, 2pm to 6pm."));
        assert!(!covert("Beware of two men posing as water board workers calling at homes in Bedworth."));
        assert!(!covert("Fraudsters are knocking on doors dressed as council workers. Always ask for ID."));
        assert!(!covert("Join us as special constables and help your community."));
    }

    #[test]
    fn a_source_described_but_not_source_reports() {
        assert!(covert("The cleaner at the gym has been giving us the times the lads meet."));
        assert!(covert("Ring doorbell at number 6 is being fed to us by the owner."));
        assert!(covert("Intel note. Source is a neighbour who has been reliable before."));
        assert!(!covert("Thank you to everyone who has been giving us information about the burglaries."));
    }

    #[test]
    fn planned_activity_with_a_time_but_not_a_public_search() {
        assert!(covert("Search team - we'll search the allotments at Kenilworth Road at first light Thursday."));
        assert!(covert("We'll have a car tucked behind the barn on the B4455 every night this week."));
        assert!(!covert(
            "Officers will search the riverbank tomorrow for missing Alan; volunteers please meet at 9am."
        ));
    }

    #[test]
    fn a_hidden_tracker_in_bait_property_but_not_an_owners() {
        assert!(covert("The bike with the hidden GPS has been locked outside the library."));
        assert!(!covert("Stolen quad returned to its owner thanks to its hidden tracker."));
    }

    #[test]
    fn the_forces_own_whatsapp_line_and_a_public_office_are_not_personal() {
        assert!(none_of("WhatsApp the team on 07700 900 789 if you see the stolen quad.", "personal.phone"));
        assert!(!none_of("Call the victim's son on 07700 900 789.", "personal.phone"));
        let office = "Public meeting: the Commissioner's office, 3 Northgate Street, Warwick. Tuesday 6pm.";
        assert!(none_of(office, "personal.address"), "{:?}", found(office));
        assert!(has("He lives at 3 Northgate Street with his mum.", "personal.address", "3 Northgate Street"));
    }

    #[test]
    fn a_reply_greeting_a_victim_names_them_but_a_bare_thanks_does_not() {
        assert!(has("Hi Ken - the crime you reported is still under investigation.", "personal.name", "Ken"));
        assert!(none_of(
            "Hi Ajay, good question! Our officers wear body worn video on all incidents.",
            "personal.name"
        ));
        assert!(none_of("Hi Dave, thanks for the kind words about our officers!", "personal.name"));
    }

    #[test]
    fn a_given_name_owning_something_but_not_a_shop() {
        assert!(has("Lucas's bank: Barclays 20-32-06 / 53018822.", "personal.name", "Lucas"));
        assert!(none_of("Best kebab in town is Ali's on Regent St - go there!", "personal.name"));
    }

    #[test]
    fn repeats_in_small_letters_and_short_forms() {
        let text = "Missing: ewan mcgregor, 45, from Southam. ewan was last seen on Daventry Road.";
        assert_eq!(found(text).iter().filter(|(c, _)| c == "personal.name").count(), 2, "{:?}", found(text));
        let text = "We believe Frank Smith (\"Frankie\") has been cold calling pensioners.";
        assert!(has(text, "personal.name", "Frankie"), "{:?}", found(text));
        // An e-mail address written out repeats no name.
        let text = "The owner is kayleigh wilson - email kayleigh.wilson at example dot co dot uk.";
        assert!(!found(text).iter().any(|(c, m)| c == "personal.name" && m == "kayleigh"), "{:?}", found(text));
    }
}

/// Pack 2026.12.9 (issue 17): a name model beside the name rules (6.3b), and dates of birth in
/// any common notation after a birth cue, an age or a name, but not a police dog's (6.3b).
mod pack_2026_12_9 {
    use super::*;

    #[test]
    fn a_date_of_birth_in_any_common_notation_after_a_cue() {
        for (text, date) in [
            ("DOB 1987-03-12, last seen in Rugby.", "1987-03-12"),
            ("DOB: 12/03/1987 - please share.", "12/03/1987"),
            ("d.o.b. 12.03.87 and lives in Nuneaton.", "12.03.87"),
            ("Date of birth 12 March 1987.", "12 March 1987"),
            ("Born March 12th 1987 in Coventry.", "March 12th 1987"),
            ("DOB 12-Mar-87.", "12-Mar-87"),
        ] {
            assert!(has(text, "personal.dob", date), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn a_date_after_an_age_or_straight_after_a_name_is_a_date_of_birth() {
        let text = "Missing: Kelly Marsh, aged 34, born 12 March 1991, from Bedworth.";
        assert!(has(text, "personal.dob", "12 March 1991"), "{:?}", found(text));
        let text = "Okoro, Femi - age 15 - 03/04/2010 - school: Ash Green";
        assert!(has(text, "personal.dob", "03/04/2010"), "{:?}", found(text));
        let text = "Intel log: Darren Pike 14/02/1989 seen at the car wash.";
        assert!(has(text, "personal.dob", "14/02/1989"), "{:?}", found(text));
        let text = "Arrested: Shona Teale (3.9.71) on suspicion of theft.";
        assert!(has(text, "personal.dob", "3.9.71"), "{:?}", found(text));
    }

    #[test]
    fn a_police_dogs_birthday_a_court_sitting_or_a_remembrance_is_not_a_date_of_birth() {
        for text in [
            "Happy 6th birthday to PD Rocco! Born 2 June 2019, best dog on the team.",
            "PD Bruno (DOB 01/02/2018) found the stash.",
            "Warwick Crown Court 12 March 2015 saw the trial open.",
            "Remembering PC Alan Hart 5 June 1985, killed on duty.",
        ] {
            assert!(none_of(text, "personal.dob"), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn the_name_model_is_pinned_and_adds_names_only_where_no_rule_found_anything() {
        assert_eq!(ENGINE.name_model_version().map(|(v, _)| v), Some("2026.12.12"));
        let t = ENGINE.name_model_version().map(|(_, t)| t).unwrap();
        assert!(t > 0.5 && t <= 1.0, "{t}");
        // Its findings name it; a run of capitalised words a rule found is not scored again.
        let mut rules_only = Pack::builtin().unwrap();
        rules_only.name_model = None;
        rules_only.examples.clear();
        let rules = Engine::from_pack(&rules_only).unwrap();
        assert!(rules.name_model_version().is_none());
        let mut added = Vec::new();
        for text in [
            "Anyone know where Tamsin is? Her mum is worried sick.",
            "Can anyone help Declan find his grey cat? He lost it near the park.",
            "We spoke to Marguerite this morning and she is safe.",
            "Had a lovely chat with Bogdan at the Tesco in Stratford today about his stolen van.",
            "Missing woman Adaeze was found safe, thank you for sharing.",
        ] {
            for f in screen(text).findings.iter().filter(|f| f.explanation.contains("statistical model 2026.12.12")) {
                assert_eq!(f.category, Category::PersonalName);
                assert!(!rules.screen(text).findings.iter().any(|r| r.start < f.end && f.start < r.end), "{text}");
                added.push(f.matched.clone());
            }
        }
        assert!(added.contains(&"Tamsin".to_string()), "the name model adds a name the rules missed: {added:?}");
        // Places, shops and hospitals stay clean.
        for text in [
            "Thanks to everyone at Warwick Hospital for their support.",
            "Big thanks to Greggs in Rugby for the sausage rolls!",
        ] {
            assert!(none_of(text, "personal.name"), "{text}: {:?}", found(text));
        }
    }

    #[test]
    fn a_name_model_file_that_is_not_the_one_the_pack_names_is_refused() {
        let mut pack = Pack::builtin().unwrap();
        pack.name_model_text = Some(Pack::builtin_name_model_text().replacen("threshold\t", "threshold\t0", 1));
        assert!(matches!(Engine::from_pack(&pack), Err(PackError::Model(m)) if m.contains("SHA-256")));
        let mut wrong = Pack::builtin().unwrap();
        wrong.name_model.as_mut().unwrap().category = "covert".into();
        assert!(matches!(Engine::from_pack(&wrong), Err(PackError::Model(_))));
    }
}

/// Pack 2026.12.12: the shapes its rules were written for, in sentences written for these tests.
mod pack_2026_12_12 {
    use super::*;

    #[test]
    fn a_persons_address_at_a_dot_org_domain_but_not_an_organisations_mailbox() {
        assert!(has(
            "Witness: Dan Pryce, dan.pryce@example.org, free after 6pm.",
            "personal.email",
            "dan.pryce@example.org"
        ));
        assert!(has(
            "Reply to k.ogden77@mail.example.org.uk about the bike.",
            "personal.email",
            "k.ogden77@mail.example.org.uk"
        ));
        assert!(none_of("Questions? Email info@ryton-foodbank.org for opening times.", "personal.email"));
        assert!(none_of("Victim Support can be reached at warwickshire@victimsupport.org.uk.", "personal.email"));
    }

    #[test]
    fn an_address_spelled_out_but_not_a_meeting_place() {
        assert!(has(
            "You can reach her at j.lowe-home at example dot net if you found it.",
            "personal.email",
            "j.lowe-home at example dot net"
        ));
        assert!(has("Owner's email: sfarrell[at]example.com", "personal.email", "sfarrell[at]example.com"));
        assert!(none_of("Meet at Tesco at 10 then walk to the park.", "personal.email"));
    }

    #[test]
    fn a_home_without_a_street_word_and_a_named_house() {
        assert!(has(
            "Shed broken into at 12 Brookfields, Wolston, CV8 3HG overnight.",
            "personal.address",
            "12 Brookfields"
        ));
        assert!(has(
            "Tools taken from Lower Hill Farm, Ladbroke CV47 2BU on Sunday.",
            "personal.address",
            "Lower Hill Farm"
        ));
        assert!(has(
            "She lives at Ivy Cottage, Long Compton and may be confused.",
            "personal.address",
            "Ivy Cottage, Long Compton"
        ));
        assert!(has(
            "Dispute between the occupants of 4 Plum Field and 6 Plum Field.",
            "personal.address",
            "4 Plum Field"
        ));
    }

    #[test]
    fn planned_enforcement_still_to_come_but_not_a_house_number_read_as_a_time() {
        let covert = |t: &str| !none_of(t, "covert");
        assert!(covert("Two flats to be raided in Abbey Green at 6am tomorrow."));
        assert!(covert("We will arrest both of them at the farm at 4am on Sunday."));
        assert!(covert("We'll have the speed gun on Coventry Road at 7am Monday."));
        assert!(!covert("Trail cameras stolen from the country park - any info to 101."));
    }

    #[test]
    fn dates_of_birth_after_a_name_in_record_notations() {
        assert!(has("Nominal: Dale Furnival, 14 06 1988, no fixed abode.", "personal.dob", "14 06 1988"));
        assert!(has("Subject Kyle Barraclough (1993-04-21) seen in Bedworth.", "personal.dob", "1993-04-21"));
    }

    #[test]
    fn officials_in_role_are_not_named_as_members_of_the_public() {
        assert!(none_of("Bishop Helen Carlow will bless the new station on Friday.", "personal.name"));
        assert!(none_of("The Year 5 class at St Mary's asked great questions.", "personal.name"));
    }
}
