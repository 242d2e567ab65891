// Alarm rows: one row per alarm key, every field of core::Alarm. Lists are JSON arrays of strings; the
// correlation record is JSON too (links: [{"key", "sources": [...]}], folded: [{"key", "updated_ns"}], the time as
// a decimal string since JSON numbers are doubles). And the AlarmBook's "closed elsewhere" memory, one row a key.
#include <sqlite3.h>

#include <charconv>

#include "agent/base/json.hpp"
#include "agent/core/alarm_links.hpp"
#include "agent/store/statement.hpp"
#include "agent/store/transaction.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::store {
namespace {

std::string to_json_array(const std::vector<std::string>& items) {
    json::Ptr array = json::array();
    for (const auto& item : items) json::append(array.get(), json::Ptr(cJSON_CreateString(item.c_str())));
    return json::print(array.get());
}

Result<std::vector<std::string>> strings_of(const cJSON* array, const std::string& what) {
    if (!cJSON_IsArray(array)) {
        return data_loss(what + ": expected a JSON array, found " + std::string(json::type_name(array)));
    }
    std::vector<std::string> items;
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, array) {
        if (!cJSON_IsString(item) || item->valuestring == nullptr) {
            return data_loss(what + ": expected strings, found " + std::string(json::type_name(item)));
        }
        items.emplace_back(item->valuestring);
    }
    return items;
}

Result<std::vector<std::string>> from_json_array(const std::string& text, const std::string& what) {
    auto parsed = json::parse(text, what);
    if (!parsed.is_ok()) return data_loss(parsed.status().message());
    return strings_of(parsed->get(), what);
}

std::string links_json(const std::vector<core::AlarmLink>& links) {
    json::Ptr array = json::array();
    for (const auto& link : links) {
        json::Ptr item = json::object();
        json::add(item.get(), "key", link.key);
        json::Ptr sources = json::array();
        for (const auto& source : link.sources) json::append(sources.get(), json::Ptr(cJSON_CreateString(source.c_str())));
        json::add(item.get(), "sources", std::move(sources));
        json::append(array.get(), std::move(item));
    }
    return json::print(array.get());
}

std::string folded_json(const std::vector<core::FoldedItem>& folded) {
    json::Ptr array = json::array();
    for (const auto& item : folded) {
        json::Ptr entry = json::object();
        json::add(entry.get(), "key", item.key);
        json::add(entry.get(), "updated_ns", std::to_string(item.updated.time_since_epoch().count()));
        if (item.shown) json::add(entry.get(), "shown", true);
        json::add(entry.get(), "severity", std::string(core::to_string(item.severity)));
        json::append(array.get(), std::move(entry));
    }
    return json::print(array.get());
}

// The array in `text`, each element an object, handed to `read`; kDataLoss naming `what` otherwise.
template <class Read>
Status for_each_object(const std::string& text, const std::string& what, Read read) {
    auto parsed = json::parse(text, what);
    if (!parsed.is_ok()) return data_loss(parsed.status().message());
    if (!cJSON_IsArray(parsed->get())) {
        return data_loss(what + ": expected a JSON array, found " + std::string(json::type_name(parsed->get())));
    }
    const cJSON* item = nullptr;
    cJSON_ArrayForEach(item, parsed->get()) {
        auto key = cJSON_IsObject(item) ? json::get_string(item, "key") : std::nullopt;
        if (!key || key->empty()) return data_loss(what + ": expected objects with a \"key\"");
        SB_RETURN_IF_ERROR(read(item, *key));
    }
    return Status::ok();
}

Result<std::vector<core::AlarmLink>> links_from_json(const std::string& text, const std::string& what) {
    std::vector<core::AlarmLink> links;
    Status read = for_each_object(text, what, [&](const cJSON* item, const std::string& key) {
        auto names = strings_of(json::member(item, "sources"), what + " " + key + " sources");
        if (!names.is_ok()) return names.status();
        links.push_back({key, std::move(names).value()});
        return Status::ok();
    });
    if (!read.is_ok()) return read;
    return links;
}

Result<std::vector<core::FoldedItem>> folded_from_json(const std::string& text, const std::string& what) {
    std::vector<core::FoldedItem> folded;
    Status read = for_each_object(text, what, [&](const cJSON* item, const std::string& key) {
        const std::string ns = json::get_string(item, "updated_ns").value_or("");
        long long value = 0;
        auto [end, error] = std::from_chars(ns.data(), ns.data() + ns.size(), value);
        if (ns.empty() || error != std::errc() || end != ns.data() + ns.size()) {
            return data_loss(what + ": " + key + ": updated_ns is not a number of nanoseconds");
        }
        // "shown" and "severity" are absent in records older than merging: not shown, and no more severe than the
        // alarm they are part of.
        const cJSON* shown = json::member(item, "shown");
        const auto severity = core::parse_severity(json::get_string(item, "severity").value_or(""));
        folded.push_back({key, WallTime{} + std::chrono::nanoseconds(value), shown != nullptr && cJSON_IsTrue(shown),
                          severity.value_or(core::Severity::kInformational)});
        return Status::ok();
    });
    if (!read.is_ok()) return read;
    return folded;
}

constexpr const char* kSelectAlarms =
    "SELECT key, source, id, title, severity, state, cloud_status, number, url, owner, products, labels, "
    "created_ns, updated_ns, silenced, description, evidence, related, augmentation, links, folded FROM alarms ORDER BY key";

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
    if (row.is_null(19) || row.is_null(20)) {
        core::derive_correlation_record(alarm);  // written by a build that kept no record
        return alarm;
    }
    auto links = links_from_json(row.text(19), "alarm " + key + " links");
    if (!links.is_ok()) return links.status();
    alarm.links = std::move(links).value();
    auto folded = folded_from_json(row.text(20), "alarm " + key + " folded");
    if (!folded.is_ok()) return folded.status();
    alarm.folded = std::move(folded).value();
    return alarm;
}

}  // namespace

Status Store::upsert_alarm(const core::Alarm& alarm) { return write_alarms({&alarm, 1}, {}); }

Status Store::remove_alarm(std::string_view key) {
    const std::string removed(key);
    return write_alarms({}, {&removed, 1});
}

Status Store::write_alarms(std::span<const core::Alarm> upserts, std::span<const std::string> removals) {
    for (const auto& alarm : upserts) {
        if (alarm.source.empty() || alarm.id.empty()) {
            return fail("upsert_alarm", invalid_argument("alarm \"" + alarm.key() + "\" needs a source and an id"));
        }
    }
    auto txn = Transaction::begin(db_.get());
    if (!txn.is_ok()) return fail("write_alarms", txn.status());
    auto put = Statement::prepare(
        db_.get(),
        "INSERT INTO alarms (key, source, id, title, severity, state, cloud_status, number, url, owner, products, "
        "labels, created_ns, updated_ns, silenced, description, evidence, related, augmentation, links, folded) VALUES "
        "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) ON CONFLICT "
        "(key) DO UPDATE SET source = excluded.source, id = excluded.id, title = "
        "excluded.title, severity = excluded.severity, state = excluded.state, cloud_status = excluded.cloud_status, "
        "number = excluded.number, url = excluded.url, owner = excluded.owner, products = excluded.products, labels = "
        "excluded.labels, created_ns = excluded.created_ns, updated_ns = excluded.updated_ns, silenced = "
        "excluded.silenced, description = excluded.description, evidence = excluded.evidence, related = "
        "excluded.related, augmentation = excluded.augmentation, links = excluded.links, folded = excluded.folded");
    if (!put.is_ok()) return fail("upsert_alarm", put.status());
    for (const auto& alarm : upserts) {
        put->reset();
        put->bind(1, alarm.key())
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
            .bind(19, alarm.augmentation)
            .bind(20, links_json(alarm.links))
            .bind(21, folded_json(alarm.folded));
        Status ran = put->run();
        if (!ran.is_ok()) return fail("upsert_alarm " + alarm.key(), ran);
    }
    auto remove = Statement::prepare(db_.get(), "DELETE FROM alarms WHERE key = ?1");
    if (!remove.is_ok()) return fail("remove_alarm", remove.status());
    for (const auto& key : removals) {
        remove->reset();
        Status ran = remove->bind(1, key).run();
        if (!ran.is_ok()) return fail("remove_alarm " + key, ran);
    }
    Status committed = txn->commit();
    if (!committed.is_ok()) return fail("write_alarms", committed);
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

Status Store::keep_closed_elsewhere(const core::ClosedElsewhereChanges& changes) {
    if (changes.empty()) return Status::ok();
    auto txn = Transaction::begin(db_.get());
    if (!txn.is_ok()) return fail("keep_closed_elsewhere", txn.status());
    auto put = Statement::prepare(db_.get(),
                                  "INSERT INTO closed_elsewhere (key, updated_ns) VALUES (?1, ?2) "
                                  "ON CONFLICT (key) DO UPDATE SET updated_ns = excluded.updated_ns");
    if (!put.is_ok()) return fail("keep_closed_elsewhere", put.status());
    for (const auto& entry : changes.remembered) {
        put->reset();
        Status ran = put->bind(1, entry.key).bind(2, entry.updated).run();
        if (!ran.is_ok()) return fail("keep_closed_elsewhere " + entry.key, ran);
    }
    auto drop = Statement::prepare(db_.get(), "DELETE FROM closed_elsewhere WHERE key = ?1");
    if (!drop.is_ok()) return fail("keep_closed_elsewhere", drop.status());
    for (const auto& key : changes.forgotten) {
        drop->reset();
        Status ran = drop->bind(1, key).run();
        if (!ran.is_ok()) return fail("keep_closed_elsewhere " + key, ran);
    }
    Status committed = txn->commit();
    if (!committed.is_ok()) return fail("keep_closed_elsewhere", committed);
    return Status::ok();
}

Result<std::vector<core::ClosedElsewhere>> Store::load_closed_elsewhere() {
    auto stmt = Statement::prepare(db_.get(), "SELECT key, updated_ns FROM closed_elsewhere ORDER BY key");
    if (!stmt.is_ok()) return fail("load_closed_elsewhere", stmt.status());
    std::vector<core::ClosedElsewhere> memory;
    while (true) {
        auto row = stmt->step();
        if (!row.is_ok()) return fail("load_closed_elsewhere", row.status());
        if (!*row) break;
        memory.push_back({stmt->text(0), stmt->time(1)});
    }
    return memory;
}

}  // namespace sirenbox::store
