using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.AspNetCore;

/// <summary>
/// Reads a webhook request body for both webhooks, never past the limit and never into more memory than it holds:
/// a declared <c>Content-Length</c> over the limit is refused before any byte is read; a declared length is read into
/// an array of exactly that size; a body without one (chunked) grows by doubling up to the limit plus one byte and is
/// refused the moment it passes the limit. All bodies being read at once share one memory budget; a request that
/// would pass it is refused with 503 (both services deliver again). A body the server cannot read (Kestrel's own size
/// limit, a body sent too slowly, bad framing, a connection closed mid-body) becomes a refusal with the status
/// Kestrel chose, never an exception out of the handler.
/// </summary>
internal sealed class WebhookBodyReader
{
    /// <summary>The memory all webhook bodies being read at once may take: 32 MiB.</summary>
    public const long DefaultBudgetBytes = 32L * 1024 * 1024;

    private const int FirstChunkBytes = 16 * 1024;

    private readonly long _budget;
    private long _reserved;

    public WebhookBodyReader(long budgetBytes = DefaultBudgetBytes) => _budget = budgetBytes;

    /// <summary>The bytes reserved by bodies being read or processed now.</summary>
    public long Reserved => Interlocked.Read(ref _reserved);

    /// <summary>
    /// Reads the body of <paramref name="request"/>; dispose the result when the body is no longer used. A refused
    /// body closes the connection after the answer, so that the server does not go on reading (draining) it.
    /// </summary>
    public async Task<WebhookBody> ReadAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var body = await ReadCoreAsync(request, limit, cancellationToken).ConfigureAwait(false);
        if (body.RefusedReason is not null && !request.HttpContext.Response.HasStarted)
        {
            request.HttpContext.Response.Headers.Connection = "close";
        }

        return body;
    }

    private async Task<WebhookBody> ReadCoreAsync(HttpRequest request, int limit, CancellationToken cancellationToken)
    {
        var declared = request.ContentLength;
        if (declared > limit)
        {
            return WebhookBody.Refused(StatusCodes.Status413PayloadTooLarge, "the declared Content-Length is over the limit");
        }

        if (declared == 0)
        {
            return new WebhookBody(this, [], 0, 0);
        }

        var size = declared is { } exact ? (int)exact : Math.Min(FirstChunkBytes, limit + 1);
        if (!TryReserve(size))
        {
            return WebhookBody.Refused(StatusCodes.Status503ServiceUnavailable, "too many webhook bodies are being read at once");
        }

        var body = new WebhookBody(this, new byte[size], 0, size);
        try
        {
            return await FillAsync(body, request.Body, declared is not null, limit, cancellationToken).ConfigureAwait(false);
        }
        catch (BadHttpRequestException exception)
        {
            body.Dispose();
            return WebhookBody.Refused(exception.StatusCode, exception.StatusCode switch
            {
                StatusCodes.Status413PayloadTooLarge => "the body is larger than the server's request size limit",
                StatusCodes.Status408RequestTimeout => "the body arrived too slowly",
                _ => "the request body could not be read",
            });
        }
        catch (IOException)
        {
            body.Dispose();
            return WebhookBody.Refused(StatusCodes.Status400BadRequest, "the connection ended before the body did");
        }
        catch
        {
            body.Dispose();
            throw;
        }
    }

    private async Task<WebhookBody> FillAsync(WebhookBody body, Stream stream, bool declared, int limit, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (body.Length == body.Buffer.Length)
            {
                if (declared)
                {
                    return body; // the server ends a body at its declared length
                }

                if (body.Length > limit)
                {
                    body.Dispose();
                    return WebhookBody.Refused(StatusCodes.Status413PayloadTooLarge, "the body is over the limit");
                }

                var size = (int)Math.Min(body.Buffer.Length * 2L, limit + 1L);
                if (!TryReserve(size - body.Buffer.Length))
                {
                    body.Dispose();
                    return WebhookBody.Refused(StatusCodes.Status503ServiceUnavailable, "too many webhook bodies are being read at once");
                }

                body.Grow(size);
            }

            var read = await stream.ReadAsync(body.Buffer.AsMemory(body.Length), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return body;
            }

            body.Length += read;
        }
    }

    private bool TryReserve(long bytes)
    {
        if (Interlocked.Add(ref _reserved, bytes) <= _budget)
        {
            return true;
        }

        Interlocked.Add(ref _reserved, -bytes);
        return false;
    }

    internal void Release(long bytes) => Interlocked.Add(ref _reserved, -bytes);
}

/// <summary>A webhook body read by <see cref="WebhookBodyReader"/>, or the reason it was refused.</summary>
internal sealed class WebhookBody : IDisposable
{
    private WebhookBodyReader? _owner;
    private long _reserved;

    public WebhookBody(WebhookBodyReader? owner, byte[] buffer, int length, long reserved)
    {
        _owner = owner;
        Buffer = buffer;
        Length = length;
        _reserved = reserved;
    }

    public byte[] Buffer { get; private set; }

    public int Length { get; set; }

    /// <summary>The status to answer when the body was refused, else 0.</summary>
    public int RefusedStatus { get; private init; }

    /// <summary>Why the body was refused (a fixed text, never from the request).</summary>
    public string? RefusedReason { get; private init; }

    public ReadOnlyMemory<byte> Memory => Buffer.AsMemory(0, Length);

    public static WebhookBody Refused(int status, string reason) =>
        new(null, [], 0, 0) { RefusedStatus = status, RefusedReason = reason };

    public void Grow(int size)
    {
        var bigger = new byte[size];
        Buffer.AsSpan(0, Length).CopyTo(bigger);
        _reserved += size - Buffer.Length;
        Buffer = bigger;
    }

    public void Dispose()
    {
        Interlocked.Exchange(ref _owner, null)?.Release(_reserved);
        Buffer = [];
    }
}
