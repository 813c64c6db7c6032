using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The user endpoints: list with <c>$search</c> / <c>$filter</c> / <c>$select</c> / <c>$top</c> / paging, and get one.</summary>
public sealed partial class GraphEmulator
{
    private async Task<int> ListUsersAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var eventual = string.Equals(context.Request.Headers[ConsistencyLevel].ToString(), "eventual", StringComparison.OrdinalIgnoreCase);
        string search = query["$search"].ToString();
        string filter = query["$filter"].ToString();
        var count = string.Equals(query["$count"].ToString(), "true", StringComparison.OrdinalIgnoreCase);
        if ((search.Length > 0 || count) && !eventual)
        {
            await WriteErrorAsync(context, 400, "Request_UnsupportedQuery", "Request with $search or $count query parameter only works with the ConsistencyLevel header set to eventual.").ConfigureAwait(false);
            return 400;
        }

        UserQuery.Predicate? predicate = null;
        string error;
        if (search.Length > 0)
        {
            if (!UserQuery.TryParseSearch(search, out var searchPredicate, out error))
            {
                await WriteErrorAsync(context, 400, "Request_UnsupportedQuery", error).ConfigureAwait(false);
                return 400;
            }

            predicate = searchPredicate;
        }

        if (filter.Length > 0)
        {
            if (!UserQuery.TryParseFilter(filter, out var filterPredicate, out error))
            {
                await WriteErrorAsync(context, 400, "Request_UnsupportedQuery", error).ConfigureAwait(false);
                return 400;
            }

            var searchPart = predicate;
            predicate = searchPart is null ? filterPredicate : get => searchPart(get) && filterPredicate(get);
        }

        if (!TrySelect(query["$select"], out var fields, out error))
        {
            await WriteErrorAsync(context, 400, "Request_BadRequest", error).ConfigureAwait(false);
            return 400;
        }

        var top = 100;
        if (query["$top"].ToString() is { Length: > 0 } topText && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1 || top > 999))
        {
            await WriteErrorAsync(context, 400, "Request_BadRequest", "Invalid page size specified: '" + topText + "'. Must be between 1 and 999 inclusive.").ConfigureAwait(false);
            return 400;
        }

        var skip = 0;
        if (query["$skiptoken"].ToString() is { Length: > 0 } token && (!token.StartsWith('X') || !int.TryParse(token.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out skip) || skip < 0))
        {
            await WriteErrorAsync(context, 400, "Request_BadRequest", "Invalid $skiptoken.").ConfigureAwait(false);
            return 400;
        }

        var matches = _tenant.Users(predicate);
        var page = matches.Skip(skip).Take(top).ToList();
        string? nextLink = null;
        if (skip + page.Count < matches.Count)
        {
            var parts = query.Where(q => q.Key != "$skiptoken").Select(q => Uri.EscapeDataString(q.Key) + "=" + Uri.EscapeDataString(q.Value.ToString()));
            nextLink = BaseUrl + "/users?" + string.Join('&', parts.Append("$skiptoken=X" + (skip + page.Count).ToString("x", CultureInfo.InvariantCulture)));
        }

        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteString("@odata.context", BaseUrl + "/$metadata#users");
            if (count)
            {
                w.WriteNumber("@odata.count", matches.Count);
            }

            if (nextLink is not null)
            {
                w.WriteString("@odata.nextLink", nextLink);
            }

            w.WriteStartArray("value");
            foreach (var user in page)
            {
                WriteUser(w, user, fields);
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
        return 200;
    }

    private async Task<int> GetUserAsync(HttpContext context, string idOrUpn)
    {
        if (_tenant.FindUser(idOrUpn) is not { } user)
        {
            await WriteErrorAsync(context, 404, "Request_ResourceNotFound", $"Resource '{idOrUpn}' does not exist or one of its queried reference-property objects are not present.").ConfigureAwait(false);
            return 404;
        }

        if (!TrySelect(context.Request.Query["$select"], out var fields, out var error))
        {
            await WriteErrorAsync(context, 400, "Request_BadRequest", error).ConfigureAwait(false);
            return 400;
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteUser(writer, user, fields);
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).ConfigureAwait(false);
        return 200;
    }

    private static bool TrySelect(string? select, out string[] fields, out string error)
    {
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(select))
        {
            fields = s_defaultUserFields;
            return true;
        }

        var names = new List<string>();
        foreach (var name in select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var index = Array.FindIndex(s_userFields, f => f.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (index < 0)
            {
                fields = [];
                error = $"Could not find a property named '{name}' on type 'microsoft.graph.user'.";
                return false;
            }

            names.Add(s_userFields[index]);
        }

        if (!names.Contains("id"))
        {
            names.Insert(0, "id");
        }

        fields = [.. names];
        return true;
    }

    private static void WriteUser(Utf8JsonWriter writer, EmulatedTenant.UserRecord user, string[] fields)
    {
        writer.WriteStartObject();
        foreach (var field in fields)
        {
            switch (field)
            {
                case "businessPhones":
                    writer.WriteStartArray("businessPhones");
                    foreach (var phone in user.BusinessPhones)
                    {
                        writer.WriteStringValue(phone);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    writer.WriteString(field, user.Get(field));
                    break;
            }
        }

        writer.WriteEndObject();
    }
}
