//! Derivation traces: every computed number keeps the formula and inputs it came from.
//!
//! Sizing code computes through a [`Trace`]; each step records its formula, its named inputs
//! with units, and its result. The plan carries the steps, and `headroom explain` prints them,
//! so a reader can redo any line by hand.

use serde::Serialize;

/// One named input of a step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StepInput {
    pub name: String,
    pub value: f64,
    pub unit: String,
}

/// One step of a derivation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// What the result is (`shards_by_data`).
    pub name: String,
    /// How it is computed, in the inputs' names.
    pub formula: String,
    /// The inputs, with values and units.
    pub inputs: Vec<StepInput>,
    /// The result.
    pub result: f64,
    /// The result's unit.
    pub unit: String,
}

/// A growing list of steps, with an optional label (a region) prefixed to step names.
///
/// A disabled trace records nothing and allocates nothing: Monte Carlo draws run the same
/// sizing code thousands of times and only need the numbers.
#[derive(Debug, Clone)]
pub struct Trace {
    steps: Vec<Step>,
    label: Option<String>,
    enabled: bool,
}

impl Default for Trace {
    fn default() -> Self {
        Trace {
            steps: Vec::new(),
            label: None,
            enabled: true,
        }
    }
}

impl Trace {
    /// An empty trace.
    #[must_use]
    pub fn new() -> Trace {
        Trace::default()
    }

    /// An empty trace whose step names read `[label] name`.
    #[must_use]
    pub fn labelled(label: &str) -> Trace {
        Trace {
            label: Some(label.to_string()),
            ..Trace::default()
        }
    }

    /// A trace that records nothing (steps still return their results).
    #[must_use]
    pub fn disabled() -> Trace {
        Trace {
            enabled: false,
            ..Trace::default()
        }
    }

    /// A formula or name built only when it will be recorded (`format!` costs an allocation
    /// per call, which disabled traces should not pay).
    pub fn text(&self, build: impl FnOnce() -> String) -> String {
        if self.enabled { build() } else { String::new() }
    }

    /// True when steps are recorded.
    #[must_use]
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Records a step and returns its result.
    #[inline]
    pub fn step(
        &mut self,
        name: &str,
        formula: &str,
        inputs: &[(&str, f64, &str)],
        result: f64,
        unit: &str,
    ) -> f64 {
        // Inlined, a disabled trace costs one branch per step (Monte Carlo draws).
        if self.enabled {
            self.record(name, formula, inputs, result, unit);
        }
        result
    }

    fn record(
        &mut self,
        name: &str,
        formula: &str,
        inputs: &[(&str, f64, &str)],
        result: f64,
        unit: &str,
    ) {
        let name = match &self.label {
            Some(label) => format!("[{label}] {name}"),
            None => name.to_string(),
        };
        self.steps.push(Step {
            name,
            formula: formula.to_string(),
            inputs: inputs
                .iter()
                .map(|&(name, value, unit)| StepInput {
                    name: name.to_string(),
                    value,
                    unit: unit.to_string(),
                })
                .collect(),
            result,
            unit: unit.to_string(),
        });
    }

    /// Records an integer-valued step and returns it as a count.
    #[inline]
    pub fn count(
        &mut self,
        name: &str,
        formula: &str,
        inputs: &[(&str, f64, &str)],
        result: u64,
        unit: &str,
    ) -> u64 {
        self.step(name, formula, inputs, result as f64, unit);
        result
    }

    /// Appends another trace's steps.
    pub fn extend(&mut self, other: Trace) {
        self.steps.extend(other.steps);
    }

    /// The steps so far.
    #[must_use]
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Takes the steps.
    #[must_use]
    pub fn into_steps(self) -> Vec<Step> {
        self.steps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_trace_returns_results_and_keeps_nothing() {
        let mut t = Trace::disabled();
        assert_eq!(t.step("x", "a", &[("a", 2.0, "B")], 2.0, "B"), 2.0);
        assert_eq!(t.count("n", "a", &[], 7, "nodes"), 7);
        assert!(t.steps().is_empty());
    }

    #[test]
    fn steps_record_inputs_and_labels() {
        let mut t = Trace::labelled("eu");
        let r = t.step("x", "a x b", &[("a", 2.0, "B"), ("b", 3.0, "1")], 6.0, "B");
        assert_eq!(r, 6.0);
        assert_eq!(t.steps()[0].name, "[eu] x");
        assert_eq!(t.steps()[0].inputs[1].name, "b");
    }
}
