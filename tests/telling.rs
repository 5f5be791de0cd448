//! Telling the user what matters: budget breaches and unpriced lines are warnings in every
//! output, with the report's summary cards (budget status, P90, first year's cost); the
//! timeline's step-ups split into work and routine growth with per-kind lead times;
//! percentiles at the sketch's precision; the phase table at 1,400 px.

use std::path::Path;

use serde_json::Value;

use crate::support::{headroom, root, scenario_copy};

/// Runs `plan` (every format) into `out`; returns stderr (the warnings of `-q`).
fn plan_quiet(scenario: &Path, out: &Path, extra: &[&str]) -> String {
    let output = headroom()
        .arg("plan")
        .arg(scenario)
        .args(["-q", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(output.stderr).unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap()
}

/// Every month of `timeline/timeline.csv`: (label, monthly_usd).
fn timeline_months(dir: &Path) -> Vec<(String, f64)> {
    let mut reader = csv::Reader::from_path(dir.join("timeline/timeline.csv")).unwrap();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].to_string(), r[5].parse().unwrap())
        })
        .collect()
}

#[test]
fn budget_breaches_and_unpriced_lines_are_warnings_everywhere() {
    // saas-10b: budget $20,000,000 per month, a 120-month logistic timeline.
    let out = tempfile::tempdir().unwrap();
    let scenario = root().join("scenarios/saas-10b.ron");
    let stderr = plan_quiet(&scenario, out.path(), &[]);
    let dir = out.path().join("saas-10b");
    let plan = json(&dir.join("plan.json"));
    let warnings: Vec<&str> = plan["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();

    // The 10B phase costs more than the budget; no other phase does. The warning's excess is
    // its cost minus $20,000,000.
    let phases = plan["phases"].as_array().unwrap();
    let over: Vec<&Value> = phases
        .iter()
        .filter(|p| p["monthly_usd"].as_f64().unwrap() > 20e6)
        .collect();
    assert_eq!(over.len(), 1);
    let ten_b = over[0]["monthly_usd"].as_f64().unwrap();
    let phase_warning = format!(
        "phase 10B: {} per month is above the budget of $20,000,000.00 per month (+{})",
        usd(ten_b),
        usd(ten_b - 20e6)
    );
    assert!(warnings.contains(&phase_warning.as_str()), "{warnings:#?}");
    assert_eq!(plan["budget_usd_per_month"].as_f64(), Some(20e6));

    // The timeline, month by month: the months above $20M, counted from `headroom timeline`'s
    // own CSV.
    let tl = tempfile::tempdir().unwrap();
    let timeline_stdout = headroom()
        .arg("timeline")
        .arg(&scenario)
        .arg("--out")
        .arg(tl.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let months = timeline_months(&tl.path().join("saas-10b"));
    assert_eq!(months.len(), 121, "months 0..=120");
    let above: Vec<&(String, f64)> = months.iter().filter(|(_, usd)| *usd > 20e6).collect();
    assert!(above.len() > 7, "{}", above.len());
    let (first_label, first_usd) = above[0];
    let month_warning = format!(
        "timeline: {} of 121 months are above the budget of $20,000,000.00 per month, the first \
         {first_label} ({}, +{})",
        above.len(),
        usd(*first_usd),
        usd(first_usd - 20e6)
    );
    assert!(warnings.contains(&month_warning.as_str()), "{warnings:#?}");
    // `headroom timeline` says the same.
    let timeline_text = String::from_utf8(timeline_stdout).unwrap();
    assert!(
        timeline_text.contains(&format!("warning: {month_warning}")),
        "{timeline_text}"
    );

    // The report compares gcp, whose tables price no Kafka (MSK), no inter-region transfer and
    // no region that eu-west-1 or ap-southeast-1 maps to (every line is priced in its own
    // region): those lines are left out of its totals, and say so.
    // Nor do they price cross-AZ transfer, load balancers, NAT gateways or node volumes
    // (saas-10b's provisioned-iops line is 0 in every phase: its nodes' IOPS fit what their
    // volumes include, so it is not listed).
    let unpriced = "providers: 21 lines are unpriced on gcp, left out of its totals: \
                    users-db/primary, users-db/standby, users-db/read-replica, users-db/storage, \
                    users-db/cross-az-clients, pgbouncer/pooler, pgbouncer/node-volume, \
                    sessions-cache/master, sessions-cache/replica, \
                    sessions-cache/cross-az-clients, api/node, api/api-egress, api/node-volume, \
                    api/load-balancer, api/lb-capacity-units, api/nat-gateway, \
                    api/control-plane, events/broker, events/storage, events/cross-az-clients, \
                    replication/transfer";
    assert!(warnings.contains(&unpriced), "{warnings:#?}");

    // Every output carries them: the terminal (-q prints only warnings), summary.md, both
    // reports, and the report's count.
    let summary_md = read(&dir.join("summary.md"));
    let report_md = read(&dir.join("report.md"));
    // (minijinja's HTML escaping writes `/` as `&#x2f;`)
    let report_html = read(&dir.join("report.html")).replace("&#x2f;", "/");
    for w in [phase_warning.as_str(), month_warning.as_str(), unpriced] {
        assert!(stderr.contains(&format!("warning: {w}")), "{stderr}");
        assert!(summary_md.contains(w), "summary.md lacks {w}");
        assert!(report_md.contains(w), "report.md lacks {w}");
        assert!(report_html.contains(w), "report.html lacks {w}");
    }
    assert!(
        report_md.contains(&format!("{} warnings", warnings.len())),
        "report.md's count"
    );
    assert!(warnings.len() >= 3);

    // The summary cards: budget status with its first breach, and the first year's cost,
    // which is the sum of the timeline's first 12 months.
    let first_year: f64 = months[..12].iter().map(|(_, usd)| usd).sum();
    let budget_line = format!(
        "- **Budget ($20,000,000.00 per month):** breached in {} of 121 months, first \
         {first_label} at {}\n",
        above.len(),
        usd(*first_usd)
    );
    assert!(report_md.contains(&budget_line), "{budget_line}");
    let year_line = format!(
        "- **First year's cost:** {} (the 12 months {} to {} of the timeline)\n",
        usd(first_year),
        months[0].0,
        months[11].0
    );
    assert!(report_md.contains(&year_line), "{year_line}");
    assert!(
        report_html.contains(&format!(
            "<div class=\"value\">breached in {} months</div>",
            above.len()
        )),
        "the HTML budget card"
    );
    // No draws: no P90 card.
    assert!(!report_md.contains("P90 monthly cost"));
}

#[test]
fn a_plan_within_its_budget_says_so_and_draws_add_the_p90_card() {
    // A budget of $1B per month is above every phase and month of saas-10b.
    let work = tempfile::tempdir().unwrap();
    let scenario = scenario_copy(
        work.path(),
        "saas-10b.ron",
        &[(
            "budget_usd_per_month: 20_000_000.0",
            "budget_usd_per_month: 1e9",
        )],
    );
    let out = tempfile::tempdir().unwrap();
    let stderr = plan_quiet(&scenario, out.path(), &["--draws", "200"]);
    assert!(!stderr.contains("budget"), "{stderr}");
    let dir = out.path().join("saas-10b");
    let report_md = read(&dir.join("report.md"));
    assert!(
        report_md.contains(
            "- **Budget ($1,000,000,000.00 per month):** within: all 121 months at or below it\n"
        ),
        "{report_md}"
    );
    // The P90 card is the last phase's P90 total from plan.json.
    let plan = json(&dir.join("plan.json"));
    let last = plan["uncertainty"]["phases"]
        .as_array()
        .unwrap()
        .last()
        .unwrap();
    assert_eq!(last["name"], "10B");
    let p90 = last["monthly_usd"]["p90"].as_f64().unwrap();
    let line = format!(
        "- **P90 monthly cost in phase 10B:** {} (9 in 10 of 200 draws cost at most this)\n",
        whole_usd(p90)
    );
    assert!(report_md.contains(&line), "{line}");
}

#[test]
fn without_a_growth_curve_the_budget_is_checked_per_phase() {
    // daadaar plans a ladder (no time axis, so no timeline): a $50,000 budget is checked per
    // phase only.
    let work = tempfile::tempdir().unwrap();
    let scenario = scenario_copy(
        work.path(),
        "daadaar.ron",
        &[(
            "    components: [",
            "    budget_usd_per_month: 50_000.0,\n    components: [",
        )],
    );
    let out = tempfile::tempdir().unwrap();
    let stderr = plan_quiet(&scenario, out.path(), &[]);
    let dir = out.path().join("daadaar");
    let plan = json(&dir.join("plan.json"));
    let over: Vec<(String, f64)> = plan["phases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_string(),
                p["monthly_usd"].as_f64().unwrap(),
            )
        })
        .filter(|(_, usd)| *usd > 50_000.0)
        .collect();
    assert!(!over.is_empty());
    for (name, cost) in &over {
        assert!(
            stderr.contains(&format!(
                "warning: phase {name}: {} per month is above the budget of $50,000.00 per month",
                usd(*cost)
            )),
            "{stderr}"
        );
    }
    assert!(!stderr.contains("timeline:"), "{stderr}");
    let report_md = read(&dir.join("report.md"));
    let phases = plan["phases"].as_array().unwrap().len();
    assert!(
        report_md.contains(&format!(
            "breached in {} of {phases} phases, first {} at {}",
            over.len(),
            over[0].0,
            usd(over[0].1)
        )),
        "{report_md}"
    );
    assert!(!report_md.contains("First year's cost"));
}

/// A percentile's dollars as the outputs print them (whole dollars: the sketch is within 0.1%).
fn whole_usd(amount: f64) -> String {
    let text = usd(amount);
    assert!(text.ends_with(".00"), "{text} is not whole dollars");
    text.trim_end_matches(".00").to_string()
}

#[test]
fn percentiles_are_printed_at_the_sketchs_precision() {
    // The sketch is within 0.1% (sketch.rs RELATIVE_ACCURACY); a percentile is rounded to the
    // largest power of ten at most 0.1% of it: $53,704,396.79 -> step $10,000 -> $53,700,000.
    let out = tempfile::tempdir().unwrap();
    let output = headroom()
        .args([
            "plan",
            "scenarios/saas-10b.ron",
            "--draws",
            "300",
            "--format",
            "json",
            "--out",
        ])
        .arg(out.path())
        .assert()
        .success()
        .get_output()
        .clone();
    let stdout = String::from_utf8(output.stdout).unwrap();
    let plan = json(&out.path().join("saas-10b/plan.json"));
    let phases = plan["uncertainty"]["phases"].as_array().unwrap();
    for phase in phases {
        let m = &phase["monthly_usd"];
        for q in ["p5", "p50", "p90", "p95", "p99"] {
            let v = m[q].as_f64().unwrap();
            let step = 10f64.powf((v * 0.001).log10().floor());
            let steps = v / step;
            assert!(
                (steps - steps.round()).abs() < 1e-6,
                "{} {q} = {v} is not a multiple of {step}",
                phase["name"]
            );
            // 3 or 4 significant digits: at least 100 steps, under 10,000.
            assert!((100.0..10_000.0).contains(&steps.round()), "{v}");
        }
    }
    // The terminal row of 10B prints them in whole dollars (P5..P99, after the plan and mean).
    let last = phases.last().unwrap();
    let section = stdout.split_once("== Uncertainty (").unwrap().1;
    let row = section.lines().find(|l| l.starts_with("10B ")).unwrap();
    let cells: Vec<&str> = row.split_whitespace().collect();
    let expected: Vec<String> = ["p5", "p50", "p90", "p95", "p99"]
        .iter()
        .map(|q| whole_usd(last["monthly_usd"][q].as_f64().unwrap()))
        .collect();
    assert_eq!(&cells[4..9], expected.as_slice(), "{row}");
    // The mean is an exact sum: printed to the cent.
    assert_eq!(cells[3], usd(last["monthly_usd"]["mean"].as_f64().unwrap()));
    // The precision is said once.
    assert_eq!(
        stdout
            .matches("other values within 0.1% (relative) and rounded to that precision")
            .count(),
        1,
        "{stdout}"
    );
}

/// Dollars as the outputs print them: "$14,016.00".
fn usd(amount: f64) -> String {
    headroom::render::format::usd(amount)
}

/// A row of `timeline_lines.csv`: (month, component, item, count).
type LineRow = (u32, String, String, u64);

/// `headroom timeline` of `scenario` into `out`: (stdout, timeline.json, timeline_lines.csv).
fn timeline(scenario: &Path, out: &Path, name: &str) -> (String, Value, Vec<LineRow>) {
    let output = headroom()
        .arg("timeline")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .assert()
        .success()
        .get_output()
        .clone();
    let dir = out.join(name).join("timeline");
    let mut reader = csv::Reader::from_path(dir.join("timeline_lines.csv")).unwrap();
    let lines = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[0].parse().unwrap(),
                r[3].to_string(),
                r[4].to_string(),
                r[5].parse().unwrap(),
            )
        })
        .collect();
    (
        String::from_utf8(output.stdout).unwrap(),
        json(&dir.join("timeline.json")),
        lines,
    )
}

/// The months (after the first) in which `component/item`'s count grows, from the CSV.
fn growth_months(lines: &[LineRow], component: &str, item: &str) -> Vec<u32> {
    let counts: Vec<(u32, u64)> = lines
        .iter()
        .filter(|(_, c, i, _)| c == component && i == item)
        .map(|(m, _, _, n)| (*m, *n))
        .collect();
    counts
        .windows(2)
        .filter(|w| w[1].1 > w[0].1)
        .map(|w| w[1].0)
        .collect()
}

#[test]
fn the_timeline_lists_work_and_summarizes_routine_growth() {
    let out = tempfile::tempdir().unwrap();
    let (text, t, lines) = timeline(
        &root().join("scenarios/saas-10b.ron"),
        out.path(),
        "saas-10b",
    );
    let steps = t["step_ups"].as_array().unwrap();
    // The work: every month users-db's shard count grows (a reshard, lead time 3 months from
    // the scenario), every month sessions-cache's cluster count grows (a new cluster, 1
    // month from the scenario) and every month events' Kafka cluster count grows (a new
    // cluster, Kafka's default 1 month); saas-10b fixes every shape, so no shape changes.
    let reshards = growth_months(&lines, "users-db", "shards");
    let new_clusters = growth_months(&lines, "sessions-cache", "clusters");
    let new_kafka_clusters = growth_months(&lines, "events", "clusters");
    assert!(!reshards.is_empty() && !new_clusters.is_empty());
    let listed = |component: &str, change: &str| -> Vec<u32> {
        steps
            .iter()
            .filter(|s| s["component"] == component && s["change"] == change)
            .map(|s| s["month"].as_u64().unwrap() as u32)
            .collect()
    };
    assert_eq!(listed("users-db", "reshard"), reshards);
    assert_eq!(listed("sessions-cache", "new_cluster"), new_clusters);
    assert_eq!(listed("events", "new_cluster"), new_kafka_clusters);
    assert_eq!(
        steps.len(),
        reshards.len() + new_clusters.len() + new_kafka_clusters.len()
    );
    for s in steps {
        let (lead, source) = match s["component"].as_str().unwrap() {
            "users-db" => (3, "scenario"),
            "sessions-cache" => (1, "scenario"),
            _ => (1, "kind_default"),
        };
        assert_eq!(s["lead_time_months"], lead);
        assert_eq!(s["lead_time_source"], source);
        // start work = month - lead time
        assert_eq!(
            s["start_work_month"].as_i64().unwrap(),
            s["month"].as_i64().unwrap() - lead
        );
    }
    // Routine growth is one row per line: read replicas grow in as many months as the CSV
    // shows, from the first month's count to the last month's.
    let routine = t["routine"].as_array().unwrap();
    let replicas = routine
        .iter()
        .find(|r| r["component"] == "users-db" && r["item"] == "read-replica")
        .unwrap();
    let replica_months = growth_months(&lines, "users-db", "read-replica");
    assert_eq!(
        replicas["step_ups"].as_u64().unwrap() as usize,
        replica_months.len()
    );
    let count_at = |month: u32| {
        lines
            .iter()
            .find(|(m, c, i, _)| *m == month && c == "users-db" && i == "read-replica")
            .unwrap()
            .3
    };
    assert_eq!(replicas["to"].as_u64().unwrap(), count_at(120));
    assert_eq!(
        replicas["from"].as_u64().unwrap(),
        count_at(replica_months[0] - 1)
    );
    let total: u64 = routine
        .iter()
        .map(|r| r["step_ups"].as_u64().unwrap())
        .sum();
    assert_eq!(t["routine_step_ups"].as_u64().unwrap(), total);
    // Kafka partitions are routine (one online command), not listed as work.
    assert!(routine.iter().any(|r| r["item"] == "partitions"));
    // The lead times and where they come from: the scenario's, and the kinds' defaults.
    let lead_of = |component: &str| {
        let l = t["lead_times"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["component"] == component)
            .unwrap()
            .clone();
        (
            l["lead_time_months"].as_u64().unwrap(),
            l["source"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(lead_of("users-db"), (3, "scenario".to_string()));
    assert_eq!(lead_of("events"), (1, "kind_default".to_string()));
    assert_eq!(lead_of("api"), (0, "kind_default".to_string()));

    // The text lists the work one row each and the routine growth per line.
    assert!(
        text.contains(&format!(
            "== Work: {} changes that need a project (reshards, new clusters, shape changes)\n\
             lead times: users-db 3 mo (scenario), sessions-cache 1 mo (scenario), events 1 mo \
             (Kafka default); every other component 0 mo (its kind's default)\n",
            steps.len()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "== Routine growth: {total} step-ups (more instances, replicas, partitions)"
        )),
        "{text}"
    );
    let work_rows = text
        .lines()
        .filter(|l| l.contains(" reshard ") || l.contains(" new cluster "))
        .count();
    assert_eq!(work_rows, steps.len());
    assert!(
        !text
            .lines()
            .any(|l| l.contains("read-replica") && l.contains("3 mo"))
    );

    // The chart marks the months with work, and only those.
    let mut work_months: Vec<u64> = steps.iter().map(|s| s["month"].as_u64().unwrap()).collect();
    work_months.dedup();
    let svg = read(&out.path().join("saas-10b/timeline/timeline.svg"));
    let marks = svg
        .split("<circle")
        .skip(1)
        .filter(|c| c.split('>').next().unwrap().contains("fill=\"#C81E1E\""))
        .count();
    assert_eq!(marks, work_months.len());
    assert!(svg.contains(&format!("work ({} months)", work_months.len())));
}

#[test]
fn a_component_without_a_lead_time_takes_its_kinds_default() {
    // saas-10b without users-db's `lead_time_months: 3`: the Postgres default (3 months) is
    // used, and the output says so.
    let work = tempfile::tempdir().unwrap();
    let scenario = scenario_copy(
        work.path(),
        "saas-10b.ron",
        &[("            lead_time_months: 3,\n", "")],
    );
    let out = tempfile::tempdir().unwrap();
    let (text, t, _) = timeline(&scenario, out.path(), "saas-10b");
    let first = t["step_ups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["component"] == "users-db")
        .unwrap();
    assert_eq!(first["lead_time_months"], 3);
    assert_eq!(first["lead_time_source"], "kind_default");
    assert!(text.contains("users-db 3 mo (Postgres default)"), "{text}");
    assert!(text.contains("3 mo (Postgres default)  "), "{text}");
}
