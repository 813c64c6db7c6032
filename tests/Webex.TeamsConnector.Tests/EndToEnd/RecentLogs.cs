using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Webex.TeamsConnector.Tests.EndToEnd;

/// <summary>The connector's last log lines (Debug and above, its own categories), kept in memory for a failed wait's message.</summary>
internal sealed class RecentLogs : ILoggerProvider
{
    private const int Capacity = 2000;
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public string Dump(int last = 80) => string.Join(Environment.NewLine, _lines.TakeLast(last));

    /// <summary>The kept lines that mention any of <paramref name="ids"/>, the last <paramref name="last"/> of them.</summary>
    public string DumpAbout(IReadOnlyCollection<string> ids, int last = 150) =>
        string.Join(Environment.NewLine, _lines.Where(l => ids.Any(id => l.Contains(id, StringComparison.Ordinal))).TakeLast(last));

    public void Dispose()
    {
    }

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Capacity && _lines.TryDequeue(out _))
        {
        }
    }

    private sealed class Logger(RecentLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Add($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}[{eventId.Id}] {formatter(state, exception)}");
    }
}
