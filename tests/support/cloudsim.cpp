#include "tests/support/cloudsim.hpp"

#include <cstdio>
#include <stdexcept>

#include "tests/support/test_env.hpp"

namespace sirenbox::testing {

CloudSim::CloudSim(const std::filesystem::path& dir, Options options) : options_(std::move(options)) {
    std::filesystem::create_directories(dir);
    secret_file_ = dir / "client-secret";
    std::filesystem::remove(secret_file_);
    {
        std::FILE* f = std::fopen(secret_file_.c_str(), "w");
        std::fputs((options_.client_secret + "\n").c_str(), f);
        std::fclose(f);
        std::filesystem::permissions(secret_file_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    }
    const auto script = source_dir() / "tools" / "cloudsim" / "cloudsim.py";
    std::vector<std::string> argv{"/usr/bin/python3",
                                  script.string(),
                                  "--dir",
                                  dir.string(),
                                  "--port",
                                  "0",
                                  "--tenant",
                                  options_.tenant,
                                  "--client-id",
                                  options_.client_id,
                                  "--client-secret-file",
                                  secret_file_.string(),
                                  "--page-size",
                                  std::to_string(options_.page_size)};
    for (const auto& certificate : options_.client_certificate_files) {
        argv.insert(argv.end(), {"--client-certificate-file", certificate.string()});
    }
    process_ = std::make_unique<ChildProcess>(std::move(argv), dir / "cloudsim.log");
    const auto ready = dir / "ready.json";
    if (!wait_until([&] { return std::filesystem::exists(ready) || !process_->running(); },
                    std::chrono::milliseconds(20000)) ||
        !std::filesystem::exists(ready)) {
        throw std::runtime_error("cloud simulator did not start: " + process_->output());
    }
    auto doc = json::parse(read_file(ready), "ready.json");
    if (!doc.is_ok()) throw std::runtime_error(doc.status().message());
    base_url_ = json::get_string(doc->get(), "base_url").value_or("");
    ca_path_ = json::get_string(doc->get(), "ca").value_or("");
    net::HttpClientOptions http;
    http.ca_bundle_path = ca_path_.string();
    auto client = net::HttpClient::create(http);
    if (!client.is_ok()) throw std::runtime_error(client.status().message());
    http_ = std::move(*client);
}

CloudSim::~CloudSim() = default;

json::Ptr CloudSim::call(const std::string& method, const std::string& path, const std::string& body) {
    net::HttpRequest request;
    request.method = method;
    request.url = base_url_ + path;
    request.body = body;
    request.safe_to_retry = true;
    if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
    auto response = http_->send(request);
    if (!response.is_ok()) throw std::runtime_error(method + " " + path + ": " + response.status().message());
    if (response->status / 100 != 2) {
        throw std::runtime_error(method + " " + path + ": HTTP " + std::to_string(response->status) + " " + response->body);
    }
    if (response->body.empty()) return json::object();
    auto doc = json::parse(response->body, method + " " + path);
    if (!doc.is_ok()) throw std::runtime_error(doc.status().message());
    return std::move(*doc);
}

std::string CloudSim::new_incident(const std::string& title, const std::string& severity) {
    auto incident = create_incident(R"({"title": ")" + title + R"(", "severity": ")" + severity + R"(", "status": "New"})");
    return json::get_string(incident.get(), "name").value_or("");
}

json::Ptr CloudSim::create_incident(const std::string& properties_json, const std::string& name) {
    std::string body = std::string("{\"subscription\": \"") + kSubscription + "\", \"resourceGroup\": \"" + kResourceGroup +
                       "\", \"workspace\": \"" + kWorkspace + "\", ";
    if (!name.empty()) body += "\"name\": \"" + name + "\", ";
    body += "\"properties\": " + properties_json + "}";
    return call("POST", "/_sim/incidents", body);
}

json::Ptr CloudSim::patch_incident(const std::string& name, const std::string& properties_json) {
    return call("PATCH", "/_sim/incidents/" + name, "{\"properties\": " + properties_json + "}");
}

json::Ptr CloudSim::get_incident(const std::string& name) { return call("GET", "/_sim/incidents/" + name); }

json::Ptr CloudSim::requests() { return call("GET", "/_sim/requests"); }

void CloudSim::clear_requests() { call("DELETE", "/_sim/requests"); }

}  // namespace sirenbox::testing
