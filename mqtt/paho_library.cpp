#include "mqtt/paho_library.hpp"

#include <MQTTAsync.h>

namespace sirenbox::broker {

void init_paho_library() {
    static const bool done = [] {
        MQTTAsync_init_options init = MQTTAsync_init_options_initializer;
        init.do_openssl_init = 0;
        MQTTAsync_global_init(&init);
        return true;
    }();
    (void)done;
}

}  // namespace sirenbox::broker
