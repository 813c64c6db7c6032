using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Webex.TeamsConnector;

/// <summary>
/// Checks the connector's configuration before the host starts, so that an application can print the errors and exit
/// with a non-zero code instead of ending on an unhandled <see cref="OptionsValidationException"/>.
/// </summary>
public static class TeamsConnectorStartup
{
    /// <summary>
    /// Runs every validation registered to run at start (the connector's and its adapters' options, and any other
    /// <c>ValidateOnStart</c> options) and collects the errors of all of them. The errors name keys and never values.
    /// </summary>
    /// <param name="services">The application's services (for example <c>app.Services</c>).</param>
    /// <param name="errors">Every error found; empty when the configuration is valid.</param>
    /// <returns><see langword="true"/> when the configuration is valid.</returns>
    public static bool TryValidate(IServiceProvider services, out IReadOnlyList<string> errors)
    {
        ArgumentNullException.ThrowIfNull(services);
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
            errors = [];
            return true;
        }
        catch (OptionsValidationException ex)
        {
            errors = [.. ex.Failures];
        }
        catch (AggregateException ex)
        {
            errors = [.. ex.Flatten().InnerExceptions.SelectMany(Failures)];
        }

        return false;
    }

    private static IEnumerable<string> Failures(Exception exception) =>
        exception is OptionsValidationException validation ? validation.Failures : [exception.Message];
}
