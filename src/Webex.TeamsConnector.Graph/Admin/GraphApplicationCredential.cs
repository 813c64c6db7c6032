using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// The application's credential for the admin sign-in's code exchange, from the Graph settings: the client secret, or
/// a client assertion (RFC 7523, <c>private_key_jwt</c>) signed with the certificate and valid for ten minutes.
/// </summary>
internal sealed class GraphApplicationCredential(IOptions<GraphOptions> options, TimeProvider time) : IApplicationClientCredential, IDisposable
{
    private readonly Lock _gate = new();
    private X509Certificate2? _certificate;

    public ValueTask<IReadOnlyList<KeyValuePair<string, string>>> GetTokenRequestFieldsAsync(Uri tokenEndpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        var graph = options.Value;
        if (!string.IsNullOrEmpty(graph.CertificatePath))
        {
            var now = time.GetUtcNow();
            var assertion = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
            {
                Issuer = graph.ClientId,
                Audience = tokenEndpoint.AbsoluteUri,
                Claims = new Dictionary<string, object>(StringComparer.Ordinal)
                {
                    ["sub"] = graph.ClientId ?? string.Empty,
                    ["jti"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
                },
                IssuedAt = now.UtcDateTime,
                NotBefore = now.UtcDateTime,
                Expires = (now + TimeSpan.FromMinutes(10)).UtcDateTime,
                SigningCredentials = new X509SigningCredentials(Certificate(graph), SecurityAlgorithms.RsaSha256),
            });
            return ValueTask.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(
            [
                new("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                new("client_assertion", assertion),
            ]);
        }

        return ValueTask.FromResult<IReadOnlyList<KeyValuePair<string, string>>>(
            string.IsNullOrEmpty(graph.ClientSecret) ? [] : [new("client_secret", graph.ClientSecret)]);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _certificate?.Dispose();
            _certificate = null;
        }
    }

    private X509Certificate2 Certificate(GraphOptions graph)
    {
        lock (_gate)
        {
            return _certificate ??= CertificateFiles.Load(graph.CertificatePath!, graph.CertificatePassword);
        }
    }
}
