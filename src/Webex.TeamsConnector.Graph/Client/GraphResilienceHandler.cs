using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// The only retry layer of the Graph client (it replaces the SDK's <c>RetryHandler</c>): retries 429, 503, 504,
/// transport failures and attempt timeouts, honouring <c>Retry-After</c> in full (a back-off without one is capped
/// at <see cref="GraphOptions.MaxRetryDelay"/>), never other 4xx, and stops when the caller cancels. Presence
/// requests and user reads also take a permit (a <c>$batch</c> one per request inside) of the <see cref="RequestBudget"/> before each attempt, outside the attempt timeout
/// (waiting for the budget is no reason to give up), and a 429 pauses the whole budget for the full
/// <c>Retry-After</c>. An attempt that timed out for the last time surfaces as an <see cref="HttpRequestException"/>,
/// like any other transport failure.
/// </summary>
internal sealed class GraphResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<Uri?> s_uri = new("Webex.TeamsConnector.Graph.Uri");
    private readonly ResiliencePipeline<HttpResponseMessage> _retry;
    private readonly ResiliencePipeline<HttpResponseMessage> _attempt;
    private readonly RequestBudget _budget;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _maxDelay;
    private readonly TimeSpan _attemptTimeout;

    public GraphResilienceHandler(GraphOptions options, RequestBudget budget, TimeProvider time, ILogger logger)
    {
        _budget = budget;
        _time = time;
        _logger = logger;
        _maxDelay = options.MaxRetryDelay;
        _attemptTimeout = options.AttemptTimeout;
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromSeconds(1),
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result)),
                OnRetry = OnRetryAsync,
            });
        }

        _retry = builder.Build();
        _attempt = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }.AddTimeout(options.AttemptTimeout).Build();
    }

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        _ => false,
    };

    internal static bool IsPresenceRequest(Uri? uri) =>
        uri is not null && (uri.AbsolutePath.Contains("/communications/", StringComparison.OrdinalIgnoreCase) || uri.AbsolutePath.Contains("/presence", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The permits a request takes from the shared budget: one for a presence request or a user read (user resolution
    /// and expert search share the budget with polling), one per request inside a <c>$batch</c>, none for the rest
    /// (subscriptions).
    /// </summary>
    internal static int Permits(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath;
        if (path is null)
        {
            return 0;
        }

        if (path.EndsWith("/$batch", StringComparison.OrdinalIgnoreCase))
        {
            return BatchSize(request.Content);
        }

        return IsPresenceRequest(request.RequestUri) || path.Contains("/users", StringComparison.OrdinalIgnoreCase) ? 1 : 0;
    }

    private static int BatchSize(HttpContent? content)
    {
        // The content is buffered by then (LoadIntoBufferAsync), so reading it again costs no I/O.
        if (content is null)
        {
            return 1;
        }

        try
        {
            using var stream = content.ReadAsStream();
            using var document = System.Text.Json.JsonDocument.Parse(stream);
            return document.RootElement.TryGetProperty("requests", out var requests) && requests.ValueKind == System.Text.Json.JsonValueKind.Array
                ? Math.Max(1, requests.GetArrayLength())
                : 1;
        }
        catch (System.Text.Json.JsonException)
        {
            return 1;
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // Buffered content can be sent again by each attempt.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var permits = Permits(request);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(s_uri, request.RequestUri);
        try
        {
            var outcome = await _retry.ExecuteOutcomeAsync(
                async (ctx, state) =>
                {
                    try
                    {
                        if (state.permits > 0)
                        {
                            // Outside the attempt timeout: a request that only waits for its turn has not failed.
                            await state.self._budget.AcquireAsync(ctx.CancellationToken, state.permits).ConfigureAwait(false);
                        }

                        var response = await state.self._attempt.ExecuteAsync(
                            static (s, token) => new ValueTask<HttpResponseMessage>(s.self.SendCoreAsync(s.request, token)),
                            state,
                            ctx.CancellationToken).ConfigureAwait(false);
                        if (response.StatusCode == HttpStatusCode.TooManyRequests)
                        {
                            // Every presence request waits out the whole Retry-After, including after the last attempt.
                            state.self._budget.Pause(state.self.RetryAfter(response) ?? TimeSpan.FromSeconds(1));
                        }

                        return Outcome.FromResult(response);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !ctx.CancellationToken.IsCancellationRequested)
                    {
                        return Outcome.FromException<HttpResponseMessage>(ex);
                    }
                },
                context,
                (self: this, request, permits)).ConfigureAwait(false);
            if (outcome.Exception is TimeoutRejectedException timeout)
            {
                // The same type as every other transport failure, so callers handle one exception, not Polly's.
                throw new HttpRequestException($"Graph did not answer {request.RequestUri?.AbsolutePath} within {_attemptTimeout} (AttemptTimeout).", timeout);
            }

            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);

    /// <summary>The full wait Graph asked for (never capped: nothing is sent before Graph allows).</summary>
    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        var delay = header.Delta ?? (header.Date is { } date ? date - _time.GetUtcNow() : TimeSpan.Zero);
        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay;
    }

    private ValueTask OnRetryAsync(OnRetryArguments<HttpResponseMessage> args)
    {
        var uri = args.Context.Properties.GetValue(s_uri, null);
        if (args.RetryDelay > _maxDelay)
        {
            Log.LongRetryAfter(_logger, uri?.AbsolutePath, args.RetryDelay, _maxDelay);
        }

        if (args.Outcome.Result is { StatusCode: HttpStatusCode.TooManyRequests })
        {
            Log.Throttled(_logger, uri?.AbsolutePath, args.RetryDelay, args.AttemptNumber + 1);
        }
        else
        {
            Log.RetryingRequest(_logger, uri?.AbsolutePath, args.Outcome.Result is { } r ? (int)r.StatusCode : 0, args.Outcome.Exception?.GetType().Name, args.RetryDelay, args.AttemptNumber + 1);
        }

        return default;
    }
}
