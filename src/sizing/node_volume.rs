//! Node volumes: the EBS root (and data) volume every self-managed EC2 node carries.
//!
//! An EKS managed node group gives each node a 20 GiB gp3 root volume by default; pooler
//! hosts are plain EC2 instances with the same. Billed per GB-month at the region's `ebs gp3`
//! price (pricing/aws/storage.csv). `node_volume_gb: 0` bills none (e.g. Fargate tasks, whose
//! 20 GB of ephemeral storage is included).

use crate::sizing::{Measure, PriceKey, RegionContext, RegionLine};
use crate::trace::Trace;

/// The `node-volume` line for `nodes` nodes (traced as step `nodes_step`) of `gb_per_node`
/// GB each: none when the volume size is 0.
pub fn line(
    nodes: u64,
    nodes_step: &str,
    gb_per_node: u64,
    ctx: &RegionContext<'_>,
    t: &mut Trace,
) -> Option<RegionLine> {
    if gb_per_node == 0 {
        return None;
    }
    let gb = t.count(
        "node_volume_gb",
        &t.text(|| format!("{nodes_step} x node_volume_gb")),
        &[
            (nodes_step, nodes as f64, "nodes"),
            ("node_volume_gb", gb_per_node as f64, "GB"),
        ],
        nodes.saturating_mul(gb_per_node),
        "GB",
    );
    Some(
        RegionLine::billed(
            "node-volume",
            gb,
            Measure::Gb,
            PriceKey::new("ebs", "gp3", ctx.pricing_region),
        )
        .from_step("node_volume_gb"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demand::Demand;
    use crate::sizing::test_support::{count, with_ctx};

    #[test]
    fn gb_per_node_times_nodes() {
        let sized = crate::sizing::SizedComponents::default();
        // 15 nodes x 20 GB = 300 GB
        let l = with_ctx(Demand::default(), &sized, |ctx| {
            line(15, "nodes", 20, ctx, &mut Trace::new())
        });
        assert_eq!(count(&[l.unwrap()], "node-volume"), 300);
        let none = with_ctx(Demand::default(), &sized, |ctx| {
            line(15, "nodes", 0, ctx, &mut Trace::new())
        });
        assert!(none.is_none());
    }
}
