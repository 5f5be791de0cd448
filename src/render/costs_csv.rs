//! `costs.csv` (tidy: one row per phase x line) and `by_component.csv` (phase x component
//! pivot of monthly cost), built as polars DataFrames and written with polars' CSV writer
//! (`render::parquet` writes the same frames as Parquet).

use polars::prelude::*;

use crate::error::Error;
use crate::plan::Plan;

fn polars_error(what: &str, e: &PolarsError) -> Error {
    Error::Render(format!("{what}: {e}"))
}

/// The tidy cost table: one row per line of every phase.
pub fn costs_frame(plan: &Plan) -> Result<DataFrame, Error> {
    let rows: Vec<(&crate::plan::PhasePlan, &crate::plan::Line)> = plan
        .phases
        .iter()
        .flat_map(|p| p.lines.iter().map(move |l| (p, l)))
        .collect();
    let text =
        |f: &dyn Fn(&(&crate::plan::PhasePlan, &crate::plan::Line)) -> String| -> Vec<String> {
            rows.iter().map(f).collect()
        };
    let mut columns = vec![
        Column::new("phase".into(), text(&|(p, _)| p.name.clone())),
        Column::new(
            "users".into(),
            rows.iter().map(|(p, _)| p.users).collect::<Vec<u64>>(),
        ),
        Column::new("component".into(), text(&|(_, l)| l.component.clone())),
        Column::new("kind".into(), text(&|(_, l)| l.kind.clone())),
        Column::new("item".into(), text(&|(_, l)| l.item.clone())),
        Column::new(
            "instance".into(),
            text(&|(_, l)| l.instance.clone().unwrap_or_default()),
        ),
        Column::new(
            "count".into(),
            rows.iter().map(|(_, l)| l.count).collect::<Vec<u64>>(),
        ),
        Column::new(
            "derived_count".into(),
            rows.iter()
                .map(|(_, l)| l.derived_count)
                .collect::<Vec<u64>>(),
        ),
        Column::new(
            "pinned".into(),
            rows.iter().map(|(_, l)| l.pinned).collect::<Vec<bool>>(),
        ),
        Column::new("count_unit".into(), text(&|(_, l)| l.count_unit.clone())),
        Column::new("unit".into(), text(&|(_, l)| l.unit.clone())),
        Column::new(
            "quantity".into(),
            rows.iter().map(|(_, l)| l.quantity).collect::<Vec<f64>>(),
        ),
        Column::new(
            "unit_price_usd".into(),
            rows.iter()
                .map(|(_, l)| l.unit_price_usd)
                .collect::<Vec<f64>>(),
        ),
        Column::new(
            "list_monthly_usd".into(),
            rows.iter()
                .map(|(_, l)| l.list_monthly_usd)
                .collect::<Vec<f64>>(),
        ),
        Column::new(
            "discount".into(),
            text(&|(_, l)| l.discount.clone().unwrap_or_default()),
        ),
        Column::new(
            "discount_multiplier".into(),
            rows.iter()
                .map(|(_, l)| l.discount_multiplier)
                .collect::<Vec<f64>>(),
        ),
        Column::new(
            "monthly_usd".into(),
            rows.iter()
                .map(|(_, l)| l.monthly_usd)
                .collect::<Vec<f64>>(),
        ),
        Column::new(
            "price_given_by".into(),
            text(&|(_, l)| l.price_given_by.to_string()),
        ),
        Column::new(
            "price_source".into(),
            text(&|(_, l)| l.price_source.clone()),
        ),
        Column::new("price_as_of".into(), text(&|(_, l)| l.price_as_of.clone())),
        Column::new(
            "price_confidence".into(),
            text(&|(_, l)| l.price_confidence.clone()),
        ),
    ];
    if rows.iter().any(|(_, l)| l.commitment.is_some()) {
        columns.extend(commitment_columns(&rows));
    }
    DataFrame::new(rows.len(), columns).map_err(|e| polars_error("costs.csv", &e))
}

/// Under a commitment policy: each line's committed and on-demand counts and monthly
/// costs and its upfront fee (0 for lines the policy does not cover).
fn commitment_columns(rows: &[(&crate::plan::PhasePlan, &crate::plan::Line)]) -> Vec<Column> {
    let of = |f: &dyn Fn(&crate::plan::commitment::LineCommitment) -> f64| -> Vec<f64> {
        rows.iter()
            .map(|(_, l)| l.commitment.as_ref().map_or(0.0, f))
            .collect()
    };
    let count = |f: &dyn Fn(&crate::plan::commitment::LineCommitment) -> u64| -> Vec<u64> {
        rows.iter()
            .map(|(_, l)| l.commitment.as_ref().map_or(0, f))
            .collect()
    };
    vec![
        Column::new("committed".into(), count(&|c| c.committed)),
        Column::new(
            "committed_monthly_usd".into(),
            of(&|c| c.committed_monthly_usd),
        ),
        Column::new("on_demand".into(), count(&|c| c.on_demand)),
        Column::new(
            "on_demand_monthly_usd".into(),
            of(&|c| c.on_demand_monthly_usd),
        ),
        Column::new("upfront_usd".into(), of(&|c| c.upfront_usd)),
    ]
}

/// Monthly net cost pivoted: one row per phase, one column per component, and the total.
pub fn by_component_frame(plan: &Plan) -> Result<DataFrame, Error> {
    let height = plan.phases.len();
    let mut columns = vec![
        Column::new(
            "phase".into(),
            plan.phases
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>(),
        ),
        Column::new(
            "users".into(),
            plan.phases.iter().map(|p| p.users).collect::<Vec<u64>>(),
        ),
    ];
    let names: Vec<&str> = plan
        .phases
        .first()
        .map(|p| p.components.iter().map(|c| c.component.as_str()).collect())
        .unwrap_or_default();
    for (i, name) in names.iter().enumerate() {
        let values: Vec<f64> = plan
            .phases
            .iter()
            .map(|p| p.components[i].monthly_usd)
            .collect();
        columns.push(Column::new((*name).into(), values));
    }
    columns.push(Column::new(
        "monthly_usd".into(),
        plan.phases
            .iter()
            .map(|p| p.monthly_usd)
            .collect::<Vec<f64>>(),
    ));
    columns.push(Column::new(
        "per_user_usd".into(),
        plan.phases
            .iter()
            .map(|p| p.per_user_usd)
            .collect::<Vec<f64>>(),
    ));
    DataFrame::new(height, columns).map_err(|e| polars_error("by_component.csv", &e))
}

/// A DataFrame as CSV bytes.
pub fn to_csv(mut frame: DataFrame, what: &str) -> Result<Vec<u8>, Error> {
    let mut bytes = Vec::new();
    CsvWriter::new(&mut bytes)
        .include_header(true)
        .finish(&mut frame)
        .map_err(|e| polars_error(what, &e))?;
    Ok(bytes)
}

/// `costs.csv` bytes.
pub fn costs(plan: &Plan) -> Result<Vec<u8>, Error> {
    to_csv(costs_frame(plan)?, "costs.csv")
}

/// `by_component.csv` bytes.
pub fn by_component(plan: &Plan) -> Result<Vec<u8>, Error> {
    to_csv(by_component_frame(plan)?, "by_component.csv")
}
