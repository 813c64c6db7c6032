using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class AddGraphPresenceTests
{
    private const string TenantId = "8f3c8f4e-5c1b-4f7a-9d3e-0a1b2c3d4e5f";
    private const string ClientId = "11111111-2222-4333-8444-555555555555";
    private const string Secret = "very-secret-value-that-must-not-leak";

    [Fact]
    public void AddGraphPresence_NoConfiguration_HasTheDocumentedDefaults()
    {
        var options = new GraphOptions();

        options.BaseUrl.Should().Be(new Uri("https://graph.microsoft.com/v1.0"));
        options.PresenceSource.Should().Be(GraphPresenceSource.Polling);
        options.PollInterval.Should().BeNull("Auto is the default");
        options.PollBudgetShare.Should().Be(0.9);
        options.MinPollInterval.Should().Be(TimeSpan.FromMilliseconds(250));
        options.PollBatchSize.Should().Be(650);
        options.RequestsPerWindow.Should().Be(1500);
        options.RequestWindow.Should().Be(TimeSpan.FromSeconds(30));
        options.SubscriptionLifetime.Should().Be(TimeSpan.FromMinutes(60));
    }

    [Fact]
    public void AddGraphPresence_Configuration_IsBoundFromTheGraphSection()
    {
        using var services = Build(new()
        {
            ["BaseUrl"] = "https://graph.microsoft.us/v1.0",
            ["ClientSecret"] = Secret,
            ["PresenceSource"] = "ChangeNotifications",
            ["NotificationUrl"] = "https://connector.example/graph/notifications",
            ["PollInterval"] = "00:00:02",
            ["UserIdOverrides:ann@contoso.example"] = "0a8bf3dc-eca7-46b7-bad1-db199b62afc3",
        },
        services: s => s.AddKeyedSingleton<TokenCredential>(GraphCredentials.Subscriptions, new RecordingCredential()));

        var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;

        options.BaseUrl.Should().Be(new Uri("https://graph.microsoft.us/v1.0"));
        options.PresenceSource.Should().Be(GraphPresenceSource.ChangeNotifications);
        options.PollInterval.Should().Be(TimeSpan.FromSeconds(2));
        options.UserIdOverrides.Should().ContainKey("ANN@contoso.example");
        services.GetRequiredService<ITeamsPresenceFeed>().Should().BeOfType<ChangeNotificationPresenceFeed>();
    }

    [Fact]
    public void AddGraphPresence_CalledTwice_RegistersEachServiceOnceAndAppliesBothActions()
    {
        var collection = new ServiceCollection();
        var builder = collection.AddTeamsConnector(Configuration(Valid()));
        builder.AddGraphPresence(o => o.PollInterval = TimeSpan.FromSeconds(3)).AddGraphPresence(o => o.PollBatchSize = 100);

        foreach (var port in new[] { typeof(ITeamsPresenceFeed), typeof(ITeamsPresencePublisher), typeof(ITeamsUserResolver), typeof(IExpertDirectory), typeof(IGraphNotificationProcessor) })
        {
            collection.Count(d => d.ServiceType == port).Should().Be(1, port.Name);
        }

        collection.Count(d => d.ServiceType == typeof(IValidateOptions<GraphOptions>)).Should().Be(1);
        using var services = collection.BuildServiceProvider();
        var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;
        (options.PollInterval, options.PollBatchSize).Should().Be((TimeSpan.FromSeconds(3), 100));
        services.GetRequiredService<ITeamsPresenceFeed>().Should().BeOfType<PollingPresenceFeed>();
    }

    [Fact]
    public void AddGraphPresence_ConfigureAction_WinsOverConfiguration()
    {
        var collection = new ServiceCollection();
        collection.AddTeamsConnector(Configuration(Valid(new() { ["PollInterval"] = "00:00:05" }))).AddGraphPresence(o => o.PollInterval = TimeSpan.FromSeconds(7));
        using var services = collection.BuildServiceProvider();

        services.GetRequiredService<IOptions<GraphOptions>>().Value.PollInterval.Should().Be(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public void Start_InvalidConfiguration_ListsEveryErrorAtOnceWithoutSecrets()
    {
        using var services = Build(
            new()
            {
                ["BaseUrl"] = "ftp://graph.example",
                ["ClientId"] = "not-a-guid",
                ["TenantId"] = null,
                ["ClientSecret"] = Secret,
                ["CertificatePath"] = "/no/such/file.pfx",
                ["PollInterval"] = "00:00:00",
                ["PollBatchSize"] = "651",
                ["PresenceSource"] = "ChangeNotifications",
                ["NotificationClientState"] = new string('x', 129),
                ["PolInterval"] = "00:00:01",
            },
            valid: false);

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        var error = start.Should().Throw<OptionsValidationException>().Which;
        error.Failures.Should().Contain(f => f.Contains("'PolInterval'", StringComparison.Ordinal), "unknown keys are refused");
        error.Failures.Should().Contain(f => f.Contains("BaseUrl", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("ClientId", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("TenantId", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("exclusive", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("CertificatePath names a file", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("PollInterval", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("PollBatchSize", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("NotificationUrl is required", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("NotificationClientState", StringComparison.Ordinal));
        error.Message.Should().NotContain(Secret);
    }

    [Fact]
    public void Start_UnknownKeyOnly_IsRefused()
    {
        using var services = Build(Valid(new() { ["ClientSecrett"] = Secret }), valid: false);

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("ClientSecrett").And.NotContain(Secret);
    }

    [Fact]
    public void Start_ChangeNotificationsWithTenantDomain_IsRefused()
    {
        using var services = Build(Valid(new()
        {
            ["TenantId"] = "contoso.onmicrosoft.com",
            ["PresenceSource"] = "ChangeNotifications",
            ["NotificationUrl"] = "https://connector.example/notify",
            ["LifecycleNotificationUrl"] = "http://connector.example/notify",
        }), valid: false);

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        var failures = start.Should().Throw<OptionsValidationException>().Which.Failures;
        failures.Should().Contain(f => f.Contains("TenantId must be the tenant's GUID", StringComparison.Ordinal));
        failures.Should().Contain(f => f.Contains("LifecycleNotificationUrl", StringComparison.Ordinal), "plain http is allowed on loopback only");
    }

    [Fact]
    public void Start_NoCredentialForTheRealGraph_IsRefused()
    {
        using var services = Build(new() { ["TenantId"] = TenantId, ["ClientId"] = ClientId }, valid: false);

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain("ClientSecret or TeamsConnector:Graph:CertificatePath is required");
    }

    [Fact]
    public void Start_ValidConfiguration_Passes()
    {
        using var services = Build(Valid());

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        services.GetServices<IValidateOptions<GraphOptions>>().Should().NotBeEmpty("the Graph options are checked at start");
        start.Should().NotThrow();
        var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;
        (options.BaseUrl, options.TenantId, options.ClientId).Should().Be((new Uri("http://127.0.0.1:5000/v1.0"), TenantId, ClientId));
    }

    [Fact]
    public async Task TokenCredentialInServices_IsUsedForTheConfiguredGraphHostOnly()
    {
        var credential = new RecordingCredential();
        var collection = new ServiceCollection();
        collection.AddSingleton<TokenCredential>(credential);
        collection.AddTeamsConnector(Configuration(new() { ["BaseUrl"] = "https://graph.microsoft.us/v1.0", ["TenantId"] = TenantId, ["ClientId"] = ClientId })).AddGraphPresence();
        using var services = collection.BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        var authentication = services.GetRequiredService<GraphClientProvider>().Authentication;

        var graph = new RequestInformation { HttpMethod = Method.GET, URI = new Uri("https://graph.microsoft.us/v1.0/users") };
        await authentication.AuthenticateRequestAsync(graph);
        var elsewhere = new RequestInformation { HttpMethod = Method.GET, URI = new Uri("https://attacker.example/v1.0/users") };
        await authentication.AuthenticateRequestAsync(elsewhere);

        graph.Headers["Authorization"].Should().Equal("Bearer token-from-di");
        elsewhere.Headers.ContainsKey("Authorization").Should().BeFalse();
        credential.Scopes.Should().Equal("https://graph.microsoft.us/.default");
    }

    [Fact]
    public async Task LoopbackEmulator_WithoutRegisteredCredential_GetsNoToken()
    {
        var collection = new ServiceCollection();
        collection.AddTeamsConnector(Configuration(Valid(new() { ["ClientSecret"] = Secret }))).AddGraphPresence();
        using var services = collection.BuildServiceProvider();
        var provider = services.GetRequiredService<GraphClientProvider>();

        var request = new RequestInformation { HttpMethod = Method.GET, URI = new Uri("http://127.0.0.1:5000/v1.0/users") };
        await provider.Authentication.AuthenticateRequestAsync(request);

        provider.Authentication.Should().BeOfType<AnonymousAuthenticationProvider>("the secret is never exchanged for an emulator");
        provider.SubscriptionAuthentication.Should().BeOfType<AnonymousAuthenticationProvider>();
        request.Headers.ContainsKey("Authorization").Should().BeFalse();
    }

    [Fact]
    public void Start_ChangeNotificationsWithoutDelegatedCredential_FailsWithAClearError()
    {
        using var services = Build(ChangeNotifications());

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        start.Should().Throw<OptionsValidationException>().Which.Message.Should()
            .Contain("change notifications need the service account's delegated credential").And.Contain("GraphCredentials.Subscriptions").And.NotContain(Secret);
    }

    [Fact]
    public async Task ChangeNotificationsWithDelegatedCredential_SubscriptionsGetItsTokenAndTheRestTheApplications()
    {
        var app = new RecordingCredential("app-token");
        var delegated = new RecordingCredential("delegated-token");
        var collection = new ServiceCollection();
        collection.AddSingleton<TokenCredential>(app);
        collection.AddKeyedSingleton<TokenCredential>(GraphCredentials.Subscriptions, delegated);
        collection.AddTeamsConnector(Configuration(ChangeNotifications())).AddGraphPresence();
        using var services = collection.BuildServiceProvider();
        services.GetRequiredService<IStartupValidator>().Validate();
        var provider = services.GetRequiredService<GraphClientProvider>();

        var subscription = new RequestInformation { HttpMethod = Method.POST, URI = new Uri("https://graph.microsoft.com/v1.0/subscriptions") };
        await provider.SubscriptionAuthentication.AuthenticateRequestAsync(subscription);
        var presence = new RequestInformation { HttpMethod = Method.POST, URI = new Uri("https://graph.microsoft.com/v1.0/communications/getPresencesByUserId") };
        await provider.Authentication.AuthenticateRequestAsync(presence);

        subscription.Headers["Authorization"].Should().Equal("Bearer delegated-token");
        presence.Headers["Authorization"].Should().Equal("Bearer app-token");
    }

    private static Dictionary<string, string?> ChangeNotifications() => new()
    {
        ["BaseUrl"] = "https://graph.microsoft.com/v1.0",
        ["TenantId"] = TenantId,
        ["ClientId"] = ClientId,
        ["ClientSecret"] = Secret,
        ["PresenceSource"] = "ChangeNotifications",
        ["NotificationUrl"] = "https://connector.example/graph/notifications",
    };

    [Fact]
    public void AddGraphPresence_Section_IsBoundFromThatSectionAndValidated()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Adapters:MsGraph:BaseUrl"] = "http://127.0.0.1:5000/v1.0",
            ["Adapters:MsGraph:TenantId"] = TenantId,
            ["Adapters:MsGraph:ClientId"] = ClientId,
            ["Adapters:MsGraph:PollBatchSize"] = "100",
        }).Build();
        var collection = new ServiceCollection();
        collection.AddTeamsConnector().AddGraphPresence(configuration.GetSection("Adapters:MsGraph"));
        using var services = collection.BuildServiceProvider();

        services.GetRequiredService<IOptions<GraphOptions>>().Value.PollBatchSize.Should().Be(100);
        services.GetRequiredService<IStartupValidator>().Validate();
        ((Action)(() => collection.AddTeamsConnector().AddGraphPresence((IConfigurationSection)null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void AddGraphPresence_CalledTwice_BindsTheSectionOnce_AndCodeWinsOverConfiguration()
    {
        var collection = new ServiceCollection();
        var builder = collection.AddTeamsConnector(Configuration(Valid(new() { ["PollBatchSize"] = "100" })));
        builder.AddGraphPresence(o => o.PollBatchSize = 200).AddGraphPresence();
        using var services = collection.BuildServiceProvider();

        collection.Count(static d => d.ServiceType == typeof(IConfigureOptions<GraphOptions>)).Should().Be(3, "the section's binding once, and each call's action");
        services.GetRequiredService<IOptions<GraphOptions>>().Value.PollBatchSize.Should().Be(200, "settings given in code apply after the section");
    }

    [Theory]
    [InlineData("Auto")]
    [InlineData(" auto ")]
    public void AddGraphPresence_PollIntervalAuto_BindsToAutoWithTheOtherSettings(string value)
    {
        using var services = Build(new() { ["PollInterval"] = value, ["PollBudgetShare"] = "0.75", ["MinPollInterval"] = "00:00:00.5", ["PollBatchSize"] = "100" });

        var options = services.GetRequiredService<IOptions<GraphOptions>>().Value;

        options.PollInterval.Should().BeNull();
        (options.PollBudgetShare, options.MinPollInterval, options.PollBatchSize).Should().Be((0.75, TimeSpan.FromMilliseconds(500), 100));
    }

    [Fact]
    public void AddGraphPresence_PollIntervalNeitherAutoNorATimeSpan_IsRefusedWithoutEchoingTheValue()
    {
        using var services = Build(new() { ["PollInterval"] = "SECRETsoon", ["PollBudgetShare"] = "1.5", ["MinPollInterval"] = "00:00:00.001" });

        var start = () => services.GetRequiredService<IStartupValidator>().Validate();

        var error = start.Should().Throw<OptionsValidationException>().Which;
        error.Failures.Should().Contain("TeamsConnector:Graph:PollInterval is not a valid TimeSpan (for example 00:00:30) or Auto.");
        error.Failures.Should().Contain(f => f.Contains("PollBudgetShare", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.Contains("MinPollInterval", StringComparison.Ordinal));
        error.Message.Should().NotContain("SECRET");
    }

    private static Dictionary<string, string?> Valid(Dictionary<string, string?>? extra = null)
    {
        var values = new Dictionary<string, string?> { ["BaseUrl"] = "http://127.0.0.1:5000/v1.0", ["TenantId"] = TenantId, ["ClientId"] = ClientId };
        foreach (var (key, value) in extra ?? [])
        {
            values[key] = value;
        }

        return values;
    }

    private static IConfigurationSection Configuration(Dictionary<string, string?> graph) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(graph.Select(kv => new KeyValuePair<string, string?>("TeamsConnector:Graph:" + kv.Key, kv.Value)))
            .Build()
            .GetSection("TeamsConnector");

    private static ServiceProvider Build(Dictionary<string, string?> graph, bool valid = true, Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        services?.Invoke(collection);
        collection.AddTeamsConnector(Configuration(valid && !graph.ContainsKey("ClientId") ? Valid(graph) : graph)).AddGraphPresence();
        return collection.BuildServiceProvider();
    }

    private sealed class RecordingCredential(string token = "token-from-di") : TokenCredential
    {
        public List<string> Scopes { get; } = [];

        public override AccessToken GetToken(TokenRequestContext requestContext, CancellationToken cancellationToken)
        {
            Scopes.AddRange(requestContext.Scopes);
            return new AccessToken(token, DateTimeOffset.MaxValue);
        }

        public override ValueTask<AccessToken> GetTokenAsync(TokenRequestContext requestContext, CancellationToken cancellationToken) =>
            ValueTask.FromResult(GetToken(requestContext, cancellationToken));
    }
}
