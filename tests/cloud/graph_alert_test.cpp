#include <gtest/gtest.h>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/graph/graph_alert.hpp"
#include "agent/clouds/graph/graph_mapping.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kExampleId = "da637551227677560813_-961444813";

std::string example(const std::string& file) {
    return testing::read_file(testing::source_dir() / "tests/cloud/data/graph" / file);
}

json::Ptr parsed(const std::string& text) {
    auto root = json::parse(text, "test");
    EXPECT_TRUE(root.is_ok()) << root.status().message();
    return std::move(*root);
}

std::string minimal_alert(const std::string& extra = "") {
    return R"({"id": "a-1", "status": "new", "severity": "high", "lastUpdateDateTime": "2026-11-22T07:00:00Z",
               "title": "Suspicious sign-in")" +
           extra + "}";
}

class LogCapture {
  public:
    LogCapture() {
        log::set_sink([this](std::string_view line) { lines.emplace_back(line); });
    }
    ~LogCapture() { log::reset_sink(); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    [[nodiscard]] int count(std::string_view needle) const {
        int n = 0;
        for (const auto& line : lines) n += line.find(needle) != std::string::npos ? 1 : 0;
        return n;
    }
    std::vector<std::string> lines;
};

TEST(GraphAlertParse, OfficialListExampleParsesWithEveryField) {
    auto page = parse_graph_alert_page(example("security-list-alerts_v2.response.json"));
    ASSERT_TRUE(page.is_ok()) << page.status().message();
    EXPECT_TRUE(page->warnings.empty());
    EXPECT_FALSE(page->next_link);
    ASSERT_EQ(page->alerts.size(), 1u);
    const GraphAlert& a = page->alerts[0];
    EXPECT_EQ(a.id, kExampleId);
    EXPECT_EQ(a.provider_alert_id, kExampleId);
    EXPECT_EQ(a.incident_id, "28282");
    EXPECT_EQ(a.status, GraphAlertStatus::kNew);
    EXPECT_EQ(a.status_text, "new");
    EXPECT_EQ(a.severity, GraphSeverity::kLow);
    EXPECT_EQ(a.service_source, "microsoftDefenderForEndpoint");
    EXPECT_EQ(a.detection_source, "antivirus");
    EXPECT_EQ(a.title, "Suspicious execution of hidden file");
    EXPECT_EQ(a.category, "DefenseEvasion");
    EXPECT_TRUE(a.assigned_to.empty());  // null in the example
    EXPECT_EQ(a.alert_web_url,
              "https://security.microsoft.com/alerts/"
              "da637551227677560813_-961444813?tid=b3c1b5fc-828c-45fa-a1e1-10d74f6d6e9c");
    EXPECT_EQ(a.last_update, *parse_iso8601("2021-05-02T14:19:01.3266667Z"));
    EXPECT_EQ(a.created, *parse_iso8601("2021-04-27T12:19:27.7211305Z"));
    EXPECT_FALSE(a.resolved);
    ASSERT_EQ(a.evidence.size(), 4u);
    EXPECT_EQ(a.evidence[0].kind, EvidenceKind::kDevice);
    EXPECT_EQ(a.evidence[0].name, "tempDns");
    EXPECT_EQ(a.evidence[0].detail, "1.1.1.1");
    EXPECT_EQ(a.evidence[1].kind, EvidenceKind::kFile);
    EXPECT_EQ(a.evidence[1].name, "C:\\Program Files\\temp\\MsSense.exe");
    EXPECT_EQ(a.evidence[2].kind, EvidenceKind::kProcess);
    EXPECT_EQ(a.evidence[2].detail, "NT AUTHORITY\\SYSTEM");
    EXPECT_EQ(a.evidence[3].kind, EvidenceKind::kOther);
    EXPECT_EQ(a.evidence[3].type, "registryKeyEvidence");
}

TEST(GraphAlertParse, OfficialUpdateResponseParses) {
    auto root = parsed(example("security-alert-update.response.json"));
    auto alert = parse_graph_alert(root.get());
    ASSERT_TRUE(alert.is_ok()) << alert.status().message();
    EXPECT_EQ(alert->id, kExampleId);
    EXPECT_EQ(alert->status, GraphAlertStatus::kInProgress);
    EXPECT_EQ(alert->classification, "truePositive");
    EXPECT_EQ(alert->determination, "malware");
}

TEST(GraphAlertParse, ExampleBecomesAnAlarm) {
    auto page = parse_graph_alert_page(example("security-list-alerts_v2.response.json"));
    ASSERT_TRUE(page.is_ok());
    const core::Alarm alarm = to_alarm(page->alerts[0]);
    EXPECT_EQ(alarm.key(), std::string("graph:") + kExampleId);
    EXPECT_EQ(alarm.severity, core::Severity::kLow);
    EXPECT_EQ(alarm.state, core::AlarmState::kUnacked);
    EXPECT_EQ(alarm.cloud_status, "new");
    EXPECT_EQ(alarm.products, std::vector<std::string>{"Microsoft Defender for Endpoint"});
    EXPECT_EQ(alarm.url, page->alerts[0].alert_web_url);
    EXPECT_EQ(alarm.number, "28282");
    EXPECT_NE(alarm.description.find("A hidden file has been launched."), std::string::npos);
    EXPECT_EQ(alarm.evidence,
              (std::vector<std::string>{"host tempDns (1.1.1.1)", "file C:\\Program Files\\temp\\MsSense.exe",
                                        "process C:\\Program Files\\temp\\MsSense.exe (user NT AUTHORITY\\SYSTEM)"}));
    EXPECT_EQ(alarm.related,
              (std::vector<std::string>{"defender-incident:28282", std::string("provider-alert:") + kExampleId}));
}

struct MissingCase {
    const char* field;
    const char* message;
};

void PrintTo(const MissingCase& c, std::ostream* os) { *os << c.field; }

class GraphAlertMissing : public ::testing::TestWithParam<MissingCase> {};

TEST_P(GraphAlertMissing, SkippedWithAWarningNamingFieldAndRecord) {
    auto root = parsed(minimal_alert());
    cJSON_DeleteItemFromObjectCaseSensitive(root.get(), GetParam().field);
    auto page = json::object();
    auto value = json::array();
    json::append(value.get(), std::move(root));
    json::append(value.get(), parsed(R"({"id": "a-2", "status": "new", "severity": "low",
                                         "lastUpdateDateTime": "2026-11-22T07:00:00Z", "title": "ok"})"));
    json::add(page.get(), "value", std::move(value));
    auto result = parse_graph_alert_page(page.get());
    ASSERT_TRUE(result.is_ok());
    ASSERT_EQ(result->alerts.size(), 1u);
    EXPECT_EQ(result->alerts[0].id, "a-2");
    ASSERT_EQ(result->warnings.size(), 1u);
    EXPECT_EQ(result->warnings[0], GetParam().message);
}

INSTANTIATE_TEST_SUITE_P(
    Fields, GraphAlertMissing,
    ::testing::Values(MissingCase{"id", "skipped: graph alert (no id): id: missing"},
                      MissingCase{"status", "skipped: graph alert 'a-1': status: missing"},
                      MissingCase{"severity", "skipped: graph alert 'a-1': severity: missing"},
                      MissingCase{"lastUpdateDateTime", "skipped: graph alert 'a-1': lastUpdateDateTime: missing"},
                      MissingCase{"title", "skipped: graph alert 'a-1': title: missing"}),
    [](const ::testing::TestParamInfo<MissingCase>& param) { return std::string(param.param.field); });

TEST(GraphAlertParse, MistypedAndBadRequiredFieldsAreNamed) {
    auto typed = parse_graph_alert(parsed(R"({"id": "a-1", "status": 3, "severity": "high",
                                        "lastUpdateDateTime": "2026-11-22T07:00:00Z", "title": "t"})")
                                 .get());
    ASSERT_FALSE(typed.is_ok());
    EXPECT_EQ(typed.status().message(), "graph alert 'a-1': status: expected string, got number");
    auto time = parse_graph_alert(parsed(R"({"id": "a-1", "status": "new", "severity": "high",
                                       "lastUpdateDateTime": "yesterday", "title": "t"})")
                                .get());
    ASSERT_FALSE(time.is_ok());
    EXPECT_NE(time.status().message().find("graph alert 'a-1': lastUpdateDateTime: "), std::string::npos);
    auto null_title = parse_graph_alert(parsed(R"({"id": "a-1", "status": "new", "severity": "high",
                                             "lastUpdateDateTime": "2026-11-22T07:00:00Z", "title": null})")
                                      .get());
    ASSERT_FALSE(null_title.is_ok());
    EXPECT_EQ(null_title.status().message(), "graph alert 'a-1': title: missing");
}

TEST(GraphAlertParse, UnknownEnumValuesMapToUnknownAndAreLoggedOnce) {
    LogCapture log;
    for (int i = 0; i < 3; ++i) {
        auto alert = parse_graph_alert(parsed(R"({"id": "a-1", "status": "awaitingReview", "severity": "critical",
                                            "lastUpdateDateTime": "2026-11-22T07:00:00Z", "title": "t"})")
                                     .get());
        ASSERT_TRUE(alert.is_ok());
        EXPECT_EQ(alert->status, GraphAlertStatus::kUnknown);
        EXPECT_EQ(alert->status_text, "awaitingReview");
        EXPECT_EQ(alert->severity, GraphSeverity::kUnknown);
        const core::Alarm alarm = to_alarm(*alert);
        EXPECT_EQ(alarm.severity, core::Severity::kHigh);  // an alarm box errs loud
        EXPECT_FALSE(alarm_state_from_status(alert->status));
    }
    EXPECT_EQ(log.count("status 'awaitingReview' is not a value the box knows"), 1);
    EXPECT_EQ(log.count("severity 'critical' is not a value the box knows"), 1);
    EXPECT_EQ(log.count("severity 'critical' shown as High"), 1);
    // The documented "don't know" members are expected, not news.
    EXPECT_EQ(parse_graph_status("unknownFutureValue"), GraphAlertStatus::kUnknown);
    EXPECT_EQ(log.count("unknownFutureValue"), 0);
}

TEST(GraphAlertParse, StatusMapping) {
    EXPECT_EQ(alarm_state_from_status(parse_graph_status("new")), core::AlarmState::kUnacked);
    EXPECT_EQ(alarm_state_from_status(parse_graph_status("inProgress")), core::AlarmState::kAcked);
    EXPECT_EQ(alarm_state_from_status(parse_graph_status("resolved")), core::AlarmState::kResolved);
    EXPECT_FALSE(alarm_state_from_status(parse_graph_status("unknown")));
    EXPECT_FALSE(alarm_state_from_status(parse_graph_status("unknownFutureValue")));
}

TEST(GraphAlertParse, MistypedOptionalFieldsAreDroppedNotTheAlert) {
    auto alert =
        parse_graph_alert(parsed(minimal_alert(R"(, "alertWebUrl": 7, "evidence": "none", "incidentId": null)")).get());
    ASSERT_TRUE(alert.is_ok());
    EXPECT_TRUE(alert->alert_web_url.empty());
    EXPECT_TRUE(alert->evidence.empty());
    EXPECT_TRUE(alert->incident_id.empty());
}

TEST(GraphAlertParse, PageErrors) {
    auto not_json = parse_graph_alert_page(std::string_view("<html>captive portal</html>"));
    ASSERT_FALSE(not_json.is_ok());
    EXPECT_NE(not_json.status().message().find("graph alerts page"), std::string::npos);
    auto no_value = parse_graph_alert_page(std::string_view(R"({"error": {}})"));
    ASSERT_FALSE(no_value.is_ok());
    EXPECT_EQ(no_value.status().message(), "graph alerts page: value: expected array, got missing");
    auto array = parse_graph_alert_page(std::string_view("[]"));
    ASSERT_FALSE(array.is_ok());
    auto next = parse_graph_alert_page(std::string_view(
        R"({"value": [], "@odata.nextLink": "https://graph.microsoft.com/v1.0/security/alerts_v2?$skiptoken=x"})"));
    ASSERT_TRUE(next.is_ok());
    EXPECT_EQ(next->next_link, "https://graph.microsoft.com/v1.0/security/alerts_v2?$skiptoken=x");
    auto not_object = parse_graph_alert_page(std::string_view(R"({"value": [1, "x"]})"));
    ASSERT_TRUE(not_object.is_ok());
    EXPECT_EQ(not_object->warnings.size(), 2u);
}

TEST(GraphEvidence, EachKindSummarised) {
    const std::string list = R"([
      {"@odata.type": "#microsoft.graph.security.userEvidence",
       "userAccount": {"accountName": "alice", "domainName": "CONTOSO", "userPrincipalName": "alice@contoso.com"}},
      {"@odata.type": "#microsoft.graph.security.userEvidence", "userAccount": {"accountName": "bob", "domainName": "CONTOSO"}},
      {"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "203.0.113.7", "countryLetterCode": "DE"},
      {"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "198.51.100.1", "location": {"countryName": "Norway"}},
      {"@odata.type": "#microsoft.graph.security.ipEvidence", "ipAddress": "203.0.113.7", "countryLetterCode": "DE"},
      {"@odata.type": "#microsoft.graph.security.urlEvidence", "url": "https://evil.example/x"},
      {"@odata.type": "#microsoft.graph.security.mailboxEvidence", "primaryAddress": "ceo@contoso.com"},
      {"@odata.type": "#microsoft.graph.security.cloudApplicationEvidence", "displayName": "Dropbox"},
      {"@odata.type": "#microsoft.graph.security.azureResourceEvidence", "resourceName": "vm-web-01"},
      {"@odata.type": "#microsoft.graph.security.someFutureEvidence", "x": 1},
      {"@odata.type": "#microsoft.graph.security.fileEvidence", "fileDetails": {"fileName": "x.sh", "filePath": "/tmp"}}
    ])";
    auto root = parsed(list);
    std::vector<GraphEvidence> evidence;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, root.get()) { evidence.push_back(parse_evidence(item)); }
    EXPECT_EQ(
        summarize_evidence(evidence),
        (std::vector<std::string>{"user alice@contoso.com", "user CONTOSO\\bob", "ip 203.0.113.7 (DE)",
                                  "ip 198.51.100.1 (Norway)", "url https://evil.example/x", "mailbox ceo@contoso.com",
                                  "app Dropbox", "resource vm-web-01", "file /tmp/x.sh"}));
    EXPECT_EQ(summarize_evidence(evidence, 3), (std::vector<std::string>{"user alice@contoso.com", "user CONTOSO\\bob",
                                                                         "ip 203.0.113.7 (DE)", "... and 6 more"}));
}

}  // namespace
}  // namespace sirenbox::cloud
