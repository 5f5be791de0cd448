//! Bounded work on hostile input: deep nesting, huge counts, endless templates, things
//! written twice. Each is bad input (exit 2) with an error naming the file and where.

use std::path::Path;

use crate::support::scenario_copy;
use crate::support::{headroom, root};

/// Runs headroom with `args`, expects `code`, returns stderr + stdout.
fn run(args: &[&std::ffi::OsStr], code: i32) -> String {
    let assert = headroom().args(args).assert().code(code);
    let out = assert.get_output();
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stderr),
        String::from_utf8_lossy(&out.stdout)
    )
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

#[test]
fn a_claim_nested_100000_deep_is_an_error_not_a_crash() {
    let work = tempfile::tempdir().unwrap();
    let expr = format!("{}1{}", "(".repeat(100_000), ")".repeat(100_000));
    let claim = format!(
        "claims: [\n        (id: \"deep\", quote: \"q\", refers_to: Arithmetic(expr: \"{expr}\"), claimed: 1.0, unit: \"x\"),"
    );
    let s = scenario_copy(
        work.path(),
        "learning-platform.ron",
        &[("claims: [", &claim)],
    );
    for command in ["audit", "validate"] {
        let text = run(&[os(command), s.as_os_str()], 2);
        assert!(
            text.contains("learning-platform.ron: claims[0].refers_to")
                && text.contains("nested deeper than 64 levels"),
            "{command}: {text}"
        );
    }
}

#[test]
fn ron_nested_100000_deep_is_an_error_not_a_crash() {
    let work = tempfile::tempdir().unwrap();
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let s = scenario_copy(
        work.path(),
        "daadaar.ron",
        &[("claims: [", &format!("claims: [{deep}], // "))],
    );
    let text = run(&[os("validate"), s.as_os_str()], 2);
    assert!(text.contains("daadaar.ron:"), "{text}");
}

#[test]
fn a_100000_phase_ladder_is_refused() {
    let work = tempfile::tempdir().unwrap();
    // phases 1..=100,000 users: a valid ladder, far too long
    let phases: Vec<String> = (1..=100_000)
        .map(|i| format!("(name: \"p{i}\", users: {i})"))
        .collect();
    let growth = work.path().join("growth.ron");
    std::fs::write(&growth, format!("Ladder(phases: [{}])", phases.join(", "))).unwrap();
    let s = scenario_copy(
        work.path(),
        "daadaar.ron",
        &[(
            &format!("{}/models/growth/default-ladder.ron", root().display()),
            &growth.display().to_string(),
        )],
    );
    let text = run(&[os("validate"), s.as_os_str()], 2);
    assert!(
        text.contains("growth.ron: phases: 100000 phases; at most 1000 are allowed"),
        "{text}"
    );
    // the same limit inline names the scenario's field
    let inline = scenario_copy(
        work.path(),
        "daadaar.ron",
        &[(
            "growth: File(\"",
            &format!(
                "growth: Inline(Ladder(phases: [{}])),\n    // was: File(\"",
                phases[..1001].join(", ")
            ),
        )],
    );
    let text = run(&[os("validate"), inline.as_os_str()], 2);
    assert!(
        text.contains("daadaar.ron: growth.Inline.phases: 1001 phases; at most 1000"),
        "{text}"
    );
}

#[test]
fn timeline_months_and_draws_are_bounded() {
    let text = run(
        &[
            os("timeline"),
            os("scenarios/saas-10b.ron"),
            os("--months"),
            os("100000"),
        ],
        2,
    );
    assert!(
        text.contains("saas-10b.ron: --months: 100000 months; at most 1200"),
        "{text}"
    );
    let text = run(
        &[
            os("plan"),
            os("scenarios/saas-10b.ron"),
            os("--draws"),
            os("1000000000"),
        ],
        2,
    );
    assert!(text.contains("between 1 and 100,000,000"), "{text}");
}

fn templates_dir(dir: &Path, report_md: &str) -> std::path::PathBuf {
    let t = dir.join("templates");
    std::fs::create_dir_all(&t).unwrap();
    std::fs::write(t.join("report.md.j2"), report_md).unwrap();
    t
}

#[test]
fn an_endless_template_stops_with_an_error_naming_it() {
    let work = tempfile::tempdir().unwrap();
    let t = templates_dir(
        work.path(),
        "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}\n",
    );
    let out = work.path().join("out");
    let started = std::time::Instant::now();
    let text = run(
        &[
            os("plan"),
            os("scenarios/saas-10b.ron"),
            os("--format"),
            os("report"),
            os("--templates"),
            t.as_os_str(),
            os("--out"),
            out.as_os_str(),
        ],
        2,
    );
    assert!(
        text.contains("report.md.j2") && text.contains("does a loop run far too long"),
        "{text}"
    );
    assert!(started.elapsed().as_secs() < 60, "{:?}", started.elapsed());
    assert!(!out.join("saas-10b").exists(), "wrote output");
}

#[test]
fn a_template_that_does_not_parse_is_bad_input() {
    let work = tempfile::tempdir().unwrap();
    let t = templates_dir(work.path(), "ok\n{% for x in %}\n");
    let text = run(
        &[
            os("plan"),
            os("scenarios/saas-10b.ron"),
            os("--templates"),
            t.as_os_str(),
            os("--out"),
            work.path().join("out").as_os_str(),
        ],
        2,
    );
    assert!(text.contains("report.md.j2:2"), "{text}");
}

#[test]
fn an_item_listed_twice_in_fixed_lines_is_refused_at_its_line() {
    let work = tempfile::tempdir().unwrap();
    let s = scenario_copy(
        work.path(),
        "daadaar.ron",
        &[(
            "policy: Fixed(lines: [(item: \"alb\", count: 1, service: \"alb\", price_item: \"hour\")]),",
            "policy: Fixed(lines: [\n                (item: \"alb\", count: 1, service: \"alb\", price_item: \"hour\"),\n                (item: \"alb\", count: 5, service: \"alb\", price_item: \"hour\"),\n            ]),",
        )],
    );
    let line = line_of(&s, "(item: \"alb\", count: 5");
    let text = run(&[os("plan"), s.as_os_str()], 2);
    assert!(
        text.contains(&format!("daadaar.ron:{line}:"))
            && text.contains("item `alb` is listed twice in component `alb`"),
        "{text}"
    );
}

#[test]
fn a_map_key_written_twice_is_refused_at_its_line() {
    let work = tempfile::tempdir().unwrap();
    let s = scenario_copy(
        work.path(),
        "learning-platform.ron",
        &[(
            "\"*\": {\"master\": 3, \"replica\": 3, \"sentinel\": 3, \"clusters\": 1, \"node-volume\": 120},",
            "\"*\": {\"master\": 3, \"replica\": 3, \"sentinel\": 3, \"clusters\": 1, \"node-volume\": 120, \"master\": 9},",
        )],
    );
    let line = line_of(&s, "\"master\": 9");
    let text = run(&[os("validate"), s.as_os_str()], 2);
    assert!(
        text.contains(&format!("learning-platform.ron:{line}:"))
            && text.contains("duplicate key \"master\""),
        "{text}"
    );
}

#[test]
fn an_instance_listed_twice_in_the_catalog_is_refused_at_its_line() {
    let work = tempfile::tempdir().unwrap();
    let catalog = work.path().join("instances.csv");
    let mut text =
        std::fs::read_to_string(root().join("models/catalog/aws-instances.csv")).unwrap();
    let m5 = text.lines().nth(1).unwrap().replace(",2,8,", ",64,512,");
    let lines = text.lines().count();
    text.push_str(&m5);
    text.push('\n');
    std::fs::write(&catalog, text).unwrap();
    let s = scenario_copy(
        work.path(),
        "saas-10b.ron",
        &[(
            &format!("{}/models/catalog/aws-instances.csv", root().display()),
            &catalog.display().to_string(),
        )],
    );
    let out = run(&[os("plan"), s.as_os_str()], 2);
    assert!(
        out.contains(&format!("instances.csv:{}:", lines + 1))
            && out.contains("instance `m5.large` is listed twice (first at line 2)"),
        "{out}"
    );
}

#[test]
fn validate_checks_the_uncertainty_section() {
    let work = tempfile::tempdir().unwrap();
    for (from, to, want) in [
        (
            "LogNormal(p10: 140, p90: 320)",
            "LogNormal(p10: 320, p90: 140)",
            "expected 0 < p10 < p90",
        ),
        (
            "\"workload.dau_ratio\": Pert",
            "\"workload.dau_ration\": Pert",
            "dau_ration",
        ),
    ] {
        let s = scenario_copy(work.path(), "saas-10b.ron", &[(from, to)]);
        let text = run(&[os("validate"), s.as_os_str()], 2);
        assert!(
            text.contains("saas-10b.ron: uncertainty.inputs") && text.contains(want),
            "{text}"
        );
    }
}

/// A copy of `pricing/aws` under `root/aws`.
fn tables_copy(root_dir: &Path) -> std::path::PathBuf {
    let tables = root_dir.join("aws");
    std::fs::create_dir_all(&tables).unwrap();
    for entry in std::fs::read_dir(root().join("pricing/aws")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, tables.join(path.file_name().unwrap())).unwrap();
    }
    tables
}

#[test]
fn a_price_key_in_two_files_names_both_with_lines() {
    let work = tempfile::tempdir().unwrap();
    let pricing = work.path().join("pricing");
    let tables = tables_copy(&pricing);
    let compute = std::fs::read_to_string(tables.join("compute.csv")).unwrap();
    let (line, row) = compute
        .lines()
        .enumerate()
        .find(|(_, l)| l.starts_with("ec2,m5.large,us-east-1,"))
        .unwrap();
    let header = compute.lines().next().unwrap();
    std::fs::write(
        tables.join("extra.csv"),
        format!("{header}\n{}\n", row.replace(",0.096,", ",0.5,")),
    )
    .unwrap();
    let text = run(
        &[
            os("pricing"),
            os("check"),
            os("--tables"),
            pricing.as_os_str(),
        ],
        1,
    );
    let compute_at = format!("{}:{}", tables.join("compute.csv").display(), line + 1);
    let extra_at = format!("{}:2", tables.join("extra.csv").display());
    assert!(
        text.contains("priced twice") && text.contains(&compute_at) && text.contains(&extra_at),
        "{text}"
    );
    // a bad row names its line
    std::fs::write(
        tables.join("extra.csv"),
        format!("{header}\nec2,x.large,us-east-1,hours,1,,,s,2026-01-01,high,\n"),
    )
    .unwrap();
    let text = run(
        &[
            os("pricing"),
            os("check"),
            os("--tables"),
            pricing.as_os_str(),
        ],
        1,
    );
    assert!(
        text.contains(&format!("{}:2:", tables.join("extra.csv").display()))
            && text.contains("unknown unit `hours`"),
        "{text}"
    );
}

#[test]
fn pricing_check_on_a_folder_without_tables_is_an_error() {
    let empty = tempfile::tempdir().unwrap();
    let text = run(
        &[
            os("pricing"),
            os("check"),
            os("--tables"),
            empty.path().as_os_str(),
        ],
        2,
    );
    assert!(text.contains("no price tables found"), "{text}");
    // one provider's folder instead of the folder above it
    let text = run(
        &[
            os("pricing"),
            os("check"),
            os("--tables"),
            os("pricing/aws"),
        ],
        2,
    );
    assert!(text.contains("pass the folder above it"), "{text}");
}

/// The 1-based number of the first line of `file` that contains `needle`.
fn line_of(file: &std::path::Path, needle: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{} has no `{needle}`", file.display()))
        + 1
}
