using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Web;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using Webex.TeamsConnector.AspNetCore;
using Webex.TeamsConnector.Testing;
using Webex.TeamsConnector.Tests.Fakes;

namespace Webex.TeamsConnector.Orleans.Tests;

/// <summary>The admin sign-in, consent and admin API of an org on a cluster: any silo serves them, the owner acts.</summary>
[Collection("Cluster")]
public class AdminClusterTests
{
    private const string Api = "/admin/api";

    [Fact]
    public async Task GrainAdminSignInStore_StateAddedOnOneSilo_IsTakenOnAnotherOnce_AndNeverAgainOnAnySilo()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 2, orgs: 1, agentsPerOrg: 1);
        var org = world.Orgs[0];
        var (a, b) = (Store(world, world.Cluster.Silos[0], org), Store(world, world.Cluster.Silos[1], org));
        a.Should().BeOfType<GrainAdminSignInStore>("each org's states are in grain storage under Orleans");
        var expires = DateTimeOffset.UtcNow.AddMinutes(15);

        (await a.TryAddAsync("state-1", new PendingAdminSignIn(AdminSignInStep.SignIn, expires) { CodeVerifier = "verifier", Nonce = "nonce" }, default)).Should().BeTrue();

        (await b.ContainsAsync("state-1", default)).Should().BeTrue("the other silo sees the state");
        var taken = await b.TryTakeAsync("state-1", default);
        taken.Should().NotBeNull();
        (taken!.Step, taken.ExpiresAt, taken.CodeVerifier, taken.Nonce).Should().Be((AdminSignInStep.SignIn, expires, "verifier", "nonce"));
        (await a.TryTakeAsync("state-1", default)).Should().BeNull("a state is taken at most once, cluster-wide");
        (await b.TryTakeAsync("state-1", default)).Should().BeNull();
        (await a.ContainsAsync("state-1", default)).Should().BeFalse();
    }

    [Fact]
    public async Task GrainAdminSignInStore_Full_RefusesMoreUntilTheExpiredOnesAreDropped()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 2, orgs: 1, agentsPerOrg: 1, settings: s => s["TeamsConnector:Orgs:org-0:Admin:MaxPendingSignIns"] = "2");
        var org = world.Orgs[0];
        var (a, b) = (Store(world, world.Cluster.Silos[0], org), Store(world, world.Cluster.Silos[1], org));
        var now = DateTimeOffset.UtcNow;

        (await a.TryAddAsync("expired", new PendingAdminSignIn(AdminSignInStep.SignIn, now.AddMinutes(-1)), default)).Should().BeTrue();
        (await b.TryAddAsync("live", new PendingAdminSignIn(AdminSignInStep.Consent, now.AddMinutes(15)), default)).Should().BeTrue();

        (await a.TryAddAsync("third", new PendingAdminSignIn(AdminSignInStep.SignIn, now.AddMinutes(15)), default)).Should().BeTrue("the expired state is dropped to make room");
        (await b.TryAddAsync("fourth", new PendingAdminSignIn(AdminSignInStep.SignIn, now.AddMinutes(15)), default)).Should().BeFalse("two unexpired states are the limit, across the silos");
        (await b.ContainsAsync("expired", default)).Should().BeFalse();
    }

    [Fact]
    public async Task AdminSignIn_StartedOnOneSilo_CompletesOnAnother_ConsentOnAThird_AndEachReplayIsRefusedOnEverySilo()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 3, orgs: 1, agentsPerOrg: 1, webhooks: true, settings: s =>
        {
            s["TeamsConnector:Orgs:org-0:Admin:InitialState"] = "NotConfigured";
            s["TeamsConnector:Orgs:org-0:Admin:ConsentRedirectUri"] = "http://127.0.0.1:9/teams-connector/admin/consent";
        });
        var org = world.Orgs[0];
        await world.WaitForOneUnitPerOrgAsync();
        var urls = await SiloUrlsAsync(world);
        org.Graph.Authority.SignInAs(new EmulatedSignIn(Guid.NewGuid().ToString(), [EntraRoles.GlobalAdministrator]));
        using var http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        using var start = await http.GetAsync($"{urls[0]}/admin/signin/start?org={org.OrgId}");
        start.StatusCode.Should().Be(HttpStatusCode.Redirect);
        using var authorize = await http.GetAsync(start.Headers.Location);
        var query = authorize.Headers.Location!.Query;
        using var signedIn = await http.GetAsync($"{urls[1]}/admin/signin{query}");

        signedIn.StatusCode.Should().Be(HttpStatusCode.Redirect, await signedIn.Content.ReadAsStringAsync());
        var consentState = HttpUtility.ParseQueryString(signedIn.Headers.Location!.Query)["state"];
        foreach (var url in urls)
        {
            using var replay = await http.GetAsync($"{url}/admin/signin{query}");
            replay.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a used sign-in state is refused on every silo");
            (await replay.Content.ReadAsStringAsync()).Should().Contain("already used");
        }

        var consent = $"/admin/consent?state={consentState}&tenant={org.Graph.TenantId}&admin_consent=True";
        using var granted = await http.GetAsync(urls[2] + consent);
        granted.StatusCode.Should().Be(HttpStatusCode.OK, await granted.Content.ReadAsStringAsync());
        world.Activations(world.RunningOn(org).Single()).Find(org.OrgId)!.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Active, "the owner's unit was authorized");
        foreach (var url in urls)
        {
            using var replay = await http.GetAsync(url + consent);
            replay.StatusCode.Should().Be(HttpStatusCode.BadRequest, "a used consent state is refused on every silo");
        }
    }

    [Fact]
    public async Task AdminApi_OrgRouteOnASiloThatDoesNotOwnTheOrg_ReachesTheOwner()
    {
        await using var world = await ClusterWorld.StartAsync(silos: 2, orgs: 2, agentsPerOrg: 1, webhooks: true);
        await world.WaitForOneUnitPerOrgAsync();
        var urls = await SiloUrlsAsync(world);
        var (target, bystander) = (world.Orgs[0], world.Orgs[1]);
        var owner = world.RunningOn(target).Single();
        var other = world.Cluster.Silos.Single(s => s.SiloAddress != owner.SiloAddress);
        var otherUrl = SiloWebhooks.Urls[other.SiloAddress];
        using var http = new HttpClient();

        var orgs = await http.GetFromJsonAsync<JsonElement>($"{otherUrl}{Api}/orgs");
        orgs.EnumerateArray().Select(o => o.GetProperty("name").GetString()).Should().BeEquivalentTo([target.OrgId, bystander.OrgId]);
        var status = await http.GetFromJsonAsync<JsonElement>($"{otherUrl}{Api}/orgs/{target.OrgId}/status");
        status.GetProperty("isSyncing").GetBoolean().Should().BeTrue("the owner's unit answers (the non-owner's container runs nothing)");
        status.GetProperty("trackedAgents").GetInt32().Should().BeGreaterThan(0);

        using var mapping = await http.PutAsync(
            $"{otherUrl}{Api}/orgs/{target.OrgId}/mapping",
            new StringContent($"{{\"mapping\":{{\"InACall\":\"{target.DndCode}\"}}}}", Encoding.UTF8, "application/json"));
        mapping.StatusCode.Should().Be(HttpStatusCode.OK, await mapping.Content.ReadAsStringAsync());
        var read = await http.GetFromJsonAsync<JsonElement>($"{SiloWebhooks.Urls[owner.SiloAddress]}{Api}/orgs/{target.OrgId}/mapping");
        read.GetProperty("source").GetString().Should().Be("admin");
        read.GetProperty("mapping").GetProperty("InACall").GetString().Should().Be(target.DndCode);

        using var deactivate = await http.PostAsync($"{otherUrl}{Api}/orgs/{target.OrgId}/connector/deactivate", new StringContent("{\"confirm\":true}", Encoding.UTF8, "application/json"));
        deactivate.StatusCode.Should().Be(HttpStatusCode.OK, await deactivate.Content.ReadAsStringAsync());
        world.Activations(owner).Find(target.OrgId)!.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Inactive, "the owner's unit was deactivated");
        var bystanderOwner = world.RunningOn(bystander).Single();
        world.Activations(bystanderOwner).Find(bystander.OrgId)!.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Active, "the other org is untouched");

        using var unknown = await http.GetAsync($"{otherUrl}{Api}/orgs/no-such-org/status");
        unknown.StatusCode.Should().Be(HttpStatusCode.NotFound);
        unknown.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    private static IAdminSignInStore Store(ClusterWorld world, SiloHandle silo, WorldOrg org) =>
        world.Cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<LocalOrgs>().Find(org.OrgId)!.Services.GetRequiredService<IAdminSignInStore>();

    private static async Task<IReadOnlyList<Uri>> SiloUrlsAsync(ClusterWorld world)
    {
        await Wait.UntilAsync(() => world.Cluster.Silos.All(s => SiloWebhooks.Urls.ContainsKey(s.SiloAddress)), "every silo serves HTTP", 30);
        return [.. world.Cluster.Silos.Select(s => SiloWebhooks.Urls[s.SiloAddress])];
    }
}
