//! `headroom audit`: checks a design doc's claims against the plan, and the plan against
//! limits no doc should cross.
//!
//! Each claim gets the computed value, the ratio claimed / computed and a verdict (`ok` within
//! its tolerance, else `wrong`) with a diagnosis where one fits: the figure reproduces only at
//! another hours-per-month basis, it is off by a power of 1000 (a GB/TB/PB mix-up) or 1.024
//! (GiB vs GB), it is the sum of the doc's own (wrong) lines, or it claims more concurrent
//! users than there are daily active ones. Claim-free checks flag pinned counts below what
//! demand needs, and counts beyond hard limits (nodes per Kubernetes cluster, nodes per Redis
//! cluster).

pub mod expr;

use std::collections::BTreeMap;

use serde::Serialize;

use crate::error::{InputError, did_you_mean};
use crate::input::Scenario;
use crate::input::claims::{
    Claim, ClaimRef, CostMeasure, LineMeasure, Relation, SpecField, UserBasis, optional_category,
};
use crate::plan::{Line, PhasePlan, Plan};

/// Hours-per-month bases design docs use, tried when a figure does not reproduce.
const OTHER_HOUR_BASES: &[f64] = &[720.0, 744.0, 750.0, 730.0, 700.0, 672.0, 760.0];
/// Kubernetes' documented scalability limits per cluster.
const K8S_MAX_NODES: u64 = 5_000;
const K8S_MAX_PODS: u64 = 150_000;

/// One result of an audit.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The claim's id, or `check:<what>` for claim-free checks.
    pub id: String,
    /// `claim` or `check`.
    pub source: &'static str,
    /// The doc's words (claims).
    pub quote: Option<String>,
    /// What was compared, readably.
    pub refers_to: String,
    pub claimed: f64,
    pub computed: f64,
    pub unit: String,
    /// claimed / computed (`null` when computed is 0).
    pub ratio: Option<f64>,
    /// `ok` or `wrong`.
    pub verdict: Verdict,
    /// Why it is wrong, or a remark on an ok figure (empty when there is nothing to say).
    pub diagnosis: String,
}

/// Whether a figure reproduces (within its tolerance) or a check passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Ok,
    Wrong,
}

impl Verdict {
    /// `Ok` when `ok`, else `Wrong`.
    #[must_use]
    pub fn of(ok: bool) -> Verdict {
        if ok { Verdict::Ok } else { Verdict::Wrong }
    }

    /// The verdict as outputs write it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Verdict::Ok => "ok",
            Verdict::Wrong => "wrong",
        }
    }
}

// Outputs (JSON, templates) write the same words as the text tables.
impl Serialize for Verdict {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// All findings of one scenario.
#[derive(Debug, Clone, Serialize)]
pub struct Audit {
    pub scenario: String,
    pub hours_per_month: f64,
    pub claims: usize,
    /// Wrong claims (the rest of `wrong` are claim-free checks).
    pub claims_wrong: usize,
    pub ok: usize,
    pub wrong: usize,
    pub findings: Vec<Finding>,
}

/// Whether a claim holds: equal within the tolerance, or on the right side of a bound.
fn holds(claim: &Claim, computed: f64) -> bool {
    match claim.relation {
        Relation::Equal => within(claim.claimed, computed, claim.tolerance),
        Relation::AtMost => claim.claimed <= computed * (1.0 + claim.tolerance),
        Relation::AtLeast => claim.claimed >= computed * (1.0 - claim.tolerance),
    }
}

fn within(claimed: f64, computed: f64, tolerance: f64) -> bool {
    if computed == 0.0 {
        return claimed.abs() <= tolerance;
    }
    ((claimed - computed) / computed).abs() <= tolerance
}

fn phase<'a>(plan: &'a Plan, name: &str) -> Result<&'a PhasePlan, String> {
    plan.phases.iter().find(|p| p.name == name).ok_or_else(|| {
        let names: Vec<&str> = plan.phases.iter().map(|p| p.name.as_str()).collect();
        format!(
            "unknown phase `{name}`{}; phases: {}",
            did_you_mean(name, names.iter().copied()),
            names.join(", ")
        )
    })
}

fn component_lines<'a>(p: &'a PhasePlan, component: &str) -> Result<Vec<&'a Line>, String> {
    let lines: Vec<&Line> = p
        .lines
        .iter()
        .filter(|l| l.component == component)
        .collect();
    if lines.is_empty() {
        let names: Vec<&str> = p.components.iter().map(|c| c.component.as_str()).collect();
        return Err(format!(
            "unknown component `{component}`{}; components: {}",
            did_you_mean(component, names.iter().copied()),
            names.join(", ")
        ));
    }
    Ok(lines)
}

/// A line's monthly cost had the month had `hours` hours (only hourly prices scale).
fn line_cost_at(line: &Line, measure: CostMeasure, hours: f64, plan_hours: f64) -> f64 {
    let cost = match measure {
        CostMeasure::ListMonthlyUsd => line.list_monthly_usd,
        CostMeasure::MonthlyUsd => line.monthly_usd,
    };
    if matches!(line.unit.as_str(), "hour" | "gb-hour" | "lcu-hour") {
        cost * hours / plan_hours
    } else {
        cost
    }
}

/// Whether a doc's total includes `line`: every line outside the optional categories, and
/// those of the categories the claim `covers`.
fn covered(line: &Line, covers: &[String]) -> bool {
    optional_category(&line.item).is_none_or(|category| covers.iter().any(|c| c == category))
}

/// The optional categories a total claim leaves out, with their cost (at the plan's hours),
/// as "omits backups: $1,300/month"; empty when it leaves out none that cost anything.
fn omitted(claim: &Claim, plan: &Plan) -> String {
    let (name, component, measure) = match &claim.refers_to {
        ClaimRef::Component {
            phase,
            component,
            measure,
        } => (phase, Some(component), measure),
        ClaimRef::Phase { phase, measure } | ClaimRef::PerUser { phase, measure, .. } => {
            (phase, None, measure)
        }
        _ => return String::new(),
    };
    let Ok(p) = phase(plan, name) else {
        return String::new();
    };
    let mut by_category: BTreeMap<&str, f64> = BTreeMap::new();
    for l in &p.lines {
        if component.is_some_and(|c| &l.component != c) || covered(l, &claim.covers) {
            continue;
        }
        if let Some(category) = optional_category(&l.item) {
            *by_category.entry(category).or_default() +=
                line_cost_at(l, *measure, plan.hours_per_month, plan.hours_per_month);
        }
    }
    by_category
        .iter()
        .filter(|(_, usd)| **usd > 0.0)
        .map(|(category, usd)| format!("omits {category}: ${}/month", usd_grouped(*usd)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Dollars to the cent with thousands grouped (`1,785.00`).
fn usd_grouped(usd: f64) -> String {
    let cents = format!("{usd:.2}");
    let (whole, frac) = cents.split_once('.').unwrap_or((&cents, "00"));
    let digits: Vec<char> = whole.chars().collect();
    let mut grouped = String::new();
    for (i, d) in digits.iter().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) && *d != '-' && digits[i - 1] != '-' {
            grouped.push(',');
        }
        grouped.push(*d);
    }
    format!("{grouped}.{frac}")
}

/// What a claim's number computes to, at a month of `hours` hours.
fn compute(
    claim: &ClaimRef,
    covers: &[String],
    scenario: &Scenario,
    plan: &Plan,
    hours: f64,
) -> Result<f64, String> {
    let plan_hours = plan.hours_per_month;
    Ok(match claim {
        ClaimRef::Line {
            phase: name,
            component,
            items,
            measure,
        } => {
            let lines = component_lines(phase(plan, name)?, component)?;
            let mut total = 0.0;
            for item in items {
                let line = lines.iter().find(|l| &l.item == item).ok_or_else(|| {
                    let known: Vec<&str> = lines.iter().map(|l| l.item.as_str()).collect();
                    format!(
                        "`{component}` has no line `{item}`{}; its lines: {}",
                        did_you_mean(item, known.iter().copied()),
                        known.join(", ")
                    )
                })?;
                total += match measure {
                    LineMeasure::Count => line.count as f64,
                    LineMeasure::DerivedCount => line.derived_count as f64,
                    LineMeasure::UnitPriceUsd => line.unit_price_usd,
                    LineMeasure::ListMonthlyUsd => {
                        line_cost_at(line, CostMeasure::ListMonthlyUsd, hours, plan_hours)
                    }
                    LineMeasure::MonthlyUsd => {
                        line_cost_at(line, CostMeasure::MonthlyUsd, hours, plan_hours)
                    }
                };
            }
            total
        }
        ClaimRef::Component {
            phase: name,
            component,
            measure,
        } => component_lines(phase(plan, name)?, component)?
            .iter()
            .filter(|l| covered(l, covers))
            .map(|l| line_cost_at(l, *measure, hours, plan_hours))
            .sum(),
        ClaimRef::Phase {
            phase: name,
            measure,
        } => phase(plan, name)?
            .lines
            .iter()
            .filter(|l| covered(l, covers))
            .map(|l| line_cost_at(l, *measure, hours, plan_hours))
            .sum(),
        ClaimRef::PerUser {
            phase: name,
            basis,
            measure,
        } => {
            let p = phase(plan, name)?;
            let total: f64 = p
                .lines
                .iter()
                .filter(|l| covered(l, covers))
                .map(|l| line_cost_at(l, *measure, hours, plan_hours))
                .sum();
            let users = match basis {
                UserBasis::Users => p.users as f64,
                UserBasis::Mau => p.demand.mau,
                UserBasis::Dau => p.demand.dau,
            };
            if users > 0.0 { total / users } else { 0.0 }
        }
        ClaimRef::Demand { phase: name, field } => {
            let p = phase(plan, name)?;
            let value = serde_json::to_value(p.demand).map_err(|e| e.to_string())?;
            let map = value.as_object().ok_or("demand is not a map")?;
            map.get(field)
                .and_then(serde_json::Value::as_f64)
                .ok_or_else(|| {
                    format!(
                        "unknown demand field `{field}`{}; fields: {}",
                        did_you_mean(field, map.keys().map(String::as_str)),
                        map.keys()
                            .map(String::as_str)
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                })?
        }
        ClaimRef::Arithmetic { expr: text } => {
            let vars = BTreeMap::from([("hours", hours)]);
            expr::eval(text, &vars)?
        }
        ClaimRef::Spec { instance, field } => {
            let shape = scenario.catalog.get(instance).ok_or_else(|| {
                format!(
                    "no instance `{instance}` in the catalog{}",
                    did_you_mean(instance, scenario.catalog.instances())
                )
            })?;
            match field {
                SpecField::Vcpu => shape.vcpu,
                SpecField::MemoryGib => shape.memory_gib,
                SpecField::UsableMemoryGib => shape.data_memory_gib(),
            }
        }
        ClaimRef::Price {
            service,
            item,
            region,
        } => {
            let region = region.as_deref().unwrap_or(&scenario.spec.pricing.region);
            scenario.prices.get(service, item, region)?.tiers[0].price_usd
        }
    })
}

fn describe(r: &ClaimRef) -> String {
    match r {
        ClaimRef::Line {
            phase,
            component,
            items,
            measure,
        } => format!("{phase}: {component}/{} {measure:?}", items.join("+")),
        ClaimRef::Component {
            phase,
            component,
            measure,
        } => format!("{phase}: {component} total {measure:?}"),
        ClaimRef::Phase { phase, measure } => format!("{phase}: phase total {measure:?}"),
        ClaimRef::PerUser {
            phase,
            basis,
            measure,
        } => {
            format!("{phase}: {measure:?} per {basis:?}")
        }
        ClaimRef::Demand { phase, field } => format!("{phase}: demand {field}"),
        ClaimRef::Arithmetic { expr } => format!("= {expr}"),
        ClaimRef::Spec { instance, field } => format!("{instance} {field:?}"),
        ClaimRef::Price {
            service,
            item,
            region,
        } => format!(
            "list price {service}/{item}{}",
            region.as_ref().map_or(String::new(), |r| format!("/{r}"))
        ),
    }
}

fn hour_dependent(r: &ClaimRef) -> bool {
    match r {
        ClaimRef::Line { measure, .. } => {
            matches!(
                measure,
                LineMeasure::ListMonthlyUsd | LineMeasure::MonthlyUsd
            )
        }
        ClaimRef::Component { .. } | ClaimRef::Phase { .. } | ClaimRef::PerUser { .. } => true,
        ClaimRef::Arithmetic { expr: text } => expr::variables(text).iter().any(|v| v == "hours"),
        ClaimRef::Demand { .. } | ClaimRef::Spec { .. } | ClaimRef::Price { .. } => false,
    }
}

fn fmt(x: f64) -> String {
    if x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-3) {
        format!("{x:e}")
    } else {
        let text = format!("{x:.4}");
        let text = text.trim_end_matches('0').trim_end_matches('.');
        text.to_string()
    }
}

/// Why a wrong claim is wrong, where a known mistake explains it.
fn diagnose(
    claim: &Claim,
    computed: f64,
    scenario: &Scenario,
    plan: &Plan,
    verdicts: &BTreeMap<String, (f64, bool)>,
) -> String {
    let tol = claim.tolerance;
    if hour_dependent(&claim.refers_to) {
        for &h in OTHER_HOUR_BASES {
            if (h - plan.hours_per_month).abs() < 1e-9 {
                continue;
            }
            if let Ok(at) = compute(&claim.refers_to, &claim.covers, scenario, plan, h)
                && within(claim.claimed, at, tol.clamp(1e-9, 0.005))
            {
                return format!(
                    "reproduces only at {h} hours/month; at {} hours/month it is {}",
                    plan.hours_per_month,
                    fmt(computed)
                );
            }
        }
    }
    if !claim.sum_of.is_empty() {
        let parts: Vec<(&String, Option<&(f64, bool)>)> = claim
            .sum_of
            .iter()
            .map(|id| (id, verdicts.get(id)))
            .collect();
        if parts.iter().all(|(_, v)| v.is_some()) {
            let sum: f64 = parts.iter().map(|(_, v)| v.map_or(0.0, |v| v.0)).sum();
            if within(claim.claimed, sum, tol.max(0.001)) {
                let wrong: Vec<&str> = parts
                    .iter()
                    .filter(|(_, v)| v.is_some_and(|v| !v.1))
                    .map(|(id, _)| id.as_str())
                    .collect();
                return if wrong.is_empty() {
                    format!(
                        "equals the sum of the doc's figures {}",
                        claim.sum_of.join(" + ")
                    )
                } else {
                    format!(
                        "equals the sum of the doc's own lines {}, of which {} {} wrong",
                        claim.sum_of.join(" + "),
                        wrong.join(", "),
                        if wrong.len() == 1 { "is" } else { "are" }
                    )
                };
            }
        }
    }
    if computed != 0.0 && claim.claimed != 0.0 {
        let ratio = claim.claimed / computed;
        for k in [1i32, 2, 3] {
            for (factor, direction) in [(1000f64.powi(k), "high"), (1000f64.powi(-k), "low")] {
                if (ratio / factor - 1.0).abs() <= tol.max(0.02) {
                    let units = [
                        "a one-step unit mix-up (KB/MB, MB/GB, GB/TB or TB/PB)",
                        "a two-step unit mix-up (e.g. GB vs PB)",
                        "a three-step unit mix-up (e.g. B vs GB)",
                    ];
                    return format!(
                        "off by a factor of 1000^{k} ({direction}): {}",
                        units[(k - 1) as usize]
                    );
                }
            }
        }
        for k in [1i32, 2, 3] {
            let f = 1.024f64.powi(k);
            if (ratio / f - 1.0).abs() <= 0.002 || (ratio * f - 1.0).abs() <= 0.002 {
                return format!("off by 1.024^{k}: a binary/decimal (GiB vs GB) mix-up");
            }
        }
    }
    if let ClaimRef::Demand { phase: name, field } = &claim.refers_to
        && matches!(field.as_str(), "peak_concurrent_users" | "sessions")
        && let Ok(p) = phase(plan, name)
        && claim.claimed > p.demand.dau
    {
        return format!(
            "claims more concurrent {} ({}) than the phase has daily active users ({})",
            if field == "sessions" {
                "sessions"
            } else {
                "users"
            },
            fmt(claim.claimed),
            fmt(p.demand.dau)
        );
    }
    if computed == 0.0 {
        return "the plan has nothing here".into();
    }
    if claim.claimed == 0.0 {
        return format!("claimed 0, computed {}", fmt(computed));
    }
    format!(
        "claimed is {}x the computed value",
        fmt(claim.claimed / computed)
    )
}

/// Audits `plan` (built from `scenario`) against the scenario's claims and the hard limits.
pub fn run(scenario: &Scenario, plan: &Plan) -> Result<Audit, InputError> {
    let mut findings = Vec::new();
    // (claimed, ok) per claim id, for "sum of" diagnoses; claims are evaluated in file order,
    // so a total should come after its parts.
    let mut verdicts: BTreeMap<String, (f64, bool)> = BTreeMap::new();
    for (i, claim) in scenario.spec.claims.iter().enumerate() {
        let (computed, ok, diagnosis) = match &claim.refers_to {
            // A doc naming an instance type that does not exist is a finding, not bad input.
            ClaimRef::Spec { instance, .. } if scenario.catalog.get(instance).is_none() => (
                0.0,
                false,
                format!(
                    "`{instance}` is not a known instance type{}",
                    did_you_mean(instance, scenario.catalog.instances())
                ),
            ),
            _ => {
                let computed = compute(
                    &claim.refers_to,
                    &claim.covers,
                    scenario,
                    plan,
                    plan.hours_per_month,
                )
                .map_err(|m| {
                    InputError::field(
                        &scenario.file,
                        format!("claims[{i}].refers_to"),
                        format!("`{}`: {m}", claim.id),
                    )
                })?;
                let ok = holds(claim, computed);
                let diagnosis = if ok {
                    String::new()
                } else if claim.relation == Relation::Equal {
                    diagnose(claim, computed, scenario, plan, &verdicts)
                } else {
                    format!(
                        "claimed {} is {} the computed {}",
                        fmt(claim.claimed),
                        if claim.relation == Relation::AtMost {
                            "above"
                        } else {
                            "below"
                        },
                        fmt(computed)
                    )
                };
                // A total that leaves out an optional category is compared without it; the
                // category and its cost are named, whatever the verdict.
                let omits = omitted(claim, plan);
                let diagnosis = match (diagnosis.is_empty(), omits.is_empty()) {
                    (_, true) => diagnosis,
                    (true, false) => omits,
                    (false, false) => format!("{omits}; {diagnosis}"),
                };
                (computed, ok, diagnosis)
            }
        };
        verdicts.insert(claim.id.clone(), (claim.claimed, ok));
        findings.push(Finding {
            id: claim.id.clone(),
            source: "claim",
            quote: Some(claim.quote.clone()),
            refers_to: describe(&claim.refers_to),
            claimed: claim.claimed,
            computed,
            unit: claim.unit.clone(),
            ratio: (computed != 0.0).then(|| claim.claimed / computed),
            verdict: Verdict::of(ok),
            diagnosis,
        });
    }
    let claims_wrong = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Wrong)
        .count();
    findings.extend(checks(scenario, plan));
    let wrong = findings
        .iter()
        .filter(|f| f.verdict == Verdict::Wrong)
        .count();
    Ok(Audit {
        scenario: plan.scenario.clone(),
        hours_per_month: plan.hours_per_month,
        claims: scenario.spec.claims.len(),
        claims_wrong,
        ok: findings.len() - wrong,
        wrong,
        findings,
    })
}

fn check(
    id: String,
    refers_to: String,
    claimed: f64,
    computed: f64,
    unit: &str,
    ok: bool,
    diagnosis: String,
) -> Finding {
    Finding {
        id,
        source: "check",
        quote: None,
        refers_to,
        claimed,
        computed,
        unit: unit.to_string(),
        ratio: (computed != 0.0).then(|| claimed / computed),
        verdict: Verdict::of(ok),
        diagnosis,
    }
}

/// Claim-free checks: user populations nest, pins cover demand, counts stay within limits.
fn checks(scenario: &Scenario, plan: &Plan) -> Vec<Finding> {
    // Kubernetes limits apply to App tiers that run on a Kubernetes control plane.
    let on_kubernetes = |component: &str| {
        scenario.spec.components.iter().any(|c| {
            c.name == component
                && matches!(&c.policy, crate::input::Policy::App(p) if p.control_plane.is_some())
        })
    };
    let mut out = Vec::new();
    for p in &plan.phases {
        let d = &p.demand;
        let nest = [
            (
                "peak_concurrent_users",
                d.peak_concurrent_users,
                "dau",
                d.dau,
            ),
            ("dau", d.dau, "mau", d.mau),
            ("mau", d.mau, "users", d.users),
        ];
        for (small, a, big, b) in nest {
            if a > b * (1.0 + 1e-9) {
                out.push(check(
                    format!("check:{}:{small}<={big}", p.name),
                    format!("{}: demand {small} <= {big}", p.name),
                    a,
                    b,
                    "users",
                    false,
                    format!("{small} exceeds {big}"),
                ));
            }
        }
        // Kafka brokers and Kubernetes nodes per cluster within the policy's limit (MSK's
        // brokers per cluster, the Kubernetes tested bound): pinned counts spread over the
        // derived clusters.
        for component in &scenario.spec.components {
            let (item, clusters_item, limit, what) = match &component.policy {
                crate::input::Policy::Kafka(k) => {
                    ("broker", "clusters", k.max_brokers_per_cluster, "brokers")
                }
                crate::input::Policy::App(a) if a.control_plane.is_some() => {
                    ("node", "control-plane", a.max_nodes_per_cluster, "nodes")
                }
                _ => continue,
            };
            let find = |item: &str| {
                p.lines
                    .iter()
                    .find(|l| l.component == component.name && l.item == item)
            };
            let (Some(members), Some(clusters)) = (find(item), find(clusters_item)) else {
                continue;
            };
            for (region, n) in &members.regions {
                let c = clusters.regions.get(region).copied().unwrap_or(1).max(1);
                let per_cluster = n.div_ceil(c);
                if per_cluster > limit {
                    out.push(check(
                        format!("check:{}:{}:{region}:cluster-size", p.name, component.name),
                        format!(
                            "{}: {} {what} per cluster in {region}",
                            p.name, component.name
                        ),
                        per_cluster as f64,
                        limit as f64,
                        what,
                        false,
                        format!(
                            "{n} {what} in {c} cluster(s) is {per_cluster} per cluster, above the \
                             {limit}-{} limit: split into more clusters",
                            what.trim_end_matches('s')
                        ),
                    ));
                }
            }
        }
        // Redis Cluster: nodes per cluster within the policy's limit (1,000 recommended; 16,384
        // slots), with pinned counts spread over the derived clusters.
        for component in &scenario.spec.components {
            let crate::input::Policy::Redis(policy) = &component.policy else {
                continue;
            };
            let find = |item: &str| {
                p.lines
                    .iter()
                    .find(|l| l.component == component.name && l.item == item)
            };
            let (Some(masters), Some(replicas), Some(clusters)) =
                (find("master"), find("replica"), find("clusters"))
            else {
                continue;
            };
            for (region, m) in &masters.regions {
                let nodes = m + replicas.regions.get(region).copied().unwrap_or(0);
                let c = clusters.regions.get(region).copied().unwrap_or(1).max(1);
                let per_cluster = nodes.div_ceil(c);
                if per_cluster > policy.nodes_per_cluster() {
                    out.push(check(
                        format!("check:{}:{}:{region}:cluster-size", p.name, component.name),
                        format!("{}: {} nodes per cluster in {region}", p.name, component.name),
                        per_cluster as f64,
                        policy.nodes_per_cluster() as f64,
                        "nodes",
                        false,
                        format!(
                            "{nodes} nodes in {c} cluster(s) is {per_cluster} per cluster, above the {}-node limit: split into more clusters",
                            policy.nodes_per_cluster()
                        ),
                    ));
                }
            }
        }
        for line in &p.lines {
            if let Some(limit) = line.limit.filter(|&l| line.count > l) {
                out.push(check(
                    format!("check:{}:{}/{}:limit", p.name, line.component, line.item),
                    format!(
                        "{}: {}/{} within its limit",
                        p.name, line.component, line.item
                    ),
                    line.count as f64,
                    limit as f64,
                    &line.count_unit,
                    false,
                    format!(
                        "{} is above its limit of {limit}: the limit binds (for server \
                         connections: fewer poolers, a database shape with more memory, or \
                         more shards)",
                        line.count
                    ),
                ));
            }
            let below = line.count < line.derived_count;
            let far_above = line.derived_count > 0
                && line.count >= line.derived_count.saturating_mul(2)
                && line.billed;
            if line.pinned && (below || far_above) {
                let diagnosis = if !below {
                    format!(
                        "over-provisioned: pinned {} is {:.1}x the {} demand needs",
                        line.count,
                        line.count as f64 / line.derived_count as f64,
                        line.derived_count
                    )
                } else if line.count == 0 {
                    format!("pinned 0 but demand needs {}", line.derived_count)
                } else {
                    format!(
                        "pinned {} is below the {} demand needs (x{:.2} short)",
                        line.count,
                        line.derived_count,
                        line.derived_count as f64 / line.count as f64
                    )
                };
                // What each resource alone needs, so the finding names what binds.
                let diagnosis = if line.by_resource.is_empty() {
                    diagnosis
                } else {
                    let each: Vec<String> = line
                        .by_resource
                        .iter()
                        .map(|(resource, n)| format!("{resource} {n}"))
                        .collect();
                    format!("{diagnosis}; each resource alone: {}", each.join(", "))
                };
                out.push(check(
                    format!(
                        "check:{}:{}/{}:pinned-{}-demand",
                        p.name,
                        line.component,
                        line.item,
                        if below { "below" } else { "above" }
                    ),
                    format!(
                        "{}: {}/{} pinned vs needed",
                        p.name, line.component, line.item
                    ),
                    line.count as f64,
                    line.derived_count as f64,
                    &line.count_unit,
                    !below,
                    diagnosis,
                ));
            }
            // `on_kubernetes` holds only for App tiers, whose lines these items are.
            let limit = match line.item.as_str() {
                "node" if on_kubernetes(&line.component) => {
                    Some((K8S_MAX_NODES, "nodes per Kubernetes cluster"))
                }
                "pod" if on_kubernetes(&line.component) => {
                    Some((K8S_MAX_PODS, "pods per Kubernetes cluster"))
                }
                _ => None,
            };
            if let Some((max, what)) = limit {
                for (region, count) in &line.regions {
                    if *count > max {
                        out.push(check(
                            format!("check:{}:{}/{}:{region}:limit", p.name, line.component, line.item),
                            format!("{}: {}/{} in {region}", p.name, line.component, line.item),
                            *count as f64,
                            max as f64,
                            &line.count_unit,
                            false,
                            format!("{count} is above Kubernetes' limit of {max} {what}: split the cluster"),
                        ));
                    }
                }
            }
        }
    }
    out
}
