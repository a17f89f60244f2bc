//! Chain diagnostics on an in-memory supply graph: node coverage and short boards, local
//! supporting rates, dependencies, disruption simulation, chokepoints and
//! investment-attraction targets.
//!
//! Pure: the interfaces build a [`Graph`] from the store once per atlas generation and
//! every analysis here is a function of that graph. Results carry database ids, never
//! names; the interfaces look those up for what they show.

pub mod attract;
pub mod chokepoint;
pub mod coverage;
pub mod dependency;
pub mod disrupt;
mod graph;
pub mod opportunity;
mod snapshot;
pub mod supporting;

pub use attract::{attraction_targets, targets_in_node, NodeTargets, Reason, RegionTies, Target};
pub use chokepoint::{
    enterprise_chokepoints, node_chokepoints, Chokepoint, NodeChokepoint, Ranking,
};
pub use coverage::{coverage, Coverage, NodeCoverage, NodeStatus, Thresholds};
pub use dependency::{dependencies, BuyerDependency, Dependencies, NodeDependency};
pub use disrupt::{disrupt, Impact, Locality, Shock, Simulator};
pub use graph::{ChainStructure, EnterpriseChange, Graph, GraphBuilder, GraphError, Profile};
pub use opportunity::{
    activity_table, industry_boards, industry_table, landscape, node_flows, opportunities,
    opportunities_in, regional_flows, IndustryBoards, IndustryLongBoard, IndustryOpportunity,
    Landscape, Level, LongBoard, Measure, Opportunities, Opportunity, OpportunityError, Point,
};
pub use supporting::{supporting, BuyerSupport, Purchases, Supporting};

#[cfg(test)]
mod tests;
