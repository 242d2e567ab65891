#include "hal/lateness_histogram.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace sirenbox::hal {

namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

/// The tiers of buckets: each covers [start, end) with buckets of `width`.
struct Tier {
    std::chrono::nanoseconds start;
    std::chrono::nanoseconds end;
    std::chrono::nanoseconds width;
};

constexpr std::array<Tier, 4> kTiers{{
    {microseconds(0), milliseconds(1), microseconds(10)},
    {milliseconds(1), milliseconds(10), microseconds(100)},
    {milliseconds(10), milliseconds(100), milliseconds(1)},
    {milliseconds(100), milliseconds(1000), milliseconds(10)},
}};

constexpr std::size_t buckets_in(const Tier& tier) {
    return static_cast<std::size_t>((tier.end - tier.start) / tier.width);
}

static_assert(buckets_in(kTiers[0]) + buckets_in(kTiers[1]) + buckets_in(kTiers[2]) + buckets_in(kTiers[3]) + 1 ==
              LatenessHistogram::kBuckets);

void saturating_increment(std::uint64_t& value) {
    if (value != std::numeric_limits<std::uint64_t>::max()) ++value;
}

}  // namespace

std::size_t LatenessHistogram::bucket_of(Duration lateness) {
    std::size_t first = 0;
    for (const Tier& tier : kTiers) {
        if (lateness < tier.end) return first + static_cast<std::size_t>((lateness - tier.start) / tier.width);
        first += buckets_in(tier);
    }
    return kBuckets - 1;
}

LatenessHistogram::Duration LatenessHistogram::upper_bound(std::size_t bucket) {
    std::size_t first = 0;
    for (const Tier& tier : kTiers) {
        if (bucket < first + buckets_in(tier)) {
            return tier.start + tier.width * static_cast<std::int64_t>(bucket - first + 1);
        }
        first += buckets_in(tier);
    }
    return Duration::max();
}

void LatenessHistogram::add(Duration lateness) {
    lateness = std::max(lateness, Duration::zero());
    saturating_increment(buckets_[bucket_of(lateness)]);
    saturating_increment(count_);
    if (sum_ <= Duration::max() - lateness) sum_ += lateness;
    max_ = std::max(max_, lateness);
}

LatenessHistogram::Duration LatenessHistogram::mean() const {
    if (count_ == 0) return Duration::zero();
    return Duration(sum_.count() / static_cast<std::int64_t>(std::min<std::uint64_t>(
                                       count_, static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))));
}

LatenessHistogram::Duration LatenessHistogram::percentile(double fraction) const {
    if (count_ == 0) return Duration::zero();
    fraction = std::clamp(fraction, 0.0, 1.0);
    const auto wanted = std::max<std::uint64_t>(
        1, static_cast<std::uint64_t>(std::ceil(fraction * static_cast<double>(count_) - 1e-9)));
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
        seen += buckets_[i];
        if (seen >= wanted) return std::min(upper_bound(i), max_);
    }
    return max_;
}

}  // namespace sirenbox::hal
