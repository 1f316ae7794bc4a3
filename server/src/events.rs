//! What the app hears about its users' items, so that it can start its own work (for example
//! `/transactions/sync` once an item is added) without polling the store.

/// One change to an item, with the user who owns it (the id [`crate::LinkUser::plaid_user_id`]
/// gave).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemEvent {
    /// Link added it and its access token is stored: through `onSuccess`, or a Multi-Item session.
    Added { user: String, item_id: String },
    /// Its login works again: update mode went through, or Plaid's `LOGIN_REPAIRED` webhook.
    Repaired { user: String, item_id: String },
    /// Its user must sign in to the bank again (Plaid's `ITEM_LOGIN_REQUIRED` or
    /// `PENDING_DISCONNECT`): show them update mode.
    LoginRequired { user: String, item_id: String },
    /// Its user unlinked it: removed at Plaid and from the store.
    Removed { user: String, item_id: String },
}

impl ItemEvent {
    /// The item it is about.
    pub fn item_id(&self) -> &str {
        match self {
            Self::Added { item_id, .. }
            | Self::Repaired { item_id, .. }
            | Self::LoginRequired { item_id, .. }
            | Self::Removed { item_id, .. } => item_id,
        }
    }

    /// The user who owns the item.
    pub fn user(&self) -> &str {
        match self {
            Self::Added { user, .. }
            | Self::Repaired { user, .. }
            | Self::LoginRequired { user, .. }
            | Self::Removed { user, .. } => user,
        }
    }
}
