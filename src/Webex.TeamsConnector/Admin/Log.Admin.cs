using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector;

/// <summary>The admin sign-in and delete clean-up events (1400-1419). Never a token, code, verifier, state or secret.</summary>
internal static partial class Log
{
    [LoggerMessage(1400, LogLevel.Warning, "Admin sign-in refused ({Reason}): {Detail}.")]
    public static partial void SignInRefused(ILogger logger, string reason, string detail);

    [LoggerMessage(1401, LogLevel.Information, "Admin signed in as {Role}; sent on to admin consent.")]
    public static partial void AdminSignedIn(ILogger logger, AzureAdminRole role);

    [LoggerMessage(1402, LogLevel.Information, "Delete clean-up: {Component} done ({Removed} removed).")]
    public static partial void CleanupDone(ILogger logger, string component, int removed);

    [LoggerMessage(1403, LogLevel.Warning, "Delete clean-up failed for {Component}: {Problem}")]
    public static partial void CleanupFailed(ILogger logger, string component, string problem, Exception? exception);
}
