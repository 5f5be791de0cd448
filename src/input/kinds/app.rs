//! App: a stateless application tier on Kubernetes nodes (or VMs: one pod per node). Its
//! sizing rule (pods from peak requests, nodes from pods per shape) is `sizing/app.rs`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{
    AutoSelect, ComponentKind, Instance, KindFacts, Placement, Reference, ShapeSource, TfvarsGroup,
    tf_attr,
};
use crate::error::InputError;
use crate::input::check::Check;

/// A stateless application tier on Kubernetes nodes (or VMs: one pod per node).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AppPolicy {
    /// Node instance type (`c6i.4xlarge`).
    pub instance: String,
    /// Constraints when `instance` is `"auto"`.
    #[serde(default)]
    pub auto: Option<AutoSelect>,
    /// Node type per phase name, where it differs.
    #[serde(default)]
    pub instance_by_phase: BTreeMap<String, String>,
    /// Per region (default) or global.
    #[serde(default)]
    pub placement: Placement,
    /// Pricing service of nodes.
    #[serde(default = "super::default_ec2")]
    pub service: String,
    /// Share of all API requests this tier serves.
    #[serde(default = "super::one_f")]
    pub rps_share: f64,
    /// Requests/s one pod serves at 100% of its capacity, when stated; else pods follow from
    /// `cpu_ms_per_request` and `pod_vcpu`.
    #[serde(default)]
    pub rps_per_pod: Option<f64>,
    /// CPU time one request costs, in milliseconds: pods = requests/s x this / 1000 /
    /// (pod_vcpu x target_utilization). No default: it depends entirely on the application
    /// (measure it, or take it from the design).
    #[serde(default)]
    pub cpu_ms_per_request: Option<f64>,
    /// Target utilisation of a pod at peak, in (0, 1].
    pub target_utilization: f64,
    /// Availability zones the tier spreads over, Z.
    #[serde(default = "super::three")]
    pub zones: u64,
    /// Zones it must survive losing, k (< Z): pods x Z/(Z-k).
    #[serde(default = "super::one")]
    pub zones_lost: u64,
    /// Pods per node, when stated (with an explicit instance); else they follow from the
    /// shape's vCPUs, memory and max pods.
    #[serde(default)]
    pub pods_per_node: Option<u64>,
    /// vCPUs one pod requests: with `pod_memory_gib`, pods per node follow from the node's
    /// shape (needed by `instance: "auto"`).
    #[serde(default)]
    pub pod_vcpu: Option<f64>,
    /// GiB of memory one pod requests.
    #[serde(default)]
    pub pod_memory_gib: Option<f64>,
    /// Share of a node kept for the kubelet and system daemons.
    #[serde(default = "default_node_reserved")]
    pub node_reserved_fraction: f64,
    /// Fewest pods (HA).
    #[serde(default = "super::two")]
    pub min_pods: u64,
    /// HPA max = ceil(pods x (1 + burst_headroom)).
    #[serde(default = "default_burst")]
    pub burst_headroom: f64,
    /// Extra spare capacity above the utilisation target, as a fraction.
    #[serde(default)]
    pub headroom: f64,
    /// EKS control-plane item billed per cluster, if any.
    #[serde(default)]
    pub control_plane: Option<String>,
    /// Most nodes in one Kubernetes cluster (default 5,000: the upstream tested limit);
    /// more nodes make more clusters, each with its control plane.
    #[serde(default = "default_nodes_per_cluster")]
    pub max_nodes_per_cluster: u64,
    /// Most pods in one cluster (default 150,000: the upstream tested limit).
    #[serde(default = "default_pods_per_cluster")]
    pub max_pods_per_cluster: u64,
    /// Application load balancers in front of the tier in each region (default 1: the
    /// regional entry point; 0 bills none): `load-balancer` hours and `lb-capacity-units`.
    #[serde(default = "super::one")]
    pub load_balancers: u64,
    /// Share of requests that open a new client connection at the load balancer (default
    /// 0.1: keep-alive connections carrying about 10 requests each).
    #[serde(default = "default_lb_new_connection_share")]
    pub lb_new_connection_share: f64,
    /// Seconds a client connection stays open (default 60 s: a keep-alive idle timeout).
    #[serde(default = "default_lb_connection_seconds")]
    pub lb_connection_seconds: f64,
    /// Listener rules evaluated per request (default 10: AWS bills none of the first 10).
    #[serde(default = "default_lb_rules")]
    pub lb_rules: u64,
    /// NAT gateways per zone for the nodes' private subnets (default 1; 0 bills none).
    #[serde(default = "super::one")]
    pub nat_gateways_per_zone: u64,
    /// Bytes per API request the tier sends out through NAT (third-party APIs, AWS services
    /// without endpoints); default 0: no `nat-data` line.
    #[serde(default)]
    pub nat_bytes_per_request: f64,
    /// Root volume of each node, GB of gp3 (default 20: the EKS managed node group default;
    /// 0 bills none, e.g. for Fargate).
    #[serde(default = "default_node_volume_gb")]
    pub node_volume_gb: u64,
    /// Custom metric series each node publishes (a `metric-series` line, counted but not
    /// billed: no published custom-metric price is in the tables); 0 (the default) adds none.
    #[serde(default)]
    pub metric_series_per_node: f64,
}

fn default_lb_new_connection_share() -> f64 {
    0.1
}
fn default_lb_connection_seconds() -> f64 {
    60.0
}
fn default_lb_rules() -> u64 {
    10
}
/// 20 GB of gp3 per node: the EKS managed node group default disk size.
pub(crate) fn default_node_volume_gb() -> u64 {
    20
}

fn default_nodes_per_cluster() -> u64 {
    5_000
}
fn default_pods_per_cluster() -> u64 {
    150_000
}

fn default_node_reserved() -> f64 {
    0.1
}

fn default_burst() -> f64 {
    0.5
}

impl ComponentKind for AppPolicy {
    const FACTS: KindFacts = KindFacts {
        stateful: false,
        shapes: Some(ShapeSource {
            catalog_service: "ec2",
            instance_prefix: "",
        }),
        tfvars: Some(TfvarsGroup {
            variable: "app_clusters",
            what: "Application tiers (Kubernetes) by component",
            attrs: &[
                tf_attr(
                    "node",
                    "node_count",
                    "worker nodes: the most of those needed by vCPU, memory and max pods per node (or a stated pods_per_node), at least one per zone",
                ),
                tf_attr(
                    "pod",
                    "pod_count",
                    "pods at peak: peak requests/s x share x (1 + headroom) / (rps_per_pod, or pod_vcpu x 1000 / cpu_ms_per_request, x target_utilization), grown so losing zones_lost of zones still serves the peak, at least min_pods",
                ),
                tf_attr(
                    "hpa-min",
                    "hpa_min_replicas",
                    "HorizontalPodAutoscaler minReplicas, from the day-average load",
                ),
                tf_attr(
                    "hpa-max",
                    "hpa_max_replicas",
                    "HorizontalPodAutoscaler maxReplicas: peak pods x (1 + burst_headroom)",
                ),
                tf_attr(
                    "control-plane",
                    "control_plane_count",
                    "managed Kubernetes control planes",
                ),
            ],
            map_attr: None,
        }),
        // Stateless pods and nodes autoscale: nothing to start ahead.
        lead_time_months: 0,
    };

    fn validate(&self, c: &Check<'_>) -> Result<(), InputError> {
        c.name("instance", &self.instance)?;
        c.ratio("rps_share", self.rps_share)?;
        match (self.rps_per_pod, self.cpu_ms_per_request) {
            (Some(v), _) => c.positive("rps_per_pod", v)?,
            (None, Some(ms)) => {
                c.positive("cpu_ms_per_request", ms)?;
                if self.pod_vcpu.is_none() {
                    return Err(c.error(
                        "pod_vcpu",
                        "cpu_ms_per_request needs pod_vcpu: a pod serves pod_vcpu x 1000 / \
                         cpu_ms_per_request requests/s",
                    ));
                }
            }
            (None, None) => {
                return Err(c.error(
                    "rps_per_pod",
                    "state rps_per_pod, or cpu_ms_per_request with pod_vcpu: pods follow from one",
                ));
            }
        }
        c.count_at_least("max_nodes_per_cluster", self.max_nodes_per_cluster, 1)?;
        c.count_at_least("max_pods_per_cluster", self.max_pods_per_cluster, 1)?;
        c.non_negative("metric_series_per_node", self.metric_series_per_node)?;
        c.positive_ratio("target_utilization", self.target_utilization)?;
        c.count_at_least("zones", self.zones, 1)?;
        if self.zones_lost >= self.zones {
            return Err(c.error(
                "zones_lost",
                format!(
                    "must be below zones ({}): a tier cannot survive losing every zone",
                    self.zones
                ),
            ));
        }
        match self.pods_per_node {
            Some(n) => c.count_at_least("pods_per_node", n, 1)?,
            None if self.pod_vcpu.is_none() || self.pod_memory_gib.is_none() => {
                return Err(c.error(
                    "pods_per_node",
                    "state pods_per_node, or pod_vcpu and pod_memory_gib: pods per node follow \
                     from one",
                ));
            }
            None => {}
        }
        if self.instance == crate::input::scenario::AUTO
            && (self.pod_vcpu.is_none() || self.pod_memory_gib.is_none())
        {
            return Err(c.error(
                "pod_vcpu",
                "instance \"auto\" needs pod_vcpu and pod_memory_gib: pods per node follow from each shape",
            ));
        }
        if let Some(v) = self.pod_vcpu {
            c.positive("pod_vcpu", v)?;
        }
        if let Some(v) = self.pod_memory_gib {
            c.positive("pod_memory_gib", v)?;
        }
        c.ratio_below_one("node_reserved_fraction", self.node_reserved_fraction)?;
        c.count_at_least("min_pods", self.min_pods, 1)?;
        c.non_negative("burst_headroom", self.burst_headroom)?;
        c.ratio("lb_new_connection_share", self.lb_new_connection_share)?;
        c.non_negative("lb_connection_seconds", self.lb_connection_seconds)?;
        c.non_negative("nat_bytes_per_request", self.nat_bytes_per_request)?;
        c.non_negative("headroom", self.headroom)
    }

    fn placement(&self) -> Placement {
        self.placement
    }

    fn instance(&self) -> Option<Instance<'_>> {
        Some(Instance {
            default: &self.instance,
            by_phase: Some(&self.instance_by_phase),
            auto: self.auto.as_ref(),
        })
    }

    fn instance_mut(&mut self) -> Option<&mut String> {
        Some(&mut self.instance)
    }

    fn risks(&self) -> Vec<String> {
        Vec::new()
    }

    fn references(&self) -> Vec<Reference<'_>> {
        Vec::new()
    }
}
