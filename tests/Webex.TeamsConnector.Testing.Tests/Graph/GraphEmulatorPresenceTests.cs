using System.Net;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph;
using Microsoft.Graph.Communications.GetPresencesByUserId;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Graph.Users.Item.Presence.ClearPresence;
using Microsoft.Graph.Users.Item.Presence.SetPresence;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

public sealed class GraphEmulatorPresenceTests : IAsyncLifetime
{
    private const string OtherApp = "99999999-2222-4333-8444-555555555555";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 24, 8, 0, 0, TimeSpan.Zero));
    private GraphEmulator _graph = null!;
    private GraphServiceClient _client = null!;
    private string _ann = null!;

    public async Task InitializeAsync()
    {
        _graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = _time });
        _client = GraphClients.Sdk(_graph);
        _ann = _graph.AddUser("Ann Lee");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _graph.DisposeAsync();
    }

    [Fact]
    public async Task GetPresence_NewUser_IsAvailableWithASequenceNumber()
    {
        var presence = await _client.Users[_ann].Presence.GetAsync();
        var same = await _client.Communications.Presences[_ann].GetAsync();

        (presence!.Availability, presence.Activity).Should().Be(("Available", "Available"));
        presence.SequenceNumber.Should().NotBeNullOrEmpty().And.Be(same!.SequenceNumber);
        _graph.RequestCount(GraphEmulatorOperation.GetPresence).Should().Be(2);
    }

    [Fact]
    public async Task SetPresence_AsTheTeamsClient_ChangesPresenceAndItsSequenceNumber()
    {
        var before = _graph.GetPresence(_ann);

        _graph.SetPresence(_ann, "Busy", "InACall");
        var after = await _client.Users[_ann].Presence.GetAsync();

        (after!.Availability, after.Activity).Should().Be(("Busy", "InACall"));
        string.CompareOrdinal(after.SequenceNumber, before.SequenceNumber).Should().BePositive();
    }

    [Fact]
    public void SequenceNumber_IsMonotonicAndOnlyMovesOnAChange()
    {
        var seen = new List<string> { _graph.GetPresence(_ann).SequenceNumber };
        foreach (var (availability, activity) in new[] { ("Busy", "InACall"), ("Busy", "InACall"), ("Away", "Away"), ("Available", "Available") })
        {
            _graph.SetPresence(_ann, availability, activity);
            seen.Add(_graph.GetPresence(_ann).SequenceNumber);
        }

        seen[2].Should().Be(seen[1], "the same presence again is no new version");
        seen.Distinct().Should().BeInAscendingOrder(StringComparer.Ordinal);
        seen.Distinct().Should().HaveCount(4);
    }

    [Fact]
    public async Task GetPresencesByUserId_UpTo650Ids_ReturnsKnownUsersOnly()
    {
        var users = _graph.AddUsers(649);
        var ids = users.Append(_ann).ToList();
        ids.Add("0a8bf3dc-eca7-46b7-bad1-db199b62afc3"); // unknown: omitted

        var tooMany = () => Read(ids);
        (await tooMany.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(400, "651 ids are over the limit");

        var response = await Read(ids.Take(650).ToList());
        response.Should().HaveCount(650);
        response.Select(p => p.Id).Should().Equal(ids.Take(650));
    }

    [Theory]
    [InlineData("{\"ids\":[]}")]
    [InlineData("{\"ids\":[\"not-a-guid\"]}")]
    [InlineData("{\"ids\":\"x\"}")]
    [InlineData("{not json")]
    public async Task GetPresencesByUserId_BadRequest_Is400(string body)
    {
        using var http = GraphClients.Raw(_graph);

        var response = await http.PostAsync("communications/getPresencesByUserId", new StringContent(body, Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Aggregation_SessionsRankDoNotDisturbBusyAvailableAway()
    {
        _graph.SignOut(_ann);
        _graph.GetPresence(_ann).Should().Match<EmulatedPresence>(p => p.Availability == "Offline" && p.Activity == "Offline");

        await Set(GraphClients.AppId, "Away", "Away");
        _graph.GetPresence(_ann).Activity.Should().Be("Away");
        await Set(OtherApp, "Available", "Available");
        _graph.GetPresence(_ann).Activity.Should().Be("Available");
        await Set(GraphClients.AppId, "Busy", "InACall");
        _graph.GetPresence(_ann).Activity.Should().Be("InACall");
        await Set(OtherApp, "DoNotDisturb", "Presenting");
        _graph.GetPresence(_ann).Activity.Should().Be("Presenting");
        await Clear(OtherApp);
        _graph.GetPresence(_ann).Activity.Should().Be("InACall");

        _graph.GetSessions(_ann).Should().ContainSingle().Which.SessionId.Should().Be(GraphClients.AppId);
    }

    [Fact]
    public async Task Aggregation_TeamsClientCallBeatsAnAvailableSession()
    {
        _graph.SetPresence(_ann, "Busy", "InACall");

        await Set(GraphClients.AppId, "Available", "Available");

        _graph.GetPresence(_ann).Activity.Should().Be("InACall");
    }

    [Fact]
    public async Task Aggregation_PreferredPresenceBeatsEverySession()
    {
        await Set(GraphClients.AppId, "DoNotDisturb", "Presenting");

        _graph.SetPreferredPresence(_ann, "Away", "Away");
        _graph.GetPresence(_ann).Activity.Should().Be("Away");

        _graph.ClearPreferredPresence(_ann);
        _graph.GetPresence(_ann).Activity.Should().Be("Presenting");
    }

    [Fact]
    public async Task Aggregation_ExpiredSessionAndPreferredPresence_NoLongerCount()
    {
        _graph.SetPreferredPresence(_ann, "Busy", "Busy", TimeSpan.FromMinutes(10));
        await Set(GraphClients.AppId, "DoNotDisturb", "Presenting", "PT20M");

        _time.Advance(TimeSpan.FromMinutes(10));
        _graph.GetPresence(_ann).Activity.Should().Be("Presenting");
        _time.Advance(TimeSpan.FromMinutes(10));
        _graph.GetPresence(_ann).Activity.Should().Be("Available");
        _graph.GetSessions(_ann).Should().BeEmpty();
    }

    [Fact]
    public async Task SetPresence_RecordsTheSessionWithItsExpiry()
    {
        await Set(GraphClients.AppId, "Busy", "InACall", "PT1H");

        _graph.GetSessions(_ann).Should().Equal(new EmulatedPresenceSession(GraphClients.AppId, "Busy", "InACall", _time.GetUtcNow() + TimeSpan.FromHours(1)));
        _graph.RequestCount(GraphEmulatorOperation.SetPresence).Should().Be(1);
    }

    [Fact]
    public async Task SetPresence_NoDuration_DefaultsToFiveMinutes()
    {
        using var http = GraphClients.Raw(_graph);
        var body = $"{{\"sessionId\":\"{GraphClients.AppId}\",\"availability\":\"Away\",\"activity\":\"Away\"}}";

        (await http.PostAsync($"users/{_ann}/presence/setPresence", new StringContent(body, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();

        _graph.GetSessions(_ann).Single().ExpiresAt.Should().Be(_time.GetUtcNow() + TimeSpan.FromMinutes(5));
    }

    [Theory]
    [InlineData("Busy", "Busy", "PT1H")]
    [InlineData("Busy", "InAMeeting", "PT1H")]
    [InlineData("DoNotDisturb", "DoNotDisturb", "PT1H")]
    [InlineData("Offline", "OffWork", "PT1H")]
    [InlineData("Busy", "InACall", "PT4M")]
    [InlineData("Busy", "InACall", "PT4H1M")]
    public async Task SetPresence_PairOrDurationNotAccepted_Is400InvalidArgument(string availability, string activity, string duration)
    {
        var set = () => Set(GraphClients.AppId, availability, activity, duration);

        var error = (await set.Should().ThrowAsync<ODataError>()).Which;
        (error.ResponseStatusCode, error.Error!.Code).Should().Be((400, "InvalidArgument"));
        _graph.GetSessions(_ann).Should().BeEmpty();
    }

    [Fact]
    public async Task SetPresence_SessionIdNotAnApplicationId_Is400()
    {
        var set = () => Set("my-session", "Busy", "InACall");

        (await set.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(400);
    }

    [Fact]
    public async Task ClearPresence_NoSuchSession_Is404()
    {
        var clear = () => Clear(GraphClients.AppId);

        (await clear.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(404);
    }

    [Fact]
    public async Task SetPresence_UnknownUser_Is404()
    {
        var set = () => _client.Users["0a8bf3dc-eca7-46b7-bad1-db199b62afc3"].Presence.SetPresence.PostAsync(new SetPresencePostRequestBody { SessionId = GraphClients.AppId, Availability = "Busy", Activity = "InACall" });

        (await set.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(404);
    }

    private async Task<List<Microsoft.Graph.Models.Presence>> Read(List<string> ids) =>
        (await _client.Communications.GetPresencesByUserId.PostAsGetPresencesByUserIdPostResponseAsync(new GetPresencesByUserIdPostRequestBody { Ids = ids }))!.Value!;

    private Task Set(string sessionId, string availability, string activity, string duration = "PT1H") =>
        _client.Users[_ann].Presence.SetPresence.PostAsync(new SetPresencePostRequestBody
        {
            SessionId = sessionId,
            Availability = availability,
            Activity = activity,
            ExpirationDuration = System.Xml.XmlConvert.ToTimeSpan(duration),
        });

    private Task Clear(string sessionId) =>
        _client.Users[_ann].Presence.ClearPresence.PostAsync(new ClearPresencePostRequestBody { SessionId = sessionId });
}
