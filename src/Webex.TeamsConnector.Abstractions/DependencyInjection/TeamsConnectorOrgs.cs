using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Webex.TeamsConnector;

/// <summary>
/// Several organizations in one configuration (<c>TeamsConnector:Orgs:&lt;name&gt;:...</c>, each with the keys of a
/// single-org configuration). With it, the adapters do not register themselves in the application's container: they
/// record how to, and the host registers them again in each organization's own container, bound from that org's section.
/// </summary>
internal static class TeamsConnectorOrgs
{
    /// <summary>The key below <c>TeamsConnector</c> that lists the organizations.</summary>
    public const string SectionName = "Orgs";

    /// <summary>Whether <paramref name="configuration"/> (the <c>TeamsConnector</c> section) lists organizations.</summary>
    /// <param name="configuration">The section, if any.</param>
    /// <returns><see langword="true"/> when <c>Orgs</c> has at least one child.</returns>
    public static bool IsMultiOrg(IConfiguration? configuration) =>
        configuration is not null && configuration.GetSection(SectionName).GetChildren().Any();

    /// <summary>
    /// When the builder's configuration lists organizations, records <paramref name="register"/> to be run on each
    /// organization's builder and returns <see langword="true"/> (the caller registers nothing here).
    /// </summary>
    /// <param name="builder">The application's connector builder.</param>
    /// <param name="register">Registers the adapter on an organization's builder (its configuration is the org's section).</param>
    /// <returns><see langword="true"/> when the registration was deferred to the organizations.</returns>
    public static bool DeferToOrgs(ITeamsConnectorBuilder builder, Action<ITeamsConnectorBuilder> register)
    {
        if (!IsMultiOrg(builder.Configuration))
        {
            return false;
        }

        builder.Services.AddSingleton(new OrgAdapterRegistration(register));
        return true;
    }
}

/// <summary>An adapter registration run on each organization's builder (see <see cref="TeamsConnectorOrgs"/>).</summary>
/// <param name="register">Registers the adapter.</param>
internal sealed class OrgAdapterRegistration(Action<ITeamsConnectorBuilder> register)
{
    /// <summary>Registers the adapter on an organization's builder.</summary>
    public Action<ITeamsConnectorBuilder> Register { get; } = register;
}
