namespace Webex.TeamsConnector;

/// <summary>
/// The machine's digital contacts (chat, email, social): tracked per contact apart from the voice state, so that they
/// never make the agent Reserved or Engaged for the Teams -> WxCC rules, and shown in Teams when their channel has a
/// presence configured. The voice state's presence (a call, or an idle code the agent chose) wins while it lasts;
/// otherwise Teams shows the presence of the highest channel with a contact that wants one (chat, then email, then
/// social), published once and cleared when the last such contact ends.
/// </summary>
internal sealed partial class AgentSyncMachine
{
    /// <summary>How many digital contacts (open, and recently ended ones kept to drop late events) one agent may hold.</summary>
    internal const int DigitalContactCapacity = 64;

    private List<DigitalContact>? _digital;

    /// <summary>The number of digital contacts that are open (offered, assigned or in wrap-up).</summary>
    internal int OpenDigitalContacts
    {
        get
        {
            var open = 0;
            foreach (var contact in _digital ?? [])
            {
                open += contact.Kind == AgentStateKind.Available ? 0 : 1;
            }

            return open;
        }
    }

    /// <summary>A digital contact was offered, assigned, wrapped up or ended.</summary>
    public SyncDecision OnDigitalContact(in AgentEvent contactEvent, long now)
    {
        var id = contactEvent.ContactId!;
        var ticks = contactEvent.Timestamp.UtcTicks;
        var kind = contactEvent.State.Kind;
        _digital ??= new List<DigitalContact>(4);
        var channel = contactEvent.Channel;
        var index = _digital.FindIndex(c => string.Equals(c.Id, id, StringComparison.Ordinal) && c.Channel == channel);
        if (index >= 0)
        {
            var known = _digital[index];
            if (ticks < known.Ticks || known.Kind == AgentStateKind.Available && kind != AgentStateKind.Available)
            {
                // Older than what is known, or a late event of a contact that already ended (webhooks are not ordered).
                return SyncDecision.Of(SyncOutcome.Stale);
            }

            if (known.Kind == kind)
            {
                return SyncDecision.Of(SyncOutcome.Duplicate);
            }

            _digital[index] = known with { Kind = kind, Ticks = ticks };
        }
        else
        {
            if (_digital.Count >= DigitalContactCapacity && !ForgetEndedContact())
            {
                return SyncDecision.Of(SyncOutcome.Rejected);
            }

            _digital.Add(new DigitalContact(id, channel, kind, ticks));
        }

        ref var decision = ref Begin(SyncOutcome.Applied);
        decision.LeaveAlone(SyncRule.StateRecorded);
        Publish(ref decision, SyncTrigger.AgentStateChanged, now);
        return Build();
    }

    /// <summary>The presence the open digital contacts want, highest channel first; none after sign-out.</summary>
    private PublishedPresence DigitalWantedPresence()
    {
        if (_digital is not { Count: > 0 })
        {
            return PublishedPresence.None;
        }

        if (_hasEvent && _confirmed.Kind == AgentStateKind.LoggedOut)
        {
            // Signing out ends every contact: none is shown again, whatever event of it comes late.
            _digital.Clear();
            return PublishedPresence.None;
        }

        var best = PublishedPresence.None;
        var bestChannel = int.MaxValue;
        foreach (var contact in _digital)
        {
            var wanted = contact.Kind switch
            {
                AgentStateKind.Engaged => PresenceOf(contact.Channel),
                AgentStateKind.WrapUp when _rules.KeepContactPresenceDuringWrapUp => PresenceOf(contact.Channel),
                _ => PublishedPresence.None,
            };
            if (wanted != PublishedPresence.None && (int)contact.Channel < bestChannel)
            {
                best = wanted;
                bestChannel = (int)contact.Channel;
            }
        }

        return best;
    }

    private PublishedPresence PresenceOf(ContactChannel channel) => channel switch
    {
        ContactChannel.Chat => _rules.ChatContactPresence,
        ContactChannel.Email => _rules.EmailContactPresence,
        ContactChannel.Social => _rules.SocialContactPresence,
        _ => PublishedPresence.None,
    };

    private bool ForgetEndedContact()
    {
        var oldest = -1;
        for (var i = 0; i < _digital!.Count; i++)
        {
            if (_digital[i].Kind == AgentStateKind.Available && (oldest < 0 || _digital[i].Ticks < _digital[oldest].Ticks))
            {
                oldest = i;
            }
        }

        if (oldest < 0)
        {
            return false;
        }

        _digital.RemoveAt(oldest);
        return true;
    }

    /// <summary>One digital contact: where it is (Reserved, Engaged, WrapUp, or Available once ended) and since when.</summary>
    private readonly record struct DigitalContact(string Id, ContactChannel Channel, AgentStateKind Kind, long Ticks);
}
