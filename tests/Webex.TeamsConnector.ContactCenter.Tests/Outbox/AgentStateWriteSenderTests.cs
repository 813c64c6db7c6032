using System.Net;
using System.Text.Json;

namespace Webex.TeamsConnector.ContactCenter.Tests.Outbox;

/// <summary>The sender's outcome mapping and body, without HTTP (the outbox tests cover the wire).</summary>
public sealed class AgentStateWriteSenderTests
{
    private static WxccResponse Answer(HttpStatusCode? status) => new(status, [], "tracking-1", status is null ? "connection failed" : null);

    [Fact]
    public void Map_Accepted_ReportsTheTrackingId()
    {
        var outcome = AgentStateWriteSender.Map(new PendingWrite("a", AgentState.Available, 1), Answer(HttpStatusCode.Accepted), 3);

        outcome.Should().Be(new WriteOutcome(WriteOutcomeKind.Accepted, TimeSpan.Zero, null, "tracking-1"));
    }

    [Fact]
    public void Map_TooManyRequests_PutBackAtOnceUpToTheCapThenRefused()
    {
        var write = new PendingWrite("a", AgentState.Idle("dnd"), 1);
        for (var i = 0; i < AgentStateWriteSender.MaxThrottledRetries; i++)
        {
            var retry = AgentStateWriteSender.Map(write, Answer(HttpStatusCode.TooManyRequests), 3);
            retry.Kind.Should().Be(WriteOutcomeKind.Retry);
            retry.Delay.Should().Be(TimeSpan.Zero, "the budget itself holds the write for the Retry-After");
            retry.Reason.Should().BeNull();
        }

        var refused = AgentStateWriteSender.Map(write, Answer(HttpStatusCode.TooManyRequests), 3);

        refused.Kind.Should().Be(WriteOutcomeKind.Failed);
        refused.Reason.Should().Contain("HTTP 429");
        write.Attempts.Should().Be(0, "a 429 is not a failed attempt");
    }

    [Fact]
    public void Map_TransientFailure_PutBackAfterTheBackoffUntilMaxWriteAttempts()
    {
        var write = new PendingWrite("a", AgentState.Available, 1);

        var first = AgentStateWriteSender.Map(write, Answer(HttpStatusCode.ServiceUnavailable), 3);
        var second = AgentStateWriteSender.Map(write, Answer(null), 3);
        var third = AgentStateWriteSender.Map(write, Answer(HttpStatusCode.BadGateway), 3);

        first.Should().Be(new WriteOutcome(WriteOutcomeKind.Retry, WxccApiClient.Backoff(1), "HTTP 503", "tracking-1"));
        second.Should().Be(new WriteOutcome(WriteOutcomeKind.Retry, WxccApiClient.Backoff(2), "connection failed", "tracking-1"));
        third.Kind.Should().Be(WriteOutcomeKind.Failed);
        third.Reason.Should().Be("WxCC refused the write (HTTP 502)");
    }

    [Fact]
    public void Map_ClientError_RefusedWithoutRetry()
    {
        var write = new PendingWrite("a", AgentState.Available, 1);

        var outcome = AgentStateWriteSender.Map(write, Answer(HttpStatusCode.BadRequest), 3);

        outcome.Kind.Should().Be(WriteOutcomeKind.Failed);
        outcome.Reason.Should().Be("WxCC refused the write (HTTP 400)");
    }

    [Fact]
    public void Body_IdleState_CarriesStateCodeReasonMarkerAndAgent()
    {
        using var body = JsonDocument.Parse(AgentStateWriteSender.Body(new PendingWrite("agent-1", AgentState.Idle("code-7"), 1), "Teams"));

        body.RootElement.GetProperty("state").GetString().Should().Be("Idle");
        body.RootElement.GetProperty("auxCodeId").GetString().Should().Be("code-7");
        body.RootElement.GetProperty("lastStateChangeReason").GetString().Should().Be("Teams");
        body.RootElement.GetProperty("agentId").GetString().Should().Be("agent-1");
    }
}
