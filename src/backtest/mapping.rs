//! Which headroom line a bill line is: rules read from a mapping CSV (the AWS one ships in
//! `models/mappings/aws_bill.csv`), matched on the bill's service and usage type.
//!
//! A headroom line here is a price service (`ec2`, `rds-postgres`, `nat-gateway`): the first
//! part of a plan line's price key, and the FOCUS `ServiceName` headroom's own forecast
//! (`plan --format focus`) writes, so a forecast read back as a bill maps onto itself.

use std::path::Path;

use crate::error::InputError;

/// The shipped AWS mapping.
pub const AWS: &str = include_str!("../../models/mappings/aws_bill.csv");

/// The shipped mapping's path, as the mapping's origin in reports.
pub const AWS_FILE: &str = "models/mappings/aws_bill.csv";

/// One rule: bill services (any of them) and a usage-type pattern -> a headroom line.
#[derive(Debug, Clone)]
struct Rule {
    services: Vec<String>,
    usage_type: String,
    line: String,
}

/// The rules of one mapping file, in file order (the first match wins).
#[derive(Debug, Clone)]
pub struct Mapping {
    rules: Vec<Rule>,
}

impl Mapping {
    /// Reads a mapping CSV (`service,usage_type,line,notes`; `#` lines are comments).
    pub fn parse(text: &str, file: &Path) -> Result<Mapping, InputError> {
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .flexible(false)
            .from_reader(text.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| InputError::file(file, e.to_string()))?
            .clone();
        let column = |name: &str| {
            headers.iter().position(|h| h == name).ok_or_else(|| {
                InputError::file(
                    file,
                    format!("no `{name}` column (expected service,usage_type,line,notes)"),
                )
            })
        };
        let (service, usage, line) = (column("service")?, column("usage_type")?, column("line")?);
        let mut rules = Vec::new();
        for record in reader.records() {
            let record = record.map_err(|e| InputError::file(file, e.to_string()))?;
            let row = record.position().map_or(0, |p| p.line() as usize);
            let cell = |i: usize| record.get(i).unwrap_or("").trim().to_string();
            let rule = Rule {
                services: cell(service).split('|').map(str::to_string).collect(),
                usage_type: cell(usage),
                line: cell(line),
            };
            if rule.line.is_empty() || rule.usage_type.is_empty() {
                return Err(InputError::at(
                    file,
                    row,
                    1,
                    "a rule needs a usage_type pattern and a line",
                ));
            }
            rules.push(rule);
        }
        Ok(Mapping { rules })
    }

    /// The shipped AWS mapping.
    #[must_use]
    pub fn aws() -> Mapping {
        Mapping::parse(AWS, Path::new(AWS_FILE)).expect("the shipped mapping parses")
    }

    /// The headroom line of a bill line, or `None` when no rule matches.
    #[must_use]
    pub fn line_of(&self, service: &str, usage_type: &str) -> Option<&str> {
        self.rules
            .iter()
            .find(|r| r.services.iter().any(|s| s == service) && glob(&r.usage_type, usage_type))
            .map(|r| r.line.as_str())
    }
}

/// Whether `text` matches `pattern`, where `*` stands for any text (possibly empty).
#[must_use]
pub fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_any_text_at_stars() {
        assert!(glob("*BoxUsage:*", "EUW1-BoxUsage:m6i.large"));
        assert!(glob("*BoxUsage:*", "BoxUsage:m6i.large"));
        assert!(!glob("*BoxUsage:*", "SpotUsage:m6i.large"));
        assert!(glob("*", ""));
        assert!(glob("a*b*c", "abc"));
        assert!(!glob("a*b*c", "acb"));
        // the middle part may not overlap the last one
        assert!(!glob("*ab*b", "ab"));
        assert!(glob("exact", "exact"));
    }

    #[test]
    fn the_aws_mapping_maps_common_usage_types() {
        let m = Mapping::aws();
        let cases = [
            ("AmazonEC2", "BoxUsage:m6i.large", Some("ec2")),
            ("AmazonEC2", "USE1-EBS:VolumeUsage.gp3", Some("ebs")),
            ("AmazonEC2", "USE1-NatGateway-Hours", Some("nat-gateway")),
            (
                "AWSDataTransfer",
                "USE1-DataTransfer-Regional-Bytes",
                Some("cross-az"),
            ),
            (
                "AWSDataTransfer",
                "USE1-EUW1-AWS-Out-Bytes",
                Some("inter-region"),
            ),
            ("AWSELB", "USE1-LoadBalancerUsage", Some("alb")),
            ("AmazonS3", "TimedStorage-ByteHrs", Some("s3-storage")),
            ("AmazonS3", "TimedStorage-SIA-ByteHrs", Some("s3-storage")),
            (
                "Amazon Relational Database Service",
                "InstanceUsage:db.r6g.2xlarge",
                Some("rds-postgres"),
            ),
            ("AmazonMSK", "USE1-Kafka.Storage.GP2", Some("msk-storage")),
            ("AmazonMSK", "USE1-Kafka.m5.large", Some("msk")),
            ("AmazonEC2", "USE1-CPUCredits:t3", None),
            ("AmazonRoute53", "HostedZone", None),
        ];
        for (service, usage, want) in cases {
            assert_eq!(m.line_of(service, usage), want, "{service} {usage}");
        }
    }
}
