using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>Desktop profiles and users: <c>GET /organization/{orgId}/v2/agent-profile</c>, <c>/agent-profile/{id}</c> and <c>/v2/user</c>.</summary>
public sealed partial class ContactCenterEmulator
{
    /// <summary>Adds or replaces a desktop profile.</summary>
    /// <param name="profile">The profile and its four collaboration toggles.</param>
    public void SetDesktopProfile(DesktopProfile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        lock (_gate)
        {
            _profiles[profile.Id] = profile;
        }

        Changed();
    }

    private (int, JsonNode?) Users(IQueryCollection query)
    {
        lock (_gate)
        {
            return Page(query, [.. FilterUsers(query, _agents.Values)], a => new JsonObject
            {
                ["id"] = a.UserId,
                ["ciUserId"] = a.AgentId,
                ["email"] = a.Email,
                ["firstName"] = a.Email.Split('@')[0],
                ["lastName"] = "Agent",
                ["agentProfileId"] = a.DesktopProfileId,
                ["contactCenterEnabled"] = a.ContactCenterEnabled,
                ["active"] = true,
            });
        }
    }

    private (int, JsonNode?) ProfileList(IQueryCollection query)
    {
        lock (_gate)
        {
            return Page(query, [.. _profiles.Values], p => new JsonObject { ["id"] = p.Id, ["name"] = p.Name ?? p.Id });
        }
    }

    private (int, JsonNode?) Profile(string id)
    {
        lock (_gate)
        {
            if (!_profiles.TryGetValue(id, out var p))
            {
                return (404, Error("no such agent profile"));
            }

            return (200, new JsonObject
            {
                ["id"] = p.Id,
                ["name"] = p.Name ?? p.Id,
                ["stateSynchronizationMS"] = p.StateSynchronizationMS,
                ["showUserDetailsMS"] = p.ShowUserDetailsMS,
                ["stateSynchronizationWebex"] = p.StateSynchronizationWebex,
                ["showUserDetailsWebex"] = p.ShowUserDetailsWebex,
                ["accessIdleCode"] = "ALL",
                ["idleCodes"] = new JsonArray(),
            });
        }
    }
}
