//! Number formatting for people: "10K", "1.2B", "$1.2M", "$14,016.00".

/// A count with thousands separators: 1234567 -> "1,234,567".
#[must_use]
pub fn thousands(n: u64) -> String {
    crate::units::group_thousands(n)
}

/// Dollars with cents and separators: 14016.0 -> "$14,016.00".
#[must_use]
pub fn usd(amount: f64) -> String {
    crate::units::usd_text(amount)
}

/// Dollars of a percentile, at the sketch's precision: whole dollars from $100 up (the
/// rounding step there is at least $0.10, so cents would be noise), else [`usd`]:
/// 53_700_000.0 -> "$53,700,000", 18.56 -> "$18.56".
#[must_use]
pub fn approx_usd(amount: f64) -> String {
    if amount.abs() >= 100.0 {
        let dollars = amount.abs().round() as u64;
        format!(
            "{}${}",
            if amount < 0.0 { "-" } else { "" },
            thousands(dollars)
        )
    } else {
        usd(amount)
    }
}

/// A short magnitude: 10_000 -> "10K", 2.5e9 -> "2.5B".
#[must_use]
pub fn short(x: f64) -> String {
    let (value, suffix) = if x.abs() >= 1e12 {
        (x / 1e12, "T")
    } else if x.abs() >= 1e9 {
        (x / 1e9, "B")
    } else if x.abs() >= 1e6 {
        (x / 1e6, "M")
    } else if x.abs() >= 1e3 {
        (x / 1e3, "K")
    } else {
        (x, "")
    };
    let text = format!("{value:.1}");
    let text = text.strip_suffix(".0").unwrap_or(&text);
    format!("{text}{suffix}")
}

/// Short dollars: 1_234_567.0 -> "$1.2M".
#[must_use]
pub fn short_usd(x: f64) -> String {
    format!("${}", short(x))
}

/// A unit price with enough digits to read: 0.384 -> "$0.384", 0.00099 -> "$0.00099".
#[must_use]
pub fn unit_price(x: f64) -> String {
    if x == 0.0 {
        return "$0".into();
    }
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0');
    let text = text.strip_suffix('.').unwrap_or(text);
    format!("${text}")
}

/// An exact figure for people: thousands separators in the integer part and at most
/// `decimals` decimals, trailing zeros dropped: 833333.3333 -> "833,333.33" (2), 7.5e6 ->
/// "7,500,000", 0.8999999999999999 -> "0.9" (6). Beyond 1e15 (or under 10^-decimals, not
/// zero) scientific notation to 4 significant digits, where separators stop helping.
#[must_use]
pub fn figure(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    let smallest = 10f64.powi(-i32::try_from(decimals).unwrap_or(12));
    if a >= 1e15 || (a > 0.0 && a < smallest / 2.0) {
        let text = format!("{a:.3e}");
        let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let mantissa = mantissa.trim_end_matches('0').trim_end_matches('.');
        return format!("{sign}{mantissa}e{exp}");
    }
    let text = format!("{a:.decimals$}");
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let fraction = fraction.trim_end_matches('0');
    let whole: u64 = whole.parse().unwrap_or(0);
    if whole == 0 && fraction.is_empty() {
        return "0".into();
    }
    let mut out = format!("{sign}{}", thousands(whole));
    if !fraction.is_empty() {
        out.push('.');
        out.push_str(fraction);
    }
    out
}

/// A figure of any magnitude with about four significant digits, for uncertain inputs:
/// 0.32399 -> "0.324", 211.66 -> "211.7", 2837.7 -> "2,838", 18_708_286.9 -> "18.7M".
#[must_use]
pub fn significant(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    let a = x.abs();
    let sign = if x < 0.0 { "-" } else { "" };
    if a == 0.0 {
        return "0".into();
    }
    if a >= 1e6 {
        return short(x);
    }
    if a >= 1e3 {
        return format!("{sign}{}", thousands(a.round() as u64));
    }
    // Four significant digits: 0.5 -> 4 decimals, 5 -> 3, 50 -> 2, 500 -> 1.
    let decimals = (3 - (a.log10().floor() as i32).max(-20)).clamp(0, 12) as usize;
    let text = format!("{a:.decimals$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "0" || text.is_empty() {
        return "0".into();
    }
    format!("{sign}{text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(usd(14_016.0), "$14,016.00");
        assert_eq!(usd(0.384), "$0.38");
        assert_eq!(short(10_000.0), "10K");
        assert_eq!(short(2.5e9), "2.5B");
        assert_eq!(short(1e10), "10B");
        assert_eq!(short_usd(1_234_567.0), "$1.2M");
        assert_eq!(unit_price(0.384), "$0.384");
        assert_eq!(unit_price(0.00099), "$0.00099");
        assert_eq!(significant(0.323_990_9), "0.324");
        assert_eq!(significant(0.7), "0.7");
        assert_eq!(significant(211.66), "211.7");
        assert_eq!(significant(2_837.72), "2,838");
        assert_eq!(significant(10_000_000.000_000_006), "10M");
        assert_eq!(significant(18_708_286.9), "18.7M");
        assert_eq!(significant(-2.5), "-2.5");
        assert_eq!(significant(0.0), "0");
        assert_eq!(significant(1e-7), "0.0000001");
    }

    #[test]
    fn figures_have_separators_and_no_float_noise() {
        assert_eq!(figure(833_333.333_333, 2), "833,333.33");
        assert_eq!(figure(7.5e6, 6), "7,500,000");
        assert_eq!(figure(34_437_887.24, 2), "34,437,887.24");
        assert_eq!(figure(0.899_999_999_999_999_9, 6), "0.9");
        assert_eq!(figure(-1_234.5, 2), "-1,234.5");
        assert_eq!(figure(0.0, 2), "0");
        // 1e15 and up, and values under half the last decimal, in scientific notation
        assert_eq!(figure(7e16, 2), "7e16");
        assert_eq!(figure(1.234_56e-9, 6), "1.235e-9");
        assert_eq!(figure(f64::INFINITY, 2), "inf");
    }
}
