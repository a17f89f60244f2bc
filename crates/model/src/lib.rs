//! The Chain Atlas domain model: regions, chains and their nodes, enterprises, supply
//! relations and listings, with the value types that keep them honest (division codes,
//! unified social credit codes, money in fen, calendar dates).
//!
//! This crate is pure: no I/O, no clock, no serialization format. Storage lives in
//! `chainatlas-store`, file formats in `chainatlas-bundle`, wire types in `chainatlas-web`.

pub mod assessment;
mod credit_code;
mod date;
pub mod divisions;
mod entity;
mod event;
mod ids;
mod industry;
mod money;
mod region_code;
pub mod services;
mod text;
pub mod workdays;

pub use credit_code::{CreditCode, CreditCodeError};
pub use date::{Date, DateError};
pub use entity::{
    split_tags, Chain, ChainNode, Enterprise, EnterpriseNode, EnterpriseSize, Listing, ListingKind,
    ListingSide, ListingStatus, NodeInput, Record, RecordKind, Region, RegionLevel, Segment,
    SupplyRelation, Tag, Tags, UnknownVariant,
};
pub use event::{
    clock, format_slots, parse_clock, parse_slots, Agreement, AgreementId, AgreementStatus, Event,
    EventData, EventId, Meeting, MeetingId, MeetingRequest, MeetingStatus, Participant,
    ParticipantId, RequestId, RequestOrigin, RequestStatus, SlotGrid, SlotTime, MAX_EVENT_SLOTS,
};
pub use ids::{ChainId, EnterpriseId, ListingId, NodeId, SupplyRelationId};
pub use industry::{IndustryCode, IndustryCodeError};
pub use money::{ungroup_thousands, Money, MoneyError};
pub use text::{Explain, Lang, Text};

/// The `source` of every record the demo generator invents, so that synthetic data can
/// always be told apart (and the web app can say so on every page).
pub const SYNTHETIC_SOURCE: &str = "synthetic demo";
pub use region_code::{RegionCode, RegionCodeError, REGION_CODE_PATTERN};
