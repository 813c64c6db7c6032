namespace Webex.TeamsConnector.Tests.Sync;

/// <summary>Digital contacts (chat, email, social): tracked apart from the voice state, published per channel.</summary>
public class DigitalContactTests
{
    private static Harness WithChat(PublishedPresence chat = PublishedPresence.InAConferenceCall) =>
        new(Harness.DefaultRules() with { ChatContactPresence = chat });

    private static SyncDecision Chat(Harness h, string id, AgentState state, ContactChannel channel = ContactChannel.Chat) =>
        h.Event(AgentEvent.DigitalContactChanged(channel, id, state, h.NextEventTime()));

    [Fact]
    public void DigitalContact_ChannelWithoutPresence_PublishesNothingAndKeepsTheAgentAvailable()
    {
        var h = new Harness();
        h.Available();

        Chat(h, "c1", AgentState.Reserved).ShouldBeNone();
        Chat(h, "c1", AgentState.Engaged).ShouldBeNone();

        h.Snapshot.State.Should().Be(AgentState.Available);
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
        // The agent is still Available for the rules: a Teams call engages.
        h.TeamsCall().ShouldWrite(AgentState.Idle(Harness.CallCode), SyncRule.Engage);
    }

    [Fact]
    public void DigitalContact_ChatConfigured_PublishesOnAssignAndClearsAtEnd()
    {
        var h = WithChat();
        h.Available();

        Chat(h, "c1", AgentState.Reserved).ShouldBeNone();
        var assigned = Chat(h, "c1", AgentState.Engaged).ShouldBeSingle(SyncCommandKind.PublishPresence);
        assigned.Presence.Should().Be(PublishedPresence.InAConferenceCall);
        assigned.Reason.Rule.Should().Be(SyncRule.PublishContact);

        Chat(h, "c1", AgentState.Available).ShouldBeSingle(SyncCommandKind.ClearPresence);
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void DigitalContact_TwoChatsOneEnds_StillPublishedUntilTheLastEnds()
    {
        var h = WithChat();
        h.Available();
        Chat(h, "c1", AgentState.Engaged).ShouldBeSingle(SyncCommandKind.PublishPresence);
        Chat(h, "c2", AgentState.Engaged).ShouldBeNone();

        Chat(h, "c1", AgentState.Available).ShouldBeNone();
        h.Snapshot.Published.Should().Be(PublishedPresence.InAConferenceCall);

        Chat(h, "c2", AgentState.Available).ShouldBeSingle(SyncCommandKind.ClearPresence);
    }

    [Fact]
    public void DigitalContact_VoiceCallDuringChat_VoiceWinsThenChatReturns()
    {
        var h = WithChat();
        h.Available();
        Chat(h, "c1", AgentState.Engaged);

        h.Offer().ShouldBeNone();
        h.Answer().ShouldBeSingle(SyncCommandKind.PublishPresence).Presence.Should().Be(PublishedPresence.InACall);

        // The call ends: the chat still wants its presence, so it comes back rather than a clear.
        h.AgentSets(AgentState.Available).ShouldBeSingle(SyncCommandKind.PublishPresence).Presence.Should().Be(PublishedPresence.InAConferenceCall);
    }

    [Fact]
    public void DigitalContact_EndsDuringCall_NeverClearsTheCallPresence()
    {
        var h = WithChat();
        h.Available();
        Chat(h, "c1", AgentState.Engaged);
        h.Offer();
        h.Answer();

        Chat(h, "c1", AgentState.Available).ShouldBeNone();
        h.Snapshot.Published.Should().Be(PublishedPresence.InACall);
    }

    [Fact]
    public void DigitalContact_LateAssignAfterEnd_IsStaleAndPublishesNothing()
    {
        var h = WithChat();
        h.Available();
        var assignedAt = h.NextEventTime();
        Chat(h, "c1", AgentState.Engaged);
        Chat(h, "c1", AgentState.Available);

        h.Event(AgentEvent.DigitalContactChanged(ContactChannel.Chat, "c1", AgentState.Engaged, assignedAt)).Outcome.Should().Be(SyncOutcome.Stale);
        Chat(h, "c1", AgentState.Engaged).Outcome.Should().Be(SyncOutcome.Stale);
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void DigitalContact_PublishedChat_RefreshedBeforeExpiryAndItsEchoIgnored()
    {
        var h = WithChat(PublishedPresence.InACall);
        h.Available();
        Chat(h, "c1", AgentState.Engaged);

        h.TeamsCall().Outcome.Should().Be(SyncOutcome.Echo);
        var refresh = h.Advance(h.Rules.PublishExpiration - h.Rules.PublishRefreshMargin);

        refresh.Should().ContainSingle(c => c.Kind == SyncCommandKind.PublishPresence && c.Reason.Rule == SyncRule.RefreshPublish);
    }

    [Fact]
    public void DigitalContact_SignOut_ClearsAndForgetsOpenContacts()
    {
        var h = WithChat();
        h.Available();
        Chat(h, "c1", AgentState.Engaged);

        h.LogOut().ShouldBeSingle(SyncCommandKind.ClearPresence);
        h.LogIn(AgentState.Available);
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
    }

    [Theory]
    [InlineData(ContactChannel.Telephony, "c1")]
    [InlineData(ContactChannel.Chat, "")]
    [InlineData((ContactChannel)9, "c1")]
    public void DigitalContact_NotADigitalContact_IsRejected(ContactChannel channel, string id)
    {
        var h = WithChat();
        h.Available();

        h.Event(AgentEvent.DigitalContactChanged(channel, id, AgentState.Engaged, h.NextEventTime())).Outcome.Should().Be(SyncOutcome.Rejected);
        h.Snapshot.Published.Should().Be(PublishedPresence.None);
    }

    [Fact]
    public void DigitalContact_EmailAndChat_HigherChannelShownThenTheOther()
    {
        var h = new Harness(Harness.DefaultRules() with { ChatContactPresence = PublishedPresence.InAConferenceCall, EmailContactPresence = PublishedPresence.Away });
        h.Available();
        Chat(h, "e1", AgentState.Engaged, ContactChannel.Email).ShouldBeSingle(SyncCommandKind.PublishPresence).Presence.Should().Be(PublishedPresence.Away);
        Chat(h, "c1", AgentState.Engaged).ShouldBeSingle(SyncCommandKind.PublishPresence).Presence.Should().Be(PublishedPresence.InAConferenceCall);

        Chat(h, "c1", AgentState.Available).ShouldBeSingle(SyncCommandKind.PublishPresence).Presence.Should().Be(PublishedPresence.Away);
    }
}
