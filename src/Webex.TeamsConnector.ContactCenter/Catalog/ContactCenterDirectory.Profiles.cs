using System.Text.Json;
using System.Text.Json.Nodes;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>Desktop-profile writes: <c>PUT /organization/{orgid}/agent-profile/{id}</c> with the profile read back first.</summary>
internal sealed partial class ContactCenterDirectory
{
    public async Task SetDesktopProfileTogglesAsync(DesktopProfile profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentException.ThrowIfNullOrWhiteSpace(profile.Id);
        var uri = OrgUri("agent-profile/" + Uri.EscapeDataString(profile.Id));

        // WxCC replaces the whole profile on PUT: read it, change the four toggles, and send the rest back as it was.
        var current = await _api.GetAsync(uri, allowNotFound: false, cancellationToken).ConfigureAwait(false);
        JsonObject body;
        try
        {
            body = JsonNode.Parse(current.Body) as JsonObject
                ?? throw new ContactCenterException("The agent-profile response is not a JSON object.", current.Status, current.TrackingId);
        }
        catch (JsonException)
        {
            throw new ContactCenterException("The agent-profile response is not JSON.", current.Status, current.TrackingId);
        }

        body["stateSynchronizationMS"] = profile.StateSynchronizationMS;
        body["showUserDetailsMS"] = profile.ShowUserDetailsMS;
        body["stateSynchronizationWebex"] = profile.StateSynchronizationWebex;
        body["showUserDetailsWebex"] = profile.ShowUserDetailsWebex;
        var response = await _api.SendAsync(HttpMethod.Put, uri, System.Text.Encoding.UTF8.GetBytes(body.ToJsonString()), retry: true, leaseHeld: false, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccess)
        {
            throw new ContactCenterException($"PUT {uri.AbsolutePath} failed ({response.Describe()}).", response.Status, response.TrackingId);
        }

        lock (_profiles)
        {
            var name = profile.Name ?? (body["name"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null);
            _profiles[profile.Id] = (profile with { Name = name }, _time.GetUtcNow());
        }
    }
}
