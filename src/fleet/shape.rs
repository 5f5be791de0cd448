//! How many of the plan's instances one fleet instance of another type stands for, by the
//! resource that binds, not by name: 8 x `db.m6g.2xlarge` (32 GiB) for a plan of
//! `db.r6g.2xlarge` (64 GiB) sized by memory are 4 of the plan's instances.
//!
//! The resource is the line's `binding` where the plan says which resource set its count
//! (`cpu`, `memory`, `network-in`/`-out`, `disk-throughput`, `iops`, `max-pods`); for another
//! binding (`pinned`, the policy's `minimum`, a service limit) or none, both vCPUs and memory
//! are compared and the scarcer one counts (the fleet instance must stand in for the plan's on
//! every resource that could bind). Shapes come from the scenario's instance catalog.

use serde::Serialize;

use crate::catalog::{Catalog, Shape};

/// How a fleet instance compares with the plan's.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShapeRatio {
    pub plan_instance: String,
    pub fleet_instance: String,
    /// The resource compared: `vcpu`, `memory_gib`, `network_gbps`, `ebs_baseline_mbps`,
    /// `ebs_baseline_iops` or `max_pods`.
    pub resource: &'static str,
    pub plan_value: f64,
    pub fleet_value: f64,
    /// fleet_value / plan_value: plan instances per fleet instance.
    pub ratio: f64,
}

/// The resource of a shape that a binding names (the sizing's resource names), for the
/// comparisons that can use it.
fn resource_of(binding: &str) -> Option<&'static str> {
    match binding {
        "cpu" | "vcpu" => Some("vcpu"),
        "memory" => Some("memory_gib"),
        "network" | "network-in" | "network-out" => Some("network_gbps"),
        "disk-throughput" => Some("ebs_baseline_mbps"),
        "iops" => Some("ebs_baseline_iops"),
        "max-pods" => Some("max_pods"),
        _ => None,
    }
}

fn value(shape: &Shape, resource: &str) -> Option<f64> {
    match resource {
        "vcpu" => Some(shape.vcpu),
        // The memory sizing fills: a cache node's usable memory.
        "memory_gib" => Some(shape.data_memory_gib()),
        "network_gbps" => shape.network_gbps,
        "ebs_baseline_mbps" => shape.ebs_baseline_mbps,
        "ebs_baseline_iops" => shape.ebs_baseline_iops,
        "max_pods" => shape.max_pods.map(|p| p as f64),
        _ => None,
    }
}

/// The ratio of `fleet` to `plan` shapes on the binding resource (see the module comment);
/// `None` when a shape is not in the catalog or lacks the resource.
#[must_use]
pub fn ratio(
    catalog: &Catalog,
    plan_instance: &str,
    fleet_instance: &str,
    binding: Option<&str>,
) -> Option<ShapeRatio> {
    let (p, f) = (catalog.get(plan_instance)?, catalog.get(fleet_instance)?);
    let resources: Vec<&'static str> = match binding.and_then(resource_of) {
        Some(r) => vec![r],
        None => vec!["vcpu", "memory_gib"],
    };
    resources
        .into_iter()
        .filter_map(|resource| {
            let (pv, fv) = (value(p, resource)?, value(f, resource)?);
            (pv > 0.0).then(|| ShapeRatio {
                plan_instance: plan_instance.to_string(),
                fleet_instance: fleet_instance.to_string(),
                resource,
                plan_value: pv,
                fleet_value: fv,
                ratio: fv / pv,
            })
        })
        .min_by(|a, b| a.ratio.total_cmp(&b.ratio))
}

/// The resource that set a plan line's count (`cpu`, `memory`, `network-in`, `pinned`...),
/// where the plan says: every shape comparison follows it.
#[must_use]
pub fn line_binding(line: &crate::plan::Line) -> Option<&str> {
    line.binding.as_deref()
}

/// [`line_binding`] for a sized line (reverse sizing sizes without pricing).
#[must_use]
pub fn sized_binding(line: &crate::sizing::SizedLine) -> Option<&str> {
    line.binding.map(|b| b.binding())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog {
        let csv = "service,instance,vcpu,memory_gib,usable_memory_gib,network_gbps,source,as_of\n\
                   rds,db.r6g.2xlarge,8,64,,10,t,2026-01-01\n\
                   rds,db.m6g.2xlarge,8,32,,10,t,2026-01-01\n\
                   rds,db.r6g.4xlarge,16,128,,10,t,2026-01-01\n";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.csv");
        std::fs::write(&path, csv).unwrap();
        Catalog::load(&path).unwrap()
    }

    #[test]
    fn the_scarcer_resource_counts_unless_the_binding_names_one() {
        let c = catalog();
        // m6g.2xlarge against r6g.2xlarge: vCPU 8/8 = 1, memory 32/64 = 0.5 -> memory, 0.5
        let r = ratio(&c, "db.r6g.2xlarge", "db.m6g.2xlarge", None).unwrap();
        assert_eq!((r.resource, r.ratio), ("memory_gib", 0.5));
        // bound by CPU, the smaller memory does not matter: 8/8 = 1
        let r = ratio(&c, "db.r6g.2xlarge", "db.m6g.2xlarge", Some("cpu")).unwrap();
        assert_eq!((r.resource, r.ratio), ("vcpu", 1.0));
        // twice the shape: both ratios are 2
        assert_eq!(
            ratio(&c, "db.r6g.2xlarge", "db.r6g.4xlarge", Some("pinned"))
                .unwrap()
                .ratio,
            2.0
        );
        assert!(ratio(&c, "db.r6g.2xlarge", "db.x9.huge", None).is_none());
    }
}
