//! A corpus of broken scenarios (`tests/fixtures/bad/*.ron`): each must fail with exit code 2,
//! a message containing every `// expect:` line of the file, and no output written.

use crate::support::{files_under, headroom, root};

#[test]
fn every_broken_scenario_fails_cleanly() {
    let dir = root().join("tests/fixtures/bad");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ron"))
        .collect();
    files.sort();
    assert!(files.len() >= 10, "the corpus has {} files", files.len());
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        let expects: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("// expect: "))
            .filter(|e| *e != "exit 2")
            .collect();
        assert!(
            !expects.is_empty(),
            "{} has no expectations",
            file.display()
        );
        let out_dir = tempfile::tempdir().unwrap();
        let output = headroom()
            .arg("plan")
            .arg(&file)
            .arg("--out")
            .arg(out_dir.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{}: {stderr}",
            file.display()
        );
        for expect in expects {
            assert!(
                stderr.contains(expect),
                "{}: expected `{expect}` in:\n{stderr}",
                file.display()
            );
        }
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(
            files_under(out_dir.path()).is_empty(),
            "{}: wrote output",
            file.display()
        );
        // validate reports the same problem
        let output = headroom().arg("validate").arg(&file).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "validate {}", file.display());
    }
}

#[test]
fn broken_price_table_names_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let tables = dir.path().join("pricing");
    std::fs::create_dir_all(&tables).unwrap();
    std::fs::write(
        tables.join("compute.csv"),
        "service,item,region,unit,price_usd,tier_start,tier_end,source,as_of,confidence,notes\n\
         ec2,m5.large,us-east-1,hour,0.096,,,src,2026-07-20,high,\n\
         ec2,m5.xlarge,us-east-1,hour,cheap,,,src,2026-07-20,high,\n",
    )
    .unwrap();
    let scenario = dir.path().join("s.ron");
    std::fs::write(
        &scenario,
        format!(
            "(name: \"s\", description: \"d\", growth: File(\"{root}/models/growth/default-ladder.ron\"), \
             workload: File(\"{root}/models/workload/saas.ron\"), \
             pricing: (provider: \"aws\", tables: \"pricing\", region: \"us-east-1\"), \
             regions: [(name: \"r\", user_share: 1.0, price_as: \"us-east-1\")], components: [(name: \"cdn\", policy: Cdn())])",
            root = root().display()
        ),
    )
    .unwrap();
    let output = headroom().arg("validate").arg(&scenario).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("compute.csv:3:"), "{stderr}");
    assert!(stderr.contains("price_usd"), "{stderr}");
}

#[test]
fn failed_run_leaves_previous_output_untouched() {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args(["plan", "scenarios/saas-10b.ron", "-q", "--out"])
        .arg(out.path())
        .assert()
        .success();
    let plan_path = out.path().join("saas-10b/plan.json");
    let before = std::fs::read(&plan_path).unwrap();
    // A broken copy of the same scenario (same name) must not touch the earlier output.
    let broken = out.path().join("broken.ron");
    let text = std::fs::read_to_string(root().join("scenarios/saas-10b.ron"))
        .unwrap()
        .replace("../models", &format!("{}/models", root().display()))
        .replace("../pricing", &format!("{}/pricing", root().display()))
        .replace("rps_per_pod: 500.0", "rps_per_pod: -500.0");
    std::fs::write(&broken, text).unwrap();
    headroom()
        .arg("plan")
        .arg(&broken)
        .arg("--out")
        .arg(out.path())
        .assert()
        .code(2);
    assert_eq!(std::fs::read(&plan_path).unwrap(), before);
}
