//! Typed identifiers, so that an enterprise id can never be passed where a node id is meant.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// Identifies a [`crate::Chain`].
    ChainId
);
id_type!(
    /// Identifies a [`crate::ChainNode`].
    NodeId
);
id_type!(
    /// Identifies an [`crate::Enterprise`].
    EnterpriseId
);
id_type!(
    /// Identifies a [`crate::SupplyRelation`].
    SupplyRelationId
);
id_type!(
    /// Identifies a [`crate::Listing`].
    ListingId
);
