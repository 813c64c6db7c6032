using System.Threading.Channels;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.TestFixtures;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Tests.Host;

/// <summary>
/// A failed session is restarted after a back-off: 1 s, doubling while sessions keep failing (up to 5 minutes), and
/// 1 s again once a session had run for a minute before it failed, so that failures days apart do not add up.
/// </summary>
public class SessionRestartTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task FailingSessions_RestartAfterADoublingBackoff_AndAfterOneSecondOnceASessionRanAMinute()
    {
        var time = new DelaySignallingTimeProvider(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
        var restarts = Channel.CreateUnbounded<TimeSpan>();
        var ports = new FakePorts();
        ports.AddAgent("a1", "ann@contoso.example", "t1");
        ports.CurrentStates["a1"] = new AgentFeedEvent("a1", AgentEvent.LoggedIn(AgentState.Available, DateTimeOffset.FromUnixTimeMilliseconds(1_739_000_000_000)), null, default);
        ports.PresenceFeedFailure = new InvalidOperationException("graph down");
        await using var fixture = await HostFixture.StartAsync(ports, configure: builder =>
        {
            builder.Services.AddSingleton<TimeProvider>(time);
            builder.Logging.AddProvider(new RestartDelays(restarts.Writer));
        });

        var seen = new List<TimeSpan>();
        for (var failure = 1; failure <= 4; failure++)
        {
            var delay = await restarts.Reader.ReadAsync().AsTask().WaitAsync(s_wait);
            seen.Add(delay);
            if (failure == 4)
            {
                ports.PresenceFeedFailure = null;
            }

            await time.AdvanceOnceWaitingAsync(delay, s_wait);
        }

        seen.Should().Equal(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(8));
        await Wait.UntilAsync(() => fixture.Admin.GetStatus().IsSyncing, "the fifth session runs");

        time.Advance(TimeSpan.FromMinutes(1));
        ports.FailRunningPresenceFeed(new InvalidOperationException("graph down again"));

        (await restarts.Reader.ReadAsync().AsTask().WaitAsync(s_wait))
            .Should().Be(TimeSpan.FromSeconds(1), "the session had run a minute: the failures before it no longer count");
    }

    /// <summary>Captures the restart delay of each "presence sync failed" log entry (event 1103).</summary>
    private sealed class RestartDelays(ChannelWriter<TimeSpan> delays) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == 1103 && state is IReadOnlyList<KeyValuePair<string, object?>> values && values.FirstOrDefault(v => v.Key == "Delay").Value is TimeSpan delay)
            {
                delays.TryWrite(delay);
            }
        }

        public void Dispose()
        {
        }
    }
}
