using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// The connector's shared runtime state: the persisted record (status, profile overrides), whether a sync session
/// runs and why not, and signals between the admin API and the sync host. Thread-safe.
/// </summary>
internal sealed class ConnectorRuntime : IDisposable
{
    private readonly Lazy<IConnectorStateStore> _store;
    private readonly IOptionsMonitor<TeamsConnectorOptions> _options;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly object _signalLock = new();
    private ConnectorStateRecord? _record;
    private CancellationTokenSource _changed = new();
    private CancellationTokenSource _profilesChanged = new();
    private volatile bool _syncing;
    private volatile string? _problem;
    private Func<int> _agents = static () => 0;
    private Func<int> _outboxDepth = static () => 0;

    public ConnectorRuntime(IServiceProvider services, IOptionsMonitor<TeamsConnectorOptions> options)
    {
        // Resolved on first use: its factory reads the options, which must not happen before start-up validation.
        _store = new Lazy<IConnectorStateStore>(() => (IConnectorStateStore)services.GetService(typeof(IConnectorStateStore))!);
        _options = options;
    }

    /// <summary>Cancelled when the status changes (the state, or the presence-sync setting): sync starts or stops.</summary>
    public CancellationToken Changed
    {
        get
        {
            lock (_signalLock)
            {
                return _changed.Token;
            }
        }
    }

    /// <summary>Cancelled when only the desktop-profile settings change: a running sync re-reads its roster.</summary>
    public CancellationToken ProfilesChanged
    {
        get
        {
            lock (_signalLock)
            {
                return _profilesChanged.Token;
            }
        }
    }

    public ConnectorStateRecord Record => Volatile.Read(ref _record) ?? Initial();

    public ConnectorStatus Status => Record.Status;

    public bool IsSyncing => _syncing;

    public string? Problem => _problem;

    public int TrackedAgents => _agents();

    public int OutboxDepth => _outboxDepth();

    public async ValueTask<ConnectorStateRecord> LoadAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _record) is { } loaded)
        {
            return loaded;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _record ??= await _store.Value.LoadAsync(cancellationToken).ConfigureAwait(false) ?? Initial();
            return _record;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Changes the record under a lock, stores it, and signals the change.</summary>
    public async ValueTask<T> UpdateAsync<T>(Func<ConnectorStateRecord, (ConnectorStateRecord? Next, T Result)> change, CancellationToken cancellationToken)
    {
        await LoadAsync(cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        (ConnectorStateRecord? Next, T Result) outcome;
        var lifecycleChanged = false;
        try
        {
            var previous = _record!;
            outcome = change(previous);
            lifecycleChanged = outcome.Next is not null && (outcome.Next.State != previous.State || outcome.Next.PresenceSyncEnabled != previous.PresenceSyncEnabled);
            if (outcome.Next is not null && outcome.Next != _record)
            {
                await _store.Value.SaveAsync(outcome.Next, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _record, outcome.Next);
            }
            else
            {
                return outcome.Result;
            }
        }
        finally
        {
            _gate.Release();
        }

        if (lifecycleChanged)
        {
            Signal(ref _changed);
        }
        else
        {
            // Profile settings (or bookkeeping such as the tenant): the running session stays, and re-reads its roster.
            Signal(ref _profilesChanged);
        }

        return outcome.Result;
    }

    public void Dispose()
    {
        _gate.Dispose();
        lock (_signalLock)
        {
            _changed.Dispose();
            _profilesChanged.Dispose();
        }
    }

    public void SetSyncing(bool syncing, string? problem)
    {
        _syncing = syncing;
        _problem = problem;
    }

    public void Observe(Func<int> agents, Func<int> outboxDepth)
    {
        _agents = agents;
        _outboxDepth = outboxDepth;
    }

    public ConnectorStatusReport Report()
    {
        var status = Status;
        var reason = status.Reason ?? _problem;
        return new ConnectorStatusReport(status, _syncing, reason, _syncing ? TrackedAgents : 0, OutboxDepth);
    }

    private void Signal(ref CancellationTokenSource source)
    {
        CancellationTokenSource previous;
        lock (_signalLock)
        {
            previous = source;
            source = new CancellationTokenSource();
        }

        // Not disposed: sessions may still hold its (cancelled) token; admin operations are rare.
        previous.Cancel();
    }

    private ConnectorStateRecord Initial() => new()
    {
        State = _options.CurrentValue.Admin.InitialState,
        PresenceSyncEnabled = _options.CurrentValue.Admin.InitialState == ConnectorState.Active,
    };
}
