using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector.Tests.Options;

/// <summary><c>StateSync:ContactPresence</c> as one value (telephony) and per channel, bound from configuration.</summary>
public class ContactPresenceOptionsTests
{
    private static (SyncRules? Rules, List<string> Errors) Bind(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>("TeamsConnector:StateSync:" + s.Key, s.Value)))
            .Build()
            .GetSection("TeamsConnector");
        using var provider = new ServiceCollection().AddTeamsConnector(configuration).Services.BuildServiceProvider();
        try
        {
            var options = provider.GetRequiredService<IOptions<TeamsConnectorOptions>>().Value;
            var errors = new List<string>();
            TeamsConnectorOptionsValidator.TryBuildRules(options.StateSync, new OriginClassifier(), out var rules, errors);
            return (rules, errors);
        }
        catch (OptionsValidationException ex)
        {
            return (null, ex.Failures.ToList());
        }
    }

    [Fact]
    public void ContactPresence_NothingGiven_TelephonyInACallAndDigitalNone()
    {
        var (rules, errors) = Bind();

        errors.Should().BeEmpty();
        rules!.ContactPresence.Should().Be(PublishedPresence.InACall);
        rules.ChatContactPresence.Should().Be(PublishedPresence.None);
        rules.EmailContactPresence.Should().Be(PublishedPresence.None);
        rules.SocialContactPresence.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void ContactPresence_SingleValue_StillSetsTelephony()
    {
        var (rules, errors) = Bind(("ContactPresence", "Busy/InAConferenceCall"));

        errors.Should().BeEmpty();
        rules!.ContactPresence.Should().Be(PublishedPresence.InAConferenceCall);
        rules.ChatContactPresence.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void ContactPresence_PerChannel_BindsEachChannel()
    {
        var (rules, errors) = Bind(("ContactPresence:Telephony", "None"), ("ContactPresence:Chat", "Busy/InACall"), ("ContactPresence:email", "Away/Away"), ("ContactPresence:Social", "None"));

        errors.Should().BeEmpty();
        rules!.ContactPresence.Should().Be(PublishedPresence.None);
        rules.ChatContactPresence.Should().Be(PublishedPresence.InACall);
        rules.EmailContactPresence.Should().Be(PublishedPresence.Away);
        rules.SocialContactPresence.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void ContactPresence_SingleValueAndTelephonyBothGiven_TelephonyWins()
    {
        var (rules, errors) = Bind(("ContactPresence", "Away/Away"), ("ContactPresence:Telephony", "Busy/InAConferenceCall"), ("ContactPresence:Chat", "Busy/InACall"));

        errors.Should().BeEmpty();
        rules!.ContactPresence.Should().Be(PublishedPresence.InAConferenceCall);
        rules.ChatContactPresence.Should().Be(PublishedPresence.InACall);
    }

    [Fact]
    public void ContactPresence_BadChannelOrPair_ListsEachError()
    {
        var (rules, errors) = Bind(("ContactPresence:Fax", "Busy/InACall"), ("ContactPresence:Chat", "Busy/Busy"));

        rules.Should().BeNull();
        errors.Should().Contain("TeamsConnector:StateSync:ContactPresence:Fax is not a contact channel (Telephony, Chat, Email, Social).");
        errors.Should().Contain(e => e.StartsWith("TeamsConnector:StateSync:ContactPresence:Chat must be None or one of", StringComparison.Ordinal));
        errors.Should().NotContain(e => e.Contains("is not a known setting", StringComparison.Ordinal));
    }

    [Fact]
    public void ContactPresence_ValueAndSection_OtherValuesStillRefuseChildren()
    {
        var (rules, errors) = Bind(("ContactPresence", "Busy/InACall"), ("ContactPresence:Chat", "Busy/InACall"), ("ReasonMarker:Chat", "x"));

        rules.Should().BeNull();
        errors.Should().ContainSingle(e => e.Contains("is not a known setting", StringComparison.Ordinal))
            .Which.Should().Contain("ReasonMarker:Chat");
    }
}
