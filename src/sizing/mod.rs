//! Sizing: from a phase's demand to integer counts for every component.
//!
//! One file per component kind, each a pure function from (policy, demand) to lines. This
//! module owns what they share: the line type, regional placement (size each region for its
//! users, then add the regions up), and the order in which components that depend on others
//! (a pooler needs the shard and pod counts) are sized.

pub mod app;
pub mod cdn;
pub mod cross_region;
pub mod fixed;
pub mod kafka;
pub mod object_storage;
pub mod pgbouncer;
pub mod postgres;
pub mod redis;
pub mod small_map;

use std::collections::BTreeMap;

// Line items, instance types, services and regions are short names: inline strings (up to
// 24 bytes without a heap allocation) keep Monte Carlo draws, which size every component
// thousands of times, off the allocator.
pub use compact_str::CompactString as Name;
pub use small_map::SmallMap;

use crate::catalog::Catalog;
use crate::demand::Demand;
use crate::input::{Component, Placement, Policy, Region, Scenario};
use crate::trace::{Step, Trace};

/// What a line's count counts, which decides how a price bills it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Measure {
    /// Instances (nodes, brokers, hosts); `memory_gib` is each one's memory, for GiB-hour prices.
    Instances { memory_gib: Option<f64> },
    /// Gigabytes (stored for a month, or transferred in a month).
    Gb,
    /// Requests in a month.
    Requests,
    /// A stated count in whatever the price bills: instances for hourly prices, else units.
    Stated,
    /// A capacity figure that is not billed (pods, connections, partitions, clusters).
    Info(&'static str),
}

impl Measure {
    /// The unit of the count, for tables.
    #[must_use]
    pub fn count_unit(&self) -> &'static str {
        match self {
            Measure::Instances { .. } => "instances",
            Measure::Gb => "GB",
            Measure::Requests => "requests",
            Measure::Stated => "units",
            Measure::Info(unit) => unit,
        }
    }
}

/// Which table price bills a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriceKey {
    pub service: Name,
    pub item: Name,
    pub region: Name,
}

impl PriceKey {
    #[must_use]
    pub fn new(service: &str, item: &str, region: &str) -> PriceKey {
        PriceKey {
            service: Name::new(service),
            item: Name::new(item),
            region: Name::new(region),
        }
    }
}

/// One line of one region (or of a global component) before regions are added up.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionLine {
    /// Line item (`primary`, `master`, `edge-egress`).
    pub item: Name,
    /// The count.
    pub count: u64,
    /// What the count counts.
    pub measure: Measure,
    /// The instance type, for instance lines.
    pub instance: Option<Name>,
    /// The table price that bills it (`None` = not billed).
    pub price: Option<PriceKey>,
    /// Name of the traced step whose result is the count; its inputs' steps form the line's
    /// derivation. `None`: the whole component trace.
    pub step: Option<Name>,
    /// A per-unit setting (connections per shard, per pooler): regions combine by maximum,
    /// not by sum.
    pub per_unit: bool,
}

impl RegionLine {
    /// Marks a per-unit setting: combined over regions by maximum.
    #[must_use]
    pub fn per_unit(mut self) -> RegionLine {
        self.per_unit = true;
        self
    }

    /// Names the traced step the count comes from.
    #[must_use]
    pub fn from_step(mut self, step: &str) -> RegionLine {
        self.step = Some(Name::new(step));
        self
    }

    /// A billed line.
    #[must_use]
    pub fn billed(item: &str, count: u64, measure: Measure, price: PriceKey) -> RegionLine {
        let instance = match measure {
            Measure::Instances { .. } => Some(price.item.clone()),
            _ => None,
        };
        RegionLine {
            item: Name::new(item),
            count,
            measure,
            instance,
            price: Some(price),
            step: None,
            per_unit: false,
        }
    }

    /// A capacity figure that is not billed.
    #[must_use]
    pub fn info(item: &str, count: u64, unit: &'static str) -> RegionLine {
        RegionLine {
            item: Name::new(item),
            count,
            measure: Measure::Info(unit),
            instance: None,
            price: None,
            step: None,
            per_unit: false,
        }
    }
}

/// A sized line of a component, regions added up.
#[derive(Debug, Clone, PartialEq)]
pub struct SizedLine {
    pub item: Name,
    pub count: u64,
    pub measure: Measure,
    pub instance: Option<Name>,
    pub price: Option<PriceKey>,
    /// Combined over regions by maximum (a per-unit setting).
    pub per_unit: bool,
    pub derivation: Vec<Step>,
}

/// A component sized for one phase.
#[derive(Debug, Clone, Default)]
pub struct ComponentSizing {
    /// The lines, in the rule's order.
    pub lines: Vec<SizedLine>,
    /// Counts per region name, per item (for components sized after this one).
    pub per_region: SmallMap<SmallMap<u64>>,
}

impl ComponentSizing {
    /// The count of `item` in `region`, or over all regions when the region is not there.
    #[must_use]
    pub fn count_in(&self, region: &str, item: &str) -> u64 {
        match self.per_region.get(region) {
            Some(items) => items.get(item).copied().unwrap_or(0),
            None => self
                .per_region
                .values()
                .map(|items| items.get(item).copied().unwrap_or(0))
                .sum(),
        }
    }
}

/// What a sizing rule sees of one region.
pub struct RegionContext<'a> {
    /// Region name (`global` for a global component).
    pub region: &'a str,
    /// This region's demand.
    pub demand: Demand,
    /// The phase name.
    pub phase: &'a str,
    /// Regions in the scenario.
    pub region_count: usize,
    /// The pricing region.
    pub pricing_region: &'a str,
    /// The CDN pricing geography.
    pub cdn_geography: &'a str,
    /// Instance shapes.
    pub catalog: &'a Catalog,
    /// Components sized before this one.
    pub sized: &'a SmallMap<ComponentSizing>,
}

/// A sizing failure: a message about a component's policy, for the input error.
pub type SizingError = String;

/// The instance for `phase`: the per-phase choice if any, else the default.
#[must_use]
pub fn instance_for<'a>(
    default: &'a str,
    by_phase: &'a BTreeMap<String, String>,
    phase: &str,
) -> &'a str {
    by_phase.get(phase).map_or(default, String::as_str)
}

/// Components in the order they must be sized: those that read other components last.
#[must_use]
pub fn sizing_order(components: &[Component]) -> Vec<usize> {
    let (dependent, independent): (Vec<usize>, Vec<usize>) =
        (0..components.len()).partition(|&i| matches!(components[i].policy, Policy::PgBouncer(_)));
    independent.into_iter().chain(dependent).collect()
}

fn placement(policy: &Policy) -> Placement {
    match policy {
        Policy::Postgres(p) => p.placement,
        Policy::PgBouncer(p) => p.placement,
        Policy::Redis(p) => p.placement,
        Policy::App(p) => p.placement,
        Policy::Kafka(p) => p.placement,
        Policy::Cdn(_) | Policy::ObjectStorage(_) | Policy::CrossRegion(_) | Policy::Fixed(_) => {
            Placement::Global
        }
    }
}

fn size_region(
    component: &Component,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Result<Vec<RegionLine>, SizingError> {
    match &component.policy {
        Policy::Postgres(p) => postgres::size(p, ctx, t),
        Policy::PgBouncer(p) => pgbouncer::size(p, ctx, t),
        Policy::Redis(p) => redis::size(p, ctx, t),
        Policy::App(p) => app::size(p, ctx, t),
        Policy::Kafka(p) => kafka::size(p, ctx, t),
        Policy::Cdn(p) => Ok(cdn::size(p, ctx, t)),
        Policy::ObjectStorage(p) => Ok(object_storage::size(p, ctx, t)),
        Policy::CrossRegion(p) => Ok(cross_region::size(p, ctx, t)),
        Policy::Fixed(p) => Ok(fixed::size(p, ctx)),
    }
}

/// Everything a component's sizing needs besides the component.
pub struct PhaseInputs<'a> {
    pub scenario: &'a Scenario,
    pub phase: &'a str,
    pub demand: &'a Demand,
    pub sized: &'a SmallMap<ComponentSizing>,
    /// Record derivations (false for Monte Carlo draws, which need only the numbers).
    pub traced: bool,
    /// Keep per-region counts (the plan shows them; poolers read their database's and app's).
    /// Monte Carlo draws skip them for components nothing reads.
    pub keep_regions: bool,
}

/// Sizes one component for one phase: per region (or once, globally), then added up.
pub fn size_component(
    component: &Component,
    inputs: &PhaseInputs<'_>,
) -> Result<ComponentSizing, SizingError> {
    let spec = &inputs.scenario.spec;
    static GLOBAL: std::sync::LazyLock<[Region; 1]> = std::sync::LazyLock::new(|| {
        [Region {
            name: "global".to_string(),
            user_share: 1.0,
        }]
    });
    let regions: &[Region] = match placement(&component.policy) {
        Placement::PerRegion => &spec.regions,
        Placement::Global => &*GLOBAL,
    };
    let multi = regions.len() > 1;
    let mut per_region: SmallMap<SmallMap<u64>> = SmallMap::default();
    // Lines added up over regions, in first-seen order, with each region's closure of steps.
    let mut totals: Vec<(RegionLine, Vec<Step>)> = Vec::new();
    for region in regions {
        let ctx = RegionContext {
            region: &region.name,
            demand: inputs.demand.scaled(region.user_share),
            phase: inputs.phase,
            region_count: spec.regions.len(),
            pricing_region: &spec.pricing.region,
            cdn_geography: &spec.pricing.cdn_geography,
            catalog: &inputs.scenario.catalog,
            sized: inputs.sized,
        };
        let mut t = if !inputs.traced {
            Trace::disabled()
        } else if multi {
            Trace::labelled(&region.name)
        } else {
            Trace::new()
        };
        if multi && inputs.traced {
            t.step(
                "region_users",
                "users x user_share",
                &[
                    ("users", inputs.demand.users, "users"),
                    ("user_share", region.user_share, "fraction"),
                ],
                ctx.demand.users,
                "users",
            );
        }
        let lines = size_region(component, &ctx, &mut t)?;
        if inputs.keep_regions {
            let mut items = SmallMap::default();
            for l in &lines {
                items.insert(l.item.clone(), l.count);
            }
            per_region.insert(Name::new(&region.name), items);
        }
        let steps = t.into_steps();
        for (position, line) in lines.into_iter().enumerate() {
            let closure = if inputs.traced {
                closure(
                    &steps,
                    line.step.as_deref(),
                    multi.then_some(region.name.as_str()),
                )
            } else {
                Vec::new()
            };
            // Regions list the same lines in the same order: look at the same position first.
            let same = match totals.get(position) {
                Some((l, _)) if l.item == line.item => Some(position),
                _ => totals.iter().position(|(l, _)| l.item == line.item),
            };
            match same.map(|i| &mut totals[i]) {
                Some((total, derivation)) => {
                    total.count = if total.per_unit {
                        total.count.max(line.count)
                    } else {
                        total.count.saturating_add(line.count)
                    };
                    derivation.extend(closure);
                }
                None => totals.push((line, closure)),
            }
        }
    }
    let lines = totals
        .into_iter()
        .map(|(line, mut derivation)| {
            if multi && inputs.traced {
                let counts: Vec<f64> = per_region
                    .values()
                    .map(|items| items.get(&line.item).copied().unwrap_or(0) as f64)
                    .collect();
                let names: Vec<String> = per_region
                    .keys()
                    .map(|r| format!("{}[{r}]", line.item))
                    .collect();
                let inputs: Vec<(&str, f64, &str)> = names
                    .iter()
                    .zip(&counts)
                    .map(|(n, c)| (n.as_str(), *c, line.measure.count_unit()))
                    .collect();
                let mut t = Trace::new();
                t.step(
                    &line.item,
                    if line.per_unit {
                        "max over regions"
                    } else {
                        "sum over regions"
                    },
                    &inputs,
                    line.count as f64,
                    line.measure.count_unit(),
                );
                derivation.extend(t.into_steps());
            }
            SizedLine {
                item: line.item,
                count: line.count,
                measure: line.measure,
                instance: line.instance,
                price: line.price,
                per_unit: line.per_unit,
                derivation,
            }
        })
        .collect();
    Ok(ComponentSizing { lines, per_region })
}

impl ComponentSizing {
    /// Replaces the derived total of `item` by `pinned`, spread over regions in proportion to
    /// the derived counts (evenly when nothing was derived), so that components sized later
    /// see what is provisioned. Per-unit settings are set in every region.
    pub fn apply_pin(&mut self, item: &str, pinned: u64) {
        let per_unit = self.lines.iter().any(|l| l.item == item && l.per_unit);
        let regions: Vec<Name> = self.per_region.keys().cloned().collect();
        if per_unit {
            for r in &regions {
                self.per_region
                    .get_mut(r)
                    .map(|items| items.insert(Name::new(item), pinned));
            }
            return;
        }
        let weights: Vec<u64> = regions
            .iter()
            .map(|r| {
                self.per_region
                    .get(r)
                    .and_then(|items| items.get(item))
                    .copied()
                    .unwrap_or(0)
            })
            .collect();
        for (r, share) in regions.iter().zip(distribute(pinned, &weights)) {
            self.per_region
                .get_mut(r)
                .map(|items| items.insert(Name::new(item), share));
        }
    }
}

/// Splits `total` into integers proportional to `weights` (evenly if they are all 0), summing
/// exactly to `total` (largest remainders get the leftovers, earlier regions first on ties).
#[must_use]
pub fn distribute(total: u64, weights: &[u64]) -> Vec<u64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: u64 = weights.iter().sum();
    let weights: Vec<f64> = if sum == 0 {
        vec![1.0; weights.len()]
    } else {
        weights.iter().map(|&w| w as f64).collect()
    };
    let wsum: f64 = weights.iter().sum();
    let exact: Vec<f64> = weights.iter().map(|w| total as f64 * w / wsum).collect();
    let mut shares: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut left = total - shares.iter().sum::<u64>().min(total);
    let mut order: Vec<usize> = (0..exact.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for i in order {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
}

/// The steps a line's count depends on: its final step and, transitively, every earlier step
/// whose result is one of its inputs. Without a named final step, every step.
fn closure(steps: &[Step], last: Option<&str>, label: Option<&str>) -> Vec<Step> {
    let full = |name: &str| match label {
        Some(label) => format!("[{label}] {name}"),
        None => name.to_string(),
    };
    let Some(last) = last else {
        return steps.to_vec();
    };
    let Some(end) = steps.iter().rposition(|s| s.name == full(last)) else {
        return steps.to_vec();
    };
    let mut keep = vec![false; steps.len()];
    keep[end] = true;
    // Walk backwards: a step is kept when a kept later step reads its result by name.
    for i in (0..end).rev() {
        let name = &steps[i].name;
        let bare = match label {
            Some(label) => name.strip_prefix(&format!("[{label}] ")).unwrap_or(name),
            None => name,
        };
        let used = (i + 1..=end).any(|j| {
            keep[j]
                && steps[j].inputs.iter().any(|input| {
                    input.name == bare || (bare == "region_users" && input.name == "users")
                })
        });
        keep[i] = used;
    }
    steps
        .iter()
        .zip(keep)
        .filter(|(_, k)| *k)
        .map(|(s, _)| s.clone())
        .collect()
}

/// Memory of `instance` for sizing: the override, else the catalog's usable memory.
pub fn node_memory_gib(
    instance: &str,
    override_gib: Option<f64>,
    catalog: &Catalog,
) -> Result<f64, SizingError> {
    if let Some(gib) = override_gib {
        return Ok(gib);
    }
    catalog
        .get(instance)
        .map(crate::catalog::Shape::data_memory_gib)
        .ok_or_else(|| {
            format!(
                "no memory figure for instance `{instance}`: add it to the catalog or set \
             node_memory_gib{}",
                crate::error::did_you_mean(instance, catalog.instances())
            )
        })
}

/// The spare-capacity factor 1 + headroom, as a traced step input.
#[must_use]
pub fn with_headroom(x: f64, headroom: f64) -> f64 {
    x * (1.0 + headroom)
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Contexts for testing one sizing rule against a hand-made demand.

    use super::*;

    /// Runs `f` with a one-region context over `demand`, the shipped catalog, and `sized`.
    pub fn with_ctx<R>(
        demand: Demand,
        sized: &SmallMap<ComponentSizing>,
        f: impl FnOnce(&RegionContext<'_>) -> R,
    ) -> R {
        let catalog = Catalog::load(std::path::Path::new(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/models/catalog/aws-instances.csv"
        )))
        .expect("shipped catalog loads");
        let ctx = RegionContext {
            region: "r1",
            demand,
            phase: "P",
            region_count: 3,
            pricing_region: "us-east-1",
            cdn_geography: "north-america",
            catalog: &catalog,
            sized,
        };
        f(&ctx)
    }

    /// The count of `item` among `lines`.
    pub fn count(lines: &[RegionLine], item: &str) -> u64 {
        lines
            .iter()
            .find(|l| l.item == item)
            .unwrap_or_else(|| panic!("no line {item}"))
            .count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribute_sums_exactly() {
        // 1,024 over derived 100/100/56: 400 + 400 + 224 exactly
        assert_eq!(distribute(1_024, &[100, 100, 56]), vec![400, 400, 224]);
        // 10 evenly over 3 with nothing derived: 4 + 3 + 3
        assert_eq!(distribute(10, &[0, 0, 0]), vec![4, 3, 3]);
        assert_eq!(distribute(5, &[1, 1]).iter().sum::<u64>(), 5);
    }
}
