#include "agent/app/ctl_render.hpp"

#include <cstdio>

#include "agent/base/json.hpp"

namespace sirenbox::app {
namespace {

std::string str(const cJSON* o, const char* key) { return json::get_string(o, key).value_or(""); }
long long num(const cJSON* o, const char* key) { return json::get_integer(o, key).value_or(0); }

// Left-aligned in `width` columns, and always followed by a space: a longer value never runs into the next column.
std::string pad(std::string s, std::size_t width) {
    s.append(s.size() < width ? width - s.size() : 1, ' ');
    return s;
}

// An annunciator: is its picture of the poller current, and what did it refuse. A poller: what it signs.
std::string render_fleet(const cJSON* f) {
    if (json::get_bool(f, "signing") == true) {
        return "fleet: signing for annunciators, boot " + std::to_string(num(f, "boot")) + ", " +
               std::to_string(num(f, "open")) + " open in the roster, " + std::to_string(num(f, "heartbeats")) +
               " heartbeats\n";
    }
    std::string out = "fleet: picture of " + str(f, "source_base_topic") + " " +
                      (json::get_bool(f, "current") == true ? "current" : "STALE");
    if (auto age = json::get_number(f, "heartbeat_age_s")) {
        char line[48];
        std::snprintf(line, sizeof line, ", last heartbeat %.1f s ago", *age);
        out += line;
    }
    out += "; " + std::to_string(num(f, "accepted")) + " accepted, " + std::to_string(num(f, "rejected")) +
           " rejected, " + std::to_string(num(f, "ignored_clears")) + " unsigned clears ignored\n";
    if (!str(f, "reason").empty()) out += "  " + str(f, "reason") + "\n";
    const cJSON* kinds = json::member(f, "rejections");
    for (const cJSON* k = kinds ? kinds->child : nullptr; k; k = k->next) {
        out += "  rejected (" + std::string(k->string) + "): " + std::to_string(static_cast<long long>(k->valuedouble)) + "\n";
    }
    if (!str(f, "last_rejection").empty()) out += "  last rejected: " + str(f, "last_rejection") + "\n";
    return out;
}

// The alarms, those that returned to normal unacknowledged, and the zones whose horns are silenced.
void render_alarms(const cJSON* r, std::string& out) {
    const cJSON* alarms = json::member(r, "alarms");
    if (cJSON_GetArraySize(alarms) == 0) out += "  (none)\n";
    for (const cJSON* a = alarms ? alarms->child : nullptr; a; a = a->next) {
        out += "  " + pad(str(a, "state"), 9) + pad(str(a, "severity"), 14) + pad(str(a, "key"), 50) + str(a, "title");
        if (json::get_bool(a, "first_out") == true) out += "  [first out]";
        if (json::get_bool(a, "silenced") == true) out += "  [silenced]";
        out += "\n";
    }
    const cJSON* returned = json::member(r, "returned");
    for (const cJSON* a = returned ? returned->child : nullptr; a; a = a->next) {
        out += "  " + pad("returned", 9) + pad(str(a, "severity"), 14) + pad(str(a, "key"), 50) + str(a, "title") +
               "  [closed in the cloud while unacknowledged: acknowledge to clear]\n";
    }
    const cJSON* unlit = json::member(r, "in_no_zone");
    for (const cJSON* k = unlit ? unlit->child : nullptr; k; k = k->next) {
        if (cJSON_IsString(k))
            out += "  (" + std::string(k->valuestring) + " is shown in no zone: no lamp lights for it)\n";
    }
    const cJSON* silenced = json::member(r, "silenced_zones");
    for (const cJSON* z = silenced ? silenced->child : nullptr; z; z = z->next) {
        if (cJSON_IsString(z)) out += "  (horns silenced in zone " + std::string(z->valuestring) + ")\n";
    }
}

// What each output shows, and the outbox with its pending and failed entries.
void render_outputs_and_outbox(const cJSON* r, std::string& out) {
    out += "\noutputs:\n";
    const cJSON* patterns = json::member(r, "patterns");
    for (const cJSON* o = patterns ? patterns->child : nullptr; o; o = o->next) {
        out += "  " + pad(o->string, 18) + (cJSON_IsString(o) ? o->valuestring : "?") + "\n";
    }
    const cJSON* outbox = json::member(r, "outbox");
    out += "\noutbox: " + std::to_string(num(outbox, "pending")) + " pending, " + std::to_string(num(outbox, "failed")) +
           " failed, " + std::to_string(num(outbox, "done")) + " done\n";
    const cJSON* entries = json::member(outbox, "entries");
    for (const cJSON* e = entries ? entries->child : nullptr; e; e = e->next) {
        out += "  #" + std::to_string(num(e, "id")) + " " + str(e, "action") + " " + str(e, "alarm") + " -> " +
               str(e, "target") + " (" + str(e, "state") + ", " + std::to_string(num(e, "attempts")) + " attempts)";
        if (!str(e, "last_error").empty()) out += ": " + str(e, "last_error");
        out += "\n";
    }
}

// Each source's health, and the faults that need a technician.
void render_health(const cJSON* r, std::string& out) {
    out += "\nsources:\n";
    const cJSON* sources = json::member(r, "sources");
    if (cJSON_GetArraySize(sources) == 0) out += "  (none enabled)\n";
    for (const cJSON* s = sources ? sources->child : nullptr; s; s = s->next) {
        out += "  " + pad(s->string, 10) + (json::get_bool(s, "healthy") == true ? "healthy" : "UNHEALTHY");
        if (!str(s, "last_ok").empty()) out += ", last good poll " + str(s, "last_ok");
        // "reason" (never empty when unhealthy) from boxes that send it; "last_error" from older ones.
        const std::string why = str(s, "reason").empty() ? str(s, "last_error") : str(s, "reason");
        if (!why.empty()) out += "\n    " + why;
        out += "\n";
    }
    const cJSON* network_faults = json::member(r, "network_faults");
    if (cJSON_GetArraySize(network_faults) > 0) {
        out += "\nnetwork faults (not the credentials; the sources they starve turn unhealthy):\n";
        for (const cJSON* f = network_faults->child; f; f = f->next) {
            if (cJSON_IsString(f)) out += "  network: " + std::string(f->valuestring) + "\n";
        }
    }
    const cJSON* faults = json::member(r, "faults");
    if (cJSON_GetArraySize(faults) > 0) {
        out += "\nFAULTS:\n";
        for (const cJSON* f = faults->child; f; f = f->next) {
            if (cJSON_IsString(f)) out += "  " + std::string(f->valuestring) + "\n";
        }
    }
    if (json::get_bool(r, "fault") == true) out += "\nFAULT: a source is unreachable or a write-back failed for good\n";
}

// The counters: network, pattern driver, fleet, MQTT.
void render_runtime(const cJSON* r, std::string& out) {
    if (const cJSON* n = json::member(r, "network")) {
        out += "\nnetwork: " + std::to_string(num(n, "handshakes")) + " TLS handshakes (" +
               std::to_string(num(n, "resumed_handshakes")) + " resumed), " + std::to_string(num(n, "requests")) +
               " requests, " + std::to_string(num(n, "bytes_sent")) + " bytes sent, " +
               std::to_string(num(n, "bytes_received")) + " received";
        if (json::member(n, "retries")) {
            out += ", " + std::to_string(num(n, "retries")) + " retries, " + std::to_string(num(n, "throttled")) +
                   " throttled";
        }
        if (json::member(n, "clock_skew_s")) out += ", clock skew " + std::to_string(num(n, "clock_skew_s")) + " s";
        out += "\n";
    }
    if (const cJSON* pt = json::member(r, "pattern_driver")) {
        char line[160];
        std::snprintf(line, sizeof line, "patterns: %lld edges, lateness p99 %.2f ms, max %.2f ms%s%s\n",
                      num(pt, "edges"), json::get_number(pt, "lateness_p99_ms").value_or(0),
                      json::get_number(pt, "lateness_max_ms").value_or(0),
                      json::get_bool(pt, "realtime") == true ? ", real-time priority" : "",
                      num(pt, "failures") > 0 ? ", LINE FAILURES" : "");
        out += line;
    }
    if (const cJSON* f = json::member(r, "fleet")) out += render_fleet(f);
    if (const cJSON* m = json::member(r, "mqtt")) {
        out += "mqtt: ";
        out += json::get_bool(m, "enabled") != true ? "off" : json::get_bool(m, "connected") == true ? "connected" : "DISCONNECTED";
        if (json::get_bool(m, "enabled") == true) {
            out += ", " + std::to_string(num(m, "retained_topics")) + " retained topics, " + std::to_string(num(m, "waiting")) +
                   " messages waiting, " + std::to_string(num(m, "refusals")) + " refused and sent again, " +
                   std::to_string(num(m, "events_dropped")) + " events dropped";
        }
        out += "\n";
    }
}

std::string render_status(const cJSON* r) {
    std::string out = "box " + str(r, "box") + "\n\nalarms:\n";
    render_alarms(r, out);
    render_outputs_and_outbox(r, out);
    render_health(r, out);
    render_runtime(r, out);
    return out;
}

std::string render_gpio(const cJSON* r) {
    std::string out;
    const cJSON* lines = json::member(r, "lines");
    for (const cJSON* l = lines ? lines->child : nullptr; l; l = l->next) {
        out += pad(str(l, "role"), 18) + pad(str(l, "name"), 14) + pad(str(l, "direction"), 8) +
               pad(json::get_bool(l, "active") == true ? "ON" : "off", 5) + str(l, "pattern") + "\n";
    }
    return out;
}

}  // namespace

std::string render(const std::string& cmd, const cJSON* reply) {
    if (cmd == "status") return render_status(reply);
    if (cmd == "gpio") return render_gpio(reply);
    if (cmd == "ack" || cmd == "resolve" || cmd == "comment") {
        return str(reply, "action") + ": " + std::to_string(num(reply, "alarms")) + " alarm(s)\n";
    }
    if (cmd == "silence") return "silenced " + std::to_string(num(reply, "silenced")) + " alarm(s)\n";
    if (cmd == "clear-fault") return "cleared " + std::to_string(num(reply, "cleared")) + " fault(s)\n";
    if (cmd == "lamp-test") return "lamp test for " + std::to_string(num(reply, "lamp_test_s")) + " s\n";
    if (cmd == "press") {
        return "pressed " + str(reply, "pressed") + (json::get_bool(reply, "long") == true ? " (long)" : "") + "\n";
    }
    return json::print(reply) + "\n";
}

}  // namespace sirenbox::app
