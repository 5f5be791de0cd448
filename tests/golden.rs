//! Golden outputs of every shipped scenario: any change in a number is a reviewed change.
//!
//! Snapshots live in `tests/snapshots/`. After an intended change, review and accept them:
//! `INSTA_UPDATE=always cargo test --test tests golden` (or `cargo insta review`), then read
//! the diff before committing. Under `CI=true` a mismatch fails and nothing is written.
//! plan.json is snapshotted without its derivation chains (they are covered by the explain
//! tests and would make the snapshots megabytes long); every number of every line is kept.

use serde_json::Value;

use crate::support::{headroom, shipped_scenarios};

fn strip_derivations(v: &mut Value) {
    match v {
        Value::Object(map) => {
            map.remove("derivation");
            map.remove("demand_derivation");
            for item in map.values_mut() {
                strip_derivations(item);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_derivations),
        _ => {}
    }
}

#[test]
fn shipped_scenarios_match_their_golden_outputs() {
    for scenario in shipped_scenarios() {
        let name = scenario.file_stem().unwrap().to_string_lossy().to_string();
        let out = tempfile::tempdir().unwrap();
        // a path relative to the repository root, so paths inside plan.json are stable
        headroom()
            .args(["plan", &format!("scenarios/{name}.ron"), "-q", "--out"])
            .arg(out.path())
            .assert()
            .success();
        let dir = out.path().join(&name);
        let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
        let mut plan: Value = serde_json::from_str(&read("plan.json")).unwrap();
        strip_derivations(&mut plan);
        insta::assert_snapshot!(
            format!("{name}__plan.json"),
            serde_json::to_string_pretty(&plan).unwrap()
        );
        insta::assert_snapshot!(format!("{name}__costs.csv"), read("costs.csv"));
        insta::assert_snapshot!(format!("{name}__summary.md"), read("summary.md"));
        // the Terraform variables infra repos consume: every phase and the declarations
        let mut tfvars = String::new();
        let tf_dir = dir.join("tfvars");
        let mut names: Vec<_> = std::fs::read_dir(&tf_dir)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        names.sort();
        for n in names {
            let n = n.to_string_lossy().to_string();
            if n.ends_with(".tfvars") || n == "variables.tf" {
                tfvars.push_str(&format!(
                    "### {n}\n{}\n",
                    std::fs::read_to_string(tf_dir.join(&n)).unwrap()
                ));
            }
        }
        insta::assert_snapshot!(format!("{name}__tfvars"), tfvars);
    }
}
