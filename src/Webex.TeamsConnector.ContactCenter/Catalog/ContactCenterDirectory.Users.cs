using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>
/// User reads (<c>GET /v2/user</c>, every page) and the paging of WxCC lists. The last users read is kept so that the
/// agent feed's reconciliation can use the roster's read instead of paging the users again (at 30,000 users that is 300
/// requests of WxCC's 300 a minute at the documented page size).
/// </summary>
internal sealed partial class ContactCenterDirectory
{
    private readonly Lock _usersGate = new();
    private UsersRead? _lastUsers;

    // The users page size in use: the configured one until WxCC refuses it (400), then the documented 100 for good.
    private int _usersPageSize;

    /// <summary>Every user of the organization, read now (all pages). The read is kept for <see cref="GetUsersForReconciliationAsync"/>.</summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The users.</returns>
    public async Task<IReadOnlyList<ContactCenterUser>> GetUsersAsync(CancellationToken cancellationToken)
    {
        var users = new List<ContactCenterUser>();
        await foreach (var item in PagesAsync("v2/user", UsersPageSize, cancellationToken).ConfigureAwait(false))
        {
            if (ToUser(item) is { } user)
            {
                users.Add(user);
            }
        }

        lock (_usersGate)
        {
            _lastUsers = new UsersRead(users, _time.GetUtcNow());
        }

        return users;
    }

    /// <summary>
    /// The users a reconciliation asks about: the last users read when no reconciliation has used it yet and it is
    /// younger than <see cref="ContactCenterOptions.ReconciliationInterval"/> (at start: the roster's read, made just
    /// before the feeds start), else a new read. So each users read serves at most one reconciliation, and a
    /// reconciliation never works from a list older than one interval.
    /// </summary>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The users, and whether they came from an earlier read (no request made).</returns>
    public async Task<(IReadOnlyList<ContactCenterUser> Users, bool Shared)> GetUsersForReconciliationAsync(CancellationToken cancellationToken)
    {
        lock (_usersGate)
        {
            if (_lastUsers is { UsedByReconciliation: false } last && _time.GetUtcNow() - last.ReadAt < Options.ReconciliationInterval)
            {
                last.UsedByReconciliation = true;
                return (last.Users, true);
            }
        }

        var users = await GetUsersAsync(cancellationToken).ConfigureAwait(false);
        lock (_usersGate)
        {
            if (_lastUsers is { } last && ReferenceEquals(last.Users, users))
            {
                last.UsedByReconciliation = true;
            }
        }

        return (users, false);
    }

    private int UsersPageSize
    {
        get
        {
            var size = Volatile.Read(ref _usersPageSize);
            return size > 0 ? size : Options.UsersPageSize;
        }
    }

    /// <summary>
    /// Every item of a paged WxCC list. The first page is asked at <paramref name="pageSize"/>; when WxCC serves fewer
    /// items per page than asked (its <c>meta.pageSize</c>, or a short first page that is not the last), the following
    /// pages are asked at WxCC's size, so that no item is skipped. A users page size above the documented 100 that WxCC
    /// refuses (400 on the first page) falls back to 100, for this read and every later one.
    /// </summary>
    private async IAsyncEnumerable<JsonElement> PagesAsync(string resource, int pageSize, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var page = 0;
        var totalPages = 1;
        while (page < totalPages)
        {
            var (doc, uri, response, size) = await ReadPageAsync(resource, page, pageSize, cancellationToken).ConfigureAwait(false);
            using (doc)
            {
                pageSize = size;
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                {
                    throw new ContactCenterException($"GET {uri.AbsolutePath} answered without a data array.", response.Status, response.TrackingId);
                }

                var count = 0;
                foreach (var item in data.EnumerateArray())
                {
                    count++;
                    yield return item.Clone();
                }

                var meta = root.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
                var reported = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("totalPages", out var tp) && tp.TryGetInt32(out var pages) ? pages : (int?)null;
                if (page == 0 && count > 0)
                {
                    // WxCC may serve smaller pages than asked: ask the next pages at its size.
                    var served = meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty("pageSize", out var ps) && ps.TryGetInt32(out var s) && s >= 1 ? s : (int?)null;
                    if (served is { } smaller && smaller < pageSize)
                    {
                        pageSize = smaller;
                    }
                    else if (served is null && count < pageSize && reported is not 1)
                    {
                        pageSize = count;
                    }
                }

                totalPages = reported ?? (count >= pageSize ? page + 2 : page + 1);
                page++;
                if (page > 10_000)
                {
                    throw new ContactCenterException($"GET {uri.AbsolutePath} reports more than 10000 pages.");
                }
            }
        }
    }

    private async Task<(JsonDocument Doc, Uri Uri, WxccResponse Response, int PageSize)> ReadPageAsync(string resource, int page, int pageSize, CancellationToken cancellationToken)
    {
        while (true)
        {
            var uri = OrgUri(string.Create(CultureInfo.InvariantCulture, $"{resource}?page={page}&pageSize={pageSize}"));
            try
            {
                var response = await _api.GetAsync(uri, allowNotFound: false, cancellationToken).ConfigureAwait(false);
                return (Parse(response, resource), uri, response, pageSize);
            }
            catch (ContactCenterException ex) when (ex.StatusCode == HttpStatusCode.BadRequest && page == 0 && pageSize > PageSize)
            {
                // WxCC's largest page size is not documented: a refused size falls back to the documented one.
                Log.PageSizeRefused(_logger, resource, pageSize, PageSize);
                if (string.Equals(resource, "v2/user", StringComparison.Ordinal))
                {
                    Volatile.Write(ref _usersPageSize, PageSize);
                }

                pageSize = PageSize;
            }
        }
    }

    private sealed class UsersRead(IReadOnlyList<ContactCenterUser> users, DateTimeOffset readAt)
    {
        public IReadOnlyList<ContactCenterUser> Users { get; } = users;

        public DateTimeOffset ReadAt { get; } = readAt;

        public bool UsedByReconciliation { get; set; }
    }
}
