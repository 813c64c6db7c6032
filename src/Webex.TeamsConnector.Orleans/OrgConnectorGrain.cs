using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Webex.TeamsConnector.ContactCenter;
using Webex.TeamsConnector.Graph;

namespace Webex.TeamsConnector.Orleans;

/// <summary>
/// Hosts one org's connector unit while the grain is active: Orleans keeps a single activation per org across the
/// cluster, so exactly one unit writes the org's agent states. The unit starts on activation (in its own container,
/// built from the org's section) and stops cleanly on deactivation; the grain is kept alive, a reminder and the silos'
/// <see cref="OrgKeeper"/> activate it again elsewhere after its silo fails.
/// </summary>
[KeepAlive]
internal sealed class OrgConnectorGrain : Grain, IOrgConnectorGrain, IRemindable
{
    public const string ReminderName = "teams-connector-keep-alive";

    private readonly IPersistentState<OrgGrainState> _state;
    private readonly OrgCatalog _catalog;
    private readonly IOptions<TeamsConnectorClusterOptions> _options;
    private readonly ILogger<OrgConnectorGrain> _logger;
    private readonly TimeProvider _time;
    private readonly OrgActivations _activations;
    private readonly string _activation = Guid.NewGuid().ToString("N");
    private OrgServices? _services;
    private GrainSubscriptionOwnership? _ownership;

    public OrgConnectorGrain(
        [PersistentState("org", TeamsConnectorClusterOptions.DefaultStorageName)] IPersistentState<OrgGrainState> state,
        OrgCatalog catalog,
        OrgActivations activations,
        IOptions<TeamsConnectorClusterOptions> options,
        TimeProvider time,
        ILogger<OrgConnectorGrain> logger)
    {
        _time = time;
        _activations = activations;
        _state = state;
        _catalog = catalog;
        _options = options;
        _logger = logger;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var orgId = this.GetPrimaryKeyString();
        if (_catalog.Find(orgId) is not { } org)
        {
            Log.OrgNotListed(_logger, orgId);
            return;
        }

        var self = this.AsReference<IOrgConnectorGrain>();
        _ownership = new GrainSubscriptionOwnership(self, _state.State.SubscriptionIds, _logger);
        var (record, refreshToken) = (_state.State.RecordJson, _state.State.RefreshToken);
        _services = _catalog.Create(org, services =>
        {
            services.AddSingleton<IConnectorStateStore>(new GrainConnectorStateStore(self, record));
            services.AddSingleton<IRefreshTokenStore>(new GrainRefreshTokenStore(self, refreshToken));
        });
        if (_services.Services.GetService<SubscriptionRegistry>() is { } registry)
        {
            registry.Ownership = _ownership;
        }

        await _services.Connector.StartAsync(cancellationToken).ConfigureAwait(true);
        _activations.Add(orgId, _services);
        Log.OrgStarted(_logger, org.Name, RuntimeIdentity);
        try
        {
            var period = _options.Value.ReminderPeriod;
            await this.RegisterOrUpdateReminder(ReminderName, period, period, cancellationToken).ConfigureAwait(true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // No reminder service configured: the silos' keeper re-activates the grain.
            Log.ReminderUnavailable(_logger, ex);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_services is { } services)
        {
            Log.OrgStopping(_logger, services.Definition.Name, reason.Description);
            _activations.Remove(this.GetPrimaryKeyString(), services);
            using var timeout = new CancellationTokenSource(_options.Value.StopTimeout, _time);
            using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            await services.Connector.StopAsync(bounded.Token).ConfigureAwait(true);
            await services.DisposeAsync().ConfigureAwait(true);
            _services = null;
        }
    }

    public Task<OrgOwner> EnsureRunningAsync()
    {
        if (_services is { } services && services.Connector.Running is { IsCompleted: true })
        {
            // The unit ended by itself (it could not run): start it again.
            _ = services.Connector.StartAsync();
        }

        return Task.FromResult(new OrgOwner(RuntimeIdentity, _activation, _services is not null));
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => EnsureRunningAsync();

    public async Task<int> DeliverWxccAsync(byte[] body, string[] headerNames, string?[] headerValues)
    {
        if (_services is not { } services)
        {
            return 404;
        }

        var headers = headerNames.Select((name, i) => new KeyValuePair<string, string?>(name, headerValues[i])).ToArray();
        return await services.Services.GetRequiredService<WxccWebhookProcessor>().ProcessAsync(body, headers).ConfigureAwait(true);
    }

    public Task<OrgDelivery> DeliverGraphAsync(byte[] body)
    {
        if (_services is not { } services)
        {
            return Task.FromResult(new OrgDelivery(404, null, null));
        }

        var response = services.Services.GetRequiredService<IGraphNotificationProcessor>().Process(null, body);
        return Task.FromResult(new OrgDelivery(response.StatusCode, response.ContentType, response.Body));
    }

    public async Task<OrgDelivery> CompleteAdminConsentAsync(string? state, string? tenant, string? adminConsent, string? error, string? errorDescription)
    {
        if (_services is not { } services)
        {
            return new OrgDelivery(404, null, null);
        }

        var result = await services.Admin.CompleteAdminConsentAsync(new AdminConsentCallback(state, tenant, adminConsent, error, errorDescription), default).ConfigureAwait(true);
        return new OrgDelivery(
            result.Succeeded ? 200 : 400,
            "text/plain; charset=utf-8",
            result.Succeeded ? $"The Teams connector is authorized and {result.Status.State}." : result.Error ?? "Authorization failed.");
    }

    public async Task<OrgAdminAnswer> InvokeAdminAsync(string operation, string method, string path, string[] routeKeys, string[] routeValues, string queryString, string? contentType, byte[] body)
    {
        if (_services is not { } services)
        {
            return new OrgAdminAnswer(404, null, null, []);
        }

        if (ServiceProvider.GetService<IOrgAdminExecutor>() is not { } executor)
        {
            return new OrgAdminAnswer(501, null, null, []); // The silo has no admin API (AddAdminApi() was not called).
        }

        var route = routeKeys.Select((key, i) => (key, routeValues[i])).ToDictionary(static p => p.key, static p => p.Item2, StringComparer.OrdinalIgnoreCase);
        var answer = await executor.ExecuteAsync(services.Services, new OrgAdminRequest(operation, method, path, route, queryString, contentType, body), default).ConfigureAwait(true);
        return new OrgAdminAnswer(answer.StatusCode, answer.ContentType, answer.Location, answer.Body);
    }

    public async Task SaveRecordAsync(string recordJson)
    {
        _state.State.RecordJson = recordJson;
        await _state.WriteStateAsync().ConfigureAwait(true);
    }

    public async Task SaveRefreshTokenAsync(string refreshToken)
    {
        _state.State.RefreshToken = refreshToken;
        await _state.WriteStateAsync().ConfigureAwait(true);
    }

    public async Task SaveSubscriptionsAsync(string[] subscriptionIds)
    {
        _state.State.SubscriptionIds = [.. subscriptionIds];
        await _state.WriteStateAsync().ConfigureAwait(true);
    }
}
