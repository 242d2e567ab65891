// The notes passed on from items that mirror alarms (schema step 8): note key -> alarm key, one row a note.
#include "agent/store/statement.hpp"
#include "agent/store/store.hpp"
#include "agent/store/transaction.hpp"

namespace sirenbox::store {

Status Store::remember_mirror_note(std::string_view note_key, std::string_view alarm_key, WallTime relayed) {
    if (note_key.empty() || alarm_key.empty()) {
        return fail("remember_mirror_note", invalid_argument("empty note key or alarm key"));
    }
    auto stmt = Statement::prepare(db_.get(),
                                   "INSERT INTO mirror_notes (note_key, alarm_key, relayed_ns) VALUES (?1, ?2, ?3) "
                                   "ON CONFLICT (note_key) DO NOTHING");
    if (!stmt.is_ok()) return fail("remember_mirror_note", stmt.status());
    Status ran = stmt->bind(1, note_key).bind(2, alarm_key).bind(3, relayed).run();
    if (!ran.is_ok()) return fail("remember_mirror_note " + std::string(note_key), ran);
    return Status::ok();
}

Result<std::vector<std::int64_t>> Store::enqueue_note(const std::vector<OutboxEntry>& entries,
                                                      std::string_view note_key, std::string_view alarm_key,
                                                      WallTime relayed) {
    auto txn = Transaction::begin(db_.get());
    if (!txn.is_ok()) return fail("enqueue_note", txn.status());
    auto ids = insert_entries(entries);
    if (!ids.is_ok()) return ids.status();  // rolled back: neither is stored
    SB_RETURN_IF_ERROR(remember_mirror_note(note_key, alarm_key, relayed));
    Status committed = txn->commit();
    if (!committed.is_ok()) return fail("enqueue_note", committed);
    return ids;
}

Result<bool> Store::mirror_note_relayed(std::string_view note_key) {
    auto stmt = Statement::prepare(db_.get(), "SELECT 1 FROM mirror_notes WHERE note_key = ?1");
    if (!stmt.is_ok()) return fail("mirror_note_relayed", stmt.status());
    auto row = stmt->bind(1, note_key).step();
    if (!row.is_ok()) return fail("mirror_note_relayed " + std::string(note_key), row.status());
    return *row;
}

}  // namespace sirenbox::store
