//! Lamport's table, reproduced on real containers by `schism sweep`: OM(1) with one
//! traitor breaks the generals' promises with three nodes and keeps them with four
//! (n > 3m), over eight seeds each.

mod common;
use common::{schism, store, text};
use serde_json::Value;

#[test]
fn om_fails_at_three_nodes_and_holds_at_four_with_one_traitor() {
    let st = store("omtable", "sweep");
    let out = st.join("table");
    let o = schism(&[
        "sweep",
        "--system",
        "om",
        "--workload",
        "generals",
        "--param",
        "nodes=3,4",
        "--traitors",
        "1",
        "--test-count",
        "8",
        "--seed",
        "1",
        "--time-limit",
        "1",
        "--recovery",
        "0.3",
        "--nemesis",
        "none",
        "--store",
        st.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
    assert_eq!(o.status.code(), Some(0), "{said}");
    let sweep: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("sweep.json")).unwrap()).unwrap();
    let cell = |n: &str| {
        sweep["cells"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["params"]["nodes"] == n)
            .unwrap_or_else(|| panic!("no cell nodes={n}: {said}"))
            .clone()
    };
    let broken = |c: &Value| {
        ["ic1", "ic2"]
            .iter()
            .map(|k| c["checkers"][k]["invalid"].as_u64().unwrap_or(0))
            .sum::<u64>()
    };
    let (three, four) = (cell("3"), cell("4"));
    for c in [&three, &four] {
        assert_eq!(c["checkers"]["ic1"]["runs"], 8, "{said}");
        assert_eq!(c["errors"], 0, "{said}");
    }
    assert!(
        broken(&three) > 0,
        "no IC1 or IC2 violation at n = 3: {said}"
    );
    assert_eq!(broken(&four), 0, "a violation at n = 4: {said}");
    assert_eq!(four["invalid"], 0, "{said}");
    let md = std::fs::read_to_string(out.join("sweep.md")).unwrap();
    assert!(md.contains("| 3 |") && md.contains("| 4 |"), "{md}");
    let _ = std::fs::remove_dir_all(&st);
}
