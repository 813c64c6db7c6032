using System.Net;

namespace Webex.TeamsConnector.Testing.Tests.ContactCenter;

public sealed class ContactCenterBudgetTests
{
    [Fact]
    public async Task PeakBudgetedRequests_RequestsOverTheLimit_CountsOnlyThoseAdmitted()
    {
        await using var c = await EmulatorClient.StartAsync(o => o.RequestsPerMinute = 3);
        await c.AuthorizeAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            using var r = await c.GetAsync("v2/subscriptions");
            statuses.Add(r.StatusCode);
        }

        c.Time.Advance(TimeSpan.FromSeconds(61));
        using var later = await c.GetAsync("v2/subscriptions");

        statuses.Count(s => s == HttpStatusCode.TooManyRequests).Should().Be(2);
        later.StatusCode.Should().Be(HttpStatusCode.OK);
        c.Wxcc.BudgetedRequests.Should().Be(4);
        c.Wxcc.PeakBudgetedRequests().Should().Be(3, "no sliding minute admitted more than the limit");
    }

    [Fact]
    public async Task Users_ThirtyThousandAgents_OneAgentIsFoundByIndex()
    {
        await using var c = await EmulatorClient.StartAsync(o => o.RequestsPerMinute = 10_000);
        await c.AuthorizeAsync();
        for (var i = 0; i < 30_000; i++)
        {
            c.Wxcc.AddAgent($"agent-{i:D5}", $"agent{i}@contoso.example");
        }

        using var one = await c.GetAsync($"organization/{c.Wxcc.OrgId}/v2/user?filter=ciUserId==\"agent-29999\"");
        using var activities = await c.GetAsync($"v1/agents/activities?from={c.Time.GetUtcNow().ToUnixTimeMilliseconds() - 3_600_000}&to={c.Time.GetUtcNow().ToUnixTimeMilliseconds() + 1000}&agentIds=agent-00001,agent-29999");
        var text = await one.Content.ReadAsStringAsync();

        one.StatusCode.Should().Be(HttpStatusCode.OK);
        text.Should().Contain("agent29999@contoso.example").And.Contain("\"totalRecords\":1");
        activities.StatusCode.Should().Be(HttpStatusCode.OK);
        (await activities.Content.ReadAsStringAsync()).Should().Contain("agent-29999");
    }
}
