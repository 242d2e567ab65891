// Issue 17 point 3, for real: what people do in the SIGNL4 app on the alert that pages about a Sentinel incident
// reaches the incident. Their annotations become comments, once each, also after a restart of the daemon (the box's
// own annotations do not come back); who acknowledged is named, as the owner with signl4.user_map, else in the
// comment.
#include <csignal>

#include "tests/integration/signl4_fixture.hpp"

namespace sirenbox {
namespace {

class Signl4NotesIntegration : public Signl4Integration {
  protected:
    // The messages of the comments the box PUT on Sentinel incidents so far, in order.
    std::vector<std::string> sentinel_comments() {
        std::vector<std::string> out;
        auto log = sim_->requests();
        const cJSON* list = json::member(log.get(), "requests");
        for (const cJSON* r = list ? list->child : nullptr; r; r = r->next) {
            const std::string path = json::get_string(r, "path").value_or("");
            if (json::get_string(r, "method") != "PUT" || path.find("/comments/") == std::string::npos) continue;
            out.push_back(
                json::get_string(json::member(json::member(r, "body"), "properties"), "message").value_or(""));
        }
        return out;
    }
    long long comments_saying(const std::string& message) {
        const auto all = sentinel_comments();
        return std::count(all.begin(), all.end(), message);
    }
    std::string listed_comments() {
        std::string text;
        for (const auto& c : sentinel_comments()) text += "\n  " + c;
        return text;
    }
    // A Sentinel incident, lit and paged; returns its SIGNL4 alert id.
    std::string paged_incident(const std::string& title, std::string* key) {
        auto incident = sim_->create_incident(R"({"title": ")" + title + R"(", "severity": "High", "status": "New"})");
        *key = "sentinel:" + json::get_string(incident.get(), "name").value_or("");
        EXPECT_TRUE(lit_exactly({"lamp_red", "siren"})) << daemon_->output();
        EXPECT_TRUE(testing::wait_until([&] { return signl4_alerts_for(*key).size() == 1; })) << daemon_->output();
        const auto alerts = signl4_alerts_for(*key);
        return alerts.empty() ? "" : alerts[0];
    }
    void annotate(const std::string& alert_id, const std::string& user, const std::string& text) {
        sim_->call("POST", "/_sim/signl4/alerts/" + alert_id + "/annotate",
                   R"({"user": ")" + user + R"(", "text": ")" + text + R"("})");
    }
};

TEST_F(Signl4NotesIntegration, AnnotationsBecomeCommentsOnceEachAlsoAfterARestart) {
    start_daemon();
    std::string key;
    const std::string alert_id = paged_incident("Valve 4 pressure", &key);
    ASSERT_FALSE(alert_id.empty());
    const std::string first = "Note in SIGNL4 by SIGNL4 user u-anna: Closed valve 4 by hand (via Test wall)";
    annotate(alert_id, "u-anna", "Closed valve 4 by hand");
    ASSERT_TRUE(testing::wait_until([&] { return comments_saying(first) == 1; }, std::chrono::milliseconds(30000)))
        << listed_comments() << daemon_->output();

    // The box's own comment reaches SIGNL4 as an annotation; listed back, it is not passed on again.
    ASSERT_EQ(ctl({"comment", key, "Checked", "on", "site"}).exit_code, 0);
    const std::string later = "Note in SIGNL4 by SIGNL4 user u-ben: Pressure back to normal (via Test wall)";
    ASSERT_TRUE(testing::wait_until([&] { return outbox("pending") == 0; })) << daemon_->output();
    annotate(alert_id, "u-ben", "Pressure back to normal");
    ASSERT_TRUE(testing::wait_until([&] { return comments_saying(later) == 1; }, std::chrono::milliseconds(30000)))
        << listed_comments() << daemon_->output();
    for (const auto& comment : sentinel_comments()) {
        EXPECT_EQ(comment.find("Note in SIGNL4 by SIGNL4 user on-call"), std::string::npos) << listed_comments();
        EXPECT_FALSE(comment.rfind("Note in SIGNL4", 0) == 0 && comment.find("Checked on site") != std::string::npos)
            << "the box's own annotation came back:" << listed_comments();
    }

    // A restart: the first poll lists the alert again (its overlap), with both annotations.
    ASSERT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->output();
    start_daemon();
    const std::string after = "Note in SIGNL4 by SIGNL4 user u-anna: Leaving site (via Test wall)";
    annotate(alert_id, "u-anna", "Leaving site");
    ASSERT_TRUE(testing::wait_until([&] { return comments_saying(after) == 1; }, std::chrono::milliseconds(30000)))
        << listed_comments() << daemon_->output();
    EXPECT_EQ(comments_saying(first), 1) << "passed on again after the restart:" << listed_comments();
    EXPECT_EQ(comments_saying(later), 1) << listed_comments();
    EXPECT_EQ(outbox("failed"), 0);
    EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->output();
}

TEST_F(Signl4NotesIntegration, WhoAcknowledgedInTheAppOwnsTheIncidentWithAUserMap) {
    signl4_extra_ = R"(, "user_map": {"U-ANNA": "anna@contoso.com"})";
    start_daemon();
    std::string key;
    const std::string alert_id = paged_incident("Lateral movement from WS-12", &key);
    ASSERT_FALSE(alert_id.empty());
    ASSERT_TRUE(testing::wait_until([&] { return outbox("done") == 1 && outbox("pending") == 0; }))
        << daemon_->output();
    sim_->call("POST", "/_sim/signl4/alerts/" + alert_id + "/acknowledge", R"({"user": "u-anna"})");
    ASSERT_TRUE(lit_exactly({"lamp_red", "lamp_green"})) << daemon_->output();
    const std::string note = "Acknowledged in SIGNL4 by anna@contoso.com (via Test wall)";
    ASSERT_TRUE(testing::wait_until([&] { return comments_saying(note) == 1; }, std::chrono::milliseconds(30000)))
        << listed_comments() << daemon_->output();
    const std::string name_of_incident = key.substr(std::string("sentinel:").size());
    auto incident = sim_->get_incident(name_of_incident);
    const cJSON* props = json::member(incident.get(), "properties");
    EXPECT_EQ(json::get_string(props, "status"), "Active");
    EXPECT_EQ(json::get_string(json::member(props, "owner"), "userPrincipalName"), "anna@contoso.com")
        << "mapped (ids compare without regard to case): the owner";
    EXPECT_EQ(daemon_->stop(SIGTERM), 0) << daemon_->output();
}

}  // namespace
}  // namespace sirenbox
