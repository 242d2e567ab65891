// Alarm rows: one row per alarm key, every field of core::Alarm. Lists are JSON arrays of strings.
#include <sqlite3.h>

#include "agent/base/json.hpp"
#include "agent/store/statement.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::store {
namespace {

std::string to_json_array(const std::vector<std::string>& items) {
    json::Ptr array = json::array();
    for (const auto& item : items) json::append(array.get(), json::Ptr(cJSON_CreateString(item.c_str())));
    return json::print(array.get());
}

Result<std::vector<std::string>> from_json_array(const std::string& text, const std::string& what) {
    auto parsed = json::parse(text, what);
    if (!parsed.is_ok()) return data_loss(parsed.status().message());
    if (!cJSON_IsArray(parsed->get())) {
        return data_loss(what + ": expected a JSON array, found " + std::string(json::type_name(parsed->get())));
    }
    std::vector<std::string> items;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, parsed->get()) {
        if (!cJSON_IsString(item) || item->valuestring == nullptr) {
            return data_loss(what + ": expected strings, found " + std::string(json::type_name(item)));
        }
        items.emplace_back(item->valuestring);
    }
    return items;
}

constexpr const char* kSelectAlarms =
    "SELECT key, source, id, title, severity, state, cloud_status, number, url, owner, products, labels, "
    "created_ns, updated_ns, silenced, description, evidence, related, augmentation FROM alarms ORDER BY key";

Result<core::Alarm> read_alarm(const Statement& row) {
    std::string key = row.text(0);
    core::Alarm alarm;
    alarm.source = row.text(1);
    alarm.id = row.text(2);
    alarm.title = row.text(3);
    auto severity = core::parse_severity(row.text(4));
    if (!severity) return data_loss("alarm " + key + ": unknown severity \"" + row.text(4) + "\"");
    alarm.severity = *severity;
    auto state = core::parse_alarm_state(row.text(5));
    if (!state) return data_loss("alarm " + key + ": unknown state \"" + row.text(5) + "\"");
    alarm.state = *state;
    alarm.cloud_status = row.text(6);
    alarm.number = row.text(7);
    alarm.url = row.text(8);
    alarm.owner = row.text(9);
    auto products = from_json_array(row.text(10), "alarm " + key + " products");
    if (!products.is_ok()) return products.status();
    alarm.products = std::move(products).value();
    auto labels = from_json_array(row.text(11), "alarm " + key + " labels");
    if (!labels.is_ok()) return labels.status();
    alarm.labels = std::move(labels).value();
    alarm.created = row.time(12);
    alarm.updated = row.time(13);
    alarm.silenced = row.int64(14) != 0;
    alarm.description = row.text(15);
    auto evidence = from_json_array(row.text(16), "alarm " + key + " evidence");
    if (!evidence.is_ok()) return evidence.status();
    alarm.evidence = std::move(evidence).value();
    auto related = from_json_array(row.text(17), "alarm " + key + " related");
    if (!related.is_ok()) return related.status();
    alarm.related = std::move(related).value();
    alarm.augmentation = row.text(18);
    return alarm;
}

}  // namespace

Status Store::upsert_alarm(const core::Alarm& alarm) {
    if (alarm.source.empty() || alarm.id.empty()) {
        return fail("upsert_alarm", invalid_argument("alarm \"" + alarm.key() + "\" needs a source and an id"));
    }
    auto stmt = Statement::prepare(
        db_.get(),
        "INSERT INTO alarms (key, source, id, title, severity, state, cloud_status, number, url, owner, products, "
        "labels, created_ns, updated_ns, silenced, description, evidence, related, augmentation) VALUES (?1, ?2, ?3, "
        "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) ON CONFLICT (key) DO UPDATE SET source = excluded.source, id = excluded.id, title = "
        "excluded.title, severity = excluded.severity, state = excluded.state, cloud_status = excluded.cloud_status, "
        "number = excluded.number, url = excluded.url, owner = excluded.owner, products = excluded.products, labels = "
        "excluded.labels, created_ns = excluded.created_ns, updated_ns = excluded.updated_ns, silenced = "
        "excluded.silenced, description = excluded.description, evidence = excluded.evidence, related = "
        "excluded.related, augmentation = excluded.augmentation");
    if (!stmt.is_ok()) return fail("upsert_alarm", stmt.status());
    stmt->bind(1, alarm.key())
        .bind(2, alarm.source)
        .bind(3, alarm.id)
        .bind(4, alarm.title)
        .bind(5, core::to_string(alarm.severity))
        .bind(6, core::to_string(alarm.state))
        .bind(7, alarm.cloud_status)
        .bind(8, alarm.number)
        .bind(9, alarm.url)
        .bind(10, alarm.owner)
        .bind(11, to_json_array(alarm.products))
        .bind(12, to_json_array(alarm.labels))
        .bind(13, alarm.created)
        .bind(14, alarm.updated)
        .bind(15, alarm.silenced ? 1 : 0)
        .bind(16, alarm.description)
        .bind(17, to_json_array(alarm.evidence))
        .bind(18, to_json_array(alarm.related))
        .bind(19, alarm.augmentation);
    Status ran = stmt->run();
    if (!ran.is_ok()) return fail("upsert_alarm " + alarm.key(), ran);
    return Status::ok();
}

Status Store::remove_alarm(std::string_view key) {
    auto stmt = Statement::prepare(db_.get(), "DELETE FROM alarms WHERE key = ?1");
    if (!stmt.is_ok()) return fail("remove_alarm", stmt.status());
    Status ran = stmt->bind(1, key).run();
    if (!ran.is_ok()) return fail("remove_alarm " + std::string(key), ran);
    return Status::ok();
}

Result<std::vector<core::Alarm>> Store::load_alarms() {
    auto stmt = Statement::prepare(db_.get(), kSelectAlarms);
    if (!stmt.is_ok()) return fail("load_alarms", stmt.status());
    std::vector<core::Alarm> alarms;
    while (true) {
        auto row = stmt->step();
        if (!row.is_ok()) return fail("load_alarms", row.status());
        if (!*row) break;
        auto alarm = read_alarm(*stmt);
        if (!alarm.is_ok()) return fail("load_alarms", alarm.status());
        alarms.push_back(std::move(alarm).value());
    }
    return alarms;
}

}  // namespace sirenbox::store
