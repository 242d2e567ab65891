#include <gtest/gtest.h>

#include <functional>

#include "agent/base/json.hpp"
#include "agent/base/log.hpp"
#include "agent/base/time_format.hpp"
#include "agent/clouds/sentinel/sentinel_incident.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::cloud {
namespace {

constexpr const char* kName = "73e01a99-5cd7-4139-a149-9f2736ff2ab5";

// The response body for `status` of one of Microsoft's examples copied into tests/cloud/data/sentinel.
json::Ptr example_body(const std::string& file, const char* status) {
    const auto text = testing::read_file(testing::source_dir() / "tests/cloud/data/sentinel" / file);
    auto root = json::parse(text, file);
    EXPECT_TRUE(root.is_ok()) << root.status().to_string();
    const cJSON* body = json::member(json::member(json::member(root->get(), "responses"), status), "body");
    EXPECT_NE(body, nullptr) << file << " has no body for " << status;
    return json::Ptr(cJSON_Duplicate(body, 1));
}

WallTime at(const char* iso) { return *parse_iso8601(iso); }

cJSON* properties_of(cJSON* incident) { return cJSON_GetObjectItemCaseSensitive(incident, "properties"); }

void expect_example_common(const SentinelIncident& i) {
    EXPECT_EQ(i.name, kName);
    EXPECT_EQ(i.arm_id,
              "/subscriptions/d0cfe6b2-9ac0-4464-9919-dccaee2e48c0/resourceGroups/myRg/providers/"
              "Microsoft.OperationalInsights/workspaces/myWorkspace/providers/Microsoft.SecurityInsights/incidents/" +
                  std::string(kName));
    EXPECT_EQ(i.title, "My incident");
    EXPECT_EQ(i.description, "This is a demo incident");
    EXPECT_EQ(i.severity, "High");
    EXPECT_EQ(i.status, "Closed");
    EXPECT_EQ(i.classification, "FalsePositive");
    EXPECT_EQ(i.classification_comment, "Not a malicious activity");
    EXPECT_EQ(i.owner.object_id, "2046feea-040d-4a46-9e2b-91c2941bfa70");
    EXPECT_EQ(i.owner.email, "john.doe@contoso.com");
    EXPECT_EQ(i.owner.user_principal_name, "john@contoso.com");
    EXPECT_EQ(i.owner.assigned_to, "john doe");
    EXPECT_EQ(i.owner.owner_type, "");
    EXPECT_TRUE(i.labels.empty());
    EXPECT_EQ(i.incident_number, 3177);
    EXPECT_EQ(i.incident_url.rfind("https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident/", 0),
              0u);
    EXPECT_EQ(i.created, at("2019-01-01T13:15:30Z"));
    EXPECT_EQ(i.last_modified, at("2019-01-01T13:15:30Z"));
    EXPECT_EQ(i.first_activity, at("2019-01-01T13:00:30Z"));
    EXPECT_EQ(i.last_activity, at("2019-01-01T13:05:30Z"));
    EXPECT_EQ(i.provider_name, "Azure Sentinel");
    EXPECT_EQ(i.provider_incident_id, "3177");
    EXPECT_TRUE(i.alert_product_names.empty());
    EXPECT_EQ(i.alerts_count, 0);
    EXPECT_EQ(i.comments_count, 3);
}

TEST(SentinelIncident, ParsesGetIncidentsExamplePage) {
    auto body = example_body("GetIncidents.json", "200");
    auto page = parse_incident_page(json::print(body.get()));
    ASSERT_TRUE(page.is_ok()) << page.status().to_string();
    ASSERT_EQ(page->incidents.size(), 1u);
    EXPECT_TRUE(page->warnings.empty());
    EXPECT_FALSE(page->next_link);
    const auto& i = page->incidents[0];
    expect_example_common(i);
    EXPECT_EQ(i.etag, "\"0300bf09-0000-0000-0000-5c37296e0000\"");
    EXPECT_EQ(i.classification_reason, "IncorrectAlertLogic");
    EXPECT_EQ(i.tactics, std::vector<std::string>{"Persistence"});
}

TEST(SentinelIncident, ParsesGetIncidentByIdExample) {
    auto body = example_body("GetIncidentById.json", "200");
    auto i = parse_incident(body.get());
    ASSERT_TRUE(i.is_ok()) << i.status().to_string();
    expect_example_common(*i);
    EXPECT_EQ(i->etag, "\"0300bf09-0000-0000-0000-5c37296e0000\"");
    EXPECT_EQ(i->classification_reason, "InaccurateData");
    EXPECT_EQ(i->tactics, (std::vector<std::string>{"InitialAccess", "Persistence"}));
}

TEST(SentinelIncident, ParsesCreateIncidentExampleResponses) {
    for (const char* status : {"200", "201"}) {
        auto body = example_body("CreateIncident.json", status);
        auto i = parse_incident(body.get());
        ASSERT_TRUE(i.is_ok()) << status << ": " << i.status().to_string();
        expect_example_common(*i);
        EXPECT_EQ(i->etag, "\"0300bf09-0000-0000-0000-5c37296e0001\"") << status;
        EXPECT_EQ(i->classification_reason, "IncorrectAlertLogic");
        EXPECT_TRUE(i->tactics.empty());
    }
}

TEST(SentinelIncident, ReadsLabelsOwnerTypeAndProducts) {
    auto body = example_body("GetIncidentById.json", "200");
    auto parsed = json::parse(R"({"ownerType": "User", "userPrincipalName": "ops@contoso.com"})", "t");
    cJSON_ReplaceItemInObjectCaseSensitive(properties_of(body.get()), "owner", parsed->release());
    auto labels = json::parse(R"([{"labelName": "sirenbox", "labelType": "User"}, {"labelName": "auto",
        "labelType": "AutoAssigned"}])",
                              "t");
    cJSON_ReplaceItemInObjectCaseSensitive(properties_of(body.get()), "labels", labels->release());
    auto products = json::parse(R"(["Azure Sentinel", "Microsoft Defender for Cloud"])", "t");
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(properties_of(body.get()), "additionalData"),
                                           "alertProductNames", products->release());
    auto i = parse_incident(body.get());
    ASSERT_TRUE(i.is_ok()) << i.status().to_string();
    EXPECT_EQ(i->owner.owner_type, "User");
    EXPECT_EQ(i->owner.user_principal_name, "ops@contoso.com");
    EXPECT_EQ(i->owner.object_id, "");
    ASSERT_EQ(i->labels.size(), 2u);
    EXPECT_EQ(i->labels[0].name, "sirenbox");
    EXPECT_EQ(i->labels[0].type, "User");
    EXPECT_EQ(i->labels[1].type, "AutoAssigned");
    EXPECT_EQ(i->alert_product_names, (std::vector<std::string>{"Azure Sentinel", "Microsoft Defender for Cloud"}));
}

struct FieldCase {
    const char* path;                      // as the message must name it
    std::function<void(cJSON*)> break_it;  // applied to the incident object
    const char* expected;                  // "missing" or the type complaint
};

TEST(SentinelIncident, EachBadRequiredFieldHasItsOwnMessage) {
    auto remove = [](const char* key) {
        return [key](cJSON* i) { cJSON_DeleteItemFromObjectCaseSensitive(properties_of(i), key); };
    };
    auto number = [](const char* key) {
        return
            [key](cJSON* i) { cJSON_ReplaceItemInObjectCaseSensitive(properties_of(i), key, cJSON_CreateNumber(3)); };
    };
    const std::vector<FieldCase> cases = {
        {"properties.title", remove("title"), "missing"},
        {"properties.severity", remove("severity"), "missing"},
        {"properties.status", remove("status"), "missing"},
        {"properties.createdTimeUtc", remove("createdTimeUtc"), "missing"},
        {"properties.lastModifiedTimeUtc", remove("lastModifiedTimeUtc"), "missing"},
        {"properties.title", number("title"), "expected string, got number"},
        {"properties.severity", number("severity"), "expected string, got number"},
        {"properties.status",
         [](cJSON* i) { cJSON_ReplaceItemInObjectCaseSensitive(properties_of(i), "status", cJSON_CreateNull()); },
         "expected string, got null"},
        {"properties.createdTimeUtc",
         [](cJSON* i) {
             cJSON_ReplaceItemInObjectCaseSensitive(properties_of(i), "createdTimeUtc",
                                                    cJSON_CreateString("yesterday"));
         },
         "bad timestamp \"yesterday\": expected YYYY-MM-DD"},
        {"properties.lastModifiedTimeUtc", number("lastModifiedTimeUtc"), "expected string, got number"},
        {"properties", [](cJSON* i) { cJSON_DeleteItemFromObjectCaseSensitive(i, "properties"); }, "missing"},
        {"properties", [](cJSON* i) { cJSON_ReplaceItemInObjectCaseSensitive(i, "properties", cJSON_CreateArray()); },
         "expected object, got array"},
    };
    for (const auto& c : cases) {
        auto body = example_body("GetIncidentById.json", "200");
        c.break_it(body.get());
        auto i = parse_incident(body.get());
        ASSERT_FALSE(i.is_ok()) << c.path << " / " << c.expected;
        EXPECT_EQ(i.status().code(), StatusCode::kInvalidArgument);
        EXPECT_EQ(i.status().message(),
                  "sentinel incident '" + std::string(kName) + "': " + c.path + ": " + c.expected);
    }
}

TEST(SentinelIncident, MissingNameIsNamedByArmId) {
    auto body = example_body("GetIncidentById.json", "200");
    cJSON_DeleteItemFromObjectCaseSensitive(body.get(), "name");
    auto i = parse_incident(body.get());
    ASSERT_FALSE(i.is_ok());
    const auto& m = i.status().message();
    EXPECT_NE(m.find("'/subscriptions/d0cfe6b2"), std::string::npos) << m;
    EXPECT_NE(m.find(std::string("incidents/") + kName + "': name: missing"), std::string::npos) << m;

    cJSON_AddStringToObject(body.get(), "name", "");
    auto empty = parse_incident(body.get());
    ASSERT_FALSE(empty.is_ok());
    EXPECT_NE(empty.status().message().find("': name: empty"), std::string::npos) << empty.status().message();
    cJSON_DeleteItemFromObjectCaseSensitive(body.get(), "name");

    cJSON_DeleteItemFromObjectCaseSensitive(body.get(), "id");
    cJSON_AddNumberToObject(body.get(), "name", 7);
    auto j = parse_incident(body.get());
    ASSERT_FALSE(j.is_ok());
    EXPECT_EQ(j.status().message(), "sentinel incident (no name or id): name: expected string, got number");
}

TEST(SentinelIncident, MistypedOptionalFieldsAreDroppedNotFatal) {
    auto body = example_body("GetIncidentById.json", "200");
    cJSON_ReplaceItemInObjectCaseSensitive(properties_of(body.get()), "incidentNumber", cJSON_CreateString("3177"));
    cJSON_ReplaceItemInObjectCaseSensitive(properties_of(body.get()), "description", cJSON_CreateNull());
    cJSON_ReplaceItemInObjectCaseSensitive(properties_of(body.get()), "owner", cJSON_CreateString("john"));
    auto i = parse_incident(body.get());
    ASSERT_TRUE(i.is_ok()) << i.status().to_string();
    EXPECT_EQ(i->incident_number, 0);
    EXPECT_EQ(i->description, "");
    EXPECT_TRUE(i->owner.empty());
}

TEST(SentinelIncident, UnknownStatusAndSeverityAreKeptAndLoggedOnce) {
    std::vector<std::string> lines;
    log::set_sink([&](std::string_view l) { lines.emplace_back(l); });
    for (int round = 0; round < 2; ++round) {
        auto body = example_body("GetIncidentById.json", "200");
        cJSON_ReplaceItemInObjectCaseSensitive(properties_of(body.get()), "status", cJSON_CreateString("Triaged"));
        cJSON_ReplaceItemInObjectCaseSensitive(properties_of(body.get()), "severity", cJSON_CreateString("Critical"));
        auto i = parse_incident(body.get());
        ASSERT_TRUE(i.is_ok()) << i.status().to_string();
        EXPECT_EQ(i->status, "Triaged");
        EXPECT_EQ(i->severity, "Critical");
    }
    log::reset_sink();
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_NE(lines[0].find("status 'Triaged'"), std::string::npos) << lines[0];
    EXPECT_NE(lines[1].find("severity 'Critical'"), std::string::npos) << lines[1];
}

TEST(SentinelIncident, PageThatIsNotJsonOrHasNoValueIsAnError) {
    auto html = parse_incident_page("<html><body>Please log in to the guest Wi-Fi</body></html>");
    ASSERT_FALSE(html.is_ok());
    EXPECT_NE(html.status().message().find("sentinel incidents page: not valid JSON"), std::string::npos);

    auto no_value = parse_incident_page(R"({"nextLink": "https://management.azure.com/x"})");
    ASSERT_FALSE(no_value.is_ok());
    EXPECT_EQ(no_value.status().message(), "sentinel incidents page: value: expected array, got missing");

    auto object_value = parse_incident_page(R"({"value": {}})");
    ASSERT_FALSE(object_value.is_ok());
    EXPECT_EQ(object_value.status().message(), "sentinel incidents page: value: expected array, got object");

    auto array_root = parse_incident_page("[]");
    ASSERT_FALSE(array_root.is_ok());
    EXPECT_EQ(array_root.status().message(), "sentinel incidents page: expected object, got array");
}

TEST(SentinelIncident, BadRecordIsSkippedWithAWarningNamingFieldAndId) {
    auto good = example_body("GetIncidentById.json", "200");
    auto bad = example_body("GetIncidentById.json", "200");
    cJSON_ReplaceItemInObjectCaseSensitive(bad.get(), "name", cJSON_CreateString("bad-one"));
    cJSON_DeleteItemFromObjectCaseSensitive(properties_of(bad.get()), "title");
    auto page = json::object();
    auto value = json::array();
    json::append(value.get(), std::move(bad));
    json::append(value.get(), std::move(good));
    json::append(value.get(), json::Ptr(cJSON_CreateString("not an incident")));
    json::add(page.get(), "value", std::move(value));
    json::add(page.get(), "nextLink", "https://management.azure.com/next?$skipToken=abc");

    auto parsed = parse_incident_page(json::print(page.get()));
    ASSERT_TRUE(parsed.is_ok()) << parsed.status().to_string();
    ASSERT_EQ(parsed->incidents.size(), 1u);
    EXPECT_EQ(parsed->incidents[0].name, kName);
    ASSERT_EQ(parsed->warnings.size(), 2u);
    EXPECT_EQ(parsed->warnings[0], "skipped: sentinel incident 'bad-one': properties.title: missing");
    EXPECT_EQ(parsed->warnings[1], "skipped: sentinel incident: expected object, got string");
    EXPECT_EQ(parsed->next_link, "https://management.azure.com/next?$skipToken=abc");
}

TEST(SentinelIncident, EmptyOrNullNextLinkMeansLastPage) {
    for (const char* body : {R"({"value": [], "nextLink": ""})", R"({"value": [], "nextLink": null})"}) {
        auto page = parse_incident_page(body);
        ASSERT_TRUE(page.is_ok()) << body;
        EXPECT_FALSE(page->next_link) << body;
    }
}

}  // namespace
}  // namespace sirenbox::cloud
