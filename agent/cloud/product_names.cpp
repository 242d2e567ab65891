#include "agent/cloud/product_names.hpp"

#include <array>
#include <utility>

namespace sirenbox::cloud {
namespace {

// Left: what a cloud sends (old product names kept by Sentinel, Graph's serviceSource and
// detectionSource-style enum members); right: the current product name. Keep it sorted by product.
constexpr std::array<std::pair<std::string_view, std::string_view>, 27> kNames{{
    {"Azure Active Directory Identity Protection", "Microsoft Entra ID Protection"},
    {"Azure AD Identity Protection", "Microsoft Entra ID Protection"},
    {"azureAdIdentityProtection", "Microsoft Entra ID Protection"},
    {"Azure Advanced Threat Protection", "Microsoft Defender for Identity"},
    {"microsoftDefenderForIdentity", "Microsoft Defender for Identity"},
    {"Azure Security Center", "Microsoft Defender for Cloud"},
    {"Azure Security Center for IoT", "Microsoft Defender for IoT"},
    {"microsoftDefenderForCloud", "Microsoft Defender for Cloud"},
    {"Microsoft Cloud App Security", "Microsoft Defender for Cloud Apps"},
    {"microsoftDefenderForCloudApps", "Microsoft Defender for Cloud Apps"},
    {"microsoftAppGovernance", "Microsoft Defender for Cloud Apps app governance"},
    {"Microsoft Defender Advanced Threat Protection", "Microsoft Defender for Endpoint"},
    {"Microsoft Defender ATP", "Microsoft Defender for Endpoint"},
    {"microsoftDefenderForEndpoint", "Microsoft Defender for Endpoint"},
    {"Office 365 Advanced Threat Protection", "Microsoft Defender for Office 365"},
    {"microsoftDefenderForOffice365", "Microsoft Defender for Office 365"},
    {"Microsoft 365 Defender", "Microsoft Defender XDR"},
    {"microsoft365Defender", "Microsoft Defender XDR"},
    {"Microsoft XDR", "Microsoft Defender XDR"},
    {"Azure Sentinel", "Microsoft Sentinel"},
    {"microsoftSentinel", "Microsoft Sentinel"},
    {"dataLossPrevention", "Microsoft Purview Data Loss Prevention"},
    {"microsoftInsiderRiskManagement", "Microsoft Purview Insider Risk Management"},
    {"microsoftDefenderForIoT", "Microsoft Defender for IoT"},
    {"microsoftThreatIntelligence", "Microsoft Defender Threat Intelligence"},
    {"microsoftDataLossPrevention", "Microsoft Purview Data Loss Prevention"},
    {"Microsoft Data Loss Prevention", "Microsoft Purview Data Loss Prevention"},
}};

}  // namespace

std::string friendly_product_name(std::string_view name) {
    for (const auto& [from, to] : kNames) {
        if (from == name) return std::string(to);
    }
    return std::string(name);
}

}  // namespace sirenbox::cloud
