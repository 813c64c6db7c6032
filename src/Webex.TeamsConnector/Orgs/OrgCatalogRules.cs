using Microsoft.Extensions.Configuration;

namespace Webex.TeamsConnector;

/// <summary>
/// The start-up rules that involve several orgs at once (each org's own keys are checked by its container). Every
/// message names keys and org names, never a value.
/// </summary>
internal static class OrgCatalogRules
{
    /// <summary>Graph's <c>PresenceSource</c> value that turns change notifications on.</summary>
    public const string ChangeNotifications = "ChangeNotifications";

    /// <summary>The errors of several orgs' settings taken together.</summary>
    /// <param name="orgs">The orgs.</param>
    /// <param name="ownErrors">The errors each org's own check gave (a rule already reported there is not repeated).</param>
    /// <param name="embedded">Whether the orgs run in this process (not on a cluster, whose grains own the subscriptions).</param>
    /// <returns>The errors.</returns>
    public static IEnumerable<string> Check(IReadOnlyList<OrgDefinition> orgs, IReadOnlyCollection<string> ownErrors, bool embedded)
    {
        foreach (var org in orgs.Where(static o => string.IsNullOrWhiteSpace(o.WxccOrgId)))
        {
            var key = $"{Name(org)}:ContactCenter:OrgId";
            if (!ownErrors.Any(e => e.Contains(key, StringComparison.Ordinal)))
            {
                yield return $"{key} is required: the WxCC org id is the org's key (its webhooks, and its grain in a cluster).";
            }
        }

        var notifying = orgs.Where(static o => IsChangeNotifications(o) && !string.IsNullOrWhiteSpace(o.TenantId)).ToList();
        if (embedded)
        {
            foreach (var group in Shared(notifying, static o => Normalized(o.Section["Graph:NotificationUrl"])))
            {
                yield return $"{Names(group)} use the same Graph:NotificationUrl on the same Graph:TenantId with change notifications: at start each would delete the other's subscriptions as leftovers. Give each org its own URL (for example MapTeamsConnector(prefix) once more under another prefix).";
            }
        }

        foreach (var group in Shared(notifying, static o => o.Section["Graph:NotificationClientState"]))
        {
            yield return $"{Names(group)} use the same Graph:NotificationClientState on the same Graph:TenantId: their notifications could not be told apart. Give each org its own.";
        }

        foreach (var key in (string[])["Admin:StateFilePath", "ContactCenter:RefreshTokenFilePath"])
        {
            foreach (var group in SharedPath(orgs, key))
            {
                yield return $"{Names(group)} use the same {key}: each org needs its own file, or one would overwrite the other's.";
            }
        }
    }

    /// <summary>Whether the org takes Teams presence by change notifications.</summary>
    public static bool IsChangeNotifications(OrgDefinition org) =>
        string.Equals(org.Section["Graph:PresenceSource"]?.Trim(), ChangeNotifications, StringComparison.OrdinalIgnoreCase);

    /// <summary>The configuration name of an org (<c>TeamsConnector:Orgs:&lt;name&gt;</c>).</summary>
    public static string Name(OrgDefinition org) => "TeamsConnector:" + TeamsConnectorOrgs.SectionName + ":" + ConfigurationBinding.Quote(org.Name);

    /// <summary>Orgs of the same tenant that share a non-empty value.</summary>
    private static IEnumerable<List<OrgDefinition>> Shared(List<OrgDefinition> orgs, Func<OrgDefinition, string?> value) =>
        orgs.Where(o => !string.IsNullOrEmpty(value(o)))
            .GroupBy(o => (o.TenantId!.Trim().ToUpperInvariant(), value(o)!))
            .Where(static g => g.Count() > 1)
            .Select(static g => g.ToList());

    private static IEnumerable<List<OrgDefinition>> SharedPath(IReadOnlyList<OrgDefinition> orgs, string key) =>
        orgs.Select(o => (Org: o, Path: FullPath(o.Section[key])))
            .Where(static p => p.Path is not null)
            .GroupBy(static p => p.Path!, StringComparer.Ordinal)
            .Where(static g => g.Count() > 1)
            .Select(static g => g.Select(static p => p.Org).ToList());

    private static string? FullPath(string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }

        try
        {
            return Path.GetFullPath(path);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return path; // Reported by the org's own check, if at all.
        }
    }

    private static string? Normalized(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetComponents(UriComponents.AbsoluteUri, UriFormat.UriEscaped).ToUpperInvariant() : null;

    private static string Names(IEnumerable<OrgDefinition> orgs) => string.Join(", ", orgs.Select(Name));
}
