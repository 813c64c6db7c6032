using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>The <c>filter</c> query of <c>GET /organization/{orgid}/v2/user</c>, in the forms the connector sends.</summary>
public sealed partial class ContactCenterEmulator
{
    private int _userLookups;

    /// <summary>How many user reads asked for one agent (<c>filter=ciUserId=="..."</c>).</summary>
    public int UserLookups => Volatile.Read(ref _userLookups);

    /// <summary>
    /// Applies <c>filter=ciUserId=="&lt;id&gt;"</c> or <c>filter=email=="&lt;address&gt;"</c> (RSQL equality, the form WxCC's
    /// configuration APIs use). Any other filter is answered with every user, as a server that ignores it would.
    /// </summary>
    private IEnumerable<AgentRecord> FilterUsers(IQueryCollection query, IEnumerable<AgentRecord> users)
    {
        var filter = query["filter"].ToString();
        if (TryEquality(filter, "ciUserId", out var agentId))
        {
            Interlocked.Increment(ref _userLookups);
            // An index lookup, not a scan: a shift of sign-ins at 30,000 agents asks for thousands of single users.
            return _agents.TryGetValue(agentId, out var agent) ? [agent] : [];
        }

        if (TryEquality(filter, "email", out var email))
        {
            return users.Where(u => string.Equals(u.Email, email, StringComparison.OrdinalIgnoreCase));
        }

        return users;
    }

    private static bool TryEquality(string filter, string field, out string value)
    {
        value = string.Empty;
        var prefix = field + "==";
        if (!filter.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        value = filter[prefix.Length..].Trim('"');
        return value.Length > 0;
    }
}
