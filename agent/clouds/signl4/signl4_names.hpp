#pragma once

// The JSON and query names of the SIGNL4 REST API and inbound webhook, in one place.
//
// The only published contract is the v1 swagger (shared/specs/signl4/SOURCE.md; its current state is the
// OpenAPI 3.0.1 excerpt, server https://connect.signl4.com/api, paths /alerts/...). Alert records are read
// by its names (`status`, `eventId`, `historyDetailed`); the outbound webhook's names (`statusCode`,
// `externalEventId`, `history`), which no REST answer of the contract has, are still read where present.
// docs/sources.md ("SIGNL4") states the same choice; change both together.
namespace sirenbox::cloud::signl4_names {

// POST {api_url}/alerts/paged?maxResults=N (api_url defaults to the contract's server, .../api)
inline constexpr const char* kPagedPath = "/alerts/paged";
inline constexpr const char* kMaxResultsParam = "maxResults";
inline constexpr const char* kApiKeyHeader = "X-S4-Api-Key";

// Paged request body.
inline constexpr const char* kReqTeamId = "teamId";
inline constexpr const char* kReqModifiedSince = "modifiedSince";
inline constexpr const char* kReqContinuationToken = "continuationToken";

// Paged answer (204 No Content when nothing matches).
inline constexpr const char* kPageResults = "results";
inline constexpr const char* kPageContinuationToken = "continuationToken";  // opaque; sent back as is
inline constexpr const char* kPageHasMore = "hasMore";

// One alert record.
inline constexpr const char* kAlertId = "id";
inline constexpr const char* kAlertEventId = "eventId";
inline constexpr const char* kAlertExternalEventId = "externalEventId";
inline constexpr const char* kAlertStatus = "status";          // the contract's AlertStatusCodes
inline constexpr const char* kAlertStatusCode = "statusCode";  // outbound webhook's name; read when present
inline constexpr const char* kAlertTitle = "title";
inline constexpr const char* kAlertText = "text";
inline constexpr const char* kAlertSeverity = "severity";
inline constexpr const char* kAlertTeamId = "teamId";
inline constexpr const char* kAlertLastModified = "lastModified";
inline constexpr const char* kAlertHistoryDetailed = "historyDetailed";  // OverviewAlert
inline constexpr const char* kAlertHistory = "history";                  // AlertInfo
inline constexpr const char* kHistoryCreated = "created";
// Who acknowledged and who closed: user ids. The contract spells the list "acknowledgedgements" [sic], in both
// versions and in the 2020 examples; its meaning (acknowledging users, in order) is read from the name only.
inline constexpr const char* kHistoryAcknowledgements = "acknowledgedgements";
inline constexpr const char* kHistoryClosedBy = "closedBy";

// AlertAnnotationInfo, in the alert's `annotations` (OverviewAlert and AlertInfo): `id` is nullable in the current
// contract and absent in the 2020 one, whose type field was `type` (the current one: `annotationType`).
inline constexpr const char* kAnnotationId = "id";
inline constexpr const char* kAnnotationUserId = "userId";
inline constexpr const char* kAnnotationTimestamp = "timestamp";
inline constexpr const char* kAnnotationTypeLegacy = "type";

// GET {api_url}/alerts/{id}; POST {api_url}/alerts/{id}/acknowledge | /close (ChangeAlertStatusInfo) |
// /annotate (AlertAnnotationInfo), as the contract names them.
inline constexpr const char* kAlertsPath = "/alerts/";
inline constexpr const char* kAcknowledgeSuffix = "/acknowledge";
inline constexpr const char* kCloseSuffix = "/close";
inline constexpr const char* kAnnotateSuffix = "/annotate";
inline constexpr const char* kActionUserId = "userId";
inline constexpr const char* kActionDescription = "description";
inline constexpr const char* kAnnotationType = "annotationType";
inline constexpr const char* kAnnotationText = "text";
inline constexpr int kAnnotationTypeText = 1;
inline constexpr const char* kAlertAnnotations = "annotations";

// Inbound webhook: POST {webhook_url}/webhook/{teamSecret} (§e.1).
inline constexpr const char* kWebhookPath = "/webhook/";
inline constexpr const char* kHookTitle = "Title";
inline constexpr const char* kHookMessage = "Message";
inline constexpr const char* kHookExternalId = "X-S4-ExternalID";
inline constexpr const char* kHookStatus = "X-S4-Status";
inline constexpr const char* kHookSourceSystem = "X-S4-SourceSystem";
inline constexpr const char* kHookScenario = "X-S4-AlertingScenario";
inline constexpr const char* kHookEventId = "eventId";  // in the 201 answer

}  // namespace sirenbox::cloud::signl4_names
