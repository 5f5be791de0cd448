//! A map for a handful of short keys (a component's regions): a sorted vector.
//!
//! Components run in a few regions; a sorted `Vec` iterates in the same order a `BTreeMap`
//! would, and building one costs no tree nodes, which matters when Monte Carlo
//! draws size every component thousands of times.

use crate::sizing::Name;

/// Keys in ascending order, each once.
#[derive(Debug, Clone, PartialEq)]
pub struct SmallMap<V> {
    entries: Vec<(Name, V)>,
}

impl<V> Default for SmallMap<V> {
    fn default() -> Self {
        SmallMap {
            entries: Vec::new(),
        }
    }
}

impl<V> SmallMap<V> {
    fn position(&self, key: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(k, _)| k.as_str().cmp(key))
    }

    /// The value of `key`. A scan for the equal key: with a few regions, comparing lengths
    /// first settles most keys at once, where the ordered search compares text each step
    /// (poolers look up their database's and app's counts per region in every draw).
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries
            .iter()
            .find(|(k, _)| k.as_str() == key)
            .map(|(_, v)| v)
    }

    /// Sets `key` to `value`; returns the old value.
    pub fn insert(&mut self, key: Name, value: V) -> Option<V> {
        match self.position(&key) {
            Ok(i) => Some(std::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    /// Keys in order.
    pub fn keys(&self) -> impl Iterator<Item = &Name> {
        self.entries.iter().map(|(k, _)| k)
    }

    /// Values in key order.
    pub fn values(&self) -> impl Iterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Values in key order, to change.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut V> {
        self.entries.iter_mut().map(|(_, v)| v)
    }

    /// Values in key order, taken out.
    pub fn into_values(self) -> impl Iterator<Item = V> {
        self.entries.into_iter().map(|(_, v)| v)
    }

    /// (key, value) in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&Name, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }

    /// Number of keys.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True without keys.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_keys_sorted_and_unique() {
        let mut m = SmallMap::default();
        assert_eq!(m.insert("eu".into(), 2), None);
        assert_eq!(m.insert("ap".into(), 1), None);
        assert_eq!(m.insert("us".into(), 3), None);
        assert_eq!(m.insert("eu".into(), 5), Some(2));
        assert_eq!(
            m.keys().map(Name::as_str).collect::<Vec<_>>(),
            ["ap", "eu", "us"]
        );
        assert_eq!(m.get("eu"), Some(&5));
        assert_eq!(m.get("xx"), None);
        assert_eq!(m.insert("zz".into(), 7), None);
        m.values_mut().for_each(|v| *v *= 10);
        assert_eq!(m.values().copied().collect::<Vec<_>>(), [10, 50, 30, 70]);
        assert_eq!(m.len(), 4);
    }
}
