using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The token endpoint (<c>POST /v1/access_token</c>, with refresh-token rotation) and access-token checks.</summary>
public sealed partial class ContactCenterEmulator
{
    /// <summary>Makes every access token issued so far invalid (the next API call gets 401).</summary>
    public void ExpireAccessTokens()
    {
        lock (_gate)
        {
            _accessTokens.Clear();
        }
    }

    private async Task TokenAsync(HttpContext context)
    {
        Interlocked.Increment(ref _tokenRequests);
        Changed();
        if (!HttpMethods.IsPost(context.Request.Method) || !context.Request.HasFormContentType)
        {
            await WriteAsync(context, 400, new JsonObject { ["error"] = "invalid_request" }).ConfigureAwait(false);
            return;
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (form["client_id"] != _options.ClientId || form["client_secret"] != _options.ClientSecret)
        {
            await WriteAsync(context, 401, new JsonObject { ["error"] = "invalid_client" }).ConfigureAwait(false);
            return;
        }

        if (form["grant_type"] != "refresh_token")
        {
            await WriteAsync(context, 400, new JsonObject { ["error"] = "unsupported_grant_type" }).ConfigureAwait(false);
            return;
        }

        string access;
        string refresh;
        lock (_gate)
        {
            if (form["refresh_token"] != _refreshToken)
            {
                access = refresh = string.Empty;
            }
            else
            {
                var n = ++_tokenCounter;
                access = "emulated-access-token-" + Invariant(n) + "-" + Guid.NewGuid().ToString("N");
                _accessTokens[access] = _time.GetUtcNow() + _options.AccessTokenLifetime;
                if (_options.RotateRefreshTokens)
                {
                    _refreshToken = "emulated-refresh-token-" + Invariant(n) + "-" + Guid.NewGuid().ToString("N");
                }

                refresh = _refreshToken;
            }
        }

        if (access.Length == 0)
        {
            await WriteAsync(context, 400, new JsonObject { ["error"] = "invalid_grant" }).ConfigureAwait(false);
            return;
        }

        await WriteAsync(context, 200, new JsonObject
        {
            ["access_token"] = access,
            ["expires_in"] = (long)_options.AccessTokenLifetime.TotalSeconds,
            ["refresh_token"] = refresh,
            ["refresh_token_expires_in"] = 7_776_000,
            ["token_type"] = "Bearer",
        }).ConfigureAwait(false);
    }

    private bool Authorized(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }

        lock (_gate)
        {
            return _accessTokens.TryGetValue(header["Bearer ".Length..], out var expires) && _time.GetUtcNow() < expires;
        }
    }
}
