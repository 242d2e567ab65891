#pragma once

#include <string>
#include <vector>

#include "mqtt/outbound.hpp"

namespace sirenbox::testing {

/// An Outbound that keeps what the box would have published, in order: a broker session's double.
class RecordingOutbound final : public broker::Outbound {
  public:
    struct Message {
        std::string topic;
        std::string payload;
        bool retained = false;
    };

    void publish(std::string topic, std::string payload, bool retained, int) override {
        messages.push_back({std::move(topic), std::move(payload), retained});
    }
    /// The payloads published on `topic`, oldest first.
    [[nodiscard]] std::vector<std::string> on(const std::string& topic) const {
        std::vector<std::string> payloads;
        for (const auto& m : messages) {
            if (m.topic == topic) payloads.push_back(m.payload);
        }
        return payloads;
    }

    std::vector<Message> messages;
};

}  // namespace sirenbox::testing
