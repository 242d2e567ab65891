#include "agent/store/outbox_entry.hpp"

namespace sirenbox::store {

std::string_view to_string(ActionKind k) {
    switch (k) {
        case ActionKind::kAcknowledge:
            return "acknowledge";
        case ActionKind::kResolve:
            return "resolve";
        case ActionKind::kComment:
            return "comment";
        case ActionKind::kRaise:
            return "raise";
    }
    return "acknowledge";
}

std::string_view to_string(EntryState s) {
    switch (s) {
        case EntryState::kPending:
            return "pending";
        case EntryState::kDone:
            return "done";
        case EntryState::kFailed:
            return "failed";
    }
    return "pending";
}

bool parse_action_kind(std::string_view text, ActionKind& out) {
    for (ActionKind k : {ActionKind::kAcknowledge, ActionKind::kResolve, ActionKind::kComment, ActionKind::kRaise}) {
        if (text == to_string(k)) {
            out = k;
            return true;
        }
    }
    return false;
}

bool parse_entry_state(std::string_view text, EntryState& out) {
    for (EntryState s : {EntryState::kPending, EntryState::kDone, EntryState::kFailed}) {
        if (text == to_string(s)) {
            out = s;
            return true;
        }
    }
    return false;
}

}  // namespace sirenbox::store
