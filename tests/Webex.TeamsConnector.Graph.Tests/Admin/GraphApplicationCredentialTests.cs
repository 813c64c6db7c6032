using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Webex.TeamsConnector.Graph.Tests.Admin;

/// <summary>The application's credential for the admin sign-in's code exchange: the secret, or a certificate-signed assertion.</summary>
public sealed class GraphApplicationCredentialTests
{
    private const string ClientId = "11111111-2222-3333-4444-555555555555";
    private static readonly Uri s_tokenEndpoint = new("https://login.microsoftonline.com/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee/oauth2/v2.0/token");

    [Fact]
    public async Task GetTokenRequestFields_ClientSecret_SendsTheSecret()
    {
        using var credential = new GraphApplicationCredential(Options.Create(new GraphOptions { ClientId = ClientId, ClientSecret = "s3cret" }), TimeProvider.System);

        var fields = await credential.GetTokenRequestFieldsAsync(s_tokenEndpoint, default);

        fields.Should().ContainSingle().Which.Should().Be(new KeyValuePair<string, string>("client_secret", "s3cret"));
    }

    [Fact]
    public async Task GetTokenRequestFields_Certificate_SendsAnAssertionForTheTokenEndpoint_SignedByTheCertificate()
    {
        using var rsa = RSA.Create(2048);
        using var certificate = new CertificateRequest("CN=teams-connector-test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(Path.GetTempPath(), $"teams-connector-{Guid.NewGuid():N}.pfx");
        await File.WriteAllBytesAsync(path, certificate.Export(X509ContentType.Pfx, "pw"));
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        try
        {
            using var credential = new GraphApplicationCredential(Options.Create(new GraphOptions { ClientId = ClientId, CertificatePath = path, CertificatePassword = "pw" }), time);

            var fields = (await credential.GetTokenRequestFieldsAsync(s_tokenEndpoint, default)).ToDictionary();

            fields["client_assertion_type"].Should().Be("urn:ietf:params:oauth:client-assertion-type:jwt-bearer");
            fields.Should().NotContainKey("client_secret");
            var result = await new JsonWebTokenHandler().ValidateTokenAsync(fields["client_assertion"], new TokenValidationParameters
            {
                ValidIssuer = ClientId,
                ValidAudience = s_tokenEndpoint.AbsoluteUri,
                IssuerSigningKey = new X509SecurityKey(certificate),
                ValidateLifetime = false,
            });
            result.IsValid.Should().BeTrue(result.Exception?.Message);
            var token = (JsonWebToken)result.SecurityToken;
            token.Subject.Should().Be(ClientId);
            (token.ValidTo - token.ValidFrom).Should().Be(TimeSpan.FromMinutes(10));
            token.GetClaim("jti").Value.Should().HaveLength(32);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
