using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Webex.TeamsConnector.ContactCenter;

/// <summary>One request of the adapter as it goes through <see cref="WxccResilience"/>: what may be retried, and what happened so far.</summary>
/// <param name="method">The HTTP method (for logs).</param>
/// <param name="path">The path (for logs; never a query).</param>
/// <param name="retry">Whether 429 and transient failures are retried here (reads) or handed back (the outbox's writes, the token grant).</param>
/// <param name="leaseHeld">Whether the caller already took the budget slot of the first attempt.</param>
internal sealed class WxccCall(string method, string path, bool retry, bool leaseHeld)
{
    public string Method { get; } = method;

    public string Path { get; } = path;

    public bool Retry { get; } = retry;

    public bool LeaseHeld { get; } = leaseHeld;

    /// <summary>Attempts started so far.</summary>
    public int Attempts { get; set; }

    /// <summary>Whether a 401 was answered with a token refresh already (once per call).</summary>
    public bool Refreshed { get; set; }

    /// <summary>The token a 401 refused, set until the next attempt has refreshed it.</summary>
    public string? StaleToken { get; set; }

    /// <summary>The token the last attempt sent.</summary>
    public string? Token { get; set; }

    internal int Transient { get; set; }

    internal int Throttled { get; set; }

    internal TimeSpan NextDelay { get; set; }
}

/// <summary>
/// The only retry layer of the Contact Center adapter, read like the Graph adapter's
/// <c>GraphResilienceHandler</c>: one Polly pipeline for every WxCC and Webex API request (reads, writes, the token
/// grant). Before each attempt a slot of the shared <see cref="RequestBudget"/> is taken, outside the attempt timeout
/// (waiting for the budget is no reason to give up); each attempt runs under <see cref="ContactCenterOptions.RequestTimeout"/>
/// on the <see cref="TimeProvider"/>. A 429 pauses the whole budget for its full <c>Retry-After</c> (seconds or an
/// HTTP date, measured from the time provider), so every caller waits it out; a 401 is answered with one token
/// refresh and one retry; when the call allows it, 429 is retried up to <see cref="MaxThrottledRetries"/> times and a
/// transient failure up to <see cref="MaxTransientAttempts"/> attempts with exponential back-off.
/// </summary>
internal sealed class WxccResilience
{
    public const int MaxTransientAttempts = 4;
    public const int MaxThrottledRetries = 10;

    private static readonly ResiliencePropertyKey<WxccCall> s_call = new("Webex.TeamsConnector.ContactCenter.Call");
    private readonly ResiliencePipeline<WxccResponse> _retry;
    private readonly ResiliencePipeline _attempt;
    private readonly RequestBudget _budget;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ContactCenterTelemetry _telemetry;

    public WxccResilience(RequestBudget budget, IOptions<ContactCenterOptions> options, TimeProvider timeProvider, ContactCenterTelemetry telemetry, ILogger<WxccResilience> logger)
    {
        _telemetry = telemetry;
        _budget = budget;
        _time = timeProvider;
        _logger = logger;
        _retry = new ResiliencePipelineBuilder<WxccResponse> { TimeProvider = timeProvider }
            .AddRetry(new RetryStrategyOptions<WxccResponse>
            {
                MaxRetryAttempts = 1 + MaxThrottledRetries + MaxTransientAttempts,
                BackoffType = DelayBackoffType.Constant,
                UseJitter = false,
                ShouldHandle = static args => ValueTask.FromResult(ShouldRetry(args.Context.Properties.GetValue(s_call, null!), args.Outcome.Result)),
                // The back-off is waited at the start of the next attempt (see ExecuteAsync), not by the strategy.
                DelayGenerator = static _ => ValueTask.FromResult<TimeSpan?>(TimeSpan.Zero),
                OnRetry = OnRetryAsync,
            })
            .Build();
        _attempt = new ResiliencePipelineBuilder { TimeProvider = timeProvider }.AddTimeout(options.Value.RequestTimeout).Build();
    }

    /// <summary>Raised when a call starts its back-off after a transient failure (its timer is registered), with the wait.</summary>
    public event Action<TimeSpan>? BackingOff;

    /// <summary>The budget every request of the adapter shares.</summary>
    public RequestBudget Budget => _budget;

    /// <summary>The exponential back-off of the <paramref name="attempt"/>-th transient failure (0.5 s, 1 s, 2 s ... at most 30 s).</summary>
    internal static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Math.Min(30_000, 500 * Math.Pow(2, Math.Max(0, attempt - 1))));

    /// <summary>Runs <paramref name="send"/> as <paramref name="call"/> through the pipeline.</summary>
    /// <param name="call">The call.</param>
    /// <param name="send">Sends one attempt; a transport failure or timeout surfaces as an exception and becomes a response without status.</param>
    /// <param name="cancellationToken">Cancels the call (and the waits for the budget and back-off).</param>
    /// <returns>The last response.</returns>
    public async Task<WxccResponse> ExecuteAsync(WxccCall call, Func<WxccCall, string, CancellationToken, Task<WxccResponse>> send, CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(s_call, call);
        try
        {
            var outcome = await _retry.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    var (self, call, send) = state;
                    if (call.NextDelay > TimeSpan.Zero)
                    {
                        // The back-off the strategy chose. Its timer is registered before BackingOff is raised, so a
                        // test on fake time can advance the clock as soon as it hears of it.
                        var backOff = Task.Delay(call.NextDelay, self._time, ctx.CancellationToken);
                        self.BackingOff?.Invoke(call.NextDelay);
                        call.NextDelay = TimeSpan.Zero;
                        await backOff.ConfigureAwait(false);
                    }

                    if (call.Attempts++ > 0 || !call.LeaseHeld)
                    {
                        // Outside the attempt timeout: a request that only waits for its turn has not failed.
                        // A write sent again, or a request someone waits for, goes ahead of bulk reads.
                        await self._budget.AcquireAsync(call.LeaseHeld || UrgentRequests.IsActive, ctx.CancellationToken).ConfigureAwait(false);
                    }

                    var trackingId = ContactCenterHttp.NewTrackingId();
                    WxccResponse response;
                    try
                    {
                        response = await self._attempt.ExecuteAsync(
                            static (s, token) => new ValueTask<WxccResponse>(s.send(s.call, s.trackingId, token)),
                            (send, call, trackingId),
                            ctx.CancellationToken).ConfigureAwait(false);
                    }
                    catch (HttpRequestException ex)
                    {
                        response = new WxccResponse(null, [], trackingId, "connection failed: " + ex.HttpRequestError);
                    }
                    catch (TimeoutRejectedException)
                    {
                        response = new WxccResponse(null, [], trackingId, "timed out");
                    }

                    return Outcome.FromResult(response);
                },
                context,
                (self: this, call, send)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>Pauses the budget for a 429's full <c>Retry-After</c> (60 seconds without one).</summary>
    /// <param name="call">The call answered 429.</param>
    /// <param name="response">The 429 response.</param>
    /// <param name="trackingId">The request's tracking id.</param>
    public void OnTooManyRequests(WxccCall call, HttpResponseMessage response, string trackingId)
    {
        var now = _time.GetUtcNow();
        var wait = ContactCenterHttp.RetryAfter(response, now) ?? TimeSpan.FromSeconds(60);
        _budget.PauseUntil(now + wait);
        Log.Throttled(_logger, call.Method, call.Path, wait, trackingId);
        _telemetry.Throttled.Add(1);
    }

    private static bool ShouldRetry(WxccCall call, WxccResponse? response)
    {
        if (response is null)
        {
            return false;
        }

        call.NextDelay = TimeSpan.Zero;
        if (response.Status == HttpStatusCode.Unauthorized && !call.Refreshed && call.Token is not null)
        {
            call.Refreshed = true;
            call.StaleToken = call.Token;
            return true;
        }

        if (response.Status == HttpStatusCode.TooManyRequests)
        {
            // No delay of its own: the budget is paused until Retry-After has passed, for this call and every other.
            return call.Retry && ++call.Throttled <= MaxThrottledRetries;
        }

        if (response.IsTransient && call.Retry && ++call.Transient < MaxTransientAttempts)
        {
            call.NextDelay = Backoff(call.Transient);
            return true;
        }

        return false;
    }

    private ValueTask OnRetryAsync(OnRetryArguments<WxccResponse> args)
    {
        var call = args.Context.Properties.GetValue(s_call, null!);
        if (args.Outcome.Result is { } response)
        {
            if (response.Status == HttpStatusCode.Unauthorized)
            {
                Log.Unauthorized(_logger, call.Method, call.Path, response.TrackingId);
            }
            else if (response.Status != HttpStatusCode.TooManyRequests)
            {
                Log.TransientFailure(_logger, call.Method, call.Path, response.Describe(), call.NextDelay, response.TrackingId);
            }
        }

        return default;
    }
}
