//! Charts, Terraform variable files and the capacity report, each checked by a real consumer:
//! PNGs decoded, SVGs parsed as XML, tfvars parsed and evaluated by `hcl-rs` and parsed by
//! HashiCorp's own HCL parser (`@cdktf/hcl2json`, run with node), and `report.html` loaded in
//! headless Chromium. Every shipped scenario is rendered, plus `tests/fixtures/render/
//! hostile-names.ron`, whose names hold quotes, `${...}`, `%{...}`, HTML, unicode and newlines.
//!
//! node and chromium are installed by `scripts/test`; the tests that need them fail (they do
//! not skip) when they are missing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use headroom::plan::{Line, Plan};
use headroom::render::files::{Format, RenderOptions, plan_files};
use headroom::render::tfvars;
use serde_json::Value as Json;

use crate::support::{root, shipped_scenarios};

type Files = Vec<(String, Vec<u8>)>;

fn hostile_fixture() -> PathBuf {
    root().join("tests/fixtures/render/hostile-names.ron")
}

/// Every shipped scenario and the hostile-names fixture.
fn scenarios() -> Vec<PathBuf> {
    let mut all = shipped_scenarios();
    all.push(hostile_fixture());
    all
}

fn plan_of(scenario: &Path) -> Plan {
    headroom::commands::plan_scenario(scenario)
        .unwrap_or_else(|e| panic!("{}: {e}", scenario.display()))
}

fn render_all(plan: &Plan) -> Files {
    plan_files(plan, &RenderOptions::default()).unwrap_or_else(|e| panic!("{}: {e}", plan.scenario))
}

fn file<'a>(files: &'a Files, name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no file {name}"))
        .1
}

fn text<'a>(files: &'a Files, name: &str) -> &'a str {
    std::str::from_utf8(file(files, name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn write_all(dir: &Path, files: &Files) {
    for (name, bytes) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

fn lines_of(plan: &Plan, phase: usize) -> &[Line] {
    &plan.phases[phase].lines
}

#[test]
fn renders_every_format_byte_identically() {
    for scenario in scenarios() {
        let plan = plan_of(&scenario);
        let a = render_all(&plan);
        let b = render_all(&plan);
        assert!(a == b, "{}: two renders differ", scenario.display());
        let names: Vec<&str> = a.iter().map(|(n, _)| n.as_str()).collect();
        let mut expected = vec![
            "plan.json".to_string(),
            "costs.csv".into(),
            "by_component.csv".into(),
            "summary.md".into(),
            "report.html".into(),
            "report.md".into(),
            "tfvars/variables.tf".into(),
            "focus.csv".into(),
            "focus.parquet".into(),
            "costs.parquet".into(),
            "by_component.parquet".into(),
        ];
        for chart in headroom::render::charts::NAMES {
            expected.push(format!("charts/{chart}.svg"));
            expected.push(format!("charts/{chart}.png"));
        }
        for stem in tfvars::phase_file_stems(&plan) {
            expected.push(format!("tfvars/{stem}.tfvars"));
            expected.push(format!("tfvars/{stem}.tfvars.json"));
        }
        for name in &expected {
            assert!(
                names.contains(&name.as_str()),
                "{}: {name} missing",
                scenario.display()
            );
        }
        assert_eq!(names.len(), expected.len(), "{names:?}");
    }
}

#[test]
fn formats_choose_the_files() {
    let plan = plan_of(&root().join("scenarios/saas-10b.ron"));
    let only = |formats: Vec<Format>| -> Vec<String> {
        plan_files(
            &plan,
            &RenderOptions {
                formats,
                templates: None,
                ..Default::default()
            },
        )
        .unwrap()
        .into_iter()
        .map(|(n, _)| n)
        .collect()
    };
    assert_eq!(only(vec![Format::Json]), vec!["plan.json"]);
    assert_eq!(
        only(vec![Format::Csv, Format::Markdown]),
        vec!["costs.csv", "by_component.csv", "summary.md"]
    );
    let charts = only(vec![Format::Charts]);
    assert_eq!(charts.len(), 8);
    assert!(charts.iter().all(|n| n.starts_with("charts/")));
    let tf = only(vec![Format::Tfvars]);
    assert_eq!(tf.len(), 2 * plan.phases.len() + 1);
    // The report alone still embeds the charts, and its Markdown then links no chart files.
    let report = plan_files(
        &plan,
        &RenderOptions {
            formats: vec![Format::Report],
            templates: None,
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(report.len(), 2);
    assert_eq!(text(&report, "report.html").matches("<svg").count(), 4);
    assert!(!text(&report, "report.md").contains("](charts/"));
    let all = render_all(&plan);
    assert!(text(&all, "report.md").contains("](charts/cost_by_component.svg)"));
}

/// Pixels that are not (near) white.
fn ink(pixels: &image::RgbImage) -> usize {
    pixels
        .pixels()
        .filter(|p| p.0.iter().any(|c| *c < 235))
        .count()
}

#[test]
fn every_png_decodes_with_text_and_data() {
    for scenario in scenarios() {
        let plan = plan_of(&scenario);
        let files = plan_files(
            &plan,
            &RenderOptions {
                formats: vec![Format::Charts],
                templates: None,
                ..Default::default()
            },
        )
        .unwrap();
        for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".png")) {
            let what = format!("{}: {name}", scenario.display());
            assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{what}");
            let img = image::load_from_memory_with_format(bytes, image::ImageFormat::Png)
                .unwrap_or_else(|e| panic!("{what}: {e}"))
                .to_rgb8();
            assert_eq!(
                img.dimensions(),
                (
                    headroom::render::charts::WIDTH,
                    headroom::render::charts::HEIGHT
                ),
                "{what}"
            );
            let total = (img.width() * img.height()) as usize;
            let inked = ink(&img);
            assert!(
                inked * 50 > total && inked * 2 < total,
                "{what}: {inked} of {total} pixels inked"
            );
            let mut colours: Vec<[u8; 3]> = img.pixels().map(|p| p.0).collect();
            colours.sort_unstable();
            colours.dedup();
            assert!(colours.len() >= 8, "{what}: {} colours", colours.len());
            // The title is drawn (text renders without system fonts): dark pixels in its band.
            let title_ink = (8..40)
                .flat_map(|y| (150..650).map(move |x| (x, y)))
                .filter(|(x, y)| img.get_pixel(*x, *y).0.iter().all(|c| *c < 80))
                .count();
            assert!(
                title_ink > 150,
                "{what}: title band has {title_ink} dark pixels"
            );
        }
    }
}

#[test]
fn every_svg_parses_as_xml_with_titles_and_legends() {
    for scenario in scenarios() {
        let plan = plan_of(&scenario);
        let files = plan_files(
            &plan,
            &RenderOptions {
                formats: vec![Format::Charts],
                templates: None,
                ..Default::default()
            },
        )
        .unwrap();
        for (name, bytes) in files.iter().filter(|(n, _)| n.ends_with(".svg")) {
            let what = format!("{}: {name}", scenario.display());
            let source = std::str::from_utf8(bytes).unwrap();
            let doc = roxmltree::Document::parse(source).unwrap_or_else(|e| panic!("{what}: {e}"));
            assert_eq!(doc.root_element().tag_name().name(), "svg", "{what}");
            let texts: Vec<String> = doc
                .descendants()
                .filter(|n| n.has_tag_name("text"))
                .map(|n| n.text().unwrap_or_default().trim().to_string())
                .collect();
            assert!(
                texts
                    .iter()
                    .any(|t| t.ends_with(&format!(": {}", plan.scenario))),
                "{what}: no title naming the scenario in {texts:?}"
            );
            assert!(
                texts.iter().any(|t| t.contains("Users (log scale)")),
                "{what}"
            );
            if name.contains("cost_by_component") {
                // The legend names every component (shortened past 34 characters).
                for c in &plan.phases[0].components {
                    let shown: String = c.component.chars().take(33).collect();
                    assert!(
                        texts.iter().any(|t| t.starts_with(&shown)),
                        "{what}: legend lacks {}",
                        c.component
                    );
                }
                // Tick labels read as money.
                assert!(texts.iter().any(|t| t.starts_with('$')), "{what}");
            }
            let shapes = doc
                .descendants()
                .filter(|n| n.has_tag_name("rect") || n.has_tag_name("polyline"))
                .count();
            assert!(shapes > 3, "{what}: {shapes} shapes");
        }
    }
}

/// Evaluates every attribute of an HCL body (no variables, no functions: what Terraform does
/// with a variables file) into JSON.
fn evaluate_tfvars(source: &str, what: &str) -> Json {
    use hcl::eval::{Context, Evaluate};
    let body = hcl::parse(source).unwrap_or_else(|e| panic!("{what}: hcl-rs: {e}"));
    assert_eq!(body.blocks().count(), 0, "{what}: blocks in a tfvars file");
    let ctx = Context::new();
    let mut out = serde_json::Map::new();
    for attr in body.attributes() {
        let value = attr
            .expr()
            .evaluate(&ctx)
            .unwrap_or_else(|e| panic!("{what}: {}: {e}", attr.key()));
        let previous = out.insert(attr.key().to_string(), serde_json::to_value(value).unwrap());
        assert!(previous.is_none(), "{what}: {} set twice", attr.key());
    }
    Json::Object(out)
}

fn count_at(value: &Json, path: &[&str]) -> Option<u64> {
    let mut v = value;
    for p in path {
        v = v.get(*p)?;
    }
    v.as_u64()
}

/// The attribute a kind's line is written under in its `<kind>_...` variable (spot checks).
fn kind_attr(kind: &str, item: &str) -> Option<(&'static str, &'static str)> {
    Some(match (kind, item) {
        ("Postgres", "shards") => ("postgres_clusters", "shard_count"),
        ("Postgres", "primary") => ("postgres_clusters", "primary_count"),
        ("Postgres", "read-replica") => ("postgres_clusters", "read_replica_count"),
        ("PgBouncer", "default-pool-size") => ("pgbouncer_pools", "default_pool_size"),
        ("PgBouncer", "max-client-conn") => ("pgbouncer_pools", "max_client_conn"),
        ("PgBouncer", "pooler") => ("pgbouncer_pools", "pooler_count"),
        ("Redis", "master") => ("redis_clusters", "master_count"),
        ("Redis", "replica") => ("redis_clusters", "replica_count"),
        ("App", "node") => ("app_clusters", "node_count"),
        ("App", "hpa-min") => ("app_clusters", "hpa_min_replicas"),
        ("App", "hpa-max") => ("app_clusters", "hpa_max_replicas"),
        ("Kafka", "broker") => ("kafka_clusters", "broker_count"),
        ("Kafka", "partitions") => ("kafka_clusters", "partition_count"),
        _ => return None,
    })
}

/// The tfvars values of a phase agree with the plan.
fn check_against_plan(plan: &Plan, phase: usize, values: &Json, what: &str) {
    let p = &plan.phases[phase];
    assert_eq!(
        values["headroom_scenario"],
        plan.scenario.as_str(),
        "{what}"
    );
    assert_eq!(values["headroom_phase"], p.name.as_str(), "{what}");
    assert_eq!(values["users"].as_u64(), Some(p.users), "{what}");
    assert_eq!(
        values["tags"]["headroom:scenario"],
        plan.scenario.as_str(),
        "{what}"
    );
    assert_eq!(values["tags"]["headroom:phase"], p.name.as_str(), "{what}");
    if let Some(source) = &plan.source {
        assert_eq!(values["tags"]["headroom:source"], source.as_str(), "{what}");
    }
    let regions: Vec<&str> = plan.regions.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(values["regions"], serde_json::json!(regions), "{what}");
    for r in &plan.regions {
        assert_eq!(
            values["region_user_shares"][&r.name].as_f64(),
            Some(r.user_share),
            "{what}"
        );
    }
    assert_eq!(
        values["monthly_budget_usd"].as_f64(),
        Some(p.monthly_usd),
        "{what}"
    );
    for c in &p.components {
        assert_eq!(
            values["component_monthly_usd"][&c.component].as_f64(),
            Some(c.monthly_usd),
            "{what}"
        );
    }
    let mut checked = 0;
    for line in lines_of(plan, phase) {
        let at = format!("{what}: {}/{}", line.component, line.item);
        assert_eq!(
            count_at(values, &["component_counts", &line.component, &line.item]),
            Some(line.count),
            "{at}"
        );
        if let Some((variable, attr)) = kind_attr(&line.kind, &line.item) {
            assert_eq!(
                count_at(values, &[variable, &line.component, attr]),
                Some(line.count),
                "{at}"
            );
            for (region, count) in &line.regions {
                assert_eq!(
                    count_at(
                        values,
                        &[variable, &line.component, "regions", region, attr]
                    ),
                    Some(*count),
                    "{at} in {region}"
                );
            }
            if let Some(instance) = &line.instance {
                assert_eq!(
                    values[variable][&line.component]["instance_type"],
                    instance.as_str(),
                    "{at}"
                );
            }
            checked += 1;
        }
        if line.kind == "ObjectStorage" {
            assert_eq!(
                count_at(
                    values,
                    &[
                        "object_storage_buckets",
                        &line.component,
                        "storage_gb_by_class",
                        &line.item
                    ]
                ),
                Some(line.count),
                "{at}"
            );
        }
    }
    let kinds_with_attrs = lines_of(plan, phase)
        .iter()
        .filter(|l| kind_attr(&l.kind, &l.item).is_some())
        .count();
    assert_eq!(checked, kinds_with_attrs);
}

#[test]
fn tfvars_round_trip_through_hcl_rs_and_match_the_plan() {
    for scenario in scenarios() {
        let plan = plan_of(&scenario);
        let files = render_all(&plan);
        let stems = tfvars::phase_file_stems(&plan);
        let declared = hcl::parse(text(&files, "tfvars/variables.tf"))
            .unwrap_or_else(|e| panic!("{}: variables.tf: {e}", scenario.display()));
        let expected = tfvars::variables(&plan, &plan.phases[0]);
        let mut names = Vec::new();
        for block in declared.blocks() {
            assert_eq!(block.identifier(), "variable");
            let name = block.labels()[0].as_str().to_string();
            let body = block.body();
            let description = body
                .attributes()
                .find(|a| a.key() == "description")
                .unwrap_or_else(|| panic!("{name}: no description"));
            let want = expected.iter().find(|v| v.name == name).unwrap();
            {
                use hcl::eval::{Context, Evaluate};
                let got = description.expr().evaluate(&Context::new()).unwrap();
                assert_eq!(got, hcl::Value::from(want.description.clone()), "{name}");
            }
            assert!(
                body.attributes().any(|a| a.key() == "type"),
                "{name}: no type"
            );
            names.push(name);
        }
        if scenario == hostile_fixture() {
            // One Redis component has Sentinel lines, the other not.
            assert!(
                // (attribute names are aligned: any spaces before the `=`)
                text(&files, "tfvars/variables.tf").lines().any(|l| {
                    l.trim_start().starts_with("sentinel_count ")
                        && l.trim_end().ends_with("= optional(number)")
                }),
                "{}",
                text(&files, "tfvars/variables.tf")
            );
        }
        for (i, stem) in stems.iter().enumerate() {
            let what = format!("{}: {stem}", scenario.display());
            let hcl_values = evaluate_tfvars(text(&files, &format!("tfvars/{stem}.tfvars")), &what);
            let json_values: Json =
                serde_json::from_slice(file(&files, &format!("tfvars/{stem}.tfvars.json")))
                    .unwrap_or_else(|e| panic!("{what}.tfvars.json: {e}"));
            assert_eq!(
                hcl_values, json_values,
                "{what}: .tfvars and .tfvars.json differ"
            );
            let mut keys: Vec<&str> = json_values
                .as_object()
                .unwrap()
                .keys()
                .map(String::as_str)
                .collect();
            let mut declared_names: Vec<&str> = names.iter().map(String::as_str).collect();
            keys.sort_unstable();
            declared_names.sort_unstable();
            assert_eq!(keys, declared_names, "{what}: every value is declared");
            check_against_plan(&plan, i, &json_values, &what);
        }
    }
}

/// `s` as HCL's JSON syntax writes a literal string: template sequences doubled.
fn template_escaped(s: &str) -> String {
    s.replace("${", "$${").replace("%{", "%%{")
}

fn escape_strings(v: &Json) -> Json {
    match v {
        Json::String(s) => Json::String(template_escaped(s)),
        Json::Array(items) => Json::Array(items.iter().map(escape_strings).collect()),
        // Object keys are templates too in HCL's JSON form.
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (template_escaped(k), escape_strings(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Runs a command with a time limit; returns (status ok, stdout, stderr).
fn run_with_timeout(cmd: &mut Command, limit: Duration, what: &str) -> (bool, Vec<u8>, String) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!("{what}: cannot start it ({e}); scripts/test installs it, run that first")
        });
    let stdout = child.stdout.take().unwrap();
    let stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut { stdout }, &mut buf).ok();
        buf
    });
    let err_reader = std::thread::spawn(move || {
        let mut buf = Vec::new();
        std::io::Read::read_to_end(&mut { stderr }, &mut buf).ok();
        String::from_utf8_lossy(&buf).into_owned()
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > limit {
            child.kill().ok();
            child.wait().ok();
            panic!("{what}: still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    (
        status.success(),
        out_reader.join().unwrap(),
        err_reader.join().unwrap(),
    )
}

/// Parses files with HashiCorp's HCL parser (through node and @cdktf/hcl2json).
fn hashicorp_parse(files: &[PathBuf]) -> BTreeMap<String, Json> {
    let script = root().join("tests/js/hcl2json.js");
    assert!(
        root()
            .join("tests/js/node_modules/@cdktf/hcl2json")
            .is_dir(),
        "@cdktf/hcl2json is not installed in tests/js/node_modules: run scripts/test (it runs npm ci there)"
    );
    let mut cmd = Command::new("node");
    cmd.arg(&script).args(files);
    let (ok, stdout, stderr) = run_with_timeout(&mut cmd, Duration::from_secs(120), "node");
    assert!(ok, "HashiCorp's HCL parser rejected a file: {stderr}");
    serde_json::from_slice(&stdout).expect("hcl2json prints JSON")
}

#[test]
fn tfvars_parse_with_hashicorps_hcl_parser() {
    let dir = tempfile::tempdir().unwrap();
    let mut to_parse = Vec::new();
    // (path, expected parse: the JSON values with template sequences escaped)
    let mut expected: Vec<(PathBuf, Json)> = Vec::new();
    let mut descriptions: Vec<(PathBuf, Vec<tfvars::Variable>)> = Vec::new();
    for (n, scenario) in scenarios().iter().enumerate() {
        let plan = plan_of(scenario);
        let files = plan_files(
            &plan,
            &RenderOptions {
                formats: vec![Format::Tfvars],
                templates: None,
                ..Default::default()
            },
        )
        .unwrap();
        let out = dir.path().join(n.to_string());
        write_all(&out, &files);
        for stem in tfvars::phase_file_stems(&plan) {
            let path = out.join(format!("tfvars/{stem}.tfvars"));
            let json: Json = serde_json::from_slice(
                &std::fs::read(out.join(format!("tfvars/{stem}.tfvars.json"))).unwrap(),
            )
            .unwrap();
            expected.push((path.clone(), escape_strings(&json)));
            to_parse.push(path);
        }
        let variables = out.join("tfvars/variables.tf");
        descriptions.push((variables.clone(), tfvars::variables(&plan, &plan.phases[0])));
        to_parse.push(variables);
    }
    let parsed = hashicorp_parse(&to_parse);
    assert_eq!(parsed.len(), to_parse.len());
    for (path, want) in &expected {
        let got = &parsed[&path.display().to_string()];
        assert_eq!(got, want, "{}", path.display());
    }
    for (path, variables) in &descriptions {
        let got = &parsed[&path.display().to_string()]["variable"];
        for v in variables {
            let block = &got[&v.name][0];
            assert_eq!(
                block["description"],
                Json::String(template_escaped(&v.description)),
                "{}: {}",
                path.display(),
                v.name
            );
            assert!(block["type"].is_string(), "{}: {}", path.display(), v.name);
        }
        assert_eq!(got.as_object().unwrap().len(), variables.len());
    }
}

#[test]
fn report_is_self_contained_and_escaped() {
    for scenario in scenarios() {
        let plan = plan_of(&scenario);
        let files = render_all(&plan);
        let html = text(&files, "report.html");
        let what = scenario.display().to_string();
        assert!(html.starts_with("<!DOCTYPE html>"), "{what}");
        assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none'"));
        for fetch in [
            "<script",
            "<link",
            " src=",
            "url(",
            "@import",
            "href=\"http",
        ] {
            assert!(!html.contains(fetch), "{what}: report.html has {fetch}");
        }
        assert_eq!(html.matches("<figure id=\"chart-").count(), 4, "{what}");
        assert_eq!(html.matches("<svg ").count(), 4, "{what}");
        for phase in &plan.phases {
            assert!(
                html.contains(&format!("({} lines)", phase.lines.len())),
                "{what}: derivations of {}",
                phase.name
            );
        }
        let md = text(&files, "report.md");
        assert!(md.starts_with("# Capacity report: "), "{what}");
        assert!(md.contains("## Prices used") && md.contains("## Derivations"));
        // Every price's source and date is in both.
        for line in plan
            .phases
            .iter()
            .flat_map(|p| &p.lines)
            .filter(|l| l.billed)
        {
            assert!(
                html.contains(&line.price_as_of),
                "{what}: {}",
                line.price_as_of
            );
            assert!(
                md.contains(&line.price_as_of),
                "{what}: {}",
                line.price_as_of
            );
        }
    }
    let plan = plan_of(&hostile_fixture());
    let files = render_all(&plan);
    let html = text(&files, "report.html");
    assert!(
        !html.contains("<script>alert"),
        "unescaped HTML from the plan"
    );
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;"));
    assert!(!html.contains("<b>bold</b>"));
    let md = text(&files, "report.md");
    assert!(!md.contains("<script>") && !md.contains("<b>"));
    assert!(md.contains("&lt;script&gt;"));
    // A name with a pipe does not split its Markdown table cell.
    assert!(md.contains("fixed \\`tick\\` \\*star\\* \\| pipe"));
}

fn chromium_binary() -> &'static str {
    for candidate in ["chromium", "chromium-browser"] {
        if Command::new(candidate)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
        {
            return candidate;
        }
    }
    panic!("chromium is not installed: scripts/test installs it (apt-get install chromium)");
}

/// Loads `page` in headless Chromium: (DOM, console messages, screenshot PNG).
fn chromium_load(page: &Path, width: u32, height: u32) -> (String, Vec<String>, Vec<u8>) {
    let browser = chromium_binary();
    let profile = tempfile::tempdir().unwrap();
    let shot = profile.path().join("shot.png");
    let url = format!("file://{}", page.display());
    let common = |cmd: &mut Command, profile_dir: &Path| {
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile_dir.display()));
    };
    let dom_profile = profile.path().join("dom");
    let mut cmd = Command::new(browser);
    common(&mut cmd, &dom_profile);
    cmd.arg("--dump-dom").arg(&url);
    let (ok, dom, log) = run_with_timeout(&mut cmd, Duration::from_secs(120), "chromium");
    assert!(ok, "chromium --dump-dom failed: {log}");
    let shot_profile = profile.path().join("shot");
    let mut cmd = Command::new(browser);
    common(&mut cmd, &shot_profile);
    cmd.arg(format!("--screenshot={}", shot.display()))
        .arg(format!("--window-size={width},{height}"))
        .arg(&url);
    let (ok, _, shot_log) = run_with_timeout(&mut cmd, Duration::from_secs(120), "chromium");
    assert!(ok, "chromium --screenshot failed: {shot_log}");
    let console: Vec<String> = log
        .lines()
        .chain(shot_log.lines())
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    let png = std::fs::read(&shot).expect("chromium wrote the screenshot");
    (String::from_utf8_lossy(&dom).into_owned(), console, png)
}

#[test]
fn report_renders_in_headless_chromium() {
    // The console check sees errors: a page that logs one is caught.
    let control = tempfile::tempdir().unwrap();
    let bad = control.path().join("bad.html");
    std::fs::write(
        &bad,
        "<!DOCTYPE html><html><body><p>x</p><script>console.error('planted')</script></body></html>",
    )
    .unwrap();
    let (_, console, _) = chromium_load(&bad, 400, 300);
    assert!(
        console.iter().any(|l| l.contains("planted")),
        "console messages are not seen: {console:?}"
    );

    for scenario in [root().join("scenarios/saas-10b.ron"), hostile_fixture()] {
        let plan = plan_of(&scenario);
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &render_all(&plan));
        let (width, height) = (1280, 2600);
        let (dom, console, png) = chromium_load(&dir.path().join("report.html"), width, height);
        let what = scenario.display().to_string();
        assert!(console.is_empty(), "{what}: console messages: {console:#?}");
        // The DOM has the charts, the tables and every section.
        assert_eq!(dom.matches("<figure id=\"chart-").count(), 4, "{what}");
        assert_eq!(dom.matches("<svg ").count(), 4, "{what}");
        for section in [
            "summary",
            "costs",
            "charts",
            "phases",
            "demand",
            "pins",
            "prices",
            "inputs",
            "warnings",
            "derivations",
        ] {
            assert!(
                dom.contains(&format!("<section id=\"{section}\">")),
                "{what}: {section}"
            );
        }
        assert!(dom.contains("<h1>Capacity report: "), "{what}");
        // The screenshot is the page, drawn: not blank, and the first chart's colours show.
        let img = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap()
            .to_rgb8();
        assert_eq!(img.dimensions(), (width, height), "{what}");
        let inked = ink(&img);
        let total = (width * height) as usize;
        assert!(
            inked * 20 > total,
            "{what}: only {inked} of {total} pixels inked"
        );
        // Chart bars in the palette's first colour (31, 119, 180).
        let chart_blue = img
            .pixels()
            .filter(|p| {
                let [r, g, b] = p.0;
                r.abs_diff(31) < 12 && g.abs_diff(119) < 12 && b.abs_diff(180) < 12
            })
            .count();
        assert!(chart_blue > 2_000, "{what}: {chart_blue} chart-blue pixels");
    }
}

/// Where each cost table's total column sits at a 1,400 px wide window, at first and scrolled
/// all the way right: one `(section, box left, box right, total left, total right)` per table
/// and position, from a probe script run in headless Chromium on a copy of the report (the
/// report's own Content-Security-Policy forbids scripts, so the copy drops it; layout does not
/// depend on it).
fn total_columns_at(report: &Path, width: u32) -> Vec<(String, f64, f64, f64, f64)> {
    let html = std::fs::read_to_string(report).unwrap();
    let csp_start = html
        .find("<meta http-equiv=\"Content-Security-Policy\"")
        .unwrap();
    let csp_end = csp_start + html[csp_start..].find('>').unwrap() + 1;
    let probe = r#"<script>
const rows = [];
for (const table of document.querySelectorAll('#costs table, #phases table')) {
  const box = table.parentElement;
  for (const end of [false, true]) {
    box.scrollLeft = end ? box.scrollWidth : 0;
    const b = box.getBoundingClientRect();
    // The header's total and the total row's (the costs table's last phase row).
    for (const cell of [table.querySelector('th.sum'), [...table.querySelectorAll('td.sum')].pop()]) {
      const r = cell.getBoundingClientRect();
      rows.push([table.closest('section').id, b.left, b.left + box.clientWidth, r.left, r.right].join(' '));
    }
  }
}
const pre = document.createElement('pre');
pre.id = 'probe';
pre.textContent = rows.join('\n');
document.body.appendChild(pre);
</script>"#;
    let page = format!(
        "{}{}",
        &html[..csp_start],
        html[csp_end..].replace("</body>", &format!("{probe}</body>"))
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("probe.html");
    std::fs::write(&path, page).unwrap();
    let mut cmd = Command::new(chromium_binary());
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
    ])
    .arg(format!("--window-size={width},1000"))
    .arg(format!(
        "--user-data-dir={}",
        dir.path().join("profile").display()
    ))
    .arg("--dump-dom")
    .arg(format!("file://{}", path.display()));
    let (ok, dom, log) = run_with_timeout(&mut cmd, Duration::from_secs(120), "chromium");
    assert!(ok, "chromium --dump-dom failed: {log}");
    let dom = String::from_utf8_lossy(&dom);
    let rows = dom
        .split_once("<pre id=\"probe\">")
        .and_then(|(_, rest)| rest.split_once("</pre>"))
        .unwrap_or_else(|| panic!("the probe did not run: {dom}"))
        .0;
    rows.lines()
        .map(|row| {
            let f: Vec<&str> = row.split(' ').collect();
            let n = |i: usize| f[i].parse::<f64>().unwrap();
            (f[0].to_string(), n(1), n(2), n(3), n(4))
        })
        .collect()
}

#[test]
fn cost_tables_keep_their_totals_in_view_at_1400_px() {
    // saas-10b (8 components, the widest cost table) and maxbooster-10b (long price sources):
    // every table of phase costs either fits or scrolls with its total column in view, at
    // first and when scrolled to the end.
    for name in ["saas-10b", "maxbooster-10b"] {
        let plan = plan_of(&root().join(format!("scenarios/{name}.ron")));
        let dir = tempfile::tempdir().unwrap();
        write_all(dir.path(), &render_all(&plan));
        let cells = total_columns_at(&dir.path().join("report.html"), 1400);
        // The costs table and one table per phase; two cells at two scroll positions each.
        assert_eq!(
            cells.len(),
            4 * (1 + plan.phases.len()),
            "{name}: {cells:?}"
        );
        for (section, box_left, box_right, left, right) in &cells {
            assert!(
                *left >= box_left - 0.5 && *right <= box_right + 0.5,
                "{name} {section}: total column at {left}..{right} outside the visible \
                 {box_left}..{box_right}"
            );
        }
    }
}

#[test]
fn user_templates_replace_builtins_and_errors_name_file_and_line() {
    let plan = plan_of(&root().join("scenarios/saas-10b.ron"));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("phase.tfvars.j2"),
        "# my module's names\ndb_shard_count = {{ components[\"users-db\"].counts.shards }}\n\
         api_node_count = {{ components.api.counts.node }}\n\
         api_instance_type = {{ components.api.instance | hcl }}\n\
         env = {{ phase.name | hcl }}\n",
    )
    .unwrap();
    let opts = RenderOptions {
        formats: vec![Format::Tfvars],
        templates: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let files = plan_files(&plan, &opts).unwrap();
    let last = plan.phases.len() - 1;
    let stem = &tfvars::phase_file_stems(&plan)[last];
    let values = evaluate_tfvars(text(&files, &format!("tfvars/{stem}.tfvars")), stem);
    let line = |component: &str, item: &str| {
        plan.phases[last]
            .lines
            .iter()
            .find(|l| l.component == component && l.item == item)
            .unwrap()
            .count
    };
    assert_eq!(
        values["db_shard_count"].as_u64(),
        Some(line("users-db", "shards"))
    );
    assert_eq!(values["api_node_count"].as_u64(), Some(line("api", "node")));
    assert_eq!(values["api_instance_type"], "c6i.4xlarge");
    assert_eq!(values["env"], plan.phases[last].name.as_str());
    // The built-in variables.tf is still used (no user file of that name).
    assert!(text(&files, "tfvars/variables.tf").contains("variable \"postgres_clusters\""));

    // A missing value is an error naming the user's file and line.
    std::fs::write(
        dir.path().join("report.md.j2"),
        "# {{ plan.scenario }}\n\n{{ plan.no_such_field }}\n",
    )
    .unwrap();
    let e = plan_files(
        &plan,
        &RenderOptions {
            formats: vec![Format::Report],
            templates: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    let user_file = dir.path().join("report.md.j2").display().to_string();
    assert!(
        e.contains(&format!("{user_file}:3: undefined value")),
        "{e}"
    );
    assert!(e.contains("{{ plan.no_such_field }}"), "{e}");

    // So is a syntax error.
    std::fs::write(dir.path().join("report.md.j2"), "ok\n{% for x in %}\n").unwrap();
    let e = plan_files(
        &plan,
        &RenderOptions {
            formats: vec![Format::Report],
            templates: Some(dir.path().to_path_buf()),
            ..Default::default()
        },
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains(&format!("{user_file}:2: syntax error")), "{e}");

    // An included helper works; a folder with no built-in name in it is a usage error.
    let helpers = tempfile::tempdir().unwrap();
    std::fs::write(helpers.path().join("notes.md"), "{{ not a template").unwrap();
    std::fs::write(helpers.path().join("tfvars.j2"), "misnamed\n").unwrap();
    let e = plan_files(
        &plan,
        &RenderOptions {
            formats: vec![Format::Tfvars],
            templates: Some(helpers.path().to_path_buf()),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
    assert!(e.to_string().contains("phase.tfvars.j2"), "{e}");
    std::fs::write(
        helpers.path().join("variables.tf.j2"),
        "{% include \"header.j2\" %}\n",
    )
    .unwrap();
    std::fs::write(helpers.path().join("header.j2"), "# {{ plan.scenario }}\n").unwrap();
    let files = plan_files(
        &plan,
        &RenderOptions {
            formats: vec![Format::Tfvars],
            templates: Some(helpers.path().to_path_buf()),
            ..Default::default()
        },
    )
    .unwrap();
    assert_eq!(text(&files, "tfvars/variables.tf"), "# saas-10b\n");

    // A folder that is not there is a usage error.
    let e = plan_files(
        &plan,
        &RenderOptions {
            formats: vec![Format::Tfvars],
            templates: Some(dir.path().join("nope")),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert_eq!(e.exit_code(), 2, "{e}");
}
