using Microsoft.Extensions.DependencyInjection;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Webex.TeamsConnector.Tests.EndToEnd;

namespace Webex.TeamsConnector.Tests.Admin;

/// <summary>
/// The dashboard in a real browser: Debian's headless Chromium driven through Selenium and the system chromedriver
/// (never a downloaded browser), against the connector on the emulators. Waits are on the page's elements.
/// </summary>
[Collection("EndToEnd")]
public class DashboardBrowserTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Dashboard_DeactivateReactivateMappingEditAndTimeline_ShowWhatTheEmulatorsHold()
    {
        await using var admin = await AdminWorld.StartAsync(audit: true);
        var world = admin.World;
        var agent = world.Agents[0];
        using var driver = StartBrowser();
        var wait = new WebDriverWait(driver, s_wait);
        wait.IgnoreExceptionTypes(typeof(NoSuchElementException), typeof(StaleElementReferenceException));

        // Signed in as an administrator (the test scheme reads a cookie), then the dashboard.
        driver.Navigate().GoToUrl(new Uri(world.AppUrl, "/test/sign-in"));
        wait.Until(d => d.FindElement(By.TagName("body")).GetAttribute("data-ready") == "true");
        wait.Until(d => Text(d, "connector-state") == "Active");
        Text(driver, "presence-sync").Should().Be("On");

        // Deactivate, through its confirmation.
        driver.FindElement(By.Id("deactivate")).Click();
        wait.Until(d => d.FindElement(By.Id("confirm-dialog")).GetAttribute("open") is not null);
        Text(driver, "confirm-title").Should().Be("Deactivate the Microsoft Teams connector?");
        Text(driver, "confirm-text").Should().Contain("until you reactivate the connector");
        driver.FindElement(By.Id("confirm-ok")).Click();
        wait.Until(d => Text(d, "connector-state") == "Inactive" && Text(d, "sync-running") == "Not running");
        world.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Inactive);
        Text(driver, "sync-reason").Should().Be(world.Admin.GetStatus().Reason);
        driver.FindElement(By.Id("delete")).Enabled.Should().BeTrue("delete is offered only while inactive");

        // Reactivate, through its confirmation.
        driver.FindElement(By.Id("reactivate")).Click();
        wait.Until(d => d.FindElement(By.Id("confirm-dialog")).GetAttribute("open") is not null);
        Text(driver, "confirm-title").Should().Be("Reactivate the Microsoft Teams connector?");
        driver.FindElement(By.Id("confirm-ok")).Click();
        wait.Until(d => Text(d, "connector-state") == "Active" && Text(d, "sync-running") == "Running");
        world.Admin.GetStatus().Status.State.Should().Be(ConnectorState.Active);
        await ConnectorWorld.WaitAsync(() => world.Admin.GetStatus() is { IsSyncing: true } s && s.TrackedAgents == world.Agents.Count(a => a.Synced) + 1, "every agent is synced again");
        driver.FindElement(By.Id("delete")).Enabled.Should().BeFalse("delete is refused while active");

        // Edit the mapping: "In a call" -> Lunch, by name.
        driver.FindElement(By.CssSelector($"#map-InACall option[value='{world.LunchCode}']")).Click();
        driver.FindElement(By.Id("mapping-save")).Click();
        wait.Until(d => Text(d, "mapping-message").StartsWith("Mapping saved", StringComparison.Ordinal));
        (await world.Admin.GetIdleCodeMappingAsync(default)).Mapping["InACall"].Should().Be(world.LunchCode);

        // A Teams call: the agent goes to Lunch in WxCC, and the dashboard shows it.
        world.Graph.SetPresence(agent.TeamsUserId, "Busy", "InACall");
        await world.WaitForStateAsync(agent, AgentState.Idle(world.LunchCode));
        var row = By.CssSelector($"#agents tr[data-agent-id='{agent.AgentId}']");
        wait.Until(d => d.FindElement(row).FindElement(By.CssSelector("td.state")).Text == "Idle: Lunch"
            && d.FindElement(row).FindElement(By.CssSelector("td.presence")).Text == "Busy/InACall");
        world.Wxcc.GetState(agent.AgentId).Should().Be(AgentState.Idle(world.LunchCode));

        // The agent's timeline, as the audit trail recorded the call: the engine's decision, then the write's result.
        await admin.World.App!.Services.GetRequiredService<AuditTrail>().WaitForAsync(
            _ => admin.Audit!.QueryAsync(new AuditQuery(world.Wxcc.OrgId, agent.AgentId, DateTimeOffset.UnixEpoch, DateTimeOffset.MaxValue.AddYears(-1)), default).AsTask().Result.Any(r => r.Outcome == AuditOutcome.Written && r.Rule == "Engage"),
            TimeSpan.FromSeconds(30));
        driver.FindElement(row).FindElement(By.CssSelector("button.timeline")).Click();
        wait.Until(d => d.FindElements(By.CssSelector("#timeline li[data-rule='Engage']")).Count == 2);
        var entries = driver.FindElements(By.CssSelector("#timeline li[data-rule='Engage']")).Select(e => e.Text).ToList();
        entries[0].Should().Contain($"Available → Idle({world.LunchCode})").And.Contain($"SetIdle({world.LunchCode})").And.Contain("Sent");
        entries[1].Should().Contain($"SetIdle({world.LunchCode})").And.Contain("Written");
        Text(driver, "timeline-agent").Should().Contain(agent.AgentId);

        SaveScreenshot(driver, "dashboard.png");
    }

    private static string Text(IWebDriver driver, string id) => driver.FindElement(By.Id(id)).Text;

    internal static ChromeDriver StartBrowser()
    {
        var chromium = Environment.GetEnvironmentVariable("TEAMSCONNECTOR_TEST_CHROMIUM") is { Length: > 0 } c ? c : "/usr/bin/chromium";
        var chromedriver = Environment.GetEnvironmentVariable("TEAMSCONNECTOR_TEST_CHROMEDRIVER") is { Length: > 0 } d ? d : "/usr/bin/chromedriver";
        if (!File.Exists(chromium) || !File.Exists(chromedriver))
        {
            throw new InvalidOperationException(
                $"The browser test needs Debian's chromium ({chromium}) and chromium-driver ({chromedriver}): apt-get install chromium chromium-driver, or set TEAMSCONNECTOR_TEST_CHROMIUM / TEAMSCONNECTOR_TEST_CHROMEDRIVER.");
        }

        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(chromedriver)!, Path.GetFileName(chromedriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = chromium };
        options.AddArguments(
            "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--no-first-run",
            "--disable-extensions", "--window-size=1400,1900", "--user-data-dir=" + Path.Combine(Path.GetTempPath(), "teams-connector-chromium-" + Guid.NewGuid().ToString("N")));
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private static void SaveScreenshot(ChromeDriver driver, string name)
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Webex.TeamsConnector.sln")))
        {
            root = root.Parent;
        }

        var folder = Path.Combine(root?.FullName ?? AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, name);
        driver.GetScreenshot().SaveAsFile(path);
        new FileInfo(path).Length.Should().BeGreaterThan(10_000);
    }
}
