using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.ContactCenter.Tests.Options;

public sealed class ContactCenterOptionsTests
{
    private const string Secret = "client-secret-that-must-never-leak-42";

    private static IServiceProvider Build(Dictionary<string, string?> values, Action<ContactCenterOptions>? configure = null)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(values.ToDictionary(static p => "TeamsConnector:ContactCenter:" + p.Key, static p => p.Value))
            .Build();
        var services = new ServiceCollection();
        var builder = services.AddTeamsConnector(configuration.GetSection("TeamsConnector"));
        if (configure is null)
        {
            builder.AddWebexContactCenter();
        }
        else
        {
            builder.AddWebexContactCenter(configure);
        }

        return services.BuildServiceProvider();
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["OrgId"] = "org",
        ["ClientId"] = "client",
        ["ClientSecret"] = Secret,
        ["RefreshToken"] = "refresh-token-that-must-never-leak",
        ["WebhookSecret"] = "webhook-secret-that-must-never-leak-0123456789",
    };

    [Fact]
    public void AddWebexContactCenter_ValidSection_BindsValuesAndDocumentedDefaults()
    {
        var values = Valid();
        values["RequestsPerMinute"] = "120";
        values["EventSource"] = "WebSocket";

        var options = Build(values).GetRequiredService<IOptions<ContactCenterOptions>>().Value;

        options.OrgId.Should().Be("org");
        options.RequestsPerMinute.Should().Be(120);
        options.EventSource.Should().Be(ContactCenterEventSource.WebSocket);
        options.BaseUrl.Should().Be(new Uri("https://api.wxcc-us1.cisco.com"));
        options.TokenUrl.Should().Be(new Uri("https://webexapis.com/v1/access_token"));
        options.WebexApiBaseUrl.Should().Be(new Uri("https://webexapis.com/v1"));
        new ContactCenterOptions().RequestsPerMinute.Should().Be(300);
    }

    [Fact]
    public void AddWebexContactCenter_ManyProblems_ListsEveryErrorAtOnce()
    {
        var provider = Build(new Dictionary<string, string?>
        {
            ["RequestsPerMinute"] = "0",
            ["BaseUrl"] = "http://api.example.com",
            ["WebhookSecret"] = "short-but-secret",
            ["WebhookUrl"] = "http://hooks.example.com/wxcc",
            ["ReconciliationWindow"] = "1.00:00:00",
        });

        var act = () => provider.GetRequiredService<IOptions<ContactCenterOptions>>().Value;

        var error = act.Should().Throw<OptionsValidationException>().Which;
        error.Failures.Should().Contain(f => f.Contains("OrgId is required"))
            .And.Contain(f => f.Contains("ClientId is required"))
            .And.Contain(f => f.Contains("ClientSecret is required"))
            .And.Contain(f => f.Contains("RefreshToken is required"))
            .And.Contain(f => f.Contains("RequestsPerMinute"))
            .And.Contain(f => f.Contains("BaseUrl must use https"))
            .And.Contain(f => f.Contains("WebhookSecret must be 32 to 256"))
            .And.Contain(f => f.Contains("WebhookUrl must be an absolute https URL"))
            .And.Contain(f => f.Contains("ReconciliationWindow"));
        error.Message.Should().NotContain("short-but-secret");
    }

    [Theory]
    [InlineData("https://hooks.example.com:8443/wxcc", false)]
    [InlineData("https://hooks.example.com:80/wxcc", false)]
    [InlineData("https://hooks.example.com/wxcc", true)]
    [InlineData("https://hooks.example.com:443/wxcc", true)]
    [InlineData("https://127.0.0.1:5001/wxcc", true)]
    [InlineData("http://127.0.0.1:5000/wxcc", true)]
    public void AddWebexContactCenter_WebhookUrlPort_MustBe443UnlessLoopback(string url, bool valid)
    {
        var values = Valid();
        values["WebhookUrl"] = url;

        var act = () => Build(values).GetRequiredService<IOptions<ContactCenterOptions>>().Value;

        if (valid)
        {
            act.Should().NotThrow();
        }
        else
        {
            act.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle(f => f.Contains("WebhookUrl must use port 443"));
        }
    }

    [Fact]
    public void AddWebexContactCenter_UnknownKey_IsRefusedWithTheOtherErrors()
    {
        var values = Valid();
        values["ClientSecert"] = "typo";
        values["RequestsPerMinute"] = "0";

        var act = () => Build(values).GetRequiredService<IOptions<ContactCenterOptions>>().Value;

        var error = act.Should().Throw<OptionsValidationException>().Which;
        error.Failures.Should().Contain(f => f.Contains("ClientSecert"));
        error.Failures.Should().Contain(f => f.Contains("RequestsPerMinute"));
    }

    [Fact]
    public void AddWebexContactCenter_SecretInAWrongTypedKey_IsNotEchoed()
    {
        var values = Valid();
        values["RequestsPerMinute"] = Secret;

        var act = () => Build(values).GetRequiredService<IOptions<ContactCenterOptions>>().Value;

        var error = act.Should().Throw<OptionsValidationException>().Which;
        error.Message.Should().Contain("RequestsPerMinute").And.NotContain(Secret);
    }

    [Fact]
    public void AddWebexContactCenter_WebSocketMode_NeedsNoWebhookSecret()
    {
        var values = Valid();
        values.Remove("WebhookSecret");
        values["EventSource"] = "WebSocket";

        var act = () => Build(values).GetRequiredService<IOptions<ContactCenterOptions>>().Value;

        act.Should().NotThrow();
    }

    [Fact]
    public async Task AddWebexContactCenter_InvalidSettings_FailHostStart()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddTeamsConnector().AddWebexContactCenter();
        using var host = builder.Build();

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<OptionsValidationException>()).Which.Failures.Should().HaveCountGreaterThan(3);
    }

    [Fact]
    public void AddWebexContactCenter_CalledTwice_RegistersOnceAndAppliesBothDelegates()
    {
        var services = new ServiceCollection();
        var builder = services.AddTeamsConnector();
        builder.AddWebexContactCenter(o => o.OrgId = "first").AddWebexContactCenter(o => o.ClientId = "second");
        builder.AddWebexContactCenter();

        services.Count(static d => d.ServiceType == typeof(IAgentStateOutbox)).Should().Be(1);
        services.Count(static d => d.ServiceType == typeof(IValidateOptions<ContactCenterOptions>)).Should().Be(1);
        var options = services.BuildServiceProvider().GetRequiredService<IOptionsMonitor<ContactCenterOptions>>();
        var act = () => options.CurrentValue;
        var failures = act.Should().Throw<OptionsValidationException>().Which.Failures;
        failures.Should().NotContain(f => f.Contains("OrgId")).And.NotContain(f => f.Contains("ClientId"));
    }

    [Fact]
    public void AddWebexContactCenter_Section_IsBoundFromThatSection()
    {
        var values = Valid();
        values["RequestsPerMinute"] = "120";
        var configuration = new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(kv => new KeyValuePair<string, string?>("Adapters:Wxcc:" + kv.Key, kv.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddTeamsConnector().AddWebexContactCenter(configuration.GetSection("Adapters:Wxcc"));

        var options = services.BuildServiceProvider().GetRequiredService<IOptions<ContactCenterOptions>>().Value;

        options.RequestsPerMinute.Should().Be(120);
        options.OrgId.Should().Be(values["OrgId"]);
    }

    [Fact]
    public void AddWebexContactCenter_NullArguments_Throw()
    {
        var builder = new ServiceCollection().AddTeamsConnector();

        ((Action)(() => ContactCenterTeamsConnectorBuilderExtensions.AddWebexContactCenter(null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => builder.AddWebexContactCenter((Action<ContactCenterOptions>)null!))).Should().Throw<ArgumentNullException>();
        ((Action)(() => builder.AddWebexContactCenter((Microsoft.Extensions.Configuration.IConfigurationSection)null!))).Should().Throw<ArgumentNullException>();
    }

    [Fact]
    public void AddWebexContactCenter_Resolves_EveryPort()
    {
        var provider = Build(Valid());

        provider.GetRequiredService<IAgentStateOutbox>().Should().NotBeNull();
        provider.GetRequiredService<IAgentEventFeed>().Should().NotBeNull();
        provider.GetRequiredService<IContactCenterDirectory>().Should().NotBeNull();
        provider.GetRequiredService<WxccWebhookProcessor>().Should().NotBeNull();
        provider.GetRequiredService<IRefreshTokenStore>().Should().NotBeNull();
    }
}
