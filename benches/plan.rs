//! Benchmarks of the planner (divan). Run: `cargo bench --bench plan`.
//!
//! `plan_saas_10b` is the whole pipeline minus file I/O: 7 phases x 8 components x 3 regions,
//! derivations and pricing included. `render_all` renders that plan's JSON, CSV and Markdown
//! files (the charts, tfvars and report formats are left out, as they always were here).

use std::path::Path;

use headroom::input::load_scenario;
use headroom::render::files::{Format, RenderOptions, plan_files};

fn main() {
    divan::main();
}

fn scenario() -> headroom::input::Scenario {
    load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b.ron")).unwrap()
}

#[divan::bench]
fn load_saas_10b() -> headroom::input::Scenario {
    scenario()
}

/// The AWS price tables alone (about 2,800 rows in 1.1 MB of CSV, plus the regional
/// fallbacks): every command that prices anything reads them first.
#[divan::bench]
fn load_prices_aws() -> headroom::pricing::PriceBook {
    headroom::pricing::PriceBook::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("pricing/aws"))
        .unwrap()
}

#[divan::bench]
fn plan_saas_10b(bencher: divan::Bencher) {
    let s = scenario();
    bencher.bench(|| headroom::plan::build(divan::black_box(&s)).unwrap());
}

#[divan::bench]
fn render_all(bencher: divan::Bencher) {
    let plan = headroom::plan::build(&scenario()).unwrap();
    let opts = RenderOptions {
        formats: vec![Format::Json, Format::Csv, Format::Markdown],
        ..RenderOptions::default()
    };
    bencher.bench(|| plan_files(divan::black_box(&plan), &opts).unwrap());
}

/// `instance: "auto"` on four components: every allowed catalog shape sized and priced for
/// every phase (about 130 shapes x 7 phases).
#[divan::bench]
fn plan_saas_10b_auto(bencher: divan::Bencher) {
    let s =
        load_scenario(&Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/saas-10b-auto.ron"))
            .unwrap();
    bencher.bench(|| headroom::plan::build(divan::black_box(&s)).unwrap());
}
