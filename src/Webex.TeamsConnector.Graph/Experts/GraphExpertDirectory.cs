using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph.Models;
using Microsoft.Graph.Users;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Expert search: <c>GET /users</c> with <c>$search="displayName:..."</c> for the name and <c>$filter</c>
/// <c>startswith(department,'...')</c> / <c>startswith(jobTitle,'...')</c> (header <c>ConsistencyLevel: eventual</c>),
/// <c>$select</c> and <c>$top</c>, following <c>@odata.nextLink</c> until enough users with a business phone that
/// normalises to E.164 are found (or <see cref="GraphOptions.MaxExpertSearchPages"/> pages were read). Their
/// presence is read in batches with <c>getPresencesByUserId</c> and cached briefly.
/// </summary>
internal sealed class GraphExpertDirectory(
    GraphClientProvider graph,
    PresenceReader reader,
    IOptions<GraphOptions> options,
    TimeProvider time,
    ILogger<GraphExpertDirectory> logger) : IExpertDirectory
{
    private static readonly string[] s_select = ["id", "displayName", "jobTitle", "department", "businessPhones", "mail"];
    private readonly GraphOptions _options = options.Value;
    private readonly BoundedCache<TeamsPresence> _presence = new(options.Value.ExpertPresenceCacheSize, time);

    /// <summary>The presences cached now.</summary>
    internal int CachedPresenceCount => _presence.Count;

    public async Task<IReadOnlyList<Expert>> SearchAsync(ExpertQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.MaxResults is < 1 or > 999)
        {
            throw new ArgumentOutOfRangeException(nameof(query), query.MaxResults, "MaxResults must be from 1 to 999.");
        }

        var name = Clean(query.Name)?.Replace("\"", string.Empty, StringComparison.Ordinal).Replace("\\", string.Empty, StringComparison.Ordinal);
        var department = Clean(query.Department);
        var jobTitle = Clean(query.JobTitle);
        if (name is null && department is null && jobTitle is null)
        {
            throw new ArgumentException("Search by at least one of name, department or job title.", nameof(query));
        }

        var filters = new List<string>(2);
        if (department is not null)
        {
            filters.Add($"startswith(department,'{Quote(department)}')");
        }

        if (jobTitle is not null)
        {
            filters.Add($"startswith(jobTitle,'{Quote(jobTitle)}')");
        }

        var top = Math.Clamp(query.MaxResults * 2, 25, 999);
        var page = await graph.Client.Users.GetAsync(
            r =>
            {
                r.Headers.Add("ConsistencyLevel", "eventual");
                r.QueryParameters.Count = true;
                r.QueryParameters.Select = s_select;
                r.QueryParameters.Top = top;
                if (name is not null)
                {
                    r.QueryParameters.Search = $"\"displayName:{name}\"";
                }

                if (filters.Count > 0)
                {
                    r.QueryParameters.Filter = string.Join(" and ", filters);
                }
            },
            cancellationToken).ConfigureAwait(false);

        var found = new List<(User User, string Phone)>(query.MaxResults);
        for (var pages = 1; page is not null; pages++)
        {
            foreach (var user in page.Value ?? [])
            {
                if (user.Id is not null && user.DisplayName is not null && Phone(user) is { } phone)
                {
                    found.Add((user, phone));
                    if (found.Count == query.MaxResults)
                    {
                        break;
                    }
                }
            }

            if (found.Count == query.MaxResults || page.OdataNextLink is not { } next || pages >= _options.MaxExpertSearchPages)
            {
                break;
            }

            page = await graph.Client.Users.WithUrl(next).GetAsync(r => r.Headers.Add("ConsistencyLevel", "eventual"), cancellationToken).ConfigureAwait(false);
        }

        var presence = await PresenceOfAsync([.. found.Select(f => f.User.Id!)], cancellationToken).ConfigureAwait(false);
        return [.. found.Select(f => new Expert(
            f.User.Id!,
            f.User.DisplayName!,
            f.User.JobTitle,
            f.User.Department,
            f.Phone,
            presence.TryGetValue(f.User.Id!, out var p) ? p : null,
            f.User.Mail))];
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string Quote(string text) => text.Replace("'", "''", StringComparison.Ordinal);

    private static string? Phone(User user)
    {
        foreach (var phone in user.BusinessPhones ?? [])
        {
            if (E164.TryNormalize(phone, out var normalized))
            {
                return normalized;
            }
        }

        return null;
    }

    private async Task<Dictionary<string, TeamsPresence>> PresenceOfAsync(List<string> ids, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, TeamsPresence>(StringComparer.OrdinalIgnoreCase);
        var missing = new List<string>();
        foreach (var id in ids)
        {
            if (_presence.TryGet(id, out var cached))
            {
                result[id] = cached;
            }
            else
            {
                missing.Add(id);
            }
        }

        foreach (var batch in missing.Chunk(reader.BatchSize))
        {
            try
            {
                foreach (var presence in await reader.ReadBatchAsync([.. batch], cancellationToken).ConfigureAwait(false))
                {
                    if (presence.Id is { } id)
                    {
                        var parsed = TeamsPresence.Parse(presence.Availability, presence.Activity);
                        result[id] = parsed;
                        if (_options.ExpertPresenceCacheDuration > TimeSpan.Zero)
                        {
                            _presence.Set(id, parsed, _options.ExpertPresenceCacheDuration);
                        }
                    }
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.ExpertPresenceFailed(logger, batch.Length, ex);
            }
        }

        return result;
    }
}
