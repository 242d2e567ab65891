#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>

namespace sirenbox::hal {

/// A fixed-size histogram of how late something happened, for a daemon that runs for years: memory
/// does not grow with the number of samples. Buckets are 10 µs wide up to 1 ms, 100 µs up to 10 ms,
/// 1 ms up to 100 ms, 10 ms up to 1 s; later samples share one overflow bucket. The exact maximum is
/// kept apart. A percentile is reported as the upper bound of its bucket, so it never understates.
/// Counters saturate instead of wrapping. Thread-safety: none; a value type, the owner guards it.
class LatenessHistogram {
  public:
    using Duration = std::chrono::nanoseconds;

    /// Negative samples (an edge made before it was due) count as zero.
    void add(Duration lateness);

    [[nodiscard]] std::uint64_t count() const { return count_; }
    [[nodiscard]] Duration max() const { return max_; }
    [[nodiscard]] Duration mean() const;
    /// The smallest bucket bound that at least `fraction` (0..1) of the samples do not exceed; the
    /// exact maximum when that falls in the overflow bucket or is smaller than the bound; zero when empty.
    [[nodiscard]] Duration percentile(double fraction) const;

    static constexpr std::size_t kBuckets = 100 + 90 + 90 + 90 + 1;

  private:
    static std::size_t bucket_of(Duration lateness);
    static Duration upper_bound(std::size_t bucket);

    std::array<std::uint64_t, kBuckets> buckets_{};
    std::uint64_t count_ = 0;
    Duration sum_{0};
    Duration max_{0};
};

}  // namespace sirenbox::hal
