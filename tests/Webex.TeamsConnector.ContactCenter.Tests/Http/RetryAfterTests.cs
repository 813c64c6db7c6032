using System.Net;
using System.Net.Http.Headers;

namespace Webex.TeamsConnector.ContactCenter.Tests.Http;

public sealed class RetryAfterTests
{
    private static readonly DateTimeOffset s_now = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void RetryAfter_HttpDateWithoutADateHeader_IsMeasuredFromNow()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(s_now + TimeSpan.FromSeconds(7));

        ContactCenterHttp.RetryAfter(response, s_now).Should().Be(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public void RetryAfter_HttpDateWithADateHeader_IsMeasuredFromTheTimeProviderNotTheServersDate()
    {
        // The Date header comes from the server's (or a proxy's) clock; the wait is what is left on the connector's.
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new RetryConditionHeaderValue(s_now + TimeSpan.FromSeconds(7));
        response.Headers.Date = s_now - TimeSpan.FromDays(3650);

        ContactCenterHttp.RetryAfter(response, s_now).Should().Be(TimeSpan.FromSeconds(7));
    }

    [Fact]
    public void RetryAfter_DateInThePastOrSeconds_NeverNegative()
    {
        using var past = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        past.Headers.RetryAfter = new RetryConditionHeaderValue(s_now - TimeSpan.FromSeconds(7));
        using var seconds = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        seconds.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));

        ContactCenterHttp.RetryAfter(past, s_now).Should().Be(TimeSpan.Zero);
        ContactCenterHttp.RetryAfter(seconds, s_now).Should().Be(TimeSpan.FromSeconds(3));
    }
}
