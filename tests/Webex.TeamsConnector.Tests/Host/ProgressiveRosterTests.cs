using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Host;

public class ProgressiveRosterTests
{
    [Fact]
    public async Task Start_FirstAgentsResolved_SyncWhileTheRestStillResolve_AndTheRestKeepTheirStates()
    {
        var ports = new FakePorts();
        ports.AddAgent("a1", "ann@example.test", "t1");
        ports.AddAgent("a2", "bob@example.test", "t2");
        var loggedIn = DateTimeOffset.FromUnixTimeMilliseconds(1_739_000_000_000);
        ports.CurrentStates["a1"] = new AgentFeedEvent("a1", AgentEvent.LoggedIn(AgentState.Available, loggedIn), null, default);
        ports.CurrentStates["a2"] = new AgentFeedEvent("a2", AgentEvent.LoggedIn(AgentState.Available, loggedIn), null, default);
        var resolver = new GatedResolver(ports, first: "ann@example.test");
        await using var fixture = await HostFixture.StartAsync(ports, configure: b => b.Services.AddSingleton<ITeamsUserResolver>(resolver));
        await ports.FeedsRunning.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Bob is still being resolved: Ann syncs already.
        await Wait.UntilAsync(() => fixture.Admin.GetStatus().TrackedAgents == 1, "Ann is tracked");
        await ports.TeamsAsync("t1", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);
        await Wait.UntilAsync(() => ports.Writes.Contains(("a1", AgentState.Idle("c-dnd"))), "Ann is set idle while Bob resolves");
        resolver.Released.Should().BeFalse();

        resolver.Release();
        await Wait.UntilAsync(() => fixture.Admin.GetStatus().TrackedAgents == 2, "Bob joins");
        await Wait.UntilAsync(() => ports.Watched.Count == 2, "Bob's Teams user is watched");
        await ports.TeamsAsync("t2", "DoNotDisturb", "DoNotDisturb", TimeProvider.System);

        // Bob's state (Available) arrived while he was resolving; it was kept and applied when he joined.
        await Wait.UntilAsync(() => ports.Writes.Contains(("a2", AgentState.Idle("c-dnd"))), "Bob is set idle from the state kept for him");
    }

    private sealed class GatedResolver(FakePorts ports, string first) : ITeamsUserResolver
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public bool Released => _release.Task.IsCompleted;

        public void Release() => _release.TrySetResult();

        public ValueTask<string?> ResolveAsync(string emailOrUserPrincipalName, CancellationToken cancellationToken) =>
            ports.ResolveAsync(emailOrUserPrincipalName, cancellationToken);

        public async IAsyncEnumerable<IReadOnlyList<TeamsUserResolution>> ResolveManyAsync(
            IReadOnlyCollection<string> emailsOrUserPrincipalNames,
            [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            var head = emailsOrUserPrincipalNames.Where(n => string.Equals(n, first, StringComparison.OrdinalIgnoreCase)).ToList();
            var rest = emailsOrUserPrincipalNames.Except(head).ToList();
            yield return [.. head.Select(n => new TeamsUserResolution(n, ports.TeamsIds[n]))];
            await _release.Task.WaitAsync(cancellationToken);
            yield return [.. rest.Select(n => new TeamsUserResolution(n, ports.TeamsIds[n]))];
        }
    }
}
