namespace Webex.TeamsConnector.Graph.Tests;

public sealed class AdaptivePollIntervalTests
{
    [Fact]
    public void Target_AutoWithAThousandAgents_IsTheFloor()
    {
        // 2 requests a cycle; 90 % of 1,500 per 30 s allows one every 22 ms: the 250 ms floor wins.
        var interval = Auto();

        interval.Batches(1_000).Should().Be(2);
        interval.Target(1_000, others: 0).Should().Be(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public void Target_AutoWithThirtyThousandAgents_SpendsNinetyPercentOfTheBudget()
    {
        // ceil(30,000 / 650) = 47 requests a cycle; 1,350 per 30 s allow a cycle every 30 s * 47 / 1,350 = 1.044 s.
        var interval = Auto();

        interval.Target(30_000, others: 0).TotalSeconds.Should().BeApproximately(30.0 * 47 / 1350, 1e-6);
        (30.0 / interval.Target(30_000, 0).TotalSeconds * 47).Should().BeLessThanOrEqualTo(1350.0001);
    }

    [Fact]
    public void Target_ExpertSearchAndResolutionUsedPartOfTheWindow_LeavesThemTheirShareFirst()
    {
        var interval = Auto();

        interval.Target(30_000, others: 350).TotalSeconds.Should().BeApproximately(30.0 * 47 / 1000, 1e-6);
        interval.Target(30_000, others: 5_000).TotalSeconds.Should().BeApproximately(30.0 * 47 / 135, 1e-6, "polling keeps a tenth of its share whatever the others use");
    }

    [Fact]
    public void Target_ConfiguredShareAndFloor_AreUsed()
    {
        var interval = new AdaptivePollInterval(new GraphOptions { PollBudgetShare = 0.5, MinPollInterval = TimeSpan.FromMilliseconds(50) }, 650);

        interval.Target(650, 0).Should().Be(TimeSpan.FromMilliseconds(50));
        interval.Target(30_000, 0).TotalSeconds.Should().BeApproximately(30.0 * 47 / 750, 1e-6);
    }

    [Fact]
    public void Target_FixedInterval_IsTheShortestAndLengthensWhenTheBudgetNeedsIt()
    {
        var interval = new AdaptivePollInterval(new GraphOptions { PollInterval = TimeSpan.FromSeconds(1) }, 650);

        interval.IsAuto.Should().BeFalse();
        interval.Target(1_000, 0).Should().Be(TimeSpan.FromSeconds(1));
        interval.Target(60_000, 0).TotalSeconds.Should().BeApproximately(30.0 * 93 / 1350, 1e-6);
    }

    [Fact]
    public void Observe_A429_DoublesTheIntervalAtOnceThenShortensItOverTenCycles()
    {
        var interval = Auto();
        var target = interval.Target(30_000, 0);

        interval.Observe(throttles: 1).Should().BeTrue();
        var backedOff = interval.Next(30_000, 0);
        var recovery = new List<TimeSpan>();
        for (var i = 0; i < 10; i++)
        {
            interval.Observe(throttles: 1).Should().BeFalse();
            recovery.Add(interval.Next(30_000, 0));
        }

        backedOff.TotalSeconds.Should().BeApproximately(target.TotalSeconds * 2, 1e-6);
        recovery.Should().BeInDescendingOrder();
        recovery[0].Should().BeGreaterThan(target);
        recovery[^1].Should().Be(target, "additive increase brings the rate back to the target in ten cycles");
        interval.Rate.Should().Be(1.0);
    }

    [Fact]
    public void Observe_RepeatedThrottling_BacksOffAtMostEightTimes()
    {
        var interval = Auto();
        for (var i = 1; i <= 20; i++)
        {
            interval.Observe(i);
        }

        interval.Rate.Should().Be(AdaptivePollInterval.MinimumRate);
        interval.Next(1_000, 0).Should().Be(TimeSpan.FromMilliseconds(250 * 8));
    }

    [Fact]
    public void Observe_NoThrottling_NeverGoesBelowTheTarget()
    {
        var interval = Auto();
        for (var i = 0; i < 100; i++)
        {
            interval.Observe(0);
        }

        interval.Next(30_000, 0).Should().Be(interval.Target(30_000, 0));
    }

    private static AdaptivePollInterval Auto() => new(new GraphOptions(), 650);
}
