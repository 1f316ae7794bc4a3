//! The flow's phases, each owning what it started: dropping a phase aborts its request, clears its
//! timer and destroys its Link. A change of phase is one assignment; stopping is a drop.

use gloo_timers::callback::Timeout;

use crate::backend::Cancel;
use crate::plaid::handler::{LinkHandler, LinkRemote};
use crate::status::{Connection, LinkFailure, LinkStatus};

/// Where one component's flow stands. Each maps to the [`LinkStatus`] users see.
pub(super) enum Phase {
    /// Asking for a link token and loading Link's script, then waiting for Link's `onLoad`.
    Preparing(Preparing),
    /// Link is loaded and idle.
    Ready(Live),
    /// Link is open. `return_focus` had the focus when it opened (the button the user pressed) and
    /// gets it back if Link closes without a connection, so that a keyboard user carries on there.
    Open { link: Live, return_focus: Option<web_sys::HtmlElement> },
    /// Link succeeded; the exchange is under way, owned by its own task (not by the phase: an
    /// unmount must not lose a finished Link session). Link stays made (the embedded search stays
    /// on the page).
    Sending(Option<Live>),
    /// The backend has the connection.
    Connected(Connection, Option<Live>),
    /// The user closed Link without finishing; it opens again as it is.
    Closed(Live),
    /// Something failed. Link is kept only when trying again reopens it ([`LinkFailure::reopens`]).
    Failed(LinkFailure, Option<Live>),
}

/// What preparing has started.
pub(super) struct Preparing {
    /// Which call to `prepare` this is: a late answer to an older one finds another phase here.
    pub attempt: u32,
    /// The link-token request, aborted if the phase is dropped first.
    pub request: Option<Cancel>,
    /// Link, once made, until its `onLoad`.
    pub link: Option<Live>,
    /// Link called `onLoad` before it was stored here (Link may call back from inside `create`).
    pub loaded: bool,
    /// Back from an OAuth bank: open Link as soon as it has loaded.
    pub open_when_loaded: bool,
}

/// A made Link, and the refresh of its link token.
pub(super) struct Live {
    pub handler: LinkHandler,
    pub refresh: Refresh,
}

/// When the link token should be replaced, and what is under way for that.
#[derive(Default)]
pub(super) enum Refresh {
    /// The backend gave no expiration (or one already past: Link's own `INVALID_LINK_TOKEN` then
    /// starts over, rather than fetch such a token in a loop).
    #[default]
    Never,
    /// Due at `at` (ms since the epoch); the timer wakes the flow then.
    Planned { at: f64, _timer: Option<Timeout> },
    /// A fresh link token is on its way (`attempt` tells its answer apart from a later one's).
    Fetching { at: f64, attempt: u32, _request: Option<Cancel> },
}

impl Refresh {
    /// When it is due, if ever.
    pub fn due_at(&self) -> Option<f64> {
        match self {
            Self::Never => None,
            Self::Planned { at, .. } | Self::Fetching { at, .. } => Some(*at),
        }
    }
}

impl Phase {
    /// What users see.
    pub fn status(&self) -> LinkStatus {
        match self {
            Self::Preparing(_) => LinkStatus::Preparing,
            Self::Ready(_) => LinkStatus::Ready,
            Self::Open { .. } => LinkStatus::Open,
            Self::Sending(_) => LinkStatus::Sending,
            Self::Connected(connection, _) => LinkStatus::Connected(connection.clone()),
            Self::Closed(_) => LinkStatus::Closed,
            Self::Failed(failure, _) => LinkStatus::Failed(failure.clone()),
        }
    }

    /// The made Link, whatever the phase.
    pub fn link(&self) -> Option<&Live> {
        match self {
            Self::Preparing(p) => p.link.as_ref(),
            Self::Ready(link) | Self::Open { link, .. } | Self::Closed(link) => Some(link),
            Self::Sending(link) | Self::Connected(_, link) | Self::Failed(_, link) => link.as_ref(),
        }
    }

    /// The same, to change its refresh.
    pub fn link_mut(&mut self) -> Option<&mut Live> {
        match self {
            Self::Preparing(p) => p.link.as_mut(),
            Self::Ready(link) | Self::Open { link, .. } | Self::Closed(link) => Some(link),
            Self::Sending(link) | Self::Connected(_, link) | Self::Failed(_, link) => link.as_mut(),
        }
    }

    /// The made Link, taken out of the phase.
    pub fn into_link(self) -> Option<Live> {
        match self {
            Self::Preparing(p) => p.link,
            Self::Ready(link) | Self::Open { link, .. } | Self::Closed(link) => Some(link),
            Self::Sending(link) | Self::Connected(_, link) | Self::Failed(_, link) => link,
        }
    }

    /// Link is made, loaded and not in use: it may be opened, or swapped for a fresh one.
    pub fn idle_link(&self) -> Option<&Live> {
        match self {
            Self::Ready(link) | Self::Closed(link) => Some(link),
            Self::Failed(failure, link) if failure.reopens() => link.as_ref(),
            _ => None,
        }
    }

    /// A handle for one call into the made Link.
    pub fn remote(&self) -> Option<LinkRemote> {
        self.link().map(|live| live.handler.remote())
    }
}
