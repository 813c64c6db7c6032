using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary.Middleware;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// Builds the one <see cref="GraphServiceClient"/> of the adapter: the SDK's middleware with its RetryHandler
/// replaced by <see cref="GraphResilienceHandler"/> (one retry layer), the base URL from the options (national
/// clouds, the emulator), and a token from a <see cref="TokenCredential"/> in the services, or a client secret or
/// certificate. Tokens are attached only for the configured Graph host; a loopback emulator gets none.
/// </summary>
internal sealed class GraphClientProvider : IDisposable
{
    private readonly HttpClient _http;

    public GraphClientProvider(IOptions<GraphOptions> options, RequestBudget budget, TimeProvider time, ILoggerFactory loggers, IServiceProvider services)
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
        Authentication = CreateAuthentication(settings, services);
        Client = new GraphServiceClient(_http, Authentication, baseUrl);
        BaseUrl = settings.BaseUrl;
    }

    public GraphServiceClient Client { get; }

    public Uri BaseUrl { get; }

    /// <summary>How requests are authenticated (anonymous for a loopback emulator).</summary>
    public IAuthenticationProvider Authentication { get; }

    public void Dispose()
    {
        Client.Dispose();
        _http.Dispose();
    }

    private static IAuthenticationProvider CreateAuthentication(GraphOptions options, IServiceProvider services)
    {
        if (options.BaseUrl.IsLoopback)
        {
            // The loopback emulator takes no token; never ask Entra ID for one.
            return new AnonymousAuthenticationProvider();
        }

        var credential = services.GetService(typeof(TokenCredential)) as TokenCredential ?? CreateCredential(options);
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
