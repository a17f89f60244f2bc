//! How figures read: money in 万元 with thousands separators.

use chainatlas_model::Money;

/// Money in 万元 (10,000 yuan) with one decimal and thousands separators, computed in
/// integers so that the page shows exactly what the database holds, rounded once.
pub fn wan(money: Money) -> String {
    let tenths = (money.fen().unsigned_abs() + 50_000) / 100_000;
    let digits = (tenths / 10).to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    let sign = if money.is_negative() && tenths > 0 {
        "-"
    } else {
        ""
    };
    format!("{sign}{grouped}.{}", tenths % 10)
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
}
