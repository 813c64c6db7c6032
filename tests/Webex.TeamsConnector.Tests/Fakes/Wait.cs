using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.Tests.Fakes;

/// <summary>
/// Waits on events, not on the clock: a condition is checked again each time something happens — a port is called,
/// an emulator changes, the connector logs, records a metric or one of its timers fires. Fails after a timeout.
/// </summary>
internal static class Wait
{
    /// <summary>The pulse every source raises; a spurious pulse only costs a check of the condition.</summary>
    public static Pulse Pulse { get; } = new();

    private static readonly Lazy<MeterListener> s_metrics = new(CreateMetricListener);

    /// <summary>Waits until a condition holds, checking it after every event, failing after a timeout.</summary>
    public static Task UntilAsync(Func<bool> condition, string what, int timeoutSeconds = 10) =>
        Pulse.UntilAsync(condition, what, TimeSpan.FromSeconds(timeoutSeconds));

    /// <summary>Makes the connector built by <paramref name="services"/> raise <see cref="Pulse"/> on every log record of its own (Information and above, so no extra log level is enabled) and every timer callback.</summary>
    public static void AddPulses(IServiceCollection services, ILoggingBuilder logging)
    {
        logging.AddProvider(new PulseLoggerProvider());
        logging.AddFilter<PulseLoggerProvider>(null, LogLevel.Warning);
        logging.AddFilter<PulseLoggerProvider>("Webex", LogLevel.Information);
        var inner = services.LastOrDefault(d => d.ServiceType == typeof(TimeProvider))?.ImplementationInstance as TimeProvider ?? TimeProvider.System;
        services.AddSingleton<TimeProvider>(new PulseTimeProvider(inner));
        _ = s_metrics.Value;
    }

    /// <summary>Raises <see cref="Pulse"/> on every measurement of the connector's meters (any instance, for the life of the process).</summary>
    private static MeterListener CreateMetricListener()
    {
        var listener = new MeterListener
        {
            InstrumentPublished = static (instrument, l) =>
            {
                if (instrument.Meter.Name.StartsWith("Webex.TeamsConnector", StringComparison.Ordinal))
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>(static (_, _, _, _) => Pulse.Raise());
        listener.SetMeasurementEventCallback<int>(static (_, _, _, _) => Pulse.Raise());
        listener.SetMeasurementEventCallback<double>(static (_, _, _, _) => Pulse.Raise());
        listener.Start();
        return listener;
    }

    private sealed class PulseLoggerProvider : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) => Pulse.Raise();

        public void Dispose()
        {
        }
    }

    /// <summary>The connector's clock, raising a pulse after each timer callback (the sync loop ticks at its timer resolution).</summary>
    private sealed class PulseTimeProvider(TimeProvider inner) : TimeProvider
    {
        public override TimeZoneInfo LocalTimeZone => inner.LocalTimeZone;

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

        public override long GetTimestamp() => inner.GetTimestamp();

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(
                s =>
                {
                    callback(s);
                    Pulse.Raise();
                },
                state,
                dueTime,
                period);
    }
}

/// <summary>"Something happened": waiters check their condition again on every <see cref="Raise"/>.</summary>
internal sealed class Pulse
{
    private readonly Lock _gate = new();
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Raise()
    {
        TaskCompletionSource raised;
        lock (_gate)
        {
            raised = _next;
            _next = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        raised.TrySetResult();
    }

    public async Task UntilAsync(Func<bool> condition, string what, TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout);
        while (true)
        {
            Task next;
            lock (_gate)
            {
                next = _next.Task;
            }

            if (condition())
            {
                return;
            }

            try
            {
                await next.WaitAsync(limit.Token);
            }
            catch (OperationCanceledException)
            {
                if (condition())
                {
                    return;
                }

                throw new TimeoutException("Timed out waiting until " + what);
            }
        }
    }
}
