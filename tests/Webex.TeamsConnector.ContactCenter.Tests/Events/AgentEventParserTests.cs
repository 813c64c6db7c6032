using System.Text;
using System.Text.Json;

namespace Webex.TeamsConnector.ContactCenter.Tests.Events;

public sealed class AgentEventParserTests
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    private static ParsedMessage Ws(string json, string? rona = "rona-code") =>
        AgentEventParser.FromNotification(Encoding.UTF8.GetBytes(json), rona, s_now);

    [Theory]
    [InlineData("Available", "0", AgentStateKind.Available, null)]
    [InlineData("Idle", "0", AgentStateKind.Available, null)]
    [InlineData("Idle", "", AgentStateKind.Available, null)]
    [InlineData("Idle", "lunch", AgentStateKind.Idle, "lunch")]
    public void FromNotification_StateChange_MapsSubStatusAndCode(string subStatus, string code, AgentStateKind kind, string? idleCode)
    {
        var parsed = Ws("""{"type":"AgentStateChange","trackingId":"t1","data":{"type":"AgentStateChangeSuccess","agentId":"a1","subStatus":"SUB","auxCodeId":"CODE","lastStateChangeTimestamp":1740748111287,"lastStateChangeReason":"r","changedById":"sup"}}"""
            .Replace("SUB", subStatus, StringComparison.Ordinal).Replace("CODE", code, StringComparison.Ordinal));

        parsed.Kind.Should().Be(ParsedKind.Agent);
        parsed.Event.Should().Be(new AgentFeedEvent("a1", AgentEvent.StateChanged(AgentState.From(kind, idleCode), DateTimeOffset.FromUnixTimeMilliseconds(1740748111287), "r", "sup"), "t1", s_now));
    }

    [Fact]
    public void FromNotification_RonaWithoutCode_UsesTheCataloguesRonaCode()
    {
        var parsed = Ws("""{"type":"RoutingMessage","data":{"type":"AgentOfferContactRona","agentId":"a1","eventTime":5}}""");

        parsed.Event.Event.State.Should().Be(AgentState.Idle("rona-code"));
        Ws("""{"type":"RoutingMessage","data":{"type":"AgentOfferContactRona","agentId":"a1"}}""", rona: null).Kind.Should().Be(ParsedKind.Rejected);
    }

    [Fact]
    public void FromNotification_StateChangeFailed_CarriesTrackingIdAndReason()
    {
        var parsed = Ws("""{"type":"AgentStateChange","trackingId":"t9","data":{"type":"AgentStateChangeFailed","agentId":"a1","reasonCode":1001,"reason":"nope"}}""");

        parsed.Should().Be(new ParsedMessage(ParsedKind.StateChangeFailed, AgentId: "a1", TrackingId: "t9", Detail: "nope"));
    }

    [Theory]
    [InlineData("{not json", "Rejected")]
    [InlineData("[1,2]", "Rejected")]
    [InlineData("""{"type":"AgentStateChange","data":{"type":"AgentStateChangeSuccess","subStatus":"Idle"}}""", "Rejected")]
    [InlineData("""{"type":"AgentStateChange","data":{"type":"AgentStateChangeSuccess","agentId":"a1","subStatus":"Dancing"}}""", "Rejected")]
    [InlineData("""{"type":"AgentStateChange","data":{"type":"SomethingNew","agentId":"a1"}}""", "Ignored")]
    [InlineData("""{"type":"KeepaliveResponse"}""", "Ignored")]
    [InlineData("""{"type":"RoutingMessage","data":{"type":"AgentWrappedUp","agentId":"a1"}}""", "Ignored")]
    [InlineData("""{"type":"Welcome","data":{"agentId":"me"}}""", "Welcome")]
    public void FromNotification_BadOrOtherMessages_NeverThrow(string json, string kind)
    {
        Ws(json).Kind.ToString().Should().Be(kind);
    }

    [Theory]
    [InlineData("available", null, AgentStateKind.Available)]
    [InlineData("Idle", "c", AgentStateKind.Idle)]
    [InlineData("engaged", null, AgentStateKind.Engaged)]
    [InlineData("EngagedOther", null, AgentStateKind.Engaged)]
    [InlineData("reserved", null, AgentStateKind.Reserved)]
    [InlineData("wrapup", null, AgentStateKind.WrapUp)]
    [InlineData("WRAP_UP", null, AgentStateKind.WrapUp)]
    public void ResolveState_WireNames_CaseAndSeparatorInsensitive(string name, string? code, AgentStateKind kind)
    {
        AgentEventParser.ResolveState(name, code)!.Value.Kind.Should().Be(kind);
    }

    [Fact]
    public void FromWebhook_LoggedOutState_BecomesLogout()
    {
        using var doc = JsonDocument.Parse("""{"type":"agent:state_change","comciscotimestamp":10,"data":{"agentId":"a1","currentState":"loggedout"}}""");

        var parsed = AgentEventParser.FromWebhook(doc.RootElement, s_now);

        parsed.Event.Event.Should().Be(AgentEvent.LoggedOut(DateTimeOffset.FromUnixTimeMilliseconds(10)));
    }

    [Theory]
    [InlineData("chat")]
    [InlineData("email")]
    [InlineData("social")]
    public void FromWebhook_V2ChangeOfANonVoiceChannel_IsNotTheVoiceState(string channel)
    {
        using var doc = JsonDocument.Parse($$$"""{"type":"agent:channel_state_change","comciscotimestamp":10,"data":{"agentId":"a1","currentState":"Engaged","channelType":"{{{channel}}}"}}""");

        var parsed = AgentEventParser.FromWebhook(doc.RootElement, s_now);

        parsed.Event.Event.Kind.Should().Be(AgentEventKind.DigitalContact, "a digital channel's state is tracked apart from the voice state");
    }

    [Theory]
    [InlineData("telephony")]
    [InlineData("Voice")]
    public void FromWebhook_V2ChangeOfTheVoiceChannel_DrivesTheState(string channel)
    {
        using var doc = JsonDocument.Parse($$$"""{"type":"agent:channel_state_change","comciscotimestamp":10,"data":{"agentId":"a1","currentState":"Engaged","channelType":"{{{channel}}}"}}""");

        var parsed = AgentEventParser.FromWebhook(doc.RootElement, s_now);

        parsed.Event.Event.State.Should().Be(AgentState.Engaged);
    }

    [Theory]
    [InlineData("chat", false)]
    [InlineData("email", false)]
    [InlineData("telephony", true)]
    public void FromActivity_RecordOfADigitalChannel_IsNotTheVoiceState(string channel, bool current)
    {
        using var doc = JsonDocument.Parse($$$"""{"agentId":"a1","currentState":"Engaged","channelType":"{{{channel}}}","startTime":1,"endTime":-1,"active":true}""");

        AgentEventParser.FromActivity(doc.RootElement, s_now).HasValue.Should().Be(current);
    }

    [Fact]
    public void FromActivity_EndedRecord_IsNotCurrent()
    {
        using var doc = JsonDocument.Parse("""{"agentId":"a1","currentState":"Idle","idleCode":"c","startTime":1,"endTime":2,"active":false}""");

        AgentEventParser.FromActivity(doc.RootElement, s_now).Should().BeNull();
    }
}
