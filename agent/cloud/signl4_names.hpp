#pragma once

// The JSON and query names of the SIGNL4 REST API v2 and inbound webhook, in one place.
//
// The v2 names of the paged alert list are UNCERTAIN (cloud-apis.md §e.2): SIGNL4 documents the v1
// swagger only. The choice below follows the v1 swagger (`/alerts/paged` request body, `results` /
// `continuationToken` / `hasMore` in the answer) and the outbound webhook's alert object for the two
// names v1 lacks (`externalEventId`, `statusCode`); v1's `status` is accepted as a fallback for the
// status code. docs/sources.md ("SIGNL4") states the same choice; change both together.
namespace sirenbox::cloud::signl4_names {

// POST {base}/v2/alerts/paged?maxResults=N
inline constexpr const char* kPagedPath = "/v2/alerts/paged";
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
inline constexpr const char* kAlertStatusCode = "statusCode";
inline constexpr const char* kAlertStatusCodeV1 = "status";
inline constexpr const char* kAlertTitle = "title";
inline constexpr const char* kAlertText = "text";
inline constexpr const char* kAlertSeverity = "severity";
inline constexpr const char* kAlertTeamId = "teamId";
inline constexpr const char* kAlertLastModified = "lastModified";
inline constexpr const char* kAlertHistory = "history";
inline constexpr const char* kHistoryCreated = "created";

// GET {base}/v2/alerts/{id}; POST {base}/v2/alerts/{id}/acknowledge | /close | /annotate (§e.2, v1
// swagger names; UNCERTAIN for v2, where a third-party summary lists uid/descr).
inline constexpr const char* kAlertsPath = "/v2/alerts/";
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
