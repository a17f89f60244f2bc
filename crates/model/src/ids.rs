//! Typed identifiers, so that an enterprise id can never be passed where a node id is meant.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}
pub(crate) use id_type;

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
