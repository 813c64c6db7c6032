using System.Text;

namespace Webex.TeamsConnector.ContactCenter.Tests.Events;

/// <summary>Websocket contact events are classified by channel: only telephony is the synced agent state.</summary>
public sealed class ContactChannelTests
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static ParsedMessage Contact(string type, string? interactionMedia, string? dataMedia = null)
    {
        var interaction = interactionMedia is null ? string.Empty : $",\"interaction\":{{\"interactionId\":\"c1\",\"mediaType\":\"{interactionMedia}\"}}";
        var media = dataMedia is null ? string.Empty : $",\"mediaType\":\"{dataMedia}\"";
        var json = $"{{\"type\":\"RoutingMessage\",\"data\":{{\"type\":\"{type}\",\"agentId\":\"a1\",\"eventTime\":5{interaction}{media}}}}}";
        return AgentEventParser.FromNotification(Encoding.UTF8.GetBytes(json), "rona-code", s_now);
    }

    [Theory]
    [InlineData("AgentOfferContact", "chat")]
    [InlineData("AgentContactAssigned", "chat")]
    [InlineData("AgentContactAssigned", "email")]
    [InlineData("AgentContactAssigned", "SOCIAL")]
    [InlineData("AgentWrapup", "chat")]
    [InlineData("AgentContactEnded", "email")]
    [InlineData("AgentOfferContactRona", "social")]
    public void FromNotification_DigitalContact_IsNotTheAgentsVoiceState(string type, string media)
    {
        var parsed = Contact(type, media);

        parsed.Kind.Should().Be(ParsedKind.Ignored);
        parsed.Detail.Should().Contain(media);
    }

    [Fact]
    public void FromNotification_MediaTypeOnData_IsReadToo()
    {
        Contact("AgentContactAssigned", interactionMedia: null, dataMedia: "chat").Kind.Should().Be(ParsedKind.Ignored);
    }

    [Theory]
    [InlineData("telephony")]
    [InlineData("voice")]
    [InlineData(null)]
    public void FromNotification_VoiceContact_IsEngaged(string? media)
    {
        var parsed = Contact("AgentContactAssigned", media);

        parsed.Kind.Should().Be(ParsedKind.Agent);
        parsed.Event.Event.State.Should().Be(AgentState.Engaged);
    }

    [Fact]
    public void FromNotification_ContactOnAnUnknownChannel_IsRejectedWithTheChannel()
    {
        var parsed = Contact("AgentContactAssigned", "fax");

        parsed.Kind.Should().Be(ParsedKind.Rejected);
        parsed.Detail.Should().Contain("unknown channel 'fax'");
    }
}
