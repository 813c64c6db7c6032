using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// Checks a several-org configuration at start and lists every error at once, naming keys and never values: keys set
/// beside <c>Orgs</c>, an org without a WxCC org id, an org listed twice (the same WxCC org id), each org's own
/// errors (its options and its adapters', for example missing credentials), and the rules across orgs
/// (<see cref="OrgCatalogRules"/>).
/// </summary>
internal sealed class OrgCatalogValidator(OrgCatalog catalog, IConfiguration configuration, IReadOnlyCollection<string> allowedRootKeys, Func<bool> embedded) : IValidateOptions<TeamsConnectorOptions>
{
    public ValidateOptionsResult Validate(string? name, TeamsConnectorOptions options)
    {
        var errors = new List<string>();
        foreach (var child in configuration.GetChildren())
        {
            if (!child.Key.Equals(TeamsConnectorOrgs.SectionName, StringComparison.OrdinalIgnoreCase)
                && !allowedRootKeys.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
            {
                var key = ConfigurationBinding.Quote(child.Key);
                errors.Add($"TeamsConnector:{key} is set beside TeamsConnector:Orgs: set it under each org (TeamsConnector:Orgs:<name>:{key}).");
            }
        }

        foreach (var duplicate in catalog.Definitions
            .Where(static d => !string.IsNullOrWhiteSpace(d.WxccOrgId))
            .GroupBy(static d => d.WxccOrgId!, StringComparer.OrdinalIgnoreCase)
            .Where(static g => g.Count() > 1))
        {
            var names = string.Join(", ", duplicate.Select(static d => "TeamsConnector:Orgs:" + ConfigurationBinding.Quote(d.Name)));
            errors.Add($"An org is listed twice: {names} have the same ContactCenter:OrgId (one writer per org).");
        }

        var own = new List<string>();
        foreach (var org in catalog.Definitions)
        {
            var services = catalog.Create(org);
            try
            {
                own.AddRange(services.Validate());
            }
            finally
            {
                services.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        }

        errors.AddRange(own);
        errors.AddRange(OrgCatalogRules.Check(catalog.Definitions, own, embedded()));

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
