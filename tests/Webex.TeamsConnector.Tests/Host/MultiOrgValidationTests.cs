using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;
using Webex.TeamsConnector.Tests.Options;

namespace Webex.TeamsConnector.Tests.Host;

/// <summary>The start-up rules across several orgs (<c>TeamsConnector:Orgs:&lt;name&gt;:...</c>): every error listed, no value echoed.</summary>
public class MultiOrgValidationTests
{
    private const string Tenant = "6f1b7c3e-2d4a-4b8e-9c0f-1a2b3c4d5e6f";
    private const string OtherTenant = "0a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c6d";
    private const string SecretUrl = "https://hooks.contoso.example/teams-connector/graph/notifications";
    private const string SecretState = "client-state-value-0123456789";
    private static readonly string s_secretPath = Path.Combine(Path.GetTempPath(), "teams-connector-tests", "shared-file-value.json");

    public static TheoryData<string, string> Rules => new()
    {
        { "same notification url", "TeamsConnector:Orgs:east, TeamsConnector:Orgs:west use the same Graph:NotificationUrl on the same Graph:TenantId with change notifications" },
        { "same client state", "TeamsConnector:Orgs:east, TeamsConnector:Orgs:west use the same Graph:NotificationClientState on the same Graph:TenantId" },
        { "same state file", "TeamsConnector:Orgs:east, TeamsConnector:Orgs:west use the same Admin:StateFilePath" },
        { "same refresh token file", "TeamsConnector:Orgs:east, TeamsConnector:Orgs:west use the same ContactCenter:RefreshTokenFilePath" },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void TryValidate_TwoOrgsSharingWhatMustBeTheirOwn_RefusesToStartAndNamesTheKeysNotTheValues(string scenario, string error)
    {
        var settings = TwoValidOrgs();
        switch (scenario)
        {
            case "same notification url":
                Notifications(settings, "east", SecretUrl, "east-client-state-0123456789");
                Notifications(settings, "west", SecretUrl, "west-client-state-0123456789");
                break;
            case "same client state":
                Notifications(settings, "east", SecretUrl, SecretState);
                Notifications(settings, "west", SecretUrl + "/west", SecretState);
                break;
            case "same state file":
                settings["TeamsConnector:Orgs:east:Admin:StateFilePath"] = s_secretPath;
                settings["TeamsConnector:Orgs:west:Admin:StateFilePath"] = s_secretPath;
                break;
            default:
                settings["TeamsConnector:Orgs:east:ContactCenter:RefreshTokenFilePath"] = s_secretPath;
                settings["TeamsConnector:Orgs:west:ContactCenter:RefreshTokenFilePath"] = s_secretPath;
                break;
        }

        var errors = Validate(settings);

        errors.Should().ContainSingle(e => e.StartsWith(error, StringComparison.Ordinal), string.Join("\n", errors));
        string.Join("\n", errors).Should().NotContain(SecretUrl).And.NotContain(SecretState).And.NotContain(s_secretPath).And.NotContain(Tenant);
    }

    [Fact]
    public void TryValidate_OrgListedTwiceAndOrgWithoutCredentials_ListsEveryErrorWithoutValues()
    {
        var settings = new Dictionary<string, string?>
        {
            ["TeamsConnector:StateSync:ReasonMarker"] = "beside-the-orgs",
            ["TeamsConnector:Orgs:east:ContactCenter:OrgId"] = "org-one",
            ["TeamsConnector:Orgs:east:ContactCenter:ClientId"] = "c",
            ["TeamsConnector:Orgs:east:ContactCenter:ClientSecret"] = "super-secret-east",
            ["TeamsConnector:Orgs:east:ContactCenter:RefreshToken"] = "r",
            ["TeamsConnector:Orgs:east:ContactCenter:EventSource"] = "WebSocket",
            ["TeamsConnector:Orgs:east:Graph:TenantId"] = "t",
            ["TeamsConnector:Orgs:east:Graph:ClientId"] = EmulatorSettings.GraphClientId,
            ["TeamsConnector:Orgs:east:Graph:ClientSecret"] = "super-secret-graph",
            ["TeamsConnector:Orgs:west:ContactCenter:OrgId"] = "ORG-ONE",
            ["TeamsConnector:Orgs:west:Graph:TenantId"] = "t2",
        };

        var valid = StartupValidation.TryValidate(settings, out var errors);

        valid.Should().BeFalse();
        errors.Should().Contain("TeamsConnector:StateSync is set beside TeamsConnector:Orgs: set it under each org (TeamsConnector:Orgs:<name>:StateSync).")
            .And.Contain("An org is listed twice: TeamsConnector:Orgs:east, TeamsConnector:Orgs:west have the same ContactCenter:OrgId (one writer per org).")
            .And.Contain(e => e.Contains("TeamsConnector:Orgs:west:ContactCenter:ClientSecret is required.", StringComparison.Ordinal))
            .And.Contain(e => e.Contains("TeamsConnector:Orgs:west:Graph:", StringComparison.Ordinal));
        errors.Should().NotContain(e => e.Contains("TeamsConnector:Orgs:east:", StringComparison.Ordinal), "the east org is complete");
        string.Join("\n", errors).Should().NotContain("super-secret").And.NotContain("org-one", "values are never echoed");
    }

    [Fact]
    public void TryValidate_TwoOrgsWithTheirOwnUrlsStatesAndFiles_OrOnDifferentTenants_IsValid()
    {
        var own = TwoValidOrgs();
        Notifications(own, "east", SecretUrl + "/east", "east-client-state-0123456789");
        Notifications(own, "west", SecretUrl + "/west", "west-client-state-0123456789");
        own["TeamsConnector:Orgs:east:Admin:StateFilePath"] = s_secretPath + ".east";
        own["TeamsConnector:Orgs:west:Admin:StateFilePath"] = s_secretPath + ".west";
        var tenants = TwoValidOrgs();
        Notifications(tenants, "east", SecretUrl, SecretState);
        Notifications(tenants, "west", SecretUrl, SecretState);
        tenants["TeamsConnector:Orgs:west:Graph:TenantId"] = OtherTenant;

        Validate(own).Should().BeEmpty();
        Validate(tenants).Should().BeEmpty("a notification names its tenant: orgs of different tenants may share the URL and clientState");
    }

    [Fact]
    public void TryValidate_OrgWithoutAWxccOrgIdAndNoAdapterToSayIt_IsRefused()
    {
        var settings = TwoValidOrgs();
        settings.Remove("TeamsConnector:Orgs:west:ContactCenter:OrgId");

        StartupValidation.TryValidate(settings, out var errors, contactCenter: false);

        errors.Should().Contain("TeamsConnector:Orgs:west:ContactCenter:OrgId is required: the WxCC org id is the org's key (its webhooks, and its grain in a cluster).");
        errors.Should().NotContain(e => e.Contains("Orgs:east:ContactCenter:OrgId", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> Validate(Dictionary<string, string?> settings)
    {
        StartupValidation.TryValidate(settings, out var errors);
        return errors;
    }

    private static void Notifications(Dictionary<string, string?> settings, string org, string url, string clientState)
    {
        settings[$"TeamsConnector:Orgs:{org}:Graph:PresenceSource"] = "ChangeNotifications";
        settings[$"TeamsConnector:Orgs:{org}:Graph:NotificationUrl"] = url;
        settings[$"TeamsConnector:Orgs:{org}:Graph:NotificationClientState"] = clientState;
    }

    private static Dictionary<string, string?> TwoValidOrgs()
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, orgId) in (IEnumerable<(string, string)>)[("east", "org-east"), ("west", "org-west")])
        {
            var org = "TeamsConnector:Orgs:" + name;
            settings[org + ":ContactCenter:OrgId"] = orgId;
            settings[org + ":ContactCenter:ClientId"] = "client-" + name;
            settings[org + ":ContactCenter:ClientSecret"] = "secret-" + name;
            settings[org + ":ContactCenter:RefreshToken"] = "refresh-" + name;
            settings[org + ":ContactCenter:EventSource"] = "WebSocket";
            settings[org + ":Graph:TenantId"] = Tenant;
            settings[org + ":Graph:BaseUrl"] = "http://127.0.0.1:9/"; // loopback: change notifications need no delegated credential here
            settings[org + ":Graph:ClientId"] = EmulatorSettings.GraphClientId;
            settings[org + ":Graph:ClientSecret"] = "graph-secret-" + name;
        }

        return settings;
    }
}
