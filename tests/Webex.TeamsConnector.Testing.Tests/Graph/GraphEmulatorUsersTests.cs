using System.Net;
using Microsoft.Graph;
using Microsoft.Graph.Models.ODataErrors;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

public sealed class GraphEmulatorUsersTests : IAsyncLifetime
{
    private GraphEmulator _graph = null!;
    private GraphServiceClient _client = null!;

    public async Task InitializeAsync()
    {
        _graph = await GraphEmulator.StartAsync();
        _client = GraphClients.Sdk(_graph);
        _graph.AddUser("Ann Lee", department: "Tax", jobTitle: "Tax advisor", businessPhone: "+41 44 668 18 00", mail: "ann.lee@contoso.example");
        _graph.AddUser("Anna Berg", department: "Tax Law", jobTitle: "Lawyer");
        _graph.AddUser("Joanne Ray", department: "Audit", jobTitle: "Tax auditor");
        _graph.AddUser("Bob Stone", department: "Audit", jobTitle: "Auditor");
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _graph.DisposeAsync();
    }

    [Fact]
    public async Task StartAsync_OneLine_ListensOnLoopbackWithARandomPortUnderV1()
    {
        await using var other = await GraphEmulator.StartAsync();

        other.BaseUrl.Host.Should().Be("127.0.0.1");
        other.BaseUrl.AbsolutePath.Should().Be("/v1.0");
        other.BaseUrl.Port.Should().NotBe(_graph.BaseUrl.Port).And.BeGreaterThan(0);
    }

    [Fact]
    public async Task GetUser_ByIdOrUserPrincipalName_ReturnsTheUser()
    {
        var byUpn = await _client.Users["ann.lee@contoso.example"].GetAsync(r => r.QueryParameters.Select = ["id", "department"]);
        var byId = await _client.Users[byUpn!.Id].GetAsync();

        byUpn.Department.Should().Be("Tax");
        byId!.DisplayName.Should().Be("Ann Lee");
        byId.BusinessPhones.Should().Equal("+41 44 668 18 00");
        byId.Department.Should().BeNull("department is not among the default properties");
    }

    [Fact]
    public async Task GetUser_Unknown_Is404()
    {
        var get = () => _client.Users["nobody@contoso.example"].GetAsync();

        var error = (await get.Should().ThrowAsync<ODataError>()).Which;
        (error.ResponseStatusCode, error.Error!.Code).Should().Be((404, "Request_ResourceNotFound"));
    }

    [Fact]
    public async Task ListUsers_SearchWithoutConsistencyLevel_Is400UnsupportedQuery()
    {
        var search = () => _client.Users.GetAsync(r => r.QueryParameters.Search = "\"displayName:ann\"");

        var error = (await search.Should().ThrowAsync<ODataError>()).Which;
        (error.ResponseStatusCode, error.Error!.Code).Should().Be((400, "Request_UnsupportedQuery"));
    }

    [Fact]
    public async Task ListUsers_Search_MatchesTheBeginningOfWords()
    {
        var page = await _client.Users.GetAsync(r =>
        {
            r.Headers.Add("ConsistencyLevel", "eventual");
            r.QueryParameters.Search = "\"displayName:ann\"";
            r.QueryParameters.Count = true;
        });

        page!.Value!.Select(u => u.DisplayName).Should().Equal("Ann Lee", "Anna Berg");
        page.OdataCount.Should().Be(2);
    }

    [Theory]
    [InlineData("department eq 'tax'", new[] { "Ann Lee" })]
    [InlineData("startswith(department,'Tax')", new[] { "Ann Lee", "Anna Berg" })]
    [InlineData("startswith(jobTitle,'Tax') and department eq 'Audit'", new[] { "Joanne Ray" })]
    [InlineData("department eq 'Audit' or jobTitle eq 'Lawyer'", new[] { "Anna Berg", "Joanne Ray", "Bob Stone" })]
    [InlineData("not (department eq 'Audit')", new[] { "Ann Lee", "Anna Berg" })]
    [InlineData("startswith(displayName,'B')", new[] { "Bob Stone" })]
    public async Task ListUsers_Filter_SupportsEqStartswithAndOr(string filter, string[] expected)
    {
        var page = await _client.Users.GetAsync(r => r.QueryParameters.Filter = filter);

        page!.Value!.Select(u => u.DisplayName).Should().Equal(expected);
    }

    [Theory]
    [InlineData("city eq 'Bern'")]
    [InlineData("department eq")]
    [InlineData("department gt 'A'")]
    [InlineData("startswith(department,'Tax'")]
    public async Task ListUsers_UnsupportedFilter_Is400(string filter)
    {
        var list = () => _client.Users.GetAsync(r => r.QueryParameters.Filter = filter);

        (await list.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(400);
    }

    [Fact]
    public async Task ListUsers_Top_PagesThroughNextLink()
    {
        var page = await _client.Users.GetAsync(r => r.QueryParameters.Top = 3);
        var next = await _client.Users.WithUrl(page!.OdataNextLink!).GetAsync();

        page.Value!.Select(u => u.DisplayName).Should().Equal("Ann Lee", "Anna Berg", "Joanne Ray");
        next!.Value!.Select(u => u.DisplayName).Should().Equal("Bob Stone");
        next.OdataNextLink.Should().BeNull();
        new Uri(page.OdataNextLink!).GetLeftPart(UriPartial.Path).Should().Be(_graph.BaseUrl + "/users");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    public async Task ListUsers_TopOutOfRange_Is400(int top)
    {
        var list = () => _client.Users.GetAsync(r => r.QueryParameters.Top = top);

        (await list.Should().ThrowAsync<ODataError>()).Which.ResponseStatusCode.Should().Be(400);
    }

    [Fact]
    public async Task ListUsers_Select_ReturnsOnlyThoseFields()
    {
        using var http = GraphClients.Raw(_graph);

        var json = await http.GetStringAsync("users?$select=displayName,department&$top=1");

        json.Should().Contain("\"department\":\"Tax\"").And.Contain("\"id\"").And.NotContain("jobTitle");
    }

    [Fact]
    public async Task UnknownPath_IsAnError()
    {
        using var http = GraphClients.Raw(_graph);

        (await http.GetAsync("groups")).StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await http.GetAsync(new Uri(_graph.BaseUrl, "/beta/users"))).StatusCode.Should().Be(HttpStatusCode.NotFound);
    }

    [Fact]
    public void AddUser_DuplicateOrBadId_IsRefused()
    {
        var duplicate = () => _graph.AddUser(new EmulatedUser { DisplayName = "X", UserPrincipalName = "ann.lee@contoso.example" });
        var badId = () => _graph.AddUser(new EmulatedUser { DisplayName = "X", Id = "nope" });

        duplicate.Should().Throw<ArgumentException>();
        badId.Should().Throw<ArgumentException>();
    }
}
