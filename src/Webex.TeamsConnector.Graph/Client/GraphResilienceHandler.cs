using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Webex.TeamsConnector.Graph;

/// <summary>
/// The only retry layer of the Graph client (it replaces the SDK's <c>RetryHandler</c>): retries 429, 503, 504,
/// transport failures and attempt timeouts, honouring <c>Retry-After</c> (capped), never other 4xx, and stops
/// when the caller cancels. Presence requests also take a permit of the <see cref="RequestBudget"/> per attempt,
/// and a 429 pauses the whole budget for the <c>Retry-After</c>.
/// </summary>
internal sealed class GraphResilienceHandler : DelegatingHandler
{
    private static readonly ResiliencePropertyKey<Uri?> s_uri = new("Webex.TeamsConnector.Graph.Uri");
    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline;
    private readonly RequestBudget _budget;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _maxDelay;

    public GraphResilienceHandler(GraphOptions options, RequestBudget budget, TimeProvider time, ILogger logger)
    {
        _budget = budget;
        _time = time;
        _logger = logger;
        _maxDelay = options.MaxRetryDelay;
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

        _pipeline = builder.AddTimeout(options.AttemptTimeout).Build();
    }

    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout,
        _ => false,
    };

    internal static bool IsPresenceRequest(Uri? uri) =>
        uri is not null && (uri.AbsolutePath.Contains("/communications/", StringComparison.OrdinalIgnoreCase) || uri.AbsolutePath.Contains("/presence", StringComparison.OrdinalIgnoreCase));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // Buffered content can be sent again by each attempt.
            await request.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
        }

        var budgeted = IsPresenceRequest(request.RequestUri);
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(s_uri, request.RequestUri);
        try
        {
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                async (ctx, state) =>
                {
                    try
                    {
                        if (state.budgeted)
                        {
                            await state.self._budget.AcquireAsync(ctx.CancellationToken).ConfigureAwait(false);
                        }

                        var response = await state.self.SendCoreAsync(state.request, ctx.CancellationToken).ConfigureAwait(false);
                        if (response.StatusCode == HttpStatusCode.TooManyRequests)
                        {
                            // Every presence request waits out the Retry-After, including after the last attempt.
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
                (self: this, request, budgeted)).ConfigureAwait(false);
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

    private TimeSpan? RetryAfter(HttpResponseMessage? response)
    {
        if (response?.Headers.RetryAfter is not { } header)
        {
            return null;
        }

        var delay = header.Delta ?? (header.Date is { } date ? date - _time.GetUtcNow() : TimeSpan.Zero);
        if (delay < TimeSpan.Zero)
        {
            delay = TimeSpan.Zero;
        }

        return delay > _maxDelay ? _maxDelay : delay;
    }

    private ValueTask OnRetryAsync(OnRetryArguments<HttpResponseMessage> args)
    {
        var uri = args.Context.Properties.GetValue(s_uri, null);
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
