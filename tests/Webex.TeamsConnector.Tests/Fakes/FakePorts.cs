using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Webex.TeamsConnector.Tests.Fakes;

/// <summary>
/// In-memory adapters for testing the sync host's own logic (roster, lifecycle, dispatch, metrics). The wire formats
/// are tested against the emulators elsewhere.
/// </summary>
internal sealed class FakePorts : ITeamsPresenceFeed, ITeamsPresencePublisher, ITeamsUserResolver, IAgentEventFeed, IAgentStateOutbox, IContactCenterDirectory, IPresenceSyncSettingWriter
{
    private readonly Channel<AgentState> _nothing = Channel.CreateUnbounded<AgentState>();
    private ChannelWriter<TeamsPresenceUpdate>? _presenceWriter;
    private ChannelWriter<AgentFeedEvent>? _agentWriter;
    private ChannelWriter<AgentWriteResult>? _resultWriter;
    private long _clock = 1_740_000_000_000;

    public List<IdleCode> IdleCodes { get; } =
    [
        new("c-dnd", "Teams DND", false, true, true),
        new("c-call", "Teams call", false, true, true),
        new("c-present", "Presenting", false, true, true),
        new("lunch", "Lunch", false, true, true),
        new("rona", "RONA", true, true, true),
        new("sys", "Agent_Busy", true, true, true),
        new("wrap", "Sale", false, true, false),
    ];

    public ConcurrentDictionary<string, ContactCenterUser> Users { get; } = new();

    public ConcurrentDictionary<string, DesktopProfile> Profiles { get; } = new()
    {
        ["p-teams"] = new DesktopProfile("p-teams", StateSynchronizationMS: true, ShowUserDetailsMS: true),
        ["p-webex"] = new DesktopProfile("p-webex", StateSynchronizationWebex: true),
    };

    public ConcurrentDictionary<string, string> TeamsIds { get; } = new(StringComparer.OrdinalIgnoreCase);

    public ConcurrentDictionary<string, AgentFeedEvent> CurrentStates { get; } = new();

    public volatile bool PresenceSyncSetting = true;

    public ConcurrentQueue<(string AgentId, AgentState State)> Writes { get; } = new();

    public ConcurrentQueue<(string AgentId, AgentState State)> Withdrawn { get; } = new();

    private readonly ConcurrentDictionary<string, AgentState> _unsent = new(StringComparer.Ordinal);

    public ConcurrentQueue<(string TeamsUserId, PublishedPresence Presence)> Published { get; } = new();

    public ConcurrentQueue<string> Cleared { get; } = new();

    public IReadOnlyCollection<string> Watched { get; private set; } = [];

    public TaskCompletionSource FeedsRunning { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public int Depth => 0;

    public string ReasonMarker { get; set; } = OriginClassifier.DefaultReasonMarker;

    public int SettingWrites;

    public Exception? PresenceFeedFailure { get; set; }

    private TaskCompletionSource _presenceFeedRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Makes the running presence feed fail with <paramref name="failure"/> (the session then fails).</summary>
    public void FailRunningPresenceFeed(Exception failure) => _presenceFeedRunning.TrySetException(failure);

    public void AddAgent(string agentId, string email, string teamsId, string profile = "p-teams")
    {
        Users[agentId] = new ContactCenterUser("u-" + agentId, agentId, email, profile, true, true);
        TeamsIds[email] = teamsId;
    }

    // Test drivers.

    /// <summary>
    /// A Teams presence from the feed. Like a real feed, which reports only the users it was told to watch, it waits
    /// until an agent's Teams user is watched: the roster adds agents progressively, so right after the feeds start a
    /// later part's agent may not be tracked yet. Ids of no agent are sent at once.
    /// </summary>
    public async ValueTask TeamsAsync(string teamsId, string availability, string activity, TimeProvider time)
    {
        if (TeamsIds.Values.Contains(teamsId, StringComparer.OrdinalIgnoreCase))
        {
            await Wait.UntilAsync(() => Watched.Contains(teamsId, StringComparer.OrdinalIgnoreCase), teamsId + " is watched by the presence feed");
        }

        await _presenceWriter!.WriteAsync(new TeamsPresenceUpdate(teamsId, availability, activity, null, time.GetUtcNow()));
    }

    public ValueTask AgentAsync(string agentId, AgentEvent e) =>
        _agentWriter!.WriteAsync(new AgentFeedEvent(agentId, e, null, DateTimeOffset.FromUnixTimeMilliseconds(_clock)));

    public AgentEvent NextState(AgentState state, string? reason = "agent", string? by = null) =>
        AgentEvent.StateChanged(state, DateTimeOffset.FromUnixTimeMilliseconds(Interlocked.Add(ref _clock, 10)), reason, by);

    public ValueTask ReportAsync(AgentWriteResult result) => _resultWriter!.WriteAsync(result);

    // ITeamsPresenceFeed
    public void SetWatchedUsers(IReadOnlyCollection<string> teamsUserIds)
    {
        Watched = teamsUserIds;
        Wait.Pulse.Raise();
    }

    public async Task RunAsync(ChannelWriter<TeamsPresenceUpdate> updates, CancellationToken cancellationToken)
    {
        _presenceWriter = updates;
        var running = _presenceFeedRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);
        MarkRunning();
        if (PresenceFeedFailure is { } failure)
        {
            throw failure;
        }

        await running.Task.WaitAsync(cancellationToken);
    }

    // IAgentEventFeed
    public async Task RunAsync(ChannelWriter<AgentFeedEvent> events, CancellationToken cancellationToken)
    {
        _agentWriter = events;

        // As the port requires: each run starts with every agent's current state.
        foreach (var state in CurrentStates.Values)
        {
            await events.WriteAsync(state, cancellationToken);
        }

        MarkRunning();
        await _nothing.Reader.Completion.WaitAsync(cancellationToken);
    }

    // IAgentStateOutbox
    public void Enqueue(string agentId, AgentState state)
    {
        _unsent[agentId] = state;
        Writes.Enqueue((agentId, state));
        Wait.Pulse.Raise();
    }

    /// <summary>Marks the agent's wanted state as sent (it can no longer be withdrawn).</summary>
    public void MarkSent(string agentId) => _unsent.TryRemove(agentId, out _);

    public bool Withdraw(string agentId)
    {
        if (!_unsent.TryRemove(agentId, out var state))
        {
            return false;
        }

        Withdrawn.Enqueue((agentId, state));
        Wait.Pulse.Raise();
        return true;
    }

    public async Task RunAsync(ChannelWriter<AgentWriteResult> results, CancellationToken cancellationToken)
    {
        _resultWriter = results;
        MarkRunning();
        await _nothing.Reader.Completion.WaitAsync(cancellationToken);
    }

    // ITeamsPresencePublisher
    public Task PublishAsync(string teamsUserId, PublishedPresence presence, TimeSpan expiration, CancellationToken cancellationToken)
    {
        Published.Enqueue((teamsUserId, presence));
        Wait.Pulse.Raise();
        return Task.CompletedTask;
    }

    public Task ClearAsync(string teamsUserId, CancellationToken cancellationToken)
    {
        Cleared.Enqueue(teamsUserId);
        Wait.Pulse.Raise();
        return Task.CompletedTask;
    }

    // ITeamsUserResolver
    public ValueTask<string?> ResolveAsync(string emailOrUserPrincipalName, CancellationToken cancellationToken) =>
        ValueTask.FromResult(TeamsIds.TryGetValue(emailOrUserPrincipalName, out var id) ? id : null);

    // IContactCenterDirectory
    public Task<IReadOnlyList<IdleCode>> GetIdleCodesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<IdleCode>>([.. IdleCodes]);

    public Task<IReadOnlyList<ContactCenterUser>> GetUsersAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ContactCenterUser>>([.. Users.Values]);

    public Task<DesktopProfile?> GetDesktopProfileAsync(string desktopProfileId, CancellationToken cancellationToken) =>
        Task.FromResult(Profiles.TryGetValue(desktopProfileId, out var p) ? p : null);

    public Task<bool> GetPresenceSyncSettingAsync(CancellationToken cancellationToken) => Task.FromResult(PresenceSyncSetting);

    public Task<IReadOnlyList<AgentFeedEvent>> GetCurrentStatesAsync(IReadOnlyCollection<string> agentIds, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<AgentFeedEvent>>([.. agentIds.Where(CurrentStates.ContainsKey).Select(id => CurrentStates[id])]);

    // IPresenceSyncSettingWriter
    public Task SetPresenceSyncSettingAsync(bool enabled, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref SettingWrites);
        PresenceSyncSetting = enabled;
        Wait.Pulse.Raise();
        return Task.CompletedTask;
    }

    private int _running;

    /// <summary>How many times the feeds were started (three per sync session).</summary>
    public int FeedStarts => Volatile.Read(ref _running);

    private void MarkRunning()
    {
        if (Interlocked.Increment(ref _running) % 3 == 0)
        {
            FeedsRunning.TrySetResult();
        }

        Wait.Pulse.Raise();
    }

    public void ResetRunning()
    {
        _running = 0;
        FeedsRunning = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
