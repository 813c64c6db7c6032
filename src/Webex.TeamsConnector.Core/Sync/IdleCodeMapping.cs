using System.Collections.Frozen;

namespace Webex.TeamsConnector;

/// <summary>
/// The administrator's mapping from Teams states to WxCC idle code ids. A Teams state that is not mapped leaves
/// the agent free. Immutable and safe to share.
/// </summary>
internal sealed class IdleCodeMapping
{
    /// <summary>The longest idle code id WxCC accepts (<c>auxCodeId</c>).</summary>
    public const int MaxIdleCodeIdLength = 36;

    private static readonly FrozenDictionary<string, TeamsState> s_keys = new Dictionary<string, TeamsState>(StringComparer.OrdinalIgnoreCase)
    {
        ["DoNotDisturb"] = TeamsState.DoNotDisturb,
        ["InACall"] = TeamsState.InACall,
        ["Presenting"] = TeamsState.Presenting,
        ["InAConferenceCall"] = TeamsState.InAConferenceCall,
        ["InAMeeting"] = TeamsState.InAMeeting,
        ["Busy"] = TeamsState.Busy,
        ["Away"] = TeamsState.Away,
        ["BeRightBack"] = TeamsState.BeRightBack,
        ["Offline"] = TeamsState.Offline,
        ["OffWork"] = TeamsState.Offline,
        ["OutOfOffice"] = TeamsState.OutOfOffice,
        ["Focusing"] = TeamsState.Focusing,
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly string?[] _codes;

    private IdleCodeMapping(string?[] codes) => _codes = codes;

    /// <summary>A mapping with nothing mapped: presence sync never changes an agent's state.</summary>
    public static IdleCodeMapping Empty { get; } = new(new string?[Enum.GetValues<TeamsState>().Length]);

    /// <summary>The configuration keys that may be mapped (case-insensitive; <c>OffWork</c> is an alias of <c>Offline</c>).</summary>
    public static IReadOnlyCollection<string> Keys => s_keys.Keys;

    /// <summary>The mapped Teams states and their idle code ids.</summary>
    public IReadOnlyDictionary<TeamsState, string> Entries
    {
        get
        {
            var entries = new Dictionary<TeamsState, string>();
            for (var i = 0; i < _codes.Length; i++)
            {
                if (_codes[i] is { } code)
                {
                    entries[(TeamsState)i] = code;
                }
            }

            return entries;
        }
    }

    /// <summary>The idle code mapped to a Teams state, or <see langword="null"/> when the state leaves the agent free.</summary>
    /// <param name="state">The Teams state.</param>
    /// <returns>The idle code id, or <see langword="null"/>.</returns>
    public string? Resolve(TeamsState state)
    {
        var index = (uint)state;
        return index < (uint)_codes.Length ? _codes[index] : null;
    }

    /// <summary>The idle code mapped to a presence, or <see langword="null"/> when the presence leaves the agent free.</summary>
    /// <param name="presence">The Teams presence.</param>
    /// <returns>The idle code id, or <see langword="null"/>.</returns>
    public string? Resolve(in TeamsPresence presence) => Resolve(presence.State);

    /// <summary>Builds a mapping from Teams states to idle code ids, validating every entry.</summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="ArgumentException">Any entry is invalid; the message lists every error.</exception>
    public static IdleCodeMapping Create(IEnumerable<KeyValuePair<TeamsState, string>> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        return Create(entries.Select(static e => new KeyValuePair<string, string?>(e.Key.ToString(), e.Value)));
    }

    /// <summary>
    /// Builds a mapping from configuration entries (key = Teams state name, value = idle code id), validating every
    /// entry: the key must be a mappable Teams state, the id non-empty, at most 36 characters and not <c>"0"</c>.
    /// </summary>
    /// <param name="entries">The entries.</param>
    /// <returns>The mapping.</returns>
    /// <exception cref="ArgumentException">Any entry is invalid; the message lists every error.</exception>
    public static IdleCodeMapping Create(IEnumerable<KeyValuePair<string, string?>> entries)
    {
        if (TryCreate(entries, out var mapping, out var errors))
        {
            return mapping;
        }

        throw new ArgumentException("Invalid idle-code mapping: " + string.Join(" ", errors), nameof(entries));
    }

    /// <summary>Builds a mapping, returning every validation error instead of throwing.</summary>
    /// <param name="entries">The entries (key = Teams state name, value = idle code id).</param>
    /// <param name="mapping">The mapping when valid.</param>
    /// <param name="errors">Every error found, each naming the key.</param>
    /// <returns><see langword="true"/> when valid.</returns>
    public static bool TryCreate(
        IEnumerable<KeyValuePair<string, string?>> entries,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out IdleCodeMapping? mapping,
        out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var codes = new string?[Enum.GetValues<TeamsState>().Length];
        var problems = new List<string>();
        foreach (var (key, value) in entries)
        {
            if (key is null || !s_keys.TryGetValue(key.Trim(), out var state))
            {
                problems.Add($"IdleCodes:{key} is not a Teams state that can be mapped (allowed: {string.Join(", ", s_keys.Keys.Order(StringComparer.Ordinal))}).");
                continue;
            }

            var id = value?.Trim();
            if (string.IsNullOrEmpty(id))
            {
                problems.Add($"IdleCodes:{key} has an empty idle code id.");
            }
            else if (id.Length > MaxIdleCodeIdLength)
            {
                problems.Add($"IdleCodes:{key} has an idle code id of {id.Length} characters; WxCC accepts at most {MaxIdleCodeIdLength}.");
            }
            else if (id == AgentState.AvailableCodeId)
            {
                problems.Add($"IdleCodes:{key} is \"0\", which means Available; map it to an idle code or leave it out.");
            }
            else if (codes[(int)state] is { } existing && !string.Equals(existing, id, StringComparison.Ordinal))
            {
                problems.Add($"IdleCodes:{key} maps {state} a second time, to a different idle code.");
            }
            else
            {
                codes[(int)state] = id;
            }
        }

        errors = problems;
        mapping = problems.Count == 0 ? new IdleCodeMapping(codes) : null;
        return mapping is not null;
    }
}
