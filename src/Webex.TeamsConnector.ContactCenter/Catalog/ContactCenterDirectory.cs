using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// WxCC configuration reads (auxiliary codes, users, desktop profiles, all pages), the presence-sync setting, and
/// reconciliation by <c>GET /v1/agents/activities</c>. Every call goes through the shared request budget.
/// </summary>
internal sealed partial class ContactCenterDirectory : IContactCenterDirectory, IPresenceSyncSettingWriter, IDesktopProfileWriter
{
    internal const int MaxAgentsPerActivitiesCall = 100;

    /// <summary>The <c>pageSize</c> of <c>GET /v1/agents/activities</c>: the most records one answer carries.</summary>
    internal const int ActivitiesPageSize = 1000;

    /// <summary>The shortest window reconciliation narrows to before it splits a group of agents instead.</summary>
    internal static readonly TimeSpan MinimumActivitiesWindow = TimeSpan.FromSeconds(1);
    private const int PageSize = 100;

    private readonly WxccApiClient _api;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dictionary<string, (DesktopProfile? Profile, DateTimeOffset ReadAt)> _profiles = new(StringComparer.Ordinal);
    private IReadOnlyList<IdleCode>? _codes;

    public ContactCenterDirectory(WxccApiClient api, TimeProvider timeProvider, ILogger<ContactCenterDirectory> logger)
    {
        _api = api;
        _time = timeProvider;
        _logger = logger;
    }

    private ContactCenterOptions Options => _api.Options;

    /// <summary>The auxiliary codes read last, if any (used to recognise RONA in contact events).</summary>
    public IReadOnlyList<IdleCode>? KnownCodes => Volatile.Read(ref _codes);

    public async Task<IReadOnlyList<IdleCode>> GetIdleCodesAsync(CancellationToken cancellationToken)
    {
        var codes = new List<IdleCode>();
        await foreach (var item in PagesAsync("v2/auxiliary-code", PageSize, cancellationToken).ConfigureAwait(false))
        {
            var id = Str(item, "id");
            if (string.IsNullOrEmpty(id))
            {
                continue;
            }

            codes.Add(new IdleCode(
                id,
                Str(item, "name") ?? string.Empty,
                Bool(item, "isSystemCode") ?? false,
                Bool(item, "active") ?? true,
                // Only a code WxCC marks IDLE_CODE is an idle code; a wrap-up code, or one without (or with an unknown)
                // workTypeCode, must never pass as one.
                string.Equals(Str(item, "workTypeCode"), "IDLE_CODE", StringComparison.OrdinalIgnoreCase)));
        }

        Volatile.Write(ref _codes, codes);
        return codes;
    }

    public async Task<ContactCenterUser?> GetUserByAgentIdAsync(string agentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(agentId);
        UrgentRequests.Enter();
        var filter = Uri.EscapeDataString("ciUserId==\"" + agentId + "\"");
        var response = await _api.GetAsync(OrgUri("v2/user?page=0&pageSize=10&filter=" + filter), allowNotFound: true, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            return null;
        }

        using var doc = Parse(response, "v2/user");
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            // A server that ignores the filter answers a page of other users: take only the one asked for.
            foreach (var item in data.EnumerateArray())
            {
                if (ToUser(item) is { } user && string.Equals(user.AgentId, agentId, StringComparison.Ordinal))
                {
                    return user;
                }
            }
        }

        return null;
    }

    private static ContactCenterUser? ToUser(JsonElement item)
    {
        var id = Str(item, "id");
        var agentId = Str(item, "ciUserId");
        return string.IsNullOrEmpty(id) || string.IsNullOrEmpty(agentId)
            ? null
            : new ContactCenterUser(
                id,
                agentId,
                Str(item, "email"),
                Str(item, "agentProfileId"),
                Bool(item, "contactCenterEnabled") ?? false,
                Bool(item, "active") ?? true);
    }

    public async Task<DesktopProfile?> GetDesktopProfileAsync(string desktopProfileId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(desktopProfileId);
        lock (_profiles)
        {
            if (_profiles.TryGetValue(desktopProfileId, out var cached) && _time.GetUtcNow() - cached.ReadAt < Options.ProfileRefreshInterval)
            {
                return cached.Profile;
            }
        }

        var uri = OrgUri("agent-profile/" + Uri.EscapeDataString(desktopProfileId));
        var response = await _api.GetAsync(uri, allowNotFound: true, cancellationToken).ConfigureAwait(false);
        DesktopProfile? profile = null;
        if (response.IsSuccess)
        {
            using var doc = Parse(response, "agent-profile");
            var root = doc.RootElement;
            profile = new DesktopProfile(
                Str(root, "id") ?? desktopProfileId,
                Bool(root, "stateSynchronizationMS") ?? false,
                Bool(root, "showUserDetailsMS") ?? false,
                Bool(root, "stateSynchronizationWebex") ?? false,
                Bool(root, "showUserDetailsWebex") ?? false)
            { Name = Str(root, "name") };
        }

        lock (_profiles)
        {
            _profiles[desktopProfileId] = (profile, _time.GetUtcNow());
        }

        return profile;
    }

    public async Task<bool> GetPresenceSyncSettingAsync(CancellationToken cancellationToken)
    {
        var uri = new Uri(
            WithSlash(Options.WebexApiBaseUrl),
            "telephony/config/settings/msTeams?orgId=" + Uri.EscapeDataString(Options.OrgId ?? string.Empty));
        var response = await _api.GetAsync(uri, allowNotFound: false, cancellationToken).ConfigureAwait(false);
        using var doc = Parse(response, "msTeams settings");
        return FindSetting(doc.RootElement, "PRESENCE_SYNC") ?? false;
    }

    public async Task SetPresenceSyncSettingAsync(bool enabled, CancellationToken cancellationToken)
    {
        var uri = new Uri(
            WithSlash(Options.WebexApiBaseUrl),
            "telephony/config/settings/msTeams?orgId=" + Uri.EscapeDataString(Options.OrgId ?? string.Empty));
        var body = System.Text.Encoding.UTF8.GetBytes(
            "{\"settingName\":\"PRESENCE_SYNC\",\"value\":" + (enabled ? "true" : "false") + "}");
        var response = await _api.SendAsync(HttpMethod.Put, uri, body, retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw new ContactCenterException($"PUT {uri.AbsolutePath} failed ({response.Describe()}).", response.Status, response.TrackingId);
        }
    }

    private Uri OrgUri(string relative) =>
        new(WithSlash(Options.BaseUrl), "organization/" + Uri.EscapeDataString(Options.OrgId ?? string.Empty) + "/" + relative);

    internal static Uri WithSlash(Uri uri) =>
        uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");

    private static JsonDocument Parse(WxccResponse response, string what)
    {
        try
        {
            return JsonDocument.Parse(response.Body);
        }
        catch (JsonException)
        {
            throw new ContactCenterException($"The {what} response is not JSON.", response.Status, response.TrackingId);
        }
    }

    private static bool? FindSetting(JsonElement element, string settingName)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                if (element.TryGetProperty("settingName", out var name) && name.ValueKind == JsonValueKind.String
                    && string.Equals(name.GetString(), settingName, StringComparison.OrdinalIgnoreCase)
                    && element.TryGetProperty("value", out var value))
                {
                    return value.ValueKind switch
                    {
                        JsonValueKind.True => true,
                        JsonValueKind.False => false,
                        JsonValueKind.String => bool.TryParse(value.GetString(), out var b) && b,
                        _ => false,
                    };
                }

                foreach (var property in element.EnumerateObject())
                {
                    if (FindSetting(property.Value, settingName) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                foreach (var item in element.EnumerateArray())
                {
                    if (FindSetting(item, settingName) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    internal static string? Str(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    internal static bool? Bool(JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                JsonValueKind.String when bool.TryParse(value.GetString(), out var b) => b,
                _ => null,
            }
            : null;
}
