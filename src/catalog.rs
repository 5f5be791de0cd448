//! Instance shapes (`models/catalog/<provider>-instances.csv`): vCPU, memory, network, EBS
//! bandwidth and IOPS, and pods per node, per type.
//!
//! Shapes are facts about hardware, not prices, so they live apart from the price tables.
//! Managed cache nodes publish a usable memory below their RAM; sizing uses that one.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::InputError;

/// Rows of an instance catalog.
pub const MAX_CATALOG_ROWS: usize = 100_000;

/// One instance type's shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Shape {
    pub service: String,
    pub instance: String,
    pub vcpu: f64,
    pub memory_gib: f64,
    /// Memory available to data, where the provider publishes it below `memory_gib`.
    pub usable_memory_gib: Option<f64>,
    /// Baseline (sustained) network bandwidth, decimal Gbit/s; bursts above it are not
    /// capacity.
    pub network_gbps: Option<f64>,
    /// Baseline EBS bandwidth, Mbit/s.
    #[serde(default)]
    pub ebs_baseline_mbps: Option<f64>,
    /// Baseline EBS IOPS (16 KiB I/O): what the instance sustains whatever its volumes.
    #[serde(default)]
    pub ebs_baseline_iops: Option<f64>,
    /// Pods one Kubernetes node may run (EKS VPC CNI: ENIs x (IPv4 per ENI - 1) + 2).
    #[serde(default)]
    pub max_pods: Option<u64>,
    pub source: String,
    pub as_of: String,
    /// Where the network, EBS and pod figures come from, and when they were read.
    #[serde(default)]
    pub resources_source: Option<String>,
    #[serde(default)]
    pub resources_as_of: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

impl Shape {
    /// Memory sizing may fill: the published usable memory, else the raw memory.
    #[must_use]
    pub fn data_memory_gib(&self) -> f64 {
        self.usable_memory_gib.unwrap_or(self.memory_gib)
    }
}

/// Shapes by instance type.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    /// Shared between scenario copies (Monte Carlo jobs, plan variants): read-only once loaded.
    shapes: std::sync::Arc<BTreeMap<String, Shape>>,
}

impl Catalog {
    /// Reads a catalog CSV.
    pub fn load(path: &Path) -> Result<Catalog, InputError> {
        let file = std::fs::File::open(path).map_err(|source| InputError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let mut rdr = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(file);
        let headers = rdr
            .headers()
            .map_err(|e| InputError::at(path, 1, 1, format!("bad catalog header: {e}")))?
            .clone();
        let mut shapes = BTreeMap::new();
        // Line of each instance's row: a second row would silently replace the first.
        let mut first_line: BTreeMap<String, usize> = BTreeMap::new();
        for (i, record) in rdr.records().enumerate() {
            if i >= MAX_CATALOG_ROWS {
                return Err(InputError::file(
                    path,
                    format!(
                        "more than {MAX_CATALOG_ROWS} rows; at most {MAX_CATALOG_ROWS} are allowed"
                    ),
                ));
            }
            let row_error = |line: u64, e: &csv::Error| {
                InputError::at(path, line as usize, 1, format!("bad catalog row: {e}"))
            };
            let record = record.map_err(|e| {
                let line = e.position().map_or(i as u64 + 2, csv::Position::line);
                row_error(line, &e)
            })?;
            let line = record.position().map_or(i as u64 + 2, csv::Position::line);
            let shape: Shape = record
                .deserialize(Some(&headers))
                .map_err(|e| row_error(line, &e))?;
            let line = line as usize;
            if let Some(first) = first_line.get(&shape.instance) {
                return Err(InputError::at(
                    path,
                    line,
                    1,
                    format!(
                        "instance `{}` is listed twice (first at line {first}); the second row \
                         would silently replace the first",
                        shape.instance
                    ),
                ));
            }
            first_line.insert(shape.instance.clone(), line);
            if !(shape.vcpu > 0.0 && shape.memory_gib > 0.0) {
                return Err(InputError::at(
                    path,
                    line,
                    1,
                    format!("`{}` needs positive vcpu and memory_gib", shape.instance),
                ));
            }
            shapes.insert(shape.instance.clone(), shape);
        }
        Ok(Catalog {
            shapes: std::sync::Arc::new(shapes),
        })
    }

    /// The shape of `instance`, if known.
    #[must_use]
    pub fn get(&self, instance: &str) -> Option<&Shape> {
        self.shapes.get(instance)
    }

    /// Every shape, sorted by instance type.
    pub fn shapes(&self) -> impl Iterator<Item = &Shape> {
        self.shapes.values()
    }

    /// Every instance type, sorted.
    pub fn instances(&self) -> impl Iterator<Item = &str> {
        self.shapes.keys().map(String::as_str)
    }
}
