//! Range checks on values that parsed, reported with their field path.
//!
//! Parsing catches types; these catch meaning: a ratio above 1, a negative byte count, a NaN,
//! a zero where a division follows, an absurd magnitude.

use std::path::Path;

use crate::error::InputError;

/// Values above this are treated as typos (1e18 users, 1e20 bytes per user...).
const ABSURD: f64 = 1e18;

/// Checks the fields of one struct, naming each by `prefix.field`.
pub struct Check<'a> {
    file: &'a Path,
    prefix: String,
}

impl<'a> Check<'a> {
    /// Checks fields under `prefix` (e.g. `workload`) of `file`.
    #[must_use]
    pub fn new(file: &'a Path, prefix: impl Into<String>) -> Self {
        Check {
            file,
            prefix: prefix.into(),
        }
    }

    /// A checker for a nested struct.
    #[must_use]
    pub fn nested(&self, field: &str) -> Check<'a> {
        Check {
            file: self.file,
            prefix: self.path(field),
        }
    }

    /// The full path of `field`.
    #[must_use]
    pub fn path(&self, field: &str) -> String {
        if self.prefix.is_empty() {
            field.to_string()
        } else if field.starts_with('[') {
            format!("{}{field}", self.prefix)
        } else {
            format!("{}.{field}", self.prefix)
        }
    }

    /// An error about `field`.
    #[must_use]
    pub fn error(&self, field: &str, message: impl Into<String>) -> InputError {
        InputError::field(self.file, self.path(field), message)
    }

    fn finite(&self, field: &str, v: f64) -> Result<(), InputError> {
        if !v.is_finite() {
            return Err(self.error(field, format!("must be a finite number, got {v}")));
        }
        if v.abs() > ABSURD {
            return Err(self.error(field, format!("{v} is absurdly large (limit {ABSURD:e})")));
        }
        Ok(())
    }

    /// `v` is a fraction in [0, 1].
    pub fn ratio(&self, field: &str, v: f64) -> Result<(), InputError> {
        self.finite(field, v)?;
        if !(0.0..=1.0).contains(&v) {
            return Err(self.error(field, format!("must be a fraction in [0, 1], got {v}")));
        }
        Ok(())
    }

    /// `v` is a fraction in [0, 1).
    pub fn ratio_below_one(&self, field: &str, v: f64) -> Result<(), InputError> {
        self.ratio(field, v)?;
        if v >= 1.0 {
            return Err(self.error(field, format!("must be below 1, got {v}")));
        }
        Ok(())
    }

    /// `v` is a fraction in (0, 1].
    pub fn positive_ratio(&self, field: &str, v: f64) -> Result<(), InputError> {
        self.ratio(field, v)?;
        if v <= 0.0 {
            return Err(self.error(field, format!("must be above 0, got {v}")));
        }
        Ok(())
    }

    /// `v` >= 0.
    pub fn non_negative(&self, field: &str, v: f64) -> Result<(), InputError> {
        self.finite(field, v)?;
        if v < 0.0 {
            return Err(self.error(field, format!("must not be negative, got {v}")));
        }
        Ok(())
    }

    /// `v` > 0 (it divides something).
    pub fn positive(&self, field: &str, v: f64) -> Result<(), InputError> {
        self.finite(field, v)?;
        if v <= 0.0 {
            return Err(self.error(field, format!("must be above 0, got {v}")));
        }
        Ok(())
    }

    /// `v` >= `min`.
    pub fn at_least(&self, field: &str, v: f64, min: f64) -> Result<(), InputError> {
        self.finite(field, v)?;
        if v < min {
            return Err(self.error(field, format!("must be at least {min}, got {v}")));
        }
        Ok(())
    }

    /// An integer count >= `min`.
    pub fn count_at_least(&self, field: &str, v: u64, min: u64) -> Result<(), InputError> {
        if v < min {
            return Err(self.error(field, format!("must be at least {min}, got {v}")));
        }
        Ok(())
    }

    /// A non-empty name.
    pub fn name(&self, field: &str, v: &str) -> Result<(), InputError> {
        if v.trim().is_empty() {
            return Err(self.error(field, "must not be empty"));
        }
        if v.chars().any(char::is_control) {
            return Err(self.error(field, "must not contain control characters"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_report_path() {
        let c = Check::new(Path::new("w.ron"), "workload");
        assert!(c.ratio("dau_ratio", 0.5).is_ok());
        let e = c.ratio("dau_ratio", 1.5).unwrap_err().to_string();
        assert_eq!(
            e,
            "w.ron: workload.dau_ratio: must be a fraction in [0, 1], got 1.5"
        );
        assert!(c.positive("x", 0.0).is_err());
        assert!(c.non_negative("x", 0.0).is_ok());
        assert!(c.non_negative("x", f64::NAN).is_err());
        assert!(c.positive("x", 1e30).is_err());
        assert_eq!(c.nested("regions").path("[2]"), "workload.regions[2]");
    }
}
