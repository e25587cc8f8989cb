//! What the core tells a person, as a key and arguments the shells localise from their own
//! resources (Android `strings.xml`, the iOS string catalog). The English text here serves the
//! command line and is the source every translation is checked against; no shell ever reads or
//! compares the English.

use serde::Serialize;

macro_rules! message_keys {
    ($($(#[$meta:meta])* $variant:ident = $id:literal [$($arg:literal),*] $english:literal,)+) => {
        /// Everything the core can say to a person. Each key's `id` names the string resource
        /// (`msg_<id>` on Android and iOS); its arguments fill `%1$s`, `%2$s`, ... in order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, uniffi::Enum)]
        #[serde(rename_all = "snake_case")]
        pub enum MessageKey { $($(#[$meta])* $variant),+ }

        impl MessageKey {
            /// Every key, in a stable order.
            pub const ALL: &'static [MessageKey] = &[$(MessageKey::$variant),+];

            /// The stable name of this key (also its resource name after `msg_`).
            pub fn id_str(self) -> &'static str {
                match self { $(MessageKey::$variant => $id),+ }
            }

            /// The names of the arguments, in order.
            pub fn arg_names(self) -> &'static [&'static str] {
                match self { $(MessageKey::$variant => &[$($arg),*]),+ }
            }

            /// The English template, with `{name}` for each argument.
            pub fn english_template(self) -> &'static str {
                match self { $(MessageKey::$variant => $english),+ }
            }
        }
    };
}

message_keys! {
    ErrorInvalid = "error_invalid" ["detail"] "{detail}",
    ErrorCheckDigit = "error_check_digit" ["number", "found", "expected"]
        "Container number {number}: the check digit is {found}, expected {expected}. Check the number, or confirm to record it anyway.",
    ErrorUnknownSubstance = "error_unknown_substance" ["name"]
        "{name} is not in the substance reference. Search the reference, or record it as other or unknown.",
    ErrorNotFound = "error_not_found" ["kind", "id"] "No {kind} with id {id} on this device.",
    ErrorStale = "error_stale" []
        "This record changed while you were looking at it. Look at it again before deciding.",
    ErrorStore = "error_store" ["detail"] "The record store could not be opened: {detail}",
    ErrorWrongKey = "error_wrong_key" []
        "This device's key does not open its record store. Nothing was changed; ask an administrator before doing anything else.",
    ErrorIntegrity = "error_integrity" ["detail"] "Stored evidence failed its integrity check: {detail}",
    ErrorIo = "error_io" ["detail"] "A file could not be read or written: {detail}",
    ErrorNetwork = "error_network" []
        "No connection to the agency server. Everything is kept on this device and will be sent later.",
    ErrorNotEnrolled = "error_not_enrolled" [] "This device is not enrolled with an agency server yet.",
    ErrorUnauthorized = "error_unauthorized" []
        "The server no longer accepts this device. Ask an administrator for a new enrolment code.",
    ErrorForbidden = "error_forbidden" ["detail"] "You are not allowed to do this: {detail}",
    ErrorServerRefused = "error_server_refused" ["status", "detail"] "The server refused the request ({status}): {detail}",
    ErrorServerUnavailable = "error_server_unavailable" []
        "The agency server is busy or failing. Nothing is lost; it will be tried again.",
    ErrorInternal = "error_internal" ["detail"] "Something went wrong inside the app: {detail}",
    EnrolmentLinkInvalid = "enrolment_link_invalid" []
        "This is not a Quayside enrolment code. Scan the QR code on the administrator's enrolment page, or type the server address and the code.",
    EnrolmentLinkOtherUser = "enrolment_link_other_user" ["user"]
        "This enrolment code is for {user}, not for this phone's user. Ask the administrator for your own code.",
    QuantityEmpty = "quantity_empty" [] "Enter a quantity.",
    QuantityNotANumber = "quantity_not_a_number" ["text"] "{text} is not a number.",
    QuantityNegative = "quantity_negative" [] "A quantity cannot be negative.",
    QuantityTooLarge = "quantity_too_large" ["text"] "{text} kg is more than any single finding could hold.",
    CountNotWhole = "count_not_whole" ["text"] "{text} is not a whole number.",
    CompositionUnnamed = "composition_unnamed" ["pct"] "A component of {pct} % has no name.",
    CompositionShareMissing = "composition_share_missing" ["name"] "Give the share of {name} in %.",
    CompositionShareRange = "composition_share_range" ["name"]
        "The share of {name} must be more than 0 and at most 100 %.",
    CompositionTwice = "composition_twice" ["name"] "{name} is listed twice in the composition.",
    CompositionPolyol = "composition_polyol" ["name"]
        "{name} is a pre-blended polyol: record it as the substance, with its HCFC-141b content, not as a component.",
    CompositionTotal = "composition_total" ["total"]
        "The composition adds up to {total} %, not 100 % (name the rest \"unknown\").",
    SyncPhaseFeed = "sync_phase_feed" [] "Asking the server what changed",
    SyncPhaseDocuments = "sync_phase_documents" ["done", "total"] "Records {done} of {total}",
    SyncPhasePhotos = "sync_phase_photos" ["done", "total"] "Photos {done} of {total}",
    SyncPhaseRetry = "sync_phase_retry" ["attempt", "seconds"] "Attempt {attempt} failed; trying again in {seconds} s",
    SyncPhaseDone = "sync_phase_done" [] "Up to date",
    ReviewStateDraft = "review_state_draft" [] "Draft",
    ReviewStateAwaitingReview = "review_state_awaiting_review" [] "Awaiting review",
    ReviewStateChangedSinceSubmission = "review_state_changed_since_submission" [] "Changed since submission",
    ReviewStateReturned = "review_state_returned" [] "Returned",
    ReviewStateApproved = "review_state_approved" [] "Approved",
    ReviewStateChangedSinceApproval = "review_state_changed_since_approval" [] "Changed since approval",
    DecisionApproved = "decision_approved" [] "Approved",
    DecisionReturned = "decision_returned" [] "Returned",
    RoleOfficer = "role_officer" [] "Officer",
    RoleSupervisor = "role_supervisor" [] "Supervisor",
    RoleOzoneAnalyst = "role_ozone_analyst" [] "Ozone-unit analyst",
    RoleAdmin = "role_admin" [] "Administrator",
    RefusalNotAllowed = "refusal_not_allowed" ["detail"] "The server did not accept this record from this device: {detail}",
    RefusalMalformed = "refusal_malformed" ["detail"] "The record could not be read by the server: {detail}",
    RefusalInvalidContent = "refusal_invalid_content" ["detail"] "The server refused what the record says: {detail}",
    RefusalStale = "refusal_stale" ["detail"] "The decision was about a version that has changed since: {detail}",
    RefusalWaitingForPhoto = "refusal_waiting_for_photo" ["detail"]
        "The approval waits for the inspection's photos to reach the server; it is sent again with the next sync. ({detail})",
    RefusalWaitingForInspection = "refusal_waiting_for_inspection" ["detail"]
        "The decision waits for the inspection itself to reach the server; it is sent again with the next sync. ({detail})",
    RefusalOther = "refusal_other" ["detail"] "The server refused the record: {detail}",
    RuleAlreadySubmitted = "rule_already_submitted" [] "This inspection is already submitted and unchanged since.",
    RuleApprovedAsItStands = "rule_approved_as_it_stands" [] "This inspection is approved as it stands; there is nothing to submit.",
    RuleNotSupervisor = "rule_not_supervisor" [] "Only supervisors review inspections.",
    RuleNotSubmitted = "rule_not_submitted" [] "This inspection has not been submitted for review yet.",
    RuleChangedSinceSubmission = "rule_changed_since_submission" []
        "This inspection changed after the officer submitted it. Return it, or wait for the officer to submit again.",
    RuleIdentifiedTwice = "rule_identified_twice" []
        "Give the substance from the reference, or one outside it, not both.",
    RuleCommentNeeded = "rule_comment_needed" [] "Say what the officer should change: returning needs a comment.",
    RuleContainerRequired = "rule_container_required" [] "Enter the container number.",
    RulePercentRange = "rule_percent_range" [] "A percentage is between 0 and 100.",
    RuleSeizedQuantityNeeded = "rule_seized_quantity_needed" []
        "Enter the seized quantity in kg for every seized finding.",
    RuleCustodyParties = "rule_custody_parties" [] "Name who handed the goods over and who received them.",
    FlagInvalidCheckDigit = "flag_invalid_check_digit" ["number", "expected"]
        "Container {number}: invalid check digit (expected {expected}).",
    FlagDeclaredOther = "flag_declared_other" ["declared", "identified"] "Declared {declared}, identified {identified}.",
    FlagUndeclaredControlled = "flag_undeclared_controlled" ["identified"]
        "Undeclared controlled substance: identified {identified}.",
    FlagUndeclared = "flag_undeclared" ["identified"] "Nothing declared: identified {identified}.",
    FlagHsCodeInconsistent = "flag_hs_code_inconsistent" ["code", "substance", "expected"]
        "HS code {code} does not fit {substance} (expected {expected}).",
    FlagDisposableCylinders = "flag_disposable_cylinders" [] "Disposable cylinders.",
    FlagSeizedExceedsFound = "flag_seized_exceeds_found" ["seized", "found"]
        "Seized {seized} kg, more than the {found} kg the finding records.",
    FlagLabNotIdentified = "flag_lab_not_identified" []
        "Not identified from the reference: send a sample for laboratory analysis; ODP and CO2-eq are unknown.",
    FlagLabUnknownPart = "flag_lab_unknown_part" []
        "Part of the measured composition is unknown: send a sample for laboratory analysis; ODP and CO2-eq cover only what was named.",
    FlagPolyolContent = "flag_polyol_content" []
        "Enter the HCFC-141b content of the pre-blended polyol (% by mass) for its figures.",
    FlagNoSubstance = "flag_no_substance" [] "No substance recorded: counted in kg only.",
    BasisMeasured = "basis_measured" [] "Figures from the measured composition",
    BasisIdentified = "basis_identified" [] "Figures from the identified substance",
    BasisDeclared = "basis_declared" [] "Figures from the declared substance (nothing identified)",
    BasisNotIdentified = "basis_not_identified" []
        "Not identified: ODP and CO2-eq unknown until laboratory analysis",
    BasisNotRecorded = "basis_not_recorded" [] "No substance recorded: counted in kg only",
    ElementFinding = "element_finding" [] "Finding",
    ElementPhoto = "element_photo" [] "Photo",
    ElementSeizedItem = "element_seized_item" [] "Seized quantity",
    ElementCustody = "element_custody" [] "Custody hand-over",
    FindingFound = "finding_found" ["substance"] "Found {substance}",
    FindingFoundUnknown = "finding_found_unknown" [] "Found an unknown substance",
    FindingFoundOther = "finding_found_other" ["name"] "Found {name} (not in the reference)",
    FindingMeasured = "finding_measured" ["composition"] "measured {composition}",
    FindingContent = "finding_content" ["pct"] "HCFC-141b content {pct} %",
    FindingDeclared = "finding_declared" ["substance"] "declared {substance}",
    FindingNothingRecorded = "finding_nothing_recorded" [] "No substance recorded",
    FindingName = "finding_name" ["name"] "{name}",
    FindingNameMeasured = "finding_name_measured" ["component"] "{component} (measured)",
    FindingNameId = "finding_name_id" ["id"] "Finding …{id}",
    ConflictRemovedFinding = "conflict_removed_finding" ["removed_by", "edited_by"]
        "Finding removed by {removed_by} while {edited_by} edited it",
    ConflictRemovedPhoto = "conflict_removed_photo" ["removed_by", "edited_by"]
        "Photo removed by {removed_by} while {edited_by} edited it",
    ConflictRemovedSeizedItem = "conflict_removed_seized_item" ["removed_by", "edited_by"]
        "Seized quantity removed by {removed_by} while {edited_by} edited it",
    ConflictRemovedCustody = "conflict_removed_custody" ["removed_by", "edited_by"]
        "Custody hand-over removed by {removed_by} while {edited_by} edited it",
    ConflictValues = "conflict_values" ["field"] "Changed on two devices: {field}",
    HintRemovedWhileEdited = "hint_removed_while_edited" []
        "Restore brings it back with every edit; Confirm removal keeps it removed. Either way, what it said stays in the history.",
    HintNotes = "hint_notes" [] "Keep one version, or write the notes again.",
    HintField = "hint_field" [] "Set the field again to settle it.",
    HistoryCreated = "history_created" ["container"] "Created the inspection of container {container}",
    HistoryEditedInspection = "history_edited_inspection" [] "Edited the inspection",
    HistoryChangedContainer = "history_changed_container" [] "container number changed",
    HistoryChangedSeals = "history_changed_seals" [] "seals changed",
    HistoryChangedSizeType = "history_changed_size_type" [] "size and type changed",
    HistoryChangedStation = "history_changed_station" [] "station changed",
    HistoryChangedDeclaration = "history_changed_declaration" [] "declaration number changed",
    HistoryChangedBillOfLading = "history_changed_bill_of_lading" [] "bill of lading changed",
    HistoryChangedHsCode = "history_changed_hs_code" [] "declared HS code changed",
    HistoryChangedDescription = "history_changed_description" [] "declared description changed",
    HistoryChangedQuantity = "history_changed_quantity" [] "declared quantity changed",
    HistoryChangedConsignor = "history_changed_consignor" [] "consignor changed",
    HistoryChangedConsignee = "history_changed_consignee" [] "consignee changed",
    HistoryChangedOrigin = "history_changed_origin" [] "origin changed",
    HistoryChangedDestination = "history_changed_destination" [] "destination changed",
    HistoryChangedTransit = "history_changed_transit" [] "transit ports changed",
    HistoryChangedLocation = "history_changed_location" [] "location changed",
    HistoryChangedSelectionReason = "history_changed_selection_reason" [] "reason for selection changed",
    HistoryChangedNotes = "history_changed_notes" [] "notes changed",
    HistoryAddedFinding = "history_added_finding" ["finding"] "Added finding {finding}",
    HistoryEditedFinding = "history_edited_finding" ["finding"] "Edited finding {finding}",
    HistoryAddedPhoto = "history_added_photo" ["photo"] "Added photo {photo}",
    HistoryEditedPhoto = "history_edited_photo" ["photo"] "Edited photo {photo}",
    HistorySeizure = "history_seizure" [] "Recorded the seizure",
    HistoryHandedOver = "history_handed_over" ["from", "to"] "Custody: {from} handed over to {to}",
    HistoryCorrectedCustody = "history_corrected_custody" [] "Corrected a custody hand-over",
    HistoryRemovedFinding = "history_removed_finding" ["id"] "Removed finding {id}",
    HistoryRemovedPhoto = "history_removed_photo" ["id"] "Removed photo {id}",
    HistoryRemovedSeizedItem = "history_removed_seized_item" ["id"] "Removed seized quantity {id}",
    HistoryRemovedCustody = "history_removed_custody" ["id"] "Removed custody hand-over {id}",
    HistoryRestoredFinding = "history_restored_finding" ["id"] "Restored finding {id}",
    HistoryRestoredPhoto = "history_restored_photo" ["id"] "Restored photo {id}",
    HistoryRestoredSeizedItem = "history_restored_seized_item" ["id"] "Restored seized quantity {id}",
    HistoryRestoredCustody = "history_restored_custody" ["id"] "Restored custody hand-over {id}",
    HistorySubmitted = "history_submitted" [] "Submitted for review",
    HistoryApproved = "history_approved" [] "Approved",
    HistoryReturned = "history_returned" [] "Returned to the officer",
    HistoryOther = "history_other" ["summary"] "{summary}",
    SyncNotEnrolled = "sync_not_enrolled" [] "Not enrolled: nothing is sent until this device is enrolled.",
    SyncEnrolAgain = "sync_enrol_again" [] "The server no longer accepts this device; enrol it again.",
    SyncUpToDate = "sync_up_to_date" [] "Everything recorded is on the server.",
    SyncPending = "sync_pending" ["inspections", "photos"] "{inspections} inspections and {photos} photos not yet sent.",
    SyncWaiting = "sync_waiting" ["inspections", "photos", "seconds"]
        "{inspections} inspections and {photos} photos not yet sent; next try in {seconds} s.",
}

/// A message for a person: a key and its arguments (already formatted as text).
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct UserMessage {
    pub key: MessageKey,
    pub args: Vec<String>,
}

impl UserMessage {
    /// A message; `args` in the key's order.
    pub fn new(key: MessageKey, args: impl IntoIterator<Item = impl Into<String>>) -> Self {
        let args: Vec<String> = args.into_iter().map(Into::into).collect();
        debug_assert_eq!(args.len(), key.arg_names().len(), "{key:?}");
        Self { key, args }
    }

    /// A message without arguments.
    pub fn plain(key: MessageKey) -> Self {
        Self::new(key, Vec::<String>::new())
    }

    /// The message in English (the command line's language).
    pub fn to_english(&self) -> String {
        let mut out = self.key.english_template().to_string();
        for (name, value) in self.key.arg_names().iter().zip(&self.args) {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

#[uniffi::export]
impl UserMessage {
    /// The message in English, for logs and the command line; shells show their own resources.
    pub fn english(&self) -> String {
        self.to_english()
    }
}

#[uniffi::export]
impl MessageKey {
    /// The key's stable name: the string resource is `msg_<id>`.
    pub fn id(&self) -> String {
        self.id_str().to_string()
    }
}

/// One entry of the message catalogue: what translators and the translation check work from.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct MessageEntry {
    pub key: MessageKey,
    /// The resource name is `msg_<id>`.
    pub id: String,
    /// Argument names, in the order of `%1$s`, `%2$s`, ...
    pub args: Vec<String>,
    /// The English template with `{name}` placeholders.
    pub english: String,
}

/// Every message the core can give, for resource checks and translators.
#[uniffi::export]
pub fn message_catalog() -> Vec<MessageEntry> {
    MessageKey::ALL
        .iter()
        .map(|k| MessageEntry {
            key: *k,
            id: k.id_str().to_string(),
            args: k.arg_names().iter().map(|a| a.to_string()).collect(),
            english: k.english_template().to_string(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_names_exactly_its_arguments() {
        let mut ids = std::collections::HashSet::new();
        for key in MessageKey::ALL {
            assert!(ids.insert(key.id_str()), "{} twice", key.id_str());
            let template = key.english_template();
            for name in key.arg_names() {
                assert!(
                    template.contains(&format!("{{{name}}}")),
                    "{key:?} lacks {name}"
                );
            }
            let placeholders = template.matches('{').count();
            assert_eq!(placeholders, key.arg_names().len(), "{key:?}");
        }
    }

    #[test]
    fn english_fills_the_arguments_in_order() {
        let m = UserMessage::new(MessageKey::SyncPhaseDocuments, ["3", "10"]);
        assert_eq!(m.to_english(), "Records 3 of 10");
    }
}
