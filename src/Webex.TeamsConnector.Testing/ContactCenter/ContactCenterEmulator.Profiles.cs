using System.Text.Json;
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

    /// <summary>A desktop profile as stored now (after any <c>PUT .../agent-profile/{id}</c>).</summary>
    /// <param name="id">The profile id.</param>
    /// <returns>The profile, or <see langword="null"/>.</returns>
    public DesktopProfile? GetDesktopProfile(string id)
    {
        lock (_gate)
        {
            return _profiles.GetValueOrDefault(id);
        }
    }

    /// <summary>
    /// <c>PUT /organization/{orgId}/agent-profile/{id}</c>: stores the four collaboration toggles (a toggle left out keeps
    /// its value) and refuses, as Control Hub does, Microsoft Teams and Webex App toggles on together.
    /// </summary>
    private async Task<(int, JsonNode?)> PutProfileAsync(HttpContext context, string id)
    {
        JsonElement body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
            body = doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return (400, Error("the body is not JSON"));
        }

        if (body.ValueKind != JsonValueKind.Object)
        {
            return (400, Error("the body must be a JSON object"));
        }

        lock (_gate)
        {
            if (!_profiles.TryGetValue(id, out var current))
            {
                return (404, Error("no such agent profile"));
            }

            var next = current with
            {
                StateSynchronizationMS = Flag(body, "stateSynchronizationMS") ?? current.StateSynchronizationMS,
                ShowUserDetailsMS = Flag(body, "showUserDetailsMS") ?? current.ShowUserDetailsMS,
                StateSynchronizationWebex = Flag(body, "stateSynchronizationWebex") ?? current.StateSynchronizationWebex,
                ShowUserDetailsWebex = Flag(body, "showUserDetailsWebex") ?? current.ShowUserDetailsWebex,
            };
            if (next.HasConflictingToggles)
            {
                return (400, Error("Microsoft Teams and Webex App integration cannot both be on in one desktop profile"));
            }

            _profiles[id] = next;
        }

        Changed();
        return Profile(id);
    }

    private static bool? Flag(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) ? value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        } : null;

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
