//! Plaid's open vocabularies (event names, error types, exit statuses) as enums that keep a value
//! this version does not know in `Other`, with Plaid's exact text: Plaid adds values over time.

/// Declares an enum for one of Plaid's open string vocabularies, with an `Other` fallback.
macro_rules! open_vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
            /// A value this version does not know; Plaid's exact text is kept.
            Other(String),
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                match text.as_str() {
                    $($text => Self::$variant,)+
                    _ => Self::Other(text),
                }
            }
        }

        impl $name {
            /// Plaid's own spelling of this value.
            ///
            /// ```
            /// use plaid_link::EventName;
            /// assert_eq!(EventName::from("OPEN".to_owned()).as_str(), "OPEN");
            /// ```
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $text,)+
                    Self::Other(text) => text,
                }
            }
        }
    };
}

open_vocabulary! {
    /// The name of an `onEvent` event.
    EventName {
        /// Link opened.
        Open = "OPEN",
        /// The user moved to another view.
        TransitionView = "TRANSITION_VIEW",
        /// The user searched for an institution.
        SearchInstitution = "SEARCH_INSTITUTION",
        /// The user chose an institution.
        SelectInstitution = "SELECT_INSTITUTION",
        /// The user submitted credentials.
        SubmitCredentials = "SUBMIT_CREDENTIALS",
        /// The user submitted a multi-factor answer.
        SubmitMfa = "SUBMIT_MFA",
        /// The user was sent to their bank's OAuth page.
        OpenOauth = "OPEN_OAUTH",
        /// A recoverable error was shown to the user.
        Error = "ERROR",
        /// Link finished successfully and is handing control back.
        Handoff = "HANDOFF",
        /// The user left Link.
        Exit = "EXIT",
        /// Layer: the submitted phone number is eligible; `open()` now shows Layer.
        LayerReady = "LAYER_READY",
        /// Layer: the phone number is not eligible; a date of birth may be submitted next.
        LayerNotAvailable = "LAYER_NOT_AVAILABLE",
        /// Layer: no autofill for this user; carry on with the usual Link flow.
        LayerAutofillNotAvailable = "LAYER_AUTOFILL_NOT_AVAILABLE",
    }
}

open_vocabulary! {
    /// Plaid's `error_type`: the broad family of an error.
    ErrorType {
        /// The request was malformed.
        InvalidRequest = "INVALID_REQUEST",
        /// The request was well formed but used a bad value (an expired link token, say).
        InvalidInput = "INVALID_INPUT",
        /// A result could not be used.
        InvalidResult = "INVALID_RESULT",
        /// The bank is down or failing.
        InstitutionError = "INSTITUTION_ERROR",
        /// Too many requests.
        RateLimitExceeded = "RATE_LIMIT_EXCEEDED",
        /// Plaid itself failed.
        ApiError = "API_ERROR",
        /// The login failed (wrong credentials, locked account, …).
        ItemError = "ITEM_ERROR",
        /// An asset report failed.
        AssetReportError = "ASSET_REPORT_ERROR",
        /// Plaid's bot check failed.
        RecaptchaError = "RECAPTCHA_ERROR",
        /// The bank's OAuth sign-in failed.
        OauthError = "OAUTH_ERROR",
        /// A payment failed.
        PaymentError = "PAYMENT_ERROR",
        /// A bank transfer failed.
        BankTransferError = "BANK_TRANSFER_ERROR",
        /// Sandbox-only failure.
        SandboxError = "SANDBOX_ERROR",
    }
}

open_vocabulary! {
    /// Where in Link the user was when they left (`onExit` metadata's `status`).
    ExitStatus {
        /// Waiting for security questions.
        RequiresQuestions = "requires_questions",
        /// Waiting for a selection.
        RequiresSelections = "requires_selections",
        /// Waiting for a one-time code.
        RequiresCode = "requires_code",
        /// Choosing a device for a one-time code.
        ChooseDevice = "choose_device",
        /// On the credentials screen.
        RequiresCredentials = "requires_credentials",
        /// Choosing accounts.
        RequiresAccountSelection = "requires_account_selection",
        /// Waiting for the bank's OAuth sign-in.
        RequiresOauth = "requires_oauth",
        /// Searching for a bank that was not found.
        InstitutionNotFound = "institution_not_found",
        /// The chosen bank is not supported.
        InstitutionNotSupported = "institution_not_supported",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_vocabulary_maps_to_its_variant_and_back() {
        assert_eq!(EventName::from("HANDOFF".to_owned()), EventName::Handoff);
        assert_eq!(EventName::Handoff.as_str(), "HANDOFF");
        assert_eq!(ExitStatus::from("requires_credentials".to_owned()), ExitStatus::RequiresCredentials);
    }

    #[test]
    fn unknown_vocabulary_is_kept_verbatim() {
        let name = EventName::from("SELECT_BRAND".to_owned());
        assert_eq!(name, EventName::Other("SELECT_BRAND".to_owned()));
        assert_eq!(name.as_str(), "SELECT_BRAND");
    }
}
