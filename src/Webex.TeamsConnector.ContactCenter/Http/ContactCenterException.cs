using System.Net;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>A Webex Contact Center or Webex API call failed. The message names the call and the status, never a secret.</summary>
public sealed class ContactCenterException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ContactCenterException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    public ContactCenterException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public ContactCenterException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="statusCode">The HTTP status, when a response came.</param>
    /// <param name="trackingId">The <c>TrackingId</c> sent.</param>
    public ContactCenterException(string message, HttpStatusCode? statusCode, string? trackingId)
        : base(message)
    {
        StatusCode = statusCode;
        TrackingId = trackingId;
    }

    /// <summary>The HTTP status, when a response came.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The <c>TrackingId</c> of the request, for Cisco support.</summary>
    public string? TrackingId { get; }
}
