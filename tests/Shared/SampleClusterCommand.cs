using System.Diagnostics;

namespace Webex.TeamsConnector.TestFixtures;

/// <summary>The command line that starts one sample process as a silo of a cluster over Redis.</summary>
public static class SampleClusterCommand
{
    /// <summary>Builds the start info: <c>dotnet sample.dll --cluster redis=...,cluster=... --urls=http://127.0.0.1:0 --key=value ...</c>.</summary>
    /// <param name="sampleAssembly">The sample's built assembly.</param>
    /// <param name="redis"><c>host:port</c> of Redis.</param>
    /// <param name="cluster">The cluster id.</param>
    /// <param name="settings">Configuration keys and values passed on the command line.</param>
    /// <returns>The start info, with output and error redirected.</returns>
    public static ProcessStartInfo Create(string sampleAssembly, string redis, string cluster, IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(sampleAssembly);
        start.ArgumentList.Add("--cluster");
        start.ArgumentList.Add($"redis={redis},cluster={cluster}");
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        return start;
    }
}
