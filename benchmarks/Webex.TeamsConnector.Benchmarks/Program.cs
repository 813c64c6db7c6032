using BenchmarkDotNet.Running;

namespace Webex.TeamsConnector.Benchmarks;

public static class Program
{
    /// <summary>
    /// Runs the benchmarks BenchmarkDotNet's switcher selects (for example <c>--filter '*'</c>); exits 1 when any
    /// benchmark failed or did not validate, so CI's dry run catches a broken benchmark. <c>--webhook-memory</c> runs
    /// the held-body memory harness instead (outside BenchmarkDotNet), <c>--audit-bytes</c> the audit storage harness,
    /// <c>--scale</c> the scale harness, and <c>--core-loop</c> one Core benchmark in a plain loop for a profiler or a
    /// CPU-time count, <c>--audit-loop</c> the audit benchmark in a plain loop for a profiler.
    /// </summary>
    public static int Main(string[] args)
    {
        if (args is [Memory.WebhookMemoryHarness.Switch, ..])
        {
            return Memory.WebhookMemoryHarness.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args is [Audit.AuditStorageHarness.Switch, ..])
        {
            return Audit.AuditStorageHarness.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args is [Core.CoreLoop.Switch, ..])
        {
            return Core.CoreLoop.Run(args[1..]);
        }

        if (args is [Audit.AuditLoop.Switch, ..])
        {
            return Audit.AuditLoop.Run(args[1..]);
        }

        if (args is [Scale.ScaleHarness.Switch, ..])
        {
            return Scale.ScaleHarness.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success) || s.Reports.Length == 0);
        return failed ? 1 : 0;
    }
}

/// <summary>A clock that stands still unless told otherwise: reading it costs nothing.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
