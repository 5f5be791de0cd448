//! Billing units: what one unit of a price buys.

use std::fmt;

/// The unit a price is quoted in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PriceUnit {
    /// Per instance (node, broker, gateway, cluster) per hour.
    Hour,
    /// Per GiB of memory per hour.
    GbHour,
    /// Per GB stored per month.
    GbMonth,
    /// Per GB transferred or processed.
    Gb,
    /// Per 1,000 requests.
    Requests1k,
    /// Per 10,000 requests.
    Requests10k,
    /// Per 1,000,000 requests.
    Requests1m,
    /// Flat, per month.
    Month,
    /// Per load-balancer capacity unit per hour.
    LcuHour,
    /// Per provisioned IOPS per month.
    IopsMonth,
    /// Per provisioned MB/s per month.
    MbpsMonth,
    /// Per instance per year (reserved rates stored as a yearly fee).
    Year,
    /// A percentage of the month's spend (support plans), tiers in USD of spend.
    Percent,
}

impl PriceUnit {
    /// Every unit's name, as written in tables and scenarios.
    pub const ALL_NAMES: &'static [&'static str] = &[
        "hour",
        "gb-hour",
        "gb-month",
        "gb",
        "requests-1k",
        "requests-10k",
        "requests-1m",
        "month",
        "lcu-hour",
        "iops-month",
        "mbps-month",
        "year",
        "percent",
    ];

    /// Parses a unit name.
    #[must_use]
    pub fn parse(name: &str) -> Option<PriceUnit> {
        Some(match name {
            "hour" => PriceUnit::Hour,
            "gb-hour" => PriceUnit::GbHour,
            "gb-month" => PriceUnit::GbMonth,
            "gb" => PriceUnit::Gb,
            "requests-1k" => PriceUnit::Requests1k,
            "requests-10k" => PriceUnit::Requests10k,
            "requests-1m" => PriceUnit::Requests1m,
            "month" => PriceUnit::Month,
            "lcu-hour" => PriceUnit::LcuHour,
            "iops-month" => PriceUnit::IopsMonth,
            "mbps-month" => PriceUnit::MbpsMonth,
            "year" => PriceUnit::Year,
            "percent" => PriceUnit::Percent,
            _ => return None,
        })
    }

    /// The unit's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            PriceUnit::Hour => "hour",
            PriceUnit::GbHour => "gb-hour",
            PriceUnit::GbMonth => "gb-month",
            PriceUnit::Gb => "gb",
            PriceUnit::Requests1k => "requests-1k",
            PriceUnit::Requests10k => "requests-10k",
            PriceUnit::Requests1m => "requests-1m",
            PriceUnit::Month => "month",
            PriceUnit::LcuHour => "lcu-hour",
            PriceUnit::IopsMonth => "iops-month",
            PriceUnit::MbpsMonth => "mbps-month",
            PriceUnit::Year => "year",
            PriceUnit::Percent => "percent",
        }
    }
}

impl fmt::Display for PriceUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for PriceUnit {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for name in PriceUnit::ALL_NAMES {
            assert_eq!(PriceUnit::parse(name).unwrap().name(), *name);
        }
        assert!(PriceUnit::parse("hours").is_none());
    }
}
