// The SIGNL4 events the connector paged (schema step 7): eventId -> alarm key, one row an event.
#include "agent/store/statement.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::store {

Status Store::remember_signl4_event(std::string_view event_id, std::string_view alarm_key, WallTime paged) {
    if (event_id.empty() || alarm_key.empty()) {
        return fail("remember_signl4_event", invalid_argument("empty event id or alarm key"));
    }
    // An event answered twice (a replayed answer) keeps its first alarm: an eventId names one page.
    auto stmt = Statement::prepare(db_.get(),
                                   "INSERT INTO signl4_events (event_id, alarm_key, paged_ns) VALUES (?1, ?2, ?3) "
                                   "ON CONFLICT (event_id) DO NOTHING");
    if (!stmt.is_ok()) return fail("remember_signl4_event", stmt.status());
    Status ran = stmt->bind(1, event_id).bind(2, alarm_key).bind(3, paged).run();
    if (!ran.is_ok()) return fail("remember_signl4_event " + std::string(alarm_key), ran);
    return Status::ok();
}

Result<std::optional<std::string>> Store::signl4_alarm_of_event(std::string_view event_id) {
    if (event_id.empty()) return std::optional<std::string>();
    auto stmt = Statement::prepare(db_.get(), "SELECT alarm_key FROM signl4_events WHERE event_id = ?1");
    if (!stmt.is_ok()) return fail("signl4_alarm_of_event", stmt.status());
    auto row = stmt->bind(1, event_id).step();
    if (!row.is_ok()) return fail("signl4_alarm_of_event " + std::string(event_id), row.status());
    if (!*row) return std::optional<std::string>();
    return std::optional<std::string>(stmt->text(0));
}

Result<std::vector<std::string>> Store::signl4_events_of(std::string_view alarm_key) {
    if (alarm_key.empty()) return fail("signl4_events_of", invalid_argument("empty alarm_key"));
    auto stmt = Statement::prepare(
        db_.get(), "SELECT event_id FROM signl4_events WHERE alarm_key = ?1 ORDER BY paged_ns DESC, event_id");
    if (!stmt.is_ok()) return fail("signl4_events_of", stmt.status());
    stmt->bind(1, alarm_key);
    std::vector<std::string> events;
    for (;;) {
        auto row = stmt->step();
        if (!row.is_ok()) return fail("signl4_events_of " + std::string(alarm_key), row.status());
        if (!*row) return events;
        events.push_back(stmt->text(0));
    }
}

Result<std::optional<WallTime>> Store::signl4_paged_at(std::string_view alarm_key) {
    if (alarm_key.empty()) return fail("signl4_paged_at", invalid_argument("empty alarm_key"));
    auto stmt = Statement::prepare(
        db_.get(), "SELECT paged_ns FROM signl4_events WHERE alarm_key = ?1 ORDER BY paged_ns DESC LIMIT 1");
    if (!stmt.is_ok()) return fail("signl4_paged_at", stmt.status());
    auto row = stmt->bind(1, alarm_key).step();
    if (!row.is_ok()) return fail("signl4_paged_at " + std::string(alarm_key), row.status());
    if (!*row) return std::optional<WallTime>();
    return std::optional<WallTime>(stmt->time(0));
}

}  // namespace sirenbox::store
