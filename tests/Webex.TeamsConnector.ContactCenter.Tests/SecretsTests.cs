using System.Text;
using Webex.TeamsConnector.Testing;

namespace Webex.TeamsConnector.ContactCenter.Tests;

public sealed class SecretsTests
{
    [Fact]
    public async Task AdapterAtWork_NeverWritesASecretOrTokenToTheLogs()
    {
        await using var h = await Harness.StartAsync(settings: new() { ["EventSource"] = "WebSocket", ["WebhookSecret"] = Harness.WebhookSecret });
        var initialRefreshToken = h.Wxcc.RefreshToken;
        var code = h.Wxcc.AddIdleCode("Teams call");
        var agent = h.Wxcc.AddAgent();
        h.Wxcc.SignIn(agent);
        h.RunFeed();
        h.RunOutbox();
        await h.Wxcc.WaitUntilAsync(w => w.OpenWebSockets == 1);
        var accessToken = await h.Tokens.GetAccessTokenAsync(CancellationToken.None);

        h.Wxcc.ExpireAccessTokens();
        h.OutboxPort.Enqueue(agent, AgentState.Idle(code));
        await h.NextResultAsync();
        h.OutboxPort.Enqueue(agent, AgentState.Idle("bad-code"));
        await h.NextResultAsync();
        var body = Encoding.UTF8.GetBytes("""{"id":"x","type":"agent:state_change","comciscotimestamp":1}""");
        await h.Processor.ProcessAsync(body, [KeyValuePair.Create("X-WebexCC-Signature", (string?)ContactCenterEmulator.Sign("wrong-secret-0123456789-0123456789", body))]);
        await h.StopAsync();

        var logs = h.AllLogText();
        logs.Should().NotBeEmpty();
        foreach (var secret in new[] { h.Wxcc.ClientSecret, initialRefreshToken, h.Wxcc.RefreshToken, Harness.WebhookSecret, accessToken, "emulated-access-token" })
        {
            logs.Should().NotContain(secret);
        }
    }
}
