using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Tests.EndToEnd;

namespace Webex.TeamsConnector.Tests.Admin;

/// <summary>
/// The connector world with the admin API and dashboard mapped behind the policy <see cref="Policy"/> (role
/// <see cref="AdminRole"/>), a test authentication scheme (header <c>X-Test-Role</c> or cookie <c>test-role</c>), and,
/// when asked, an in-memory <see cref="IAuditStore"/> the test fills.
/// </summary>
internal sealed class AdminWorld : IAsyncDisposable
{
    public const string Policy = "TeamsConnectorAdmins";

    public const string AdminRole = "ConnectorAdmin";

    public const string Api = "/teams-connector/admin/api";

    private AdminWorld(ConnectorWorld world, MemoryAuditStore? audit)
    {
        World = world;
        Audit = audit;
    }

    public ConnectorWorld World { get; }

    public MemoryAuditStore? Audit { get; }

    public static async Task<AdminWorld> StartAsync(bool audit = false, Action<Dictionary<string, string?>>? settings = null, int agents = 2)
    {
        var world = await ConnectorWorld.StartAsync(agents: agents, settings: settings, startConnector: false);
        var store = audit ? new MemoryAuditStore() : null;
        world.ConfigureApp = (builder, connector) =>
        {
            connector.AddAdminApi();
            builder.Services.AddAuthentication(TestAuthHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, TestAuthHandler>(TestAuthHandler.SchemeName, null);
            builder.Services.AddAuthorization(o => o.AddPolicy(Policy, p => p.RequireRole(AdminRole)));
            if (store is not null)
            {
                builder.Services.AddSingleton<IAuditStore>(store);
            }
        };
        world.MapApp = app =>
        {
            app.MapTeamsConnectorAdmin(Policy);

            // The browser's sign-in: sets the cookie the test scheme reads and goes to the dashboard.
            app.MapGet("/test/sign-in", (Microsoft.AspNetCore.Http.HttpContext context) =>
            {
                context.Response.Cookies.Append(TestAuthHandler.Cookie, AdminRole, new Microsoft.AspNetCore.Http.CookieOptions { HttpOnly = true, SameSite = Microsoft.AspNetCore.Http.SameSiteMode.Strict });
                context.Response.Redirect("/teams-connector/dashboard");
                return Task.CompletedTask;
            });
        };
        await world.StartConnectorAsync();
        return new AdminWorld(world, store);
    }

    /// <summary>A client that authenticates with a role, or not at all (<see langword="null"/>).</summary>
    public HttpClient Client(string? role = AdminRole)
    {
        var client = new HttpClient { BaseAddress = World.AppUrl };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Add(TestAuthHandler.Header, role);
        }

        return client;
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Checks an answer is an RFC 9457 problem with the status, and returns it.</summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status)
    {
        ((int)response.StatusCode).Should().Be(status, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json");
        var problem = await ReadAsync(response);
        problem.GetProperty("status").GetInt32().Should().Be(status);
        problem.GetProperty("title").GetString().Should().NotBeNullOrWhiteSpace();
        return problem;
    }

    public static async Task<JsonElement> AgentAsync(HttpClient client, string agentId)
    {
        var agents = await ReadAsync(await client.GetAsync(Api + "/agents"));
        return agents.EnumerateArray().Single(a => a.GetProperty("agentId").GetString() == agentId);
    }

    public ValueTask DisposeAsync() => World.DisposeAsync();
}

/// <summary>Authenticates a caller from the header <c>X-Test-Role</c> or the cookie <c>test-role</c>; no role, no identity.</summary>
internal sealed class TestAuthHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Test";

    public const string Header = "X-Test-Role";

    public const string Cookie = "test-role";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var role = Request.Headers[Header].ToString();
        if (role.Length == 0)
        {
            role = Request.Cookies[Cookie] ?? string.Empty;
        }

        if (role.Length == 0)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "test-user"), new Claim(ClaimTypes.Role, role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}

/// <summary>An audit store the test fills (until the audit recorder lands, the tests write the records they expect).</summary>
internal sealed class MemoryAuditStore : IAuditStore
{
    private readonly List<AuditRecord> _records = [];

    public ValueTask AppendAsync(IReadOnlyList<AuditRecord> records, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            _records.AddRange(records);
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask<IReadOnlyList<AuditRecord>> QueryAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        lock (_records)
        {
            IReadOnlyList<AuditRecord> found = [.. _records
                .Where(r => r.OrgId == query.OrgId && (query.AgentId is null || r.AgentId == query.AgentId) && r.Time >= query.From && r.Time < query.To)
                .OrderBy(r => r.Time)
                .Take(query.Limit)];
            return ValueTask.FromResult(found);
        }
    }
}
