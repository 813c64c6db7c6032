using System.Threading.Channels;

namespace Webex.TeamsConnector.Graph;

/// <summary>The kind of accepted notification work.</summary>
internal enum NotificationKind
{
    /// <summary>A basic change notification: read the presence.</summary>
    Basic,
    /// <summary>A rich notification: verify, decrypt, use.</summary>
    Rich,
    /// <summary>A lifecycle event.</summary>
    Lifecycle,
}

/// <summary>A notification accepted by the processor, waiting for the feed.</summary>
internal sealed record NotificationWork(NotificationKind Kind, string SubscriptionId, string? UserId)
{
    public string? LifecycleEvent { get; init; }

    public string? Data { get; init; }

    public string? DataSignature { get; init; }

    public string? DataKey { get; init; }

    public string? EncryptionCertificateId { get; init; }
}

/// <summary>The queue between the notification processor (answers fast) and the change-notification feed.</summary>
internal sealed class NotificationInbox
{
    public const int Capacity = 100_000;

    private readonly Channel<NotificationWork> _channel = Channel.CreateBounded<NotificationWork>(new BoundedChannelOptions(Capacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    public ChannelReader<NotificationWork> Reader => _channel.Reader;

    public bool TryWrite(NotificationWork work) => _channel.Writer.TryWrite(work);
}
