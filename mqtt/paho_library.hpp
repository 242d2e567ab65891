#pragma once

namespace sirenbox::broker {

/// Paho's process-wide initialisation (MQTTAsync_global_init), without its OpenSSL set-up: the box talks
/// plain MQTT to its local broker, OpenSSL 3 initialises itself on first use anyway, and skipping it keeps
/// about 3 MB of libcrypto pages out of the daemon's resident memory.
/// Paho (re)initialises its global mutexes there, so it must run before any Paho client of the process
/// exists: Session::create calls it, and so must any other code of the process that makes a Paho client
/// first (the tests' MqttProbe). Runs once; thread-safe; no errors.
void init_paho_library();

}  // namespace sirenbox::broker
