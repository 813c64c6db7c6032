using System.Text.Json;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Communications.GetPresencesByUserId;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

namespace Webex.TeamsConnector.Graph;

/// <summary>Reads presence in batches with <c>POST /communications/getPresencesByUserId</c> and feeds a tracker.</summary>
internal sealed class PresenceReader(GraphClientProvider graph, IOptions<GraphOptions> options, TimeProvider time, GraphMetrics metrics, ILogger<PresenceReader> logger)
{
    private static readonly Dictionary<string, ParsableFactory<IParsable>> s_errors = new(StringComparer.Ordinal)
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    public int BatchSize { get; } = options.Value.PollBatchSize;

    /// <summary>Reads one batch (at most 650 ids).</summary>
    public async Task<List<Microsoft.Graph.Models.Presence>> ReadBatchAsync(List<string> ids, CancellationToken cancellationToken)
    {
        var response = await graph.Client.Communications.GetPresencesByUserId
            .PostAsGetPresencesByUserIdPostResponseAsync(new GetPresencesByUserIdPostRequestBody { Ids = ids }, cancellationToken: cancellationToken)
            .ConfigureAwait(false);
        return response?.Value ?? [];
    }

    /// <summary>
    /// Reads a batch and writes the changes to <paramref name="updates"/>; false when the read failed. The request
    /// is built and sent by the SDK (its middleware, authentication and error mapping); the response is read as
    /// JSON directly, so that an unchanged presence costs no allocation.
    /// </summary>
    public async Task<bool> ReadAndEmitAsync(List<string> ids, PresenceTracker tracker, ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            var request = graph.Client.Communications.GetPresencesByUserId.ToPostRequestInformation(new GetPresencesByUserIdPostRequestBody { Ids = ids });
            var stream = await graph.Client.RequestAdapter.SendPrimitiveAsync<Stream>(request, s_errors, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidDataException("getPresencesByUserId answered without a body.");
            await using (stream.ConfigureAwait(false))
            {
                document = await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            metrics.ReadFailure();
            Log.ReadFailed(logger, ids.Count, ex is ApiException api ? api.ResponseStatusCode : 0, ex);
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("value", out var value) || value.ValueKind != JsonValueKind.Array)
            {
                metrics.ReadFailure();
                Log.ReadFailed(logger, ids.Count, 200, new InvalidDataException("getPresencesByUserId answered without a 'value' array."));
                return false;
            }

            var now = time.GetUtcNow();
            foreach (var presence in value.EnumerateArray())
            {
                if (presence.ValueKind != JsonValueKind.Object || !presence.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String)
                {
                    continue;
                }

                var userId = id.GetString()!;
                switch (tracker.Observe(userId, presence, now, out var update))
                {
                    case PresenceOutcome.Changed:
                        await updates.WriteAsync(update, cancellationToken).ConfigureAwait(false);
                        break;
                    case PresenceOutcome.Stale:
                        metrics.StalePresence();
                        Log.StalePresence(logger, userId, presence.TryGetProperty("sequenceNumber", out var s) ? s.ToString() : string.Empty, tracker.LastSequence(userId) ?? string.Empty);
                        break;
                }
            }
        }

        return true;
    }

    /// <summary>Reads any number of users, batch by batch.</summary>
    public async Task ReadAllAsync(IReadOnlyList<string> ids, PresenceTracker tracker, ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        foreach (var batch in ids.Chunk(BatchSize))
        {
            await ReadAndEmitAsync([.. batch], tracker, updates, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask EmitAsync(PresenceTracker tracker, string userId, string? availability, string? activity, string? sequenceNumber, DateTimeOffset receivedAt, ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        switch (tracker.Observe(userId, availability, activity, sequenceNumber, receivedAt, out var update))
        {
            case PresenceOutcome.Changed:
                await updates.WriteAsync(update, cancellationToken).ConfigureAwait(false);
                break;
            case PresenceOutcome.Stale:
                metrics.StalePresence();
                Log.StalePresence(logger, userId, sequenceNumber ?? string.Empty, tracker.LastSequence(userId) ?? string.Empty);
                break;
        }
    }

    /// <summary>Keeps the ids that are GUIDs, distinct, counting the others.</summary>
    public List<string> Validate(IReadOnlyCollection<string> userIds)
    {
        ArgumentNullException.ThrowIfNull(userIds);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var valid = new List<string>(userIds.Count);
        var invalid = 0;
        foreach (var id in userIds)
        {
            if (id is null || !Guid.TryParseExact(id, "D", out _))
            {
                invalid++;
            }
            else if (seen.Add(id))
            {
                valid.Add(id);
            }
        }

        if (invalid > 0)
        {
            metrics.InvalidId(invalid);
            Log.InvalidUserIds(logger, invalid);
        }

        return valid;
    }
}
