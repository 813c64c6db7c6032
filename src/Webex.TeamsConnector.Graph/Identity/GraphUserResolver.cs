using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Kiota.Abstractions;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Resolves an agent's e-mail or UPN to the Entra ID object id: explicit overrides first
/// (<c>Graph:UserIdOverrides</c>), then a cache (found for <see cref="GraphOptions.UserCacheDuration"/>, not found
/// for <see cref="GraphOptions.UserNotFoundCacheDuration"/>), then <c>GET /users/{upn}</c> and, when that is
/// 404, <c>GET /users?$filter=mail eq '...'</c>. Errors other than "not found" are not cached and propagate. Many
/// users at once: <see cref="ResolveManyAsync"/>.
/// </summary>
internal sealed partial class GraphUserResolver(GraphClientProvider graph, IOptions<GraphOptions> options, RequestBudget budget, TimeProvider time, ILogger<GraphUserResolver> logger) : ITeamsUserResolver
{
    private static readonly string[] s_select = ["id", "mail", "userPrincipalName"];
    private readonly GraphOptions _options = options.Value;
    private readonly BoundedCache<string?> _cache = new(options.Value.UserCacheSize, time);

    /// <summary>The entries cached now.</summary>
    internal int CachedCount => _cache.Count;

    public async ValueTask<string?> ResolveAsync(string emailOrUserPrincipalName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(emailOrUserPrincipalName);
        var key = emailOrUserPrincipalName.Trim();
        if (_options.UserIdOverrides.TryGetValue(key, out var overridden))
        {
            return overridden;
        }

        if (!LooksLikeUserName(key))
        {
            Log.InvalidUserName(logger, key);
            return null;
        }

        if (_cache.TryGet(key, out var cached))
        {
            return cached;
        }

        var id = await LookUpAsync(key, cancellationToken).ConfigureAwait(false);
        var ttl = id is null ? _options.UserNotFoundCacheDuration : _options.UserCacheDuration;
        if (ttl > TimeSpan.Zero)
        {
            _cache.Set(key, id, ttl);
        }

        return id;
    }

    /// <summary>An e-mail or UPN: one '@' with text on both sides, no characters that break a path or a filter.</summary>
    internal static bool LooksLikeUserName(string text)
    {
        var at = text.IndexOf('@', StringComparison.Ordinal);
        return text.Length <= 256 && at > 0 && at < text.Length - 1 && text.IndexOf('@', at + 1) < 0
            && !text.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c is '/' or '\\' or '?' or '"' or '<' or '>');
    }

    private async Task<string?> LookUpAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            var user = await graph.Client.Users[key].GetAsync(r => r.QueryParameters.Select = s_select, cancellationToken).ConfigureAwait(false);
            return user?.Id;
        }
        catch (ApiException ex) when (ex.ResponseStatusCode == 404)
        {
        }
        catch (ApiException ex) when (ex.ResponseStatusCode != 400)
        {
            Log.ResolveFailed(logger, key, ex.ResponseStatusCode, ex);
            throw;
        }
        catch (ApiException)
        {
            // 400: not a valid id or UPN for Graph; try the mail filter.
        }

        var escaped = key.Replace("'", "''", StringComparison.Ordinal);
        var page = await graph.Client.Users.GetAsync(
            r =>
            {
                r.QueryParameters.Filter = $"mail eq '{escaped}'";
                r.QueryParameters.Select = s_select;
                r.QueryParameters.Top = 2;
            },
            cancellationToken).ConfigureAwait(false);
        return page?.Value is [{ Id: { } id }] ? id : null;
    }
}
