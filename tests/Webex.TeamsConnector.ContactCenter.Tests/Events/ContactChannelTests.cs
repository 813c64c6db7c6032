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
    [InlineData("AgentOfferContact", "chat", ContactChannel.Chat, AgentStateKind.Reserved)]
    [InlineData("AgentContactAssigned", "chat", ContactChannel.Chat, AgentStateKind.Engaged)]
    [InlineData("AgentContactAssigned", "email", ContactChannel.Email, AgentStateKind.Engaged)]
    [InlineData("AgentContactAssigned", "SOCIAL", ContactChannel.Social, AgentStateKind.Engaged)]
    [InlineData("AgentWrapup", "chat", ContactChannel.Chat, AgentStateKind.WrapUp)]
    [InlineData("AgentContactEnded", "email", ContactChannel.Email, AgentStateKind.Available)]
    [InlineData("AgentOfferContactRona", "social", ContactChannel.Social, AgentStateKind.Available)]
    public void FromNotification_DigitalContact_IsADigitalContactEventNotTheVoiceState(string type, string media, ContactChannel channel, AgentStateKind contact)
    {
        var parsed = Contact(type, media);

        parsed.Kind.Should().Be(ParsedKind.Agent);
        parsed.Event.Event.Kind.Should().Be(AgentEventKind.DigitalContact);
        parsed.Event.Event.Channel.Should().Be(channel);
        parsed.Event.Event.ContactId.Should().Be("c1");
        parsed.Event.Event.State.Kind.Should().Be(contact);
    }

    [Fact]
    public void FromNotification_MediaTypeOnData_IsReadToo()
    {
        var json = """{"type":"RoutingMessage","data":{"type":"AgentContactAssigned","agentId":"a1","eventTime":5,"interactionId":"c9","mediaType":"chat"}}""";
        var parsed = AgentEventParser.FromNotification(Encoding.UTF8.GetBytes(json), "rona-code", s_now);

        parsed.Event.Event.Kind.Should().Be(AgentEventKind.DigitalContact);
        parsed.Event.Event.ContactId.Should().Be("c9");
    }

    [Fact]
    public void FromNotification_DigitalContactWithoutInteractionId_IsRejected()
    {
        var parsed = Contact("AgentContactAssigned", interactionMedia: null, dataMedia: "chat");

        parsed.Kind.Should().Be(ParsedKind.Rejected);
        parsed.Detail.Should().Contain("interactionId");
    }

    private static ParsedMessage ChannelState(string channel, string state) =>
        AgentEventParser.FromWebhook(
            System.Text.Json.JsonDocument.Parse($$$"""{"type":"agent:channel_state_change","comciscotimestamp":5,"data":{"agentId":"a1","channelType":"{{{channel}}}","currentState":"{{{state}}}","createdTime":5}}""").RootElement,
            s_now);

    [Theory]
    [InlineData("chat", "Engaged", ContactChannel.Chat, AgentStateKind.Engaged)]
    [InlineData("email", "WrapUp", ContactChannel.Email, AgentStateKind.WrapUp)]
    [InlineData("social", "Reserved", ContactChannel.Social, AgentStateKind.Reserved)]
    [InlineData("chat", "Available", ContactChannel.Chat, AgentStateKind.Available)]
    [InlineData("chat", "Idle", ContactChannel.Chat, AgentStateKind.Available)]
    public void FromWebhook_V2DigitalChannelState_IsOneContactPerChannel(string channel, string state, ContactChannel expected, AgentStateKind contact)
    {
        var parsed = ChannelState(channel, state);

        parsed.Kind.Should().Be(ParsedKind.Agent);
        parsed.Event.Event.Kind.Should().Be(AgentEventKind.DigitalContact);
        parsed.Event.Event.Channel.Should().Be(expected);
        parsed.Event.Event.ContactId.Should().Be(AgentEventParser.ChannelContactId);
        parsed.Event.Event.State.Kind.Should().Be(contact);
    }

    [Fact]
    public void FromWebhook_V2UnknownChannel_IsIgnoredAndMarkedForCounting()
    {
        var parsed = ChannelState("fax", "Engaged");

        parsed.Kind.Should().Be(ParsedKind.Ignored);
        parsed.UnknownChannel.Should().BeTrue();
        parsed.Detail.Should().Contain("unknown channel 'fax'");
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
