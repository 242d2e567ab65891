#pragma once

#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <variant>

#include "agent/base/json.hpp"
#include "agent/base/message_queue.hpp"
#include "agent/config/config.hpp"
#include "agent/core/alarm_book.hpp"
#include "agent/core/announcements.hpp"
#include "agent/core/commands.hpp"
#include "agent/core/annunciator.hpp"
#include "agent/core/health.hpp"
#include "agent/core/panel.hpp"
#include "agent/relay/target_route.hpp"
#include "agent/sources/source_batch.hpp"
#include "agent/sources/source_route.hpp"
#include "agent/store/outbox_backlog.hpp"
#include "agent/store/outbox_entry.hpp"
#include "hal/pattern.hpp"
#include "hal/press_detector.hpp"

namespace sirenbox::broker {
class CommandVerifier;
}  // namespace sirenbox::broker

namespace sirenbox::app {

/// A classified press of a board button.
struct ButtonEvent {
    std::string role;  // "button_ack"
    hal::Press press;
};

/// A request from the control socket that needs the alarm state; answered through `reply`.
struct ControlCall {
    std::string cmd;    // "status", or a core::commands() name ("ack" for short)
    std::string alarm;  // "all" or an alarm key, for ack / resolve / comment
    std::string text;   // comment text
    std::shared_ptr<std::promise<std::string>> reply;
};

/// A message on a command topic, as received (checked by the core loop, which owns the verifier).
struct MqttCommand {
    std::string topic;
    std::string payload;
};

/// A fault found outside the loop (core/health.hpp).
using FaultReport = core::FaultReport;
using core::token_fault_reports;

struct RelayProgress {};
/// The broker connection came (back): republish every alarm's retained state.
struct BrokerConnected {};
struct StopRequest {};

using CoreMessage = std::variant<sources::SourceBatch, sources::SourceProgress, ButtonEvent, ControlCall, MqttCommand,
                                 FaultReport, RelayProgress, BrokerConnected, StopRequest>;
/// The core loop's inbox. It exists before the core loop does (DaemonParts::inbox), so every callback wired while
/// the daemon is built posts into something real, whatever fires first.
using CoreInbox = MessageQueue<CoreMessage>;

/// What the core loop drives and reads; all owned elsewhere and outliving the loop.
struct CoreDeps {
    const config::Config& config;
    store::Store& store;                      // the core loop's own connection
    store::DiskReserve* reserve = nullptr;    // room freed when the disk fills
    std::vector<std::string> output_roles{};  // every output wired, for lamp tests
    /// Hands the pattern of every output that is not off to the pattern driver (called on changes only).
    std::function<void(const std::map<std::string, hal::Pattern>&)> show_outputs{};
    const Clock& clock;
    std::vector<std::string> sources{};  // enabled sources, for health
    /// The hooks of sources whose items mirror other sources' alarms (sources::SourceRoute): what their changes
    /// pass on, and which of their items are the box's own pages.
    sources::SourceRoutes source_routes{};
    /// Every write-back target and how it takes actions and pages (relay::TargetRoute): payloads are built when
    /// the action is taken, from the action and its note ("Acknowledged at NOC wall by button", or a comment).
    relay::TargetRoutes targets{};
    std::function<void()> wake_relay{};                // new outbox entries
    /// What the panel tells the world (broker::Announcer over MQTT); null: nothing (MQTT off).
    core::Announcements* announce = nullptr;
    broker::CommandVerifier* commands = nullptr;  // MQTT commands, when enabled; answered through `announce`
    /// Network, panel and broker figures for status: counters only (atomics or locks never held across I/O).
    std::function<void(cJSON* status)> add_runtime_status{};
    /// Annunciators: actions go to the polling box instead of the outbox; its MQTT states come back.
    std::function<Status(store::ActionKind, const std::string& selector, const std::string& text)> forward_action{};
    /// systemd's notifications (ServiceNotifier): the summary's status line whenever it changes, and a watchdog
    /// ping from the loop itself at least every `watchdog_every`, so a loop that hangs stops pinging. Unset: none.
    std::function<void(const core::Summary& summary)> tell_status{};
    std::function<void()> watchdog_ping{};
    std::optional<std::chrono::milliseconds> watchdog_every{};
};

/// The one thread that owns the AlarmBook (architecture.md): pollers, buttons, the control socket and
/// the relay worker only post messages; this loop applies them, then drives outputs, MQTT and the store.
class CoreLoop {
  public:
    /// Batches at least this large are followed by returning freed heap memory to the system.
    static constexpr std::size_t kLargeBatch = 50;
    /// A poll that brought nothing stores its source's watermark only when the stored one is this old: a poll
    /// every few seconds would otherwise commit (and fsync) the same row forever, wearing the SD card. An older
    /// stored watermark only makes the first poll after a restart ask a little further back (docs/sources.md).
    static constexpr std::chrono::minutes kIdleWatermarkEvery{10};

    /// `inbox`: where post() puts messages and run() takes them from; a fresh one when null (tests).
    explicit CoreLoop(CoreDeps deps, std::shared_ptr<CoreInbox> inbox = nullptr);

    /// Thread-safe.
    void post(CoreMessage message) { inbox_->push(std::move(message)); }

    /// Restores alarms from the store and shows them; call before run().
    void restore();
    /// Runs until a StopRequest arrives.
    void run();

    // Handlers, public for tests that drive the loop without threads.
    void handle(sources::SourceBatch& batch);
    void handle(const ButtonEvent& event);
    std::string handle_command(const ControlCall& call);
    void handle(const MqttCommand& command);
    void handle(const FaultReport& report);
    void handle(const sources::SourceProgress& progress);
    /// Timers: the end of a silence or lamp test, an escalation rung, a source unreachable long enough
    /// to light the fault output.
    void on_timer();
    /// The relay worker finished deliveries: outbox counts and the fault output follow.
    void on_relay_progress();
    [[nodiscard]] std::optional<SteadyTime> next_deadline() const;

    [[nodiscard]] const core::AlarmBook& book() const { return book_; }
    [[nodiscard]] const core::Annunciator& annunciator() const { return annunciator_; }
    /// The patterns last handed to the outputs (roles not listed are off).
    [[nodiscard]] const std::map<std::string, hal::Pattern>& shown() const { return shown_; }

    /// Acknowledges, resolves or comments on the alarms `selector` names ("all" or a key): the outbox
    /// entries are committed first (durable), then the local state, outputs and MQTT follow. Returns how
    /// many alarms it acted on, kNotFound when the selector names none, or the store error.
    /// Acknowledging also acknowledges alarms that returned to normal unacknowledged (ring-back); those
    /// need no write-back.
    Result<int> act(store::ActionKind kind, const std::string& selector, const std::string& origin,
                    const std::string& text = "");
    /// Does what `command` asks (core::commands()) on behalf of `origin`: the alarms `selector` names for those that
    /// act on alarms; the panel for the others. Returns how many alarms (or faults) it acted on.
    Result<int> perform(core::Command command, const std::string& selector, const std::string& origin,
                        const std::string& text = "");
    /// The same for one zone (what its buttons ask, Panel::commands_of_button): acknowledge or resolve its alarms,
    /// silence its horns, test its lamps.
    Result<int> perform_in_zone(core::Command command, const std::string& zone, const std::string& origin);
    /// Mutes the horns of `zone` (empty: every zone) for outputs.silence_s (local only, never relayed);
    /// a new alarm in a silenced zone ends its silence.
    int silence(const std::string& origin, const std::string& zone = "");
    /// Lights the lamps of `zone` (empty: every lamp) for outputs.lamp_test_s so a technician sees that
    /// none is dead (horns stay quiet).
    void lamp_test(const std::string& origin, const std::string& zone = "");
    /// True while something needs a technician (see outputs.fault in docs/configuration.md).
    [[nodiscard]] bool fault() const;
    /// Acknowledges the faults that stay until an operator has seen them (a damaged store that was replaced);
    /// returns how many it cleared.
    int clear_faults(const std::string& origin);

  private:
    /// Queues a page of a raised alarm for every target that pages about other sources' alarms (TargetRoute::page,
    /// the SIGNL4 connector); true when an entry was stored.
    bool enqueue_raise(const core::Alarm& alarm);
    /// Commits entries the loop makes by itself (a page, a pass-on) through the backlog; true when they are in
    /// the store now (the relay may be woken). `what` names them in the log.
    bool commit_entries(std::vector<store::OutboxEntry> entries, const std::string& what);
    /// The "store" fault while the disk is short of room: write-backs held in memory, the reserve in use.
    void refresh_store_fault();
    /// Writes what the backlog holds and restores the reserve when there is room (on the loop's timer).
    void retry_store();
    /// The change's alarm state (or its clearing) to whoever listens.
    void announce(const core::AlarmChange& change);
    void event(const char* what, const core::Alarm& alarm, const std::string& origin);
    void republish_all();
    /// Tells systemd the loop is alive (CoreDeps::watchdog_ping) when the last ping is watchdog_every old: from the
    /// loop itself, after each message or timer, and it wakes for it.
    void ping_watchdog();
    /// Stores the change's alarm row: at once, or while a batch is applied at the batch's end (write_rows).
    void persist(const core::AlarmChange& change);
    /// Alarm rows by key (nullopt: removed), in one transaction.
    void write_rows(std::map<std::string, std::optional<core::Alarm>> rows);
    /// Stores the changes of the book's "closed elsewhere" memory (persist() does it first).
    void keep_closed_elsewhere();
    /// Logs, once while it lasts, that the change's alarm is in the book but shown by no zone (and why, zone by zone).
    void tell_if_in_no_zone(const core::AlarmChange& change);
    /// Applies one snapshot; true when it queued outbox entries for the relay (a SIGNL4 page, a pass-on).
    bool apply_snapshot(const core::CloudSnapshot& snapshot);
    /// Takes back what was shown of the alarms the book merged into others (AlarmBook::take_merged).
    void take_merged();
    /// Commits the outbox entries for `keys`, then changes the book; see act().
    Result<int> act_on(store::ActionKind kind, const std::vector<std::string>& keys, const std::string& selector,
                       const std::string& zone, const std::string& origin, const std::string& text);
    /// Ends the silence of `zone` (empty: every zone) and tells what it let sound again.
    void end_silence(const std::string& zone, const char* why);
    /// The entries an action on `alarm` makes (relay::action_entries); logs when no target takes it.
    [[nodiscard]] std::vector<store::OutboxEntry> entries_for(const core::Alarm& alarm,
                                                              const relay::ActionRequest& action) const;
    /// The owner for an acknowledgement of `alarm` made in `zone` (empty: by CLI or MQTT, then the first
    /// of the alarm's zones that names one).
    [[nodiscard]] store::ActionOwner owner_for(const core::Alarm& alarm, const std::string& zone) const;
    /// An acknowledgement / closure made in `mirror` (a source whose item mirrors `alarm`) moved the alarm on from
    /// `was`: stores what the mirror's SourceRoute::passes_on relays to the alarm's own source (before the alarm
    /// itself is persisted). True when it stored entries.
    struct MirrorChange {
        WallTime changed{};   // when the mirror's item changed
        std::string by{};     // who changed it (CloudSnapshot::changed_by): named in the note, and the owner of what
                              // is passed on when the mirror's route maps them to an Entra user
        std::string page_of;  // the alarm the item was the page of (one merged into `alarm` since, or `alarm`)
    };
    bool pass_on_from_mirror(const std::string& mirror, const core::Alarm& alarm, core::AlarmState was,
                             const MirrorChange& change);
    /// Passes the notes of `snapshot` (an item of `mirror`) on as comments to the alarm it mirrors, each note once:
    /// its comment entries and its memory in the store go together (Store::enqueue_note). Notes the box wrote itself
    /// are remembered, not passed on. True when it stored entries.
    bool pass_on_notes(const std::string& mirror, const core::CloudSnapshot& snapshot);
    /// How notes name `person` of `mirror`: the Entra UPN the mirror's route maps them to (then also set as
    /// `owner`'s upn), else "<title> user <id>"; empty for nobody.
    [[nodiscard]] std::string person_in(const std::string& mirror, const std::string& person,
                                        store::ActionOwner* owner) const;
    /// Whether `text` reads as a note the box wrote itself (note_for's wording with box.name, a pass-on's "(via ...)").
    [[nodiscard]] bool is_own_note(const std::string& text) const;
    /// Whether the outbox holds (in any state; done ones as long as it remembers them) an entry of `kind` for
    /// the alarm and `target` from `origin`, not from `not_origin`, made at or after `since` (empty target /
    /// origin: any). One indexed query.
    bool has_entry(const std::string& alarm_key, const std::string& target, store::ActionKind kind,
                   const std::string& origin, WallTime since = WallTime{}, const std::string& not_origin = "");
    void refresh_outbox_counts();
    /// "identity" and "faults" in status: what FaultReports said.
    void add_fault_status(cJSON* body) const;
    void drive_outputs();
    /// The summary to whoever listens, when it says something new.
    void announce_summary();
    [[nodiscard]] core::Summary summary() const;
    [[nodiscard]] std::string note_for(store::ActionKind kind, const std::string& zone, const std::string& origin,
                                       const std::string& text) const;
    std::string status_json();
    /// "outputs": every wired output, on or not; "patterns": what each shows ("off", "fast_flash", ...).
    void add_outputs(cJSON* body) const;

    /// Whether the outbox says a poll showing `snapshot` open must not raise its alarm again
    /// (core::held_back_by_outbox, asked of the store).
    bool outbox_holds_back(const core::CloudSnapshot& snapshot);
    /// core::echoes_own_close, asked of the store; told in the log once per item.
    bool echoes_own_close(const core::CloudSnapshot& snapshot);
    /// `listed` with `mirrors` set to the alarm the box paged it for, when its source's SourceRoute::alarm_of_page
    /// knows its page_id (SIGNL4's eventId the relay recorded: one primary-key search). Such an item never raises.
    core::CloudSnapshot with_page_of(const core::CloudSnapshot& listed);
    /// Whether `batch.watermark` is to be stored now: always after a batch that brought something, else once
    /// every kIdleWatermarkEvery.
    [[nodiscard]] bool watermark_due(const sources::SourceBatch& batch) const;

    static constexpr std::chrono::seconds kStoreRetry{2};

    CoreDeps deps_;
    store::OutboxBacklog backlog_;
    core::AlarmBook book_;
    core::Annunciator annunciator_;
    core::Panel panel_;  // over book_ and annunciator_
    core::Health health_;
    core::SilentAnnouncements silent_;
    core::Announcements& announce_;  // deps_.announce, else silent_
    std::optional<SteadyTime> store_retry_at_;  // while the disk is short of room
    std::map<std::string, SteadyTime> watermark_stored_at_;  // by watermark key: when it was last stored
    std::optional<SteadyTime> pinged_at_;                    // the last watchdog ping
    // While a batch is applied, the alarm rows it changed (nullopt: removed): written together at its end, one
    // commit for a burst of thousands rather than one each (each a sync of the SD card).
    std::optional<std::map<std::string, std::optional<core::Alarm>>> batch_rows_;
    // SIGNL4 alerts already logged as the box's own close of an earlier raise: the poller lists one again at
    // every poll of its overlap, and once in the log is enough. Bounded (cleared when full).
    std::set<std::string> echoes_told_;
    // Alarms in the book that no zone shows and whose absence was logged (tell_if_in_no_zone): at most the book.
    std::set<std::string> in_no_zone_told_;
    std::map<std::string, hal::Pattern> shown_;
    long long outbox_pending_ = 0;
    long long outbox_failed_ = 0;
    std::optional<core::Summary> last_summary_;  // as last announced; empty: announce the next one whatever it says
    std::shared_ptr<CoreInbox> inbox_;
};

}  // namespace sirenbox::app
