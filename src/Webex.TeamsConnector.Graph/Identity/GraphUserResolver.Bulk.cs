using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Bulk resolution: overrides and the cache first, then whichever costs fewer requests of the shared budget for the
/// rest (each request inside a <c>$batch</c> counts as one):
/// <list type="bullet">
/// <item>JSON batching: <c>GET /users/{upn}</c> 20 to a <c>$batch</c>, then <c>$filter=mail eq '...'</c> for those not
/// found, costing one request per name (two for a name found by mail only);</item>
/// <item>a paged read of the directory (<c>GET /users?$select=id,mail,userPrincipalName&amp;$top=999</c>), costing
/// <c>ceil(directory / 999)</c> requests plus one to count it, when the agents are a large part of the directory.</item>
/// </list>
/// Results are yielded as each batch or page arrives. A request inside a batch answered 429 or 5xx is sent again
/// (after its <c>Retry-After</c>, which also pauses the whole budget) up to <see cref="GraphOptions.MaxRetryAttempts"/>
/// times; a name still failing then is reported unresolved and not cached, so the next roster refresh tries it again.
/// </summary>
internal sealed partial class GraphUserResolver
{
    internal const int MaxBatchRequests = 20;
    internal const int DirectoryPageSize = 999;

    /// <summary>How the last bulk resolution read Graph (for tests and benchmarks).</summary>
    internal string? LastBulkMethod { get; private set; }

    public async IAsyncEnumerable<IReadOnlyList<TeamsUserResolution>> ResolveManyAsync(
        IReadOnlyCollection<string> emailsOrUserPrincipalNames,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(emailsOrUserPrincipalNames);
        var known = new List<TeamsUserResolution>();
        var wanted = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in emailsOrUserPrincipalNames)
        {
            var key = name?.Trim() ?? string.Empty;
            if (_options.UserIdOverrides.TryGetValue(key, out var overridden))
            {
                known.Add(new(name!, overridden));
            }
            else if (!LooksLikeUserName(key))
            {
                Log.InvalidUserName(logger, key);
                known.Add(new(name ?? string.Empty, null));
            }
            else if (_cache.TryGet(key, out var cached))
            {
                known.Add(new(name!, cached));
            }
            else if (wanted.TryGetValue(key, out var names))
            {
                names.Add(name!);
            }
            else
            {
                wanted[key] = [name!];
            }
        }

        if (known.Count > 0)
        {
            yield return known;
        }

        if (wanted.Count == 0)
        {
            yield break;
        }

        var directory = wanted.Count > 2 ? await CountDirectoryAsync(cancellationToken).ConfigureAwait(false) : null;
        var pages = directory is { } size ? 1 + ((size + DirectoryPageSize - 1) / DirectoryPageSize) : int.MaxValue;
        LastBulkMethod = pages < wanted.Count ? "directory" : "batch";
        var results = pages < wanted.Count ? ReadDirectoryAsync(wanted, cancellationToken) : BatchAsync(wanted, cancellationToken);
        await foreach (var found in results.ConfigureAwait(false))
        {
            var answers = new List<TeamsUserResolution>(found.Count);
            foreach (var (key, id, cache) in found)
            {
                if (cache)
                {
                    var ttl = id is null ? _options.UserNotFoundCacheDuration : _options.UserCacheDuration;
                    if (ttl > TimeSpan.Zero)
                    {
                        _cache.Set(key, id, ttl);
                    }
                }

                foreach (var name in wanted[key])
                {
                    answers.Add(new(name, id));
                }
            }

            yield return answers;
        }
    }

    /// <summary>The number of users in the directory (<c>$count</c>, one request), or <see langword="null"/> when Graph does not say.</summary>
    private async Task<int?> CountDirectoryAsync(CancellationToken cancellationToken)
    {
        try
        {
            var page = await graph.Client.Users.GetAsync(
                r =>
                {
                    r.QueryParameters.Count = true;
                    r.QueryParameters.Top = 1;
                    r.QueryParameters.Select = ["id"];
                    r.Headers.Add("ConsistencyLevel", "eventual");
                },
                cancellationToken).ConfigureAwait(false);
            return page?.OdataCount is { } count ? (int)Math.Min(count, int.MaxValue) : null;
        }
        catch (ApiException ex)
        {
            Log.ResolveFailed(logger, "$count", ex.ResponseStatusCode, ex);
            return null;
        }
    }

    /// <summary>Reads the whole directory page by page, yielding the wanted users of each page, then the missing ones.</summary>
    private async IAsyncEnumerable<List<(string Key, string? Id, bool Cache)>> ReadDirectoryAsync(
        Dictionary<string, List<string>> wanted,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var missing = new HashSet<string>(wanted.Keys, StringComparer.OrdinalIgnoreCase);
        var page = await graph.Client.Users.GetAsync(
            r =>
            {
                r.QueryParameters.Select = s_select;
                r.QueryParameters.Top = DirectoryPageSize;
            },
            cancellationToken).ConfigureAwait(false);
        while (page is not null)
        {
            var found = new List<(string, string?, bool)>();
            foreach (var user in page.Value ?? [])
            {
                if (user.Id is not { } id)
                {
                    continue;
                }

                foreach (var name in (ReadOnlySpan<string?>)[user.UserPrincipalName, user.Mail])
                {
                    if (name is not null && missing.Remove(name))
                    {
                        found.Add((name, id, true));
                    }
                }
            }

            if (found.Count > 0)
            {
                yield return found;
            }

            if (missing.Count == 0 || page.OdataNextLink is not { } next)
            {
                break;
            }

            page = await graph.Client.Users.WithUrl(next).GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (missing.Count > 0)
        {
            yield return [.. missing.Select(static key => (key, (string?)null, true))];
        }
    }

    /// <summary>Resolves by <c>$batch</c>: UPN reads, then mail filters for those not found, 20 to a batch.</summary>
    private async IAsyncEnumerable<List<(string Key, string? Id, bool Cache)>> BatchAsync(
        Dictionary<string, List<string>> wanted,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        foreach (var chunk in wanted.Keys.Chunk(MaxBatchRequests))
        {
            var byUpn = await SendAsync(chunk, ByUpn, cancellationToken).ConfigureAwait(false);
            var notFound = byUpn.Where(static r => r.Value.Status is 404 or 400).Select(static r => r.Key).ToArray();
            var byMail = notFound.Length == 0 ? [] : await SendAsync(notFound, ByMail, cancellationToken).ConfigureAwait(false);
            var found = new List<(string, string?, bool)>(chunk.Length);
            foreach (var key in chunk)
            {
                var answer = byMail.TryGetValue(key, out var mail) ? mail : byUpn[key];
                found.Add(answer.Status == 200 ? (key, answer.Id, true) : answer.Status is 404 or 400 ? (key, null, true) : (key, null, false));
                if (answer.Status is not (200 or 404 or 400))
                {
                    Log.ResolveFailed(logger, key, answer.Status, new HttpRequestException($"Graph answered {answer.Status} inside a $batch."));
                }
            }

            yield return found;
        }
    }

    private RequestInformation ByUpn(string key) =>
        graph.Client.Users[key].ToGetRequestInformation(r => r.QueryParameters.Select = s_select);

    private RequestInformation ByMail(string key) =>
        graph.Client.Users.ToGetRequestInformation(r =>
        {
            r.QueryParameters.Filter = $"mail eq '{key.Replace("'", "''", StringComparison.Ordinal)}'";
            r.QueryParameters.Select = s_select;
            r.QueryParameters.Top = 2;
        });

    /// <summary>
    /// Sends one request per key in a <c>$batch</c>, sending again those answered 429 or 5xx (after the longest
    /// <c>Retry-After</c>, which pauses the shared budget) up to <see cref="GraphOptions.MaxRetryAttempts"/> times.
    /// </summary>
    private async Task<Dictionary<string, (int Status, string? Id)>> SendAsync(IReadOnlyList<string> keys, Func<string, RequestInformation> request, CancellationToken cancellationToken)
    {
        var answers = new Dictionary<string, (int Status, string? Id)>(StringComparer.OrdinalIgnoreCase);
        var pending = keys.ToList();
        for (var attempt = 0; pending.Count > 0; attempt++)
        {
            // At most 20 keys: the collection sends them as one $batch.
            var batch = new BatchRequestContentCollection(graph.Client, MaxBatchRequests);
            var steps = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i < pending.Count; i++)
            {
                steps[await batch.AddBatchRequestStepAsync(request(pending[i]), i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ConfigureAwait(false)] = pending[i];
            }

            var response = await graph.Client.Batch.PostAsync(batch, cancellationToken).ConfigureAwait(false);
            var retry = new List<string>();
            var wait = TimeSpan.Zero;
            foreach (var (step, key) in steps)
            {
                using var message = await response.GetResponseByIdAsync(step).ConfigureAwait(false);
                var status = message is null ? 0 : (int)message.StatusCode;
                if ((status is 429 or 0 || status >= 500) && attempt < _options.MaxRetryAttempts)
                {
                    retry.Add(key);
                    var delay = message?.Headers.RetryAfter?.Delta ?? Backoff.Doubling(TimeSpan.FromSeconds(1), attempt + 1, max: TimeSpan.FromSeconds(32));
                    wait = delay > wait ? delay : wait;
                    continue;
                }

                answers[key] = (status, status == 200 && message is not null ? await ReadIdAsync(message, cancellationToken).ConfigureAwait(false) : null);
            }

            if (retry.Count > 0)
            {
                // Like a 429 on its own, a throttled request inside a batch holds every request of the budget.
                budget.Pause(wait);
                Log.Throttled(logger, "$batch", wait, attempt + 1);
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            pending = retry;
        }

        return answers;
    }

    /// <summary>The id of a user, or of the one user of a filtered list (none when zero or several match).</summary>
    private static async Task<string?> ReadIdAsync(HttpResponseMessage message, CancellationToken cancellationToken)
    {
        using var document = await JsonDocument.ParseAsync(await message.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), default, cancellationToken).ConfigureAwait(false);
        var root = document.RootElement;
        if (root.TryGetProperty("value", out var list))
        {
            return list.ValueKind == JsonValueKind.Array && list.GetArrayLength() == 1 && list[0].TryGetProperty("id", out var only) ? only.GetString() : null;
        }

        return root.TryGetProperty("id", out var id) ? id.GetString() : null;
    }
}
