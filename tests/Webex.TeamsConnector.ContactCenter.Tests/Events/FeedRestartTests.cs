using Microsoft.Extensions.DependencyInjection;
using System.Threading.Channels;

namespace Webex.TeamsConnector.ContactCenter.Tests.Events;

public sealed class FeedRestartTests
{
    [Fact]
    public async Task RunAsync_SecondRunOnTheSameFeed_StartsWithEveryAgentsStateAgain()
    {
        // A new sync session (after a reactivation) runs the same feed again and must learn every state again,
        // although the first run already passed those states on.
        await using var h = await Harness.StartAsync(Harness.OrganizationWideWebSocket, settings: new() { ["EventSource"] = "WebSocket" });
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        var feed = h.Services.GetRequiredService<IAgentEventFeed>();

        for (var run = 0; run < 2; run++)
        {
            var events = Channel.CreateUnbounded<AgentFeedEvent>();
            using var stop = new CancellationTokenSource();
            var running = feed.RunAsync(events.Writer, stop.Token);

            var first = await events.Reader.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

            first.AgentId.Should().Be(agent, "run {0} starts with the agent's current state", run + 1);
            first.Event.State.Should().Be(AgentState.Available);
            await stop.CancelAsync();
            await running.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}
