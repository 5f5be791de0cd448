//! Writing a scenario by hand: the spellings a newcomer reaches for are accepted, mistakes are
//! all reported at once, and `headroom init` / `headroom schema` give a start and a reference.

use crate::support::{headroom, root, scenario_copy};

/// `saas-10b` with its ladder and workload inline, written the way newcomers write them:
/// counts as float literals (`5e7`) and the workload struct in its own parentheses.
fn newcomer_spelling(dir: &std::path::Path, users_10m: &str) -> std::path::PathBuf {
    let workload = std::fs::read_to_string(root().join("models/workload/saas.ron")).unwrap();
    scenario_copy(
        dir,
        "saas-10b.ron",
        &[
            (
                "growth: File(\"",
                &format!(
                    "growth: Inline(Ladder(phases: [(name: \"1M\", users: 1.0e6), \
                     (name: \"10M\", users: {users_10m})])),\n    // was: File(\""
                ),
            ),
            (
                "workload: File(\"",
                &format!("workload: Inline({workload}),\n    // was: File(\""),
            ),
            ("policy: Postgres(", "policy: Postgres(("),
            (
                "headroom: 0.3,\n            ),\n            // Resharding",
                "headroom: 0.3,\n            )),\n            // Resharding",
            ),
            ("replicas_per_master: 1,", "replicas_per_master: 1e0,"),
        ],
    )
}

#[test]
fn float_counts_and_doubled_parentheses_plan() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = newcomer_spelling(dir.path(), "1e7");
    let out = dir.path().join("out");
    let output = headroom()
        .args(["plan", "-q", "--format", "json", "--out"])
        .arg(&out)
        .arg(&scenario)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("saas-10b/plan.json")).unwrap())
            .unwrap();
    let users: Vec<u64> = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["users"].as_u64().unwrap())
        .collect();
    // 1.0e6 and 1e7 read as the integers 1,000,000 and 10,000,000
    assert_eq!(users, [1_000_000, 10_000_000]);
}

#[test]
fn a_fractional_count_is_refused_at_its_position() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = newcomer_spelling(dir.path(), "12.5");
    let text = std::fs::read_to_string(&scenario).unwrap();
    // the line and column of `12.5` in the file as written (before any rewriting)
    let (line, col) = text
        .lines()
        .enumerate()
        .find_map(|(i, l)| l.find("12.5").map(|c| (i + 1, c + 1)))
        .unwrap();
    let output = headroom().arg("validate").arg(&scenario).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "saas-10b.ron:{line}:{col}: expected a whole number"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("growth.Inline.Ladder.phases[1].users"),
        "{stderr}"
    );
}

#[test]
fn every_problem_of_a_scenario_is_listed_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = scenario_copy(
        dir.path(),
        "saas-10b.ron",
        &[
            (
                "        region: \"us-east-1\",",
                "        regoin: \"us-east-1\",",
            ),
            ("mode: Cluster", "mode: Clustr"),
            ("rps_per_pod: 500.0", "rps_per_pod: \"500\""),
            ("min_read_replicas: 1,", "min_read_replicas: 1.5,"),
        ],
    );
    let text = std::fs::read_to_string(&scenario).unwrap();
    let text = text.replacen("    description: ", "    // description: ", 1);
    std::fs::write(&scenario, &text).unwrap();
    let line_of = |needle: &str| {
        text.lines()
            .position(|l| l.contains(needle))
            .map(|i| i + 1)
            .unwrap()
    };
    let output = headroom().arg("validate").arg(&scenario).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    let f = "saas-10b.ron";
    for expected in [
        format!("{f}:{}:9: unknown field `regoin` (did you mean `region`?)", line_of("regoin")),
        // the scenario's opening parenthesis, after the two comment lines
        format!("{f}:3:1: missing field `description`"),
        format!(
            "{f}:{}:", line_of("min_read_replicas: 1.5")
        ),
        "expected a whole number (a count), found the number 1.5 (at `components[0].policy.Postgres.min_read_replicas`)".to_string(),
        format!("{f}:{}:", line_of("Clustr")),
        "unknown variant `Clustr` (did you mean `Cluster`?)".to_string(),
        format!("{f}:{}:", line_of("rps_per_pod")),
        "expected a number, found the string \"500\" (at `components[3].policy.App.rps_per_pod`)".to_string(),
        "5 problems in all".to_string(),
    ] {
        assert!(stderr.contains(&expected), "no `{expected}` in:\n{stderr}");
    }
    // one problem per line of the message, each an `error:`
    assert_eq!(
        stderr.lines().filter(|l| l.starts_with("error: ")).count(),
        6,
        "{stderr}"
    );
}

#[test]
fn schema_prints_draft_2020_12_json_schemas() {
    let output = headroom().arg("schema").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert_eq!(schema["title"], "ScenarioFile");
    assert!(schema["properties"]["budget_usd_per_month"].is_object());
    let output = headroom().args(["schema", "growth"]).output().unwrap();
    let growth: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(growth["title"], "Growth");
    assert!(growth.to_string().contains("\"carrying_capacity\""));
    let output = headroom().args(["schema", "workload"]).output().unwrap();
    let workload: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        workload["properties"]["session_basis"]["$ref"],
        "#/$defs/SessionBasis"
    );
    let output = headroom().args(["schema", "catalog"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&output.stderr)
            .contains("expected one of: scenario, growth, workload")
    );
}

const BEGIN: &str = "<!-- fields:begin (generated by `headroom schema --markdown`) -->\n";
const END: &str = "<!-- fields:end -->";

/// The README's field reference is `headroom schema --markdown`, byte for byte. To regenerate:
/// `HEADROOM_UPDATE_README=1 cargo test --release --test tests readme_field_reference`.
#[test]
fn readme_field_reference_is_generated_from_the_code() {
    let output = headroom().args(["schema", "--markdown"]).output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    let generated = String::from_utf8(output.stdout).unwrap();
    let path = root().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let (before, rest) = readme
        .split_once(BEGIN)
        .expect("README has the fields:begin marker");
    let (current, after) = rest
        .split_once(END)
        .expect("README has the fields:end marker");
    if current == generated {
        return;
    }
    if std::env::var_os("HEADROOM_UPDATE_README").is_some() {
        std::fs::write(&path, format!("{before}{BEGIN}{generated}{END}{after}")).unwrap();
        return;
    }
    panic!(
        "README.md's field reference differs from `headroom schema --markdown` (a field was \
         added, renamed or re-documented); regenerate it with \
         `HEADROOM_UPDATE_README=1 cargo test --release --test tests readme_field_reference`"
    );
}

/// `headroom init NAME --template T` in an empty folder, then `plan` on what it wrote.
fn init_then_plan(template: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let pricing = root().join("pricing/aws");
    let output = headroom()
        .args(["init", "my-app", "--template", template, "--dir"])
        .arg(dir.path())
        .arg("--pricing")
        .arg(&pricing)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{template}: {stderr}");
    let file = dir.path().join("my-app.ron");
    let text = std::fs::read_to_string(&file).unwrap();
    let out = dir.path().join("out");
    let output = headroom()
        .args(["plan", "-q", "--format", "json", "--out"])
        .arg(&out)
        .arg(&file)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{template}: {stderr}");
    let plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("my-app/plan.json")).unwrap())
            .unwrap();
    let phases = plan["phases"].as_array().unwrap().len();
    (dir, format!("{phases}\n{text}"))
}

#[test]
fn init_minimal_writes_an_annotated_scenario_that_plans_as_written() {
    let (dir, planned) = init_then_plan("minimal");
    let (phases, text) = planned.split_once('\n').unwrap();
    // the minimal ladder: 10K, 100K, 1M
    assert_eq!(phases, "3");
    assert!(text.contains("name: \"my-app\""), "{text}");
    // growth and workload are in the file; only the price tables are outside it
    assert!(text.contains("    growth: Inline(Ladder("), "{text}");
    assert!(text.contains("    workload: Inline(("), "{text}");
    assert!(text.contains("// REQUIRED. Short name"), "{text}");
    // a second init keeps the file (exit 2) unless --force
    let again = || {
        let mut cmd = headroom();
        cmd.args(["init", "my-app", "--dir"])
            .arg(dir.path())
            .arg("--pricing")
            .arg(root().join("pricing/aws"));
        cmd
    };
    let output = again().output().unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("exists; pass --force"));
    let file = dir.path().join("my-app.ron");
    std::fs::write(&file, "edited").unwrap();
    let output = again().arg("--force").output().unwrap();
    assert_eq!(output.status.code(), Some(0));
    assert!(std::fs::read_to_string(&file).unwrap().contains("REQUIRED"));
}

#[test]
fn init_saas_plans_and_has_a_timeline() {
    let (dir, planned) = init_then_plan("saas");
    let (phases, text) = planned.split_once('\n').unwrap();
    assert_eq!(phases, "4");
    assert!(text.contains("Logistic("), "{text}");
    let output = headroom()
        .args(["timeline", "--out"])
        .arg(dir.path().join("out"))
        .arg(dir.path().join("my-app.ron"))
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn init_refuses_unknown_templates_and_missing_tables() {
    let dir = tempfile::tempdir().unwrap();
    let output = headroom()
        .args(["init", "x", "--template", "enterprise", "--dir"])
        .arg(dir.path())
        .arg("--pricing")
        .arg(root().join("pricing/aws"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("expected one of: minimal, saas"));
    let output = headroom()
        .args(["init", "x", "--dir"])
        .arg(dir.path())
        .arg("--pricing")
        .arg(dir.path().join("nowhere"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no price tables at"));
    // nothing written, not even the staged file
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
