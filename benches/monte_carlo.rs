//! Benchmarks of the Monte Carlo engine (divan, with allocation counts).
//! Run: `cargo bench --bench monte_carlo`.
//!
//! The target: 10,000 draws x 7 phases x every component of `saas-10b.ron` in under
//! 0.5 s of wall time on 2 cores (`draws_10k_saas_10b`, threads = rayon's default).
//! `draws_saas_10b` shows how the time scales with draws; `draws_10k_threads` with cores.

use std::path::Path;

use headroom::input::{Scenario, load_scenario};
use headroom::uncertainty::engine::{Model, PhaseDraw};
use headroom::uncertainty::inputs::{Inputs, World};

#[global_allocator]
static ALLOC: divan::AllocProfiler<mimalloc::MiMalloc> =
    divan::AllocProfiler::new(mimalloc::MiMalloc);

fn main() {
    divan::main();
}

fn scenario() -> Scenario {
    load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b.ron")).unwrap()
}

struct Setup {
    scenario: Scenario,
    inputs: Inputs,
    point: headroom::Plan,
}

fn setup() -> Setup {
    let scenario = scenario();
    let spec = scenario.spec.uncertainty.clone().unwrap();
    let inputs = Inputs::resolve(&scenario, &spec.inputs).unwrap();
    let point = headroom::plan::build(&scenario).unwrap();
    Setup {
        scenario,
        inputs,
        point,
    }
}

/// One draw: apply the sampled inputs, then size and price all 7 phases.
#[divan::bench]
fn one_draw_all_phases(bencher: divan::Bencher) {
    let s = setup();
    let model = Model::new(&s.scenario, &s.inputs, &s.point, true).unwrap();
    let values: Vec<f64> = s.inputs.list.iter().map(|i| i.value_at(0.7)).collect();
    let mut world = World::new(&s.scenario);
    let mut scratch = s.scenario.clone();
    let mut out = vec![PhaseDraw::default(); model.layouts.len()];
    bencher.bench_local(|| {
        model
            .evaluate(
                divan::black_box(&values),
                &mut world,
                &mut scratch,
                &mut out,
            )
            .unwrap();
    });
}

/// Writing one draw's values into the models (JSON round trip and checks).
#[divan::bench]
fn apply_inputs(bencher: divan::Bencher) {
    let s = setup();
    let values: Vec<f64> = s.inputs.list.iter().map(|i| i.value_at(0.7)).collect();
    let mut world = World::new(&s.scenario);
    bencher.bench_local(|| {
        s.inputs
            .apply(divan::black_box(&values), &mut world)
            .unwrap()
    });
}

/// The whole Monte Carlo of the target, at rayon's default thread count.
#[divan::bench(sample_count = 10, sample_size = 1)]
fn draws_10k_saas_10b(bencher: divan::Bencher) {
    let s = setup();
    let model = Model::new(&s.scenario, &s.inputs, &s.point, true).unwrap();
    bencher.bench(|| model.simulate(10_000, 1, &|_| {}).unwrap());
}

/// saas-10b-auto: five `instance: "auto"` components, each draw choosing their shapes again
/// among the plan's choice and its runners-up (issue target: the whole command under 3 s).
#[divan::bench(sample_count = 3, sample_size = 1)]
fn draws_10k_saas_10b_auto(bencher: divan::Bencher) {
    let scenario =
        load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b-auto.ron"))
            .unwrap();
    let spec = scenario.spec.uncertainty.clone().unwrap();
    let inputs = Inputs::resolve(&scenario, &spec.inputs).unwrap();
    let point = headroom::plan::build(&scenario).unwrap();
    let model = Model::new(&scenario, &inputs, &point, true).unwrap();
    bencher.bench(|| model.simulate(10_000, 1, &|_| {}).unwrap());
}

/// Scaling with draws.
#[divan::bench(args = [1_000, 10_000, 100_000], sample_count = 3, sample_size = 1)]
fn draws_saas_10b(bencher: divan::Bencher, draws: u64) {
    let s = setup();
    let model = Model::new(&s.scenario, &s.inputs, &s.point, true).unwrap();
    bencher.bench(|| model.simulate(draws, 1, &|_| {}).unwrap());
}

/// Scaling with cores: 10,000 draws on a pool of 1 and 2 threads.
#[divan::bench(args = [1, 2], sample_count = 5, sample_size = 1)]
fn draws_10k_threads(bencher: divan::Bencher, threads: usize) {
    let s = setup();
    let model = Model::new(&s.scenario, &s.inputs, &s.point, true).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    bencher.bench(|| pool.install(|| model.simulate(10_000, 1, &|_| {}).unwrap()));
}

/// Recording one value in a sketch (costs: logarithmic buckets; counts: exact).
#[divan::bench(args = ["cents", "counts", "values"])]
fn sketch_add(bencher: divan::Bencher, kind: &str) {
    use headroom::uncertainty::sketch::QuantileSketch;
    let values: Vec<f64> = (0..10_000u32)
        .map(|k| (1000.0 + f64::from(k.wrapping_mul(2_654_435_761) % 5000)).round())
        .collect();
    bencher.bench_local(|| {
        let mut s = match kind {
            "cents" => QuantileSketch::for_cents(),
            "counts" => QuantileSketch::for_counts(),
            _ => QuantileSketch::for_values(),
        };
        for &v in &values {
            s.add(divan::black_box(v));
        }
        s
    });
}

/// Drawing one set of input values: the draw's RNG stream and each input's quantile function.
#[divan::bench]
fn sample_inputs(bencher: divan::Bencher) {
    let s = setup();
    let model = Model::new(&s.scenario, &s.inputs, &s.point, true).unwrap();
    let mut draw = 0u64;
    bencher.bench_local(|| {
        draw += 1;
        let u = model.uniforms(1, draw);
        s.inputs
            .list
            .iter()
            .zip(u)
            .map(|(i, u)| i.value_at(u))
            .sum::<f64>()
    });
}
