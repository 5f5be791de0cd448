//! Hardening: the same plan whatever the order of price rows, extreme inputs give finite
//! numbers or clear errors, never a panic.

use serde_json::Value;

use crate::support::{headroom, root};

/// Copies `pricing/aws` with every table's rows reversed and the rows of two files swapped
/// between files, so no row sits where it was.
fn shuffled_pricing(dir: &std::path::Path) {
    let src = root().join("pricing/aws");
    let mut files: Vec<_> = std::fs::read_dir(&src)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut all_rows = Vec::new();
    let mut header = String::new();
    for f in &files {
        // Discounts and the regional files (CDN geographies, price fallbacks) are not price
        // rows: copied as they are.
        let name = f.file_name().unwrap();
        if [
            "discounts.csv",
            "cdn-geographies.csv",
            "price-fallbacks.csv",
        ]
        .iter()
        .any(|n| name == *n)
        {
            std::fs::copy(f, dir.join(name)).unwrap();
            continue;
        }
        if f.extension().is_none_or(|x| x != "csv") {
            continue;
        }
        let text = std::fs::read_to_string(f).unwrap();
        let mut lines = text.lines();
        header = lines.next().unwrap().to_string();
        all_rows.extend(lines.map(String::from));
    }
    all_rows.reverse();
    // two files, rows interleaved: the same book, in another order and split
    let (mut a, mut b) = (vec![header.clone()], vec![header]);
    for (i, row) in all_rows.into_iter().enumerate() {
        if i % 2 == 0 { a.push(row) } else { b.push(row) }
    }
    std::fs::write(dir.join("zz.csv"), a.join("\n") + "\n").unwrap();
    std::fs::write(dir.join("aa.csv"), b.join("\n") + "\n").unwrap();
}

fn strip_paths(mut plan: Value) -> Value {
    plan["pricing"]["tables"] = Value::Null;
    plan["inputs"] = Value::Null;
    // The report compares the providers whose tables lie beside the scenario's (none beside
    // the shuffled copy): their unpriced-line warnings depend on the folder, not the rows.
    if let Some(warnings) = plan["warnings"].as_array_mut() {
        warnings.retain(|w| !w.as_str().is_some_and(|w| w.starts_with("providers: ")));
    }
    plan
}

#[test]
fn price_row_order_does_not_change_the_plan() {
    let work = tempfile::tempdir().unwrap();
    let tables = work.path().join("pricing");
    std::fs::create_dir_all(&tables).unwrap();
    shuffled_pricing(&tables);
    let scenario = std::fs::read_to_string(root().join("scenarios/saas-10b.ron"))
        .unwrap()
        .replace("../models", &format!("{}/models", root().display()))
        .replace("\"../pricing/aws\"", "\"pricing\"");
    std::fs::write(work.path().join("saas-10b.ron"), scenario).unwrap();
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    headroom()
        .args(["plan", "scenarios/saas-10b.ron", "-q", "--out"])
        .arg(a.path())
        .assert()
        .success();
    headroom()
        .arg("plan")
        .arg(work.path().join("saas-10b.ron"))
        .args(["-q", "--out"])
        .arg(b.path())
        .assert()
        .success();
    let read = |d: &tempfile::TempDir, f: &str| {
        std::fs::read_to_string(d.path().join("saas-10b").join(f)).unwrap()
    };
    assert_eq!(read(&a, "costs.csv"), read(&b, "costs.csv"));
    assert_eq!(read(&a, "by_component.csv"), read(&b, "by_component.csv"));
    let pa: Value = serde_json::from_str(&read(&a, "plan.json")).unwrap();
    let pb: Value = serde_json::from_str(&read(&b, "plan.json")).unwrap();
    assert!(
        strip_paths(pa) == strip_paths(pb),
        "plan.json differs beyond the table path"
    );
}

fn plan_with(sets: &[&str]) -> std::process::Output {
    let out = tempfile::tempdir().unwrap();
    let mut cmd = headroom();
    cmd.args(["plan", "scenarios/saas-10b.ron", "-q", "--out"])
        .arg(out.path());
    for s in sets {
        cmd.args(["--set", s]);
    }
    cmd.output().unwrap()
}

#[test]
fn ratios_at_zero_and_one_plan_cleanly() {
    for set in [
        "workload.dau_ratio=0",
        "workload.mau_ratio=0",
        "workload.read_fraction=0",
        "workload.read_fraction=1",
        "workload.cache_hit_ratio=1",
        "workload.cdn_byte_hit_ratio=1",
        "workload.peak_concurrency_ratio=1",
        "workload.cross_region_replication_share=0",
    ] {
        let output = plan_with(&[set]);
        assert!(
            output.status.success(),
            "{set}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

#[test]
fn no_daily_users_gives_null_per_dau_not_infinity() {
    let out = tempfile::tempdir().unwrap();
    headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "-q",
            "--set",
            "workload.dau_ratio=0",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success();
    let plan: Value = serde_json::from_str(
        &std::fs::read_to_string(out.path().join("saas-10b/plan.json")).unwrap(),
    )
    .unwrap();
    for phase in plan["phases"].as_array().unwrap() {
        assert!(phase["per_dau_usd"].is_null());
        assert!(
            phase["monthly_usd"].as_f64().unwrap() > 0.0,
            "HA floors still cost money"
        );
    }
}

#[test]
fn extreme_users_and_prices_stay_finite_or_fail_clearly() {
    // 1e12 users in a phase of its own
    let output = plan_with(&["growth.phases=[{\"name\": \"1T\", \"users\": 1000000000000}]"]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // beyond the limit: a clear error, exit 2
    let output = plan_with(&["growth.phases=[{\"name\": \"X\", \"users\": 2000000000000000000}]"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("users") && stderr.contains("must be between 1 and"),
        "{stderr}"
    );
    // a tiny and the largest accepted stated price
    for usd in ["1e-12", "1e9"] {
        let price = format!(
            "components.api.prices={{\"node\": {{\"usd\": {usd}, \"unit\": \"hour\", \"source\": \"test\"}}}}"
        );
        let output = plan_with(&[&price]);
        assert!(
            output.status.success(),
            "{usd}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    // a negative or absurd stated price is bad input
    for usd in ["-1", "1e12"] {
        let price = format!(
            "components.api.prices={{\"node\": {{\"usd\": {usd}, \"unit\": \"hour\", \"source\": \"x\"}}}}"
        );
        let output = plan_with(&[&price]);
        assert_eq!(output.status.code(), Some(2), "{usd}");
    }
}

/// Replays every saved fuzz input (crashes found by `scripts/fuzz` and hand-made seeds), each
/// in bounded time: a pipeline input renders every format in ~50 ms in release (the saved
/// crash once hung in the charts' log-axis ticks).
#[test]
fn saved_fuzz_inputs_do_not_crash() {
    let dir = root().join("tests/fixtures/fuzz");
    let mut replayed = 0;
    for (target, run) in [
        (
            "scenario_loader",
            headroom::fuzzing::scenario_bytes as fn(&[u8]),
        ),
        ("price_tables", headroom::fuzzing::price_bytes),
        // saved pipeline inputs replay through the superset, every format rendered
        ("pipeline", headroom::fuzzing::pipeline_render_bytes),
        ("pipeline_render", headroom::fuzzing::pipeline_render_bytes),
    ] {
        let Ok(entries) = std::fs::read_dir(dir.join(target)) else {
            continue;
        };
        let mut files: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        files.sort();
        for file in files
            .into_iter()
            .filter(|f| f.file_name().is_some_and(|n| n != ".keep"))
        {
            let start = std::time::Instant::now();
            run(&std::fs::read(&file).unwrap());
            let took = start.elapsed();
            assert!(
                took < std::time::Duration::from_secs(20),
                "{} took {took:?}",
                file.display()
            );
            replayed += 1;
        }
    }
    assert!(replayed >= 6, "only {replayed} saved fuzz inputs");
}

/// Phases and timeline months are planned in parallel: the thread count must not change a
/// byte of any output.
#[test]
fn outputs_do_not_depend_on_the_thread_count() {
    let mut runs = Vec::new();
    for threads in ["1", "3"] {
        let out = tempfile::tempdir().unwrap();
        for command in ["plan", "timeline"] {
            headroom()
                .env("RAYON_NUM_THREADS", threads)
                .args([command, "scenarios/saas-10b.ron", "-q", "--out"])
                .arg(out.path())
                .assert()
                .success();
        }
        let files = crate::support::files_under(out.path());
        let bytes: Vec<(String, Vec<u8>)> = files
            .iter()
            .map(|f| (f.clone(), std::fs::read(out.path().join(f)).unwrap()))
            .collect();
        runs.push(bytes);
    }
    assert!(
        runs[0].len() >= 7,
        "{:?}",
        runs[0].iter().map(|r| &r.0).collect::<Vec<_>>()
    );
    for ((name, a), (_, b)) in runs[0].iter().zip(&runs[1]) {
        assert!(a == b, "{name} differs between 1 and 3 threads");
    }
}

/// A scenario whose name is a path never writes outside the output folder, and files there
/// that headroom did not write survive.
#[test]
fn hostile_scenario_names_stay_inside_the_output_folder() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("keep-me.txt"), b"mine").unwrap();
    for name in ["../../escape", "/etc/headroom", "..", &"x".repeat(300)] {
        let text = std::fs::read_to_string(root().join("scenarios/saas-10b.ron"))
            .unwrap()
            .replace(
                "name: \"saas-10b\"",
                &format!("name: {}", serde_json::to_string(name).unwrap()),
            )
            .replace("../models", &format!("{}/models", root().display()))
            .replace("../pricing", &format!("{}/pricing", root().display()));
        let file = work.path().join("s.ron");
        std::fs::write(&file, text).unwrap();
        headroom()
            .arg("plan")
            .arg(&file)
            .args(["-q", "--out"])
            .arg(&out)
            .assert()
            .success();
    }
    // everything landed in folders directly under out/, nothing beside it
    let outside: Vec<String> = crate::support::files_under(work.path())
        .into_iter()
        .filter(|f| !f.starts_with("out/") && f != "s.ron")
        .collect();
    assert!(
        outside.is_empty(),
        "wrote outside the output folder: {outside:?}"
    );
    assert_eq!(std::fs::read(out.join("keep-me.txt")).unwrap(), b"mine");
    for f in crate::support::files_under(&out) {
        assert!(f.split('/').count() <= 3, "{f}");
        assert!(f.split('/').next().unwrap().len() <= 100, "{f}");
    }
}
