namespace Webex.TeamsConnector.Testing;

/// <summary>The Entra ID directory-role template ids that an ID token's <c>wids</c> claim lists.</summary>
public static class EntraRoles
{
    /// <summary>Global Administrator.</summary>
    public const string GlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10";

    /// <summary>Privileged Role Administrator.</summary>
    public const string PrivilegedRoleAdministrator = "e8611ab8-c189-46e8-94e1-60213ab1f814";

    /// <summary>User Administrator (not enough to authorize the connector).</summary>
    public const string UserAdministrator = "fe930be7-5e62-47db-91af-98c3a49a38b1";

    /// <summary>Teams Administrator (not enough to authorize the connector).</summary>
    public const string TeamsAdministrator = "69091246-20e8-4a56-aa4d-066075b2a7a8";
}

/// <summary>Which key signs an ID token the emulated authority issues.</summary>
public enum EmulatedSigningKey
{
    /// <summary>The authority's current key, published in its JWKS.</summary>
    Authority = 0,

    /// <summary>Another key whose key id the JWKS does not list.</summary>
    Unknown,

    /// <summary>Another key that claims the key id of the published key: the signature does not verify.</summary>
    Forged,
}

/// <summary>
/// Who signs in at the emulated authority's authorize endpoint, and what the ID token then says. The defaults give a
/// valid token for the emulator's tenant; each property spoils one part of it for refusal tests.
/// </summary>
/// <param name="UserId">The user's object id (the <c>oid</c> and <c>sub</c> claims).</param>
/// <param name="Wids">The directory-role template ids (the <c>wids</c> claim); see <see cref="EntraRoles"/>.</param>
public sealed record EmulatedSignIn(string UserId, IReadOnlyList<string> Wids)
{
    /// <summary>The tenant in <c>tid</c> and in the issuer; the emulator's tenant when <see langword="null"/>.</summary>
    public string? TenantId { get; init; }

    /// <summary>The tenant in the issuer when it should differ from <see cref="TenantId"/>; the same when <see langword="null"/>.</summary>
    public string? IssuerTenantId { get; init; }

    /// <summary>The audience (<c>aud</c>); the requesting client id when <see langword="null"/>.</summary>
    public string? Audience { get; init; }

    /// <summary>The <c>nonce</c>; the one the authorize request sent when <see langword="null"/>.</summary>
    public string? Nonce { get; init; }

    /// <summary>How long the token is valid from its issue time.</summary>
    /// <value>The default value is one hour.</value>
    public TimeSpan Lifetime { get; init; } = TimeSpan.FromHours(1);

    /// <summary>How long before the token request the token says it was issued (more than the lifetime: expired).</summary>
    /// <value>The default value is zero.</value>
    public TimeSpan IssuedAgo { get; init; }

    /// <summary>The key that signs the token.</summary>
    /// <value>The default value is <see cref="EmulatedSigningKey.Authority"/>.</value>
    public EmulatedSigningKey SigningKey { get; init; }

    /// <summary>An OAuth error the authorize endpoint redirects back with instead of a code (for example <c>access_denied</c>).</summary>
    public string? Error { get; init; }

    /// <summary>The display name (the <c>name</c> claim).</summary>
    /// <value>The default value is <c>Azure Admin</c>.</value>
    public string Name { get; init; } = "Azure Admin";
}
