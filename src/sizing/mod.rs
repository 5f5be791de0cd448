//! Sizing: from a phase's demand to integer counts for every component.
//!
//! One file per component kind, each a pure function from (policy, demand) to lines (the
//! kind's policy and everything else it declares are in `input/kinds/<kind>.rs`). This
//! module owns what they share: the line type, regional placement (size each region for its
//! users, then add the regions up), and the order in which components that depend on others
//! (a pooler needs the shard and pod counts) are sized.

pub mod app;
pub mod backups;
pub mod cdn;
pub mod cross_az;
pub mod cross_region;
pub mod fixed;
pub mod kafka;
pub mod load_balancer;
pub mod nat;
pub mod node_volume;
pub mod object_storage;
pub mod observability;
pub mod pgbouncer;
pub mod postgres;
pub mod redis;
pub mod small_map;
pub mod spare;

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
#[derive(Debug, Clone, Eq)]
pub struct PriceKey {
    pub service: Name,
    pub item: Name,
    pub region: Name,
}

/// Region first: a multi-region line's parts differ by region only, and summing regions
/// compares keys in every draw.
impl PartialEq for PriceKey {
    fn eq(&self, other: &PriceKey) -> bool {
        self.region == other.region && self.item == other.item && self.service == other.service
    }
}

impl PriceKey {
    #[must_use]
    #[inline]
    pub fn new(service: &str, item: &str, region: &str) -> PriceKey {
        PriceKey {
            service: Name::new(service),
            item: Name::new(item),
            region: Name::new(region),
        }
    }
}

/// How a global component's line is split over price keys (a per-region component's lines
/// are priced in their own region already).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spread {
    /// All of it at the line's key.
    None,
    /// Over the serving regions by user share, each at its price region (traffic each region
    /// sends: cross-region replication is billed by its source).
    Regions,
    /// Over the regions' CDN edge geographies by user share (edge egress and requests).
    Geographies,
}

/// The part of a line's count billed at one price key (a region, a CDN geography).
#[derive(Debug, Clone, PartialEq)]
pub struct PricePart {
    pub key: PriceKey,
    pub count: u64,
}

/// The resource name of a policy's floor (min shards, min masters, one node per zone...).
pub const MINIMUM: &str = "minimum";

/// Most resources one count is taken over (CPU, memory, network, IOPS, storage, connections,
/// a service limit, the HA minimum...).
pub const MAX_RESOURCES: usize = 8;

/// Every resource a count can be taken over, by name; a [`Binding`] stores positions in
/// this list (one byte each) to stay small, since every sized line carries one.
const RESOURCES: [&str; 21] = [
    "cpu",
    "memory",
    "network",
    "network-in",
    "network-out",
    "disk-throughput",
    "iops",
    "storage",
    "connections",
    "partitions",
    "max-pods",
    "service-limit",
    "users",
    MINIMUM,
    "stated-write-qps",
    "stated-read-qps",
    "stated-ops",
    "stated-ingress",
    "stated-rps",
    "stated-pods-per-node",
    REGION_LOSS,
];

/// The resource name of the region-loss policy where it sets a count (`survive_region_loss`).
pub const REGION_LOSS: &str = "region-loss";

/// Position of `resource` in [`RESOURCES`] (a `match`, which compiles to a length switch:
/// rules name resources on every draw). A test keeps it in step with the list.
#[inline]
fn resource_index(resource: &str) -> u8 {
    match resource {
        "cpu" => 0,
        "memory" => 1,
        "network" => 2,
        "network-in" => 3,
        "network-out" => 4,
        "disk-throughput" => 5,
        "iops" => 6,
        "storage" => 7,
        "connections" => 8,
        "partitions" => 9,
        "max-pods" => 10,
        "service-limit" => 11,
        "users" => 12,
        "minimum" => 13,
        "stated-write-qps" => 14,
        "stated-read-qps" => 15,
        "stated-ops" => 16,
        "stated-ingress" => 17,
        "stated-rps" => 18,
        "stated-pods-per-node" => 19,
        "region-loss" => 20,
        _ => {
            debug_assert!(false, "unknown resource `{resource}`");
            u8::MAX
        }
    }
}

/// The name of the resource at `index`.
fn resource_name(index: u8) -> &'static str {
    RESOURCES
        .get(usize::from(index))
        .copied()
        .unwrap_or("unknown")
}

/// Why a count is what it is: the count each resource alone would need, and the one that set
/// it (the largest; the minimum on ties with it, else the first listed). Inline, small and
/// `Copy`, so that Monte Carlo draws, which size every component thousands of times, neither
/// allocate nor copy much for it.
///
/// Regions added up ([`Binding::combine`]) sum each resource's need, but the line's count is
/// the sum of each region's own maximum: the largest summed need can belong to a resource that
/// set no region's count (memory second everywhere, CPU and network each first in one region).
/// So the line names, among the resources that set some region's count, the one with the
/// largest summed need: always a resource that set (part of) the count, and the one whose
/// need is most of the fleet's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Binding {
    counts: [u64; MAX_RESOURCES],
    resources: [u8; MAX_RESOURCES],
    len: u8,
    /// Regions added up: a bit per position (as in `resources`) of each resource that set some
    /// region's count; 0 for one region (every resource may bind). Fits in the padding.
    set_a_region: u8,
}

impl Binding {
    /// The counts each resource alone would need, in the rule's order. Resources past
    /// [`MAX_RESOURCES`] are a bug in a rule: they panic in tests and are dropped otherwise.
    #[must_use]
    #[inline]
    pub fn of(by_resource: &[(&'static str, u64)]) -> Binding {
        let mut b = Binding {
            counts: [0; MAX_RESOURCES],
            resources: [0; MAX_RESOURCES],
            len: 0,
            set_a_region: 0,
        };
        for &(resource, count) in by_resource {
            b = b.with(resource, count);
        }
        b
    }

    /// Adds a resource's count.
    #[must_use]
    #[inline]
    pub fn with(mut self, resource: &'static str, count: u64) -> Binding {
        self.push(resource_index(resource), count);
        self
    }

    #[inline]
    fn push(&mut self, resource: u8, count: u64) {
        let at = usize::from(self.len);
        debug_assert!(at < MAX_RESOURCES, "too many resources");
        if at < MAX_RESOURCES {
            self.counts[at] = count;
            self.resources[at] = resource;
            self.len += 1;
        }
    }

    /// The resource that sets the count: the one needing the most (the minimum on ties with
    /// it, else the first listed); regions added up, the one needing the most among those
    /// that set some region's count.
    #[must_use]
    pub fn binding(&self) -> &'static str {
        self.binding_position()
            .map_or("", |i| resource_name(self.resources[i]))
    }

    /// Position of the binding resource (see [`Binding::binding`]).
    fn binding_position(&self) -> Option<usize> {
        let minimum = resource_index(MINIMUM);
        let mut best: Option<(usize, u8, u64)> = None;
        for i in 0..usize::from(self.len) {
            if self.set_a_region != 0 && self.set_a_region & (1 << i) == 0 {
                continue;
            }
            let (resource, count) = (self.resources[i], self.counts[i]);
            // On a tie the HA minimum binds: demand did not ask for more than it.
            let wins = match best {
                None => true,
                Some((_, _, n)) => count > n || (count == n && resource == minimum),
            };
            if wins {
                best = Some((i, resource, count));
            }
        }
        best.map(|(i, _, _)| i)
    }

    /// The count of the binding resource.
    #[must_use]
    #[inline]
    pub fn needed(&self) -> u64 {
        self.counts[..usize::from(self.len)]
            .iter()
            .copied()
            .max()
            .unwrap_or(0)
    }

    /// True when no resource was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Each resource's count alone, in the rule's order.
    pub fn by_resource(&self) -> impl Iterator<Item = (&'static str, u64)> + '_ {
        (0..usize::from(self.len)).map(|i| (resource_name(self.resources[i]), self.counts[i]))
    }

    /// Every resource's count multiplied by `n` (a per-shard count over all shards).
    #[must_use]
    #[inline]
    pub fn times(mut self, n: u64) -> Binding {
        for c in &mut self.counts[..usize::from(self.len)] {
            *c = c.saturating_mul(n);
        }
        self
    }

    /// Adds another region's counts resource by resource (`max` for per-unit settings);
    /// resources only `other` has are appended.
    fn combine(&mut self, other: &Binding, per_unit: bool) {
        // The first region's own binding resource, before sums blur it.
        if self.set_a_region == 0
            && let Some(at) = self.binding_position()
        {
            self.set_a_region = 1 << at;
        }
        let other_binds = other.binding_position().map(|i| other.resources[i]);
        for i in 0..usize::from(other.len) {
            let (resource, count) = (other.resources[i], other.counts[i]);
            let len = usize::from(self.len);
            match self.resources[..len].iter().position(|&r| r == resource) {
                Some(at) if per_unit => self.counts[at] = self.counts[at].max(count),
                Some(at) => self.counts[at] = self.counts[at].saturating_add(count),
                None => self.push(resource, count),
            }
        }
        if let Some(resource) = other_binds {
            let len = usize::from(self.len);
            if let Some(at) = self.resources[..len].iter().position(|&r| r == resource) {
                self.set_a_region |= 1 << at;
            }
        }
    }
}

pub use spare::region_lines;

/// One line of one region (or of a global component) before regions are added up.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionLine {
    /// Line item (`primary`, `master`, `edge-egress`).
    pub item: Name,
    /// The count.
    pub count: u64,
    /// What the count counts.
    pub measure: Measure,
    /// True when the price key's item is the line's instance type (instance lines; not a
    /// control plane or a stated fixed line, whose price item is no instance).
    pub names_instance: bool,
    /// The table price that bills it (`None` = not billed).
    pub price: Option<PriceKey>,
    /// Name of the traced step whose result is the count; its inputs' steps form the line's
    /// derivation. `None`: the whole component trace.
    pub step: Option<Name>,
    /// A per-unit setting (connections per shard, per pooler): regions combine by maximum,
    /// not by sum.
    pub per_unit: bool,
    /// How a global line splits over price keys.
    pub spread: Spread,
    /// The resources the count was taken over, where it is a max over resources.
    pub binding: Option<Binding>,
    /// A limit the count must stay within (a per-unit count against another component's
    /// limit, e.g. server connections per primary against its `max_connections`); the plan
    /// warns and the audit fails when it does not.
    pub limit: Option<u64>,
}

impl RegionLine {
    /// Splits a global line over price keys by the regions' user shares.
    #[must_use]
    #[inline]
    pub fn spread(mut self, spread: Spread) -> RegionLine {
        self.spread = spread;
        self
    }

    /// Sets the limit the count must stay within.
    #[must_use]
    #[inline]
    pub fn limited_to(mut self, limit: u64) -> RegionLine {
        self.limit = Some(limit);
        self
    }

    /// Records what each resource alone would need and so which one binds.
    #[must_use]
    #[inline]
    pub fn bound_by(mut self, binding: Binding) -> RegionLine {
        self.binding = Some(binding);
        self
    }

    /// Marks a per-unit setting: combined over regions by maximum.
    #[must_use]
    #[inline]
    pub fn per_unit(mut self) -> RegionLine {
        self.per_unit = true;
        self
    }

    /// Names the traced step the count comes from.
    #[must_use]
    #[inline]
    pub fn from_step(mut self, step: &str) -> RegionLine {
        self.step = Some(Name::new(step));
        self
    }

    /// A billed line; for instances, the price key's item is the instance type.
    #[must_use]
    #[inline]
    pub fn billed(item: &str, count: u64, measure: Measure, price: PriceKey) -> RegionLine {
        RegionLine {
            item: Name::new(item),
            count,
            measure,
            names_instance: matches!(measure, Measure::Instances { .. }),
            price: Some(price),
            step: None,
            per_unit: false,
            spread: Spread::None,
            binding: None,
            limit: None,
        }
    }

    /// A billed line whose price item is not an instance type (a managed control plane, a
    /// stated fixed line).
    #[must_use]
    #[inline]
    pub fn billed_without_instance(
        item: &str,
        count: u64,
        measure: Measure,
        price: PriceKey,
    ) -> RegionLine {
        RegionLine {
            names_instance: false,
            ..RegionLine::billed(item, count, measure, price)
        }
    }

    /// A capacity figure that is not billed.
    #[must_use]
    #[inline]
    pub fn info(item: &str, count: u64, unit: &'static str) -> RegionLine {
        RegionLine {
            item: Name::new(item),
            count,
            measure: Measure::Info(unit),
            names_instance: false,
            price: None,
            step: None,
            per_unit: false,
            spread: Spread::None,
            binding: None,
            limit: None,
        }
    }
}

/// A sized line of a component, regions added up.
#[derive(Debug, Clone, PartialEq)]
pub struct SizedLine {
    pub item: Name,
    pub count: u64,
    pub measure: Measure,
    /// True when the price key's item is the instance type.
    pub names_instance: bool,
    pub price: Option<PriceKey>,
    /// The count per price key where regions bill at different keys, in region order;
    /// empty when all of it bills at `price`.
    pub parts: Vec<PricePart>,
    /// Combined over regions by maximum (a per-unit setting).
    pub per_unit: bool,
    /// What each resource alone would need, regions added up (`None`: the count is no max
    /// over resources, e.g. a fixed line or a count per shard).
    pub binding: Option<Binding>,
    /// The tightest limit over regions the count must stay within.
    pub limit: Option<u64>,
    pub derivation: Vec<Step>,
}

impl SizedLine {
    /// Adds `count` billed at `key` (one more region's part of the line). Takes the region
    /// line's key: a new part keeps it without a copy.
    fn add_part(&mut self, key: Option<PriceKey>, count: u64) {
        let Some(key) = key else { return };
        if self.parts.is_empty() {
            if self.price.as_ref() == Some(&key) {
                return;
            }
            let Some(first) = self.price.clone() else {
                return;
            };
            // Until now every region billed at the first key.
            self.parts = spare::parts();
            self.parts.push(PricePart {
                key: first,
                count: self.count.saturating_sub(count),
            });
        }
        match self.parts.iter_mut().find(|p| p.key == key) {
            Some(part) => part.count = part.count.saturating_add(count),
            None => self.parts.push(PricePart { key, count }),
        }
    }

    /// The instance type of an instance line.
    #[must_use]
    pub fn instance(&self) -> Option<&str> {
        match &self.price {
            Some(key) if self.names_instance => Some(&key.item),
            _ => None,
        }
    }
}

/// A component sized for one phase.
#[derive(Debug, Clone, Default)]
pub struct ComponentSizing {
    /// The lines, in the rule's order.
    pub lines: Vec<SizedLine>,
    /// Per region name, each line's count in that region, by line position: every vector has
    /// one count per line (0 where the region has none). For components sized after this one
    /// and the plan's per-region counts; only kept where something reads it (see
    /// [`PhaseInputs::keep_regions`]).
    pub per_region: SmallMap<Vec<u64>>,
}

impl ComponentSizing {
    /// Gives its vectors to the thread's spare buffers, for the sizings that follow (a Monte
    /// Carlo draw done with it, or a shape it passed over).
    pub fn recycle(self) {
        spare::keep_lines(self.lines);
        for counts in self.per_region.into_values() {
            spare::keep_counts(counts);
        }
    }

    /// Position of `item` among the lines.
    #[must_use]
    pub fn line_position(&self, item: &str) -> Option<usize> {
        self.lines.iter().position(|l| l.item == item)
    }

    /// The count of `item` in `region`, or over all regions when the region is not there.
    #[must_use]
    pub fn count_in(&self, region: &str, item: &str) -> u64 {
        let Some(i) = self.line_position(item) else {
            return 0;
        };
        let at = |counts: &Vec<u64>| counts.get(i).copied().unwrap_or(0);
        match self.per_region.get(region) {
            Some(counts) => at(counts),
            None => self.per_region.values().map(at).sum(),
        }
    }
}

/// Components sized so far in a phase, by their position in the scenario.
#[derive(Debug, Clone, Default)]
pub struct SizedComponents {
    slots: Vec<Option<(Name, ComponentSizing)>>,
}

impl SizedComponents {
    /// Room for `components` components.
    #[must_use]
    pub fn with_capacity(components: usize) -> SizedComponents {
        SizedComponents {
            slots: Vec::with_capacity(components),
        }
    }

    /// Records the sizing of the component at `index`, named `name`.
    pub fn insert(&mut self, index: usize, name: &str, sizing: ComponentSizing) {
        if self.slots.len() <= index {
            self.slots.resize_with(index + 1, || None);
        }
        self.slots[index] = Some((Name::new(name), sizing));
    }

    /// The sizing of the component at `index`.
    #[must_use]
    pub fn at(&self, index: usize) -> Option<&ComponentSizing> {
        self.slots.get(index)?.as_ref().map(|(_, s)| s)
    }

    /// Takes the sizing of the component at `index` out (the plan moves each line's
    /// derivation into its priced line instead of copying it).
    pub fn take(&mut self, index: usize) -> Option<ComponentSizing> {
        self.slots.get_mut(index)?.take().map(|(_, s)| s)
    }

    /// Gives every component's vectors to the thread's spare buffers, for the sizings that
    /// follow (a Monte Carlo draw done with a phase).
    pub fn recycle(self) {
        for (_, sizing) in self.slots.into_iter().flatten() {
            sizing.recycle();
        }
    }

    /// The sizing of the component named `name`.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&ComponentSizing> {
        self.slots
            .iter()
            .flatten()
            .find(|(n, _)| n == name)
            .map(|(_, s)| s)
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
    /// The region whose prices bill this region's lines: its own price region (`price_as`,
    /// else itself) for a per-region component, the scenario's pricing region for a global one.
    pub pricing_region: &'a str,
    /// The CDN pricing geography.
    pub cdn_geography: &'a str,
    /// Instance shapes.
    pub catalog: &'a Catalog,
    /// Components sized before this one.
    pub sized: &'a SizedComponents,
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
pub fn sizing_order(components: &[Component]) -> impl Iterator<Item = usize> + '_ {
    let reads_others = |i: &usize| !components[*i].policy.references().is_empty();
    let independent = (0..components.len()).filter(move |i| !reads_others(i));
    independent.chain((0..components.len()).filter(reads_others))
}

/// One region's lines of `component`, by its kind's rule. One arm per kind: a kind without a
/// rule does not compile.
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

/// The fewest instances of each instance line (by item) that any demand gives each region
/// the component is sized in, where its rule has such a floor (else an empty list). Every
/// count the rule derives is at least this, whatever the shape: a draw prices a shape's floor
/// to pass over a shape that cannot beat a cheaper one without sizing it.
#[must_use]
pub fn least_instances(policy: &Policy) -> Vec<(&'static str, u64)> {
    match policy {
        Policy::Postgres(p) => postgres::least_nodes(p).to_vec(),
        Policy::Redis(p) => redis::least_nodes(p).to_vec(),
        Policy::Kafka(p) => kafka::least_brokers(p).to_vec(),
        // Pods pack onto nodes and poolers follow the app: no floor stated here (yet).
        Policy::PgBouncer(_)
        | Policy::App(_)
        | Policy::Cdn(_)
        | Policy::ObjectStorage(_)
        | Policy::CrossRegion(_)
        | Policy::Fixed(_) => Vec::new(),
    }
}

/// Everything a component's sizing needs besides the component.
pub struct PhaseInputs<'a> {
    pub scenario: &'a Scenario,
    pub phase: &'a str,
    pub demand: &'a Demand,
    pub sized: &'a SizedComponents,
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
            price_as: None,
        }]
    });
    let regions: &[Region] = match component.policy.placement() {
        Placement::PerRegion => &spec.regions,
        Placement::Global => &*GLOBAL,
    };
    let multi = regions.len() > 1;
    let per_region_placement = matches!(component.policy.placement(), Placement::PerRegion);
    // Each global line's spread, by the total's position.
    let mut spreads: Vec<Spread> = Vec::new();
    let mut per_region: SmallMap<Vec<u64>> = SmallMap::default();
    // Lines added up over regions, in first-seen order, each with its regions' derivations.
    let mut totals: Vec<SizedLine> = spare::lines();
    // Regions sized to survive the loss of another carry more than their own users.
    let region_loss = spec.survive_region_loss && per_region_placement && multi;
    for (region_index, region) in regions.iter().enumerate() {
        let share = if region_loss {
            failover_share(regions, region_index)
        } else {
            region.user_share
        };
        let ctx = RegionContext {
            region: &region.name,
            demand: inputs.demand.scaled(share),
            phase: inputs.phase,
            region_count: spec.regions.len(),
            // Rules key their lines here, so a region's lines bill at its own prices as built.
            pricing_region: if per_region_placement {
                region.price_region()
            } else {
                &spec.pricing.region
            },
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
        if multi && inputs.traced && region_loss {
            let (lost, moved) = worst_loss(regions, region_index);
            t.step(
                "sized_share",
                &format!(
                    "user_share + share of a lost region x user_share / (1 - its share) \
                     (survive_region_loss; worst single loss: {})",
                    regions[lost].name
                ),
                &[
                    ("user_share", region.user_share, "fraction"),
                    ("lost_region_share", regions[lost].user_share, "fraction"),
                    ("failover_share", moved, "fraction"),
                ],
                share,
                "fraction",
            );
            t.step(
                "region_users",
                "users x sized_share",
                &[
                    ("users", inputs.demand.users, "users"),
                    ("sized_share", share, "fraction"),
                ],
                ctx.demand.users,
                "users",
            );
        } else if multi && inputs.traced {
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
        let mut lines = size_region(component, &ctx, &mut t)?;
        if region_loss {
            // What the region's own users alone would need: where the failover needs more,
            // the region-loss policy is what set the count.
            let own = RegionContext {
                demand: inputs.demand.scaled(region.user_share),
                ..ctx
            };
            let own_lines = size_region(component, &own, &mut Trace::disabled())?;
            for (line, own_line) in lines.iter_mut().zip(&own_lines) {
                if let (Some(_), Some(own_binding)) = (line.binding, own_line.binding)
                    && line.count > own_line.count
                {
                    line.binding = Some(own_binding.with(REGION_LOSS, line.count));
                }
            }
            spare::keep_region_lines(own_lines);
        }
        let steps = t.into_steps();
        // Room for every line at once: a draw then moves no line from a grown buffer.
        totals.reserve(lines.len().saturating_sub(totals.len()));
        // This region's count of each total line, by the total's position.
        let mut counts: Vec<u64> = if inputs.keep_regions {
            let mut counts = spare::counts();
            counts.reserve(totals.len().max(lines.len()));
            counts
        } else {
            Vec::new()
        };
        // Lines are read in place and only what a new total keeps is taken out: moving each
        // (a few hundred bytes) out of the vector was a large share of a draw's time.
        for (position, line) in lines.iter_mut().enumerate() {
            let derivation = if inputs.traced {
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
                Some(l) if l.item == line.item => Some(position),
                _ => totals.iter().position(|l| l.item == line.item),
            };
            let count = line.count;
            let at = match same {
                Some(i) => {
                    let total = &mut totals[i];
                    total.count = if total.per_unit {
                        total.count.max(count)
                    } else {
                        total.count.saturating_add(count)
                    };
                    if !total.per_unit {
                        total.add_part(line.price.take(), count);
                    }
                    match (&mut total.binding, &line.binding) {
                        (Some(sum), Some(b)) => sum.combine(b, total.per_unit),
                        (slot @ None, Some(b)) => *slot = Some(*b),
                        _ => {}
                    }
                    total.limit = match (total.limit, line.limit) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    total.derivation.extend(derivation);
                    i
                }
                None => {
                    // Only a global component's lines are spread (over the regions' keys).
                    if !per_region_placement {
                        spreads.push(line.spread);
                    }
                    totals.push(SizedLine {
                        item: std::mem::take(&mut line.item),
                        count,
                        measure: line.measure,
                        names_instance: line.names_instance,
                        price: line.price.take(),
                        parts: Vec::new(),
                        per_unit: line.per_unit,
                        binding: line.binding,
                        limit: line.limit,
                        derivation,
                    });
                    totals.len() - 1
                }
            };
            if inputs.keep_regions {
                if counts.len() <= at {
                    counts.resize(at + 1, 0);
                }
                // A line listed twice in one region keeps its last count, as a map would.
                counts[at] = count;
            }
        }
        if inputs.keep_regions {
            per_region.insert(Name::new(&region.name), counts);
        }
        spare::keep_region_lines(lines);
    }
    // Every region has a count for every line (0 where it did not list the line).
    for counts in per_region.values_mut() {
        counts.resize(totals.len(), 0);
    }
    if multi && inputs.traced {
        for (i, line) in totals.iter_mut().enumerate() {
            let counts: Vec<f64> = per_region.values().map(|c| c[i] as f64).collect();
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
            line.derivation.extend(t.into_steps());
        }
    }
    if !per_region_placement {
        for (line, spread) in totals.iter_mut().zip(spreads) {
            spread_line(line, spread, inputs.scenario, inputs.traced);
        }
    }
    Ok(ComponentSizing {
        lines: totals,
        per_region,
    })
}

/// Most price keys a global line splits over without a heap buffer (a scenario's regions);
/// more regions than this take vectors.
const INLINE_KEYS: usize = 8;
/// The share of all users region `i` is sized for when it must survive the loss of any one
/// other region: its own share plus, for the worst loss, the lost region's share spread over
/// the survivors in proportion to theirs: s_i + max over j != i of s_j x s_i / (1 - s_j).
#[must_use]
pub fn failover_share(regions: &[Region], i: usize) -> f64 {
    regions[i].user_share + worst_loss(regions, i).1
}

/// The other region whose loss moves the most users onto region `i`, and the share it moves.
fn worst_loss(regions: &[Region], i: usize) -> (usize, f64) {
    let own = regions[i].user_share;
    let mut worst = (i, 0.0);
    for (j, lost) in regions.iter().enumerate() {
        let survivors = 1.0 - lost.user_share;
        if j == i || survivors <= 0.0 {
            continue;
        }
        let moved = lost.user_share * own / survivors;
        if moved > worst.1 {
            worst = (j, moved);
        }
    }
    worst
}

/// Splits a global line's count over the price keys of `spread`: each serving region's share
/// of users goes to its price region (or that region's CDN geography); regions that share a
/// key add up. Integer counts by largest remainder, summing exactly to the line's count.
/// Monte Carlo draws split every global line of every phase: the keys, shares and counts
/// live on the stack, and steps are built only for a traced plan.
fn spread_line(line: &mut SizedLine, spread: Spread, scenario: &Scenario, traced: bool) {
    if spread == Spread::None {
        return;
    }
    let Some(key) = line.price.clone() else {
        return;
    };
    let regions = scenario.spec.regions.len();
    let (mut keys_inline, mut shares_inline, mut counts_inline) =
        ([""; INLINE_KEYS], [0.0; INLINE_KEYS], [0_u64; INLINE_KEYS]);
    let (mut keys_heap, mut shares_heap, mut counts_heap);
    let (keys, shares, counts): (&mut [&str], &mut [f64], &mut [u64]) = if regions <= INLINE_KEYS {
        (
            &mut keys_inline[..regions],
            &mut shares_inline[..regions],
            &mut counts_inline[..regions],
        )
    } else {
        keys_heap = vec![""; regions];
        shares_heap = vec![0.0; regions];
        counts_heap = vec![0_u64; regions];
        (&mut keys_heap, &mut shares_heap, &mut counts_heap)
    };
    // Price keys in first-seen order, each with the user shares of the regions billed there.
    let mut n = 0;
    for region in &scenario.spec.regions {
        let at = match spread {
            Spread::None => return,
            Spread::Regions => region.price_region(),
            Spread::Geographies => scenario
                .prices
                .geography_of(region.price_region())
                .unwrap_or(&key.region),
        };
        match keys[..n].iter().position(|k| *k == at) {
            Some(i) => shares[i] += region.user_share,
            None => {
                keys[n] = at;
                shares[n] = region.user_share;
                n += 1;
            }
        }
    }
    if n == 0 {
        return;
    }
    let (keys, shares, counts) = (&keys[..n], &shares[..n], &mut counts[..n]);
    split_by_shares_into(line.count, shares, counts);
    if traced {
        let mut t = Trace::new();
        for ((at, share), count) in keys.iter().zip(shares.iter()).zip(counts.iter()) {
            t.step(
                &format!("{}[{at}]", line.item),
                "count x user_share of the regions billed here (largest remainder)",
                &[
                    (
                        line.item.as_str(),
                        line.count as f64,
                        line.measure.count_unit(),
                    ),
                    ("user_share", *share, "fraction"),
                ],
                *count as f64,
                line.measure.count_unit(),
            );
        }
        line.derivation.extend(t.into_steps());
    }
    let keyed = |at: &str| PriceKey {
        region: Name::new(at),
        ..key.clone()
    };
    line.price = Some(keyed(keys[0]));
    if n == 1 {
        return;
    }
    let mut parts = spare::parts();
    parts.extend(
        keys.iter()
            .zip(counts.iter())
            .map(|(at, &count)| PricePart {
                key: keyed(at),
                count,
            }),
    );
    line.parts = parts;
}

/// Splits `total` into integers proportional to `shares` (evenly if they are all 0), summing
/// exactly to `total` (largest remainders get the leftovers, earlier ones first on ties).
#[must_use]
pub fn split_by_shares(total: u64, shares: &[f64]) -> Vec<u64> {
    let mut out = vec![0; shares.len()];
    split_by_shares_into(total, shares, &mut out);
    out
}

/// [`split_by_shares`] into `out` (one count per share), without a heap buffer: each share's
/// exact part is recomputed where needed, and the leftovers go to the largest remainders by
/// repeated selection in the order a sort by (remainder descending, position) would give.
pub fn split_by_shares_into(total: u64, shares: &[f64], out: &mut [u64]) {
    debug_assert_eq!(shares.len(), out.len(), "one count per share");
    let n = shares.len().min(out.len());
    if n == 0 {
        return;
    }
    let sum: f64 = shares[..n].iter().sum();
    // Nothing to weigh: evenly, as shares of 1 each (whose sum is exactly n).
    let even = sum <= 0.0 || !sum.is_finite();
    let exact = |i: usize| {
        if even {
            total as f64 * 1.0 / n as f64
        } else {
            total as f64 * shares[i] / sum
        }
    };
    let remainder = |i: usize| {
        let x = exact(i);
        x - x.floor()
    };
    for (i, o) in out[..n].iter_mut().enumerate() {
        *o = exact(i).floor() as u64;
    }
    let floors = out[..n].iter().fold(0_u64, |a, &b| a.saturating_add(b));
    let mut left = total.saturating_sub(floors);
    // `a` goes before `b`: the larger remainder, the earlier position on ties.
    let before = |a: usize, b: usize| {
        remainder(b)
            .total_cmp(&remainder(a))
            .then(a.cmp(&b))
            .is_lt()
    };
    let mut last: Option<usize> = None;
    while left > 0 {
        let next = (0..n)
            .filter(|&i| last.is_none_or(|p| before(p, i)))
            .reduce(|a, b| if before(b, a) { b } else { a });
        let Some(i) = next else { break };
        out[i] += 1;
        left -= 1;
        last = Some(i);
    }
}

impl ComponentSizing {
    /// Replaces the derived total of `item` by `pinned`, spread over regions in proportion to
    /// the derived counts (evenly when nothing was derived), so that components sized later
    /// see what is provisioned. Per-unit settings are set in every region.
    pub fn apply_pin(&mut self, item: &str, pinned: u64) {
        let Some(i) = self.line_position(item) else {
            return;
        };
        if self.lines[i].per_unit {
            for counts in self.per_region.values_mut() {
                counts[i] = pinned;
            }
            return;
        }
        let weights: Vec<u64> = self.per_region.values().map(|counts| counts[i]).collect();
        for (counts, share) in self
            .per_region
            .values_mut()
            .zip(distribute(pinned, &weights))
        {
            counts[i] = share;
        }
    }
}

/// Splits `total` into integers proportional to `weights` (evenly if they are all 0), summing
/// exactly to `total` (largest remainders get the leftovers, earlier regions first on ties).
#[must_use]
pub fn distribute(total: u64, weights: &[u64]) -> Vec<u64> {
    let shares: Vec<f64> = weights.iter().map(|&w| w as f64).collect();
    split_by_shares(total, &shares)
}

/// The steps a line's count depends on: its final step and, transitively, every earlier step
/// whose result is one of its inputs. Without a named final step, every step.
fn closure(steps: &[Step], last: Option<&str>, label: Option<&str>) -> Vec<Step> {
    let Some(last) = last else {
        return steps.to_vec();
    };
    // A labelled trace prefixes its step names with `[label] `: built once, not per step.
    let prefix = label.map(|label| format!("[{label}] "));
    let is_last = |name: &str| -> bool {
        match &prefix {
            Some(prefix) => name.strip_prefix(prefix.as_str()) == Some(last),
            None => name == last,
        }
    };
    let Some(end) = steps.iter().rposition(|s| is_last(&s.name)) else {
        return steps.to_vec();
    };
    let mut keep = vec![false; steps.len()];
    keep[end] = true;
    // Walk backwards: a step is kept when a kept later step reads its result by name.
    for i in (0..end).rev() {
        let name = &steps[i].name;
        let bare = match &prefix {
            Some(prefix) => name.strip_prefix(prefix.as_str()).unwrap_or(name),
            None => name,
        };
        let used = (i + 1..=end).any(|j| {
            keep[j]
                && steps[j].inputs.iter().any(|input| {
                    input.name == bare || (bare == "region_users" && input.name == "users")
                })
        });
        // The region-loss share scales all of the region's demand: every line shows it.
        keep[i] = used || bare == "sized_share";
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
        sized: &SizedComponents,
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

    /// A two-line component in two regions: a summed count and a per-unit setting.
    fn two_regions() -> ComponentSizing {
        let line = |item: &str, count: u64, per_unit: bool| SizedLine {
            item: item.into(),
            count,
            measure: Measure::Info("units"),
            names_instance: false,
            price: None,
            parts: Vec::new(),
            per_unit,
            binding: None,
            limit: None,
            derivation: Vec::new(),
        };
        let mut sizing = ComponentSizing {
            lines: vec![line("nodes", 4, false), line("pool", 12, true)],
            per_region: SmallMap::default(),
        };
        sizing.per_region.insert("eu".into(), vec![3, 10]);
        sizing.per_region.insert("us".into(), vec![1, 12]);
        sizing
    }

    #[test]
    fn pins_spread_over_regions_by_derived_counts() {
        let mut sizing = two_regions();
        // 8 nodes over weights 3:1 -> 8 x 3/4 = 6 and 8 x 1/4 = 2.
        sizing.apply_pin("nodes", 8);
        // A per-unit setting is the pinned value in every region.
        sizing.apply_pin("pool", 20);
        assert_eq!(sizing.count_in("eu", "nodes"), 6);
        assert_eq!(sizing.count_in("us", "nodes"), 2);
        assert_eq!(sizing.count_in("us", "pool"), 20);
        // A region not there: the sum over regions (6 + 2); an item not there: 0.
        assert_eq!(sizing.count_in("ap", "nodes"), 8);
        assert_eq!(sizing.count_in("eu", "storage"), 0);
        // Pinning an item the component does not have changes nothing.
        sizing.apply_pin("storage", 5);
        assert_eq!(sizing.per_region.get("eu"), Some(&vec![6, 20]));
    }

    #[test]
    fn instance_is_the_price_item_of_instance_lines_only() {
        let key = PriceKey::new("ec2", "m6i.large", "us-east-1");
        let node = RegionLine::billed(
            "node",
            3,
            Measure::Instances { memory_gib: None },
            key.clone(),
        );
        let plane = RegionLine::billed_without_instance(
            "control-plane",
            1,
            Measure::Instances { memory_gib: None },
            key.clone(),
        );
        let storage = RegionLine::billed("storage", 3, Measure::Gb, key);
        assert!(node.names_instance);
        assert!(!plane.names_instance);
        assert!(!storage.names_instance);
    }

    #[test]
    fn shares_split_exactly() {
        // saas-10b's 10B edge egress over 40/35/25: 292,000,000 + 255,500,000 + 182,500,000
        assert_eq!(
            split_by_shares(730_000_000, &[0.40, 0.35, 0.25]),
            vec![292_000_000, 255_500_000, 182_500_000]
        );
        // 10 over thirds: 3.33 each, the first remainder gets the leftover: 4 + 3 + 3
        assert_eq!(split_by_shares(10, &[1.0, 1.0, 1.0]), vec![4, 3, 3]);
        // nothing to weigh: evenly
        assert_eq!(split_by_shares(5, &[0.0, 0.0]), vec![3, 2]);
    }

    #[test]
    fn resource_names_round_trip() {
        for (i, name) in RESOURCES.iter().enumerate() {
            assert_eq!(usize::from(resource_index(name)), i);
            assert_eq!(resource_name(resource_index(name)), *name);
        }
        // the largest wins; the minimum wins its ties; regions add up resource by resource
        let b = Binding::of(&[("cpu", 3), (MINIMUM, 3), ("memory", 2)]);
        assert_eq!((b.binding(), b.needed()), (MINIMUM, 3));
        let mut sum = b;
        sum.combine(&Binding::of(&[("memory", 4), ("iops", 1)]), false);
        let all: Vec<_> = sum.by_resource().collect();
        assert_eq!(all, [("cpu", 3), (MINIMUM, 3), ("memory", 6), ("iops", 1)]);
        assert_eq!(sum.binding(), "memory");
    }

    /// The sort-based largest remainder `split_by_shares_into` replaced (it allocated three
    /// vectors per call): the new one must give the same counts, ties and all.
    fn split_by_sorting(total: u64, shares: &[f64]) -> Vec<u64> {
        let sum: f64 = shares.iter().sum();
        if sum <= 0.0 || !sum.is_finite() {
            return split_by_sorting(total, &vec![1.0; shares.len()]);
        }
        let exact: Vec<f64> = shares.iter().map(|s| total as f64 * s / sum).collect();
        let mut out: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
        let floors: u64 = out.iter().sum();
        let mut left = total.saturating_sub(floors);
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
            out[i] += 1;
            left -= 1;
        }
        out
    }

    #[test]
    fn split_without_buffers_matches_the_sorting_split() {
        // Every vector of 1 to 4 shares from a set with zeros, equal shares and thirds, at
        // totals that leave 0 to n - 1 leftovers.
        let values = [0.0, 0.25, 1.0 / 3.0, 0.4, 1.0];
        let mut checked = 0;
        for n in 1..=4_u32 {
            for code in 0..values.len().pow(n) {
                let mut c = code;
                let shares: Vec<f64> = (0..n)
                    .map(|_| {
                        let v = values[c % values.len()];
                        c /= values.len();
                        v
                    })
                    .collect();
                for total in [0, 1, 2, 3, 7, 10, 1_000, 730_000_001] {
                    let mut out = vec![0; shares.len()];
                    split_by_shares_into(total, &shares, &mut out);
                    assert_eq!(
                        out,
                        split_by_sorting(total, &shares),
                        "{total} over {shares:?}"
                    );
                    assert_eq!(out.iter().sum::<u64>(), total);
                    checked += 1;
                }
            }
        }
        // 5 + 25 + 125 + 625 share vectors, 8 totals each
        assert_eq!(checked, 780 * 8);
    }

    #[test]
    fn regions_added_up_name_a_resource_that_set_a_count() {
        // Region A: cpu 10, memory 9, network 2 -> 10 by cpu. Region B: cpu 2, memory 9,
        // network 10 -> 10 by network. Line: 20 nodes; summed needs cpu 12, memory 18,
        // network 12. Memory needs the most in sum but set neither region's count; of cpu and
        // network (each set one), cpu is listed first on the 12 = 12 tie.
        let mut line = Binding::of(&[("cpu", 10), ("memory", 9), ("network", 2)]);
        line.combine(
            &Binding::of(&[("cpu", 2), ("memory", 9), ("network", 10)]),
            false,
        );
        assert_eq!(line.needed(), 18);
        assert_eq!(line.binding(), "cpu");
        // A third region bound by network tips the sum: cpu 13, network 22 -> network.
        line.combine(
            &Binding::of(&[("cpu", 1), ("memory", 3), ("network", 10)]),
            false,
        );
        assert_eq!(line.binding(), "network");
        // Alone, a region names its own largest, as before.
        assert_eq!(
            Binding::of(&[("cpu", 1), ("memory", 3)]).binding(),
            "memory"
        );
        // The padding holds the new byte: a line's binding is no larger.
        assert_eq!(std::mem::size_of::<Binding>(), 80);
    }

    #[test]
    fn each_region_is_sized_for_the_worst_single_loss() {
        let region = |name: &str, user_share: f64| Region {
            name: name.into(),
            user_share,
            price_as: None,
        };
        let regions = [region("a", 0.40), region("b", 0.35), region("c", 0.25)];
        // b: losing a moves 0.40 x 0.35 / 0.60 = 0.2333 onto it (losing c: 0.25 x 0.35 /
        // 0.75 = 0.1167) -> sized for 0.35 + 0.2333 = 0.5833
        assert!((failover_share(&regions, 1) - (0.35 + 0.40 * 0.35 / 0.60)).abs() < 1e-12);
        assert!((failover_share(&regions, 1) - 0.583_333_333_333).abs() < 1e-9);
        // a: losing b moves 0.35 x 0.40 / 0.65 = 0.2154 -> 0.6154
        assert!((failover_share(&regions, 0) - 0.615_384_615_385).abs() < 1e-9);
        // c: losing a moves 0.40 x 0.25 / 0.60 = 0.1667 -> 0.4167
        assert!((failover_share(&regions, 2) - 0.416_666_666_667).abs() < 1e-9);
        assert_eq!(worst_loss(&regions, 1).0, 0);
        // One region has nothing to fail over to: its own share.
        assert!((failover_share(&[region("solo", 1.0)], 0) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn distribute_sums_exactly() {
        // 1,024 over derived 100/100/56: 400 + 400 + 224 exactly
        assert_eq!(distribute(1_024, &[100, 100, 56]), vec![400, 400, 224]);
        // 10 evenly over 3 with nothing derived: 4 + 3 + 3
        assert_eq!(distribute(10, &[0, 0, 0]), vec![4, 3, 3]);
        assert_eq!(distribute(5, &[1, 1]).iter().sum::<u64>(), 5);
    }
}
