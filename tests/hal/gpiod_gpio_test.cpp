// The gpiod backend against a kernel gpio-sim chip made through configfs. Where none can be made the
// tests that need one skip, saying why; the lookup-failure tests run everywhere.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>

#include "hal/gpiod_gpio.hpp"
#include "tests/support/test_env.hpp"

namespace sirenbox::hal {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const fs::path kConfigfs = "/sys/kernel/config/gpio-sim";

std::string read_attr(const fs::path& path) {
    std::ifstream in(path);
    std::string value;
    std::getline(in, value);
    return value;
}

std::optional<std::string> write_attr(const fs::path& path, const std::string& value) {
    std::ofstream out(path);
    out << value;
    out.flush();
    if (!out) return "cannot write \"" + value + "\" to " + path.string() + ": " + std::strerror(errno);
    return std::nullopt;
}

std::optional<std::string> make_dir(const fs::path& path) {
    std::error_code error;
    fs::create_directory(path, error);
    if (error) return "cannot create " + path.string() + ": " + error.message();
    return std::nullopt;
}

/// A gpio-sim device with one bank of named lines, torn down on destruction.
class GpioSimChip {
  public:
    /// Why no chip can be made here, or nullopt when it can be tried.
    static std::optional<std::string> unavailable_reason() {
        if (!fs::is_directory(kConfigfs)) {
            return kConfigfs.string() +
                   " does not exist (configfs not mounted or kernel built without CONFIG_GPIO_SIM)";
        }
        if (::access(kConfigfs.c_str(), W_OK) != 0) {
            return kConfigfs.string() + " is not writable (" + std::strerror(errno) + "; needs root)";
        }
        return std::nullopt;
    }

    GpioSimChip(const std::vector<std::string>& names, const std::string& label)
        : dir_(kConfigfs / ("sirenbox-test-" + std::to_string(::getpid()))), label_(label) {
        error_ = make_dir(dir_);
        if (!error_) error_ = make_dir(bank());
        if (!error_) error_ = write_attr(bank() / "num_lines", std::to_string(names.size()));
        if (!error_) error_ = write_attr(bank() / "label", label);
        for (std::size_t i = 0; i < names.size() && !error_; ++i) {
            fs::path line = bank() / ("line" + std::to_string(i));
            error_ = make_dir(line);
            if (!error_) error_ = write_attr(line / "name", names[i]);
        }
        lines_ = names.size();
        if (!error_) error_ = write_attr(dir_ / "live", "1");
        if (error_) return;
        chip_name_ = read_attr(bank() / "chip_name");
        sysfs_ = fs::path("/sys/devices/platform") / read_attr(dir_ / "dev_name") / chip_name_;
        if (!testing::wait_until([&] { return fs::exists("/dev/" + chip_name_); })) {
            error_ = "gpio-sim made " + chip_name_ + " but /dev/" + chip_name_ + " did not appear";
        }
    }

    ~GpioSimChip() {
        std::error_code ignored;
        write_attr(dir_ / "live", "0");
        for (std::size_t i = 0; i < lines_; ++i) fs::remove(bank() / ("line" + std::to_string(i)), ignored);
        fs::remove(bank(), ignored);
        fs::remove(dir_, ignored);
    }
    GpioSimChip(const GpioSimChip&) = delete;
    GpioSimChip& operator=(const GpioSimChip&) = delete;

    [[nodiscard]] const std::optional<std::string>& error() const { return error_; }
    [[nodiscard]] const std::string& label() const { return label_; }

    /// The level the simulated pin shows: what an output drives, or the pull on an input.
    [[nodiscard]] int value(unsigned offset) const {
        return std::stoi(read_attr(sysfs_ / ("sim_gpio" + std::to_string(offset)) / "value"));
    }
    /// Pulls an input pin, as a button or a wire would.
    void pull(unsigned offset, bool high) const {
        auto error =
            write_attr(sysfs_ / ("sim_gpio" + std::to_string(offset)) / "pull", high ? "pull-up" : "pull-down");
        ASSERT_FALSE(error) << *error;
    }

  private:
    [[nodiscard]] fs::path bank() const { return dir_ / "gpio-bank0"; }

    fs::path dir_;
    std::string label_;
    std::size_t lines_ = 0;
    std::string chip_name_;
    fs::path sysfs_;
    std::optional<std::string> error_;
};

LineSpec named(const std::string& name, bool active_low = false, Bias bias = Bias::kAsIs) {
    LineSpec spec;
    spec.name = name;
    spec.active_low = active_low;
    spec.bias = bias;
    return spec;
}

bool wait_readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 5000) == 1;  // the kernel delivers the event; this only bounds a broken run
}

class HalGpiodSim : public ::testing::Test {
  protected:
    void SetUp() override {
        if (auto reason = GpioSimChip::unavailable_reason()) {
            GTEST_SKIP() << "needs a kernel gpio-sim chip, and none can be made here: " << *reason;
        }
        std::string suffix = std::to_string(::getpid());
        siren_ = "SBX_SIREN_" + suffix;
        lamp_ = "SBX_LAMP_" + suffix;
        button_ = "SBX_BUTTON_" + suffix;
        chip_ =
            std::make_unique<GpioSimChip>(std::vector<std::string>{siren_, lamp_, button_}, "sirenbox-test-" + suffix);
        if (chip_->error()) GTEST_SKIP() << "could not make a gpio-sim chip: " << *chip_->error();
        gpio_ = std::move(GpiodGpio::create(clock_)).value();
    }

    FakeClock clock_;
    std::string siren_, lamp_, button_;
    std::unique_ptr<GpioSimChip> chip_;
    std::unique_ptr<GpiodGpio> gpio_;
};

TEST_F(HalGpiodSim, OutputByNameStartsInactiveFollowsSetAndIsReleased) {
    {
        auto siren = gpio_->request_output("siren", named(siren_));
        ASSERT_TRUE(siren.is_ok()) << siren.status().to_string();
        EXPECT_EQ(chip_->value(0), 0);
        ASSERT_TRUE((*siren)->set(true).is_ok());
        EXPECT_TRUE((*siren)->active());
        EXPECT_EQ(chip_->value(0), 1);
        ASSERT_TRUE((*siren)->set(false).is_ok());
        EXPECT_EQ(chip_->value(0), 0);
        ASSERT_TRUE((*siren)->set(true).is_ok());
    }
    EXPECT_EQ(chip_->value(0), 0);  // released: gpio-sim shows the (default) pull-down again
    auto again = gpio_->request_output("siren", named(siren_));
    EXPECT_TRUE(again.is_ok()) << again.status().to_string();
}

TEST_F(HalGpiodSim, ActiveLowOutputRestsHigh) {
    auto lamp = gpio_->request_output("lamp_red", named(lamp_, true));
    ASSERT_TRUE(lamp.is_ok()) << lamp.status().to_string();
    EXPECT_EQ(chip_->value(1), 1);
    ASSERT_TRUE((*lamp)->set(true).is_ok());
    EXPECT_EQ(chip_->value(1), 0);
}

TEST_F(HalGpiodSim, OutputByChipLabelAndOffset) {
    LineSpec spec;
    spec.chip_label = chip_->label();
    spec.offset = 1;
    auto lamp = gpio_->request_output("lamp_red", spec);
    ASSERT_TRUE(lamp.is_ok()) << lamp.status().to_string();
    ASSERT_TRUE((*lamp)->set(true).is_ok());
    EXPECT_EQ(chip_->value(1), 1);

    spec.offset = 7;
    auto beyond = gpio_->request_output("lamp_blue", spec);
    ASSERT_FALSE(beyond.is_ok());
    EXPECT_NE(beyond.status().message().find("offset 7"), std::string::npos) << beyond.status().message();
}

TEST_F(HalGpiodSim, SecondRequestIsBusyNamingTheHolder) {
    auto first = gpio_->request_output("siren", named(siren_));
    ASSERT_TRUE(first.is_ok()) << first.status().to_string();
    auto second = gpio_->request_input("button_ack", named(siren_));
    ASSERT_FALSE(second.is_ok());
    EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
    EXPECT_NE(second.status().message().find(siren_ + " busy (used by sirenbox)"), std::string::npos)
        << second.status().message();
}

TEST_F(HalGpiodSim, InputReportsLogicalEdgesFromPulls) {
    auto button = gpio_->request_input("button_ack", named(button_, true, Bias::kPullUp));
    ASSERT_TRUE(button.is_ok()) << button.status().to_string();
    EXPECT_EQ(chip_->value(2), 1);  // the requested pull-up holds the released button high
    EXPECT_FALSE((*button)->active());
    ASSERT_TRUE((*button)->read_edges().is_ok());  // nothing from the request itself should count below

    chip_->pull(2, false);  // pressed: the contact pulls the pin low
    ASSERT_TRUE(wait_readable((*button)->fd()));
    auto pressed = (*button)->read_edges();
    ASSERT_TRUE(pressed.is_ok()) << pressed.status().to_string();
    ASSERT_EQ(pressed->size(), 1u);
    EXPECT_TRUE(pressed->front().active);
    EXPECT_LE(pressed->front().at, clock_.now());
    EXPECT_GT(pressed->front().at, clock_.now() - seconds(10));
    EXPECT_TRUE((*button)->active());

    chip_->pull(2, true);
    ASSERT_TRUE(wait_readable((*button)->fd()));
    auto released = (*button)->read_edges();
    ASSERT_TRUE(released.is_ok());
    ASSERT_EQ(released->size(), 1u);
    EXPECT_FALSE(released->front().active);
    EXPECT_GE(released->front().at, pressed->front().at);
    EXPECT_FALSE((*button)->active());
    auto none = (*button)->read_edges();
    ASSERT_TRUE(none.is_ok());
    EXPECT_TRUE(none->empty());
}

TEST(HalGpiodLookup, UnknownLineIsNotFoundOnAnyChip) {
    FakeClock clock;
    auto gpio = std::move(GpiodGpio::create(clock)).value();
    auto line = gpio->request_output("siren", named("SBX_NO_SUCH_LINE"));
    ASSERT_FALSE(line.is_ok());
    EXPECT_EQ(line.status().code(), StatusCode::kNotFound);
    EXPECT_EQ(line.status().message(), "siren: line SBX_NO_SUCH_LINE not found on any chip");
}

TEST(HalGpiodLookup, UnknownChipLabelIsNotFound) {
    FakeClock clock;
    auto gpio = std::move(GpiodGpio::create(clock)).value();
    LineSpec spec;
    spec.chip_label = "pinctrl-nonexistent";
    spec.offset = 17;
    auto line = gpio->request_input("button_ack", spec);
    ASSERT_FALSE(line.is_ok());
    EXPECT_EQ(line.status().code(), StatusCode::kNotFound);
    EXPECT_NE(line.status().message().find("no GPIO chip labelled pinctrl-nonexistent"), std::string::npos)
        << line.status().message();
}

TEST(HalGpiodLookup, EmptySpecIsInvalid) {
    FakeClock clock;
    auto gpio = std::move(GpiodGpio::create(clock)).value();
    auto line = gpio->request_output("siren", LineSpec{});
    ASSERT_FALSE(line.is_ok());
    EXPECT_EQ(line.status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace sirenbox::hal
