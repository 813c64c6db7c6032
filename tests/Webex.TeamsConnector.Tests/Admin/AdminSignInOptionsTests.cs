namespace Webex.TeamsConnector.Tests.Admin;

/// <summary>The admin sign-in settings: defaults and validation.</summary>
public class AdminSignInOptionsTests
{
    [Fact]
    public void Defaults_AreTheDocumentedOnes_AndTheSignInCallbackSitsBesideTheConsentCallback()
    {
        var admin = new ConnectorAdminOptions { ConsentRedirectUri = new Uri("https://connector.example.test/teams-connector/admin/consent") };

        admin.AuthorityHost.Should().Be(new Uri("https://login.microsoftonline.com"));
        admin.MaxPendingSignIns.Should().Be(256);
        admin.SigningKeysLifetime.Should().Be(TimeSpan.FromHours(24));
        admin.TokenClockSkew.Should().Be(TimeSpan.FromMinutes(5));
        admin.ConsentTimeout.Should().Be(TimeSpan.FromMinutes(15));
        AdminSignIn.RedirectUri(admin).Should().Be(new Uri("https://connector.example.test/teams-connector/admin/signin"));
        AdminSignIn.RedirectUri(new ConnectorAdminOptions()).Should().BeNull();
        AdminSignIn.RedirectUri(new ConnectorAdminOptions { SignInRedirectUri = new Uri("https://other.example.test/cb") }).Should().Be(new Uri("https://other.example.test/cb"));
    }

    [Theory]
    [InlineData("http://login.example.test", "AuthorityHost must be an absolute https URI")]
    [InlineData("http://127.0.0.1:5000", null)]
    [InlineData("https://login.microsoftonline.us", null)]
    public void Validate_AuthorityHost_HttpsOrLoopback(string host, string? error)
    {
        var options = new TeamsConnectorOptions { Admin = { AuthorityHost = new Uri(host) } };

        var result = new TeamsConnectorOptionsValidator().Validate(null, options);

        if (error is null)
        {
            result.Succeeded.Should().BeTrue(result.FailureMessage);
        }
        else
        {
            result.Failures.Should().Contain(f => f.Contains(error, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Validate_OutOfRangeSignInSettings_ListsEach()
    {
        var options = new TeamsConnectorOptions
        {
            Admin =
            {
                MaxPendingSignIns = 0,
                SigningKeysLifetime = TimeSpan.FromMinutes(1),
                TokenClockSkew = TimeSpan.FromHours(1),
                SignInRedirectUri = new Uri("/admin/signin", UriKind.Relative),
            },
        };

        var result = new TeamsConnectorOptionsValidator().Validate(null, options);

        result.Failures.Should().Contain(f => f.Contains("MaxPendingSignIns", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("SigningKeysLifetime", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("TokenClockSkew", StringComparison.Ordinal))
            .And.Contain(f => f.Contains("SignInRedirectUri must be an absolute URI", StringComparison.Ordinal));
    }
}
