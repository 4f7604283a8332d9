//! The JUnit writer: the mapping of verdicts to test cases, and XML that parses whatever
//! the system under test returned.

use super::*;
use crate::fixtures::{self, NASTY};
use roxmltree::Document;

fn cases<'a>(doc: &'a Document<'a>) -> Vec<roxmltree::Node<'a, 'a>> {
    doc.descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect()
}

#[test]
fn a_valid_run_is_one_passing_case_per_checker() {
    let xml = render(&fixtures::valid(), Path::new("store/t/1"));
    let doc = Document::parse(&xml).expect("well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("name"), Some("schism: memory-register"));
    assert_eq!(suite.attribute("tests"), Some("1"));
    assert_eq!(suite.attribute("failures"), Some("0"));
    assert_eq!(suite.attribute("timestamp"), Some("2026-11-25T20:22:44"));
    let c = cases(&doc);
    assert_eq!(c.len(), 1);
    assert_eq!(c[0].attribute("classname"), Some("memory.register"));
    assert_eq!(c[0].attribute("name"), Some("linearizable"));
    assert_eq!(c[0].attribute("time"), Some("1.500"));
    assert_eq!(c[0].children().filter(|n| n.is_element()).count(), 0);
    let prop = |name: &str| {
        doc.descendants()
            .find(|n| n.has_tag_name("property") && n.attribute("name") == Some(name))
            .and_then(|n| n.attribute("value"))
            .map(str::to_string)
    };
    assert_eq!(prop("seed").as_deref(), Some("42"));
    assert_eq!(prop("faults").as_deref(), Some("kill 1"));
    assert_eq!(
        prop("replay").as_deref(),
        Some("schism run store/t/1/spec.yaml")
    );
}

#[test]
fn invalid_liveness_and_unknown_verdicts_map_to_failures_and_errors() {
    let r = fixtures::invalid();
    let xml = render(&r, Path::new("store/t/1"));
    let doc = Document::parse(&xml).expect("well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("failures"), Some("2"));
    assert_eq!(suite.attribute("errors"), Some("1"));
    let c = cases(&doc);
    let child = |i: usize, tag: &str| {
        c[i].children()
            .find(|n| n.has_tag_name(tag))
            .unwrap_or_else(|| panic!("case {i} has no <{tag}>"))
    };
    let f = child(0, "failure");
    assert_eq!(f.attribute("type"), Some("safety"));
    let msg = f.attribute("message").unwrap();
    assert!(
        msg.starts_with("2 anomalies: first: nonlinearizable (key 1): read <script>"),
        "{msg}"
    );
    let text = f.text().unwrap();
    assert!(
        text.contains("#1 nonlinearizable (key 1)") && text.contains("#2 nonlinearizable (key 2)")
    );
    assert!(
        text.contains("]]>") && text.contains("after a fence"),
        "{text}"
    );
    assert_eq!(c[1].attribute("name"), Some("termination [liveness]"));
    assert_eq!(child(1, "failure").attribute("type"), Some("liveness"));
    assert!(child(1, "failure")
        .attribute("message")
        .unwrap()
        .starts_with("1 anomaly: first: no-decision: instance 3"));
    let e = child(2, "error");
    assert_eq!(e.attribute("type"), Some("unknown"));
    assert!(e
        .attribute("message")
        .unwrap()
        .starts_with("unknown: out of time <script>"));
}

#[test]
fn hostile_values_are_escaped_and_control_characters_shown() {
    let mut r = fixtures::invalid();
    r.error = Some(format!("stopped {NASTY}"));
    let xml = render(&r, Path::new("store/<x>/1"));
    assert!(!xml.contains("<script>"), "{xml}");
    assert!(!xml.contains('\u{1}') && !xml.contains('\u{1b}'));
    let doc = Document::parse(&xml).expect("well-formed XML");
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(
        suite.attribute("name").unwrap(),
        "schism: evil <script>alert(1)</script> ]]> & \"q\" 'a' | `tick` \\u{0001}\\u{001b}[31m"
    );
    let run = cases(&doc).pop().unwrap();
    assert_eq!(run.attribute("name"), Some("run"));
    let e = run.children().find(|n| n.has_tag_name("error")).unwrap();
    assert_eq!(e.attribute("type"), Some("harness"));
    assert_eq!(suite.attribute("errors"), Some("2"));
}

#[test]
fn long_messages_are_cut() {
    let mut r = fixtures::invalid();
    r.checkers[0].anomalies[0].explanation = "x".repeat(5000);
    let xml = render(&r, Path::new("d"));
    let doc = Document::parse(&xml).unwrap();
    let f = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(f.attribute("message").unwrap().len() < MAX_MESSAGE + 10);
    assert!(f.text().unwrap().contains(&"x".repeat(5000)));
}

#[test]
fn the_count_includes_anomalies_not_listed() {
    let mut r = fixtures::invalid();
    r.checkers[0]
        .stats
        .insert("anomalies".into(), serde_json::json!(150));
    let xml = render(&r, Path::new("d"));
    assert!(xml.contains("message=\"150 anomalies: first: "), "{xml}");
}

#[test]
fn a_first_line_ending_in_a_colon_brings_the_next() {
    let mut r = fixtures::invalid();
    r.checkers[0].anomalies[0].explanation =
        "Key 1 is not linearizable. No order can place this one:\n  process 5: read -> 3\nmore"
            .into();
    let xml = render(&r, Path::new("d"));
    assert!(
        xml.contains("(key 1): Key 1 is not linearizable. No order can place this one: process 5: read -&gt; 3\""),
        "{xml}"
    );
}
