using System.Globalization;
using System.Text;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// The rejected items of one notification request, counted by reason, so that the request writes one log line with
/// the counts instead of one line per item. The reasons are the fixed metric tags, never text from the request.
/// </summary>
internal struct RejectionTally
{
    private int _clientState;
    private int _subscription;
    private int _tenant;
    private int _malformed;

    /// <summary>The items in the request.</summary>
    public int Items { get; set; }

    /// <summary>The items rejected.</summary>
    public readonly int Total => _clientState + _subscription + _tenant + _malformed;

    public void Add(string reason)
    {
        switch (reason)
        {
            case "clientState": _clientState++; break;
            case "subscription": _subscription++; break;
            case "tenant": _tenant++; break;
            default: _malformed++; break;
        }
    }

    /// <summary>The counts by reason, for example <c>clientState=3, tenant=1</c>.</summary>
    public readonly string Describe()
    {
        var text = new StringBuilder();
        Append(text, "clientState", _clientState);
        Append(text, "subscription", _subscription);
        Append(text, "tenant", _tenant);
        Append(text, "malformed", _malformed);
        return text.ToString();
    }

    private static void Append(StringBuilder text, string reason, int count)
    {
        if (count == 0)
        {
            return;
        }

        if (text.Length > 0)
        {
            text.Append(", ");
        }

        text.Append(reason).Append('=').Append(count.ToString(CultureInfo.InvariantCulture));
    }
}
