using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>
/// The workers that publish and clear the connector's Teams presence (Graph <c>setPresence</c> / <c>clearPresence</c>)
/// off the engine loop: a fixed number of queues, one agent always on the same queue so that its work stays in order.
/// </summary>
internal sealed class PublisherPool
{
    private const int Workers = 4;

    private readonly ITeamsPresencePublisher _publisher;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TeamsConnectorTelemetry _telemetry;
    private readonly Channel<PublisherWork>[] _queues = new Channel<PublisherWork>[Workers];
    private readonly List<Task> _workers = new(Workers);

    public PublisherPool(ITeamsPresencePublisher publisher, TimeProvider time, ILogger logger, TeamsConnectorTelemetry telemetry)
    {
        _publisher = publisher;
        _time = time;
        _logger = logger;
        _telemetry = telemetry;
        for (var i = 0; i < Workers; i++)
        {
            _queues[i] = Channel.CreateUnbounded<PublisherWork>(new UnboundedChannelOptions { SingleReader = true });
        }
    }

    /// <summary>Starts the workers.</summary>
    public void Start()
    {
        for (var i = 0; i < Workers; i++)
        {
            _workers.Add(RunAsync(_queues[i].Reader));
        }
    }

    /// <summary>Queues a publish or clear; the work of one agent always goes to the same worker, in order.</summary>
    /// <param name="work">The work.</param>
    public void Enqueue(PublisherWork work)
    {
        var index = (int)((uint)StringComparer.Ordinal.GetHashCode(work.AgentId) % Workers);
        _queues[index].Writer.TryWrite(work);
    }

    private async Task RunAsync(ChannelReader<PublisherWork> reader)
    {
        await foreach (var work in reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
        {
            try
            {
                // Not linked to the host's stopping token: clears sent at stop must still go out (bounded by the budget).
                using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(30), _time);
                if (work.Operation == PublisherOperation.Publish)
                {
                    await _publisher.PublishAsync(work.TeamsUserId, work.Presence, work.Expiration, budget.Token).ConfigureAwait(false);
                }
                else
                {
                    await _publisher.ClearAsync(work.TeamsUserId, budget.Token).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                _telemetry.Reject(work.Operation == PublisherOperation.Publish ? "publish_failed" : "clear_failed");
                Log.PublishFailed(_logger, work.Operation.ToString(), work.AgentId, ex.GetType().Name + ": " + ex.Message);
            }
        }
    }

    /// <summary>
    /// Takes no more work and waits (up to ten seconds) for the queued work to go out; what is left is logged and
    /// counted (Teams presence the connector published expires by itself after <c>StateSync:PublishExpiration</c>).
    /// </summary>
    /// <returns>A task that completes when the workers finished or the wait ended.</returns>
    public async Task CompleteAsync()
    {
        foreach (var queue in _queues)
        {
            queue.Writer.TryComplete();
        }

        var publishers = Task.WhenAll(_workers);
        await publishers.WaitAsync(TimeSpan.FromSeconds(10), _time, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (!publishers.IsCompleted)
        {
            var left = _queues.Sum(static q => q.Reader.Count);
            _telemetry.Reject("presence_clear_unfinished");
            Log.PublisherUnfinished(_logger, left);
        }
    }
}

internal enum PublisherOperation
{
    Publish,
    Clear,
    ClearStale,
}

internal readonly record struct PublisherWork(PublisherOperation Operation, string TeamsUserId, string AgentId, PublishedPresence Presence, TimeSpan Expiration);
