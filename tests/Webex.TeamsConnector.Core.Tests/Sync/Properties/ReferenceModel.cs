namespace Webex.TeamsConnector.Tests.Sync.Properties;

/// <summary>
/// A deliberately simple model of the sync rules, written straight from DESIGN.md with plain fields, lists and
/// if/else, one agent at a time. The property tests check that the engine produces exactly its commands.
/// </summary>
internal sealed class ReferenceModel
{
    /// <summary>README "The sync rules": the connector knows its own writes among its last four for an agent.</summary>
    private const int OwnWritesRecognised = 4;

    /// <summary>README "The sync rules": up to four distinct states are applied per agent-event timestamp.</summary>
    private const int StatesPerTimestamp = 4;

    private readonly SyncRules _rules;
    private readonly Dictionary<string, AgentModel> _agents = [];

    public ReferenceModel(SyncRules rules) => _rules = rules;

    public void Add(string agentId, string teamsUserId) => _agents[agentId] = new AgentModel(agentId, teamsUserId);

    public AgentModel Agent(string agentId) => _agents[agentId];

    public List<SyncCommand> Presence(string teamsUserId, TeamsPresence p, string? seq, DateTimeOffset now)
    {
        var a = _agents.Values.Single(x => x.TeamsUserId == teamsUserId);
        var output = new List<SyncCommand>();

        if (seq is not null && a.LastSequence is not null && string.CompareOrdinal(seq, a.LastSequence) <= 0)
        {
            return output; // older or the same: stale or duplicate
        }

        if (seq is not null)
        {
            a.LastSequence = seq;
        }

        if (a.Observed is { } seen && Same(seen, p))
        {
            return output; // repeats of the same presence are no event
        }

        if (a.Observed is null && _rules.ClearStaleSessionAtStart && a.Published == PublishedPresence.None
            && _rules.EchoGracePeriod > TimeSpan.Zero && _rules.ContactPresence != PublishedPresence.None
            && _rules.ContactPresence.Matches(p) && !a.State.IsOnContact)
        {
            // Teams shows the contact presence before we published anything: an earlier run's session; clear it.
            a.Observed = p;
            a.EchoPair = _rules.ContactPresence;
            a.GraceUntil = now + _rules.EchoGracePeriod;
            output.Add(Make(a, SyncCommandKind.ClearPresence, default, _rules.ContactPresence, SyncRule.ClearStaleSession, SyncTrigger.TeamsPresenceChanged));
            return output;
        }

        // README "IgnoreInactivity": idle availabilities, and an Away right after one, are inactivity.
        var inactive = p.Availability is TeamsAvailability.AvailableIdle or TeamsAvailability.BusyIdle
            || p.Activity is TeamsActivity.Inactive or TeamsActivity.AvailableInactive
            || (a.ObservedInactive && p.State == TeamsState.Away);
        a.Observed = p;
        a.ObservedInactive = inactive;
        if (a.Published != PublishedPresence.None && a.Published.Matches(p))
        {
            return output; // our own session, echoed by Teams
        }

        if (a.GraceUntil is { } until)
        {
            if (now < until && a.EchoPair.Matches(p))
            {
                return output; // the stale echo after a clear
            }

            a.GraceUntil = null;
            a.EchoPair = PublishedPresence.None;
        }

        if (a.Effective is { } effective && Same(effective, p) && a.EffectiveInactive == inactive)
        {
            return output;
        }

        a.Effective = p;
        a.EffectiveInactive = inactive;
        Evaluate(a, SyncTrigger.TeamsPresenceChanged, now, output, verified: false);
        return output;
    }

    public List<SyncCommand> AgentEvent(string agentId, AgentEvent e, DateTimeOffset now)
    {
        var a = _agents[agentId];
        var output = new List<SyncCommand>();
        var answer = e.Kind == AgentEventKind.Reconciliation && a.Verifying;
        if (a.LastEventAt is { } last)
        {
            // A state read from WxCC corrects one that an event dated ahead of the clock set.
            if (e.Timestamp < last && !(e.Kind == AgentEventKind.Reconciliation && last > now))
            {
                return Answered(a, answer, now, output);
            }

            if (e.Timestamp == last)
            {
                // The same timestamp: a state already seen at it is a replay; a fifth distinct state is dropped.
                if (a.StatesAtLastEvent.Contains(e.State) || a.StatesAtLastEvent.Count == StatesPerTimestamp)
                {
                    return Answered(a, answer, now, output);
                }
            }
            else
            {
                a.StatesAtLastEvent.Clear();
            }
        }

        a.StatesAtLastEvent.Add(e.State);

        // Origin, in DESIGN.md's order.
        StateOrigin origin;
        var ours = e.Reason == _rules.Classifier.ReasonMarker
            && (e.State.Kind == AgentStateKind.Idle || e.State.Kind == AgentStateKind.Available)
            && (a.Writes.Count == 0 || a.Writes.TakeLast(OwnWritesRecognised).Contains(e.State));
        if (ours)
        {
            origin = StateOrigin.PresenceSync;
        }
        else if (e.State.Kind == AgentStateKind.Idle && _rules.Classifier.RonaIdleCodeIds.Contains(e.State.IdleCodeId!))
        {
            origin = StateOrigin.Rona;
        }
        else if (e.State.Kind == AgentStateKind.Idle && _rules.Classifier.SystemIdleCodeIds.Contains(e.State.IdleCodeId!))
        {
            origin = StateOrigin.System;
        }
        else if (!string.IsNullOrEmpty(e.ChangedById) && !string.Equals(e.ChangedById, agentId, StringComparison.OrdinalIgnoreCase))
        {
            origin = StateOrigin.Supervisor;
        }
        else if (e.Kind is AgentEventKind.Login or AgentEventKind.Logout || e.Kind == AgentEventKind.Reconciliation && e.State.Kind == AgentStateKind.LoggedOut)
        {
            origin = StateOrigin.System;
        }
        else
        {
            origin = StateOrigin.Agent;
        }

        var before = a.State;
        var firstOrSignedOut = a.LastEventAt is null || before.Kind == AgentStateKind.LoggedOut;
        a.State = e.State;
        a.Origin = origin;
        a.LastEventAt = e.Timestamp;

        var olderOwnWriteLanded = false;
        var withdraw = false;
        var before0 = output.Count;
        if (origin == StateOrigin.PresenceSync)
        {
            if (a.Pending is { } pending && pending.Equals(e.State))
            {
                a.Pending = null;
                a.Outstanding = false;
                a.Failures = 0;
            }
            else if (a.Pending is null)
            {
                olderOwnWriteLanded = true;
            }
        }
        else
        {
            // Someone else acted: a queued write of ours is withdrawn, and a pending retry is off.
            a.Pending = null;
            withdraw = a.Outstanding;
            a.Outstanding = false;
            a.Failures = 0;
            a.RetryAt = null;
        }

        // The state is fresh: an open read-back is answered by it, whichever event brought it, and decides again.
        var answered = a.Verifying;
        a.Verifying = false;

        // WxCC -> Teams.
        PublishTo(a, now, output);

        // Teams -> WxCC, once, when the agent is back from a contact, signs in, or an older write of ours landed.
        if (e.State.Kind is AgentStateKind.Available or AgentStateKind.Idle)
        {
            var fromContact = before.Kind is AgentStateKind.Reserved or AgentStateKind.Engaged or AgentStateKind.WrapUp;
            if (fromContact && !firstOrSignedOut)
            {
                Evaluate(a, SyncTrigger.ContactEnded, now, output, verified: true);
            }
            else if (firstOrSignedOut)
            {
                Evaluate(a, SyncTrigger.AgentSignedIn, now, output, verified: true);
            }
            else if (olderOwnWriteLanded)
            {
                Evaluate(a, SyncTrigger.OwnWriteLanded, now, output, verified: true);
            }
            else if (answered)
            {
                Evaluate(a, SyncTrigger.StateVerified, now, output, verified: true);
            }
        }

        if (withdraw && !output.Skip(before0).Any(c => c.IsStateWrite))
        {
            output.Add(Make(a, SyncCommandKind.Withdraw, default, PublishedPresence.None, SyncRule.Withdraw, SyncTrigger.AgentStateChanged));
        }

        return output;
    }

    /// <summary>A refused write is forgotten and decided again after 5 s, 10 s, 20 s, ... up to 5 minutes.</summary>
    /// <summary>
    /// README "Contacts per channel": a digital contact (chat, email, social) is tracked by its id apart from the voice
    /// state; an older event, or one after the contact ended, changes nothing.
    /// </summary>
    public List<SyncCommand> DigitalContact(string agentId, AgentEvent e, DateTimeOffset now)
    {
        var a = _agents[agentId];
        var output = new List<SyncCommand>();
        var key = (e.Channel, e.ContactId!);
        if (a.Digital.TryGetValue(key, out var known))
        {
            var ended = known.Kind == AgentStateKind.Available;
            if (e.Timestamp < known.At || ended && e.State.Kind != AgentStateKind.Available || known.Kind == e.State.Kind)
            {
                return output;
            }
        }

        a.Digital[key] = (e.State.Kind, e.Timestamp);
        PublishTo(a, now, output);
        return output;
    }

    /// <summary>What Teams should show: the voice state's presence while it wants one, else the highest digital channel's.</summary>
    public PublishedPresence Wanted(AgentModel a)
    {
        var voice = VoiceWanted(a);
        if (voice != PublishedPresence.None)
        {
            return voice;
        }

        if (a.LastEventAt is not null && a.State.Kind == AgentStateKind.LoggedOut)
        {
            a.Digital.Clear(); // signing out ends every contact
            return PublishedPresence.None;
        }

        foreach (var channel in new[] { ContactChannel.Chat, ContactChannel.Email, ContactChannel.Social })
        {
            var pair = channel switch
            {
                ContactChannel.Chat => _rules.ChatContactPresence,
                ContactChannel.Email => _rules.EmailContactPresence,
                _ => _rules.SocialContactPresence,
            };
            var open = a.Digital.Any(d => d.Key.Channel == channel
                && (d.Value.Kind == AgentStateKind.Engaged || d.Value.Kind == AgentStateKind.WrapUp && _rules.KeepContactPresenceDuringWrapUp));
            if (open && pair != PublishedPresence.None)
            {
                return pair;
            }
        }

        return PublishedPresence.None;
    }

    private PublishedPresence VoiceWanted(AgentModel a)
    {
        if (a.Origin == StateOrigin.PresenceSync)
        {
            return PublishedPresence.None;
        }

        if (a.State.Kind == AgentStateKind.Engaged || a.State.Kind == AgentStateKind.WrapUp && _rules.KeepContactPresenceDuringWrapUp)
        {
            return _rules.ContactPresence;
        }

        return a.State.Kind == AgentStateKind.Idle && a.Origin == StateOrigin.Agent && _rules.IdleCodePresences.TryGetValue(a.State.IdleCodeId!, out var pair)
            ? pair
            : PublishedPresence.None;
    }

    private void PublishTo(AgentModel a, DateTimeOffset now, List<SyncCommand> output)
    {
        var wanted = Wanted(a);
        if (wanted == a.Published)
        {
            return;
        }

        var old = a.Published;
        if (old != PublishedPresence.None)
        {
            a.EchoPair = old;
            a.GraceUntil = now + _rules.EchoGracePeriod;
        }

        a.Published = wanted;
        if (wanted == PublishedPresence.None)
        {
            output.Add(Make(a, SyncCommandKind.ClearPresence, default, old, SyncRule.ClearPublish, SyncTrigger.AgentStateChanged));
            return;
        }

        a.RefreshAt = now + _rules.PublishExpiration - _rules.PublishRefreshMargin;
        var rule = a.State.Kind == AgentStateKind.Idle && wanted == VoiceWanted(a) ? SyncRule.PublishIdleCode : SyncRule.PublishContact;
        output.Add(Make(a, SyncCommandKind.PublishPresence, default, wanted, rule, SyncTrigger.AgentStateChanged));
    }

    public void WriteFailed(string agentId, AgentState attempted, DateTimeOffset now)
    {
        var a = _agents[agentId];
        if (a.Pending is { } pending && pending.Equals(attempted))
        {
            a.Pending = null;
            a.Outstanding = false;
            a.Failures++;
            var delay = _rules.WriteRetryDelay;
            for (var i = 1; i < a.Failures && delay < _rules.WriteRetryMaxDelay; i++)
            {
                delay += delay;
            }

            a.RetryAt = now + (delay > _rules.WriteRetryMaxDelay ? _rules.WriteRetryMaxDelay : delay);
        }
    }

    public List<SyncCommand> Tick(DateTimeOffset now)
    {
        var output = new List<SyncCommand>();
        foreach (var a in _agents.Values)
        {
            var evaluate = false;
            var trigger = SyncTrigger.WriteRetryDue;
            var confirm = false;
            var before = output.Count;
            if (a.Pending is not null && now >= a.PendingSince + _rules.PendingWriteTimeout)
            {
                a.Pending = null;
                if (_rules.VerifyBeforeOverwrite)
                {
                    confirm = true; // read it back before deciding again
                }
                else
                {
                    evaluate = true;
                    trigger = SyncTrigger.PendingWriteExpired;
                }
            }

            if (a.RetryAt is { } retry && now >= retry)
            {
                a.RetryAt = null;
                evaluate = true;
            }

            if (a.GraceUntil is { } until && now >= until)
            {
                a.GraceUntil = null;
                a.EchoPair = PublishedPresence.None;
                var stillShown = a.Observed is { } seen && (a.Effective is not { } eff || !Same(eff, seen) || a.EffectiveInactive != a.ObservedInactive);
                if (stillShown && Code(a.Observed!.Value, a.ObservedInactive) is not null)
                {
                    a.Effective = a.Observed;
                    a.EffectiveInactive = a.ObservedInactive;
                    trigger = SyncTrigger.EchoGraceExpired;
                    evaluate = true;
                }
            }

            if (evaluate)
            {
                Evaluate(a, trigger, now, output, verified: false);
            }
            else if (confirm)
            {
                Verify(a, SyncRule.ConfirmWrite, SyncTrigger.PendingWriteExpired, now, output);
            }

            if (a.Published != PublishedPresence.None && now >= a.RefreshAt)
            {
                a.RefreshAt = now + _rules.PublishExpiration - _rules.PublishRefreshMargin;
                output.Add(Make(a, SyncCommandKind.PublishPresence, default, a.Published, SyncRule.RefreshPublish, SyncTrigger.RefreshDue));
            }

            // An unanswered read-back is asked again, 10 s, 20 s, 40 s, ... apart (at most two commands per agent per tick).
            if (a.Verifying && now >= a.VerifyDue && output.Count - before < 2)
            {
                a.VerifyAttempts++;
                a.VerifyDue = now + Backoff(_rules.VerifyTimeout, a.VerifyAttempts);
                output.Add(Make(a, SyncCommandKind.Verify, a.State, PublishedPresence.None, a.VerifyRule, SyncTrigger.VerifyDue));
            }
        }

        return output;
    }

    /// <summary>DESIGN.md's Teams -> WxCC table, row by row.</summary>
    private List<SyncCommand> Answered(AgentModel a, bool answer, DateTimeOffset now, List<SyncCommand> output)
    {
        if (answer)
        {
            // A read-back that shows nothing newer: the state held is current.
            a.Verifying = false;
            Evaluate(a, SyncTrigger.StateVerified, now, output, verified: true);
        }

        return output;
    }

    private void Verify(AgentModel a, SyncRule rule, SyncTrigger trigger, DateTimeOffset now, List<SyncCommand> output)
    {
        if (a.Verifying)
        {
            return;
        }

        a.Verifying = true;
        a.VerifyAttempts = 1;
        a.VerifyRule = rule;
        a.VerifyDue = now + _rules.VerifyTimeout;
        output.Add(Make(a, SyncCommandKind.Verify, a.State, PublishedPresence.None, rule, trigger));
    }

    private TimeSpan Backoff(TimeSpan first, int failures)
    {
        var delay = first;
        for (var i = 1; i < failures && delay < _rules.WriteRetryMaxDelay; i++)
        {
            delay += delay;
        }

        var cap = first > _rules.WriteRetryMaxDelay ? first : _rules.WriteRetryMaxDelay;
        return delay > cap ? cap : delay;
    }

    private void Evaluate(AgentModel a, SyncTrigger trigger, DateTimeOffset now, List<SyncCommand> output, bool verified)
    {
        if (a.Effective is not { } presence)
        {
            return;
        }

        var code = Code(presence, a.EffectiveInactive);
        var state = a.Pending ?? a.State;
        var origin = a.Pending is null ? a.Origin : StateOrigin.PresenceSync;

        if (state.Kind == AgentStateKind.LoggedOut || state.IsOnContact)
        {
            return; // none now; a contact end evaluates again
        }

        if (state.Kind == AgentStateKind.Available)
        {
            if (_rules.EngageFrom == EngageFrom.PresenceSyncOrigin && origin != StateOrigin.PresenceSync)
            {
                return; // the seed's strict rule: only an Available that presence sync set is engaged
            }

            if (code is not null)
            {
                Write(a, AgentState.Idle(code), SyncRule.Engage, trigger, now, output);
            }

            return;
        }

        // Idle.
        if (origin != StateOrigin.PresenceSync)
        {
            return; // the agent, a supervisor, RONA or the system owns it
        }

        var rule = code is null ? SyncRule.Release : code != state.IdleCodeId ? SyncRule.Remap : SyncRule.None;
        if (rule == SyncRule.None)
        {
            return;
        }

        if (_rules.VerifyBeforeOverwrite && !verified)
        {
            // Never over a state not seen: read it back first.
            Verify(a, rule, trigger, now, output);
        }
        else
        {
            Write(a, code is null ? AgentState.Available : AgentState.Idle(code), rule, trigger, now, output);
        }
    }

    private void Write(AgentModel a, AgentState wanted, SyncRule rule, SyncTrigger trigger, DateTimeOffset now, List<SyncCommand> output)
    {
        if (wanted.Equals(a.State))
        {
            a.Pending = null;
        }
        else
        {
            a.Pending = wanted;
            a.PendingSince = now;
        }

        a.Writes.Add(wanted);
        a.Outstanding = true;
        a.RetryAt = null;
        var kind = wanted.Kind == AgentStateKind.Available ? SyncCommandKind.SetAvailable : SyncCommandKind.SetIdle;
        output.Add(Make(a, kind, wanted, PublishedPresence.None, rule, trigger));
    }

    private SyncCommand Make(AgentModel a, SyncCommandKind kind, AgentState state, PublishedPresence presence, SyncRule rule, SyncTrigger trigger) =>
        new(kind, a.AgentId, a.TeamsUserId, state, presence, kind == SyncCommandKind.PublishPresence ? _rules.PublishExpiration : TimeSpan.Zero, new SyncReason(rule, trigger));

    private string? Code(TeamsPresence presence, bool inactive) =>
        inactive && _rules.IgnoreInactivity ? null : _rules.Mapping.Resolve(presence.State);

    private static bool Same(TeamsPresence x, TeamsPresence y) => x.Availability == y.Availability && x.Activity == y.Activity;

    internal sealed class AgentModel(string agentId, string teamsUserId)
    {
        public string AgentId { get; } = agentId;

        public string TeamsUserId { get; } = teamsUserId;

        public AgentState State { get; set; }

        public StateOrigin Origin { get; set; }

        public DateTimeOffset? LastEventAt { get; set; }

        public List<AgentState> StatesAtLastEvent { get; } = [];

        public AgentState? Pending { get; set; }

        public DateTimeOffset PendingSince { get; set; }

        public List<AgentState> Writes { get; } = [];

        public TeamsPresence? Observed { get; set; }

        public TeamsPresence? Effective { get; set; }

        public bool ObservedInactive { get; set; }

        public bool EffectiveInactive { get; set; }

        public string? LastSequence { get; set; }

        public PublishedPresence Published { get; set; }

        public DateTimeOffset RefreshAt { get; set; }

        public PublishedPresence EchoPair { get; set; }

        public DateTimeOffset? GraceUntil { get; set; }

        public bool Outstanding { get; set; }

        public int Failures { get; set; }

        public DateTimeOffset? RetryAt { get; set; }

        public bool Verifying { get; set; }

        public int VerifyAttempts { get; set; }

        public DateTimeOffset VerifyDue { get; set; }

        public SyncRule VerifyRule { get; set; }

        /// <summary>Digital contacts by channel and id: where each is (Available once ended) and since when.</summary>
        public Dictionary<(ContactChannel Channel, string Id), (AgentStateKind Kind, DateTimeOffset At)> Digital { get; } = [];
    }
}
