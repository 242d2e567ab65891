// What people do in a mirror (a SIGNL4 alert paging about an alarm) that the alarm's own source should hear of:
// the notes they add there, passed on as comments once each (also after a restart), and who acknowledged or closed.
#include "agent/app/core_loop.hpp"
#include "agent/base/log.hpp"
#include "agent/store/store.hpp"

namespace sirenbox::app {

std::string CoreLoop::person_in(const std::string& mirror, const std::string& person, store::ActionOwner* owner) const {
    if (person.empty()) return "";
    auto route = deps_.source_routes.find(mirror);
    if (route == deps_.source_routes.end()) return person;
    const std::string upn = route->second.entra_upn_of ? route->second.entra_upn_of(person) : "";
    if (upn.empty()) return route->second.title + " user " + person;
    if (owner != nullptr) *owner = {.upn = upn, .object_id = "", .acted = true};
    return upn;
}

bool CoreLoop::is_own_note(const std::string& text) const {
    // Without signl4.user_id the box's own annotations carry no mark but their wording (note_for, pass-ons):
    // passed back they would come round as comments about the box's own comments.
    const std::string& box = deps_.config.box.name;
    auto starts = [&](const std::string& head) { return text.rfind(head, 0) == 0; };
    const bool tail =
        !text.empty() && text.back() == ')' &&
        (text.find(" (" + box + ", ") != std::string::npos || text.find(" (" + box + " / ") != std::string::npos ||
         text.find("(via " + box + ")") != std::string::npos);
    return starts("Acknowledged at " + box) || starts("Resolved at " + box) || tail;
}

bool CoreLoop::pass_on_notes(const std::string& mirror, const core::CloudSnapshot& snapshot) {
    if (snapshot.notes.empty() || snapshot.mirrors.empty()) return false;
    auto route = deps_.source_routes.find(mirror);
    const core::Alarm* shown = book_.find(snapshot.mirrors);
    // Not on the box (any more): there is no alarm to comment on, and nothing is remembered for it.
    if (route == deps_.source_routes.end() || shown == nullptr) return false;
    const core::Alarm alarm = *shown;
    bool queued = false;
    for (const auto& note : snapshot.notes) {
        auto relayed = deps_.store.mirror_note_relayed(note.key);
        if (!relayed.is_ok()) {
            SB_LOG(kError, "core") << relayed.status().message();  // asked again when the item is listed again
            continue;
        }
        if (*relayed) continue;
        std::vector<store::OutboxEntry> entries;
        const std::string who = person_in(mirror, note.by, nullptr);
        const std::string text = "Note in " + route->second.title + (who.empty() ? "" : " by " + who) + ": " +
                                 note.text + " (via " + deps_.config.box.name + ")";
        if (!is_own_note(note.text)) {
            entries = entries_for(
                alarm, {.kind = store::ActionKind::kComment, .origin = mirror, .note = text, .skip_target = mirror});
        }
        // The entries and the note's memory in one transaction: a stop between them neither loses nor doubles it.
        auto ids = deps_.store.enqueue_note(entries, note.key, alarm.key(), deps_.clock.wall_now());
        if (!ids.is_ok()) {
            SB_LOG(kError, "core") << alarm.key() << ": note " << note.key
                                   << " not passed on yet: " << ids.status().message();
            continue;
        }
        if (entries.empty()) continue;
        SB_LOG(kInfo, "core") << alarm.key() << ": " << text << "; passing it on as a comment";
        queued = true;
    }
    if (queued) refresh_outbox_counts();
    return queued;
}

}  // namespace sirenbox::app
