use chainatlas_matching::eval::{evaluate_pairs, read_pairs};
use chainatlas_matching::{Analysis, TextWeights};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let content = std::fs::read_to_string(&args[1]).unwrap();
    let set = read_pairs(&content).unwrap();
    println!(
        "queries {} candidates {}",
        set.queries.len(),
        set.candidates.len()
    );
    let t = std::time::Instant::now();
    println!(
        "plain     {:?}",
        evaluate_pairs(&set, Analysis::Plain, TextWeights::PLAIN).unwrap()
    );
    println!(
        "plain name {:?}",
        evaluate_pairs(
            &set,
            Analysis::Plain,
            TextWeights {
                title_boost: 1.0,
                description_weight: 0.0
            }
        )
        .unwrap()
    );
    let tb: f32 = args.get(2).map_or(2.0, |s| s.parse().unwrap());
    let dw: f32 = args.get(3).map_or(0.5, |s| s.parse().unwrap());
    println!(
        "bilingual {:?}",
        evaluate_pairs(
            &set,
            Analysis::Bilingual,
            TextWeights {
                title_boost: tb,
                description_weight: dw
            }
        )
        .unwrap()
    );
    println!("{:?}", t.elapsed());
}
