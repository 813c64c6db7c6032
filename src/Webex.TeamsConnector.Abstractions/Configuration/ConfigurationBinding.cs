using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Webex.TeamsConnector;

/// <summary>
/// Checks a configuration section against an options type before it is bound, by walking the section's keys along
/// the type's properties: every key that names no property and every value that cannot be converted to its
/// property's type is reported (by key and expected type, never by value, since it may be a secret). What is left
/// can then be bound without an exception, so that validation lists every problem at once.
/// </summary>
public static class ConfigurationBinding
{
    /// <summary>The longest key (one path segment) quoted in an error; longer ones are cut and end in "…".</summary>
    public const int MaxQuotedKeyLength = 64;

    /// <summary>
    /// Checks <paramref name="section"/> against <typeparamref name="T"/>, reporting each unknown key and each value
    /// that cannot be converted to <paramref name="reportError"/>.
    /// </summary>
    /// <typeparam name="T">The options type.</typeparam>
    /// <param name="section">The configuration section (its path prefixes every error).</param>
    /// <param name="reportError">Receives each error, for example <c>TeamsConnector:Graph:PollInterval is not a valid TimeSpan (for example 00:00:30).</c></param>
    /// <param name="ignoredKeys">Keys directly below the section that other packages bind and check themselves.</param>
    /// <returns>
    /// The configuration to bind: <paramref name="section"/> itself when every value converts, otherwise a view of it
    /// without the values that do not.
    /// </returns>
    public static IConfiguration Check<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] T>(
        IConfiguration section, Action<string> reportError, params IReadOnlyCollection<string> ignoredKeys)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(reportError);
        ArgumentNullException.ThrowIfNull(ignoredKeys);
        var prefix = section is IConfigurationSection { Path: { Length: > 0 } path } ? path : null;
        var unconvertible = new List<string>();
        var ignored = new HashSet<string>(ignoredKeys, StringComparer.OrdinalIgnoreCase);
        foreach (var child in section.GetChildren())
        {
            if (!ignored.Contains(child.Key))
            {
                CheckMember(typeof(T), child, Name(prefix, child.Key), reportError, unconvertible);
            }
        }

        if (unconvertible.Count == 0)
        {
            return section;
        }

        return new WithoutValues(section, new HashSet<string>(unconvertible, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>Cuts a key quoted in an error to <see cref="MaxQuotedKeyLength"/> characters.</summary>
    /// <param name="key">The key (one path segment).</param>
    /// <returns>The key, or its first <see cref="MaxQuotedKeyLength"/> characters followed by "…".</returns>
    public static string Quote(string? key) =>
        key is null ? "(null)" : key.Length <= MaxQuotedKeyLength ? key : string.Concat(key.AsSpan(0, MaxQuotedKeyLength), "…");

    private static string Name(string? prefix, string key) => prefix is null ? Quote(key) : prefix + ":" + Quote(key);

    // The nested options types (StateSyncOptions and the like) are properties of a type whose public properties are
    // kept, and the configuration binding source generator references every property of each of them, so their
    // properties survive trimming.
    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = "Nested options types are rooted by the configuration binding source generator.")]
    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "Nested options types are rooted by the configuration binding source generator.")]
    private static void CheckMember(
        [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type owner,
        IConfigurationSection child,
        string name,
        Action<string> reportError,
        List<string> unconvertible)
    {
        var property = Array.Find(owner.GetProperties(), p => p.GetIndexParameters().Length == 0 && p.Name.Equals(child.Key, StringComparison.OrdinalIgnoreCase));
        if (property is null)
        {
            reportError($"{name} is not a known setting ({owner.Name} has no property '{Quote(child.Key)}').");
            return;
        }

        var type = property.PropertyType;
        if (IsLeaf(type) && Array.Find(owner.GetProperties(), p => KeyNamed(p, child.Key) && DictionaryValueType(p.PropertyType) is not null) is { } section)
        {
            // A key that is a value and a section at once, bound to two properties: StateSync:ContactPresence and
            // StateSync:ContactPresence:<channel>.
            CheckValue(type, child, name, reportError, unconvertible);
            foreach (var entry in child.GetChildren())
            {
                CheckLeaf(DictionaryValueType(section.PropertyType)!, entry, name + ":" + Quote(entry.Key), reportError, unconvertible);
            }
        }
        else if (IsLeaf(type))
        {
            CheckLeaf(type, child, name, reportError, unconvertible);
        }
        else if (DictionaryValueType(type) is { } valueType)
        {
            foreach (var entry in child.GetChildren())
            {
                CheckLeaf(valueType, entry, name + ":" + Quote(entry.Key), reportError, unconvertible);
            }
        }
        else if (ListItemType(type) is { } itemType)
        {
            foreach (var entry in child.GetChildren())
            {
                if (!int.TryParse(entry.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                {
                    reportError($"{name}:{Quote(entry.Key)} is not a list index (0, 1, 2 ...).");
                }
                else
                {
                    CheckLeaf(itemType, entry, name + ":" + entry.Key, reportError, unconvertible);
                }
            }
        }
        else
        {
            if (child.Value is not null)
            {
                reportError($"{name} is a section, not a value.");
                unconvertible.Add(child.Path);
            }

            foreach (var nested in child.GetChildren())
            {
                CheckMember(type, nested, name + ":" + Quote(nested.Key), reportError, unconvertible);
            }
        }
    }

    private static void CheckLeaf(Type type, IConfigurationSection entry, string name, Action<string> reportError, List<string> unconvertible)
    {
        foreach (var nested in entry.GetChildren())
        {
            reportError($"{name}:{Quote(nested.Key)} is not a known setting ({name} is a value, not a section).");
        }

        CheckValue(type, entry, name, reportError, unconvertible);
    }

    /// <summary>Checks only the entry's own value (not its children).</summary>
    private static void CheckValue(Type type, IConfigurationSection entry, string name, Action<string> reportError, List<string> unconvertible)
    {
        if (entry.Value is { } value && !Converts(Nullable.GetUnderlyingType(type) ?? type, value))
        {
            reportError($"{name} is not a valid {Friendly(Nullable.GetUnderlyingType(type) ?? type)}.");
            unconvertible.Add(entry.Path);
        }
    }

    private static bool KeyNamed(System.Reflection.PropertyInfo property, string key) =>
        property.GetIndexParameters().Length == 0
        && property.GetCustomAttributes(typeof(ConfigurationKeyNameAttribute), false) is [ConfigurationKeyNameAttribute { Name: var configured }]
        && configured.Equals(key, StringComparison.OrdinalIgnoreCase);

    private static bool IsLeaf(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
            || t == typeof(Uri) || t == typeof(Guid) || t == typeof(DateTimeOffset) || t == typeof(DateTime);
    }

    private static Type? DictionaryValueType(Type type) =>
        type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string) && IsLeaf(value)
            && typeof(IEnumerable).IsAssignableFrom(type) && type.Name.Contains("Dictionary", StringComparison.Ordinal)
            ? value
            : null;

    private static Type? ListItemType(Type type) =>
        type.IsArray && type.GetElementType() is { } element && IsLeaf(element) ? element
        : type.IsGenericType && type.GetGenericArguments() is [var item] && IsLeaf(item) && typeof(IEnumerable).IsAssignableFrom(type) ? item
        : null;

    // The same conversions the configuration binder makes (invariant culture).
    private static bool Converts(Type type, string value)
    {
        var c = CultureInfo.InvariantCulture;
        return type switch
        {
            _ when type == typeof(string) => true,
            _ when type.IsEnum => Enum.TryParse(type, value, ignoreCase: true, out _),
            _ when type == typeof(bool) => bool.TryParse(value, out _),
            _ when type == typeof(int) => int.TryParse(value, NumberStyles.Integer, c, out _),
            _ when type == typeof(long) => long.TryParse(value, NumberStyles.Integer, c, out _),
            _ when type == typeof(short) => short.TryParse(value, NumberStyles.Integer, c, out _),
            _ when type == typeof(byte) => byte.TryParse(value, NumberStyles.Integer, c, out _),
            _ when type == typeof(uint) => uint.TryParse(value, NumberStyles.Integer, c, out _),
            _ when type == typeof(ulong) => ulong.TryParse(value, NumberStyles.Integer, c, out _),
            _ when type == typeof(double) => double.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, c, out _),
            _ when type == typeof(float) => float.TryParse(value, NumberStyles.Float | NumberStyles.AllowThousands, c, out _),
            _ when type == typeof(decimal) => decimal.TryParse(value, NumberStyles.Number, c, out _),
            _ when type == typeof(TimeSpan) => TimeSpan.TryParse(value, c, out _),
            _ when type == typeof(Guid) => Guid.TryParse(value, out _),
            _ when type == typeof(DateTimeOffset) => DateTimeOffset.TryParse(value, c, DateTimeStyles.None, out _),
            _ when type == typeof(DateTime) => DateTime.TryParse(value, c, DateTimeStyles.None, out _),
            _ when type == typeof(Uri) => Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _),
            _ when type == typeof(char) => value.Length == 1,
            _ => false,
        };
    }

    private static string Friendly(Type type) => type switch
    {
        _ when type == typeof(TimeSpan) => "TimeSpan (for example 00:00:30)",
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) || type == typeof(uint) || type == typeof(ulong) => "whole number",
        _ when type == typeof(bool) => "boolean (true or false)",
        _ when type == typeof(Uri) => "URI",
        _ => type.Name,
    };

    /// <summary>A view of a configuration that hides the values at some paths (it reads through, never copies).</summary>
    private sealed class WithoutValues(IConfiguration inner, HashSet<string> hiddenPaths) : IConfigurationSection
    {
        public string Key => inner is IConfigurationSection section ? section.Key : string.Empty;

        public string Path => inner is IConfigurationSection section ? section.Path : string.Empty;

        public string? Value
        {
            get => inner is IConfigurationSection section && !hiddenPaths.Contains(section.Path) ? section.Value : null;
            set => throw new NotSupportedException("The checked configuration is read-only.");
        }

        public string? this[string key]
        {
            get => GetSection(key).Value;
            set => throw new NotSupportedException("The checked configuration is read-only.");
        }

        public IConfigurationSection GetSection(string key) => new WithoutValues(inner.GetSection(key), hiddenPaths);

        // A hidden value is left out of the children (as if the key were absent), so lists keep no hole.
        public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren()
            .Where(c => !hiddenPaths.Contains(c.Path) || c.GetChildren().Any())
            .Select(c => (IConfigurationSection)new WithoutValues(c, hiddenPaths));

        public IChangeToken GetReloadToken() => inner.GetReloadToken();
    }
}

/// <summary>
/// Errors met while checking the configuration of <typeparamref name="TOptions"/> (by
/// <see cref="ConfigurationBinding.Check{T}"/>), kept for the options' validator to report with every other error.
/// Register one per options type; thread-safe.
/// </summary>
/// <typeparam name="TOptions">The options type the errors belong to.</typeparam>
public sealed class ConfigurationErrors<TOptions>
    where TOptions : class
{
    private readonly List<string> _errors = [];

    /// <summary>The errors so far, each once.</summary>
    public IReadOnlyList<string> Errors
    {
        get
        {
            lock (_errors)
            {
                return [.. _errors];
            }
        }
    }

    /// <summary>Adds an error (a repeat of one already kept is ignored).</summary>
    /// <param name="error">The error, naming keys and never values.</param>
    public void Add(string error)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (_errors)
        {
            if (!_errors.Contains(error))
            {
                _errors.Add(error);
            }
        }
    }

}
