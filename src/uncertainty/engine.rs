//! The Monte Carlo engine: many draws of the uncertain inputs, each sizing and pricing every
//! component of every phase, summarised in sketches.
//!
//! A draw is one world: every uncertain input is sampled once and every phase and component
//! is derived from that one sample, so the cache, the database and the app tier see the same
//! DAU (correlated draws). Draws run the plan's own sizing code with derivations off; prices
//! are resolved once per phase and line. Draw `d` takes its uniforms from ChaCha8 stream `d`
//! of the seed, and sketches merge exactly, so the thread count cannot change a result.

use std::sync::atomic::{AtomicU64, Ordering};

use rand::{Rng, SeedableRng, rngs::ChaCha8Rng};
use rayon::prelude::*;

use crate::costing;
use crate::input::{Component, Scenario};
use crate::plan::{self, Plan};
use crate::pricing::{PriceUnit, Tier};
use crate::sizing::Measure;
use crate::uncertainty::dist::unit_open;
use crate::uncertainty::inputs::{Inputs, World};
use crate::uncertainty::sketch::QuantileSketch;
use crate::units::round_cents;

/// A demand figure's name and how to read it.
pub type DemandFigure = (&'static str, fn(&crate::demand::Demand) -> f64);

/// Demand figures summarised per phase (name, accessor).
pub const DEMAND_FIGURES: [DemandFigure; 8] = [
    ("dau", |d| d.dau),
    ("peak_rps", |d| d.peak_rps),
    ("db_qps", |d| d.db_qps),
    ("cache_ops_per_s", |d| d.cache_ops_per_s),
    ("session_memory_bytes", |d| d.session_memory_bytes),
    ("db_bytes", |d| d.db_bytes),
    ("events_per_s_peak", |d| d.events_per_s_peak),
    ("cdn_egress_gb_per_month", |d| d.cdn_egress_gb_per_month),
];

/// How a line is billed, resolved once.
#[derive(Debug, Clone)]
pub enum Rate {
    /// Not billed (a capacity figure, or no price key).
    None,
    /// A scenario-given price per unit.
    Given {
        unit: PriceUnit,
        usd: f64,
        multiplier: f64,
    },
    /// A table price (tiered or flat).
    Table {
        unit: PriceUnit,
        tiers: Vec<Tier>,
        multiplier: f64,
    },
    /// Table prices of a line billed at several keys (regions, CDN geographies): one tier
    /// list per part, in the line's part order.
    Parts {
        unit: PriceUnit,
        tiers: Vec<Vec<Tier>>,
        multiplier: f64,
    },
    /// No price on this provider: excluded from totals, like the plan's unpriced lines.
    Unpriced,
    /// No price at all: an error if a draw needs to bill it.
    Missing(String),
}

/// One line of a phase, in plan order.
#[derive(Debug, Clone)]
pub struct Slot {
    pub component: usize,
    pub item: String,
    pub count_unit: &'static str,
    /// What the count counts (instances with their memory, GB, ...).
    pub measure: Measure,
    pub pinned: Option<u64>,
    pub rate: Rate,
}

/// What every draw of a phase needs besides the world.
#[derive(Debug, Clone)]
pub struct PhaseLayout {
    pub name: String,
    pub slots: Vec<Slot>,
    /// Instances chosen by `auto` components in the point plan: (component index, instance).
    pub fixed_instances: Vec<(usize, String)>,
}

/// A phase's results of one draw.
#[derive(Debug, Clone, Default)]
pub struct PhaseDraw {
    pub users: u64,
    pub counts: Vec<u64>,
    pub derived: Vec<u64>,
    pub costs: Vec<f64>,
    pub component_costs: Vec<f64>,
    pub total: f64,
    pub demand: [f64; DEMAND_FIGURES.len()],
}

impl PhaseDraw {
    /// Every metric of the draw, in the order of [`PhaseSketches::sketches_mut`].
    fn metrics(&self) -> impl Iterator<Item = f64> + '_ {
        [self.users as f64, self.total]
            .into_iter()
            .chain(self.component_costs.iter().copied())
            .chain(self.counts.iter().map(|&c| c as f64))
            .chain(self.derived.iter().map(|&c| c as f64))
            .chain(self.costs.iter().copied())
            .chain(self.demand.iter().copied())
    }
}

/// Draws waiting to go into sketches, metric by metric: adding a run of values to one sketch
/// keeps its buckets in cache (adding each draw to hundreds of sketches in turn misses it on
/// almost every value).
struct Batch {
    /// values[m * CAPACITY + d]: metric m of the d-th buffered draw.
    values: Vec<f64>,
    /// Per metric: false where the sketch is not kept (a provisioned count that equals the
    /// derived one because nothing pins it).
    kept: Vec<bool>,
    filled: usize,
}

impl Batch {
    const CAPACITY: usize = 128;

    fn new(layouts: &[PhaseLayout], components: usize) -> Batch {
        let mut kept = Vec::new();
        for l in layouts {
            kept.extend(std::iter::repeat_n(true, 2 + components));
            kept.extend(l.slots.iter().map(|s| s.pinned.is_some()));
            kept.extend(std::iter::repeat_n(
                true,
                2 * l.slots.len() + DEMAND_FIGURES.len(),
            ));
        }
        Batch {
            values: vec![0.0; kept.len() * Batch::CAPACITY],
            kept,
            filled: 0,
        }
    }

    fn push(&mut self, draws: &[PhaseDraw]) {
        let d = self.filled;
        let mut m = 0;
        for draw in draws {
            for v in draw.metrics() {
                self.values[m * Batch::CAPACITY + d] = v;
                m += 1;
            }
        }
        self.filled += 1;
    }

    fn flush(&mut self, sketches: &mut [PhaseSketches]) {
        let mut m = 0;
        for phase in sketches.iter_mut() {
            for sketch in phase.sketches_mut() {
                if self.kept[m] {
                    let start = m * Batch::CAPACITY;
                    let run = &self.values[start..start + self.filled];
                    // Many metrics do not move within a batch (small phases, pinned and fixed
                    // lines): one bucket update for the whole run.
                    match run.first() {
                        Some(&first) if run.iter().all(|&v| v.to_bits() == first.to_bits()) => {
                            sketch.add_n(first, run.len() as u32);
                        }
                        _ => sketch.add_all(run),
                    }
                }
                m += 1;
            }
        }
        self.filled = 0;
    }
}

/// Sketches of one phase.
#[derive(Debug, Clone)]
pub struct PhaseSketches {
    pub users: QuantileSketch,
    pub total: QuantileSketch,
    pub components: Vec<QuantileSketch>,
    pub counts: Vec<QuantileSketch>,
    pub derived: Vec<QuantileSketch>,
    pub costs: Vec<QuantileSketch>,
    pub demand: Vec<QuantileSketch>,
}

impl PhaseSketches {
    fn new(lines: usize, components: usize) -> Self {
        PhaseSketches {
            users: QuantileSketch::for_counts(),
            total: QuantileSketch::for_cents(),
            components: vec![QuantileSketch::for_cents(); components],
            counts: vec![QuantileSketch::for_counts(); lines],
            derived: vec![QuantileSketch::for_counts(); lines],
            costs: vec![QuantileSketch::for_cents(); lines],
            demand: vec![QuantileSketch::for_values(); DEMAND_FIGURES.len()],
        }
    }

    /// Every sketch in metric order (the order of [`PhaseDraw::metrics`]).
    fn sketches_mut(&mut self) -> impl Iterator<Item = &mut QuantileSketch> {
        std::iter::once(&mut self.users)
            .chain(std::iter::once(&mut self.total))
            .chain(self.components.iter_mut())
            .chain(self.counts.iter_mut())
            .chain(self.derived.iter_mut())
            .chain(self.costs.iter_mut())
            .chain(self.demand.iter_mut())
    }

    fn merge(&mut self, o: &PhaseSketches) {
        self.users.merge(&o.users);
        self.total.merge(&o.total);
        let pairs = [
            (&mut self.components, &o.components),
            (&mut self.counts, &o.counts),
            (&mut self.derived, &o.derived),
            (&mut self.costs, &o.costs),
            (&mut self.demand, &o.demand),
        ];
        for (mine, theirs) in pairs {
            for (a, b) in mine.iter_mut().zip(theirs) {
                a.merge(b);
            }
        }
    }
}

/// The prepared simulation: scenario, inputs, per-phase layouts.
pub struct Model<'a> {
    pub scenario: &'a Scenario,
    pub inputs: &'a Inputs,
    pub layouts: Vec<PhaseLayout>,
}

fn resolve_rate(
    scenario: &Scenario,
    component: &Component,
    line: &crate::sizing::SizedLine,
) -> Rate {
    let Some(key) = &line.price else {
        return Rate::None;
    };
    let multiplier = costing::discount_for(scenario, component, Some(&key.service)).multiplier;
    let given = if scenario.repriced_from.is_some() {
        None
    } else {
        component.prices.get(line.item.as_str())
    };
    if let Some(given) = given {
        return match PriceUnit::parse(&given.unit) {
            Some(unit) => Rate::Given {
                unit,
                usd: given.usd,
                multiplier,
            },
            None => Rate::Missing(format!("unknown price unit `{}`", given.unit)),
        };
    }
    if !line.parts.is_empty() {
        let mut unit = None;
        let mut tiers = Vec::with_capacity(line.parts.len());
        for part in &line.parts {
            let k = &part.key;
            match scenario.prices.get(&k.service, &k.item, &k.region) {
                Ok(entry) => {
                    unit.get_or_insert(entry.unit);
                    tiers.push(entry.tiers.clone());
                }
                Err(_) if scenario.repriced_from.is_some() => return Rate::Unpriced,
                Err(m) => return Rate::Missing(m),
            }
        }
        return match unit {
            Some(unit) => Rate::Parts {
                unit,
                tiers,
                multiplier,
            },
            None => Rate::None,
        };
    }
    match scenario.prices.get(&key.service, &key.item, &key.region) {
        Ok(entry) => Rate::Table {
            unit: entry.unit,
            tiers: entry.tiers.clone(),
            multiplier,
        },
        Err(_) if scenario.repriced_from.is_some() => Rate::Unpriced,
        Err(m) => Rate::Missing(m),
    }
}

impl<'a> Model<'a> {
    /// Lays out every phase from the point plan: its lines (order, pins, prices) and the
    /// instances `auto` components chose there (draws keep those shapes; choosing per draw
    /// would make each draw a search over the catalog).
    pub fn new(scenario: &'a Scenario, inputs: &'a Inputs, point: &Plan) -> Result<Self, String> {
        let mut layouts = Vec::new();
        let spec = &scenario.spec;
        for (phase, planned) in scenario.growth.phases().iter().zip(&point.phases) {
            let fixed_instances: Vec<(usize, String)> = planned
                .selections
                .iter()
                .filter_map(|s| {
                    spec.components
                        .iter()
                        .position(|c| c.name == s.component)
                        .map(|i| (i, s.chosen.instance.clone()))
                })
                .collect();
            let mut copy = scenario.clone();
            for (i, instance) in &fixed_instances {
                crate::selection::set_instance(&mut copy.spec.components[*i].policy, instance);
            }
            let sized = plan::size_phase(&copy, &phase.name, phase.users, false, None)
                .map_err(|e| e.to_string())?;
            let mut slots = Vec::new();
            for (ci, component) in copy.spec.components.iter().enumerate() {
                for line in &sized.sized.at(ci).expect("every component is sized").lines {
                    slots.push(Slot {
                        component: ci,
                        item: line.item.to_string(),
                        count_unit: line.measure.count_unit(),
                        measure: line.measure,
                        pinned: plan::pin_for(component, &phase.name, &line.item),
                        rate: resolve_rate(&copy, component, line),
                    });
                }
            }
            layouts.push(PhaseLayout {
                name: phase.name.clone(),
                slots,
                fixed_instances,
            });
        }
        Ok(Model {
            scenario,
            inputs,
            layouts,
        })
    }

    /// The uniforms of draw `draw`: one per input, from ChaCha8 stream `draw` of `seed`.
    #[must_use]
    pub fn uniforms(&self, seed: u64, draw: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(draw);
        self.inputs
            .list
            .iter()
            .map(|_| unit_open(rng.next_u64()))
            .collect()
    }

    /// Evaluates every phase for input `values` into `out` (one entry per phase).
    pub fn evaluate(
        &self,
        values: &[f64],
        world: &mut World,
        scratch: &mut Scenario,
        out: &mut [PhaseDraw],
    ) -> Result<(), String> {
        self.inputs.apply(values, world)?;
        world.install(scratch);
        for ((layout, users), draw) in self.layouts.iter().zip(&world.users).zip(out.iter_mut()) {
            self.evaluate_phase(layout, *users, scratch, draw)?;
        }
        Ok(())
    }

    fn evaluate_phase(
        &self,
        layout: &PhaseLayout,
        users: u64,
        scratch: &mut Scenario,
        out: &mut PhaseDraw,
    ) -> Result<(), String> {
        for (i, instance) in &layout.fixed_instances {
            crate::selection::set_instance(&mut scratch.spec.components[*i].policy, instance);
        }
        let sized = plan::size_phase(scratch, &layout.name, users, false, None)
            .map_err(|e| e.to_string())?;
        let hours = scratch.spec.hours_per_month;
        let n = layout.slots.len();
        out.users = users;
        out.counts.resize(n, 0);
        out.derived.resize(n, 0);
        out.costs.resize(n, 0.0);
        out.component_costs.clear();
        out.component_costs
            .resize(scratch.spec.components.len(), 0.0);
        for (k, (name, figure)) in DEMAND_FIGURES.iter().enumerate() {
            let _ = name;
            out.demand[k] = figure(&sized.demand);
        }
        let mut k = 0;
        let mut total = 0.0;
        for (ci, component) in scratch.spec.components.iter().enumerate() {
            for line in &sized.sized.at(ci).expect("every component is sized").lines {
                let slot = layout
                    .slots
                    .get(k)
                    .filter(|s| s.component == ci && s.item == line.item);
                let Some(slot) = slot else {
                    return Err(format!(
                        "phase {}: `{}` has a line `{}` the point plan does not have",
                        layout.name, component.name, line.item
                    ));
                };
                let count = slot.pinned.unwrap_or(line.count);
                let cost = line_cost(slot, count, line, hours).map_err(|m| {
                    format!(
                        "phase {}: {}/{}: {m}",
                        layout.name, component.name, line.item
                    )
                })?;
                out.counts[k] = count;
                out.derived[k] = line.count;
                out.costs[k] = cost;
                out.component_costs[ci] += cost;
                total += cost;
                k += 1;
            }
        }
        if k != n {
            return Err(format!(
                "phase {}: a draw gave {k} lines where the point plan has {n}",
                layout.name
            ));
        }
        for c in &mut out.component_costs {
            *c = round_cents(*c);
        }
        out.total = round_cents(total);
        Ok(())
    }

    /// Runs `draws` draws in parallel and returns each phase's sketches. `progress` is called
    /// with the number of draws finished so far (from any thread).
    pub fn simulate(
        &self,
        draws: u64,
        seed: u64,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<PhaseSketches>, String> {
        let empty = || -> Vec<PhaseSketches> {
            self.layouts
                .iter()
                .map(|l| PhaseSketches::new(l.slots.len(), self.scenario.spec.components.len()))
                .collect()
        };
        // Blocks of draws: each block clones the scenario once and reuses its buffers, and
        // each merge walks every bucket, so few blocks (4 per thread, for balance). The block
        // count cannot change a result: sketches merge exactly.
        let threads = rayon::current_num_threads() as u64;
        let block = draws.div_ceil(4 * threads).max(1);
        let blocks = draws.div_ceil(block);
        let done = AtomicU64::new(0);
        (0..blocks)
            .into_par_iter()
            .map(|b| -> Result<Vec<PhaseSketches>, String> {
                let mut sketches = empty();
                let mut scratch = self.scenario.clone();
                let mut world = World::new(self.scenario);
                let mut out = vec![PhaseDraw::default(); self.layouts.len()];
                let mut values = vec![0.0; self.inputs.list.len()];
                let mut batch = Batch::new(&self.layouts, self.scenario.spec.components.len());
                for draw in b * block..((b + 1) * block).min(draws) {
                    let u = self.uniforms(seed, draw);
                    for ((v, input), u) in values.iter_mut().zip(&self.inputs.list).zip(u) {
                        *v = input.value_at(u);
                    }
                    self.evaluate(&values, &mut world, &mut scratch, &mut out)
                        .map_err(|m| format!("draw {draw}: {m}"))?;
                    batch.push(&out);
                    if batch.filled == Batch::CAPACITY {
                        batch.flush(&mut sketches);
                    }
                }
                batch.flush(&mut sketches);
                let finished = ((b + 1) * block).min(draws) - b * block;
                progress(done.fetch_add(finished, Ordering::Relaxed) + finished);
                Ok(sketches)
            })
            // `reduce` joins neighbouring ranges left to right, so the error kept is the first
            // failing draw in draw order whatever the thread that met it; merges are exact,
            // so the sketches cannot depend on how the blocks were split either.
            .reduce(
                || Ok(empty()),
                |a, b| match (a, b) {
                    (Err(e), _) | (Ok(_), Err(e)) => Err(e),
                    (Ok(mut a), Ok(b)) => {
                        for (x, y) in a.iter_mut().zip(&b) {
                            x.merge(y);
                        }
                        Ok(a)
                    }
                },
            )
    }

    /// Every phase's total for one set of input values (the tornado's swings).
    pub fn totals_at(&self, values: &[f64]) -> Result<Vec<f64>, String> {
        let mut scratch = self.scenario.clone();
        let mut world = World::new(self.scenario);
        let mut out = vec![PhaseDraw::default(); self.layouts.len()];
        self.evaluate(values, &mut world, &mut scratch, &mut out)?;
        Ok(out.iter().map(|d| d.total).collect())
    }
}

/// A line's net monthly cost at `count`, as the plan prices it (cents per line).
fn line_cost(
    slot: &Slot,
    count: u64,
    line: &crate::sizing::SizedLine,
    hours: f64,
) -> Result<f64, String> {
    let measure = line.measure;
    let (unit, list, multiplier) = match &slot.rate {
        Rate::None | Rate::Unpriced => return Ok(0.0),
        Rate::Missing(m) => {
            if count == 0 {
                return Ok(0.0);
            }
            return Err(m.clone());
        }
        Rate::Given {
            unit,
            usd,
            multiplier,
        } => {
            let q = costing::quantity(count, measure, *unit, hours)?;
            (*unit, q * usd, *multiplier)
        }
        Rate::Table {
            unit,
            tiers,
            multiplier,
        } => {
            if count == 0 {
                return Ok(0.0);
            }
            let q = costing::quantity(count, measure, *unit, hours)?;
            (*unit, crate::pricing::tiers::total(tiers, q), *multiplier)
        }
        Rate::Parts {
            unit,
            tiers,
            multiplier,
        } => {
            if count == 0 {
                return Ok(0.0);
            }
            let mut list = 0.0;
            for (tiers, n) in tiers.iter().zip(costing::split(count, &line.parts)) {
                let q = costing::quantity(n, measure, *unit, hours)?;
                list += crate::pricing::tiers::total(tiers, q);
            }
            (*unit, list, *multiplier)
        }
    };
    let _ = unit;
    let net = list * multiplier;
    if !net.is_finite() || net > 1e18 {
        return Err(format!(
            "the monthly cost {net} is beyond any budget (count {count})"
        ));
    }
    Ok(round_cents(net))
}
