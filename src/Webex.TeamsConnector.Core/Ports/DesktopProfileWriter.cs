namespace Webex.TeamsConnector;

/// <summary>
/// Writes a desktop profile's collaboration toggles to WxCC (<c>agent-profile</c>), keeping its other settings as they
/// are (implemented by the Contact Center adapter).
/// </summary>
public interface IDesktopProfileWriter
{
    /// <summary>Writes the four collaboration toggles of the profile.</summary>
    /// <param name="profile">The profile with the wanted toggles.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when WxCC stored it.</returns>
    Task SetDesktopProfileTogglesAsync(DesktopProfile profile, CancellationToken cancellationToken);
}
