#include "tests/support/sirenboxd.hpp"

namespace sirenbox::testing {

::testing::AssertionResult start_sirenboxd(const std::filesystem::path& config, const std::filesystem::path& log,
                                           const std::string& socket, std::unique_ptr<ChildProcess>& daemon,
                                           std::vector<std::string> extra_env) {
    const std::string sirenboxd = (binary_dir() / "sirenboxd").string();
    auto check = run_command({sirenboxd, "--check-config", config.string()});
    if (check.exit_code != 0) return ::testing::AssertionFailure() << "the config does not check:\n" << check.output;
    daemon = std::make_unique<ChildProcess>(std::vector<std::string>{sirenboxd, "--config", config.string()}, log,
                                            std::move(extra_env));
    const bool answered = wait_until([&] { return sirenboxctl(socket, {"status"}).exit_code == 0 || !daemon->running(); });
    if (!answered || !daemon->running()) {
        return ::testing::AssertionFailure() << "sirenboxd did not come up:\n" << daemon->output();
    }
    return ::testing::AssertionSuccess();
}

CommandResult sirenboxctl(const std::string& socket, const std::vector<std::string>& args, bool as_json) {
    std::vector<std::string> argv{(binary_dir() / "sirenboxctl").string(), "--socket", socket};
    if (as_json) argv.emplace_back("--json");
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

json::Ptr sirenboxctl_json(const std::string& socket, const std::vector<std::string>& args) {
    auto result = sirenboxctl(socket, args);
    if (result.exit_code != 0) return nullptr;
    auto doc = json::parse(result.output, "sirenboxctl output");
    return doc.is_ok() ? std::move(*doc) : nullptr;
}

long long outbox_count(const std::string& socket, const char* field) {
    auto status = sirenboxctl_json(socket, {"status"});
    return status ? json::get_integer(json::member(status.get(), "outbox"), field).value_or(-1) : -1;
}

}  // namespace sirenbox::testing
