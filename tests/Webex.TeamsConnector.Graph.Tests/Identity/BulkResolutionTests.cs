using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class BulkResolutionTests
{
    [Fact]
    public async Task ResolveManyAsync_ThirtyThousandAgentsOfTheDirectory_ReadsItInThirtyTwoRequestsWithinTheBudget()
    {
        await using var host = await GraphTestHost.StartAsync(emulator: o => o.ThrottleAllRequests = true);
        var ids = AddUsers(host.Emulator, 30_000);
        var resolver = Resolver(host);
        var parts = 0;

        var results = await CollectAsync(host, resolver.ResolveManyAsync([.. ids.Keys, "nobody@contoso.example"], CancellationToken.None), () => parts++);

        results.Should().HaveCount(30_001);
        results.Where(r => r.TeamsUserId is not null).Should().OnlyContain(r => ids[r.EmailOrUserPrincipalName] == r.TeamsUserId).And.HaveCount(30_000);
        results.Single(r => r.TeamsUserId is null).EmailOrUserPrincipalName.Should().Be("nobody@contoso.example");
        resolver.LastBulkMethod.Should().Be("directory");
        host.Emulator.RequestCount(GraphEmulatorOperation.ListUsers).Should().Be(32, "one $count, then ceil(30,000 / 999) = 31 pages");
        host.Emulator.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(0);
        parts.Should().BeGreaterThan(30, "results arrive page by page, so the first agents sync while the rest resolve");
        host.Emulator.PeakBudgetedRequests().Should().BeLessThanOrEqualTo(1_500);
        host.Emulator.ThrottledRequests.Should().Be(0);
    }

    [Fact]
    public async Task ResolveManyAsync_FewAgentsOfALargeDirectory_UsesBatchesOfTwentyAndTheMailFallback()
    {
        await using var host = await GraphTestHost.StartAsync(emulator: o => o.ThrottleAllRequests = true);
        var ids = AddUsers(host.Emulator, 5_000);
        var byMail = host.Emulator.AddUser(new EmulatedUser { DisplayName = "Mail Only", UserPrincipalName = "monly@contoso.onmicrosoft.example", Mail = "mail.only@contoso.example" });
        var names = ids.Keys.Take(4).Append("mail.only@contoso.example").Append("nobody@contoso.example").ToList();
        var resolver = Resolver(host);

        var results = await CollectAsync(host, resolver.ResolveManyAsync(names, CancellationToken.None));

        resolver.LastBulkMethod.Should().Be("batch", "6 requests cost less than 1 + ceil(5,001 / 999) = 7");
        results.Should().HaveCount(6);
        results.Single(r => r.EmailOrUserPrincipalName == "mail.only@contoso.example").TeamsUserId.Should().Be(byMail);
        results.Single(r => r.EmailOrUserPrincipalName == "nobody@contoso.example").TeamsUserId.Should().BeNull();
        results.Take(4).Should().OnlyContain(r => ids[r.EmailOrUserPrincipalName] == r.TeamsUserId);
        host.Emulator.RequestCount(GraphEmulatorOperation.Batch).Should().Be(2, "the UPN reads, then the mail filters for the two not found");
        host.Emulator.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(6);
    }

    [Fact]
    public async Task ResolveManyAsync_ThrottledInsideTheBatch_WaitsTheRetryAfterAndResolvesEveryone()
    {
        await using var host = await GraphTestHost.StartAsync(emulator: o => o.ThrottleAllRequests = true);
        var ids = AddUsers(host.Emulator, 5_000);
        var names = ids.Keys.Take(6).ToList();
        host.Emulator.Faults.ThrottleNext(3, TimeSpan.FromSeconds(2), GraphEmulatorOperation.GetUser);
        var resolver = Resolver(host);
        var started = host.Clock.GetUtcNow();

        var results = await CollectAsync(host, resolver.ResolveManyAsync(names, CancellationToken.None));

        results.Should().HaveCount(6).And.OnlyContain(r => ids[r.EmailOrUserPrincipalName] == r.TeamsUserId);
        var retried = host.Emulator.Requests.Where(r => r.Operation == GraphEmulatorOperation.Batch).Select(r => r.At).ToList();
        retried.Should().HaveCount(2);
        (retried[1] - started).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2), "the throttled requests wait out the Retry-After");
        host.Emulator.ThrottledRequests.Should().Be(3);
    }

    [Fact]
    public async Task ResolveManyAsync_PartialBatchFailure_SendsTheFailedRequestsAgainAndResolvesEveryone()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ids = AddUsers(host.Emulator, 5_000);
        var names = ids.Keys.Skip(10).Take(5).ToList();
        host.Emulator.Faults.FailNext(2, 503, GraphEmulatorOperation.GetUser);
        var resolver = Resolver(host);

        var results = await CollectAsync(host, resolver.ResolveManyAsync(names, CancellationToken.None));

        results.Should().HaveCount(5).And.OnlyContain(r => ids[r.EmailOrUserPrincipalName] == r.TeamsUserId);
        host.Emulator.Requests.Where(r => r.InsideBatch).Select(r => r.StatusCode).Should().Equal(503, 503, 200, 200, 200, 200, 200);
    }

    [Fact]
    public async Task ResolveManyAsync_AgainWithOneNewAgent_ResolvesOnlyTheNewOne()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ids = AddUsers(host.Emulator, 5_000);
        var resolver = Resolver(host);
        await CollectAsync(host, resolver.ResolveManyAsync([.. ids.Keys.Take(3_000)], CancellationToken.None));
        var before = host.Emulator.RequestCount();

        var again = await CollectAsync(host, resolver.ResolveManyAsync([.. ids.Keys.Take(3_001)], CancellationToken.None));

        again.Should().HaveCount(3_001).And.OnlyContain(r => ids[r.EmailOrUserPrincipalName] == r.TeamsUserId);
        (host.Emulator.RequestCount() - before).Should().Be(2, "the 3,000 cached agents cost nothing; the new one costs one $batch envelope holding one read");
        host.Emulator.RequestCount(GraphEmulatorOperation.Batch).Should().Be(1);
    }

    [Fact]
    public async Task ResolveManyAsync_InvalidNamesAndDuplicates_AreEachReportedOnce()
    {
        await using var host = await GraphTestHost.StartAsync();
        var ann = host.Emulator.AddUser("Ann Lee", mail: "ann@contoso.example");
        var resolver = Resolver(host);

        var results = await CollectAsync(host, resolver.ResolveManyAsync(["ann@contoso.example", "ANN@contoso.example", "not an address", "x/y@z"], CancellationToken.None));

        results.Should().BeEquivalentTo(new TeamsUserResolution[] { new("ann@contoso.example", ann), new("ANN@contoso.example", ann), new("not an address", null), new("x/y@z", null) });
        host.Emulator.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(1);
    }

    private static GraphUserResolver Resolver(GraphTestHost host) => (GraphUserResolver)host.Services.GetRequiredService<ITeamsUserResolver>();

    private static Dictionary<string, string> AddUsers(GraphEmulator emulator, int count)
    {
        var ids = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < count; i++)
        {
            var mail = $"agent{i}@contoso.example";
            ids[mail] = emulator.AddUser(new EmulatedUser { DisplayName = $"Agent {i}", UserPrincipalName = mail });
        }

        return ids;
    }

    private static async Task<List<TeamsUserResolution>> CollectAsync(GraphTestHost host, IAsyncEnumerable<IReadOnlyList<TeamsUserResolution>> results, Action? onPart = null)
    {
        var all = new List<TeamsUserResolution>();
        var run = Task.Run(async () =>
        {
            await foreach (var part in results)
            {
                all.AddRange(part);
                onPart?.Invoke();
            }
        });
        await host.Clock.RunUntilAsync(() => run.IsCompleted, TimeSpan.FromMinutes(5), run);
        await run;
        return all;
    }
}
