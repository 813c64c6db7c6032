using System.Runtime.CompilerServices;

namespace Webex.TeamsConnector;

/// <summary>The machine's Teams -> WxCC side: the rules table (<see cref="AgentSyncTable"/>) applied to the effective presence.</summary>
internal sealed partial class AgentSyncMachine
{
    /// <summary>The idle code the rules see now: the pending write's, else the confirmed state's.</summary>
    private string? CurrentIdleCode => _hasPending ? _pending.IdleCodeId : _confirmed.IdleCodeId;

    /// <summary>The Teams -> WxCC rules: evaluates the effective presence against the agent's class.</summary>
    private void Decide(ref DecisionBuilder decision, SyncTrigger trigger, long now, bool verified)
    {
        if (!_effective.IsKnown)
        {
            decision.LeaveAlone(SyncRule.NoTeamsPresence);
            return;
        }

        var cell = CellForEffective(out var code);
        if (LeavesAlone(cell, code))
        {
            decision.LeaveAlone(cell.LeftAlone);
            return;
        }

        Act(ref decision, cell.Action, code, trigger, now, verified);
    }

    /// <summary>The rules table's cell for the agent's class and the effective presence, and the idle code mapped to it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TeamsRuleCell CellForEffective(out string? code)
    {
        code = InactivityRule.CodeFor(_rules, _effective.State, _effective.Inactive);
        return AgentSyncTable.CellFor(_class, code is not null);
    }

    /// <summary>Whether the cell leaves the agent alone: it names no action, or a remap to the code already set.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool LeavesAlone(TeamsRuleCell cell, string? code) =>
        !cell.Acts || (cell.Action == TeamsAction.Remap && CurrentIdleCode == code);

    /// <summary>A Teams presence change the rules act on.</summary>
    private SyncDecision ActOnPresence(TeamsAction action, string? code, long now)
    {
        ref var decision = ref Begin(SyncOutcome.Applied);
        Act(ref decision, action, code, SyncTrigger.TeamsPresenceChanged, now, verified: false);
        return Build();
    }

    /// <summary>Carries out an action of the rules table (<see cref="TeamsAction.Engage"/>, <see cref="TeamsAction.Remap"/> or <see cref="TeamsAction.Release"/>).</summary>
    private void Act(ref DecisionBuilder decision, TeamsAction action, string? code, SyncTrigger trigger, long now, bool verified)
    {
        switch (action)
        {
            case TeamsAction.Engage:
                decision.Decided(SyncRule.Engage);
                Write(ref decision, AgentState.IdleValidated(code!), new(SyncRule.Engage, trigger), now);
                break;
            case TeamsAction.Remap:
                decision.Decided(SyncRule.Remap);
                // Write over a state only once it is read back unchanged (with VerifyBeforeOverwrite).
                if (verified || !_rules.VerifyBeforeOverwrite)
                {
                    Write(ref decision, AgentState.IdleValidated(code!), new(SyncRule.Remap, trigger), now);
                }
                else
                {
                    Verify(ref decision, new(SyncRule.Remap, trigger), now);
                }

                break;
            default:
                decision.Decided(SyncRule.Release);
                if (verified || !_rules.VerifyBeforeOverwrite)
                {
                    Write(ref decision, AgentState.Available, new(SyncRule.Release, trigger), now);
                }
                else
                {
                    Verify(ref decision, new(SyncRule.Release, trigger), now);
                }

                break;
        }
    }

    private void Write(ref DecisionBuilder decision, AgentState state, SyncReason reason, long now)
    {
        var ring = _recentNext;
        decision.Add(RecordWrite(state, now), (int)CommandStateSource.RecentWrite + ring, PublishedPresence.None, reason);
    }

    /// <summary>Records a state write of the rules (pending write, recent writes) and returns its command kind.</summary>
    private SyncCommandKind RecordWrite(AgentState state, long now)
    {
        if (state == _confirmed)
        {
            // Back to what WxCC already shows: the write supersedes an in-flight one, and no event need confirm it.
            _hasPending = false;
            Reclassify();
        }
        else
        {
            _pending = state;
            _hasPending = true;
            _pendingSince = now;
            Reclassify();
        }

        _outstanding = true;
        _retryAt = 0;

        _recent[_recentNext] = state;
        _recentNext = (_recentNext + 1) & (RecentWriteCapacity - 1);
        if (_recentCount < RecentWriteCapacity)
        {
            _recentCount++;
        }

        return state.Kind == AgentStateKind.Available ? SyncCommandKind.SetAvailable : SyncCommandKind.SetIdle;
    }
}
