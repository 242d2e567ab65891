// The annunciator's sections: "outputs" (what every zone shares) and "zones".
#include "agent/config/zones.hpp"

#include <algorithm>
#include <cctype>
#include <set>

#include "agent/base/text.hpp"
#include "agent/config/fields.hpp"

namespace sirenbox::config {
namespace {

const std::vector<std::string> kSeverities{"Informational", "Low", "Medium", "High"};
const std::vector<std::string> kLampPatterns{"steady", "slow_flash", "fast_flash"};
const std::vector<std::string> kHornPatterns{"continuous", "pulse", "temporal3"};

// The severity lists moved into zones; a config written for the single-zone layout gets told where.
template <typename S>
Field<S> moved_to_zones(const char* name) {
    return {name,
            typename Field<S>::Custom([name](const cJSON*, S&, const std::string& path, Problems& problems) {
                problems.add(path, std::string("moved: severity outputs now live in a zone, e.g. zones.main.") + name +
                                       " (docs/configuration.md)");
            }),
            "No longer here: set per zone, under `zones.NAME` (rejected with that hint).",
            0, 0, {}, "—", nullptr};
}

const std::vector<Field<OutputsConfig>> kOutputsFields = {
    {"unacked_pattern", &OutputsConfig::unacked_pattern, "How a lamp shows an unacknowledged alarm.", 0, 0, kLampPatterns},
    {"acked_pattern", &OutputsConfig::acked_pattern, "How a lamp shows an acknowledged alarm.", 0, 0, kLampPatterns},
    {"returned_pattern", &OutputsConfig::returned_pattern,
     "How a lamp shows an alarm that was cleared in the cloud while still unacknowledged (with ring_back).", 0, 0,
     kLampPatterns},
    {"horn_pattern", &OutputsConfig::horn_pattern,
     "Cadence of the horns: continuous, pulse (1 s on, 1 s off) or temporal3 (the ANSI S3.41 evacuation cadence).", 0,
     0, kHornPatterns},
    {"ring_back", &OutputsConfig::ring_back,
     "An alarm cleared in the cloud while unacknowledged keeps its lamps on returned_pattern until acknowledged at the "
     "box (ISA-18.2 return to normal, unacknowledged); false: they go out at once."},
    {"fault", &OutputsConfig::fault,
     "Output lit while something needs a technician: a source unreachable for fault_after_s, credentials rejected, "
     "a wrong clock, or a write-back that failed for good (empty: none)."},
    {"fault_after_s", &OutputsConfig::fault_after_s, "How long a source may be unreachable before the fault output lights, seconds.", 0, 86400},
    {"lamp_test_s", &OutputsConfig::lamp_test_s, "How long a lamp test lights every lamp, seconds.", 1, 60},
    {"boot_lamp_test", &OutputsConfig::boot_lamp_test,
     "Run a lamp test when the daemon starts, before the alarms restored from the store are shown."},
    {"realtime_priority", &OutputsConfig::realtime_priority,
     "SCHED_FIFO priority of the thread that flashes the outputs, so a busy board does not stretch a flash "
     "(docs/performance.md). Needs CAP_SYS_NICE (the systemd unit grants it); without, it runs at normal priority "
     "and says so once. 0: normal priority.",
     0, 99},
    {"silence_s", &OutputsConfig::silence_s,
     "How long silence mutes the horns, seconds. The alarms stay unacknowledged, and a new alarm ends the silence.", 10, 86400},
    moved_to_zones<OutputsConfig>("High"),
    moved_to_zones<OutputsConfig>("Medium"),
    moved_to_zones<OutputsConfig>("Low"),
    moved_to_zones<OutputsConfig>("Informational"),
    moved_to_zones<OutputsConfig>("all_clear"),
};

const std::vector<Field<EscalationConfig>> kEscalationFields = {
    {"after_s", &EscalationConfig::after_s, "Seconds an alarm has waited unacknowledged before this rung joins in.", 0, 86400},
    {"min_severity", &EscalationConfig::min_severity, "Least severe alarm this rung applies to.", 0, 0, kSeverities},
    {"outputs", &EscalationConfig::outputs, "Outputs added: horns sound with horn_pattern, lamps show unacked_pattern."},
};

void read_escalation(const cJSON* value, ZoneConfig& out, const std::string& path, Problems& problems) {
    if (!cJSON_IsArray(value)) return detail::report_type(problems, path, "an array of {\"after_s\", \"outputs\"}", value);
    int index = 0;
    for (const cJSON* item = value->child; item != nullptr; item = item->next, ++index) {
        const std::string item_path = path + "[" + std::to_string(index) + "]";
        EscalationConfig step;
        read_section<EscalationConfig>(item, item_path, step, kEscalationFields, problems);
        if (cJSON_IsObject(item) && cJSON_GetObjectItemCaseSensitive(item, "after_s") == nullptr) {
            problems.add(item_path + ".after_s", "required");
        }
        if (cJSON_IsObject(item) && step.outputs.empty()) problems.add(item_path + ".outputs", "must name at least one output");
        out.escalation.push_back(std::move(step));
    }
}

const std::vector<Field<ZoneConfig>> kZoneFields = {
    {"min_severity", &ZoneConfig::min_severity, "Least severe alarm this zone shows.", 0, 0, kSeverities},
    {"sources", &ZoneConfig::sources, "Only alarms of these sources; empty: all."},
    {"products", &ZoneConfig::products,
     "Only alarms from one of these products (friendly names as in MQTT, e.g. \"Microsoft Defender for Endpoint\"; "
     "case ignored); empty: all."},
    {"labels", &ZoneConfig::labels, "Only alarms carrying one of these labels (case ignored); empty: all."},
    {"exclude_sources", &ZoneConfig::exclude_sources,
     "Never alarms of these sources. Every exclusion wins over the inclusions above; an alarm no zone shows is "
     "logged and listed under `in_no_zone` in status (docs/operations.md)."},
    {"exclude_products", &ZoneConfig::exclude_products,
     "Never alarms from one of these products (whole friendly names, case ignored, as `products`): a noisy product."},
    {"exclude_labels", &ZoneConfig::exclude_labels,
     "Never alarms carrying one of these labels (whole labels, case ignored, as `labels`)."},
    {"exclude_titles", &ZoneConfig::exclude_titles,
     "Never alarms whose title fits one of these patterns: the whole title, case ignored, `*` any run of characters, "
     "`?` one character, e.g. \"*test alert*\" or \"Simulated *\". Globs, not regular expressions: what an operator "
     "writes at a shell, with nothing to escape and no pattern that takes long to match."},
    {"High", &ZoneConfig::high, "Outputs an alarm of severity High drives."},
    {"Medium", &ZoneConfig::medium, "Outputs an alarm of severity Medium drives."},
    {"Low", &ZoneConfig::low, "Outputs an alarm of severity Low drives."},
    {"Informational", &ZoneConfig::informational, "Outputs an alarm of severity Informational drives."},
    {"all_clear", &ZoneConfig::all_clear,
     "Output lit while every source is reachable and nothing in this zone is unacknowledged (empty: none)."},
    {"escalation",
     Field<ZoneConfig>::Custom(read_escalation),
     "Ladder for alarms left unacknowledged: [{\"after_s\": 120, \"outputs\": [\"siren\"]}, {\"after_s\": 600, "
     "\"outputs\": [\"siren_2\"]}].",
     0,
     0,
     {},
     "array of objects",
     "[]"},
    {"button_ack", &ZoneConfig::button_ack,
     "Input whose short press acknowledges, and long press resolves, this zone's alarms (empty: none)."},
    {"button_silence", &ZoneConfig::button_silence, "Input that silences this zone's horns (empty: none)."},
    {"button_lamp_test", &ZoneConfig::button_lamp_test, "Input that lamp-tests this zone's outputs (empty: none)."},
    {"owner_upn", &ZoneConfig::owner_upn,
     "Owner set on acknowledgements made in this zone (Sentinel owner, Graph assignedTo), over sentinel.owner_upn "
     "and graph.assign_to. Empty: those."},
    {"owner_object_id", &ZoneConfig::owner_object_id,
     "Entra object id set as Sentinel owner for acknowledgements made here."},
};

// A zone's keys, `sources` naming the alarm sources the clouds make (CloudSchema::sources).
std::vector<Field<ZoneConfig>> zone_fields(const std::vector<std::string>& sources) {
    std::vector<Field<ZoneConfig>> fields = kZoneFields;
    for (auto& field : fields) {
        const std::string_view name = field.name;
        if (name == "sources" || name == "exclude_sources") field.choices = sources;
    }
    return fields;
}

bool is_blank(const std::string& s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; });
}

// Whether every entry of `let_in` is in `excluded` (case ignored): nothing passes both.
bool excludes_all(const std::vector<std::string>& excluded, const std::vector<std::string>& let_in) {
    return !let_in.empty() && std::all_of(let_in.begin(), let_in.end(), [&](const std::string& in) {
        return std::any_of(excluded.begin(), excluded.end(),
                           [&](const std::string& ex) { return equals_ignore_case(ex, in); });
    });
}

void check_no_blank(const std::vector<std::string>& entries, const std::string& path, Problems& problems) {
    for (std::size_t i = 0; i < entries.size(); ++i) {
        if (is_blank(entries[i]))
            problems.add(path + "[" + std::to_string(i) + "]", "empty: it names nothing to exclude");
    }
}

// An exclusion must leave the zone something to show: a zone that can show nothing is a mistake that keeps its
// lamps dark without a word (an alarm it was meant for is then shown by no zone, or by another).
void check_exclusions(const ZoneConfig& zone, const std::string& path, const std::vector<std::string>& sources,
                      Problems& problems) {
    check_no_blank(zone.exclude_sources, path + ".exclude_sources", problems);
    check_no_blank(zone.exclude_products, path + ".exclude_products", problems);
    check_no_blank(zone.exclude_labels, path + ".exclude_labels", problems);
    check_no_blank(zone.exclude_titles, path + ".exclude_titles", problems);
    const auto& let_in = zone.sources.empty() ? sources : zone.sources;
    if (excludes_all(zone.exclude_sources, let_in)) {
        problems.add(path + ".exclude_sources", "excludes every source this zone takes (" + detail::quote_list(let_in) +
                                                    "): it would show nothing");
    }
    if (excludes_all(zone.exclude_products, zone.products)) {
        problems.add(path + ".exclude_products", "excludes every product in its products: it would show nothing");
    }
    if (excludes_all(zone.exclude_labels, zone.labels)) {
        problems.add(path + ".exclude_labels", "excludes every label in its labels: it would show nothing");
    }
    for (std::size_t i = 0; i < zone.exclude_titles.size(); ++i) {
        const std::string& pattern = zone.exclude_titles[i];
        const bool only_stars = !pattern.empty() && pattern.find_first_not_of('*') == std::string::npos;
        if (only_stars) {
            problems.add(path + ".exclude_titles[" + std::to_string(i) + "]",
                         "\"" + pattern + "\" fits every title: the zone would show nothing");
        }
    }
}

bool is_zone_name(const std::string& s) {
    return !s.empty() && s.size() <= 32 && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

bool is_board_role(const std::vector<std::string>& roles, const std::string& role) {
    return std::find(roles.begin(), roles.end(), role) != roles.end();
}

// An output a zone may drive: a board role, or a custom role wired in gpio.lines (not a button).
void check_output(const Config& c, const std::string& role, const std::string& path, std::set<std::string>& used,
                  Problems& problems) {
    used.insert(role);
    if (is_board_role(output_roles(), role)) return;
    if (role.rfind("button_", 0) == 0) return problems.add(path, "\"" + role + "\" is a button, not an output");
    if (c.gpio.lines.count(role) == 0) {
        problems.add(path, "unknown output \"" + role + "\": not one of " + detail::choices_text(output_roles()) +
                               ", nor wired in gpio.lines");
    }
}

void check_button(const Config& c, const std::string& role, const std::string& path, std::set<std::string>& used,
                  Problems& problems) {
    if (role.empty()) return;
    used.insert(role);
    if (is_board_role(input_roles(), role)) return;
    if (role.rfind("button_", 0) != 0) return problems.add(path, "button roles start with \"button_\", got \"" + role + "\"");
    if (c.gpio.lines.count(role) == 0) problems.add(path, "unknown button \"" + role + "\": wire it in gpio.lines");
}

void check_outputs(const Config& c, const std::vector<std::string>& roles, const std::string& path,
                   std::set<std::string>& used, Problems& problems) {
    for (std::size_t i = 0; i < roles.size(); ++i) check_output(c, roles[i], path + "[" + std::to_string(i) + "]", used, problems);
}

}  // namespace

void read_zones(const cJSON* section, const std::vector<std::string>& sources, Config& out, Problems& problems) {
    if (section == nullptr) return;  // the default: one zone, "main"
    const auto fields = zone_fields(sources);
    out.zones.clear();
    if (!cJSON_IsObject(section) || section->child == nullptr) {
        return detail::report_type(problems, "zones", "an object with at least one zone", section);
    }
    for (const cJSON* item = section->child; item != nullptr; item = item->next) {
        const std::string name = item->string ? item->string : "";
        const std::string path = "zones." + name;
        if (!is_zone_name(name)) problems.add(path, "zone names are 1–32 letters, digits, '-' or '_'");
        ZoneConfig zone;
        read_section<ZoneConfig>(item, path, zone, fields, problems);
        check_exclusions(zone, path, sources, problems);
        out.zones[name] = std::move(zone);
    }
}

void read_outputs(const cJSON* section, Config& out, Problems& problems) {
    read_section<OutputsConfig>(section, "outputs", out.outputs, kOutputsFields, problems);
}

void validate_zones(const Config& c, Problems& problems) {
    std::set<std::string> used;
    if (!c.outputs.fault.empty()) check_output(c, c.outputs.fault, "outputs.fault", used, problems);
    for (const auto& [name, zone] : c.zones) {
        const std::string path = "zones." + name;
        check_outputs(c, zone.high, path + ".High", used, problems);
        check_outputs(c, zone.medium, path + ".Medium", used, problems);
        check_outputs(c, zone.low, path + ".Low", used, problems);
        check_outputs(c, zone.informational, path + ".Informational", used, problems);
        if (!zone.all_clear.empty()) check_output(c, zone.all_clear, path + ".all_clear", used, problems);
        for (std::size_t i = 0; i < zone.escalation.size(); ++i) {
            check_outputs(c, zone.escalation[i].outputs, path + ".escalation[" + std::to_string(i) + "].outputs", used,
                          problems);
        }
        check_button(c, zone.button_ack, path + ".button_ack", used, problems);
        check_button(c, zone.button_silence, path + ".button_silence", used, problems);
        check_button(c, zone.button_lamp_test, path + ".button_lamp_test", used, problems);
    }
    for (const auto& [role, line] : c.gpio.lines) {
        const bool board = is_board_role(output_roles(), role) || is_board_role(input_roles(), role);
        if (!board && used.count(role) == 0) {
            problems.add("gpio.lines." + role, "wired but used by no zone, button or outputs.fault");
        }
    }
}

std::string zones_reference(const std::vector<std::string>& sources) {
    std::string out;
    out += "### outputs\n\nWhat every zone shares: the ISA-18.2 sequence (docs/architecture.md), silence, lamp test "
           "and the fault output. Roles starting with `siren` or `horn` are horns: they sound for unacknowledged, "
           "unsilenced alarms only.\n\n";
    append_reference_table(out, "outputs", kOutputsFields);
    out += "### zones\n\nPlaces with their own outputs and buttons, keyed by name: `{\"noc\": {...}, \"hall2\": {...}}`. "
           "Without this section the box has one zone, `main`, with the defaults below. An alarm lights every zone "
           "whose filter it passes; a zone's buttons act on that zone's alarms only.\n\n";
    append_reference_table(out, "zones.NAME", zone_fields(sources));
    out += "#### zones.NAME.escalation[]\n\n";
    append_reference_table(out, "zones.NAME.escalation[]", kEscalationFields);
    return out;
}

}  // namespace sirenbox::config
