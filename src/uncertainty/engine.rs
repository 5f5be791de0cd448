//! The Monte Carlo engine: many draws of the uncertain inputs, each sizing and pricing every
//! component of every phase, summarised in sketches.
//!
//! A draw is one world: every uncertain input is sampled once and every phase and component
//! is derived from that one sample, so the cache, the database and the app tier see the same
//! DAU (correlated draws). Draws run the plan's own sizing code with derivations off; prices
//! are resolved once per phase and line, and so is a line's reservation under the scenario's
//! commitment policy (the plan's committed count per region, paid in every draw). Draw `d`
//! takes its uniforms from ChaCha8 stream `d` of the seed, and sketches merge exactly, so the
//! thread count cannot change a result.
//!
//! An `instance: "auto"` component is sized in each draw on the shape the plan chose and on its
//! runners-up, and the draw keeps the cheapest for its world (`ShapeChoice`); the plan reports
//! how often each shape won, and in how many draws no shape fit the component's limits.

use std::sync::atomic::{AtomicU64, Ordering};

use rand::{Rng, SeedableRng, rngs::ChaCha8Rng};
use rayon::prelude::*;

use crate::costing;
use crate::input::{Component, Scenario};
use crate::plan::{self, Plan};
use crate::pricing::{PriceUnit, Tier};
use crate::sizing::{ComponentSizing, Measure, PhaseInputs};
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
    /// The point plan's reservation of this line under the scenario's commitment policy
    /// (bought once, the same in every draw); `None` without a policy or reservation.
    pub commitment: Option<SlotCommitment>,
}

/// A line's reservation as every draw pays it: each reserved part costs its committed
/// instances at the reserved rate whatever the draw runs, and the draw's instances above
/// them on demand. Precomputed once so that draws allocate nothing for it.
#[derive(Debug, Clone)]
pub struct SlotCommitment {
    /// Reserved instances x reserved effective hourly rate x hours, over all parts.
    pub reserved_monthly_usd: f64,
    /// The parts reserving the line's own shape in one of its regions.
    pub parts: Vec<CommittedPart>,
}

/// One region part of a line whose own instances are reserved.
#[derive(Debug, Clone)]
pub struct CommittedPart {
    /// Position of the region among the sized line's parts (`None`: the line has one price
    /// key, its whole count is this part).
    pub part: Option<usize>,
    pub committed: u64,
    /// Net on-demand monthly cost of one instance of the part (the slot's own rate).
    pub on_demand_usd_per_instance: f64,
}

/// What every draw of a phase needs besides the world.
#[derive(Debug, Clone)]
pub struct PhaseLayout {
    pub name: String,
    pub slots: Vec<Slot>,
    /// Instances chosen by `auto` components in the point plan: (component index, instance).
    pub fixed_instances: Vec<(usize, String)>,
    /// The shapes each `auto` component's draws choose among (empty when draws keep the
    /// point plan's shapes: `uncertainty.reselect_shapes: false`).
    pub choices: Vec<ShapeChoice>,
}

/// An `auto` component's shapes a draw chooses among: the point plan's choice first, then its
/// runners-up in their rank order. Each draw sizes the component on every one and keeps the
/// cheapest at the component's price model (the first of equals), as the plan's own
/// selection does for its one world.
#[derive(Debug, Clone)]
pub struct ShapeChoice {
    pub component: usize,
    /// Position of the component's first line among the phase's slots.
    pub first_slot: usize,
    pub auto: crate::input::kinds::AutoSelect,
    pub shapes: Vec<ShapeOption>,
}

impl ShapeChoice {
    /// The component's slots among the phase's (one per line, as many as each shape's rates).
    fn slots<'s>(&self, slots: &'s [Slot]) -> &'s [Slot] {
        &slots[self.first_slot..self.first_slot + self.shapes[0].rates.len()]
    }
}

/// True when a sizing's `lines` are the component's `slots`, item for item: a shape's lines
/// can be priced and summarised in the point plan's slots only then.
fn lines_match(lines: &[crate::sizing::SizedLine], slots: &[Slot]) -> bool {
    lines.len() == slots.len() && lines.iter().zip(slots).all(|(l, s)| l.item == s.item)
}

/// One shape a draw may choose, with the rates of the component's lines on it.
#[derive(Debug, Clone)]
pub struct ShapeOption {
    pub instance: String,
    /// One rate per line of the component, in line order.
    pub rates: Vec<Rate>,
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
    /// Per shape choice of the phase, the position of the shape this draw chose
    /// (`shapes.len()`: one a whole search found, priced by `searched_rates`; `shapes.len() + 1`:
    /// none fits, the plan's shape kept over its limits).
    pub shapes: Vec<usize>,
    /// Per shape choice, the line rates of a shape a whole search found (else empty).
    pub searched_rates: Vec<Vec<Rate>>,
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
    /// Per shape choice, per shape, then any shape a whole search found, then none fitting (the
    /// plan's shape kept over its limits): the draws that chose it.
    pub shape_draws: Vec<Vec<u64>>,
}

impl PhaseSketches {
    fn new(layout: &PhaseLayout, components: usize) -> Self {
        let lines = layout.slots.len();
        PhaseSketches {
            users: QuantileSketch::for_counts(),
            total: QuantileSketch::for_cents(),
            components: vec![QuantileSketch::for_cents(); components],
            counts: vec![QuantileSketch::for_counts(); lines],
            derived: vec![QuantileSketch::for_counts(); lines],
            costs: vec![QuantileSketch::for_cents(); lines],
            demand: vec![QuantileSketch::for_values(); DEMAND_FIGURES.len()],
            shape_draws: layout
                .choices
                .iter()
                .map(|c| vec![0; c.shapes.len() + 2])
                .collect(),
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
        for (mine, theirs) in self.shape_draws.iter_mut().zip(&o.shape_draws) {
            for (a, b) in mine.iter_mut().zip(theirs) {
                *a += b;
            }
        }
    }
}

/// The prepared simulation: scenario, inputs, per-phase layouts.
pub struct Model<'a> {
    pub scenario: &'a Scenario,
    pub inputs: &'a Inputs,
    pub layouts: Vec<PhaseLayout>,
    /// The scenario's support plan: each draw adds its fee on the draw's total, as the plan
    /// adds it on each phase's (absent where the tables do not price the plan).
    pub support: Option<crate::pricing::support::SupportPlan>,
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
    /// instances `auto` components chose there. With `reselect_shapes`, each draw chooses an
    /// `auto` component's shape again among that choice and its runners-up (a whole search of
    /// the catalog only in a draw none of them fits); without, draws keep the plan's shapes.
    pub fn new(
        scenario: &'a Scenario,
        inputs: &'a Inputs,
        point: &Plan,
        reselect_shapes: bool,
    ) -> Result<Self, String> {
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
                        commitment: None,
                    });
                    let slot = slots.last_mut().expect("just pushed");
                    slot.commitment = slot_commitment(planned, component, line, slot, spec);
                }
            }
            let choices = if reselect_shapes {
                shape_choices(
                    scenario,
                    &copy,
                    phase,
                    &planned.selections,
                    &fixed_instances,
                    &slots,
                )
            } else {
                Vec::new()
            };
            layouts.push(PhaseLayout {
                name: phase.name.clone(),
                slots,
                fixed_instances,
                choices,
            });
        }
        let support = spec.support_plan.as_deref().and_then(|name| {
            crate::pricing::support::plan(&scenario.prices, name)
                .ok()
                .flatten()
        });
        Ok(Model {
            scenario,
            inputs,
            layouts,
            support,
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
        let hours = scratch.spec.hours_per_month;
        out.shapes.resize(layout.choices.len(), 0);
        out.searched_rates.resize(layout.choices.len(), Vec::new());
        let (picked, searched) = (&mut out.shapes, &mut out.searched_rates);
        let mut choose = |index: usize, component: &Component, inputs: &PhaseInputs<'_>| {
            let c = layout.choices.iter().position(|c| c.component == index)?;
            let chosen = choose_shape(&layout.choices[c], &layout.slots, component, inputs, hours);
            Some(chosen.map(|(k, sizing, rates)| {
                picked[c] = k;
                searched[c] = rates;
                sizing
            }))
        };
        let sized =
            plan::size_phase_choosing(scratch, &layout.name, users, false, None, &mut choose)
                .map_err(|e| e.to_string())?;
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
                let rate = rate_in_draw(layout, slot, k, &out.shapes, &out.searched_rates);
                let cost = line_cost(rate, count, line, hours)
                    .and_then(|on_demand| {
                        let own_shape = plan_shape_in_draw(layout, slot, &out.shapes);
                        committed_cost(slot, on_demand, count, line, own_shape)
                    })
                    .map_err(|m| {
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
        sized.sized.recycle();
        for c in &mut out.component_costs {
            *c = round_cents(*c);
        }
        // The support fee is a function of the draw's whole spend (not a line of the layout).
        let spend = round_cents(total);
        out.total = match &self.support {
            Some(plan) => round_cents(spend + plan.fee_usd(spend)),
            None => spend,
        };
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
                .map(|l| PhaseSketches::new(l, self.scenario.spec.components.len()))
                .collect()
        };
        // Blocks of draws, 4 per thread for balance, handed out in order to one job per
        // thread. Each job keeps one scenario copy, one set of buffers and one set of sketches
        // for all the blocks it runs (their memory is fresh pages to fault in: one set per
        // thread, not one per block or per rayon split). Neither the block count nor which
        // job ran a block can change a result: sketches merge exactly.
        let threads = rayon::current_num_threads() as u64;
        let block = draws.div_ceil(4 * threads).max(1);
        let blocks = draws.div_ceil(block);
        let next = AtomicU64::new(0);
        // The first block a job found failing: no job starts a later one.
        let failed = AtomicU64::new(u64::MAX);
        let done = AtomicU64::new(0);
        let job = |_| -> Result<Option<Runner>, (u64, String)> {
            let mut runner: Option<Runner> = None;
            loop {
                let b = next.fetch_add(1, Ordering::Relaxed);
                if b >= blocks || b > failed.load(Ordering::Relaxed) {
                    return Ok(runner);
                }
                let range = b * block..((b + 1) * block).min(draws);
                let finished = range.end - range.start;
                let r = runner.get_or_insert_with(|| Runner::new(self, empty()));
                if let Err(e) = r.run(self, range, seed) {
                    failed.fetch_min(b, Ordering::Relaxed);
                    return Err(e);
                }
                progress(done.fetch_add(finished, Ordering::Relaxed) + finished);
            }
        };
        let jobs: Vec<_> = (0..threads).into_par_iter().map(job).collect();
        // Every block before a failing one was handed out first and runs to its end (or its
        // own failure), so the error kept, the earliest failing draw, is the first in draw
        // order whatever the thread that met it.
        let mut sketches: Option<Vec<PhaseSketches>> = None;
        let mut first_error: Option<(u64, String)> = None;
        for job in jobs {
            match job {
                Err(e) => {
                    if first_error.as_ref().is_none_or(|(draw, _)| e.0 < *draw) {
                        first_error = Some(e);
                    }
                }
                Ok(None) => {}
                Ok(Some(runner)) => match &mut sketches {
                    None => sketches = Some(runner.sketches),
                    Some(all) => {
                        for (x, y) in all.iter_mut().zip(&runner.sketches) {
                            x.merge(y);
                        }
                    }
                },
            }
        }
        match first_error {
            Some((_, message)) => Err(message),
            None => Ok(sketches.unwrap_or_else(empty)),
        }
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

/// What one rayon job of [`Model::simulate`] reuses from draw to draw: a scenario copy the
/// draws write their world into, the buffers of a draw's results, and the sketches.
struct Runner {
    sketches: Vec<PhaseSketches>,
    scratch: Scenario,
    world: World,
    out: Vec<PhaseDraw>,
    values: Vec<f64>,
    batch: Batch,
}

impl Runner {
    fn new(model: &Model<'_>, sketches: Vec<PhaseSketches>) -> Runner {
        Runner {
            sketches,
            scratch: model.scenario.clone(),
            world: World::new(model.scenario),
            out: vec![PhaseDraw::default(); model.layouts.len()],
            values: vec![0.0; model.inputs.list.len()],
            batch: Batch::new(&model.layouts, model.scenario.spec.components.len()),
        }
    }

    /// Runs draws `draws` (stream numbers) into the sketches; a failure says which draw.
    fn run(
        &mut self,
        model: &Model<'_>,
        draws: std::ops::Range<u64>,
        seed: u64,
    ) -> Result<(), (u64, String)> {
        for draw in draws {
            let u = model.uniforms(seed, draw);
            for ((v, input), u) in self.values.iter_mut().zip(&model.inputs.list).zip(u) {
                *v = input.value_at(u);
            }
            model
                .evaluate(
                    &self.values,
                    &mut self.world,
                    &mut self.scratch,
                    &mut self.out,
                )
                .map_err(|m| (draw, format!("draw {draw}: {m}")))?;
            self.batch.push(&self.out);
            for (phase, draw) in self.sketches.iter_mut().zip(&self.out) {
                for (counts, &k) in phase.shape_draws.iter_mut().zip(&draw.shapes) {
                    counts[k] += 1;
                }
            }
            if self.batch.filled == Batch::CAPACITY {
                self.batch.flush(&mut self.sketches);
            }
        }
        self.batch.flush(&mut self.sketches);
        Ok(())
    }
}

/// The rate of slot `k` in a draw: on the shape the draw chose for an `auto` component, else
/// the slot's own.
fn rate_in_draw<'l>(
    layout: &'l PhaseLayout,
    slot: &'l Slot,
    k: usize,
    shapes: &[usize],
    searched_rates: &'l [Vec<Rate>],
) -> &'l Rate {
    let Some(c) = layout
        .choices
        .iter()
        .position(|c| c.component == slot.component)
    else {
        return &slot.rate;
    };
    let choice = &layout.choices[c];
    let at = k - choice.first_slot;
    let chosen = shapes[c];
    match choice.shapes.get(chosen) {
        Some(shape) => &shape.rates[at],
        None if chosen == choice.shapes.len() => &searched_rates[c][at],
        // None fits: the plan's shape.
        None => &choice.shapes[0].rates[at],
    }
}

/// True when a draw runs the slot's component on the point plan's shape (no choice, the
/// plan's own choice, or none fitting so the plan's kept).
fn plan_shape_in_draw(layout: &PhaseLayout, slot: &Slot, shapes: &[usize]) -> bool {
    match layout
        .choices
        .iter()
        .position(|c| c.component == slot.component)
    {
        None => true,
        Some(c) => shapes[c] == 0 || shapes[c] == layout.choices[c].shapes.len() + 1,
    }
}

/// The point plan's reservation of a slot's line, with each reserved part of the line's own
/// shape placed among the sized line's parts and its on-demand rate per instance.
fn slot_commitment(
    planned: &plan::PhasePlan,
    component: &Component,
    line: &crate::sizing::SizedLine,
    slot: &Slot,
    spec: &crate::input::ScenarioFile,
) -> Option<SlotCommitment> {
    let planned_line = planned
        .lines
        .iter()
        .find(|l| l.component == component.name && l.item == line.item)?;
    let c = planned_line.commitment.as_ref()?;
    if c.parts.is_empty() {
        return None;
    }
    let hours = spec.hours_per_month;
    let own = planned_line.instance.as_deref().unwrap_or_default();
    let mut parts = Vec::new();
    for p in c.parts.iter().filter(|p| p.instance == own) {
        let part = if line.parts.is_empty() {
            None
        } else {
            Some(line.parts.iter().position(|q| q.key.region == p.region)?)
        };
        parts.push(CommittedPart {
            part,
            committed: p.committed,
            on_demand_usd_per_instance: per_instance_usd(&slot.rate, part, line, hours),
        });
    }
    Some(SlotCommitment {
        reserved_monthly_usd: c.committed_monthly_usd,
        parts,
    })
}

/// The net monthly on-demand cost of one instance at `rate` (in part `part` of a line
/// priced per region). Instance prices are flat per hour, so it scales with the count.
fn per_instance_usd(
    rate: &Rate,
    part: Option<usize>,
    line: &crate::sizing::SizedLine,
    hours: f64,
) -> f64 {
    let one = |unit: PriceUnit| costing::quantity(1, line.measure, unit, hours).unwrap_or(0.0);
    match (rate, part) {
        (
            Rate::Given {
                unit,
                usd,
                multiplier,
            },
            _,
        ) => one(*unit) * usd * multiplier,
        (
            Rate::Table {
                unit,
                tiers,
                multiplier,
            },
            _,
        ) => crate::pricing::tiers::total(tiers, one(*unit)) * multiplier,
        (
            Rate::Parts {
                unit,
                tiers,
                multiplier,
            },
            Some(k),
        ) => tiers.get(k).map_or(0.0, |t| {
            crate::pricing::tiers::total(t, one(*unit)) * multiplier
        }),
        _ => 0.0,
    }
}

/// A line's cost in a draw under its reservation: the on-demand cost of the draw's count,
/// less the on-demand cost of the instances the reservation covers, plus the reservation
/// (paid in full, idle or not). On another shape than the plan's, every reserved instance is
/// idle and the line's instances are all on demand.
fn committed_cost(
    slot: &Slot,
    on_demand: f64,
    count: u64,
    line: &crate::sizing::SizedLine,
    own_shape: bool,
) -> Result<f64, String> {
    let Some(c) = &slot.commitment else {
        return Ok(on_demand);
    };
    let mut covered = 0.0;
    if own_shape {
        let parts_total = line
            .parts
            .iter()
            .fold(0_u64, |sum, p| sum.saturating_add(p.count));
        for p in &c.parts {
            let drawn = match p.part {
                None => count,
                Some(k) if parts_total == count => line.parts[k].count,
                // A pin moved the count: the parts' shares of it (allocates; pinned lines only).
                Some(k) => costing::split(count, &line.parts)[k],
            };
            covered += drawn.min(p.committed) as f64 * p.on_demand_usd_per_instance;
        }
    }
    Ok(round_cents(on_demand - covered + c.reserved_monthly_usd))
}

/// The shapes each `auto` component's draws choose among: the point plan's choice and its
/// runners-up, each sized at the point (`fixed` is `original` with every `auto` component fixed
/// to its choice) for the rates of its lines. A shape whose lines differ from the choice's is
/// left out; a component left with one shape keeps it in every draw.
fn shape_choices(
    original: &Scenario,
    fixed: &Scenario,
    phase: &crate::input::growth::Phase,
    selections: &[crate::selection::Selection],
    fixed_instances: &[(usize, String)],
    slots: &[Slot],
) -> Vec<ShapeChoice> {
    let mut trial = fixed.clone();
    let mut choices = Vec::new();
    for (i, chosen) in fixed_instances {
        let i = *i;
        let component = &original.spec.components[i];
        let (Some(selection), Some(auto), Some(first_slot)) = (
            selections.iter().find(|s| s.component == component.name),
            crate::selection::wants_auto(component, &phase.name),
            slots.iter().position(|s| s.component == i),
        ) else {
            continue;
        };
        let own = slots[first_slot..]
            .iter()
            .take_while(|s| s.component == i)
            .count();
        let own = &slots[first_slot..first_slot + own];
        let mut shapes = Vec::new();
        let instances = std::iter::once(&selection.chosen)
            .chain(&selection.alternatives)
            .map(|c| &c.instance);
        for instance in instances {
            crate::selection::set_instance(&mut trial.spec.components[i].policy, instance);
            let Ok(sized) = plan::size_phase(&trial, &phase.name, phase.users, false, None) else {
                continue;
            };
            let Some(sizing) = sized.sized.at(i) else {
                continue;
            };
            if !lines_match(&sizing.lines, own) {
                continue;
            }
            let component = &trial.spec.components[i];
            shapes.push(ShapeOption {
                instance: instance.clone(),
                rates: sizing
                    .lines
                    .iter()
                    .map(|l| resolve_rate(&trial, component, l))
                    .collect(),
            });
        }
        crate::selection::set_instance(&mut trial.spec.components[i].policy, chosen);
        if shapes.len() > 1 && shapes[0].instance == *chosen {
            choices.push(ShapeChoice {
                component: i,
                first_slot,
                auto,
                shapes,
            });
        }
    }
    choices
}

/// Sizes an `auto` component on each of `choice`'s shapes for this draw and returns the
/// cheapest: its position, sizing and (for a shape found by a whole search, position
/// `choice.shapes.len()`) its lines' rates. A shape that does not fit the draw (a need one
/// instance cannot hold, the node limit) is passed over.
fn choose_shape(
    choice: &ShapeChoice,
    slots: &[Slot],
    component: &Component,
    inputs: &PhaseInputs<'_>,
    hours: f64,
) -> Result<(usize, ComponentSizing, Vec<Rate>), String> {
    // Per-region counts, for the node limit, as the plan's own selection sees them.
    let inputs = PhaseInputs {
        keep_regions: true,
        ..*inputs
    };
    let mut trial = component.clone();
    let mut best: Option<(f64, usize, ComponentSizing)> = None;
    let least = crate::sizing::least_instances(&component.policy);
    let regions = sized_regions(component, inputs.scenario);
    for (k, shape) in choice.shapes.iter().enumerate() {
        // A shape whose floor already costs at least the best so far cannot be kept (the
        // first of equals is): pass it over unsized. The shapes come in the plan's cost
        // order, so the best so far is usually tight from the first.
        if let Some((cheapest, _, _)) = &best
            && floor_cost(choice, shape, slots, &least, regions, hours)
                .is_some_and(|floor| floor >= *cheapest)
        {
            continue;
        }
        crate::selection::set_instance(&mut trial.policy, &shape.instance);
        let Ok(sizing) = crate::sizing::size_component(&trial, &inputs) else {
            continue;
        };
        if crate::selection::over_node_limit(&choice.auto, &sizing, &shape.instance) {
            sizing.recycle();
            continue;
        }
        let mut cost = 0.0;
        for ((line, slot), rate) in sizing
            .lines
            .iter()
            .zip(choice.slots(slots))
            .zip(&shape.rates)
        {
            cost += line_cost(rate, slot.pinned.unwrap_or(line.count), line, hours)?;
        }
        if best.as_ref().is_none_or(|(least, _, _)| cost < *least) {
            if let Some((_, _, passed_over)) = best.replace((cost, k, sizing)) {
                passed_over.recycle();
            }
        } else {
            sizing.recycle();
        }
    }
    if let Some((_, k, sizing)) = best {
        return Ok((k, sizing, Vec::new()));
    }
    // None of them fits this draw (a demand the runners-up cannot hold within the node
    // limit): search the whole catalog, as the plan would, and price the winner here.
    crate::selection::set_instance(&mut trial.policy, crate::input::scenario::AUTO);
    let Ok((sizing, selection)) = crate::selection::select(&trial, &choice.auto, &inputs) else {
        // No shape of the catalog fits this world: it keeps the plan's shape, over its
        // limits, and the summary says in how many draws that happened.
        crate::selection::set_instance(&mut trial.policy, &choice.shapes[0].instance);
        let sizing = crate::sizing::size_component(&trial, &inputs).map_err(|e| e.to_string())?;
        return Ok((choice.shapes.len() + 1, sizing, Vec::new()));
    };
    crate::selection::set_instance(&mut trial.policy, &selection.chosen.instance);
    if !lines_match(&sizing.lines, choice.slots(slots)) {
        return Err(format!(
            "`{}`: the shape this draw needs ({}) has other lines than the plan's",
            component.name, selection.chosen.instance
        ));
    }
    let rates = sizing
        .lines
        .iter()
        .map(|l| resolve_rate(inputs.scenario, &trial, l))
        .collect();
    Ok((choice.shapes.len(), sizing, rates))
}

/// The regions a component is sized in: each of the scenario's, or one for a global component.
fn sized_regions(component: &Component, scenario: &Scenario) -> usize {
    match component.policy.placement() {
        crate::input::Placement::PerRegion => scenario.spec.regions.len(),
        crate::input::Placement::Global => 1,
    }
}

/// A lower bound on what `shape` costs in any draw, summed as [`choose_shape`] sums its lines:
/// each unpinned instance line at the fewest instances its rule gives a region (`least`, per
/// item; `regions` regions sized), every other line at nothing. Each term is the line's own
/// price at a count no larger than the draw's, and prices only grow with the count (tiers
/// and multipliers not negative), so the bound never exceeds the shape's cost. `None` where a
/// rate is missing (sizing that shape may be an error the draw must report).
fn floor_cost(
    choice: &ShapeChoice,
    shape: &ShapeOption,
    slots: &[Slot],
    least: &[(&'static str, u64)],
    regions: usize,
    hours: f64,
) -> Option<f64> {
    let mut floor = 0.0;
    for (slot, rate) in choice.slots(slots).iter().zip(&shape.rates) {
        if matches!(rate, Rate::Missing(_)) {
            return None;
        }
        let fewest = least
            .iter()
            .find(|(item, _)| *item == slot.item)
            .map_or(0, |&(_, n)| n);
        if fewest == 0 || slot.pinned.is_some() {
            continue;
        }
        floor += line_floor(rate, fewest, slot.measure, regions, hours).unwrap_or(0.0);
    }
    Some(floor)
}

/// The cost of an instance line with `fewest` instances in each of `regions` regions (each
/// part of a line priced per region holds one region at the least), rounded as [`line_cost`]
/// rounds; `None` where the rate bills other than instance-hours or -months, or could fall
/// with the count.
fn line_floor(
    rate: &Rate,
    fewest: u64,
    measure: Measure,
    regions: usize,
    hours: f64,
) -> Option<f64> {
    let instance_unit = |unit: &PriceUnit| matches!(unit, PriceUnit::Hour | PriceUnit::Month);
    if !matches!(measure, Measure::Instances { .. }) {
        return None;
    }
    let rising = |tiers: &[Tier]| tiers.iter().all(|t| t.price_usd >= 0.0);
    let all_regions = fewest.saturating_mul(regions as u64);
    let (list, multiplier) = match rate {
        Rate::Given {
            unit,
            usd,
            multiplier,
        } if instance_unit(unit) && *usd >= 0.0 => {
            let q = costing::quantity(all_regions, measure, *unit, hours).ok()?;
            (q * usd, *multiplier)
        }
        Rate::Table {
            unit,
            tiers,
            multiplier,
        } if instance_unit(unit) && rising(tiers) => {
            let q = costing::quantity(all_regions, measure, *unit, hours).ok()?;
            (crate::pricing::tiers::total(tiers, q), *multiplier)
        }
        // One part per price region, each holding at least one region's floor.
        Rate::Parts {
            unit,
            tiers,
            multiplier,
        } if instance_unit(unit) && regions > 1 && tiers.iter().all(|t| rising(t)) => {
            let q = costing::quantity(fewest, measure, *unit, hours).ok()?;
            let mut list = 0.0;
            for tiers in tiers {
                list += crate::pricing::tiers::total(tiers, q);
            }
            (list, *multiplier)
        }
        _ => return None,
    };
    (multiplier >= 0.0).then(|| round_cents(list * multiplier))
}

/// A line's net monthly cost at `count`, as the plan prices it (cents per line).
fn line_cost(
    rate: &Rate,
    count: u64,
    line: &crate::sizing::SizedLine,
    hours: f64,
) -> Result<f64, String> {
    let measure = line.measure;
    let (unit, list, multiplier) = match rate {
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
            // The parts' own counts when they add up to the count (no pin moved it): no
            // allocation on this path, which every draw takes for every multi-region line.
            let parts_total = line
                .parts
                .iter()
                .fold(0_u64, |sum, p| sum.saturating_add(p.count));
            if parts_total == count {
                for (tiers, part) in tiers.iter().zip(&line.parts) {
                    let q = costing::quantity(part.count, measure, *unit, hours)?;
                    list += crate::pricing::tiers::total(tiers, q);
                }
            } else {
                for (tiers, n) in tiers.iter().zip(costing::split(count, &line.parts)) {
                    let q = costing::quantity(n, measure, *unit, hours)?;
                    list += crate::pricing::tiers::total(tiers, q);
                }
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

#[cfg(test)]
mod floor_tests {
    use super::*;

    /// In draws of saas-10b-auto, each runner-up's floor is at most what it costs when sized
    /// and priced as `choose_shape` does (so passing over it cannot change the choice), and
    /// the floor reaches the plan's choice's cost for some shapes (so draws do skip sizings).
    #[test]
    fn a_shapes_floor_never_exceeds_its_cost_in_a_draw() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b-auto.ron");
        let s = crate::input::load_scenario(&path).unwrap();
        let point = plan::build(&s).unwrap();
        let spec = s.spec.uncertainty.clone().unwrap();
        let inputs = Inputs::resolve(&s, &spec.inputs).unwrap();
        let model = Model::new(&s, &inputs, &point, true).unwrap();
        let (mut scratch, mut world) = (s.clone(), World::new(&s));
        let (mut checked, mut bounded, mut passed_over) = (0, 0, 0);
        for draw in 0..30 {
            let values: Vec<f64> = (inputs.list.iter().zip(model.uniforms(7, draw)))
                .map(|(input, u)| input.value_at(u))
                .collect();
            inputs.apply(&values, &mut world).unwrap();
            world.install(&mut scratch);
            for (layout, &users) in model.layouts.iter().zip(&world.users) {
                for (i, instance) in &layout.fixed_instances {
                    crate::selection::set_instance(
                        &mut scratch.spec.components[*i].policy,
                        instance,
                    );
                }
                let hours = scratch.spec.hours_per_month;
                let mut check = |index: usize, component: &Component, given: &PhaseInputs<'_>| {
                    let choice = layout.choices.iter().find(|c| c.component == index)?;
                    let given = PhaseInputs {
                        keep_regions: true,
                        ..*given
                    };
                    let least = crate::sizing::least_instances(&component.policy);
                    let regions = sized_regions(component, given.scenario);
                    let mut trial = component.clone();
                    let mut first_cost = None;
                    for shape in &choice.shapes {
                        crate::selection::set_instance(&mut trial.policy, &shape.instance);
                        let Ok(sizing) = crate::sizing::size_component(&trial, &given) else {
                            continue;
                        };
                        let mut cost = 0.0;
                        for ((line, slot), rate) in (sizing.lines.iter())
                            .zip(choice.slots(&layout.slots))
                            .zip(&shape.rates)
                        {
                            let count = slot.pinned.unwrap_or(line.count);
                            cost += line_cost(rate, count, line, hours).unwrap();
                        }
                        let floor =
                            floor_cost(choice, shape, &layout.slots, &least, regions, hours)
                                .unwrap();
                        assert!(
                            floor <= cost,
                            "{} on {}: floor {floor} above cost {cost}",
                            component.name,
                            shape.instance
                        );
                        checked += 1;
                        bounded += usize::from(floor > 0.0);
                        let first = *first_cost.get_or_insert(cost);
                        passed_over += usize::from(floor >= first);
                    }
                    None
                };
                plan::size_phase_choosing(&scratch, &layout.name, users, false, None, &mut check)
                    .unwrap();
            }
        }
        // 30 draws x 7 phases x 5 auto components x 4 shapes, all fitting at these scales;
        // the database, cache and brokers (3 of 5) have floors.
        assert_eq!(checked, 30 * 7 * 5 * 4);
        assert_eq!(bounded, 30 * 7 * 3 * 4);
        assert!(passed_over > 0);
    }
}
