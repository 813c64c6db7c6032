namespace Webex.TeamsConnector.Tests.Presence;

public class TeamsPresenceTests
{
    [Theory]
    [InlineData("Busy", "InACall", TeamsAvailability.Busy, TeamsActivity.InACall, TeamsState.InACall)]
    [InlineData("busy", "inacall", TeamsAvailability.Busy, TeamsActivity.InACall, TeamsState.InACall)]
    [InlineData("DONOTDISTURB", "PRESENTING", TeamsAvailability.DoNotDisturb, TeamsActivity.Presenting, TeamsState.Presenting)]
    [InlineData("DoNotDisturb", "DoNotDisturb", TeamsAvailability.DoNotDisturb, TeamsActivity.DoNotDisturb, TeamsState.DoNotDisturb)]
    [InlineData("Busy", "InAConferenceCall", TeamsAvailability.Busy, TeamsActivity.InAConferenceCall, TeamsState.InAConferenceCall)]
    [InlineData("Busy", "InAMeeting", TeamsAvailability.Busy, TeamsActivity.InAMeeting, TeamsState.InAMeeting)]
    [InlineData("Away", "Away", TeamsAvailability.Away, TeamsActivity.Away, TeamsState.Away)]
    [InlineData("BeRightBack", "BeRightBack", TeamsAvailability.BeRightBack, TeamsActivity.BeRightBack, TeamsState.BeRightBack)]
    [InlineData("Offline", "OffWork", TeamsAvailability.Offline, TeamsActivity.OffWork, TeamsState.Offline)]
    [InlineData("Offline", "OutOfOffice", TeamsAvailability.Offline, TeamsActivity.OutOfOffice, TeamsState.OutOfOffice)]
    [InlineData("Available", "Available", TeamsAvailability.Available, TeamsActivity.Available, TeamsState.None)]
    [InlineData("AvailableIdle", "Inactive", TeamsAvailability.AvailableIdle, TeamsActivity.Inactive, TeamsState.None)]
    [InlineData("BusyIdle", "Inactive", TeamsAvailability.BusyIdle, TeamsActivity.Inactive, TeamsState.Busy)]
    [InlineData("DoNotDisturb", "UrgentInterruptionsOnly", TeamsAvailability.DoNotDisturb, TeamsActivity.UrgentInterruptionsOnly, TeamsState.DoNotDisturb)]
    [InlineData("PresenceUnknown", "PresenceUnknown", TeamsAvailability.PresenceUnknown, TeamsActivity.PresenceUnknown, TeamsState.None)]
    [InlineData("focusing", "focusing", TeamsAvailability.Focusing, TeamsActivity.Focusing, TeamsState.Focusing)]
    [InlineData("inACall", "unknownThing", TeamsAvailability.InACall, TeamsActivity.Unknown, TeamsState.InACall)]
    public void Parse_KnownValues_AnyCasing(string availability, string activity, TeamsAvailability a, TeamsActivity b, TeamsState state)
    {
        var presence = TeamsPresence.Parse(availability, activity);

        presence.Availability.Should().Be(a);
        presence.Activity.Should().Be(b);
        presence.State.Should().Be(state);
        presence.RawAvailability.Should().Be(availability);
        presence.RawActivity.Should().Be(activity);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Sleeping")]
    [InlineData("5")]
    [InlineData("-1")]
    [InlineData("Busy,Away")]
    [InlineData("Unknown")]
    public void Parse_UnknownOrMalformed_BecomesUnknownAndKeepsTheRawText(string? value)
    {
        var presence = TeamsPresence.Parse(value, value);

        presence.Availability.Should().Be(TeamsAvailability.Unknown);
        presence.Activity.Should().Be(TeamsActivity.Unknown);
        presence.State.Should().Be(TeamsState.None);
        presence.RawAvailability.Should().Be(value);
        presence.ToString().Should().Be($"Unknown({value ?? "null"})/Unknown({value ?? "null"})");
    }

    [Fact]
    public void Parse_SurroundingWhitespace_IsIgnored()
    {
        TeamsPresence.Parse(" Busy ", "\tInACall\n").State.Should().Be(TeamsState.InACall);
    }

    [Fact]
    public void Equality_ComparesParsedValuesNotRawText()
    {
        TeamsPresence.Parse("busy", "inacall").Should().Be(TeamsPresence.Parse("Busy", "InACall"));
        (TeamsPresence.Parse("Busy", "InACall") != TeamsPresence.Parse("Busy", "Busy")).Should().BeTrue();
        TeamsPresence.Parse("Busy", "InACall").GetHashCode().Should().Be(new TeamsPresence(TeamsAvailability.Busy, TeamsActivity.InACall).GetHashCode());
    }

    [Fact]
    public void Parse_DoesNotAllocate()
    {
        TeamsPresence.Parse("Busy", "InACall");
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            TeamsPresence.Parse("busy", "InACall");
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }

    [Theory]
    [InlineData("Available", "Available", PublishedPresence.Available)]
    [InlineData("Busy", "InACall", PublishedPresence.InACall)]
    [InlineData("busy", "InAConferenceCall", PublishedPresence.InAConferenceCall)]
    [InlineData("Away", "Away", PublishedPresence.Away)]
    [InlineData("DoNotDisturb", "Presenting", PublishedPresence.Presenting)]
    public void PublishedPresence_AcceptedPairs_Parse(string availability, string activity, PublishedPresence expected)
    {
        PublishedPresenceExtensions.TryParse(availability, activity, out var parsed).Should().BeTrue();
        parsed.Should().Be(expected);
        PublishedPresenceExtensions.TryParse($"{availability}/{activity}", out var fromPair).Should().BeTrue();
        fromPair.Should().Be(expected);
        PublishedPresenceExtensions.TryParse(expected.ToPairString(), out var roundTrip).Should().BeTrue();
        roundTrip.Should().Be(expected);
    }

    [Theory]
    [InlineData("DoNotDisturb/DoNotDisturb")]
    [InlineData("Busy/Busy")]
    [InlineData("Busy/InAMeeting")]
    [InlineData("Offline/OffWork")]
    [InlineData("BeRightBack/BeRightBack")]
    [InlineData("Busy")]
    [InlineData("/InACall")]
    [InlineData("")]
    [InlineData(null)]
    public void PublishedPresence_OtherPairs_AreRefused(string? pair)
    {
        PublishedPresenceExtensions.TryParse(pair, out var parsed).Should().BeFalse();
        parsed.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void PublishedPresence_WireNames()
    {
        PublishedPresence.InACall.Availability().Should().Be("Busy");
        PublishedPresence.InACall.Activity().Should().Be("InACall");
        PublishedPresence.Presenting.Availability().Should().Be("DoNotDisturb");
        PublishedPresence.None.Availability().Should().BeEmpty();
        PublishedPresence.None.ToPairString().Should().Be("None");
    }

    [Fact]
    public void Packed_EveryAvailabilityAndActivity_HoldsTheValuesStateAndWhetherItSaysInactivity()
    {
        var availabilities = Enum.GetValues<TeamsAvailability>().Append((TeamsAvailability)300);
        var activities = Enum.GetValues<TeamsActivity>().Append((TeamsActivity)1000);
        foreach (var availability in availabilities)
        {
            foreach (var activity in activities)
            {
                var presence = new TeamsPresence(availability, activity);
                var packed = presence.Packed;

                (packed & 0xFF).Should().Be(Math.Min((uint)availability, 255u));
                ((packed >> 8) & 0xFF).Should().Be(Math.Min((uint)activity, 255u));
                ((packed >> 16) & 0xFF).Should().Be((uint)presence.State);
                ((packed & TeamsPresence.InactiveBit) != 0).Should().Be(
                    InactivityRule.IsInactive(presence, previousInactive: false), "{0}/{1}", availability, activity);
                (packed >> 25).Should().Be(0u);
            }
        }

        default(TeamsPresence).Packed.Should().Be(0u);
    }
}
