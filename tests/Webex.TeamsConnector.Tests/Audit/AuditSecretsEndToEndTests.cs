using System.Text;
using Webex.TeamsConnector.Tests.EndToEnd;

namespace Webex.TeamsConnector.Tests.Audit;

/// <summary>The audit trail on the emulators over real HTTP, with every secret configured: none of them is stored.</summary>
[Collection("EndToEnd")]
public class AuditSecretsEndToEndTests
{
    [Fact]
    public async Task TeamsCallAndContact_EmbeddedStoreHoldsTheDecisions_AndNoSecret()
    {
        var path = Path.Combine(Path.GetTempPath(), "teams-connector-tests", Guid.NewGuid().ToString("N"), "audit.db");
        await using var world = await ConnectorWorld.StartAsync(agents: 1, webhooks: true, notifications: true, settings: s =>
        {
            s["TeamsConnector:Audit:Enabled"] = "true";
            s["TeamsConnector:Audit:Sqlite:Path"] = path;
        });
        var ann = world.Agents[0];
        world.Graph.SetPresence(ann.TeamsUserId, "DoNotDisturb", "DoNotDisturb");
        await world.WaitForStateAsync(ann, AgentState.Idle(world.DndCode));
        world.Graph.SetPresence(ann.TeamsUserId, "Available", "Available");
        await world.WaitForStateAsync(ann, AgentState.Available);
        await world.CatchUpAsync();
        string[] secrets =
        [
            .. world.Settings.Where(p => p.Key.EndsWith("Secret", StringComparison.OrdinalIgnoreCase) || p.Key.EndsWith("Token", StringComparison.OrdinalIgnoreCase) || p.Key.EndsWith("ClientState", StringComparison.OrdinalIgnoreCase))
                .Select(p => p.Value!)
                .Where(v => !string.IsNullOrEmpty(v)),
            world.Wxcc.RefreshToken,
            ConnectorWorld.WebhookSecret,
            ConnectorWorld.GraphClientState,
        ];
        await world.StopConnectorAsync();

        await using var store = new SqliteAuditStore(new SqliteAuditStoreOptions { Path = path }, TimeProvider.System);
        var records = await store.QueryAsync(new AuditQuery(world.Wxcc.OrgId, ann.AgentId, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue.AddYears(-1), 10_000), default);
        records.Select(r => r.Rule).Should().Contain(["Engage", "Release"]);
        records.Should().Contain(r => r.Outcome == AuditOutcome.Written && r.Rule == "Engage");
        await store.DisposeAsync();

        secrets.Should().HaveCountGreaterThan(4);
        var bytes = await File.ReadAllBytesAsync(path);
        foreach (var secret in secrets.Distinct())
        {
            bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(secret)).Should().Be(-1, "a secret configured as {0} must never be stored", secret.Length + " characters");
        }
    }
}
