using Webex.TeamsConnector.ContactCenter.Tests.Events;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Outbox;

public sealed class WriteConfirmationTests
{
    private static async Task<(Harness H, WebhookReceiver Receiver)> StartWebhookModeAsync(string? timeout = null)
    {
        var receiver = await WebhookReceiver.StartAsync();
        var settings = new Dictionary<string, string?> { ["WebhookUrl"] = receiver.Url.AbsoluteUri };
        if (timeout is not null)
        {
            settings["WriteConfirmationTimeout"] = timeout;
        }

        var h = await Harness.StartAsync(settings: settings);
        receiver.Processor = h.Processor;
        h.RunFeed();
        await h.Feed.SubscriptionEnsured.WaitAsync(Harness.Wait);
        await h.WaitForReconciliationAsync();
        h.RunOutbox();
        return (h, receiver);
    }

    [Fact]
    public async Task WebhookMode_AcceptedWriteThatWxccThenFails_ReportedFailedAfterOneTargetedReconciliation()
    {
        var (h, receiver) = await StartWebhookModeAsync();
        await using var receiverScope = receiver;
        await using var harnessScope = h;
        var code = h.Wxcc.AddIdleCode("Teams call");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        await h.EventAsync(e => e.AgentId == agent && e.Event.Kind == AgentEventKind.Login);
        h.Wxcc.Faults.FailStateChanges = 1;
        var checkedOnce = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Outbox.ConfirmationChecked += () => checkedOnce.TrySetResult();

        h.OutboxPort.Enqueue(agent, AgentState.Idle(code));
        var accepted = await h.NextResultAsync();
        var readsBefore = h.Wxcc.RequestCount("agents/activities");
        h.Outbox.Unconfirmed.Should().Be(1);
        h.Time.Advance(TimeSpan.FromSeconds(29));
        h.Results.Reader.TryRead(out var early).Should().BeFalse("the timeout has not passed yet: {0}", early);
        h.Time.Advance(TimeSpan.FromSeconds(1));
        var failed = await h.NextResultAsync();
        await checkedOnce.Task.WaitAsync(Harness.Wait);

        accepted.Succeeded.Should().BeTrue();
        failed.Should().Be(new AgentWriteResult(agent, AgentState.Idle(code), false, failed.Reason, accepted.TrackingId));
        failed.Reason.Should().Contain("not confirmed").And.Contain("Available");
        h.Wxcc.RequestCount("agents/activities").Should().Be(readsBefore + 1);
        h.Outbox.Unconfirmed.Should().Be(0);
        h.Wxcc.GetState(agent).Should().Be(AgentState.Available);
    }

    [Fact]
    public async Task WebhookMode_WriteConfirmedByItsEvent_NoCheckAndNoFailure()
    {
        var (h, receiver) = await StartWebhookModeAsync();
        await using var receiverScope = receiver;
        await using var harnessScope = h;
        var code = h.Wxcc.AddIdleCode("Teams call");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        await h.EventAsync(e => e.AgentId == agent && e.Event.Kind == AgentEventKind.Login);

        h.OutboxPort.Enqueue(agent, AgentState.Idle(code));
        var accepted = await h.NextResultAsync();
        await h.EventAsync(e => e.AgentId == agent && e.Event.State == AgentState.Idle(code));
        var readsBefore = h.Wxcc.RequestCount("agents/activities");

        accepted.Succeeded.Should().BeTrue();
        h.Outbox.Unconfirmed.Should().Be(0);
        h.Time.Advance(TimeSpan.FromSeconds(31));
        h.Results.Reader.TryRead(out _).Should().BeFalse();
        h.Wxcc.RequestCount("agents/activities").Should().Be(readsBefore);
    }

    [Fact]
    public async Task WebhookMode_CheckTurnedOff_NothingAwaitsConfirmation()
    {
        var (h, receiver) = await StartWebhookModeAsync(timeout: "00:00:00");
        await using var receiverScope = receiver;
        await using var harnessScope = h;
        var code = h.Wxcc.AddIdleCode("Teams call");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        h.Wxcc.Faults.FailStateChanges = 1;

        h.OutboxPort.Enqueue(agent, AgentState.Idle(code));
        (await h.NextResultAsync()).Succeeded.Should().BeTrue();

        h.Outbox.Unconfirmed.Should().Be(0);
    }
}
