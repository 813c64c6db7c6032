using Microsoft.Extensions.DependencyInjection;
using Microsoft.Graph.Models.ODataErrors;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class GraphPresencePublisherTests : IAsyncLifetime
{
    private GraphTestHost _host = null!;
    private string _ann = null!;

    private ITeamsPresencePublisher Publisher => _host.Services.GetRequiredService<ITeamsPresencePublisher>();

    public async Task InitializeAsync()
    {
        _host = await GraphTestHost.StartAsync();
        _ann = _host.Emulator.AddUser("Ann Lee");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Theory]
    [InlineData(PublishedPresence.Available, "Available", "Available")]
    [InlineData(PublishedPresence.InACall, "Busy", "InACall")]
    [InlineData(PublishedPresence.InAConferenceCall, "Busy", "InAConferenceCall")]
    [InlineData(PublishedPresence.Away, "Away", "Away")]
    [InlineData(PublishedPresence.Presenting, "DoNotDisturb", "Presenting")]
    public async Task PublishAsync_AcceptedPair_CreatesTheApplicationSession(PublishedPresence presence, string availability, string activity)
    {
        await Publisher.PublishAsync(_ann, presence, TimeSpan.FromHours(1), CancellationToken.None);

        _host.Emulator.GetSessions(_ann).Should().ContainSingle().Which.Should().Be(
            new EmulatedPresenceSession(GraphTestHost.AppId, availability, activity, _host.Clock.GetUtcNow() + TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task PublishAsync_InACallWhileTeamsShowsAvailable_TeamsShowsInACall()
    {
        await Publisher.PublishAsync(_ann, PublishedPresence.InACall, TimeSpan.FromMinutes(30), CancellationToken.None);

        _host.Emulator.GetPresence(_ann).Should().Match<EmulatedPresence>(p => p.Availability == "Busy" && p.Activity == "InACall");
    }

    [Fact]
    public async Task PublishAsync_Again_RefreshesTheExpiry()
    {
        await Publisher.PublishAsync(_ann, PublishedPresence.InACall, TimeSpan.FromMinutes(5), CancellationToken.None);
        await _host.Clock.RunForAsync(TimeSpan.FromMinutes(4));
        await Publisher.PublishAsync(_ann, PublishedPresence.InACall, TimeSpan.FromMinutes(5), CancellationToken.None);
        await _host.Clock.RunForAsync(TimeSpan.FromMinutes(4));

        _host.Emulator.GetSessions(_ann).Should().ContainSingle().Which.ExpiresAt.Should().Be(_host.Clock.GetUtcNow() + TimeSpan.FromMinutes(1));
        _host.Emulator.GetPresence(_ann).Activity.Should().Be("InACall");

        // Fake time runs until the expiry, not to a fixed end: past the expiry nothing waits on the clock, so a run to a
        // fixed end would wait (on the wall clock) for a reaction that never comes.
        var expiresAt = _host.Clock.GetUtcNow() + TimeSpan.FromMinutes(1);
        await _host.Clock.RunUntilAsync(() => _host.Emulator.GetSessions(_ann).Count == 0, TimeSpan.FromMinutes(2));
        _host.Clock.GetUtcNow().Should().Be(expiresAt, "the session ends at its expiry");
        _host.Emulator.GetSessions(_ann).Should().BeEmpty("an unrefreshed session expires");
        _host.Emulator.GetPresence(_ann).Activity.Should().Be("Available");
    }

    [Fact]
    public async Task PublishAsync_None_IsRefusedWithoutARequest()
    {
        var publish = () => Publisher.PublishAsync(_ann, PublishedPresence.None, TimeSpan.FromHours(1), CancellationToken.None);

        await publish.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*Available/Available*");
        _host.Emulator.RequestCount().Should().Be(0);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(241)]
    public async Task PublishAsync_ExpirationOutOfRange_IsRefusedWithoutARequest(int minutes)
    {
        var publish = () => Publisher.PublishAsync(_ann, PublishedPresence.InACall, TimeSpan.FromMinutes(minutes), CancellationToken.None);

        await publish.Should().ThrowAsync<ArgumentOutOfRangeException>().WithMessage("*PT5M..PT4H*");
        _host.Emulator.RequestCount().Should().Be(0);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("../../subscriptions")]
    [InlineData("")]
    public async Task PublishAsync_BadUserId_IsRefused(string userId)
    {
        var publish = () => Publisher.PublishAsync(userId, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);

        await publish.Should().ThrowAsync<ArgumentException>();
        _host.Emulator.RequestCount().Should().Be(0);
    }

    [Fact]
    public async Task ClearAsync_PublishedSession_RemovesIt()
    {
        await Publisher.PublishAsync(_ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);

        await Publisher.ClearAsync(_ann, CancellationToken.None);

        _host.Emulator.GetSessions(_ann).Should().BeEmpty();
        _host.Emulator.GetPresence(_ann).Activity.Should().Be("Available");
    }

    [Fact]
    public async Task ClearAsync_NoSession_CountsAsCleared()
    {
        await Publisher.ClearAsync(_ann, CancellationToken.None);

        _host.Emulator.Requests.Should().ContainSingle().Which.StatusCode.Should().Be(404);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3020);
    }

    [Fact]
    public async Task PublishAsync_UnknownUser_ThrowsTheGraphError()
    {
        var publish = () => Publisher.PublishAsync("0a8bf3dc-eca7-46b7-bad1-db199b62afc3", PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);

        (await publish.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(404);
    }

    [Fact]
    public async Task PublishAsync_Throttled_WaitsRetryAfterThenSucceeds()
    {
        _host.Emulator.Faults.ThrottleNext(1, TimeSpan.FromSeconds(7));

        var publish = Publisher.PublishAsync(_ann, PublishedPresence.InACall, TimeSpan.FromHours(1), CancellationToken.None);
        await _host.Clock.RunUntilAsync(() => publish.IsCompleted, TimeSpan.FromMinutes(1), publish);
        await publish;

        var requests = _host.Emulator.Requests;
        requests.Select(r => r.StatusCode).Should().Equal(429, 200);
        (requests[1].At - requests[0].At).Should().Be(TimeSpan.FromSeconds(7));
    }
}
