//! The name model of Chinese enterprises.
//!
//! A registered name reads place + brand (字号) + industry + organisational form:
//! `杭州` `士兰微` `电子` `股份有限公司`. Lists write the same firm as its short name
//! (`士兰微`), a securities name (`*ST国华`, `万科A`), with the place in brackets
//! (`华润微电子（重庆）有限公司`), as a branch (`…有限公司长沙分公司`), in traditional
//! characters or full-width forms. [`NameParts::parse`] folds a name and splits it, and
//! [`compare`] says how two names agree, from "the same name" down to "a short name of
//! it" (its characters in order in the full name, anchored at the first: `马钢` ⊂
//! `马鞍山钢铁`) and character-bigram similarity. Word segmenters cut short and full
//! names into different words (jieba: `士兰微` vs `杭州/士兰/微电子`); characters do not.

use std::collections::HashMap;
use std::sync::OnceLock;

use chainatlas_model::{divisions, RegionCode, RegionLevel};

/// Organisational forms, longest first; stripped from the end of a name.
const FORMS: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "集团有限公司",
    "集团股份公司",
    "股份合作公司",
    "有限合伙企业",
    "普通合伙企业",
    "合伙企业",
    "个人独资企业",
    "有限公司",
    "股份公司",
    "集团公司",
    "总公司",
    "(集团)",
    "(有限合伙)",
    "(普通合伙)",
    "(特殊普通合伙)",
    "集团",
    "公司",
    "股份",
    "总厂",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "coltd",
    "limited",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
    "corporation",
    "corp.",
    "corp",
    "company",
    "group",
];

/// Branches: what follows the company's own name.
const BRANCH_ENDINGS: &[&str] = &[
    "分公司",
    "分厂",
    "办事处",
    "营业部",
    "分部",
    "分店",
    "子公司",
];

/// Industry words (行业用语) that follow a brand, longest first when matched from the end.
const INDUSTRY: &[&str] = &[
    "集成电路",
    "新能源",
    "新材料",
    "半导体",
    "微电子",
    "房地产",
    "机器人",
    "天然气",
    "自动化",
    "电子商务",
    "信息技术",
    "科技",
    "技术",
    "电子",
    "电气",
    "电器",
    "电力",
    "电源",
    "电池",
    "电工",
    "电机",
    "机电",
    "机械",
    "机床",
    "装备",
    "设备",
    "制造",
    "材料",
    "化工",
    "化学",
    "化纤",
    "钢铁",
    "钢管",
    "特钢",
    "能源",
    "汽车",
    "汽配",
    "车辆",
    "轨道",
    "交通",
    "信息",
    "软件",
    "网络",
    "通信",
    "通讯",
    "数据",
    "数字",
    "智能",
    "智造",
    "医药",
    "药业",
    "制药",
    "生物",
    "医疗",
    "健康",
    "食品",
    "饮料",
    "酒业",
    "乳业",
    "农业",
    "牧业",
    "环保",
    "环境",
    "建设",
    "建筑",
    "建工",
    "工程",
    "实业",
    "投资",
    "贸易",
    "商贸",
    "物流",
    "运输",
    "航空",
    "航天",
    "船舶",
    "重工",
    "精密",
    "精工",
    "光电",
    "光学",
    "光伏",
    "风电",
    "动力",
    "仪器",
    "仪表",
    "纺织",
    "服装",
    "服饰",
    "印染",
    "塑料",
    "塑胶",
    "橡胶",
    "玻璃",
    "陶瓷",
    "水泥",
    "建材",
    "矿业",
    "有色",
    "金属",
    "合金",
    "铝业",
    "铜业",
    "石油",
    "石化",
    "燃气",
    "水务",
    "地产",
    "置业",
    "发展",
    "控股",
    "国际",
    "产业",
    "工业",
    "锂电",
    "文化",
    "传媒",
    "旅游",
    "企业",
    "工贸",
    "五金",
    "模具",
    "铸造",
    "锻造",
    "硬质",
    "刀具",
    "轴承",
    "齿轮",
    "液压",
    "泵业",
    "阀门",
    "线缆",
    "电缆",
    "照明",
    "家居",
    "家具",
    "包装",
    "印刷",
    "纸业",
    "造纸",
    "硅业",
    "晶体",
    "芯片",
    "元件",
    "器件",
    "零部件",
    "配件",
    "实验",
    "检测",
    "咨询",
    "服务",
    "管理",
    "开发",
    "研究院",
    "研究所",
    "设计院",
    "厂",
];

/// Traditional characters common in enterprise names, each before its simplified form.
const TRADITIONAL: &str = "國国東东電电機机業业廣广華华實实發发貿贸聯联興兴達达進进開开龍龙門门車车\
鋼钢鐵铁銀银總总區区廠厂藥药醫医療疗體体學学術术網网絡络資资訊讯產产礦矿陽阳萬万與与團团圖图\
書书館馆處处場场園园際际灣湾貨货運运輸输輪轮橋桥製制設设計计農农務务環环衛卫視视聲声樂乐創创\
線线紡纺織织絲丝綢绸飾饰靈灵寶宝豐丰勝胜長长陳陈張张劉刘楊杨黃黄趙赵鄭郑孫孙馬马鳳凤蘇苏蘭兰\
滬沪漢汉贛赣閩闽粵粤瓊琼瀋沈遼辽魯鲁晉晋陝陕隴陇寧宁貴贵雲云氣气礎础層层鋁铝銅铜鎳镍鋰锂導导\
熱热壓压儀仪錶表質质點点時时間间動动協协會会義义匯汇應应億亿眾众優优傳传債债傑杰僑侨價价儲储\
漁渔雞鸡鹽盐響响頭头顧顾風风飛飞養养館馆驅驱驗验魚鱼鑫鑫銷销鍛锻鑄铸錫锡鋅锌鏈链閥阀陸陆險险\
隆隆雙双離离電电顯显類类願愿幣币廈厦歐欧氫氢減减測测準准潔洁瀘泸燈灯爐炉璣玑環环畫画當当瘋疯\
發发盤盘礦矿碼码礙碍磚砖穩稳窯窑筆笔紅红級级紙纸練练組组結结絕绝統统維维綠绿緣缘縣县縫缝繩绳\
罰罚聖圣腦脑膠胶臨临艦舰藝艺蟲虫術术裝装見见規规視视親亲設设許许試试詢询該该認认語语調调談谈\
證证識识讀读貝贝負负財财貢贡販贩質质購购賽赛贊赞趨趋軌轨軍军軟软輕轻較较輔辅輝辉邊边遠远適适選选\
潤润慶庆濟济瀋沈滄沧澤泽濱滨灣湾燕燕獎奖環环瑪玛産产甦苏畢毕異异盡尽碩硕礎础禮礼稅税穀谷\
築筑簡简糧粮緊紧縱纵總总繁繁織织聯联職职膚肤興兴舉举莊庄葉叶蓋盖薦荐藍蓝號号蠶蚕衆众補补襪袜\
訂订記记誠诚課课諾诺謙谦譽誉豐丰賓宾賢贤贏赢趙赵躍跃輪轮轉转辦办農农遙遥鄰邻醫医鈦钛鉛铅鋪铺\
備备鑒鉴鑽钻閱阅闊阔際际雅雅頌颂額额顏颜餘余騎骑驛驿髙高鬆松鶴鹤麗丽黴霉鼎鼎鄉乡釀酿針针釘钉鈴铃鉆钻銘铭鋒锋錦锦鍋锅鍵键鎖锁鏡镜鐘钟長长門门閃闪開开閑闲間间閣阁關关陣阵\
陰阴險险際际隊队隨随雜杂雲云電电霧雾靜静韓韩頂顶項项順顺預预領领頻频題题額额風风飛飞飲饮飼饲\
餐餐館馆馬马駕驾騰腾驗验體体髮发鬥斗鬧闹魯鲁鮮鲜鳥鸟鴻鸿鵬鹏麥麦黨党齊齐齒齿龍龙";

fn traditional() -> &'static HashMap<char, char> {
    static MAP: OnceLock<HashMap<char, char>> = OnceLock::new();
    MAP.get_or_init(|| {
        let chars: Vec<char> = TRADITIONAL.chars().filter(|c| !c.is_whitespace()).collect();
        chars
            .chunks_exact(2)
            .filter(|p| p[0] != p[1])
            .map(|p| (p[0], p[1]))
            .collect()
    })
}

/// Folds a name for comparison: full-width forms to half-width, brackets of every kind to
/// `(` `)`, traditional characters to simplified, ASCII to lower case; spaces and
/// punctuation other than brackets dropped.
pub fn fold(raw: &str) -> String {
    let trad = traditional();
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        let c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        };
        let c = match c {
            '【' | '〔' | '〈' | '《' | '「' | '[' | '{' => '(',
            '】' | '〕' | '〉' | '》' | '」' | ']' | '}' => ')',
            _ => c,
        };
        let c = trad.get(&c).copied().unwrap_or(c);
        if c == '(' || c == ')' || c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if c == '.' || c == ',' || c == '&' {
            // Kept inside Latin forms (`co.,ltd.`); dropped below when not part of one.
            out.push(c);
        }
    }
    out
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
}

/// Places by name: every province and prefecture by full and short name (`湖南省`,
/// `湖南`, `株洲市`, `株洲`), every county-level division by full name only (`醴陵市`; a
/// short county name is too often a brand: 新华, 东方), and `中国`.
fn places() -> &'static (HashMap<String, Vec<RegionCode>>, usize) {
    static PLACES: OnceLock<(HashMap<String, Vec<RegionCode>>, usize)> = OnceLock::new();
    PLACES.get_or_init(|| {
        let mut map: HashMap<String, Vec<RegionCode>> = HashMap::new();
        for r in divisions::all() {
            let mut names = vec![r.name_zh.clone()];
            if r.level != RegionLevel::District {
                if let Some(short) = short_place(&r.name_zh) {
                    names.push(short);
                }
            }
            for n in names {
                let codes = map.entry(n).or_default();
                if !codes.contains(&r.code) {
                    codes.push(r.code);
                }
            }
        }
        map.entry("中国".into()).or_default();
        map.entry("中华".into()).or_default();
        let longest = map.keys().map(|k| k.chars().count()).max().unwrap_or(0);
        (map, longest)
    })
}

/// A province's or prefecture's name without its kind: `广西壮族自治区` → `广西`,
/// `恩施土家族苗族自治州` → `恩施`, `株洲市` → `株洲`; none when under two characters.
fn short_place(name: &str) -> Option<String> {
    const KINDS: &[&str] = &[
        "维吾尔自治区",
        "壮族自治区",
        "回族自治区",
        "特别行政区",
        "自治区",
        "自治州",
        "地区",
        "省",
        "市",
        "盟",
    ];
    let mut short = name;
    for k in KINDS {
        if let Some(s) = short.strip_suffix(k) {
            short = s;
            break;
        }
    }
    // 恩施土家族苗族 → 恩施: an autonomous prefecture's peoples follow its place.
    if let Some(i) = short.find(|c| "土苗藏彝白傣哈朝布侗瑶壮回蒙羌黎傈佤拉纳景僳".contains(c))
    {
        let head: String = short[..i].to_string();
        if head.chars().count() >= 2 && short.ends_with('族') {
            short = &short[..i];
        }
    }
    (short != name && short.chars().count() >= 2).then(|| short.to_string())
}

/// The division a place name names, when it names one (`株洲` → 430200); a name shared
/// by several divisions is resolved by `within` when one of them lies in it.
pub fn place_code(name: &str, within: Option<RegionCode>) -> Option<RegionCode> {
    let codes = places().0.get(name)?;
    match codes.as_slice() {
        [one] => Some(*one),
        many => {
            let within = within?;
            let mut inside = many.iter().filter(|c| within.contains(**c));
            match (inside.next(), inside.next()) {
                (Some(c), None) => Some(*c),
                _ => None,
            }
        }
    }
}

/// The leading places of a folded name (`湖南株洲…` → [`湖南`, `株洲`]) and the byte
/// length they take; at most two, and never the whole name.
fn leading_places(name: &str) -> (Vec<String>, usize) {
    let (map, longest) = places();
    let chars: Vec<(usize, char)> = name.char_indices().collect();
    let mut found = Vec::new();
    let mut at = 0; // in chars
    while found.len() < 2 {
        let mut hit = None;
        for len in (2..=(*longest).min(chars.len().saturating_sub(at))).rev() {
            let start = chars[at].0;
            let end = chars.get(at + len).map_or(name.len(), |c| c.0);
            if map.contains_key(&name[start..end]) {
                hit = Some(len);
                break;
            }
        }
        match hit {
            // Leave at least two characters after the place.
            Some(len) if chars.len() - (at + len) >= 2 => {
                let start = chars[at].0;
                let end = chars[at + len].0;
                found.push(name[start..end].to_string());
                at += len;
            }
            _ => break,
        }
    }
    let bytes = chars.get(at).map_or(name.len(), |c| c.0);
    (found, bytes)
}

/// A name split into its parts, all folded.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NameParts {
    /// The name without its organisational form and branch, place kept:
    /// `杭州士兰微电子`.
    pub key: String,
    /// The key without its leading place: `士兰微电子`.
    pub core: String,
    /// The brand (字号): the core without trailing industry words, `士兰微`; the core
    /// itself when nothing would be left.
    pub brand: String,
    /// The industry words after the brand: `电子`.
    pub industry: String,
    /// The brand and industry when the longest industry words are taken first, if that
    /// splits otherwise (`荣盛房地产发展`: `荣盛` + `房地产发展`, beside `荣盛房` + `地产发展`).
    pub other_split: Option<(String, String)>,
    /// Places named at the start or in brackets: `杭州`; `重庆` of `华润微电子（重庆）`.
    pub places: Vec<String>,
    /// The organisational form: `股份有限公司`.
    pub form: Option<String>,
    /// What follows the company's own name in a branch's name: `长沙分公司`.
    pub branch: Option<String>,
    /// The name is written in Latin letters (an English name).
    pub latin: bool,
    /// A Latin name's words, folded, sorted, without company-form words (`co`, `ltd`).
    pub words: Vec<String>,
    /// The division the places point to ([`NameParts::region`]), found once.
    pub place_region: Option<RegionCode>,
    /// Sorted character bigrams of the key and of the core, for similarity.
    pub key_bigrams: Vec<(char, char)>,
    pub core_bigrams: Vec<(char, char)>,
}

impl NameParts {
    pub fn parse(raw: &str) -> NameParts {
        let folded = fold(raw);
        let latin = !folded.chars().any(is_han);
        if latin {
            return NameParts::parse_latin(&folded, raw);
        }
        let mut name: String = folded.replace(['.', ',', '&'], "");
        name = strip_securities_marks(&name);
        let mut parts = NameParts::default();
        // Brackets: a form, a place, or words of the name.
        let mut plain = String::with_capacity(name.len());
        let mut rest = name.as_str();
        while let Some(open) = rest.find('(') {
            plain.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let close = after.find(')').unwrap_or(after.len());
            let inside = &after[..close];
            let bracketed = format!("({inside})");
            if FORMS.contains(&bracketed.as_str()) {
                parts.form.get_or_insert(bracketed);
            } else if places().0.contains_key(inside) {
                parts.places.push(inside.to_string());
            } else {
                plain.push_str(inside);
            }
            rest = after.get(close + 1..).unwrap_or("");
        }
        plain.push_str(rest);
        let mut name = plain.replace(')', "");
        // A branch: `…公司长沙分公司`.
        if let Some(at) = name.find("公司") {
            let tail = &name[at + "公司".len()..];
            if !tail.is_empty() && BRANCH_ENDINGS.iter().any(|b| tail.ends_with(b)) {
                parts.branch = Some(tail.to_string());
                name.truncate(at + "公司".len());
            }
        }
        // Forms, repeatedly (`集团股份有限公司` → `集团` + `股份有限公司`), while a
        // name of two characters is left.
        while let Some(form) = FORMS
            .iter()
            .find(|f| name.ends_with(*f) && name[..name.len() - f.len()].chars().count() >= 2)
        {
            name.truncate(name.len() - form.len());
            if parts.form.is_none() {
                parts.form = Some(form.to_string());
            }
        }
        let (mut lead, start) = leading_places(&name);
        let core = name[start..].to_string();
        lead.append(&mut parts.places);
        parts.places = lead;
        let (brand, industry) = split_industry(&core);
        let other = split_industry_longest(&core);
        if other.0 != brand {
            parts.other_split = Some(other);
        }
        parts.key_bigrams = sorted_bigrams(&name);
        parts.core_bigrams = sorted_bigrams(&core);
        parts.key = name;
        parts.core = core;
        parts.brand = brand;
        parts.industry = industry;
        parts.place_region = parts.region();
        parts
    }

    fn parse_latin(folded: &str, raw: &str) -> NameParts {
        // Words of the name as written, without the words of a company form.
        const FORM_WORDS: &[&str] = &[
            "co",
            "ltd",
            "limited",
            "inc",
            "corp",
            "corporation",
            "company",
            "group",
            "the",
            "and",
            "of",
            "llc",
            "plc",
        ];
        let mut name_words: Vec<String> = raw
            .split(|c: char| !c.is_alphanumeric())
            .map(fold)
            .filter(|w| !w.is_empty() && !FORM_WORDS.contains(&w.as_str()))
            .collect();
        name_words.sort();
        name_words.dedup();
        let words: Vec<&str> = folded
            .split(['.', ',', '&', '(', ')'])
            .filter(|w| !w.is_empty())
            .collect();
        let mut key = words.concat();
        let mut form = None;
        while let Some(f) = FORMS
            .iter()
            .map(|f| f.replace(['.', ','], ""))
            .find(|f| key.ends_with(f.as_str()) && key.len() > f.len() + 1)
        {
            key.truncate(key.len() - f.len());
            form.get_or_insert(f);
        }
        NameParts {
            core: key.clone(),
            brand: key.clone(),
            key_bigrams: sorted_bigrams(&key),
            core_bigrams: sorted_bigrams(&key),
            key,
            form,
            latin: true,
            words: name_words,
            ..NameParts::default()
        }
    }

    /// The division the name's places point to, most specific first.
    pub fn region(&self) -> Option<RegionCode> {
        let mut found: Option<RegionCode> = None;
        for p in &self.places {
            if let Some(code) = place_code(p, found) {
                if found.is_none_or(|f| f.contains(code)) {
                    found = Some(code);
                }
            }
        }
        found
    }
}

/// `*ST国华` → `国华`, `万科a` → `万科`: the marks of a securities name.
fn strip_securities_marks(name: &str) -> String {
    let mut s = name;
    for prefix in ["s*st", "*st", "st", "xd", "xr", "dr", "n"] {
        if let Some(rest) = s.strip_prefix(prefix) {
            if rest.chars().next().is_some_and(is_han) {
                s = rest;
                break;
            }
        }
    }
    let s = s.trim_start_matches('*');
    let mut out = s.to_string();
    let mut chars = s.chars().rev();
    if let (Some(last), Some(before)) = (chars.next(), chars.next()) {
        if (last == 'a' || last == 'b') && is_han(before) {
            out.pop();
        }
    }
    out
}

/// A core split into brand and the industry words after it: `士兰微电子` → (`士兰微`,
/// `电子`); the whole core is the brand when nothing else would be left. The shortest
/// industry word is taken first, so that a brand ending in one of an industry's
/// characters keeps it (`士兰微`, not `士兰` + `微电子`).
fn split_industry(core: &str) -> (String, String) {
    split_industry_by(core, false)
}

/// The split taking the longest industry word first: `荣盛房地产发展` → (`荣盛`, `房地产发展`)
/// where the shortest first gives `荣盛房`. Names compare on both splits.
fn split_industry_longest(core: &str) -> (String, String) {
    split_industry_by(core, true)
}

/// The industry words by their last character: a name is split at most a few times,
/// and each time only the words ending as it does are tried (scanning all of them took
/// seconds over a million names).
fn industry_ending_in(c: char) -> &'static [&'static str] {
    static BY_LAST: OnceLock<HashMap<char, Vec<&'static str>>> = OnceLock::new();
    let by_last = BY_LAST.get_or_init(|| {
        let mut map: HashMap<char, Vec<&'static str>> = HashMap::new();
        for w in INDUSTRY {
            if let Some(last) = w.chars().next_back() {
                map.entry(last).or_default().push(w);
            }
        }
        map
    });
    by_last.get(&c).map_or(&[], |v| v.as_slice())
}

fn split_industry_by(core: &str, longest: bool) -> (String, String) {
    let mut brand = core;
    let mut industry_start = core.len();
    while let Some(last) = brand.chars().next_back() {
        let fitting = industry_ending_in(last)
            .iter()
            .filter(|w| brand.ends_with(*w) && brand[..brand.len() - w.len()].chars().count() >= 2);
        let word = if longest {
            fitting.max_by_key(|w| w.len())
        } else {
            fitting.min_by_key(|w| w.len())
        };
        let Some(word) = word else { break };
        brand = &brand[..brand.len() - word.len()];
        industry_start = brand.len();
    }
    (brand.to_string(), core[industry_start..].to_string())
}

/// How two enterprise names agree, strongest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NameAgreement {
    /// Nothing in common worth counting.
    Different = 0,
    /// Some characters in common (bigram Dice ≥ 0.3).
    Weak = 1,
    /// Much in common (bigram Dice ≥ 0.6).
    Similar = 2,
    /// One is a short name of the other: its characters in order in the other, the
    /// first at the start of the other's place or brand, or one contains the other.
    Abbreviation = 3,
    /// The same brand (two characters or more), places and industry words not
    /// contradicting, forms aside.
    Brand = 4,
    /// The same name, but for form, branch and place written or not.
    Exact = 5,
}

impl NameAgreement {
    pub const ALL: [NameAgreement; 6] = [
        NameAgreement::Different,
        NameAgreement::Weak,
        NameAgreement::Similar,
        NameAgreement::Abbreviation,
        NameAgreement::Brand,
        NameAgreement::Exact,
    ];
}

/// Compares two parsed names.
pub fn compare(a: &NameParts, b: &NameParts) -> NameAgreement {
    if a.key.is_empty() || b.key.is_empty() {
        return NameAgreement::Different;
    }
    if a.key == b.key {
        return NameAgreement::Exact;
    }
    // The same brand in two places is two firms (株洲鼎峰 and 南京鼎峰): nothing above
    // similarity when the names' places disagree.
    if places_compatible(a, b) {
        if a.core == b.core {
            return NameAgreement::Exact;
        }
        if same_brand(a, b) {
            return NameAgreement::Brand;
        }
        let (short, long) = if a.key.chars().count() <= b.key.chars().count() {
            (a, b)
        } else {
            (b, a)
        };
        if is_abbreviation(&short.key, long) || is_abbreviation(&short.core, long) {
            return NameAgreement::Abbreviation;
        }
    }
    let dice = sorted_dice(&a.key_bigrams, &b.key_bigrams)
        .max(sorted_dice(&a.core_bigrams, &b.core_bigrams));
    if dice >= 0.6 {
        NameAgreement::Similar
    } else if dice >= 0.3 {
        NameAgreement::Weak
    } else {
        NameAgreement::Different
    }
}

/// The same brand of two characters or more, by either way of splitting off the
/// industry words, with industry words that do not contradict.
fn same_brand(a: &NameParts, b: &NameParts) -> bool {
    let splits = |p: &NameParts| {
        std::iter::once((p.brand.clone(), p.industry.clone()))
            .chain(p.other_split.clone())
            .collect::<Vec<_>>()
    };
    let (x, y) = (splits(a), splits(b));
    x.iter().any(|(bx, ix)| {
        y.iter()
            .any(|(by, iy)| bx.chars().count() >= 2 && bx == by && industries_compatible(ix, iy))
    })
}

/// Industry words do not contradict: one side has none, one contains the other, or
/// they share a character bigram. `荣盛发展` and `荣盛石化` share a brand, not a firm;
/// `荣盛发展` and `荣盛房地产发展` may well be one.
fn industries_compatible(x: &str, y: &str) -> bool {
    x.is_empty()
        || y.is_empty()
        || x.contains(y)
        || y.contains(x)
        || sorted_dice(&sorted_bigrams(x), &sorted_bigrams(y)) > 0.0
}

/// Places do not contradict: one side names none, or they share one, or one lies in
/// the other.
fn places_compatible(a: &NameParts, b: &NameParts) -> bool {
    if a.places.is_empty() || b.places.is_empty() {
        return true;
    }
    if a.places.iter().any(|p| b.places.contains(p)) {
        return true;
    }
    match (a.place_region, b.place_region) {
        (Some(x), Some(y)) => x.contains(y) || y.contains(x),
        _ => true,
    }
}

/// `short` is a short name of `long`: two characters or more, all of them in order in
/// the long name's key, the first being the first of its place or of its core; or the
/// long key contains the short one whole.
pub fn is_abbreviation(short: &str, long: &NameParts) -> bool {
    let n = short.chars().count();
    if n < 2 || short.len() >= long.key.len() {
        return false;
    }
    if long.key.contains(short) {
        return true;
    }
    let first = short.chars().next().expect("two characters");
    let anchored = long.key.starts_with(first)
        || long.core.starts_with(first)
        || long.places.iter().any(|p| p.starts_with(first));
    anchored && is_subsequence(short, &long.key)
}

fn is_subsequence(short: &str, long: &str) -> bool {
    let mut it = long.chars();
    short.chars().all(|c| it.any(|l| l == c))
}

/// Jaccard similarity of two sorted word lists.
pub fn word_jaccard(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let shared = a.iter().filter(|w| b.binary_search(w).is_ok()).count();
    shared as f64 / (a.len() + b.len() - shared) as f64
}

/// Character bigrams of a text (its single character when it has one).
pub fn bigrams(text: &str) -> Vec<(char, char)> {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() == 1 {
        return vec![(chars[0], '\0')];
    }
    chars.windows(2).map(|w| (w[0], w[1])).collect()
}

/// A text's character bigrams, sorted.
pub fn sorted_bigrams(text: &str) -> Vec<(char, char)> {
    let mut b = bigrams(text);
    b.sort_unstable();
    b
}

/// Dice's coefficient of two sorted bigram multisets.
pub fn sorted_dice(x: &[(char, char)], y: &[(char, char)]) -> f64 {
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0);
    while i < x.len() && j < y.len() {
        match x[i].cmp(&y[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    2.0 * shared as f64 / (x.len() + y.len()) as f64
}

/// Dice's coefficient of two texts' character bigrams (as multisets).
pub fn bigram_dice(a: &str, b: &str) -> f64 {
    let (x, y) = (bigrams(a), bigrams(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let mut counts: HashMap<(char, char), i32> = HashMap::with_capacity(x.len());
    for g in &x {
        *counts.entry(*g).or_default() += 1;
    }
    let mut shared = 0;
    for g in &y {
        if let Some(n) = counts.get_mut(g) {
            if *n > 0 {
                *n -= 1;
                shared += 1;
            }
        }
    }
    2.0 * shared as f64 / (x.len() + y.len()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(name: &str) -> NameParts {
        NameParts::parse(name)
    }

    #[test]
    fn a_registered_name_splits_into_place_brand_industry_and_form() {
        let p = parts("杭州士兰微电子股份有限公司");
        assert_eq!(p.key, "杭州士兰微电子");
        assert_eq!(p.core, "士兰微电子");
        assert_eq!(p.brand, "士兰微");
        assert_eq!(p.industry, "电子");
        assert_eq!(p.places, ["杭州"]);
        assert_eq!(p.form.as_deref(), Some("股份有限公司"));
        assert_eq!(p.region().map(|c| c.value()), Some(330100));

        let p = parts("华润微电子（重庆）有限公司");
        assert_eq!(p.key, "华润微电子");
        assert_eq!(p.places, ["重庆"]);
        let p = parts("湖南株洲天邦轨道装备有限公司长沙分公司");
        assert_eq!(p.places, ["湖南", "株洲"]);
        assert_eq!(p.brand, "天邦");
        assert_eq!(p.branch.as_deref(), Some("长沙分公司"));
        assert_eq!(p.region().map(|c| c.value()), Some(430200));
        let p = parts("中联重科集团股份有限公司");
        assert_eq!(p.key, "中联重科");
    }

    #[test]
    fn folding_unifies_widths_brackets_and_traditional_characters() {
        assert_eq!(fold("ＡＢＣ１２３"), "abc123");
        assert_eq!(parts("華潤微電子【重慶】有限公司").key, "华润微电子");
        assert_eq!(parts("*ST国华").key, "国华");
        assert_eq!(parts("万  科Ａ").key, "万科");
        assert_eq!(parts("Ping An Bank Co., Ltd.").key, "pinganbank");
    }

    #[test]
    fn short_names_are_recognised_as_abbreviations() {
        let cases = [
            (
                "马钢股份",
                "马鞍山钢铁股份有限公司",
                NameAgreement::Abbreviation,
            ),
            ("士兰微", "杭州士兰微电子股份有限公司", NameAgreement::Brand),
            ("平安银行", "平安银行股份有限公司", NameAgreement::Exact),
            ("万科A", "万科企业股份有限公司", NameAgreement::Brand),
            ("株洲天邦", "株洲天邦轨道装备有限公司", NameAgreement::Brand),
            ("天邦轨道", "株洲天邦轨道装备有限公司", NameAgreement::Brand),
            (
                "中国石油",
                "中国石油天然气股份有限公司",
                NameAgreement::Brand,
            ),
            (
                "株洲天邦轨道装备股份有限公司",
                "株洲天邦轨道装备有限公司",
                NameAgreement::Exact,
            ),
            (
                "天邦轨道装备有限公司",
                "株洲天邦轨道装备有限公司",
                NameAgreement::Exact,
            ),
        ];
        for (a, b, want) in cases {
            assert_eq!(compare(&parts(a), &parts(b)), want, "{a} vs {b}");
            assert_eq!(compare(&parts(b), &parts(a)), want, "{b} vs {a}");
        }
        // Not a short name: the first character does not start the other's place or core.
        assert!(
            compare(&parts("鞍钢"), &parts("马鞍山钢铁股份有限公司")) < NameAgreement::Abbreviation
        );
        // The same brand in another industry is not the same brand.
        assert!(compare(&parts("荣盛发展"), &parts("荣盛石化股份有限公司")) < NameAgreement::Brand);
        assert_eq!(
            compare(&parts("荣盛发展"), &parts("荣盛房地产发展股份有限公司")),
            NameAgreement::Brand
        );
        // Different places with the same brand are not the same brand.
        assert!(
            compare(
                &parts("长沙天邦机械有限公司"),
                &parts("株洲天邦轨道装备有限公司")
            ) < NameAgreement::Brand
        );
    }
}
