//! The entities of the atlas and the closed vocabularies they use.

use std::fmt;
use std::str::FromStr;

use crate::{
    ChainId, CreditCode, Date, EnterpriseId, ListingId, Money, NodeId, RegionCode, SupplyRelationId,
};

/// A value outside a closed vocabulary, with the words that are allowed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{found}' is not one of {}", expected.join(", "))]
pub struct UnknownVariant {
    pub found: String,
    pub expected: &'static [&'static str],
}

impl crate::Explain for UnknownVariant {
    fn explain(&self) -> crate::Text {
        let found = &self.found;
        let zh = self.expected.join("、");
        let en = self.expected.join(", ");
        crate::text!("“{found}”不是 {zh} 之一", "'{found}' is not one of {en}")
    }
}

/// Declares a closed vocabulary with its stable spelling in files, the database and the API.
macro_rules! vocabulary {
    ($(#[$doc:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const NAMES: &'static [&'static str] = &[$($text),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::UnknownVariant;
            fn from_str(s: &str) -> Result<Self, $crate::UnknownVariant> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::UnknownVariant { found: s.to_string(), expected: Self::NAMES }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
pub(crate) use vocabulary;

vocabulary!(
    /// The administrative level of a region.
    RegionLevel { Province = "province", City = "city", District = "district" }
);
vocabulary!(
    /// Where a node sits in its chain.
    Segment { Upstream = "upstream", Midstream = "midstream", Downstream = "downstream" }
);
vocabulary!(
    /// Enterprise size class (大型/中型/小型/微型, as in the national classification).
    EnterpriseSize { Large = "large", Medium = "medium", Small = "small", Micro = "micro" }
);
impl EnterpriseSize {
    /// What people call this size class.
    pub fn name(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            EnterpriseSize::Large => ("大型", "large"),
            EnterpriseSize::Medium => ("中型", "medium"),
            EnterpriseSize::Small => ("小型", "small"),
            EnterpriseSize::Micro => ("微型", "micro"),
        };
        lang.pick(zh, en)
    }
}
vocabulary!(
    /// A recognised enterprise designation.
    Tag {
        ChainMaster = "chain_master",
        SpecializedNew = "specialized_new",
        HighTech = "high_tech",
        Listed = "listed",
    }
);
vocabulary!(
    /// Whether a listing wants something or offers it.
    ListingSide { Demand = "demand", Supply = "supply" }
);
impl ListingSide {
    /// What people call this side.
    pub fn name(self, lang: crate::Lang) -> &'static str {
        match (self, lang) {
            (ListingSide::Demand, crate::Lang::Zh) => "需求",
            (ListingSide::Supply, crate::Lang::Zh) => "供给",
            (ListingSide::Demand, crate::Lang::En) => "Demand",
            (ListingSide::Supply, crate::Lang::En) => "Supply",
        }
    }
}

vocabulary!(
    /// What a listing is about.
    ListingKind {
        Product = "product",
        Equipment = "equipment",
        Technology = "technology",
        Capacity = "capacity",
        Service = "service",
    }
);
impl ListingKind {
    /// What people call this kind of listing.
    pub fn name(self, lang: crate::Lang) -> &'static str {
        let (zh, en) = match self {
            ListingKind::Product => ("产品", "product"),
            ListingKind::Equipment => ("设备", "equipment"),
            ListingKind::Technology => ("技术", "technology"),
            ListingKind::Capacity => ("产能", "capacity"),
            ListingKind::Service => ("服务", "service"),
        };
        lang.pick(zh, en)
    }
}
vocabulary!(
    /// Whether a listing still takes responses.
    ListingStatus { Open = "open", Closed = "closed" }
);

/// A set of [`Tag`]s, stored as a bit set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Tags(u8);

impl Tags {
    pub const EMPTY: Tags = Tags(0);

    pub fn from_bits(bits: u8) -> Tags {
        Tags(bits & ((1 << Tag::ALL.len()) - 1))
    }

    pub fn bits(self) -> u8 {
        self.0
    }

    pub fn contains(self, tag: Tag) -> bool {
        self.0 & (1 << tag as u8) != 0
    }

    pub fn insert(&mut self, tag: Tag) {
        self.0 |= 1 << tag as u8;
    }

    pub fn with(mut self, tag: Tag) -> Tags {
        self.insert(tag);
        self
    }

    pub fn iter(self) -> impl Iterator<Item = Tag> {
        Tag::ALL.iter().copied().filter(move |&t| self.contains(t))
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
}

impl FromStr for Tags {
    type Err = UnknownVariant;

    /// Parses `chain_master;high_tech` (semicolon-separated, empty for none).
    fn from_str(s: &str) -> Result<Self, UnknownVariant> {
        let mut tags = Tags::EMPTY;
        for word in s.split(';').map(str::trim).filter(|w| !w.is_empty()) {
            tags.insert(word.parse()?);
        }
        Ok(tags)
    }
}

impl fmt::Display for Tags {
    /// Canonical order: the order of [`Tag::ALL`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, tag) in self.iter().enumerate() {
            if i > 0 {
                f.write_str(";")?;
            }
            f.write_str(tag.as_str())?;
        }
        Ok(())
    }
}

/// An administrative division.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub code: RegionCode,
    pub name_zh: String,
    pub name_en: String,
    pub parent: Option<RegionCode>,
    pub level: RegionLevel,
}

/// An industrial chain such as new-energy vehicles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Chain {
    pub id: ChainId,
    /// Short stable code used in URLs and on the command line, e.g. `nev`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A link of a chain, e.g. "power battery cell".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChainNode {
    pub id: NodeId,
    pub chain: ChainId,
    /// Stable code, unique across all chains, e.g. `nev-battery-cell`.
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub segment: Segment,
}

/// `input` is an input of `output`: producers of `output` buy from producers of `input`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeInput {
    pub input: NodeId,
    pub output: NodeId,
}

/// A registered enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Enterprise {
    pub id: EnterpriseId,
    pub credit_code: CreditCode,
    pub name_zh: String,
    pub name_en: String,
    pub region: RegionCode,
    pub size: EnterpriseSize,
    pub tags: Tags,
    /// Annual operating revenue.
    pub revenue: Money,
    pub employees: u32,
    /// Where the record came from, e.g. `survey 2024` or `synthetic demo`.
    pub source: String,
    /// Other names it is known by: short names (简称), former names (曾用名).
    pub other_names: Vec<String>,
    /// Registered address, as written.
    pub address: String,
    pub phone: String,
    /// 法定代表人.
    pub legal_representative: String,
    /// National industry code (GB/T 4754-2017), when known.
    pub industry: Option<crate::IndustryCode>,
}

/// An enterprise operates in a chain node, with its annual output and capacity there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EnterpriseNode {
    pub enterprise: EnterpriseId,
    pub node: NodeId,
    /// Annual output value in this node.
    pub output: Money,
    /// Annual capacity in value terms; capacity minus output is spare capacity.
    pub capacity: Money,
}

/// `supplier` sells the product of `node` to `buyer`, for `annual_value` a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SupplyRelation {
    pub id: SupplyRelationId,
    pub supplier: EnterpriseId,
    pub buyer: EnterpriseId,
    pub node: NodeId,
    pub annual_value: Money,
}

/// Splits a written list of listing tags: separated by `;` (or the full-width `；` that
/// Chinese input methods type), trimmed, empty ones dropped. Files, forms and the store
/// all write tags joined with `;`.
pub fn split_tags(text: &str) -> Vec<String> {
    text.split([';', '；'])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

/// A demand or supply published by an enterprise.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Listing {
    pub id: ListingId,
    pub enterprise: EnterpriseId,
    pub side: ListingSide,
    pub kind: ListingKind,
    pub node: Option<NodeId>,
    pub title: String,
    pub description: String,
    pub quantity: Option<u64>,
    pub unit: String,
    /// Budget for a demand, asking price for a supply.
    pub price: Option<Money>,
    pub region: RegionCode,
    pub valid_until: Option<Date>,
    pub status: ListingStatus,
    /// Qualifications (certifications, designations): required by a demand, held by a
    /// supply. Free labels such as `ISO 9001` or `高新技术企业`.
    pub tags: Vec<String>,
}

vocabulary!(
    /// The kinds of record, in dependency order. The name is the bundle file (`regions.csv`),
    /// the workbook sheet and the table name.
    RecordKind {
        Region = "regions",
        Chain = "chains",
        ChainNode = "chain_nodes",
        NodeInput = "node_inputs",
        Enterprise = "enterprises",
        EnterpriseNode = "enterprise_nodes",
        SupplyRelation = "supply_relations",
        Listing = "listings",
        Event = "events",
        Participant = "event_participants",
        MeetingRequest = "meeting_requests",
        Meeting = "meetings",
        Agreement = "agreements",
    }
);

impl RecordKind {
    /// What a person calls records of this kind, as a sheet or summary heading.
    pub fn label(self) -> crate::Text {
        let (zh, en) = match self {
            RecordKind::Region => ("行政区划", "Regions"),
            RecordKind::Chain => ("产业链", "Chains"),
            RecordKind::ChainNode => ("链上环节", "Chain nodes"),
            RecordKind::NodeInput => ("环节投入关系", "Node inputs"),
            RecordKind::Enterprise => ("企业", "Enterprises"),
            RecordKind::EnterpriseNode => ("企业所在环节", "Enterprise nodes"),
            RecordKind::SupplyRelation => ("供应关系", "Supply relations"),
            RecordKind::Listing => ("供需信息", "Listings"),
            RecordKind::Event => ("对接会", "Events"),
            RecordKind::Participant => ("参会企业", "Participants"),
            RecordKind::MeetingRequest => ("洽谈邀约", "Meeting requests"),
            RecordKind::Meeting => ("洽谈", "Meetings"),
            RecordKind::Agreement => ("合作项目", "Agreements"),
        };
        crate::Text::new(zh, en)
    }
}

impl Record {
    /// What identifies the record within its kind: its id, a region's code, or the pair
    /// of ids of a node input (input, output) or an enterprise node (enterprise, node).
    /// The second number is 0 for single keys.
    pub fn key(&self) -> [i64; 2] {
        match self {
            Record::Region(r) => [i64::from(r.code.value()), 0],
            Record::Chain(c) => [c.id.0, 0],
            Record::ChainNode(n) => [n.id.0, 0],
            Record::NodeInput(i) => [i.input.0, i.output.0],
            Record::Enterprise(e) => [e.id.0, 0],
            Record::EnterpriseNode(en) => [en.enterprise.0, en.node.0],
            Record::SupplyRelation(s) => [s.id.0, 0],
            Record::Listing(l) => [l.id.0, 0],
            Record::Event(e) => [e.id.0, 0],
            Record::Participant(p) => [p.id.0, 0],
            Record::MeetingRequest(r) => [r.id.0, 0],
            Record::Meeting(m) => [m.id.0, 0],
            Record::Agreement(a) => [a.id.0, 0],
        }
    }

    pub fn kind(&self) -> RecordKind {
        match self {
            Record::Region(_) => RecordKind::Region,
            Record::Chain(_) => RecordKind::Chain,
            Record::ChainNode(_) => RecordKind::ChainNode,
            Record::NodeInput(_) => RecordKind::NodeInput,
            Record::Enterprise(_) => RecordKind::Enterprise,
            Record::EnterpriseNode(_) => RecordKind::EnterpriseNode,
            Record::SupplyRelation(_) => RecordKind::SupplyRelation,
            Record::Listing(_) => RecordKind::Listing,
            Record::Event(_) => RecordKind::Event,
            Record::Participant(_) => RecordKind::Participant,
            Record::MeetingRequest(_) => RecordKind::MeetingRequest,
            Record::Meeting(_) => RecordKind::Meeting,
            Record::Agreement(_) => RecordKind::Agreement,
        }
    }
}

/// One record of any entity, in dependency order: a record only refers to records of
/// kinds listed before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Record {
    Region(Region),
    Chain(Chain),
    ChainNode(ChainNode),
    NodeInput(NodeInput),
    Enterprise(Enterprise),
    EnterpriseNode(EnterpriseNode),
    SupplyRelation(SupplyRelation),
    Listing(Listing),
    Event(crate::Event),
    Participant(crate::Participant),
    MeetingRequest(crate::MeetingRequest),
    Meeting(crate::Meeting),
    Agreement(crate::Agreement),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_parse_and_print_canonically() {
        let tags: Tags = "listed; chain_master".parse().unwrap();
        assert!(tags.contains(Tag::ChainMaster) && tags.contains(Tag::Listed));
        assert_eq!(tags.to_string(), "chain_master;listed");
        assert_eq!("".parse::<Tags>().unwrap(), Tags::EMPTY);
        let err = "chain_master;giant".parse::<Tags>().unwrap_err();
        assert_eq!(
            err.to_string(),
            "'giant' is not one of chain_master, specialized_new, high_tech, listed"
        );
    }

    #[test]
    fn vocabularies_round_trip() {
        for side in ListingKind::ALL {
            assert_eq!(side.as_str().parse::<ListingKind>().unwrap(), *side);
        }
    }
}
