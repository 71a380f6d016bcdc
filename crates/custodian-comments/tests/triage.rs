//! The engine against comments written for these tests from the label definitions (not from
//! either half of the benchmark corpus).

use custodian_comments::cli::{self, Options};
use custodian_comments::{Combine, Engine, LABELS, Pack, PackError, ServiceLevel, sha256_hex};

fn labels(e: &Engine, t: &str) -> Vec<&'static str> {
    e.triage(t).labels.iter().map(|l| l.label).collect()
}

fn engine() -> Engine {
    match Engine::builtin() {
        Ok(e) => e,
        Err(e) => panic!("built-in pack: {e}"),
    }
}

#[test]
fn ordinary_comments_and_hard_negatives_carry_no_label() {
    let e = engine();
    for t in [
        "Thank you to the officers who helped my nan yesterday, absolute stars",
        "Could murder a pint after watching this",
        "My mum will kill me if she sees this haha",
        "This is a disgrace. Who pays for this?",
        "Bloody hell, what a morning",
        "Someone shouted p*ki at my neighbour and it is disgusting, hate crime has no place here",
        "The rise in hate crimes in the county is worrying",
        "The comms team are absolutely killing it with these posts",
    ] {
        assert_eq!(labels(&e, t), Vec::<&str>::new(), "{t}");
    }
}

#[test]
fn obfuscated_abuse_of_a_named_officer_is_abuse_staff_and_goes_to_the_line_manager() {
    let e = engine();
    for t in ["PC Jones is a useless p r i c k", "PC Jones you absolute tw4t", "pc jones is a s.c.u.m.b.a.g"] {
        let tr = e.triage(t);
        assert!(tr.has("abuse_staff"), "{t}: {:?}", tr.labels);
        assert!(tr.route.iter().any(|r| r.route == "line_manager_wellbeing" && r.clause == "8.2"), "{t}");
        let m = &tr.labels[0];
        assert_eq!(&t[m.start..m.end], m.matched);
    }
    assert!(!engine().triage("Your officers are useless and this force is a joke").has("abuse_staff"));
}

#[test]
fn emergencies_get_the_fifteen_minute_service_level_and_the_999_reply() {
    let e = engine();
    let t = e.triage("There is a man with a knife outside my house right now, please help");
    assert!(t.has("emergency"), "{:?}", t.labels);
    let q = t.route.iter().find(|r| r.route == "reply_queue").map(|r| r.service_level);
    assert_eq!(q, Some(Some(ServiceLevel::Minutes(15))));
    assert!(t.route.iter().any(|r| r.replies.iter().any(|x| x.contains("999"))));
    // Pack 2026.12.5: "this moment", someone who cannot breathe, a door being kicked in.
    for t in [
        "a man is trying to get in next door right this moment with a crowbar",
        "an old man has gone down outside the chemist and he can't breathe",
        "my ex is kicking the back door and shouting, the kids are upstairs",
    ] {
        assert!(e.triage(t).has("emergency"), "{t}: {:?}", e.triage(t).labels);
    }
    for t in ["she can't breathe through her nose with this cold", "I can't breathe, this post is hilarious"] {
        assert!(!e.triage(t).has("emergency"), "{t}");
    }
}

#[test]
fn hate_and_threats_go_to_the_resolution_centre() {
    let e = engine();
    let t = e.triage("Send them all back home, dirty p*kis. I'll burn their shop down");
    assert!(t.has("hate.race"), "{:?}", t.labels);
    assert!(t.has("threat"), "{:?}", t.labels);
    let rc = t.route.iter().find(|r| r.route == "resolution_centre");
    assert!(rc.is_some_and(|r| r.labels.contains(&"hate.race") && r.labels.contains(&"threat")));
}

#[test]
fn a_pack_with_an_unknown_label_or_a_failing_example_is_refused() {
    let text = include_str!("../../../policy-pack/comments.toml");
    let bad = text.replacen("label = \"spam\"", "label = \"spamm\"", 1);
    assert!(matches!(Pack::from_toml(&bad), Err(PackError::Label { .. })));
    let bad = text.replacen("labels = [\"question\"]\n", "labels = [\"spam\"]\n", 1);
    let pack = Pack::from_toml(&bad).map_err(|e| e.to_string()).map(|mut p| {
        p.model_text = Pack::builtin().ok().and_then(|b| b.model_text);
        p
    });
    assert!(
        matches!(pack.and_then(|p| Engine::from_pack(&p).map_err(|e| e.to_string())), Err(m) if m.contains("example"))
    );
}

#[test]
fn the_command_writes_one_line_per_comment_and_names_a_bad_line() {
    let input = "{\"id\":\"a\",\"text\":\"When does the A46 reopen?\"}\n{\"id\":\"b\",\"text\":\"thanks\"}\n";
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(&Options::default(), &mut input.as_bytes(), &mut out, &mut err);
    assert_eq!(code, cli::OK);
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out).lines().map(|l| serde_json::from_str(l).unwrap_or_default()).collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["labels"][0]["label"], "question");
    assert_eq!(lines[0]["labels"][0]["match"].as_str().map(|s| s.is_empty()), Some(false));
    assert_eq!(lines[1]["labels"], serde_json::json!([]));

    let input = "{\"id\":\"a\",\"text\":\"ok\"}\n{\"id\":\"b\"}\n";
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(&Options::default(), &mut input.as_bytes(), &mut out, &mut err);
    assert_eq!(code, cli::BAD_INPUT);
    let msg = String::from_utf8_lossy(&err);
    assert!(msg.contains("line 2") && msg.contains("\"text\""), "{msg}");

    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = cli::run(&Options::default(), &mut "not json\n".as_bytes(), &mut out, &mut err);
    assert_eq!(code, cli::BAD_INPUT);
    assert!(String::from_utf8_lossy(&err).contains("line 1"));
}

/// A pack whose model is the given text, its checksum and version set to match.
fn pack_with_model(model: &str, combine: &str) -> Pack {
    let mut p = Pack::builtin().unwrap_or_else(|e| panic!("{e}"));
    let m = p.model.as_mut().unwrap_or_else(|| panic!("the built-in pack names no model"));
    m.sha256 = sha256_hex(model);
    m.version = "t1".into();
    m.combine = combine.into();
    p.model_text = Some(model.to_string());
    p.examples.clear();
    p
}

fn tiny_model(feature: &str, label: &str, weight: f32) -> String {
    let zeros = vec!["0"; LABELS.len()].join("\t");
    let bias = vec!["-4"; LABELS.len()].join("\t");
    let half = vec!["0.5"; LABELS.len()].join("\t");
    let w: Vec<String> = LABELS.iter().map(|l| if *l == label { weight.to_string() } else { "0".into() }).collect();
    format!(
        "model\ttiny\tt1\nlabels\t{}\nbias\t{bias}\nthreshold\t{half}\nf\t{feature}\t{}\nf\tw:unused\t{zeros}\n",
        LABELS.join("\t"),
        w.join("\t")
    )
}

#[test]
fn the_built_in_pack_ships_a_checked_model_and_its_examples_pass() {
    let e = engine();
    let m = e.model().unwrap_or_else(|| panic!("no model"));
    assert!(m.features() > 1000, "{} features", m.features());
    assert_eq!(e.combine(), Combine::Union);
    for (l, t) in LABELS.iter().zip(m.threshold) {
        assert!(t > 0.0 && t <= 1.0, "{l}: {t}");
    }
}

#[test]
fn a_model_file_that_is_not_the_one_the_pack_names_is_refused() {
    let model = tiny_model("w:banana", "spam", 200.0);
    let mut p = pack_with_model(&model, "union");
    assert!(Engine::from_pack(&p).is_ok());
    // One weight changed: the checksum no longer matches.
    p.model_text = Some(model.replace("\t200\n", "\t201\n"));
    let err = Engine::from_pack(&p).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("SHA-256"), "{err}");
    // Not read at all.
    p.model_text = None;
    assert!(matches!(Engine::from_pack(&p), Err(PackError::Model(_))));
    // A well-formed checksum over a broken file: the line is named.
    let broken = model.replace("labels\tquestion", "labels\tquestions");
    let p = pack_with_model(&broken, "union");
    let err = Engine::from_pack(&p).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err.contains("line 2"), "{err}");
    let text = include_str!("../../../policy-pack/comments.toml");
    let bad = text.replacen("combine = \"union\"", "combine = \"sometimes\"", 1);
    assert!(matches!(Pack::from_toml(&bad), Err(PackError::Model(m)) if m.contains("combine")));
    let bad = text.replacen("sha256 = \"", "sha256 = \"x", 1);
    assert!(matches!(Pack::from_toml(&bad), Err(PackError::Model(m)) if m.contains("sha256")));
}

#[test]
fn a_label_from_the_model_names_its_strongest_terms_and_their_span() {
    let p = pack_with_model(&tiny_model("b:cheap+followers", "spam", 200.0), "model");
    let e = Engine::from_pack(&p).unwrap_or_else(|e| panic!("{e}"));
    let text = "Get CHEAP   followers now at bit.ly/x";
    let t = e.triage(text);
    assert_eq!(t.labels.len(), 1, "{:?}", t.labels);
    let l = &t.labels[0];
    assert_eq!(l.label, "spam");
    assert_eq!(&text[l.start..l.end], "CHEAP   followers");
    assert_eq!(l.matched, "CHEAP   followers");
    assert!(l.explanation.contains("\"cheap followers\"") && l.explanation.contains("tiny t1"), "{}", l.explanation);
    assert!(t.route.iter().any(|r| r.route == "corporate_communications"));
    // Without the pair the model is silent; with the rules alone it is not consulted.
    assert!(e.triage("followers are cheap").labels.is_empty());
    let mut e = e;
    e.set_combine(Combine::Rules);
    assert!(e.triage(text).labels.iter().all(|l| !l.explanation.contains("tiny t1")));
}

#[test]
fn the_shipped_model_finds_an_emergency_no_rule_names_and_says_why() {
    // Written for this test: a crime in progress, in words no emergency rule uses.
    let text = "Someone has just smashed the window of the Co-op on Clarendon Street and is climbing in right now";
    let mut e = engine();
    let t = e.triage(text);
    assert!(t.has("emergency"), "{:?}", t.labels);
    let l = t.labels.iter().find(|l| l.label == "emergency").unwrap_or_else(|| panic!("no emergency"));
    assert!(l.explanation.contains("Found by the model comments-lr"), "{}", l.explanation);
    assert_eq!(&text[l.start..l.end], l.matched);
    assert!(!l.matched.is_empty());
    // The emergency takes the 15-minute reply, and it is not also filed as a routine crime report.
    assert!(!t.has("crime_report"), "{:?}", t.labels);
    let q = t.route.iter().find(|r| r.route == "reply_queue").map(|r| r.service_level);
    assert_eq!(q, Some(Some(ServiceLevel::Minutes(15))));
    e.set_combine(Combine::Rules);
    assert!(!e.triage(text).has("emergency"));
}

/// WP034 8.2: abuse "aimed at an identifiable officer or member of staff" goes to that person's
/// line manager. A handle identifies a member of staff only as the force's registers name them:
/// a rank and a name ("@SgtPrentice", "@PCJones", "@InspKaur", "@DCIWalsh") or one of the
/// force's own accounts (the pack's `force_account` list); a staff or collar number may carry a
/// letter ("PC A1018", "#C2231"). Any other handle is a member of the public.
#[test]
fn staff_are_named_as_the_register_names_them_not_by_any_handle() {
    let e = engine();
    let wellbeing = |t: &custodian_comments::Triage| {
        t.route.iter().any(|r| r.route == "line_manager_wellbeing" && r.clause == "8.2")
    };
    for (t, handle) in [
        ("@SgtPrentice you absolute clown", "@SgtPrentice"),
        ("@PCJones is a useless pr*ck", "@PCJones"),
        ("@InspKaur is a spineless coward", "@InspKaur"),
        ("@DCIWalsh you lying weasel", "@DCIWalsh"),
        ("@PC_Jones you muppet", "@PC_Jones"),
        ("@sgtprentice you absolute clown", "@sgtprentice"),
        ("@WarksPolice whoever is on tonight is a useless muppet", "@WarksPolice"),
    ] {
        let tr = e.triage(t);
        assert!(tr.has("abuse_staff"), "{t}: {:?}", tr.labels);
        assert!(wellbeing(&tr), "{t}: {:?}", tr.route);
        let m = tr.labels.iter().find(|l| l.label == "abuse_staff").map(|m| &t[m.start..m.end]).unwrap_or("");
        assert!(m.starts_with(handle), "{t}: the span {m:?} starts at the handle as written");
    }
    // Staff and collar numbers with a letter, as well as digits only.
    for t in [
        "PC A1018 is a useless fat prick",
        "collar number A1018 is a joke",
        "#C2231 you fat slob",
        "PCA1018 is a clown",
        "PC 4521 is a clown",
    ] {
        let tr = e.triage(t);
        assert!(tr.has("abuse_staff"), "{t}: {:?}", tr.labels);
        assert!(wellbeing(&tr), "{t}");
    }
    // Members of the public, tagged in a reply: no officer, no wellbeing case.
    for t in [
        "@SteveCrane the still's in black and white, you weirdo",
        "@Steve Crane you absolute clown",
        "@steve_crane you muppet",
        "@gc_truth you clown",
        "@DiCaprio you idiot",
        "@PcWorld you muppets",
        "@pcjones you muppet",
        "@Inspired_Dave you clown",
        "@WarksPCC fan club, what a bunch of clowns",
    ] {
        let tr = e.triage(t);
        assert!(!tr.has("abuse_staff"), "{t}: {:?}", tr.labels);
        assert!(!wellbeing(&tr), "{t}: {:?}", tr.route);
    }
    // A road is not a collar number.
    assert!(!e.triage("the A4177 is a joke every morning").has("abuse_staff"));
    // A bare collar number and a surname name an officer (pack 2026.12.5); a year does not.
    for t in ["4471 Barrow is a fat useless prick", "6620 jenkins was a lazy lump of lard at the gate"] {
        let tr = e.triage(t);
        assert!(tr.has("abuse_staff"), "{t}: {:?}", tr.labels);
        assert!(wellbeing(&tr), "{t}");
    }
    // The people running the account, and an officer described by what they wear.
    for t in [
        "the muppets running this account can't answer a message",
        "the cop in the orange hi vis at the roundabout is a smug git",
    ] {
        let tr = e.triage(t);
        assert!(tr.has("abuse_staff"), "{t}: {:?}", tr.labels);
    }
    assert!(!e.triage("running this account must be a hard job, thanks for the updates").has("abuse_staff"));
    for t in ["the 2024 budget is a joke", "1999 rules was a joke too", "my 2015 fiesta has been a joke"] {
        assert!(!e.triage(t).has("abuse_staff"), "{t}");
    }
}

#[test]
fn a_travellers_slur_is_hate_but_the_verb_is_not() {
    let e = engine();
    assert!(e.triage("its the bloody tinkers again, move them on").has("hate.race"));
    for t in ["Don't tinker with the speed camera settings", "he tinkers with old motorbikes in the shed"] {
        assert!(!e.triage(t).has("hate.race"), "{t}");
    }
}

#[test]
fn a_pack_pinned_to_an_older_shipped_model_loads_with_the_shipped_model_and_says_so() {
    // The built-in pack's text, stored before a retrain: it names the previous model file.
    let text = include_str!("../../../policy-pack/comments.toml");
    let old = custodian_textmodel::train::repin(text, "2026.12.1", &"cd".repeat(32)).unwrap_or_default();
    let shipped = Pack::builtin().unwrap_or_else(|e| panic!("{e}"));
    let mut p = Pack::from_toml(&old).unwrap_or_else(|e| panic!("{e}"));
    p.model_text = shipped.model_text.clone();
    let e = Engine::from_pack(&p).unwrap_or_else(|e| panic!("a stored pack never stops triage: {e}"));
    let w = e.warnings().join("\n");
    assert!(w.contains(&"cd".repeat(32)) && w.contains("2026.12.1") && w.contains("no longer ships"), "{w}");
    assert!(w.contains(&sha256_hex(shipped.model_text.as_deref().unwrap_or_default())), "{w}");
    // The shipped model labels as it does under the pack that names it.
    let text = "Send them all back home, dirty p*kis. I'll burn their shop down";
    assert_eq!(e.triage(text), engine().triage(text));
    assert!(engine().warnings().is_empty());
    // A failing saved example is a warning with a stand-in model, and refused without one.
    let mut failing = p.clone();
    failing.examples[0].labels = vec!["spam".into()];
    let e = Engine::from_pack(&failing).unwrap_or_else(|e| panic!("{e}"));
    assert!(e.warnings().iter().any(|w| w.starts_with("with the shipped model, example 0")), "{:?}", e.warnings());
    let mut own = shipped.clone();
    own.examples[0].labels = vec!["spam".into()];
    assert!(matches!(Engine::from_pack(&own), Err(PackError::Example { index: 0, .. })));
    // A model file read from beside the pack must still be the one it names.
    let mut beside = p;
    beside.model_text = beside.model_text.map(|m| m.replacen("\n", "\n# edited\n", 1));
    assert!(matches!(Engine::from_pack(&beside), Err(PackError::Model(m)) if m.contains("SHA-256")));
}

// --- the people register's names (WP034 8.2: abuse of an identifiable officer or member of staff) ---

fn register() -> custodian_comments::StaffIndex {
    match custodian_comments::StaffIndex::from_csv(
        "staff_number,given_name,family_name,rank,collar_number\n\
         S1,Dave,Hughes,PC,3391\n\
         S2,Nadia,Wells,,\n\
         S3,Helen,Brown,Sgt,2218\n\
         S4,Tom,Grint,PC,A1018\n\
         S5,Amy,Cartwright-Lowe,Insp,\n",
    ) {
        Ok(r) => r,
        Err(e) => panic!("register: {e}"),
    }
}

fn staff_labels(e: &Engine, r: &custodian_comments::StaffIndex, t: &str) -> Vec<&'static str> {
    e.triage_with_staff(t, Some(r)).labels.iter().map(|l| l.label).collect()
}

fn named(e: &Engine, r: &custodian_comments::StaffIndex, t: &str) -> Vec<(String, &'static str)> {
    e.triage_with_staff(t, Some(r)).staff.into_iter().map(|s| (s.staff_number, s.how)).collect()
}

#[test]
fn a_registered_surname_alone_names_staff_and_abuse_of_them_is_abuse_staff() {
    let (e, r) = (engine(), register());
    let t = "Hughes is a lazy useless slob";
    // Without the register the triage cannot know Hughes is an officer.
    assert!(!labels(&e, t).contains(&"abuse_staff"));
    assert!(staff_labels(&e, &r, t).contains(&"abuse_staff"));
    assert_eq!(named(&e, &r, t), vec![("S1".to_string(), "surname")]);
    // The wellbeing route carries who was named, for the workflow to find their line manager.
    let tr = e.triage_with_staff(t, Some(&r));
    let route = tr.route.iter().find(|x| x.route == "line_manager_wellbeing");
    assert_eq!(route.map(|x| x.staff.len()), Some(1), "{tr:?}");
    // The span is the name as written.
    assert_eq!(tr.staff[0].matched, "Hughes");
    for t in [
        "nadia wells is a thick useless tart",
        "Grint is a coward with a badge",
        "3391 is a useless prick",
        "pc3391 is a useless prick",
        "Cartwright-Lowe is an arrogant clown",
        "Hughs is a lazy useless slob",
    ] {
        assert!(staff_labels(&e, &r, t).contains(&"abuse_staff"), "{t}");
    }
    assert_eq!(named(&e, &r, "Nadia Wells was rude"), vec![("S2".to_string(), "full name")]);
    assert_eq!(named(&e, &r, "Hughs was rude"), vec![("S1".to_string(), "misspelt surname")]);
    assert_eq!(named(&e, &r, "PC Hughes was rude"), vec![("S1".to_string(), "rank and name")]);
    assert_eq!(named(&e, &r, "collar 2218 was rude"), vec![("S3".to_string(), "collar number")]);
}

#[test]
fn names_that_are_common_words_handles_and_praise_do_not_make_abuse() {
    let (e, r) = (engine(), register());
    // "Brown" and "Wells" are also words: alone they name nobody.
    for t in [
        "the brown one is a useless dog, always barking at my kids",
        "the wells round here are full of rubbish, useless council",
        "@DaveHughes you absolute clown",
        "Hughes street is closed again, useless roadworks",
        "Thanks to Hughes and the team for finding my bike",
    ] {
        assert!(!staff_labels(&e, &r, t).contains(&"abuse_staff"), "{t}");
    }
    assert!(named(&e, &r, "the brown one is barking").is_empty());
    assert!(named(&e, &r, "@DaveHughes you clown").is_empty());
    // ... but with a rank, the other half of the name or a number they do.
    for t in ["Sgt Brown is a useless clown", "Helen Brown is a useless clown", "2218 Brown is a useless clown"] {
        assert!(staff_labels(&e, &r, t).contains(&"abuse_staff"), "{t}");
    }
    // A common word misspelt is not a name: "homes" is not "Holmes", and a small-letter word
    // one letter from a surname is left alone.
    assert!(named(&e, &r, "care homes full of hughs").is_empty());
    // A year is not a collar number unless a rank or "collar" says so.
    assert!(named(&e, &r, "back in 2018 it was better").is_empty());
}

#[test]
fn a_common_word_surname_written_as_a_name_and_a_unique_given_name_name_staff() {
    let (e, r) = (engine(), register());
    // "Brown" inside a sentence with a capital, or starting one that says something of it.
    assert_eq!(named(&e, &r, "had to put up with Brown. useless clown"), vec![("S3".to_string(), "surname")]);
    assert_eq!(named(&e, &r, "Brown is a useless clown"), vec![("S3".to_string(), "surname")]);
    assert!(staff_labels(&e, &r, "Brown is a useless clown").contains(&"abuse_staff"));
    // ... not in small letters, after an article, in a Title Case line, or starting a sentence
    // as a word.
    for t in [
        "had to put up with brown. useless clown",
        "the Brown one is a useless clown",
        "Great Work By Brown Today",
        "Brown sauce is useless on chips",
    ] {
        assert!(named(&e, &r, t).is_empty(), "{t}");
    }
    // A given name alone, capitalised, carried by one person of the register.
    assert_eq!(named(&e, &r, "That Nadia is a useless clown"), vec![("S2".to_string(), "given name")]);
    assert!(named(&e, &r, "that nadia is a useless clown").is_empty());
}

/// "Scott" is a name, not a nationality ("Scot"): written as a name it names its bearer, like any
/// common-word surname; "scott free" in small letters names nobody.
#[test]
fn scott_written_as_a_name_names_its_bearer() {
    let e = engine();
    let r = match custodian_comments::StaffIndex::from_csv(
        "staff_number,given_name,family_name,rank,collar_number\nS50,Jo,Scott,PC,5962\n",
    ) {
        Ok(r) => r,
        Err(e) => panic!("register: {e}"),
    };
    assert_eq!(named(&e, &r, "had to deal with Scott again, useless clown"), vec![("S50".to_string(), "surname")]);
    assert_eq!(named(&e, &r, "Scott was rude to my mum"), vec![("S50".to_string(), "surname")]);
    assert!(staff_labels(&e, &r, "Scott is a useless clown").contains(&"abuse_staff"));
    for t in ["he got off scott free again", "the Scott one is a clown", "Great Scott What A Result"] {
        assert!(named(&e, &r, t).is_empty(), "{t}");
    }
}

#[test]
fn a_mobile_number_is_doxxing_beside_a_person_not_in_an_advert() {
    let e = engine();
    assert!(labels(&e, "his number is 07700 900123, ring him and tell him what you think").contains(&"doxxing"));
    assert!(!labels(&e, "Garden clearance, no job too small. Call 07700 900123").contains(&"doxxing"));
}

#[test]
fn a_threat_or_doxxing_aimed_at_a_registered_name_takes_the_wellbeing_route() {
    let (e, r) = (engine(), register());
    let t = e.triage_with_staff("I know where Grint lives, his address is 14 Mill Lane Rugby", Some(&r));
    assert!(t.has("doxxing"), "{t:?}");
    let route = t.route.iter().find(|x| x.route == "line_manager_wellbeing");
    assert_eq!(route.map(|x| x.staff.iter().map(|s| s.staff_number.as_str()).collect::<Vec<_>>()), Some(vec!["S4"]));
}

#[test]
fn the_triage_command_takes_a_staff_file() {
    let dir = std::env::temp_dir().join(format!("custodian-staff-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let staff = dir.join("staff.csv");
    if let Err(e) =
        std::fs::write(&staff, "staff_number,given_name,family_name,rank,collar_number\nS1,Dave,Hughes,PC,3391\n")
    {
        panic!("{e}");
    }
    let input = "{\"id\":\"1\",\"text\":\"Hughes is a lazy useless slob\"}\n";
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let opts = Options { staff: Some(staff.clone()), ..Options::default() };
    let code = cli::run(&opts, &mut input.as_bytes(), &mut out, &mut err);
    assert_eq!(code, cli::OK, "{}", String::from_utf8_lossy(&err));
    let line = String::from_utf8_lossy(&out);
    assert!(line.contains("\"abuse_staff\"") && line.contains("\"staff_number\":\"S1\""), "{line}");
    // A staff file without the required columns is refused.
    if let Err(e) = std::fs::write(&staff, "name\nHughes\n") {
        panic!("{e}");
    }
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(cli::run(&opts, &mut input.as_bytes(), &mut out, &mut err), cli::BAD_INPUT);
    let _ = std::fs::remove_dir_all(&dir);
}

// --- coded hostility on race (LABELS.md: race, colour, nationality, ethnic or national origin) ---

#[test]
fn coded_hostility_on_race_is_hate_race_and_its_look_alikes_are_not() {
    let e = engine();
    for t in [
        "Describe them then. Oh wait, we all know what colour they are",
        "Hotels full of young men of fighting age, you know who I mean",
        "They came here for the benefits and stayed for the crime",
        "Albanians are all thieves and scroungers, the lot of them",
        "Bet the burglars were black. Always are.",
        "Anti-racist = anti-white, simple as",
        "slanty eyed menace behind the wheel again",
    ] {
        assert!(labels(&e, t).contains(&"hate.race"), "{t}");
    }
    // The rules alone: condemning or describing is not hostility.
    let mut rules = engine();
    rules.set_combine(Combine::Rules);
    let e = rules;
    for t in [
        "Great to see the Albanian community centre open its doors for the food bank",
        "The Polish lads at the car wash are always friendly and quick",
        "Happy Black History Month everyone",
        "Saying migrants are invaders is disgusting and it is a hate crime",
    ] {
        assert!(!labels(&e, t).contains(&"hate.race"), "{t}");
    }
}

#[test]
fn threats_by_grammar_emergencies_now_and_reports_by_pattern_are_caught_by_the_rules_alone() {
    // WP034 8.2 (threats: malicious communications) and 6.7 (emergencies, crime reports,
    // complaints): the general forms the 2026.12.7 rules name, each with a look-alike that must
    // stay unlabelled. Rules only, so the model cannot hide a rule's miss.
    let mut e = engine();
    e.set_combine(Combine::Rules);
    for (t, want) in [
        ("the next cyclist who cuts me up on the A46 is getting run off the road", "threat"),
        ("hope somebody torches your van while you sleep", "threat"),
        ("his day is coming, he knows what he did", "threat"),
        ("she wants to be careful walking home after her shift", "threat"),
        ("he'll be picking his teeth up off the floor if he tries it", "threat"),
        ("my stepdad is punching my mum right now and I can hear it from upstairs", "emergency"),
        ("Vans racing down Mill Lane every Saturday from 10pm, same three of them", "crime_report"),
        ("My shed got broken into on Grove Street overnight, padlock cut", "crime_report"),
        ("A man rang my dad saying he was from the police and his card was cloned", "crime_report"),
        ("It took you 6 months to ring me back about my stolen van", "complaint"),
        ("Two of your officers stood there and did nothing while he shouted at us", "complaint"),
    ] {
        let got = labels(&e, t);
        assert!(got.contains(&want), "{t}: {got:?}");
    }
    for (t, not) in [
        ("The next train to Coventry is getting cancelled again", "threat"),
        ("Careful on the roads tonight, it's icy out there", "threat"),
        ("Lord help us, more roadworks on the Fosse", "emergency"),
        ("My daughter watched this three times, she loves the dogs", "crime_report"),
        ("Lots of talk and nothing changes", "complaint"),
    ] {
        let got = labels(&e, t);
        assert!(!got.contains(&not), "{t}: {got:?}");
    }
}

#[test]
fn hate_without_a_slur_is_caught_and_talk_about_the_groups_is_not() {
    // WP034 8.2: the Home Office monitored strands, perception-based, in forms that carry no
    // slur; and ordinary mentions of the same groups, which carry none.
    let mut e = engine();
    e.set_combine(Combine::Rules);
    for (t, want) in [
        ("the inspector is a smug welsh git", "hate.race"),
        ("the country's being replaced and nobody is allowed to say it", "hate.race"),
        ("zionists control the banks and now the police too", "hate.religion"),
        ("bunch of cross worshippers blocking the road again", "hate.religion"),
        ("fine, be gay, but keep it behind closed doors", "hate.sexual_orientation"),
        ("There are only two sexes, end of", "hate.transgender"),
        ("they want padded cells for people like that, not flats on our street", "hate.disability"),
    ] {
        let got = labels(&e, t);
        assert!(got.contains(&want), "{t}: {got:?}");
    }
    for t in [
        "Welsh cakes at the open day were lovely",
        "There is a talk on the history of Zionism at the library on Tuesday",
        "Great to see officers at Pride, keep it up",
        "Our new cells are being fitted next month",
    ] {
        let got = labels(&e, t);
        assert!(!got.iter().any(|l| l.starts_with("hate.")), "{t}: {got:?}");
    }
}

#[test]
fn the_2026_12_10_general_forms_are_caught_by_the_rules_alone_and_their_look_alikes_are_not() {
    // WP034 8.2 (hate strands, threats, doxxing) and 6.7 (crime reports, questions): the general
    // forms the 2026.12.10 rules name, each written here from the label definitions, with
    // look-alikes that must stay unlabelled. Rules only, so the model cannot hide a rule's miss.
    let mut e = engine();
    e.set_combine(Combine::Rules);
    for (t, want) in [
        ("the albanians have ruined this town, every last one of them", "hate.race"),
        ("romanians are the reason the shops all have security now", "hate.race"),
        ("bet shes romanian, they all nick from the self checkouts", "hate.race"),
        ("give it ten years and no white coppers will be left in Rugby", "hate.race"),
        ("the holocaust numbers never added up if you ask me", "hate.religion"),
        ("no such thing as antisemitism, just people noticing", "hate.religion"),
        ("coppers in turbans now, what next", "hate.religion"),
        ("homophobia isnt real, people just dont want it rammed at them", "hate.sexual_orientation"),
        ("there are only two genders and the rest is attention seeking", "hate.transgender"),
        ("autism is just an excuse for bad parenting", "hate.disability"),
        ("she better hope she never breaks down on our lane", "threat"),
        ("that sergeant shouldnt walk home alone after what he did", "threat"),
        ("hope your custody suite burns down with you lot in it", "threat"),
        ("if they park there again the windows are coming in", "threat"),
        ("Sgt Pryce drinks at the Red Lion on Bridge Street every friday", "doxxing"),
        ("a grey van keeps driving round our close looking at houses", "crime_report"),
        ("someone phoned my gran saying they were DC Lewis and she had to withdraw cash", "crime_report"),
        ("Whats the best way to report a pothole?", "question"),
    ] {
        let got = labels(&e, t);
        assert!(got.contains(&want), "{t}: {got:?}");
    }
    for (t, not) in [
        ("the albanian restaurant on the high street is brilliant", "hate.race"),
        ("Holocaust Memorial Day service at the church on Sunday, all welcome", "hate.religion"),
        ("my son wants to watch it on the telly tonight", "threat"),
        ("the school run on Bridge Street every morning is chaos", "doxxing"),
        ("My cousin was called names at work. I reported it and got a call the next day, sorted", "crime_report"),
        ("Whats the point of reporting anything?", "question"),
    ] {
        let got = labels(&e, t);
        assert!(!got.contains(&not), "{t}: {got:?}");
    }
}

#[test]
fn the_2026_12_11_general_forms_are_caught_by_the_rules_alone_and_their_look_alikes_are_not() {
    // WP034 8.2 (hate strands, threats): the general forms the 2026.12.11 rules name (a crime's
    // culprits guessed to be a people or a faith, a people told to leave or wanted rid of, a
    // country claimed for one people, a faith said to come first, gay people called sinful, a
    // trans woman called a man in a wig, disabled people called a burden, harm promised to
    // whoever comes next), each written here from the label definitions, with look-alikes that
    // must stay unlabelled. Rules only, so the model cannot hide a rule's miss.
    let mut e = engine();
    e.set_combine(Combine::Rules);
    for (t, want) in [
        ("the burglars were obviously illegals from that hotel again", "hate.race"),
        ("Let me guess, foreign again", "hate.race"),
        ("somalis should all go home, we need rid of them", "hate.race"),
        ("this town was english once", "hate.race"),
        ("token hire, nothing more", "hate.race"),
        ("the fraudsters were muslims, always are", "hate.religion"),
        ("jews always crying about something", "hate.religion"),
        ("the police are bowing down to sharia now", "hate.religion"),
        ("being gay is a sin and they know it", "hate.sexual_orientation"),
        ("saw him holding hands with the boyfriend, eww", "hate.sexual_orientation"),
        ("ban pride marches, simple", "hate.sexual_orientation"),
        ("that is just a man in a wig and lipstick", "hate.transgender"),
        ("trans women are just blokes, end of", "hate.transgender"),
        ("that kid is only pretending to be a girl because of tiktok", "hate.transgender"),
        ("wheelchair users are a burden on the tax payer", "hate.disability"),
        ("mentally ill people shouldnt be let out on their own", "hate.disability"),
        ("next one who touches my van goes home in a box", "threat"),
        ("he'll end up with broken legs if he comes back", "threat"),
        ("ten minutes alone with him is all I ask", "threat"),
        ("that patrol car would look better on fire", "threat"),
    ] {
        let got = labels(&e, t);
        assert!(got.contains(&want), "{t}: {got:?}");
    }
    for (t, not) in [
        ("the victims were asylum seekers staying at the hotel, awful", "hate.race"),
        ("Let me guess, roadworks again", "hate.race"),
        ("my nan was english and my grandad was welsh", "hate.race"),
        ("the mosque open day was lovely, thank you", "hate.religion"),
        ("nobody deserves abuse for being gay, report it", "hate.sexual_orientation"),
        ("wheelchair users deserve step free access at the station", "hate.disability"),
        ("that driver was going to kill someone, glad he is banned", "threat"),
    ] {
        let got = labels(&e, t);
        assert!(!got.contains(&not), "{t}: {got:?}");
    }
}

#[test]
fn the_shipped_model_chose_its_thresholds_with_whole_corpora_held_out() {
    // The thresholds must be set for writers the model never saw (leave-one-corpus-out), not by
    // random folds that put each writer on both sides: the trainer writes which in the header.
    let model = include_str!("../../../policy-pack/comments-model.tsv");
    let header = model.lines().find(|l| l.starts_with("# comments ")).unwrap_or("");
    assert!(header.contains("(one per corpus file)"), "{header}");
}

#[test]
fn the_shipped_model_chose_its_thresholds_on_its_own_held_out_scores() {
    // WP034 8.2: a missed hate-crime referral or threat costs more than a second look, so the
    // shipped thresholds are the model's own (`--model-alone`), which keep more recall for writers
    // it never saw than thresholds chosen on the rules and the model together (measured on the
    // ninth corpus held out and on the tenth's development half, bench/comments/RESULTS-2026-12-07.md);
    // the hate strands stay gated by the pack's `[model.requires]`.
    let model = include_str!("../../../policy-pack/comments-model.tsv");
    let header = model.lines().find(|l| l.starts_with("# comments ")).unwrap_or("");
    assert!(!header.contains("thresholds on the rules and the model together"), "{header}");
    assert!(header.contains("hate thresholds gated by the pack's [model.requires]"), "{header}");
}
