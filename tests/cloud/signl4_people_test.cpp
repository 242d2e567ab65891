// What a SIGNL4 alert says about people (issue 17 point 3): its annotations and who acknowledged or closed it, read
// from the official examples of the v1 swagger (shared/specs/signl4/swagger-v1.json, 2020) and from the current
// contract's shape (openapi-v1-alerts-excerpt.yaml: AlertAnnotationInfo with `id`, `annotationType`, `timestamp`).
#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/clouds/signl4/signl4_alert.hpp"

namespace sirenbox::cloud {
namespace {

// The 200 example of GET /alerts/{alertId} in swagger-v1.json, verbatim but for `attachments` and `parameters`
// (left out: not read). Its `status` 4 with history.closed set is a closed alert.
constexpr const char* kOfficialAlertInfo = R"({"annotations": [{"text": "example text",
  "timestamp": "0001-01-01T00:00:00", "type": 1, "userId": "52aa4471-2533-4826-8d69-97b82dfc706b"}],
  "category": "database", "categoryId": "adec5849-e6ee-4a06-809a-7473bfa1e668",
  "eventSourceId": "b05077e1-32b1-44b5-833a-00b855c7e0fb", "eventSourceType": 2,
  "externalId": "1f097db5-88aa-4015-8903-98e2b83a5ac5", "flags": 3,
  "history": {"acknowledged": "2020-06-02T16:37:40.7366028+00:00",
              "acknowledgedgements": ["5acef6cb-94b1-404f-a997-89f508aedc0e"],
              "closed": "2020-06-02T16:37:40.7366028+00:00", "closedBy": "5acef6cb-94b1-404f-a997-89f508aedc0e",
              "created": "2020-06-02T16:37:40.7366028+00:00"},
  "id": "45f6546e-c582-4ef3-ac3d-5cd3bc818e77", "lastModified": "2020-06-02T16:37:40.7366028+00:00",
  "severity": 0, "status": 4, "subscriptionId": "e59d821e-511d-42c9-9195-d4c6c4ab21f3",
  "teamId": "c4c6c478-b3e2-423d-9ce6-ca56e18d01ef", "text": "Alert example text", "title": "Alert example title"})";

// The 200 example of GET /alerts/{alertId}/annotations in swagger-v1.json, verbatim, as an alert's annotations.
constexpr const char* kOfficialAnnotations = R"([{"text": "example text", "timestamp": "0001-01-01T00:00:00",
  "type": 1, "userId": "52aa4471-2533-4826-8d69-97b82dfc706b"}, {"text": "another example text",
  "timestamp": "0001-01-01T00:00:00", "type": 1, "userId": "878d6619-23c2-402b-bdbc-26bc95fbb493"}])";

Result<Signl4Alert> parse(const std::string& text) {
    auto doc = json::parse(text, "test");
    EXPECT_TRUE(doc.is_ok()) << doc.status().message();
    return parse_signl4_alert(doc->get());
}

TEST(Signl4People, TheOfficialAlertInfoExampleNamesItsAnnotationAndWhoAcknowledgedAndClosed) {
    auto alert = parse(kOfficialAlertInfo);
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_EQ(alert->status, Signl4Status::kClosed);
    EXPECT_EQ(alert->acknowledged_by, std::vector<std::string>{"5acef6cb-94b1-404f-a997-89f508aedc0e"});
    EXPECT_EQ(alert->closed_by, "5acef6cb-94b1-404f-a997-89f508aedc0e");
    ASSERT_EQ(alert->annotations.size(), 1u);
    const auto& note = alert->annotations[0];
    EXPECT_EQ(note.text, "example text");
    EXPECT_EQ(note.user_id, "52aa4471-2533-4826-8d69-97b82dfc706b");
    EXPECT_EQ(note.type, 1) << "the 2020 name, `type`";
    EXPECT_EQ(note.id, "") << "no id in the 2020 contract";
    const std::string prefix = "0001-01-01T00:00:00/52aa4471-2533-4826-8d69-97b82dfc706b/";
    EXPECT_EQ(note.key().rfind(prefix, 0), 0u) << note.key() << ": time, author and a digest of the text";
    EXPECT_EQ(note.key().size(), prefix.size() + 16u);
}

TEST(Signl4People, AnnotationsWithoutIdsAreToldApartByAuthorAndTextAndKeepTheirKey) {
    const std::string overview = std::string(R"({"id": "a1", "status": 1, "lastModified": "2026-11-22T08:00:00Z",
        "annotations": )") + kOfficialAnnotations +
                                 "}";
    auto alert = parse(overview);
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    ASSERT_EQ(alert->annotations.size(), 2u);
    EXPECT_NE(alert->annotations[0].key(), alert->annotations[1].key());
    EXPECT_EQ(alert->annotations[1].user_id, "878d6619-23c2-402b-bdbc-26bc95fbb493");
    auto again = parse(overview);
    EXPECT_EQ(again->annotations[0].key(), alert->annotations[0].key()) << "the same at every listing";
}

TEST(Signl4People, TheCurrentContractsAnnotationIsKeyedByItsId) {
    auto alert = parse(R"({"id": "a1", "status": 2, "lastModified": "2026-11-22T08:00:00Z",
        "historyDetailed": {"created": "2026-11-22T07:00:00Z", "acknowledgedgements": ["u-1", "u-2"]},
        "annotations": [{"id": "n-1", "annotationType": 1, "text": "On my way", "timestamp": "2026-11-22T07:30:00Z",
                         "userId": "u-2"},
                        {"id": "n-2", "annotationType": 1, "text": null, "userId": "u-2"}, "junk",
                        {"id": "n-3", "annotationType": 1, "text": "Done", "userId": null}]})");
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_EQ(alert->acknowledged_by, (std::vector<std::string>{"u-1", "u-2"}));
    EXPECT_EQ(alert->closed_by, "");
    ASSERT_EQ(alert->annotations.size(), 2u) << "a note without text, and one that is no object, say nothing";
    EXPECT_EQ(alert->annotations[0].key(), "n-1");
    EXPECT_EQ(alert->annotations[0].type, 1);
    EXPECT_EQ(alert->annotations[1].user_id, "") << "null: unknown";
}

TEST(Signl4People, MistypedPeopleFieldsAreDroppedNotTheAlert) {
    auto alert = parse(R"({"id": "a1", "status": 4, "lastModified": "2026-11-22T08:00:00Z",
        "history": {"acknowledgedgements": "u-1", "closedBy": 7}, "annotations": {"text": "x"}})");
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_TRUE(alert->acknowledged_by.empty());
    EXPECT_EQ(alert->closed_by, "");
    EXPECT_TRUE(alert->annotations.empty());
}

}  // namespace
}  // namespace sirenbox::cloud
