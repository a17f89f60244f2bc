use chainatlas_model::{Date, ListingKind, ListingSide, ListingStatus, Money, RegionCode};
use proptest::prelude::*;

use crate::analyzer::analyze;
use crate::eval::{evaluate_pairs, read_pairs, Metrics};
use crate::*;

fn has(text: &str, term: &str) -> bool {
    analyze(text).iter().any(|t| t == term)
}

fn shared(a: &str, b: &str) -> Vec<String> {
    let b = analyze(b);
    let mut s: Vec<String> = analyze(a).into_iter().filter(|t| b.contains(t)).collect();
    s.dedup();
    s
}

#[test]
fn chinese_is_segmented_into_words() {
    let terms = analyze("采购新能源汽车动力电池和电池隔膜");
    for word in ["新能源", "汽车", "动力电池", "电池", "隔膜"] {
        assert!(terms.contains(&word.to_string()), "{word} in {terms:?}");
    }
    // Function words and the boilerplate of listings (every demand 采购s) carry nothing.
    assert!(!terms.contains(&"和".to_string()), "{terms:?}");
    assert!(!terms.contains(&"采购".to_string()), "{terms:?}");
}

#[test]
fn english_is_tokenized_stemmed_and_stopped() {
    let terms = analyze("Batteries for the Electric Vehicles");
    assert_eq!(terms, ["batteri", "electr", "vehicl"]);
    assert_eq!(shared("battery pack", "BATTERIES"), ["batteri"]);
}

#[test]
fn mixed_chinese_and_english_meet() {
    let a = "需要 lithium battery 动力电池模组";
    let b = "Lithium batteries，动力电池";
    let s = shared(a, b);
    for t in ["lithium", "batteri", "动力电池"] {
        assert!(s.contains(&t.to_string()), "{t} in {s:?}");
    }
}

#[test]
fn model_numbers_are_kept_whole_and_split() {
    let terms = analyze("Sony DSC-W150R camera");
    for t in ["dscw150r", "dsc", "w150r", "w", "150", "r"] {
        assert!(terms.contains(&t.to_string()), "{t} in {terms:?}");
    }
    // Written with or without connectors, the whole code is one term.
    assert!(has("dscw150r", "dscw150r"));
    assert!(has("F8N044-SLV", "f8n044slv"));
    assert!(has("型号：F8N044/SLV", "f8n044slv"));
    // A variant suffix does not hide the model: MS1H4-75B/7.5 contains ms1h475b.
    assert!(has("MS1H4-75B/7.5", "ms1h475b"));
    // Decimal numbers stay numbers.
    assert!(has("8.1 megapixels", "8.1"));
    assert!(!has("8.1 megapixels", "81"));
}

#[test]
fn full_width_and_case_are_folded() {
    assert_eq!(analyze("ＤＳＣ－Ｗ１５０Ｒ"), analyze("dsc-w150r"));
    assert_eq!(
        analyze("ＡＢＣ１２３　伺服电机"),
        analyze("abc123 伺服电机")
    );
}

#[test]
fn numbers_with_units_are_normalised() {
    // 5 t, 5吨, 5000 kg and 5000千克 are one quantity.
    for text in ["5 t", "5吨", "5000 kg", "5000千克", "5,000kg"] {
        if text.contains(',') {
            continue; // thousands separators are not read
        }
        assert!(has(text, "5000kg"), "{text}: {:?}", analyze(text));
    }
    assert!(has("12-volt adapter", "12v"));
    assert!(has("8.1 megapixels", "8.1mp"));
    assert!(has("8.1MP", "8.1mp"));
    assert!(has("1.5米", "1500mm"));
    assert!(has("功率 7.5 kW", "7.5kw"));
    // Counting words are not units.
    assert!(!analyze("10台")
        .iter()
        .any(|t| t.ends_with("台") && t.len() > 3));
}

proptest! {
    #[test]
    fn analysis_never_panics_and_folding_is_invisible(s in "[ -~\u{4e00}-\u{4e80}\u{ff01}-\u{ff5e}]{0,40}") {
        let folded = crate::analyzer::fold_text(&s);
        prop_assert_eq!(analyze(&s), analyze(&folded));
        for t in analyze(&s) {
            prop_assert!(!t.is_empty());
        }
    }
}

fn entry(id: u64, side: ListingSide, title: &str) -> Entry {
    Entry {
        id,
        side,
        kind: ListingKind::Product,
        enterprise: Some(1000 + id),
        node: None,
        region: None,
        title: title.into(),
        description: String::new(),
        quantity: None,
        unit: String::new(),
        price: None,
        valid_until: None,
        status: ListingStatus::Open,
        tags: Vec::new(),
    }
}

fn day(d: u8) -> Date {
    Date::new(2026, 11, d).unwrap()
}

fn region(code: u32) -> Option<RegionCode> {
    Some(RegionCode::new(code).unwrap())
}

struct Chain;
impl Atlas for Chain {
    fn inputs_of(&self, node: u64) -> &[u64] {
        match node {
            10 => &[11, 12],
            _ => &[],
        }
    }
    fn outputs_of(&self, node: u64) -> &[u64] {
        match node {
            11 | 12 => &[10],
            _ => &[],
        }
    }
    fn enterprise_tags(&self, enterprise: u64) -> Vec<String> {
        if enterprise == 1002 {
            vec!["high_tech".into()]
        } else {
            Vec::new()
        }
    }
    fn node_label(&self, node: u64, english: bool) -> String {
        match (node, english) {
            (10, false) => "电池包".into(),
            (10, true) => "Battery pack".into(),
            (11, false) => "电芯".into(),
            (11, true) => "Cell".into(),
            _ => node.to_string(),
        }
    }
}

fn config() -> Config {
    Config::new(day(20))
}

#[test]
fn node_part_same_input_other_unknown() {
    let mut d = entry(1, ListingSide::Demand, "x");
    let mut s = entry(2, ListingSide::Supply, "x");
    let part = |d: &Entry, s: &Entry| score(d, s, 0.0, &Chain, &config()).node;
    assert_eq!(part(&d, &s), NodeRelation::Unknown.value());
    d.node = Some(10);
    s.node = Some(10);
    assert_eq!(part(&d, &s), 1.0);
    s.node = Some(11);
    assert_eq!(part(&d, &s), 0.7);
    // The relation is read the same way from the supply's side.
    assert_eq!(part(&s, &d), 0.7);
    s.node = Some(13);
    assert_eq!(part(&d, &s), 0.0);
}

#[test]
fn region_part_follows_distance_and_configuration() {
    let mut d = entry(1, ListingSide::Demand, "x");
    let mut s = entry(2, ListingSide::Supply, "x");
    d.region = region(420106); // Wuhan, Wuchang
    let mut c = config();
    let part = |s: &Entry, c: &Config| score(&d, s, 0.0, &Chain, c).region;
    s.region = region(420111); // Wuhan, Hongshan
    assert_eq!(part(&s, &c), 1.0);
    s.region = region(420500); // Yichang
    assert_eq!(part(&s, &c), 0.6);
    s.region = region(430100); // Changsha
    assert_eq!(part(&s, &c), 0.2);
    c.apply("elsewhere=0, same_province=0.9").unwrap();
    assert_eq!(part(&s, &c), 0.0);
    s.region = region(420500);
    assert_eq!(part(&s, &c), 0.9);
}

#[test]
fn tags_quantity_price_and_validity_parts() {
    let mut d = entry(1, ListingSide::Demand, "x");
    let mut s = entry(2, ListingSide::Supply, "x");
    d.tags = vec!["ISO 9001".into(), "high_tech".into()];
    s.tags = vec!["iso-9001".into()];
    s.enterprise = None;
    let b = score(&d, &s, 0.0, &Chain, &config());
    assert_eq!(b.tags, 0.5);
    assert_eq!(
        (b.quantity, b.price, b.validity),
        (0.5, 0.5, 1.0),
        "unknowns are neutral"
    );
    // Enterprise 1002 holds high_tech on record.
    s.enterprise = Some(1002);
    assert_eq!(score(&d, &s, 0.0, &Chain, &config()).tags, 1.0);

    d.quantity = Some(100);
    s.quantity = Some(40);
    d.unit = "台".into();
    s.unit = "台".into();
    assert_eq!(score(&d, &s, 0.0, &Chain, &config()).quantity, 0.4);
    s.quantity = Some(500);
    assert_eq!(score(&d, &s, 0.0, &Chain, &config()).quantity, 1.0);
    s.unit = "吨".into();
    assert_eq!(
        score(&d, &s, 0.0, &Chain, &config()).quantity,
        0.5,
        "different units cannot be compared"
    );

    d.price = Some(Money::from_yuan(100));
    s.price = Some(Money::from_yuan(90));
    assert_eq!(score(&d, &s, 0.0, &Chain, &config()).price, 1.0);
    s.price = Some(Money::from_yuan(125));
    assert_eq!(score(&d, &s, 0.0, &Chain, &config()).price, 0.75);
    s.price = Some(Money::from_yuan(300));
    assert_eq!(score(&d, &s, 0.0, &Chain, &config()).price, 0.0);

    s.valid_until = Some(day(20).add_days(30));
    assert_eq!(score(&d, &s, 0.0, &Chain, &config()).validity, 1.0);
    s.valid_until = Some(day(20).add_days(14));
    assert!((score(&d, &s, 0.0, &Chain, &config()).validity - 15.0 / 31.0).abs() < 1e-12);
}

#[test]
fn total_is_the_weighted_sum_of_the_parts() {
    let mut d = entry(1, ListingSide::Demand, "x");
    let mut s = entry(2, ListingSide::Supply, "x");
    d.node = Some(10);
    s.node = Some(11);
    d.region = region(420106);
    s.region = region(420500);
    let b = score(&d, &s, 0.8, &Chain, &config());
    let w = Weights::default();
    let expected = w.text * 0.8
        + w.node * 0.7
        + w.region * 0.6
        + w.tags
        + w.quantity * 0.5
        + w.price * 0.5
        + w.validity;
    assert!((b.total - expected).abs() < 1e-12, "{b:?}");
    let sum = w.text + w.node + w.region + w.tags + w.quantity + w.price + w.validity;
    assert!((sum - 1.0).abs() < 1e-12);
}

#[test]
fn configuration_errors_are_precise() {
    let mut c = config();
    assert_eq!(
        c.apply("region=-1").unwrap_err().en,
        "`region=-1`: the value must be a non-negative number"
    );
    assert!(c
        .apply("colour=1")
        .unwrap_err()
        .en
        .starts_with("`colour` is not a setting"));
    assert!(c
        .apply("colour=1")
        .unwrap_err()
        .zh
        .starts_with("“colour”不是可设置项"));
    assert_eq!(
        c.apply("region").unwrap_err().en,
        "`region`: expected name=value"
    );
    assert_eq!(
        c.apply("elsewhere=2").unwrap_err().en,
        "`elsewhere=2`: a region value is between 0 and 1"
    );
    assert_eq!(
        c,
        config(),
        "a failed setting changes nothing it did not reach"
    );
}

#[test]
fn a_title_counts_title_boost_times_and_the_boost_is_fixed_by_the_index() {
    let mut c = config();
    for bad in ["title_boost=2.5", "title_boost=0", "title_boost=11"] {
        assert_eq!(
            c.apply(bad).unwrap_err().en,
            format!("`{bad}`: the title boost is a whole number from 1 to 10 (how many times a title counts)")
        );
    }
    // English words: a Chinese title's single characters count in the title alone.
    let demand = entry(1, ListingSide::Demand, "gearbox");
    let in_title = Entry {
        description: "stock gear".into(),
        ..entry(2, ListingSide::Supply, "gearbox")
    };
    let in_description = Entry {
        description: "gearbox gear".into(),
        ..entry(3, ListingSide::Supply, "stock")
    };
    // With the title counted three times, the title match is the better text match; counted
    // once, both listings hold the same words.
    let index = index_of(&[in_title.clone(), in_description.clone()]);
    let ranked = rank(&index, &demand, &NoAtlas, &c, 2).unwrap();
    assert_eq!(ranked[0].candidate.id, 2);
    assert!(ranked[1].score.text < ranked[0].score.text);
    // An index built with the title once cannot be queried as if it counted three times.
    let once = ListingIndex::in_memory(Analysis::Bilingual, 1).unwrap();
    assert_eq!(once.title_boost(), 1);
    let err = rank(&once, &demand, &NoAtlas, &c, 2).unwrap_err();
    assert!(
        matches!(err, IndexError::TitleBoost { index: 1, asked: 3 }),
        "{err}"
    );
    c.apply("title_boost=1").unwrap();
    let mut batch = once.batch().unwrap();
    batch.add(&in_title).unwrap();
    batch.add(&in_description).unwrap();
    batch.commit("1").unwrap();
    let ranked = rank(&once, &demand, &NoAtlas, &c, 2).unwrap();
    assert!(
        (ranked[0].score.text - ranked[1].score.text).abs() < 1e-6,
        "{ranked:?}"
    );
}

fn index_of(entries: &[Entry]) -> ListingIndex {
    let index = ListingIndex::in_memory(Analysis::Bilingual, INDEX_TITLE_BOOST).unwrap();
    let mut batch = index.batch().unwrap();
    for e in entries {
        batch.add(e).unwrap();
    }
    batch.commit("1").unwrap();
    index
}

#[test]
fn ranking_excludes_own_enterprise_closed_and_expired() {
    let demand = Entry {
        enterprise: Some(7),
        ..entry(1, ListingSide::Demand, "伺服电机 200台")
    };
    let own = Entry {
        enterprise: Some(7),
        ..entry(2, ListingSide::Supply, "伺服电机")
    };
    let closed = Entry {
        status: ListingStatus::Closed,
        ..entry(3, ListingSide::Supply, "伺服电机")
    };
    let expired = Entry {
        valid_until: Some(day(19)),
        ..entry(4, ListingSide::Supply, "伺服电机")
    };
    let last_day = Entry {
        valid_until: Some(day(20)),
        ..entry(5, ListingSide::Supply, "伺服电机")
    };
    let other_demand = entry(6, ListingSide::Demand, "伺服电机");
    let fine = entry(7, ListingSide::Supply, "伺服电机");
    let index = index_of(&[
        demand.clone(),
        own,
        closed,
        expired,
        last_day,
        other_demand,
        fine,
    ]);
    let ids: Vec<u64> = rank(&index, &demand, &Chain, &config(), 10)
        .unwrap()
        .iter()
        .map(|m| m.candidate.id)
        .collect();
    // Both remain; with equal text, the one ending today ranks lower.
    assert_eq!(ids, [7, 5]);
}

#[test]
fn ranking_combines_text_node_and_region_and_explains() {
    let mut demand = entry(1, ListingSide::Demand, "采购电芯 DSC-W150R");
    demand.node = Some(10);
    demand.region = region(420106);
    let mut text_only = entry(2, ListingSide::Supply, "电芯 dscw150r 现货");
    text_only.region = region(110105);
    let mut input_node = entry(3, ListingSide::Supply, "电芯 dscw150r");
    input_node.node = Some(11);
    input_node.region = region(420111);
    // Same node, no shared words: found through the node stage.
    let mut same_node = entry(4, ListingSide::Supply, "包装服务");
    same_node.node = Some(10);
    same_node.region = region(420111);
    let unrelated = entry(5, ListingSide::Supply, "办公家具");
    // An index of some size, so that words are as rare or common as in use.
    let mut all: Vec<Entry> = (100..140)
        .map(|i| entry(i, ListingSide::Supply, &format!("办公用品 型号 d{i}")))
        .collect();
    all.extend([text_only, input_node, same_node, unrelated]);
    let index = index_of(&all);
    let ranked = rank(&index, &demand, &Chain, &config(), 3).unwrap();
    let ids: Vec<u64> = ranked.iter().map(|m| m.candidate.id).collect();
    // Text outweighs node and place: the same-node supply that shares no word comes last.
    assert_eq!(ids, [3, 2, 4], "{ranked:#?}");
    let best = &ranked[0];
    // Every word, but the model number written without its hyphen, so that the query's
    // pieces `dsc`, `w150r`, `w` (which no listing has) are missing.
    assert!(best.score.text > 0.5, "{}", best.score.text);
    assert_eq!(best.score.node, 0.7);
    let zh: Vec<String> = best.reasons.iter().map(|r| r.text(&Chain, false)).collect();
    let en: Vec<String> = best.reasons.iter().map(|r| r.text(&Chain, true)).collect();
    assert_eq!(zh[0], "共同词：dsc-w150r、电芯");
    assert_eq!(zh[1], "电芯是电池包的上游投入");
    assert_eq!(zh[2], "同城：420111");
    assert_eq!(en[1], "Cell is an input of Battery pack");
    assert_eq!(en[2], "Same city: 420111");
    // Weighting local supporting up changes the order.
    let mut local = config();
    local.apply("region=0.6,elsewhere=0").unwrap();
    let ranked = rank(&index, &demand, &Chain, &local, 3).unwrap();
    assert_eq!(ranked.last().unwrap().candidate.id, 2);
}

#[test]
fn a_supply_finds_demands_of_the_nodes_it_feeds() {
    let mut supply = entry(1, ListingSide::Supply, "电芯");
    supply.node = Some(11);
    let mut pack = entry(2, ListingSide::Demand, "整包采购");
    pack.node = Some(10);
    let index = index_of(&[pack]);
    let ranked = rank(&index, &supply, &Chain, &config(), 10).unwrap();
    assert_eq!(ranked.len(), 1);
    assert_eq!(ranked[0].score.node, 0.7);
}

#[test]
fn index_on_disk_keeps_listings_and_revision_and_reports_absence() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("listings");
    assert!(ListingIndex::open(&path).is_none());
    {
        let index = ListingIndex::create(&path).unwrap();
        let mut batch = index.batch().unwrap();
        let mut e = entry(9, ListingSide::Supply, "数控机床 VMC-850");
        e.price = Some(Money::from_yuan(320_000));
        e.valid_until = Some(day(30));
        e.tags = vec!["ISO 9001".into()];
        e.quantity = Some(3);
        e.unit = "台".into();
        batch.upsert(&e).unwrap();
        batch.commit("42").unwrap();
    }
    let index = ListingIndex::open(&path).unwrap();
    assert_eq!(index.revision().as_deref(), Some("42"));
    let e = index.get(9).unwrap().unwrap();
    assert_eq!(e.price, Some(Money::from_yuan(320_000)));
    assert_eq!(e.valid_until, Some(day(30)));
    assert_eq!(e.tags, ["ISO 9001"]);
    assert_eq!((e.quantity, e.unit.as_str()), (Some(3), "台"));
    // Upserting replaces; removing removes.
    let mut batch = index.batch().unwrap();
    batch
        .upsert(&Entry {
            title: "立式加工中心".into(),
            ..e.clone()
        })
        .unwrap();
    batch.commit("43").unwrap();
    assert_eq!(index.len(), 1);
    let (hits, total) = index
        .search(
            &QueryText::typed(Analysis::Bilingual, "加工中心"),
            &Filter::default(),
            0,
            10,
        )
        .unwrap();
    assert_eq!((hits.len(), total), (1, 1));
    let mut batch = index.batch().unwrap();
    batch.remove(9);
    batch.commit("44").unwrap();
    assert!(index.is_empty());
}

#[test]
fn search_filters_by_side_kind_node_region_status_and_validity() {
    let mut a = entry(1, ListingSide::Supply, "钢材");
    a.region = region(420106);
    a.node = Some(10);
    let mut b = entry(2, ListingSide::Demand, "钢材");
    b.kind = ListingKind::Equipment;
    b.region = region(430100);
    b.valid_until = Some(day(1));
    let mut c = entry(3, ListingSide::Supply, "铝材");
    c.status = ListingStatus::Closed;
    c.region = region(420500);
    let index = index_of(&[a, b, c]);
    let ids = |text: &str, f: Filter| -> Vec<u64> {
        let (hits, total) = index
            .search(&QueryText::typed(Analysis::Bilingual, text), &f, 0, 10)
            .unwrap();
        assert_eq!(hits.len(), total);
        hits.iter().map(|h| h.entry.id).collect()
    };
    assert_eq!(
        ids("", Filter::default()),
        [3, 2, 1],
        "newest first without text"
    );
    assert_eq!(ids("钢材", Filter::default()).len(), 2);
    let f = |g: fn(&mut Filter)| {
        let mut f = Filter::default();
        g(&mut f);
        f
    };
    assert_eq!(ids("", f(|f| f.side = Some(ListingSide::Supply))), [3, 1]);
    assert_eq!(ids("", f(|f| f.kinds = vec![ListingKind::Equipment])), [2]);
    assert_eq!(ids("", f(|f| f.nodes = vec![10, 99])), [1]);
    assert_eq!(ids("", f(|f| f.region = region(420000))), [3, 1]);
    assert_eq!(ids("", f(|f| f.region = region(420100))), [1]);
    assert_eq!(ids("", f(|f| f.status = Some(ListingStatus::Closed))), [3]);
    assert_eq!(ids("", f(|f| f.valid_on = Some(day(2)))), [3, 1]);
    assert_eq!(ids("", f(|f| f.exclude_enterprise = Some(1001))), [3, 2]);
    assert_eq!(ids("", f(|f| f.enterprise = Some(1001))), [1]);
}

#[test]
fn metrics_from_ranks() {
    let m = Metrics::from_ranks(&[Some(1), Some(2), None, Some(11)]);
    assert_eq!(m.queries, 4);
    assert_eq!(m.recall_at_1, 0.25);
    assert_eq!(m.recall_at_10, 0.5);
    assert!((m.mrr - (1.0 + 0.5 + 0.0 + 1.0 / 11.0) / 4.0).abs() < 1e-12);
}

#[test]
fn pair_files_are_read_and_evaluated() {
    let file = "COL name VAL sony camera dsc-w150 COL description VAL red COL price VAL \tCOL name VAL sony dscw150 COL description VAL  COL price VAL 1\t1\n\
                COL name VAL sony camera dsc-w150 COL description VAL red COL price VAL \tCOL name VAL canon camera COL description VAL  COL price VAL \t0\n\
                COL name VAL belkin case COL description VAL  COL price VAL \tCOL name VAL belkin case black COL description VAL  COL price VAL \t1\n";
    let set = read_pairs(file).unwrap();
    assert_eq!((set.queries.len(), set.candidates.len()), (2, 3));
    let m = evaluate_pairs(&set, Analysis::Bilingual, TextWeights::default()).unwrap();
    assert_eq!(m.recall_at_1, 1.0);
    let err = read_pairs("COL name VAL a\tCOL name VAL b\t2\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1: the label must be 0 or 1, found `2`"
    );
    let err = read_pairs("x\ty\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "line 1: expected 3 tab-separated columns (left, right, label), found 2"
    );
}

#[test]
fn a_long_query_searches_its_rarest_terms() {
    // Forty supplies share the common words; one also carries the model number that the
    // demand's long description names. With room for only three terms, the query keeps
    // the rare model number (high idf) and drops common words, so that supply still leads.
    let mut entries: Vec<Entry> = (1..=40)
        .map(|i| {
            entry(
                i,
                ListingSide::Supply,
                "伺服电机 驱动器 控制系统 工业机器人",
            )
        })
        .collect();
    entries.push(entry(41, ListingSide::Supply, "伺服电机 MS1H4-75B 驱动器"));
    let index = index_of(&entries);
    let demand = entry(
        100,
        ListingSide::Demand,
        "伺服电机 驱动器 控制系统 工业机器人 型号 MS1H4-75B 数控机床 自动化产线",
    );
    let mut c = config();
    c.apply("max_terms=3").unwrap();
    assert_eq!(c.text.max_terms, 3);
    let top = rank(&index, &demand, &NoAtlas, &c, 3).unwrap();
    assert_eq!(top[0].candidate.id, 41, "{top:?}");
    // The kept candidates still carry their text (read for the top k only).
    assert!(top[0].candidate.title.contains("MS1H4-75B"));
}

#[test]
fn one_shared_number_or_generic_word_is_a_small_share_of_the_text_score() {
    let demand = entry(1, ListingSide::Demand, "IGBT芯片 1200V/300A");
    let compressor = entry(2, ListingSide::Supply, "空压机 ZK-300");
    let igbt = entry(3, ListingSide::Supply, "IGBT模块 1200V 300A 现货");
    let alloy_demand = entry(4, ListingSide::Demand, "硬质合金刀片 YG8 数控车刀");
    let alloy_pipe = entry(5, ListingSide::Supply, "铝合金型材");
    let mut filler: Vec<Entry> = (10..40)
        .map(|i| entry(i, ListingSide::Supply, &format!("办公用品 {i}")))
        .collect();
    filler.extend([compressor, alloy_pipe]);
    let index = index_of(&filler);
    let ranked = rank(&index, &demand, &NoAtlas, &config(), 5).unwrap();
    assert_eq!(ranked[0].candidate.id, 2);
    assert!(ranked[0].score.text < 0.3, "{ranked:#?}");
    let alloy = rank(&index, &alloy_demand, &NoAtlas, &config(), 5).unwrap();
    assert_eq!(alloy[0].candidate.id, 5);
    assert!(alloy[0].score.text < 0.5, "{alloy:#?}");
    // With the real counterpart in the index, it takes most of the text score (all but
    // 芯片 and the model number written whole).
    let mut all = filler.clone();
    all.push(igbt);
    let index = index_of(&all);
    let ranked = rank(&index, &demand, &NoAtlas, &config(), 5).unwrap();
    assert_eq!(ranked[0].candidate.id, 3);
    assert!(ranked[0].score.text > 0.5, "{ranked:#?}");
    assert!(ranked[1].score.text < 0.3, "{ranked:#?}");
}

#[test]
fn quantities_in_different_units_are_not_compared_and_measures_convert() {
    let mut d = entry(1, ListingSide::Demand, "x");
    let mut s = entry(2, ListingSide::Supply, "x");
    d.quantity = Some(213);
    d.unit = "台".into();
    s.quantity = Some(5000);
    s.unit = "片".into();
    let quantity = |d: &Entry, s: &Entry| score(d, s, 0.0, &Chain, &config()).quantity;
    assert_eq!(
        quantity(&d, &s),
        0.5,
        "units differ: neither for nor against"
    );
    // Units of measure convert: 5 吨 offered for 8,000 kg needed covers 5/8.
    d.quantity = Some(8000);
    d.unit = "kg".into();
    s.quantity = Some(5);
    s.unit = "吨".into();
    assert!((quantity(&d, &s) - 0.625).abs() < 1e-9);
    // And the reason says which units, not the demand's twice.
    let reason = Reason::Quantity {
        demand: 213,
        demand_unit: "台".into(),
        supply: 5000,
        supply_unit: "片".into(),
        comparable: false,
    };
    assert_eq!(
        reason.text(&Chain, false),
        "数量单位不同：需求 213 台，可供 5000 片"
    );
    assert_eq!(
        reason.text(&Chain, true),
        "Different units: 213 台 needed, 5000 片 offered"
    );
}

#[test]
fn a_short_name_meets_the_full_name_through_character_bigrams() {
    // jieba: 士兰微 is one word, 杭州士兰微电子 is 杭州 / 士兰 / 微电子.
    let demand = entry(1, ListingSide::Demand, "士兰微");
    let mut all: Vec<Entry> = (10..40)
        .map(|i| entry(i, ListingSide::Supply, &format!("办公用品 {i}")))
        .collect();
    all.push(entry(2, ListingSide::Supply, "杭州士兰微电子股份有限公司"));
    all.push(entry(3, ListingSide::Supply, "兰州微波电子有限公司"));
    let index = index_of(&all);
    let ranked = rank(&index, &demand, &NoAtlas, &config(), 3).unwrap();
    assert_eq!(ranked[0].candidate.id, 2, "{ranked:#?}");
    // Bigrams are not words to show: the reason names none.
    let zh = ranked[0].reasons[0].text(&NoAtlas, false);
    assert!(!zh.contains("兰微"), "{zh}");
}

#[test]
fn a_closed_or_expired_query_gets_no_counterparts() {
    let supply = entry(2, ListingSide::Supply, "伺服电机");
    let index = index_of(std::slice::from_ref(&supply));
    let live = entry(1, ListingSide::Demand, "伺服电机");
    assert_eq!(rank(&index, &live, &Chain, &config(), 5).unwrap().len(), 1);
    let expired = Entry {
        valid_until: Some(day(19)),
        ..live.clone()
    };
    assert!(rank(&index, &expired, &Chain, &config(), 5)
        .unwrap()
        .is_empty());
    let closed = Entry {
        status: ListingStatus::Closed,
        ..live
    };
    assert!(rank(&index, &closed, &Chain, &config(), 5)
        .unwrap()
        .is_empty());
}

#[test]
fn a_short_name_finds_its_legal_name_through_single_characters() {
    // 国货航 shares no word and no bigram with its legal name; its characters are all there.
    let demand = entry(1, ListingSide::Demand, "国货航");
    let legal = entry(2, ListingSide::Supply, "中国国际货运航空股份有限公司");
    let other = entry(3, ListingSide::Supply, "中国国际海运集装箱股份有限公司");
    let unrelated = entry(4, ListingSide::Supply, "杭州士兰微电子股份有限公司");
    let index = index_of(&[legal, other, unrelated]);
    let ranked = rank(&index, &demand, &NoAtlas, &config(), 3).unwrap();
    assert_eq!(ranked[0].candidate.id, 2, "{ranked:?}");
    // A search box does not widen to single characters: 国货航 is no word of any listing.
    let (hits, total) = index
        .search(
            &QueryText::typed(Analysis::Bilingual, "国货航"),
            &Filter::default(),
            0,
            10,
        )
        .unwrap();
    assert_eq!((hits.len(), total), (0, 0));
}
