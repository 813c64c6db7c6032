using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Host;

/// <summary>The session marks, for the agent feed's first reconciliation, the agents whose Teams presence waits for a decision.</summary>
public class StartPriorityTests
{
    [Fact]
    public async Task Presence_MappedToAnIdleCodeBeforeTheAgentStateIsKnown_MarksOnlyThatAgent()
    {
        var ports = new FakePorts();
        ports.AddAgent("a1", "ann@example.test", "t1");
        ports.AddAgent("a2", "bob@example.test", "t2");
        ports.AddAgent("a3", "cid@example.test", "t3");
        var loggedIn = DateTimeOffset.FromUnixTimeMilliseconds(1_739_000_000_000);
        ports.CurrentStates["a3"] = new AgentFeedEvent("a3", AgentEvent.LoggedIn(AgentState.Available, loggedIn), null, default);
        var feed = new PrioritizedFeed(ports);
        await using var fixture = await HostFixture.StartAsync(ports, configure: b => b.Services.AddSingleton<IAgentEventFeed>(feed));
        await ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => fixture.Admin.GetStatus().TrackedAgents == 3, "every agent is tracked");
        await Wait.UntilAsync(
            () => fixture.Admin.GetAgentsAsync(CancellationToken.None).GetAwaiter().GetResult().Any(a => a.AgentId == "a3" && a.LastEventAt is not null),
            "Cid's WxCC state is known");

        // In order on one channel: Bob available (no decision), Cid busy with a known WxCC state, Ann busy without one.
        await ports.TeamsAsync("t2", "Available", "Available", TimeProvider.System);
        await ports.TeamsAsync("t3", "Busy", "InACall", TimeProvider.System);
        await ports.TeamsAsync("t1", "Busy", "InACall", TimeProvider.System);
        await Wait.UntilAsync(() => feed.StartPriority.Count > 0, "Ann is marked");

        feed.StartPriority.Marked.Should().BeEquivalentTo(["a1"]);
    }

    [Fact]
    public async Task Presence_AfterTheFirstReconciliationEnded_MarksNothing()
    {
        var ports = new FakePorts();
        ports.AddAgent("a1", "ann@example.test", "t1");
        ports.AddAgent("a2", "bob@example.test", "t2");
        var feed = new PrioritizedFeed(ports);
        feed.StartPriority.Close();
        await using var fixture = await HostFixture.StartAsync(ports, configure: b => b.Services.AddSingleton<IAgentEventFeed>(feed));
        await ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Wait.UntilAsync(() => fixture.Admin.GetStatus().TrackedAgents == 2, "every agent is tracked");

        await ports.TeamsAsync("t1", "Busy", "InACall", TimeProvider.System);
        await ports.TeamsAsync("t2", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await ports.AgentAsync("a2", ports.NextState(AgentState.Available));

        // Bob's state arrived after both presences on the loop: the writes he gets prove they were handled.
        await Wait.UntilAsync(() => ports.Writes.Contains(("a2", AgentState.Idle("c-dnd"))), "Bob is set idle");
        feed.StartPriority.Count.Should().Be(0);
    }

    private sealed class PrioritizedFeed(FakePorts ports) : IAgentEventFeed, IPrioritizedAgentFeed
    {
        public AgentStartPriority StartPriority { get; } = new();

        public Task RunAsync(ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken) => ports.RunAsync(events, cancellationToken);
    }
}
