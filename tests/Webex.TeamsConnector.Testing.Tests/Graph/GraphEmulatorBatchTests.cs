using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Graph;
using Microsoft.Graph.Models;
using Microsoft.Kiota.Abstractions;

namespace Webex.TeamsConnector.Testing.Tests.Graph;

public sealed class GraphEmulatorBatchTests
{
    [Fact]
    public async Task Batch_TwentyUserReadsThroughTheSdk_AnswersEachWithItsOwnStatusAndBody()
    {
        await using var graph = await GraphEmulator.StartAsync();
        using var client = GraphClients.Sdk(graph);
        for (var i = 0; i < 19; i++)
        {
            graph.AddUser($"Agent {i}", mail: $"agent{i}@contoso.example");
        }

        var batch = new BatchRequestContentCollection(client);
        var steps = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            steps.Add(await batch.AddBatchRequestStepAsync(client.Users[$"agent{i}@contoso.example"].ToGetRequestInformation(r => r.QueryParameters.Select = ["id", "mail"])));
        }

        var responses = await client.Batch.PostAsync(batch);
        var statuses = await responses.GetResponsesStatusCodesAsync();
        var first = await responses.GetResponseByIdAsync<User>(steps[0]);

        statuses.Values.Count(s => s == HttpStatusCode.OK).Should().Be(19);
        statuses[steps[19]].Should().Be(HttpStatusCode.NotFound, "agent19 is not in the directory");
        first.Mail.Should().Be("agent0@contoso.example");
        first.Id.Should().NotBeNullOrEmpty();
        graph.RequestCount(GraphEmulatorOperation.Batch).Should().Be(1);
        graph.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(20, "each request inside the batch is recorded under its own operation");
    }

    [Fact]
    public async Task Batch_MoreThanTwentyRequests_IsRefusedWith400()
    {
        await using var graph = await GraphEmulator.StartAsync();
        using var http = GraphClients.Raw(graph);
        var requests = string.Join(',', Enumerable.Range(1, 21).Select(i => $"{{\"id\":\"{i}\",\"method\":\"GET\",\"url\":\"/users/u{i}@x.example\"}}"));

        using var response = await http.PostAsync("$batch", new StringContent($"{{\"requests\":[{requests}]}}", Encoding.UTF8, "application/json"));

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        graph.RequestCount(GraphEmulatorOperation.GetUser).Should().Be(0);
    }

    [Fact]
    public async Task Batch_BudgetSpentMidBatch_ThrottlesOnlyTheRequestsOverItWithRetryAfter()
    {
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-11-29T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var graph = await GraphEmulator.StartAsync(new GraphEmulatorOptions { TimeProvider = time, PresenceRequestsPerWindow = 5, ThrottleAllRequests = true });
        using var http = GraphClients.Raw(graph);
        var ids = Enumerable.Range(0, 8).Select(i => graph.AddUser($"Agent {i}", mail: $"agent{i}@contoso.example")).ToList();
        var requests = string.Join(',', Enumerable.Range(0, 8).Select(i => $"{{\"id\":\"{i}\",\"method\":\"GET\",\"url\":\"/users/agent{i}@contoso.example?$select=id\"}}"));

        using var response = await http.PostAsync("$batch", new StringContent($"{{\"requests\":[{requests}]}}", Encoding.UTF8, "application/json"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var answers = body.RootElement.GetProperty("responses").EnumerateArray().ToList();

        response.StatusCode.Should().Be(HttpStatusCode.OK, "the envelope succeeds; each request has its own status");
        answers.Select(a => a.GetProperty("status").GetInt32()).Should().Equal(200, 200, 200, 200, 200, 429, 429, 429);
        answers[5].GetProperty("headers").GetProperty("Retry-After").GetString().Should().Be("30");
        answers[0].GetProperty("body").GetProperty("id").GetString().Should().Be(ids[0]);
        graph.PeakBudgetedRequests().Should().Be(5, "refused requests and the envelope take no permit");
        graph.ThrottledRequests.Should().Be(3);
    }

    [Fact]
    public async Task Batch_InjectedFaultOnOneRequest_FailsOnlyThatRequest()
    {
        await using var graph = await GraphEmulator.StartAsync();
        using var http = GraphClients.Raw(graph);
        graph.AddUser("Ann", mail: "ann@contoso.example");
        graph.AddUser("Bob", mail: "bob@contoso.example");
        graph.Faults.FailNext(1, 503, GraphEmulatorOperation.GetUser);

        using var response = await http.PostAsync("$batch", new StringContent(
            "{\"requests\":[{\"id\":\"a\",\"method\":\"GET\",\"url\":\"users/ann@contoso.example\"},{\"id\":\"b\",\"method\":\"GET\",\"url\":\"/users/bob@contoso.example\"}]}",
            Encoding.UTF8,
            "application/json"));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        body.RootElement.GetProperty("responses").EnumerateArray().Select(a => (a.GetProperty("id").GetString(), a.GetProperty("status").GetInt32()))
            .Should().Equal(("a", 503), ("b", 200));
    }

    [Fact]
    public async Task Users_ThirtyThousand_ReadInPagesOf999AndFoundOneByOneByIndex()
    {
        await using var graph = await GraphEmulator.StartAsync();
        using var client = GraphClients.Sdk(graph);
        var ids = graph.AddUsers(30_000);

        var pages = 0;
        var read = 0;
        var page = await client.Users.GetAsync(r => { r.QueryParameters.Top = 999; r.QueryParameters.Select = ["id", "userPrincipalName"]; });
        var iterator = PageIterator<User, UserCollectionResponse>.CreatePageIterator(client, page!, _ => { read++; return true; }, r => { pages++; return r; });
        await iterator.IterateAsync();
        var last = await client.Users[ids[^1]].GetAsync();

        read.Should().Be(30_000);
        (pages + 1).Should().Be(31, "30,000 users in pages of 999");
        last!.Id.Should().Be(ids[^1]);
    }
}
