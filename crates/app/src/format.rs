//! How figures read: money in 万元 with thousands separators.

use chainatlas_model::Money;

/// Money in 万元 (10,000 yuan) with one decimal and thousands separators, computed in
/// integers so that the page shows exactly what the database holds, rounded once.
pub fn wan(money: Money) -> String {
    let tenths = (money.fen().unsigned_abs() + 50_000) / 100_000;
    let sign = if money.is_negative() && tenths > 0 {
        "-"
    } else {
        ""
    };
    format!("{sign}{}.{}", grouped(tenths / 10), tenths % 10)
}

/// One amount exactly in 万元, as a unit price is read: thousands separators and as many
/// decimals as the fen need, none more (`24`, `1,250.5`, `0.00355` for 35.50 yuan).
pub fn wan_exact(money: Money) -> String {
    let fen = money.fen().unsigned_abs();
    let sign = if money.is_negative() { "-" } else { "" };
    let fraction = format!("{:06}", fen % 1_000_000);
    let fraction = fraction.trim_end_matches('0');
    let whole = grouped(fen / 1_000_000);
    if fraction.is_empty() {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{fraction}")
    }
}

/// `1234567` → `1,234,567`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wan_yuan_rounds_once_and_groups_thousands() {
        assert_eq!(wan(Money::from_yuan(0)), "0.0");
        assert_eq!(wan(Money::from_yuan(1_234_567_890)), "123,456.8");
        assert_eq!(wan(Money::from_yuan(5_000)), "0.5");
        assert_eq!(wan(Money::from_yuan(-15_000)), "-1.5");
        assert_eq!(wan(Money::from_yuan(-5_000)), "-0.5");
    }

    #[test]
    fn a_unit_price_reads_exactly_in_wan_yuan() {
        assert_eq!(wan_exact(Money::from_yuan(240_000)), "24");
        assert_eq!(wan_exact(Money::from_yuan(12_505_000)), "1,250.5");
        assert_eq!(wan_exact(Money::from_fen(3_550)), "0.00355");
        assert_eq!(wan_exact(Money::from_fen(1)), "0.000001");
        assert_eq!(wan_exact(Money::ZERO), "0");
    }
}
