use crate::analyzer::analyze;

fn has(terms: &[String], t: &str) -> bool {
    terms.iter().any(|x| x == t)
}

#[test]
fn analyzer_smoke() {
    let t = analyze("采购动力电池 DSC-W150R ５００ｋｇ");
    println!("{t:?}");
}
