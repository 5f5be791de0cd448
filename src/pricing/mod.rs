//! Prices: billing units, tiered bands, and the provider's dated tables.

pub mod check;
pub mod entries;
pub mod regional;
pub mod reserved;
pub mod support;
pub mod table;
pub mod tiers;
pub mod unit;

pub use table::{Confidence, Discount, PriceBook, PriceEntry};
pub use tiers::{Tier, TierCharge};
pub use unit::PriceUnit;
