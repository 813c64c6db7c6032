using Microsoft.Extensions.DependencyInjection;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.Graph.Tests;

public sealed class GraphExpertDirectoryTests : IAsyncLifetime
{
    private GraphTestHost _host = null!;
    private string _ann = null!;
    private string _anna = null!;
    private string _bob = null!;

    private IExpertDirectory Directory => _host.Services.GetRequiredService<IExpertDirectory>();

    public async Task InitializeAsync()
    {
        _host = await GraphTestHost.StartAsync();
        var graph = _host.Emulator;
        _ann = graph.AddUser("Ann Lee", department: "Tax", jobTitle: "Tax advisor", businessPhone: "+41 44 668 18 00", mail: "ann.lee@contoso.example");
        _anna = graph.AddUser("Anna Berg", department: "Tax Law", jobTitle: "Lawyer", businessPhone: "0041 (44) 668-1801");
        graph.AddUser("Annika Noll", department: "Tax", jobTitle: "Tax advisor", businessPhone: "044 668 18 02"); // not international
        graph.AddUser("Annette Ohne", department: "Tax", jobTitle: "Tax advisor");                             // no phone
        _bob = graph.AddUser("Bob Stone", department: "Audit", jobTitle: "Tax auditor", businessPhone: "+1 (425) 555-0100");
        graph.SetPresence(_ann, "Busy", "InACall");
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task SearchAsync_ByName_FindsOnlyUsersWithAnE164PhoneWithDetailsAndPresence()
    {
        var experts = await Directory.SearchAsync(new ExpertQuery { Name = "ann" }, CancellationToken.None);

        experts.Select(e => e.DisplayName).Should().Equal("Ann Lee", "Anna Berg");
        var ann = experts[0];
        ann.Should().BeEquivalentTo(new
        {
            TeamsUserId = _ann,
            JobTitle = "Tax advisor",
            Department = "Tax",
            BusinessPhone = "+41446681800",
            Mail = "ann.lee@contoso.example",
        });
        ann.Presence.Should().Be(TeamsPresence.Parse("Busy", "InACall"));
        experts[1].BusinessPhone.Should().Be("+41446681801");
        _host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().Be(1, "presence is read in one batch");
    }

    [Fact]
    public async Task SearchAsync_ByDepartment_MatchesTheBeginning()
    {
        var experts = await Directory.SearchAsync(new ExpertQuery { Department = "tax" }, CancellationToken.None);

        experts.Select(e => e.TeamsUserId).Should().Equal(_ann, _anna);
    }

    [Fact]
    public async Task SearchAsync_ByJobTitle_MatchesTheBeginning()
    {
        var experts = await Directory.SearchAsync(new ExpertQuery { JobTitle = "Tax" }, CancellationToken.None);

        experts.Select(e => e.TeamsUserId).Should().Equal(_ann, _bob);
    }

    [Fact]
    public async Task SearchAsync_Combined_AppliesEveryCriterion()
    {
        var experts = await Directory.SearchAsync(new ExpertQuery { Name = "ann", Department = "Tax", JobTitle = "Law" }, CancellationToken.None);

        experts.Should().ContainSingle().Which.TeamsUserId.Should().Be(_anna);
    }

    [Fact]
    public async Task SearchAsync_ManyMatches_FollowsNextLinkUpToMaxResults()
    {
        for (var i = 0; i < 120; i++)
        {
            _host.Emulator.AddUser($"Support Agent {i}", department: "Support", businessPhone: $"+4144668{i:0000}");
        }

        var experts = await Directory.SearchAsync(new ExpertQuery { Department = "Support", MaxResults = 70 }, CancellationToken.None);

        experts.Should().HaveCount(70);
        experts.Select(e => e.DisplayName).Should().Equal(Enumerable.Range(0, 70).Select(i => $"Support Agent {i}"));
        _host.Emulator.RequestCount(GraphEmulatorOperation.ListUsers).Should().Be(1, "$top is twice MaxResults");

        var all = await Directory.SearchAsync(new ExpertQuery { Department = "Support", MaxResults = 110 }, CancellationToken.None);
        all.Should().HaveCount(110);
    }

    [Fact]
    public async Task SearchAsync_FewWithPhones_ReadsFurtherPages()
    {
        for (var i = 0; i < 60; i++)
        {
            _host.Emulator.AddUser($"Field Worker {i}", department: "Field", businessPhone: i >= 55 ? $"+4144660{i:0000}" : null);
        }

        var experts = await Directory.SearchAsync(new ExpertQuery { Department = "Field", MaxResults = 3 }, CancellationToken.None);

        experts.Select(e => e.DisplayName).Should().Equal("Field Worker 55", "Field Worker 56", "Field Worker 57");
        _host.Emulator.RequestCount(GraphEmulatorOperation.ListUsers).Should().Be(3, "pages of 25 are followed through @odata.nextLink");
    }

    [Fact]
    public async Task SearchAsync_PresenceIsCachedBriefly()
    {
        await Directory.SearchAsync(new ExpertQuery { Name = "ann" }, CancellationToken.None);
        _host.Emulator.SetPresence(_ann, "Available", "Available");
        var cached = await Directory.SearchAsync(new ExpertQuery { Name = "ann" }, CancellationToken.None);
        _host.Clock.Advance(TimeSpan.FromSeconds(31));
        var fresh = await Directory.SearchAsync(new ExpertQuery { Name = "ann" }, CancellationToken.None);

        cached[0].Presence!.Value.Activity.Should().Be(TeamsActivity.InACall);
        fresh[0].Presence!.Value.Activity.Should().Be(TeamsActivity.Available);
        _host.Emulator.RequestCount(GraphEmulatorOperation.GetPresencesByUserId).Should().Be(2);
    }

    [Fact]
    public async Task SearchAsync_PresenceUnavailable_ReturnsExpertsWithoutPresence()
    {
        _host.Emulator.Faults.FailNext(1, 500, GraphEmulatorOperation.GetPresencesByUserId);

        var experts = await Directory.SearchAsync(new ExpertQuery { Name = "ann" }, CancellationToken.None);

        experts.Should().HaveCount(2).And.OnlyContain(e => e.Presence == null);
        _host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 3040);
    }

    [Fact]
    public async Task SearchAsync_QuotesAndSearchSyntaxInInput_AreNeutralised()
    {
        var experts = await Directory.SearchAsync(new ExpertQuery { Name = "\"ann\"", Department = "Tax' or department eq 'Audit" }, CancellationToken.None);

        experts.Should().BeEmpty();
        _host.Emulator.Requests.Should().OnlyContain(r => r.StatusCode == 200);
    }

    [Fact]
    public async Task SearchAsync_NoCriterion_IsRefused()
    {
        var search = () => Directory.SearchAsync(new ExpertQuery { Name = "  " }, CancellationToken.None);

        await search.Should().ThrowAsync<ArgumentException>();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public async Task SearchAsync_MaxResultsOutOfRange_IsRefused(int max)
    {
        var search = () => Directory.SearchAsync(new ExpertQuery { Name = "ann", MaxResults = max }, CancellationToken.None);

        await search.Should().ThrowAsync<ArgumentOutOfRangeException>();
    }
}
