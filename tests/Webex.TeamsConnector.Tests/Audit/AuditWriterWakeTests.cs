using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>
/// The audit writer is not woken for each buffer a busy loop hands over: an idle writer is woken when the loop is about
/// to wait (<see cref="AuditRecorder.Flush"/>), or once <see cref="AuditTrail.WakeEntries"/> entries (or half the
/// buffer capacity) wait. Records stay in order, and what was handed over is written when the trail is disposed.
/// </summary>
public class AuditWriterWakeTests
{
    private static readonly DateTimeOffset s_start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private static readonly string[] s_availabilities = ["Available", "Busy", "Away", "DoNotDisturb"];

    [Fact]
    public async Task Post_FullBufferWhileWriterIdle_WaitsForTheLoopToGoIdle()
    {
        await using var provider = Build(out var store);
        var (trail, recorder, engine) = await StartIdleAsync(provider);

        Record(engine, recorder, 0, AuditTrail.BufferLength + 1);

        // One full buffer was handed over (the next entry started a new one); nothing woke the idle writer.
        trail.Posted.Should().Be(AuditTrail.BufferLength);
        trail.IsWriterIdle.Should().BeTrue();
        store.Appends.Should().Be(0);

        recorder.Flush();
        await trail.WaitForAsync(t => t.Written >= AuditTrail.BufferLength + 1, TimeSpan.FromSeconds(20));

        store.Appends.Should().Be(1, "both buffers were drained in one pass, after the loop's flush");
        ShouldBeInOrder(store, AuditTrail.BufferLength + 1);
    }

    [Fact]
    public async Task Post_WakeEntriesWaiting_WakesTheIdleWriterWithoutAFlush()
    {
        await using var provider = Build(out var store);
        var (trail, recorder, engine) = await StartIdleAsync(provider);

        // A busy loop: full buffers only, no flush.
        Record(engine, recorder, 0, AuditTrail.WakeEntries + 1);

        await trail.WaitForAsync(t => t.Written >= AuditTrail.WakeEntries, TimeSpan.FromSeconds(20));
        trail.Dropped.Should().Be(0);
        ShouldBeInOrder(store, AuditTrail.WakeEntries);
    }

    [Fact]
    public async Task Post_CapacityBelowWakeEntries_WakesTheWriterBeforeBuffersAreDropped()
    {
        await using var provider = Build(out var store, capacity: 600);
        var (trail, recorder, engine) = await StartIdleAsync(provider);

        // Two full buffers (512 entries) wait: past half the capacity, so the second wakes the writer.
        Record(engine, recorder, 0, (2 * AuditTrail.BufferLength) + 1);

        await trail.WaitForAsync(t => t.Written >= 2 * AuditTrail.BufferLength, TimeSpan.FromSeconds(20));
        trail.Dropped.Should().Be(0);
        ShouldBeInOrder(store, 2 * AuditTrail.BufferLength);
    }

    [Fact]
    public async Task DisposeAsync_BuffersHandedOverWhileWriterIdle_AreAllWrittenInOrder()
    {
        await using var provider = Build(out var store);
        var (trail, recorder, engine) = await StartIdleAsync(provider);
        Record(engine, recorder, 0, (2 * AuditTrail.BufferLength) + 10);
        trail.IsWriterIdle.Should().BeTrue();

        await trail.DisposeAsync();

        trail.Written.Should().Be(2 * AuditTrail.BufferLength);
        trail.Dropped.Should().Be(0);
        ShouldBeInOrder(store, 2 * AuditTrail.BufferLength);
    }

    [Fact]
    public async Task Flush_EmptyRecorderWhileAnotherLoopsBufferWaits_WakesTheWriter()
    {
        await using var provider = Build(out var store);
        var (trail, busy, engine) = await StartIdleAsync(provider);
        var idle = trail.CreateRecorder("org-other")!;

        // One org's loop is busy and handed over a full buffer; the other's goes idle with nothing of its own.
        Record(engine, busy, 0, AuditTrail.BufferLength + 1);
        trail.IsWriterIdle.Should().BeTrue();
        idle.Flush();

        await trail.WaitForAsync(t => t.Written >= AuditTrail.BufferLength, TimeSpan.FromSeconds(20));
        ShouldBeInOrder(store, AuditTrail.BufferLength);
    }

    private static ServiceProvider Build(out CapturingAuditStore store, int capacity = 100_000)
    {
        var captured = store = new CapturingAuditStore();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(new FakeTimeProvider(s_start));
        services.AddTeamsConnector(o => o.StateSync.IdleCodes["DoNotDisturb"] = "c-dnd").AddAuditStore(_ => captured);
        services.Configure<AuditOptions>(o =>
        {
            o.OrgId = "org-w";
            o.LogRecords = false;
            o.BufferCapacity = capacity;
        });
        return services.BuildServiceProvider();
    }

    /// <summary>A recorder and an engine with one agent; returns once the writer has nothing to do and waits.</summary>
    private static async Task<(AuditTrail Trail, AuditRecorder Recorder, SyncEngine Engine)> StartIdleAsync(ServiceProvider provider)
    {
        var trail = provider.GetRequiredService<AuditTrail>();
        var recorder = trail.CreateRecorder()!;
        var engine = new SyncEngine(new SyncRules { Mapping = IdleCodeMapping.Create(new Dictionary<string, string?> { ["DoNotDisturb"] = "c-dnd" }) }, provider.GetRequiredService<TimeProvider>());
        engine.AddAgent("a1", "t1");
        await trail.WaitForAsync(t => t.IsWriterIdle, TimeSpan.FromSeconds(20));
        return (trail, recorder, engine);
    }

    /// <summary>Records presences number <paramref name="first"/> on, each arriving a millisecond after the one before.</summary>
    private static void Record(SyncEngine engine, AuditRecorder recorder, int first, int count)
    {
        for (var i = first; i < first + count; i++)
        {
            var availability = s_availabilities[i % s_availabilities.Length];
            var update = new TeamsPresenceUpdate("t1", availability, availability, null, s_start.AddMilliseconds(i));
            var decision = engine.OnPresence(update.TeamsUserId, TeamsPresence.Parse(update.Availability, update.Activity), null);
            recorder.OnPresence(update, decision, engine);
        }
    }

    private static void ShouldBeInOrder(CapturingAuditStore store, int count)
    {
        var presences = store.Records.Where(r => r.Trigger == "TeamsPresenceChanged").ToList();
        presences.Select(r => r.Time).Should().Equal(Enumerable.Range(0, count).Select(i => s_start.AddMilliseconds(i)));
        presences.Select(r => r.TeamsAvailability).Should().Equal(Enumerable.Range(0, count).Select(i => s_availabilities[i % s_availabilities.Length]));
    }
}
