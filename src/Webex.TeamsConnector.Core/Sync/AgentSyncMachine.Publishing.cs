using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Webex.TeamsConnector;

/// <summary>The machine's WxCC -> Teams side, and the small value types it stores.</summary>
internal sealed partial class AgentSyncMachine
{
    /// <summary>The WxCC -> Teams rules: publishes, switches or clears what Teams shows for the confirmed state.</summary>
    private void Publish(ref DecisionBuilder decision, SyncTrigger trigger, long now)
    {
        var wanted = WantedPresence();
        if (wanted == _published)
        {
            return;
        }

        var previous = _published;
        if (previous != PublishedPresence.None)
        {
            _echoPair = previous;
            _echoGraceUntil = now + _rules.EchoGracePeriod.Ticks;
            if (_echoGraceUntil == 0)
            {
                _echoGraceUntil = 1;
            }
        }

        _published = wanted;
        if (wanted == PublishedPresence.None)
        {
            decision.Add(SyncCommandKind.ClearPresence, (int)CommandStateSource.None, previous, new(SyncRule.ClearPublish, trigger));
            return;
        }

        _refreshDue = now + _rules.PublishExpiration.Ticks - _rules.PublishRefreshMargin.Ticks;
        var rule = _confirmed.Kind == AgentStateKind.Idle && wanted == VoiceWantedPresence() ? SyncRule.PublishIdleCode : SyncRule.PublishContact;
        decision.Add(SyncCommandKind.PublishPresence, (int)CommandStateSource.None, wanted, new(rule, trigger));
    }

    /// <summary>The voice state's presence while it wants one, else the digital contacts'.</summary>
    private PublishedPresence WantedPresence()
    {
        var voice = VoiceWantedPresence();
        return voice != PublishedPresence.None ? voice : DigitalWantedPresence();
    }

    private PublishedPresence VoiceWantedPresence()
    {
        if (_origin == StateOrigin.PresenceSync)
        {
            return PublishedPresence.None;
        }

        return _confirmed.Kind switch
        {
            AgentStateKind.Engaged => _rules.ContactPresence,
            AgentStateKind.WrapUp when _rules.KeepContactPresenceDuringWrapUp => _rules.ContactPresence,
            // Only an idle code the agent chose is published: not RONA's, a supervisor's or the system's.
            AgentStateKind.Idle when _origin == StateOrigin.Agent
                && _confirmed.IdleCodeId is { } code && _rules.IdleCodePresences.TryGetValue(code, out var pair) => pair,
            _ => PublishedPresence.None,
        };
    }

    /// <summary>
    /// A presence without its raw text, packed into one 32-bit value (availability, activity, state, inactive): no
    /// references, so storing it costs no GC write barrier, and one compare and one store move it whole. Parsing gives
    /// only defined values; an undefined availability or activity of 255 or more (built by hand) is kept as 255.
    /// </summary>
    private readonly struct PresenceValue : IEquatable<PresenceValue>
    {
        private readonly uint _bits;

        // Set in every value built from a presence: the default value (nothing seen) equals none of them.
        private const uint KnownBit = 1u << 31;

        /// <summary>
        /// The presence, inactive when it says so itself or, as <see cref="InactivityRule.IsInactive"/> says, when it is
        /// Away right after an inactive one.
        /// </summary>
        public PresenceValue(in TeamsPresence presence, bool previousInactive)
        {
            var bits = presence.Packed;
            if (InactivityRule.AwayAfterInactivity(presence.State, previousInactive))
            {
                bits |= TeamsPresence.InactiveBit;
            }

            _bits = bits | KnownBit;
        }

        /// <summary>Whether a presence was stored (the default value is "none seen yet").</summary>
        public bool IsKnown => _bits != 0;

        public TeamsAvailability Availability => (TeamsAvailability)(byte)_bits;

        public TeamsActivity Activity => (TeamsActivity)(byte)(_bits >> 8);

        public TeamsState State => (TeamsState)(byte)(_bits >> 16);

        public bool Inactive => (_bits & TeamsPresence.InactiveBit) != 0;

        public bool Equals(PresenceValue other) => _bits == other._bits;

        public override bool Equals(object? obj) => obj is PresenceValue other && Equals(other);

        public override int GetHashCode() => (int)_bits;

        public TeamsPresence ToPresence() => new(Availability, Activity);
    }

    [InlineArray(RecentWriteCapacity)]
    private struct RecentWrites
    {
        private AgentState _element;

        public ReadOnlySpan<AgentState> AsSpan(int count) =>
            MemoryMarshal.CreateReadOnlySpan(ref Unsafe.AsRef(in _element), count);
    }
}
