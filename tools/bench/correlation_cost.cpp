// What correlation costs the core loop when one attack is large: N Graph alerts of one Defender incident folding
// into its incident's alarm, N alerts shown apart and then merged when the incident tying them arrives, the same
// listings again (a poll's overlap), and the outbox entries of one press on the alarm (every item and page).
// Prints the time of each, for N = 1,000 / 4,000 / 10,000.
//   correlation_cost
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/log.hpp"
#include "agent/core/alarm_book.hpp"
#include "agent/core/alarm_links.hpp"
#include "agent/relay/target_route.hpp"

namespace {

using namespace sirenbox;

core::CloudSnapshot item(const std::string& source, const std::string& id, std::vector<std::string> related) {
    core::CloudSnapshot s;
    s.alarm.source = source;
    s.alarm.id = id;
    s.alarm.title = source + " " + id;
    s.alarm.related = std::move(related);
    s.cloud_state = core::AlarmState::kUnacked;
    s.may_raise = true;
    return s;
}

template <typename F>
double seconds(F&& f) {
    const auto start = std::chrono::steady_clock::now();
    f();
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

std::vector<core::CloudSnapshot> alerts(int n, const std::string& incident) {
    std::vector<core::CloudSnapshot> out;
    for (int i = 0; i < n; ++i) {
        const std::string id = "da" + std::to_string(i);
        out.push_back(item("graph", id, {incident, core::provider_alert_link(id)}));
    }
    return out;
}

}  // namespace

int main() {
    log::set_level(log::Level::kWarn);  // one info line per item folded or merged: not what is measured
    const std::string incident = core::defender_incident_link("28282");
    relay::TargetRoutes routes;
    auto own = [](store::ActionKind, const std::string& note, const store::ActionOwner&) { return note; };
    routes["graph"].own = own;
    routes["graph"].correlated = [] { return true; };
    routes["sentinel"].own = own;
    routes["signl4"].mirror = [](const core::Alarm&, store::ActionKind, const std::string& note) {
        return std::optional<std::string>(note);
    };
    std::printf("%8s %14s %14s %14s %14s %10s\n", "alerts", "fold into (s)", "again (s)", "apart+tie (s)", "press (s)",
                "entries");
    for (int n : {1000, 4000, 10000}) {
        const auto listed = alerts(n, incident);
        core::AlarmBook folding;
        folding.apply_cloud(item("sentinel", "inc-1", {incident}));
        const double fold = seconds([&] {
            for (const auto& s : listed) folding.apply_cloud(s);
        });
        const double again = seconds([&] {
            for (const auto& s : listed) folding.apply_cloud(s);
        });
        core::AlarmBook apart;
        const double tie = seconds([&] {
            for (const auto& s : listed) apart.apply_cloud(s);
            apart.apply_cloud(item("sentinel", "inc-1", {incident}));
            (void)apart.take_merged();
        });
        const core::Alarm& alarm = apart.alarms().begin()->second;
        FakeClock clock;
        std::vector<std::string> left_out;
        std::size_t entries = 0;
        const double press = seconds([&] {
            entries = relay::action_entries(routes, alarm,
                                            {.kind = store::ActionKind::kAcknowledge, .origin = "button", .note = "n"},
                                            clock, left_out)
                          .size();
        });
        std::printf("%8d %14.3f %14.3f %14.3f %14.3f %10zu\n", n, fold, again, tie, press, entries);
    }
    return 0;
}
