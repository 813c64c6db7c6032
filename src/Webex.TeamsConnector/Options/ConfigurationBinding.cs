using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;

namespace Webex.TeamsConnector;

/// <summary>
/// Binds a configuration section to options without stopping at the first value that cannot be converted: every such
/// key is reported (by name and expected type, never by value, since it may be a secret) and the other keys are still
/// bound, so that validation can list every problem at once. For the connector and its adapters.
/// </summary>
public static partial class ConfigurationBinding
{
    private const int MaxErrors = 100;

    /// <summary>
    /// Binds <paramref name="section"/> to <paramref name="options"/>, leaving out each value that cannot be converted
    /// and reporting one error per such key to <paramref name="reportError"/>.
    /// </summary>
    /// <typeparam name="T">The options type.</typeparam>
    /// <param name="section">The configuration section.</param>
    /// <param name="options">The instance to bind to.</param>
    /// <param name="probe">Creates a throwaway instance used to find the bad keys (so that lists are not bound twice).</param>
    /// <param name="bind">
    /// Binds a configuration to an instance, refusing unknown keys when its third argument is <see langword="true"/>:
    /// <c>static (c, o, strict) =&gt; c.Bind(o, b =&gt; b.ErrorOnUnknownConfiguration = strict)</c> (written by the
    /// caller, so that the configuration binding source generator sees the concrete type).
    /// </param>
    /// <param name="reportError">Receives each error, for example <c>TeamsConnector:Graph:PollInterval is not a valid TimeSpan.</c></param>
    /// <param name="refuseUnknownKeys">Whether a key that names no property is an error too.</param>
    /// <returns><see langword="true"/> if every value was bound (and, when refused, no key was unknown).</returns>
    public static bool Bind<T>(IConfiguration section, T options, Func<T> probe, Action<IConfiguration, T, bool> bind, Action<string> reportError, bool refuseUnknownKeys = false)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(probe);
        ArgumentNullException.ThrowIfNull(bind);
        ArgumentNullException.ThrowIfNull(reportError);

        var errors = new List<string>();
        var prefix = section is IConfigurationSection { Path: { Length: > 0 } path } ? path : null;
        var clean = WithoutBadValues(section, prefix, probe, bind, errors);
        if (clean is not null)
        {
            bind(clean, options, false);
        }

        if (clean is not null && refuseUnknownKeys)
        {
            try
            {
                bind(clean, probe(), true);
            }
            catch (InvalidOperationException ex)
            {
                // The binder names the unknown properties and the type, never a value.
                errors.Add($"{prefix ?? "The configuration"}: {ex.Message}");
            }
        }

        foreach (var error in errors)
        {
            reportError(error);
        }

        return errors.Count == 0;
    }

    /// <summary>The section itself if every value converts; else a copy without the values that do not (each reported).</summary>
    private static IConfiguration? WithoutBadValues<T>(IConfiguration section, string? prefix, Func<T> probe, Action<IConfiguration, T, bool> bind, List<string> errors)
    {
        try
        {
            bind(section, probe(), false);
            return section;
        }
        catch (InvalidOperationException)
        {
            // Find every bad key below.
        }

        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in section.AsEnumerable())
        {
            if (value is not null)
            {
                values[key] = value;
            }
        }

        for (var attempt = 0; attempt < MaxErrors; attempt++)
        {
            var copy = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
            IConfiguration target = prefix is null ? copy : copy.GetSection(prefix);
            try
            {
                bind(target, probe(), false);
                return target;
            }
            catch (InvalidOperationException ex)
            {
                var match = FailedConversion().Match(ex.Message);
                if (!match.Success || !values.Remove(match.Groups["key"].Value))
                {
                    errors.Add($"{prefix ?? "The configuration"} could not be bound ({ex.GetType().Name}).");
                    return null;
                }

                errors.Add($"{match.Groups["key"].Value} is not a valid {Friendly(match.Groups["type"].Value)}.");
            }
        }

        errors.Add($"{prefix ?? "The configuration"} has too many values that cannot be converted.");
        return null;
    }

    private static string Friendly(string type)
    {
        var simple = type[(type.LastIndexOf('.') + 1)..].TrimEnd(']', ',');
        return simple switch
        {
            "TimeSpan" => "TimeSpan (for example 00:00:30)",
            "Int32" or "Int64" => "whole number",
            "Boolean" => "boolean (true or false)",
            "Uri" => "URI",
            _ => simple,
        };
    }

    // "Failed to convert configuration value '<value>' at '<key>' to type '<type>'." The value may contain anything,
    // so the key and type are taken from the end of the message.
    [GeneratedRegex(@"at '(?<key>[^']*)' to type '(?<type>[^']*)'\.?\s*$", RegexOptions.RightToLeft | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex FailedConversion();
}

/// <summary>
/// Errors met while binding the configuration of <typeparamref name="TOptions"/> (for example by
/// <see cref="ConfigurationBinding.Bind{T}"/>), kept for the options' validator to report with every other error.
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
