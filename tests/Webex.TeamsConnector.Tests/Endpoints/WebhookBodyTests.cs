using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Webex.TeamsConnector.ContactCenter;

namespace Webex.TeamsConnector.Tests.Endpoints;

/// <summary>Both webhooks under lying lengths, held, oversized and slow bodies, over raw sockets on loopback.</summary>
[Collection("EndToEnd")]
public class WebhookBodyTests
{
    private const int Limit = 4096;

    private static byte[] Spaces(int count) => Encoding.ASCII.GetBytes(new string(' ', count));

    private static byte[] Chunk(byte[] data) =>
        [.. Encoding.ASCII.GetBytes(data.Length.ToString("x", System.Globalization.CultureInfo.InvariantCulture) + "\r\n"), .. data, .. "\r\n"u8];

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Webhook_DeclaredLengthOverLimit_NoBodySent_IsRefused413AtOnce(bool graph)
    {
        await using var host = await WebhookHost.StartAsync(graphBodyLimit: Limit, wxccBodyLimit: Limit);

        using var request = await host.SendAsync(graph ? WebhookHost.GraphPath : WebhookHost.WebexPath, "Content-Length: 20000000\r\n", []);

        (await request.StatusAsync()).Should().Be(413, "the declared length alone is over the limit; nothing needs to be read");
        if (graph)
        {
            host.GraphRejections.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags["reason"], "too-large"));
        }
        else
        {
            host.App.Services.GetRequiredService<WxccWebhookProcessor>().Rejected.Should().Be(1);
        }
    }

    [Fact]
    public async Task GraphWebhook_LyingLength_LimitPlusOneSentAndHeld_IsAnsweredWithoutWaitingForMore()
    {
        // The case: a client declares 20 MB, sends the limit plus one byte and holds the connection. The old
        // reader grew its pooled buffer to twice the limit and waited for it to fill.
        await using var host = await WebhookHost.StartAsync(graphBodyLimit: Limit);

        using var request = await host.SendAsync(WebhookHost.GraphPath, "Transfer-Encoding: chunked\r\n", Chunk(Spaces(Limit + 1)));

        (await request.StatusAsync()).Should().Be(413);
        host.GraphRejections.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags["reason"], "too-large"));
    }

    [Fact]
    public async Task WxccWebhook_ChunkedBodyPastTheLimit_IsAnswered413WhileTheClientStillSends()
    {
        await using var host = await WebhookHost.StartAsync(wxccBodyLimit: Limit);

        using var request = await host.SendAsync(WebhookHost.WebexPath, "Transfer-Encoding: chunked\r\n", Chunk(Spaces(Limit + 1)));

        (await request.StatusAsync()).Should().Be(413);
        host.App.Services.GetRequiredService<WxccWebhookProcessor>().Rejected.Should().Be(1);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Webhook_BodyOverKestrelsLimit_BadHttpRequestIsCaught_OneLineNoStackTrace_Counted(bool graph)
    {
        await using var host = await WebhookHost.StartAsync(o => o.Limits.MaxRequestBodySize = 2048, graphBodyLimit: Limit, wxccBodyLimit: Limit);

        using var request = await host.SendAsync(graph ? WebhookHost.GraphPath : WebhookHost.WebexPath, "Transfer-Encoding: chunked\r\n", Chunk(Spaces(3000)));

        (await request.StatusAsync()).Should().Be(413);
        AssertOneConciseRefusal(host, graph, "too-large");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Webhook_BodySentTooSlowly_BadHttpRequestIsCaught_Answered408_Counted(bool graph)
    {
        await using var host = await WebhookHost.StartAsync(
            o => o.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 1000, gracePeriod: TimeSpan.FromSeconds(2)),
            graphBodyLimit: Limit,
            wxccBodyLimit: Limit);

        // Ten bytes of a declared thousand, then nothing: Kestrel's data-rate check ends the read; the answer is the event.
        using var request = await host.SendAsync(graph ? WebhookHost.GraphPath : WebhookHost.WebexPath, "Content-Length: 1000\r\n", Spaces(10));

        (await request.StatusAsync(timeoutSeconds: 30)).Should().Be(408);
        AssertOneConciseRefusal(host, graph, "too-slow");
    }

    [Fact]
    public async Task GraphWebhook_ForgedRequestWithTenThousandBadItems_CountsEachItem_WritesOneWarning()
    {
        await using var host = await WebhookHost.StartAsync(graphBodyLimit: 8 * 1024 * 1024);
        var items = new JsonArray();
        for (var i = 0; i < 10_000; i++)
        {
            items.Add(new JsonObject
            {
                ["subscriptionId"] = Guid.NewGuid().ToString(),
                ["clientState"] = "forged",
                ["changeType"] = "updated",
                ["resource"] = "communications/presences/" + Guid.NewGuid(),
            });
        }

        var body = Encoding.UTF8.GetBytes(new JsonObject { ["value"] = items }.ToJsonString());
        using var request = await host.SendAsync(WebhookHost.GraphPath, $"Content-Length: {body.Length}\r\n", body);

        ((await request.StatusAsync()) / 100).Should().Be(2, "the request itself is well formed");
        host.GraphRejections.GetMeasurementSnapshot().Where(m => Equals(m.Tags["reason"], "clientState")).Sum(m => m.Value).Should().Be(10_000);
        var warnings = host.Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning && r.Category!.EndsWith("GraphNotificationProcessor", StringComparison.Ordinal)).ToList();
        warnings.Should().ContainSingle().Which.Message.Should().Contain("10000 of 10000").And.Contain("clientState=10000");
    }

    [Fact]
    public async Task GraphWebhook_HeldBodiesOverTheMemoryBudget_AreRefused503_AndTheBudgetIsFreedAfterwards()
    {
        const int Big = 4 * 1024 * 1024;
        await using var host = await WebhookHost.StartAsync(graphBodyLimit: Big);
        var held = new List<RawRequest>();
        try
        {
            // 32 MiB / 4 MiB = 8 bodies fit; the 9th held body cannot be buffered and is answered at once.
            for (var i = 0; i < 9; i++)
            {
                held.Add(await host.SendAsync(WebhookHost.GraphPath, $"Content-Length: {Big}\r\n", Spaces(1)));
            }

            var answers = held.Select(r => r.StatusAsync()).ToList();
            var first = await Task.WhenAny(answers);
            (await first).Should().Be(503);
            host.GraphRejections.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags["reason"], "busy"));
        }
        finally
        {
            held.ForEach(r => r.Dispose());
        }

        // The closed connections give their budget back: a body of the full limit is read and processed again.
        await ConnectorWorldWait(async () =>
        {
            using var again = await host.SendAsync(WebhookHost.GraphPath, $"Content-Length: {Big}\r\n", Encoding.ASCII.GetBytes("{\"value\":[]}" + new string(' ', Big - 12)));
            return await again.StatusAsync() == 202;
        });
    }

    private static async Task ConnectorWorldWait(Func<Task<bool>> attempt)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!await attempt())
        {
            timeout.Token.ThrowIfCancellationRequested();
        }
    }

    private static void AssertOneConciseRefusal(WebhookHost host, bool graph, string reason)
    {
        if (graph)
        {
            host.GraphRejections.GetMeasurementSnapshot().Should().ContainSingle(m => Equals(m.Tags["reason"], reason));
        }
        else
        {
            host.App.Services.GetRequiredService<WxccWebhookProcessor>().Rejected.Should().Be(1);
        }

        var problems = host.Problems();
        problems.Should().ContainSingle("one line for the refusal, nothing from the server").Which.Exception.Should().BeNull("no stack trace");
    }
}
