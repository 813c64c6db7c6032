namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>The connector's one doubling back-off.</summary>
public class BackoffTests
{
    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(3, 4)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(1_000, 60)]
    public void Doubling_FromOneSecond_DoublesPerAttemptUpToTheCap(int attempt, int seconds) =>
        Backoff.Doubling(TimeSpan.FromSeconds(1), attempt, TimeSpan.FromMinutes(1)).Should().Be(TimeSpan.FromSeconds(seconds));

    [Fact]
    public void Doubling_FirstLongerThanTheCap_IsTheFirst() =>
        Backoff.Doubling(TimeSpan.FromMinutes(5), 3, TimeSpan.FromMinutes(1)).Should().Be(TimeSpan.FromMinutes(5));

    [Fact]
    public void Doubling_ShiftPastLongRange_IsTheCapNotAWrappedValue() =>
        Backoff.Doubling(TimeSpan.FromDays(3_000), 31, TimeSpan.MaxValue).Should().Be(TimeSpan.MaxValue);
}
