using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// The fields Microsoft Graph documents for each request body the connector sends. The emulator is a strict server:
/// a body with any other field is refused with 400, so that a test catches a client that sends undocumented fields.
/// OData instance annotations (<c>@odata.*</c>) are part of the protocol and always allowed.
/// </summary>
internal static class GraphRequestBodyRules
{
    private static readonly string[] s_getPresencesByUserId = ["ids"];
    private static readonly string[] s_setPresence = ["sessionId", "availability", "activity", "expirationDuration"];
    private static readonly string[] s_clearPresence = ["sessionId"];
    private static readonly string[] s_createSubscription =
    [
        "changeType", "notificationUrl", "lifecycleNotificationUrl", "resource", "expirationDateTime", "clientState",
        "includeResourceData", "encryptionCertificate", "encryptionCertificateId", "latestSupportedTlsVersion",
        "notificationQueryOptions", "notificationUrlAppId",
    ];

    private static readonly string[] s_renewSubscription = ["expirationDateTime"];

    /// <summary>
    /// The 400 message for a body of <paramref name="operation"/> with an undocumented field, or <see langword="null"/>.
    /// The body stays readable for the handler.
    /// </summary>
    public static async Task<string?> UndocumentedAsync(HttpContext context, GraphEmulatorOperation operation)
    {
        string[]? documented = operation switch
        {
            GraphEmulatorOperation.GetPresencesByUserId => s_getPresencesByUserId,
            GraphEmulatorOperation.SetPresence => s_setPresence,
            GraphEmulatorOperation.ClearPresence => s_clearPresence,
            GraphEmulatorOperation.CreateSubscription => s_createSubscription,
            GraphEmulatorOperation.RenewSubscription => s_renewSubscription,
            _ => null,
        };
        if (documented is null)
        {
            return null;
        }

        context.Request.EnableBuffering();
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, default, context.RequestAborted).ConfigureAwait(false);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (Array.IndexOf(documented, property.Name) < 0 && !property.Name.StartsWith("@odata.", StringComparison.Ordinal))
                {
                    return $"Property '{property.Name}' does not exist on the {operation} request body.";
                }
            }

            return null;
        }
        catch (JsonException)
        {
            return null; // the handler answers a body that is not JSON
        }
        finally
        {
            context.Request.Body.Position = 0;
        }
    }
}
