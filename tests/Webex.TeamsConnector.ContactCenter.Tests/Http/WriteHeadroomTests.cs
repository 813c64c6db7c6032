using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests.Http;

public sealed class WriteHeadroomTests
{
    [Fact]
    public async Task AcquireAsync_ReadsFillTheMinute_LeaveAFifthOfTheBudgetToWrites()
    {
        // At 5,000 agents the start's reconciliation read 255 pages in its first minute and a release waited 30 s.
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var budget = new RequestBudget(300, time);
        for (var i = 0; i < 240; i++)
        {
            await budget.AcquireAsync(CancellationToken.None);
        }

        var read = budget.AcquireAsync(CancellationToken.None).AsTask();
        var writes = new List<Task>();
        for (var i = 0; i < 60; i++)
        {
            writes.Add(budget.AcquireAsync(priority: true, CancellationToken.None).AsTask());
        }

        budget.OrdinaryLimit.Should().Be(240);
        writes.Should().OnlyContain(w => w.IsCompletedSuccessfully, "60 writes a minute stay available whatever the reads took");
        read.IsCompleted.Should().BeFalse("reads stop at four fifths of the budget");
        time.Advance(TimeSpan.FromSeconds(61));
        await read.WaitAsync(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public void OrdinaryLimit_SmallBudgets_KeepEverySlotForEveryone()
    {
        using var one = new RequestBudget(1, TimeProvider.System);
        using var four = new RequestBudget(4, TimeProvider.System);

        (one.OrdinaryLimit, four.OrdinaryLimit).Should().Be((1, 4));
    }
}
