// The HTTPS stack the clouds share, built in one piece: a CA bundle it cannot use stops it with the file named;
// built, it starts with nothing counted. (Requests through it: the integration tests read its figures in status.)
#include <gtest/gtest.h>

#include "agent/net/shared_transport.hpp"

namespace sirenbox::net {
namespace {

TEST(SharedTransportTest, ACaBundleItCannotUseStopsItNamingTheFile) {
    FakeClock clock;
    SharedTransportOptions options;
    options.http.ca_bundle_path = "/nonexistent/sirenbox-ca.pem";
    auto network = SharedTransport::create(std::move(options), clock);
    ASSERT_FALSE(network.is_ok());
    EXPECT_NE(network.status().message().find("/nonexistent/sirenbox-ca.pem"), std::string::npos)
        << network.status().message();
}

TEST(SharedTransportTest, BuiltItCountsNothingYetAndStopsWaitingOnAsk) {
    FakeClock clock;
    auto network = SharedTransport::create({}, clock);
    ASSERT_TRUE(network.is_ok()) << network.status().message();
    EXPECT_EQ((*network)->http_stats().requests, 0u);
    EXPECT_EQ((*network)->http_stats().handshakes, 0u);
    EXPECT_EQ((*network)->retry_stats().retries, 0u);
    EXPECT_FALSE((*network)->skew_reading().known);
    (*network)->stop_waiting();
    (*network)->stop_waiting();  // again at shutdown: harmless
}

}  // namespace
}  // namespace sirenbox::net
