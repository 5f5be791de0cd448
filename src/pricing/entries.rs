//! A book's prices: sorted by key for listings and ranges, hashed for lookups.
//!
//! A plan looks a price up for every line of every candidate shape, phase and timeline month
//! (tens of thousands of lookups for one `plan`); an ordered map compared three strings at
//! each of a dozen levels per lookup, which was a tenth of a plan's time.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hasher};

use foldhash::fast::FixedState;

use crate::pricing::table::PriceEntry;

/// Every price of a book, once per (service, item, region) key, in key order.
#[derive(Debug, Clone, Default)]
pub struct Entries {
    sorted: Vec<PriceEntry>,
    /// Hash of a key -> its position in `sorted`. A key whose hash an earlier key already
    /// holds (about one chance in 10^12 for a book's few thousand keys) is found by binary
    /// search instead: a hit is always checked against the entry's own key.
    index: HashMap<u64, u32, FixedState>,
}

/// The key of an entry, in the order entries are sorted.
fn key_of(e: &PriceEntry) -> (&str, &str, &str) {
    (&e.service, &e.item, &e.region)
}

/// A fixed seed: the index is rebuilt identically on every run (nothing depends on its
/// iteration order, but nothing should vary from run to run either).
const HASHER: FixedState = FixedState::with_seed(0x6865_6164_726f_6f6d);

fn key_hash(service: &str, item: &str, region: &str) -> u64 {
    let mut h = HASHER.build_hasher();
    // Each part's length first: ("ab", "c") and ("a", "bc") hash apart.
    for part in [service, item, region] {
        h.write_usize(part.len());
        h.write(part.as_bytes());
    }
    h.finish()
}

impl Entries {
    /// Entries from `entries`, which may be in any order; of entries with the same key, the
    /// last one is kept (as inserting them one by one into a map would).
    #[must_use]
    pub fn new(mut entries: Vec<PriceEntry>) -> Entries {
        // Stable: entries of one key stay in the order given, and the last of each run wins
        // (in place: `dedup_by` keeps the first of a run, so each later one is swapped in).
        entries.sort_by(|a, b| key_of(a).cmp(&key_of(b)));
        entries.dedup_by(|later, kept| {
            let same = key_of(later) == key_of(kept);
            if same {
                std::mem::swap(later, kept);
            }
            same
        });
        let sorted = entries;
        let mut index = HashMap::with_capacity_and_hasher(sorted.len(), HASHER);
        for (at, e) in sorted.iter().enumerate() {
            let at = u32::try_from(at).expect("a price book holds fewer than 2^32 prices");
            index
                .entry(key_hash(&e.service, &e.item, &e.region))
                .or_insert(at);
        }
        Entries { sorted, index }
    }

    /// The price at a key.
    #[must_use]
    pub fn get(&self, service: &str, item: &str, region: &str) -> Option<&PriceEntry> {
        let key = (service, item, region);
        if let Some(&at) = self.index.get(&key_hash(service, item, region)) {
            let e = &self.sorted[at as usize];
            if key_of(e) == key {
                return Some(e);
            }
        }
        self.sorted
            .binary_search_by(|e| key_of(e).cmp(&key))
            .ok()
            .map(|at| &self.sorted[at])
    }

    /// True when the key has a price.
    #[must_use]
    pub fn contains(&self, service: &str, item: &str, region: &str) -> bool {
        self.get(service, item, region).is_some()
    }

    /// Every price, in key order.
    pub fn iter(&self) -> std::slice::Iter<'_, PriceEntry> {
        self.sorted.iter()
    }

    /// The prices of one service, in key order (keys start with the service).
    #[must_use]
    pub fn of_service(&self, service: &str) -> &[PriceEntry] {
        let start = self
            .sorted
            .partition_point(|e| e.service.as_str() < service);
        let len = self.sorted[start..].partition_point(|e| e.service == service);
        &self.sorted[start..start + len]
    }

    /// Adds `added` entries (an added key that is already here replaces it).
    pub fn extend(&mut self, added: Vec<PriceEntry>) {
        let mut all = std::mem::take(&mut self.sorted);
        all.extend(added);
        *self = Entries::new(all);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pricing::table::Confidence;
    use crate::pricing::tiers::Tier;
    use crate::pricing::unit::PriceUnit;

    fn entry(service: &str, item: &str, region: &str, note: &str) -> PriceEntry {
        PriceEntry {
            service: service.into(),
            item: item.into(),
            region: region.into(),
            unit: PriceUnit::Hour,
            tiers: vec![Tier {
                start: 0.0,
                end: None,
                price_usd: 1.0,
            }],
            source: String::new(),
            as_of: String::new(),
            confidence: Confidence::High,
            notes: note.into(),
            origin: String::new(),
        }
    }

    #[test]
    fn entries_are_sorted_unique_and_found_by_key_and_by_service() {
        let e = Entries::new(vec![
            entry("rds", "db.r6g.large", "us-east-1", "first"),
            entry("ec2", "m7g.large", "us-east-1", ""),
            entry("rds", "db.r6g.large", "eu-west-1", ""),
            entry("ec2", "m7g.large", "eu-west-1", ""),
            // The same key again, twice: the last one is kept, as map inserts would.
            entry("rds", "db.r6g.large", "us-east-1", "second"),
            entry("ebs", "gp3", "us-east-1", ""),
            entry("rds", "db.r6g.large", "us-east-1", "third"),
        ]);
        let keys: Vec<(&str, &str, &str)> = e.iter().map(key_of).collect();
        assert_eq!(
            keys,
            [
                ("ebs", "gp3", "us-east-1"),
                ("ec2", "m7g.large", "eu-west-1"),
                ("ec2", "m7g.large", "us-east-1"),
                ("rds", "db.r6g.large", "eu-west-1"),
                ("rds", "db.r6g.large", "us-east-1"),
            ]
        );
        let got = e.get("rds", "db.r6g.large", "us-east-1").unwrap();
        assert_eq!(got.notes, "third");
        assert!(e.get("rds", "db.r6g.large", "ap-south-1").is_none());
        // Parts that join to the same text are different keys.
        assert!(e.get("ec2m7g", ".large", "us-east-1").is_none());
        assert!(e.contains("ebs", "gp3", "us-east-1"));
        let ec2: Vec<&str> = e
            .of_service("ec2")
            .iter()
            .map(|e| e.region.as_str())
            .collect();
        assert_eq!(ec2, ["eu-west-1", "us-east-1"]);
        // A service that sorts between two others, and one past the end: empty ranges.
        assert!(e.of_service("eks").is_empty());
        assert!(e.of_service("zzz").is_empty());
        let mut more = e;
        more.extend(vec![
            entry("eks", "control-plane", "us-east-1", ""),
            entry("ebs", "gp3", "us-east-1", "replaced"),
        ]);
        assert_eq!(more.of_service("eks").len(), 1);
        assert_eq!(more.iter().count(), 6);
        assert_eq!(
            more.get("ebs", "gp3", "us-east-1").unwrap().notes,
            "replaced"
        );
    }

    #[test]
    fn a_key_whose_hash_slot_another_key_holds_is_found_by_search() {
        let mut e = Entries::new(vec![entry("a", "x", "r", "a"), entry("b", "x", "r", "b")]);
        // Point b's hash at a's entry, as a hash collision would leave it.
        let hb = key_hash("b", "x", "r");
        e.index.insert(hb, 0);
        assert_eq!(e.get("b", "x", "r").unwrap().notes, "b");
        assert_eq!(e.get("a", "x", "r").unwrap().notes, "a");
    }
}
