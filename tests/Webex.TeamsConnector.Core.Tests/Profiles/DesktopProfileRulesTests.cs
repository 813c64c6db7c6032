namespace Webex.TeamsConnector.Tests.Profiles;

public class DesktopProfileRulesTests
{
    [Theory]
    [InlineData(DesktopProfileToggle.TeamsStateSynchronization)]
    [InlineData(DesktopProfileToggle.TeamsShowUserDetails)]
    public void TeamsToggleOn_WhileAWebexToggleIsOn_IsRefused(DesktopProfileToggle toggle)
    {
        var profile = new DesktopProfile("p1", ShowUserDetailsWebex: true) { Name = "Tier 1" };

        var result = DesktopProfileRules.Set(profile, toggle, on: true);

        result.Succeeded.Should().BeFalse();
        result.Profile.Should().BeSameAs(profile);
        result.Error.Should().Be($"Cannot turn on {toggle} in desktop profile Tier 1: turn the Webex App toggles off first: Microsoft Teams and Webex App integration are exclusive.");
    }

    [Theory]
    [InlineData(DesktopProfileToggle.WebexStateSynchronization)]
    [InlineData(DesktopProfileToggle.WebexShowUserDetails)]
    public void WebexToggleOn_WhileATeamsToggleIsOn_IsRefused(DesktopProfileToggle toggle)
    {
        var profile = new DesktopProfile("p1", StateSynchronizationMS: true);

        var result = DesktopProfileRules.Set(profile, toggle, on: true);

        result.Succeeded.Should().BeFalse();
        result.Error.Should().Contain("turn the Microsoft Teams toggles off first").And.Contain("desktop profile p1");
    }

    [Fact]
    public void TeamsToggleOn_AfterWebexTogglesOff_IsAllowed()
    {
        var profile = new DesktopProfile("p1", StateSynchronizationWebex: true, ShowUserDetailsWebex: true);
        profile = DesktopProfileRules.Set(profile, DesktopProfileToggle.WebexStateSynchronization, false).Profile;
        profile = DesktopProfileRules.Set(profile, DesktopProfileToggle.WebexShowUserDetails, false).Profile;

        var result = DesktopProfileRules.Set(profile, DesktopProfileToggle.TeamsStateSynchronization, true);

        result.Succeeded.Should().BeTrue();
        result.Profile.StateSynchronizationMS.Should().BeTrue();
    }

    [Fact]
    public void TurningAToggleOff_IsAlwaysAllowed()
    {
        var profile = new DesktopProfile("p1", StateSynchronizationMS: true, ShowUserDetailsWebex: true);

        DesktopProfileRules.Set(profile, DesktopProfileToggle.TeamsStateSynchronization, false).Succeeded.Should().BeTrue();
        DesktopProfileRules.Set(profile, DesktopProfileToggle.WebexShowUserDetails, false).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void OnlyProfilesWithTeamsStateSynchronization_AreSynced()
    {
        DesktopProfileRules.MaySyncState(new DesktopProfile("p", StateSynchronizationMS: true)).Should().BeTrue();
        DesktopProfileRules.MaySyncState(new DesktopProfile("p", ShowUserDetailsMS: true)).Should().BeFalse();
        DesktopProfileRules.MaySyncState(new DesktopProfile("p", StateSynchronizationWebex: true)).Should().BeFalse();
        DesktopProfileRules.MaySyncState(null).Should().BeFalse();
    }

    [Fact]
    public void OnlyProfilesWithTeamsShowUserDetails_MaySearchExperts()
    {
        DesktopProfileRules.MaySearchExperts(new DesktopProfile("p", ShowUserDetailsMS: true)).Should().BeTrue();
        DesktopProfileRules.MaySearchExperts(new DesktopProfile("p", StateSynchronizationMS: true)).Should().BeFalse();
        DesktopProfileRules.MaySearchExperts(new DesktopProfile("p", ShowUserDetailsWebex: true)).Should().BeFalse();
        DesktopProfileRules.MaySearchExperts(null).Should().BeFalse();
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void ProfileWithTeamsAndWebexTogglesOn_IsNeitherSyncedNorAllowedToSearch(bool webexStateSync, bool webexShowDetails)
    {
        var profile = new DesktopProfile("p1", StateSynchronizationMS: true, ShowUserDetailsMS: true, webexStateSync, webexShowDetails);

        profile.HasConflictingToggles.Should().BeTrue();
        DesktopProfileRules.MaySyncState(profile).Should().BeFalse();
        DesktopProfileRules.MaySearchExperts(profile).Should().BeFalse();
    }

    [Fact]
    public void ProfileWithOnlyTeamsTogglesOn_IsSyncedAndMaySearch()
    {
        var profile = new DesktopProfile("p1", StateSynchronizationMS: true, ShowUserDetailsMS: true);

        profile.HasConflictingToggles.Should().BeFalse();
        DesktopProfileRules.MaySyncState(profile).Should().BeTrue();
        DesktopProfileRules.MaySearchExperts(profile).Should().BeTrue();
    }
}
