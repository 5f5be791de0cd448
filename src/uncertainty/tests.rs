//! Engine tests on the shipped saas-10b scenario: fixed inputs reproduce the certain plan,
//! thread counts cannot change a result, percentiles are ordered, regret picks the critical
//! ratio, and `--plan-at` provisions at the percentile; on saas-10b-auto, draws choose each
//! `auto` component's shape again.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::input::load_scenario;
use crate::input::uncertainty::Distribution;
use crate::uncertainty::summary::Percentiles;

fn saas() -> Scenario {
    load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b.ron")).unwrap()
}

fn options(draws: u64) -> RunOptions {
    RunOptions {
        draws,
        seed: 11,
        plan_at: None,
        under_provision_penalty: 4.0,
        detail_phase: None,
    }
}

fn spec_of(inputs: &[(&str, Distribution)]) -> UncertaintySpec {
    UncertaintySpec {
        inputs: inputs
            .iter()
            .map(|(p, d)| ((*p).to_string(), d.clone()))
            .collect::<BTreeMap<_, _>>(),
        draws: None,
        seed: None,
        under_provision_penalty: None,
        detail_phase: None,
        reselect_shapes: true,
    }
}

#[test]
fn fixed_inputs_reproduce_the_certain_plan() {
    let s = saas();
    let point = crate::plan::build(&s).unwrap();
    // The workload's own values as Fixed distributions: every draw is the point plan.
    let spec = spec_of(&[
        ("workload.dau_ratio", Distribution::Fixed(0.4)),
        (
            "workload.requests_per_dau_per_day",
            Distribution::Fixed(200.0),
        ),
        (
            "components.users-db.policy.headroom",
            Distribution::Fixed(0.3),
        ),
    ]);
    let (u, planned) = run(&s, &spec, &point, &options(50), &|_| {}).unwrap();
    assert!(planned.is_none());
    for (pu, pp) in u.phases.iter().zip(&point.phases) {
        assert_eq!(pu.name, pp.name);
        for q in [
            pu.monthly_usd.p5,
            pu.monthly_usd.p50,
            pu.monthly_usd.p99,
            pu.monthly_usd.mean,
        ] {
            // Sketch buckets are within 0.1% and clamped to the observed min/max, which are
            // the point total itself.
            assert_eq!(q, pp.monthly_usd, "phase {}", pp.name);
        }
        assert_eq!(pu.lines.len(), pp.lines.len());
        for (lu, lp) in pu.lines.iter().zip(&pp.lines) {
            assert_eq!(
                (lu.component.as_str(), lu.item.as_str()),
                (lp.component.as_str(), lp.item.as_str())
            );
            assert_eq!(
                lu.count.p50, lp.count as f64,
                "{} {}/{}",
                pp.name, lp.component, lp.item
            );
            assert_eq!(lu.count.p99, lp.count as f64);
            assert_eq!(lu.derived_count.p5, lp.derived_count as f64);
            assert_eq!(
                lu.monthly_usd.p50, lp.monthly_usd,
                "{} {}/{}",
                pp.name, lp.component, lp.item
            );
        }
        for (cu, cp) in pu.components.iter().zip(&pp.components) {
            assert_eq!(cu.monthly_usd.mean, cp.monthly_usd);
        }
        // No uncertainty, no swing, no regret.
        assert!(pu.tornado.is_empty());
        assert!(pu.candidates.iter().all(|c| c.mean_regret_usd == 0.0));
    }
}

#[test]
fn thread_count_cannot_change_a_result() {
    let s = saas();
    let point = crate::plan::build(&s).unwrap();
    let spec = s.spec.uncertainty.clone().unwrap();
    let run_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let (u, _) = pool.install(|| run(&s, &spec, &point, &options(700), &|_| {}).unwrap());
        serde_json::to_string(&u).unwrap()
    };
    let one = run_on(1);
    assert_eq!(one, run_on(3));
    assert_eq!(one, run_on(2));
    // Another seed gives other draws.
    let (other, _) = run(
        &s,
        &spec,
        &point,
        &RunOptions {
            seed: 12,
            ..options(700)
        },
        &|_| {},
    )
    .unwrap();
    assert_ne!(one, serde_json::to_string(&other).unwrap());
}

#[test]
fn percentiles_are_ordered_and_bracket_the_median_world() {
    let s = saas();
    let point = crate::plan::build(&s).unwrap();
    let spec = s.spec.uncertainty.clone().unwrap();
    let (u, _) = run(&s, &spec, &point, &options(2000), &|_| {}).unwrap();
    assert_eq!(u.draws, 2000);
    for p in &u.phases {
        let ordered = |q: &Percentiles, what: &str| {
            assert!(
                q.min <= q.p5
                    && q.p5 <= q.p50
                    && q.p50 <= q.p90
                    && q.p90 <= q.p95
                    && q.p95 <= q.p99
                    && q.p99 <= q.max,
                "{} {what}: {q:?}",
                p.name
            );
            assert!(
                q.min <= q.mean && q.mean <= q.max,
                "{} {what}: {q:?}",
                p.name
            );
        };
        ordered(&p.monthly_usd, "total");
        for l in &p.lines {
            ordered(&l.count, &l.item);
            ordered(&l.derived_count, &l.item);
            ordered(&l.monthly_usd, &l.item);
        }
        // Every input at its median gives a total near the median of totals (within the
        // spread: the median of a sum is not the sum of medians, but it is between P5 and P95).
        assert!(
            p.monthly_usd.p5 <= p.median_inputs_monthly_usd
                && p.median_inputs_monthly_usd <= p.monthly_usd.p95,
            "{}: {} vs {:?}",
            p.name,
            p.median_inputs_monthly_usd,
            p.monthly_usd
        );
        // Every histogram bar is counted once.
        assert_eq!(p.histogram.iter().map(|b| b.draws).sum::<u64>(), 2000);
    }
    // At 10B users the least-regret sizing is the critical ratio 4 / (1 + 4) = P80.
    let last = u.phases.last().unwrap();
    assert_eq!(last.least_regret, "critical ratio P80");
    // The two widest inputs at 10B: users_scale swings every line by P10..P90 = 0.7..1.3, and
    // CDN egress per DAU (P10..P90 = 10..35 MB) swings edge egress, about half the bill once
    // each geography is billed at its own tiers (Europe and Asia Pacific cost more than
    // North America).
    let top: Vec<&str> = last.tornado[..2].iter().map(|t| t.input.as_str()).collect();
    assert!(
        top.contains(&"users_scale") && top.contains(&"workload.cdn_egress_bytes_per_dau_per_day"),
        "{top:?}"
    );
    assert!(
        last.tornado
            .windows(2)
            .all(|w| w[0].swing_usd >= w[1].swing_usd)
    );
}

#[test]
fn plan_at_provisions_each_line_at_the_percentile() {
    let s = saas();
    let point = crate::plan::build(&s).unwrap();
    let spec = s.spec.uncertainty.clone().unwrap();
    let opts = RunOptions {
        plan_at: Some(90.0),
        ..options(1000)
    };
    let (u, planned) = run(&s, &spec, &point, &opts, &|_| {}).unwrap();
    let planned = planned.unwrap();
    assert_eq!(u.planned_at.as_deref(), Some("P90"));
    let plan = crate::plan::build_planned(&s, Some(&planned)).unwrap();
    let p = plan.phases.last().unwrap();
    let pu = u.phases.last().unwrap();
    for (line, lu) in p.lines.iter().zip(&pu.lines) {
        // The plan provisions the line's P90 need (counts are exact in the sketch up to
        // 2,048; the summary shows larger ones at the sketch's precision).
        assert_eq!(
            crate::uncertainty::sketch::at_precision(line.count as f64, true),
            lu.derived_count.p90,
            "{}/{}",
            line.component,
            line.item
        );
        if line.count != line.derived_count {
            assert!(
                line.derivation
                    .iter()
                    .any(|s| s.name == format!("{}_planned", line.item)
                        && s.formula.contains("P90 of the need over 1000 draws"))
            );
        }
    }
}

#[test]
fn bad_inputs_name_the_path() {
    let s = saas();
    let point = crate::plan::build(&s).unwrap();
    let err = |inputs: &[(&str, Distribution)]| {
        run(&s, &spec_of(inputs), &point, &options(10), &|_| {})
            .unwrap_err()
            .to_string()
    };
    let e = err(&[("workload.dau_ratoi", Distribution::Fixed(0.3))]);
    assert!(
        e.contains("uncertainty.inputs.\"workload.dau_ratoi\"") && e.contains("dau_ratio"),
        "{e}"
    );
    let e = err(&[("workload.session_basis", Distribution::Fixed(1.0))]);
    assert!(e.contains("not a number"), "{e}");
    // An unbounded normal on a ratio can draw above 1: refused before any draw.
    let e = err(&[(
        "workload.dau_ratio",
        Distribution::Normal {
            mean: 0.5,
            sd: 0.2,
            low: None,
            high: None,
        },
    )]);
    // mean 0.5 - 8.3 sd is the lowest value a draw can take
    assert!(
        e.contains("lowest value a draw can take")
            && e.contains("workload.dau_ratio: must be a fraction in [0, 1]"),
        "{e}"
    );
    let e = err(&[("components.nope.policy.headroom", Distribution::Fixed(0.3))]);
    assert!(e.contains("no component `nope`"), "{e}");
    let e = err(&[("regions[0].user_share", Distribution::Fixed(0.3))]);
    assert!(e.contains("an uncertain input is"), "{e}");
}

#[test]
fn percentile_names_parse() {
    assert_eq!(parse_percentile("P90").unwrap(), 90.0);
    assert_eq!(parse_percentile("p99.5").unwrap(), 99.5);
    assert_eq!(parse_percentile("50").unwrap(), 50.0);
    assert!(parse_percentile("P0").is_err());
    assert!(parse_percentile("P101").is_err());
    assert!(parse_percentile("high").is_err());
    assert_eq!(percentile_name(80.0), "P80");
    assert_eq!(percentile_name(100.0 * 4.0 / 5.0), "P80");
    assert_eq!(percentile_name(99.5), "P99.5");
}

fn saas_auto() -> Scenario {
    load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b-auto.ron"))
        .unwrap()
}

#[test]
fn draws_at_the_point_choose_the_plans_shapes_and_reproduce_its_totals() {
    let s = saas_auto();
    let point = crate::plan::build(&s).unwrap();
    // Every input fixed at the value the scenario's models hold: each draw is the point world,
    // so choosing again among the plan's shape and its runners-up must pick the plan's shape
    // (position 0) and give the point plan's total, in every phase.
    let spec = spec_of(&[
        (
            "workload.dau_ratio",
            Distribution::Fixed(s.workload.dau_ratio),
        ),
        ("users_scale", Distribution::Fixed(1.0)),
    ]);
    let (u, _) = run(&s, &spec, &point, &options(20), &|_| {}).unwrap();
    for (pu, pp) in u.phases.iter().zip(&point.phases) {
        assert_eq!(pu.monthly_usd.p50, pp.monthly_usd, "phase {}", pp.name);
        // 5 auto components, each reporting the plan's choice and its 3 runners-up.
        let chosen: Vec<&ShapeShare> = pu.shapes.iter().filter(|x| x.draws > 0).collect();
        assert_eq!(chosen.len(), 5, "phase {}: {chosen:?}", pp.name);
        for share in chosen {
            assert_eq!(share.draws, 20);
            let selection = pp
                .selections
                .iter()
                .find(|x| x.component == share.component)
                .unwrap();
            assert_eq!(
                share.instance, selection.chosen.instance,
                "phase {}",
                pp.name
            );
        }
    }
}

#[test]
fn each_draw_chooses_its_cheapest_shape_and_says_when_none_fits() {
    // saas-10b-auto with its cache clusters held to 100 nodes per region (the file says 500):
    // some 10B worlds then need more on every allowed shape.
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b-auto.ron");
    let tight =
        crate::input::overrides::Set::parse("components.sessions-cache.policy.auto.max_nodes=100")
            .unwrap();
    let s = crate::input::load_scenario_with(&path, &[tight]).unwrap();
    let point = crate::plan::build(&s).unwrap();
    let spec = s.spec.uncertainty.clone().unwrap();
    let (u, _) = run(&s, &spec, &point, &options(300), &|_| {}).unwrap();
    for phase in &u.phases {
        // Every draw chose exactly one shape per auto component.
        let mut per_component: BTreeMap<&str, u64> = BTreeMap::new();
        for share in &phase.shapes {
            *per_component.entry(&share.component).or_default() += share.draws;
        }
        assert_eq!(per_component.len(), 5, "phase {}", phase.name);
        assert!(
            per_component.values().all(|&n| n == 300),
            "{per_component:?}"
        );
    }
    // At 10K every shape's count is its HA minimum: the plan's shape is the cheapest in every
    // world. At 10B the draws spread over several shapes of the cache and the app tier, and
    // some worlds need more than 100 cache nodes per region on every shape: said, not hidden.
    let first = &u.phases[0];
    assert!(first.shapes.iter().all(|x| x.draws == 0 || x.draws == 300));
    let last = u.phases.last().unwrap();
    for component in ["sessions-cache", "api"] {
        let shapes = last
            .shapes
            .iter()
            .filter(|x| x.component == component && x.draws > 0)
            .count();
        assert!(shapes >= 2, "{component}: {:?}", last.shapes);
    }
    let warnings = u.shape_warnings();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("sessions-cache at 10B: in ") && w.contains("auto.max_nodes")),
        "{warnings:?}"
    );
}

#[test]
fn reselect_off_keeps_the_plans_shapes() {
    let s = saas_auto();
    let point = crate::plan::build(&s).unwrap();
    let mut spec = s.spec.uncertainty.clone().unwrap();
    spec.reselect_shapes = false;
    let (u, _) = run(&s, &spec, &point, &options(50), &|_| {}).unwrap();
    assert!(u.phases.iter().all(|p| p.shapes.is_empty()));
    assert!(u.shape_warnings().is_empty());
}
