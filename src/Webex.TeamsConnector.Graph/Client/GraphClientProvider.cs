using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Builds the adapter's two <see cref="GraphServiceClient"/>s over one HTTP pipeline: the SDK's middleware with its
/// RetryHandler replaced by <see cref="GraphResilienceHandler"/> (one retry layer, one request budget for both), and
/// the base URL from the options (national clouds, the emulator).
/// <see cref="Client"/> carries the application's token (a <see cref="TokenCredential"/> registered in the services,
/// or the client secret or certificate) for presence reads and writes, users and polling;
/// <see cref="SubscriptionClient"/> carries the delegated token of the service account (the
/// <see cref="TokenCredential"/> registered under the key <see cref="GraphCredentials.Subscriptions"/>), because
/// Graph creates presence subscriptions with delegated permissions only. Tokens are attached only for the configured
/// Graph host. On a loopback emulator the secret or certificate is never exchanged: requests carry a token only when
/// a credential is registered in the services.
/// </summary>
internal sealed class GraphClientProvider : IDisposable
{
    private readonly HttpClient _http;

    public GraphClientProvider(IOptions<GraphOptions> options, RequestBudget budget, TimeProvider time, ILoggerFactory loggers, TokenCredential? applicationCredential, TokenCredential? subscriptionCredential)
    {
        var settings = options.Value;
        var handlers = GraphClientFactory.CreateDefaultHandlers();
        var retry = handlers.FirstOrDefault(h => h is RetryHandler);
        var resilience = new GraphResilienceHandler(settings, budget, time, loggers.CreateLogger("Webex.TeamsConnector.Graph.Http"));
        if (retry is null)
        {
            handlers.Insert(0, resilience);
        }
        else
        {
            handlers[handlers.IndexOf(retry)] = resilience;
            retry.Dispose();
        }

        var primary = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        _http = new HttpClient(GraphClientFactory.CreatePipeline(handlers, primary)) { Timeout = Timeout.InfiniteTimeSpan };
        var baseUrl = settings.BaseUrl.ToString().TrimEnd('/');
        Authentication = CreateAuthentication(settings, applicationCredential, fallback: true);
        SubscriptionAuthentication = CreateAuthentication(settings, subscriptionCredential, fallback: false);
        Client = new GraphServiceClient(_http, Authentication, baseUrl);
        SubscriptionClient = new GraphServiceClient(_http, SubscriptionAuthentication, baseUrl);
        BaseUrl = settings.BaseUrl;
    }

    /// <summary>The application's client: everything but subscription management.</summary>
    public GraphServiceClient Client { get; }

    /// <summary>The service account's (delegated) client: creating, renewing, reauthorizing, listing and deleting subscriptions.</summary>
    public GraphServiceClient SubscriptionClient { get; }

    public Uri BaseUrl { get; }

    /// <summary>How application requests are authenticated (anonymous for a loopback emulator without a registered credential).</summary>
    public IAuthenticationProvider Authentication { get; }

    /// <summary>How subscription requests are authenticated.</summary>
    public IAuthenticationProvider SubscriptionAuthentication { get; }

    public void Dispose()
    {
        SubscriptionClient.Dispose();
        Client.Dispose();
        _http.Dispose();
    }

    private static IAuthenticationProvider CreateAuthentication(GraphOptions options, TokenCredential? registered, bool fallback)
    {
        var credential = registered;
        if (credential is null)
        {
            if (options.BaseUrl.IsLoopback)
            {
                // The loopback emulator takes no token; never ask Entra ID for one.
                return new AnonymousAuthenticationProvider();
            }

            if (!fallback)
            {
                // Refused at start by the options validator with change notifications; never reached otherwise.
                return new MissingCredentialAuthenticationProvider();
            }

            credential = CreateCredential(options);
        }

        var host = options.BaseUrl.Host;
        var scope = $"{options.BaseUrl.Scheme}://{host}/.default";
        return new Microsoft.Graph.Authentication.AzureIdentityAuthenticationProvider(credential, [host], null, true, scope);
    }

    private static TokenCredential CreateCredential(GraphOptions options)
    {
        if (!string.IsNullOrEmpty(options.CertificatePath))
        {
            var certificateOptions = new ClientCertificateCredentialOptions();
            if (options.AuthorityHost is { } authority)
            {
                certificateOptions.AuthorityHost = authority;
            }

            var certificate = CertificateFiles.Load(options.CertificatePath, options.CertificatePassword);
            return new ClientCertificateCredential(options.TenantId, options.ClientId, certificate, certificateOptions);
        }

        var secretOptions = new ClientSecretCredentialOptions();
        if (options.AuthorityHost is { } host)
        {
            secretOptions.AuthorityHost = host;
        }

        return new ClientSecretCredential(options.TenantId, options.ClientId, options.ClientSecret, secretOptions);
    }

    /// <summary>Refuses to send a subscription request without the service account's credential.</summary>
    private sealed class MissingCredentialAuthenticationProvider : IAuthenticationProvider
    {
        public Task AuthenticateRequestAsync(Microsoft.Kiota.Abstractions.RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException(GraphCredentials.MissingMessage);
    }
}

/// <summary>Loads certificates with their private keys from PFX or PEM files.</summary>
internal static class CertificateFiles
{
    public static System.Security.Cryptography.X509Certificates.X509Certificate2 Load(string path, string? password)
    {
        if (path.EndsWith(".pem", StringComparison.OrdinalIgnoreCase))
        {
            return string.IsNullOrEmpty(password)
                ? System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(path)
                : System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromEncryptedPemFile(path, password);
        }

        return System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12FromFile(path, password);
    }
}
