#pragma once

#include <string>

namespace sirenbox::broker {

class BoxTopics;

/// What Home Assistant needs to know to show the box as one device.
struct DiscoveryInfo {
    std::string prefix = "homeassistant";  // HA's discovery prefix
    std::string box_id;                    // box.id
    std::string box_name;                  // box.name
    bool buttons = false;                  // offer buttons on the press topics (mqtt.press_topics)
    std::string version;
};

/// "<prefix>/device/sirenbox_<box_id>/config" (HA device-based discovery).
std::string discovery_topic(const DiscoveryInfo& info);
/// "<prefix>/status": HA publishes "online" there when it starts; the box then sends discovery again.
std::string ha_status_topic(const DiscoveryInfo& info);

/// The device discovery payload: sensors for open and unacknowledged alarms per severity, a problem
/// binary sensor "unacknowledged alarm present", a sound binary sensor for the siren, an event entity
/// for the physical buttons and, with `buttons`, buttons for acknowledge-all, silence and lamp test that
/// publish on the press topics. Every state comes from the retained summary topic; availability from the
/// box's availability topic.
std::string discovery_payload(const DiscoveryInfo& info, const BoxTopics& topics);

}  // namespace sirenbox::broker
