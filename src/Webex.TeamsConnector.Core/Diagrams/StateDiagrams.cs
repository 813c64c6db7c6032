using System.Text;

namespace Webex.TeamsConnector;

/// <summary>
/// Exports the state machines as Mermaid <c>stateDiagram-v2</c> text, generated from the same tables the code runs,
/// so the picture cannot drift from the behaviour.
/// </summary>
internal static class StateDiagrams
{
    /// <summary>The per-agent sync machine: the Teams -> WxCC rules table and the WxCC-side transitions.</summary>
    /// <returns>Mermaid text, lines separated by <c>\n</c>.</returns>
    public static string AgentSync()
    {
        var text = new StringBuilder();
        text.Append("stateDiagram-v2\n");
        text.Append("    [*] --> LoggedOut\n");
        foreach (var rule in AgentSyncTable.TeamsRules)
        {
            if (rule.Action == TeamsAction.None)
            {
                continue;
            }

            var teams = rule.TeamsMapped ? "Teams mapped" : "Teams free";
            var effect = rule.Action switch
            {
                TeamsAction.Engage => "set Idle(mapped code)",
                TeamsAction.Remap => "set Idle(mapped code) if it differs",
                TeamsAction.Release => "set Available",
                _ => "remember; evaluate when the contact ends",
            };
            text.Append("    ").Append(rule.Agent).Append(" --> ").Append(rule.Result)
                .Append(" : ").Append(teams).Append(" / ").Append(rule.Action.ToString().ToLowerInvariant())
                .Append(", ").Append(effect).Append('\n');
        }

        foreach (var transition in AgentSyncTable.AgentTransitions)
        {
            text.Append("    ").Append(transition.From).Append(" --> ").Append(transition.To)
                .Append(" : ").Append(transition.Trigger);
            if (transition.Effect.Length > 0)
            {
                text.Append(" / ").Append(transition.Effect);
            }

            text.Append('\n');
        }

        text.Append("    note right of AvailableByOthers : EngageFrom=PresenceSyncOrigin only; Teams never engages from it\n");
        text.Append("    note right of Available : a Teams state counts as free while it shows inactivity (IgnoreInactivity)\n");
        return text.ToString();
    }

    /// <summary>The connector lifecycle, from <see cref="ConnectorLifecycle.Transitions"/>.</summary>
    /// <returns>Mermaid text, lines separated by <c>\n</c>.</returns>
    public static string ConnectorLifecycle()
    {
        var text = new StringBuilder();
        text.Append("stateDiagram-v2\n");
        text.Append("    [*] --> NotConfigured\n");
        foreach (var transition in TeamsConnector.ConnectorLifecycle.Transitions)
        {
            text.Append("    ").Append(transition.From).Append(" --> ").Append(transition.To)
                .Append(" : ").Append(transition.Operation.ToString().ToLowerInvariant()).Append('\n');
        }

        text.Append("    note right of Active : degraded while the organization's presence-sync setting is off\n");
        return text.ToString();
    }
}
