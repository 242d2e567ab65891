#pragma once

#include <string>
#include <vector>

#include "agent/base/clock.hpp"
#include "agent/base/result.hpp"
#include "agent/clouds/graph/graph_client.hpp"
#include "agent/core/alarm_book.hpp"

namespace sirenbox::sources {

/// One Graph security record as the poller pages and watermarks it, with the alarm it stands for.
struct GraphItem {
    std::string id;
    WallTime last_update{};
    core::CloudSnapshot snapshot;
};

struct GraphItems : cloud::GraphListing {
    std::vector<GraphItem> items;
};

/// Which records of a collection raise alarms and which are fetched at all.
struct GraphSelection {
    std::vector<std::string> statuses;  // statuses that raise an alarm, as the collection spells them
    cloud::GraphSeverity min_severity = cloud::GraphSeverity::kInformational;
    std::vector<std::string> service_sources;  // alerts only: serviceSource values to follow; empty = all
};

/// What GraphPoller reads: one of Graph's security collections (alerts_v2, incidents), which page, filter and
/// watermark alike by lastUpdateDateTime and differ in their records and in the alarm each record is.
class GraphCollection {
  public:
    virtual ~GraphCollection() = default;
    /// The alarm source its records are ("graph") and the store key of its watermark.
    [[nodiscard]] virtual const char* source() const = 0;
    [[nodiscard]] virtual const char* watermark_key() const = 0;
    /// The $filter parts of a poll besides its time window: the raising statuses only on the first poll (without
    /// a watermark), when only open records matter; afterwards every change counts, closures included.
    [[nodiscard]] virtual std::vector<std::string> filters(bool first_poll) const = 0;
    virtual Result<GraphItems> list(const cloud::GraphQuery& query, std::vector<std::string>* warnings) = 0;
};

/// Security alerts (alerts_v2) as alarms "graph:<alert id>".
class GraphAlertCollection final : public GraphCollection {
  public:
    GraphAlertCollection(cloud::GraphClient& client, GraphSelection selection)
        : client_(client), selection_(std::move(selection)) {}
    [[nodiscard]] const char* source() const override { return "graph"; }
    [[nodiscard]] const char* watermark_key() const override { return "graph.watermark"; }
    [[nodiscard]] std::vector<std::string> filters(bool first_poll) const override;
    Result<GraphItems> list(const cloud::GraphQuery& query, std::vector<std::string>* warnings) override;

  private:
    cloud::GraphClient& client_;
    GraphSelection selection_;
};

/// Security incidents (the unified Defender portal's queue), listed with their alerts, as alarms
/// "graph_incidents:<incident id>".
class GraphIncidentCollection final : public GraphCollection {
  public:
    GraphIncidentCollection(cloud::GraphClient& client, GraphSelection selection)
        : client_(client), selection_(std::move(selection)) {}
    [[nodiscard]] const char* source() const override { return "graph_incidents"; }
    [[nodiscard]] const char* watermark_key() const override { return "graph_incidents.watermark"; }
    [[nodiscard]] std::vector<std::string> filters(bool first_poll) const override;
    Result<GraphItems> list(const cloud::GraphQuery& query, std::vector<std::string>* warnings) override;

  private:
    cloud::GraphClient& client_;
    GraphSelection selection_;
};

}  // namespace sirenbox::sources
