#pragma once

#include <string>

namespace sirenbox::broker {

/// Where the box's MQTT messages go: the one thing its publishers (alarm states, the announcer, the fleet's
/// signer and commander) need of a broker connection, after Paho's narrow client interface. The Session in
/// sirenboxd; a recording double in tests.
class Outbound {
  public:
    virtual ~Outbound() = default;
    /// Never blocks, never throws: what cannot go out now is held or counted as dropped by the implementation.
    virtual void publish(std::string topic, std::string payload, bool retained, int qos = 1) = 0;
};

}  // namespace sirenbox::broker
