#include "hal/gpio.hpp"

#include "hal/gpiod_gpio.hpp"
#include "hal/sim_gpio.hpp"

namespace sirenbox::hal {

Result<std::unique_ptr<Gpio>> make_gpio(std::string_view backend, const Clock& clock) {
    if (backend == "sim") return std::unique_ptr<Gpio>(std::make_unique<SimGpio>(clock));
    if (backend == "gpiod") {
        auto gpio = GpiodGpio::create(clock);
        if (!gpio.is_ok()) return gpio.status();
        return std::unique_ptr<Gpio>(std::move(gpio).value());
    }
    return invalid_argument("gpio backend \"" + std::string(backend) + "\" unknown (expected \"sim\" or \"gpiod\")");
}

}  // namespace sirenbox::hal
