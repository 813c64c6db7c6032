using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Orleans.Configuration;
using Webex.TeamsConnector.Orleans;

namespace Webex.TeamsConnector.Sample;

/// <summary>
/// <c>--cluster redis=host:port[,silo-port=N][,gateway-port=N][,cluster=name]</c>: the sample becomes a silo of an Orleans
/// cluster over Redis (membership, grain storage and reminders), so that two processes on one machine form a cluster
/// and run each org listed under <c>TeamsConnector:Orgs</c> exactly once between them.
/// </summary>
internal sealed record ClusterMode(string Redis, int SiloPort, int GatewayPort, string ClusterId)
{
    public const string Option = "--cluster";

    /// <summary>Takes <c>--cluster &lt;spec&gt;</c> out of <paramref name="args"/>; lists what is wrong with it.</summary>
    public static (ClusterMode? Mode, string[] HostArgs, List<string> Errors) Parse(string[] args)
    {
        var errors = new List<string>();
        var rest = new List<string>();
        string? spec = null;
        var asked = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].Equals(Option, StringComparison.OrdinalIgnoreCase))
            {
                asked = true;
                spec = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            }
            else if (args[i].StartsWith(Option + "=", StringComparison.OrdinalIgnoreCase))
            {
                asked = true;
                spec = args[i][(Option.Length + 1)..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        if (!asked)
        {
            return (null, [.. rest], errors);
        }

        var parts = (spec ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(p => p.Split('=', 2))
            .ToDictionary(p => p[0], p => p.Length > 1 ? p[1] : "", StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("redis", out var redis) || redis.Length == 0)
        {
            errors.Add("--cluster needs a clustering provider: --cluster redis=host:port (Redis is the one this sample supports).");
        }

        foreach (var key in parts.Keys.Where(k => k is not ("redis" or "silo-port" or "gateway-port" or "cluster")))
        {
            errors.Add($"--cluster: unknown setting '{key}' (redis, silo-port, gateway-port, cluster).");
        }

        var siloPort = Port(parts, "silo-port", errors);
        var gatewayPort = Port(parts, "gateway-port", errors);
        return errors.Count > 0
            ? (null, [.. rest], errors)
            : (new ClusterMode(redis!, siloPort, gatewayPort, parts.GetValueOrDefault("cluster") is { Length: > 0 } id ? id : "teams-connector-sample"), [.. rest], errors);
    }

    /// <summary>Makes the host a silo of the cluster.</summary>
    public void Configure(WebApplicationBuilder builder)
    {
        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (ClusterId, ClusterId));
            silo.ConfigureEndpoints(IPAddress.Loopback, SiloPort, GatewayPort);
            silo.UseRedisClustering(Redis);
            silo.AddRedisGrainStorage(TeamsConnectorClusterOptions.DefaultStorageName, o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(Redis));
            silo.UseRedisReminderService(o => o.ConfigurationOptions = StackExchange.Redis.ConfigurationOptions.Parse(Redis));

            // Notice a dead silo within a few seconds (see benchmarks/results/cluster.md).
            silo.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.ExtendProbeTimeoutDuringDegradation = false;

                // Only active silos vote a silo dead. If the owner is killed while every other silo is still joining,
                // the joining silos keep validating connectivity to it until its I-am-alive row in the table is stale
                // (NumMissedTableIAmAliveLimit x IAmAliveTablePublishTimeout: 3 x 30 s by default, the 90 s failovers).
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedTableIAmAliveLimit = 2;
            });
            silo.AddTeamsConnector(o => o.KeepAliveInterval = TimeSpan.FromSeconds(1));
        });
        builder.Logging.AddFilter("Webex.TeamsConnector.Orleans", LogLevel.Information);
    }

    private static int Port(Dictionary<string, string> parts, string key, List<string> errors)
    {
        if (!parts.TryGetValue(key, out var text))
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
        {
            return port;
        }

        errors.Add($"--cluster: {key} must be a port number (1-65535).");
        return 0;
    }
}
