using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Webex.TeamsConnector.Tests.Host;

/// <summary>
/// The connector's hosted service starts before the web server (it is registered first); the sync must not create
/// subscriptions that call the host's own endpoints (Graph validates a notification URL at once) until the host, web
/// server included, has started.
/// </summary>
public class TeamsConnectorServiceTests
{
    [Fact]
    public async Task StartAsync_SyncStartedBeforeTheWebServerListens_WaitsUntilTheHostHasStarted()
    {
        var lifetime = new WatchedLifetime();
        var started = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var service = new TeamsConnectorService(
            () =>
            {
                started.TrySetResult(lifetime.ApplicationStarted.IsCancellationRequested);
                return [];
            },
            lifetime);

        await service.StartAsync(CancellationToken.None);
        await lifetime.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));
        lifetime.NotifyStarted();

        (await started.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeTrue("the sync starts only once the host has started");
        await service.StopAsync(CancellationToken.None);
    }

    [Fact]
    public async Task StopAsync_BeforeTheHostHasStarted_EndsWithoutStartingTheSync()
    {
        var lifetime = new WatchedLifetime();
        var created = false;
        var service = new TeamsConnectorService(
            () =>
            {
                created = true;
                return [];
            },
            lifetime);
        await service.StartAsync(CancellationToken.None);
        await lifetime.Asked.Task.WaitAsync(TimeSpan.FromSeconds(10));

        await service.StopAsync(CancellationToken.None);

        created.Should().BeFalse();
    }

    /// <summary>The host's own lifetime, telling when the service first looks at <see cref="ApplicationStarted"/>.</summary>
    private sealed class WatchedLifetime : IHostApplicationLifetime
    {
        private readonly ApplicationLifetime _inner = new(NullLogger<ApplicationLifetime>.Instance);

        public TaskCompletionSource Asked { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationToken ApplicationStarted
        {
            get
            {
                Asked.TrySetResult();
                return _inner.ApplicationStarted;
            }
        }

        public CancellationToken ApplicationStopping => _inner.ApplicationStopping;

        public CancellationToken ApplicationStopped => _inner.ApplicationStopped;

        public void NotifyStarted() => _inner.NotifyStarted();

        public void StopApplication() => _inner.StopApplication();
    }
}
