#include <gtest/gtest.h>

#include "agent/cloud/product_names.hpp"
#include "agent/clouds/sentinel/sentinel_mapping.hpp"

namespace sirenbox::cloud {
namespace {

TEST(ProductNames, OldSentinelNamesBecomeTodaysProducts) {
    EXPECT_EQ(friendly_product_name("Azure Security Center"), "Microsoft Defender for Cloud");
    EXPECT_EQ(friendly_product_name("Microsoft Cloud App Security"), "Microsoft Defender for Cloud Apps");
    EXPECT_EQ(friendly_product_name("Azure Advanced Threat Protection"), "Microsoft Defender for Identity");
    EXPECT_EQ(friendly_product_name("Microsoft Defender Advanced Threat Protection"),
              "Microsoft Defender for Endpoint");
    EXPECT_EQ(friendly_product_name("Office 365 Advanced Threat Protection"), "Microsoft Defender for Office 365");
    EXPECT_EQ(friendly_product_name("Azure Active Directory Identity Protection"), "Microsoft Entra ID Protection");
    EXPECT_EQ(friendly_product_name("Azure Sentinel"), "Microsoft Sentinel");
    EXPECT_EQ(friendly_product_name("Microsoft 365 Defender"), "Microsoft Defender XDR");
}

TEST(ProductNames, GraphServiceSourcesBecomeProducts) {
    EXPECT_EQ(friendly_product_name("microsoftDefenderForEndpoint"), "Microsoft Defender for Endpoint");
    EXPECT_EQ(friendly_product_name("microsoftDefenderForIdentity"), "Microsoft Defender for Identity");
    EXPECT_EQ(friendly_product_name("microsoftDefenderForCloudApps"), "Microsoft Defender for Cloud Apps");
    EXPECT_EQ(friendly_product_name("microsoftDefenderForOffice365"), "Microsoft Defender for Office 365");
    EXPECT_EQ(friendly_product_name("microsoft365Defender"), "Microsoft Defender XDR");
    EXPECT_EQ(friendly_product_name("azureAdIdentityProtection"), "Microsoft Entra ID Protection");
    EXPECT_EQ(friendly_product_name("dataLossPrevention"), "Microsoft Purview Data Loss Prevention");
    EXPECT_EQ(friendly_product_name("microsoftDefenderForCloud"), "Microsoft Defender for Cloud");
}

TEST(ProductNames, UnknownValuesPassThrough) {
    EXPECT_EQ(friendly_product_name("Contoso Firewall"), "Contoso Firewall");
    EXPECT_EQ(friendly_product_name("unknownFutureValue"), "unknownFutureValue");
    EXPECT_EQ(friendly_product_name(""), "");
}

TEST(ProductNames, SentinelAlarmsShowFriendlyNamesOnceAndLinkTheirDefenderIncident) {
    SentinelIncident incident;
    incident.name = "inc-1";
    incident.title = "t";
    incident.severity = "High";
    incident.status = "New";
    incident.alert_product_names = {"Azure Security Center", "Microsoft Defender for Cloud", "Contoso"};
    incident.provider_name = "Microsoft XDR";
    incident.provider_incident_id = "28282";
    const core::Alarm alarm = to_alarm(incident);
    EXPECT_EQ(alarm.products, (std::vector<std::string>{"Microsoft Defender for Cloud", "Contoso"}));
    EXPECT_EQ(alarm.related, std::vector<std::string>{"defender-incident:28282"});
    incident.provider_name = "Azure Sentinel";
    EXPECT_TRUE(to_alarm(incident).related.empty());
}

}  // namespace
}  // namespace sirenbox::cloud
