//! Printing data for people (tables) and for programs (JSON, CSV).

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

pub fn print_counts(format: Format, rows: &[(&str, u64)]) {
    match format {
        Format::Table => {
            let (entity, count) = (
                crate::say(&chainatlas_model::text!("类别", "entity")).to_string(),
                crate::say(&chainatlas_model::text!("数量", "count")).to_string(),
            );
            println!("{entity:<18} {count:>12}");
            for (name, n) in rows {
                println!("{name:<18} {n:>12}");
            }
        }
        Format::Json => {
            let object: serde_json::Map<String, serde_json::Value> = rows
                .iter()
                .map(|(name, n)| (name.to_string(), (*n).into()))
                .collect();
            println!("{}", serde_json::Value::Object(object));
        }
    }
}
