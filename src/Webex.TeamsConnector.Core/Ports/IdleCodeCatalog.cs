namespace Webex.TeamsConnector;

/// <summary>Helpers over the organization's auxiliary codes: system codes, RONA, and validation of an idle-code mapping.</summary>
public static class IdleCodeCatalog
{
    /// <summary>The names of WxCC's system idle codes (besides any code WxCC flags with <c>isSystemCode</c>).</summary>
    public static IReadOnlyCollection<string> SystemCodeNames { get; } =
        ["RONA", "Agent_Busy", "Agent_Declined", "Agent_Unavailable", "Channel_Failure", "Invalid_Number", "WellbeingBreak"];

    /// <summary>Whether a code is the system RONA code (flagged as a system code, or named <c>RONA</c>).</summary>
    /// <param name="code">The code.</param>
    /// <returns><see langword="true"/> for RONA.</returns>
    public static bool IsRona(IdleCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return string.Equals(code.Name, "RONA", StringComparison.OrdinalIgnoreCase) && (code.IsSystemCode || code.IsIdleCode);
    }

    /// <summary>Whether a code is a system code: flagged <c>isSystemCode</c>, or one of <see cref="SystemCodeNames"/>.</summary>
    /// <param name="code">The code.</param>
    /// <returns><see langword="true"/> for a system code.</returns>
    public static bool IsSystem(IdleCode code)
    {
        ArgumentNullException.ThrowIfNull(code);
        return code.IsSystemCode || SystemCodeNames.Contains(code.Name, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Builds an <see cref="OriginClassifier"/> that knows the organization's RONA and other system codes.</summary>
    /// <param name="codes">The organization's auxiliary codes.</param>
    /// <param name="reasonMarker">The reason marker the connector writes.</param>
    /// <returns>The classifier.</returns>
    public static OriginClassifier CreateClassifier(IEnumerable<IdleCode> codes, string reasonMarker = OriginClassifier.DefaultReasonMarker)
    {
        ArgumentNullException.ThrowIfNull(codes);
        var list = codes.ToList();
        return new OriginClassifier(
            reasonMarker,
            list.Where(IsRona).Select(static c => c.Id),
            list.Where(static c => IsSystem(c) && !IsRona(c)).Select(static c => c.Id));
    }

    /// <summary>
    /// Checks an idle-code mapping against the organization's codes: each mapped id must exist, be active, be an
    /// idle code (not a wrap-up code) and not be a system code such as RONA.
    /// </summary>
    /// <param name="mapping">The mapping.</param>
    /// <param name="codes">The organization's auxiliary codes (all pages).</param>
    /// <returns>Every problem found, each naming the Teams state; empty when the mapping is valid.</returns>
    public static IReadOnlyList<string> Validate(IdleCodeMapping mapping, IEnumerable<IdleCode> codes)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        ArgumentNullException.ThrowIfNull(codes);
        var byId = new Dictionary<string, IdleCode>(StringComparer.Ordinal);
        foreach (var code in codes)
        {
            byId.TryAdd(code.Id, code);
        }

        var errors = new List<string>();
        foreach (var (state, id) in mapping.Entries.OrderBy(static e => e.Key))
        {
            if (!byId.TryGetValue(id, out var code))
            {
                errors.Add($"IdleCodes:{state} names idle code {id}, which WxCC does not have. It does not exist among the organization's auxiliary codes.");
                continue;
            }

            if (!code.Active)
            {
                errors.Add($"IdleCodes:{state} names idle code {id} ({code.Name}), which is not active.");
            }

            if (!code.IsIdleCode)
            {
                errors.Add($"IdleCodes:{state} names code {id} ({code.Name}), which is a wrap-up code, not an idle code.");
            }

            if (IsSystem(code))
            {
                errors.Add($"IdleCodes:{state} names idle code {id} ({code.Name}), a system code that agents and the connector cannot set.");
            }
        }

        return errors;
    }
}
