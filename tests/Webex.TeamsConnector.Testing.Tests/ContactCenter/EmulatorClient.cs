using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace Webex.TeamsConnector.Testing.Tests.ContactCenter;

/// <summary>A raw HTTP client of the emulator (no adapter), and the emulator itself on a fake clock.</summary>
internal sealed class EmulatorClient : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private EmulatorClient(ContactCenterEmulator wxcc, FakeTimeProvider time)
    {
        Wxcc = wxcc;
        Time = time;
    }

    public ContactCenterEmulator Wxcc { get; }

    public FakeTimeProvider Time { get; }

    public HttpClient Http { get; } = new();

    public static async Task<EmulatorClient> StartAsync(Action<ContactCenterEmulatorOptions>? configure = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 9, 0, 0, TimeSpan.Zero));
        var options = new ContactCenterEmulatorOptions { TimeProvider = time };
        configure?.Invoke(options);
        return new EmulatorClient(await ContactCenterEmulator.StartAsync(options), time);
    }

    public async Task<HttpResponseMessage> TokenAsync(string? refreshToken = null, string? secret = null) =>
        await Http.PostAsync(Wxcc.TokenUrl, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "refresh_token",
            ["client_id"] = Wxcc.ClientId,
            ["client_secret"] = secret ?? Wxcc.ClientSecret,
            ["refresh_token"] = refreshToken ?? Wxcc.RefreshToken,
        }));

    public async Task AuthorizeAsync()
    {
        using var response = await TokenAsync();
        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", doc.RootElement.GetProperty("access_token").GetString());
    }

    public Task<HttpResponseMessage> GetAsync(string relative) => Http.GetAsync(new Uri(Wxcc.BaseUrl, relative));

    public Task<HttpResponseMessage> PutStateAsync(string json) =>
        Http.PutAsync(new Uri(Wxcc.BaseUrl, "v1/agents/session/state"), new StringContent(json, Encoding.UTF8, "application/json"));

    public Task<HttpResponseMessage> PostJsonAsync(string relative, string json) =>
        Http.PostAsync(new Uri(Wxcc.BaseUrl, relative), new StringContent(json, Encoding.UTF8, "application/json"));

    public async Task<ClientWebSocket> ConnectAsync()
    {
        using var response = await PostJsonAsync("v1/notification/subscribe", """{"isKeepAliveEnabled":true,"clientType":"AgentDesktop","allowMultiLogin":true,"force":false}""");
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(body.GetProperty("webSocketUrl").GetString()!), CancellationToken.None);
        return socket;
    }

    public static async Task<JsonElement?> ReceiveAsync(ClientWebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None).WaitAsync(Wait);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            message.Write(buffer, 0, result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(message.ToArray()).RootElement.Clone();
            }
        }
    }

    public static Task SendKeepAliveAsync(ClientWebSocket socket) =>
        socket.SendAsync("""{"keepalive":"true"}"""u8.ToArray(), WebSocketMessageType.Text, true, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await Wxcc.DisposeAsync();
    }
}
