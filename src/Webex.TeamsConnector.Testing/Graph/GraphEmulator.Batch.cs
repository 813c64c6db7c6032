using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>
/// JSON batching: <c>POST /$batch</c> with at most <see cref="GraphEmulatorOptions.MaxBatchRequests"/> requests, each
/// answered with its own status, headers and body as Graph does. Each request inside runs through the same faults,
/// budget and handlers as a request on its own, and counts against the budget by itself (the envelope does not), so a
/// spent budget answers 429 with <c>Retry-After</c> for the requests it refuses while the others succeed.
/// </summary>
public sealed partial class GraphEmulator
{
    private async Task<int> BatchAsync(HttpContext context)
    {
        using var document = await ReadJsonAsync(context).ConfigureAwait(false);
        if (document is null || document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("requests", out var requests) || requests.ValueKind != JsonValueKind.Array)
        {
            await WriteErrorAsync(context, 400, "BadRequest", "Invalid batch payload format: expected {\"requests\":[...]}.").ConfigureAwait(false);
            return 400;
        }

        var count = requests.GetArrayLength();
        if (count == 0 || count > _options.MaxBatchRequests)
        {
            await WriteErrorAsync(context, 400, "BadRequest", $"A batch holds 1 to {_options.MaxBatchRequests} requests; found {count}.").ConfigureAwait(false);
            return 400;
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var step in requests.EnumerateArray())
        {
            var id = GetString(step, "id");
            if (string.IsNullOrEmpty(id) || !ids.Add(id) || string.IsNullOrEmpty(GetString(step, "method")) || string.IsNullOrEmpty(GetString(step, "url")))
            {
                await WriteErrorAsync(context, 400, "BadRequest", "Each batch request needs a unique id, a method and a url.").ConfigureAwait(false);
                return 400;
            }
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var token = authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
        var answers = new List<BatchAnswer>(count);
        foreach (var step in requests.EnumerateArray())
        {
            answers.Add(await RunBatchStepAsync(step, token).ConfigureAwait(false));
        }

        await WriteJsonAsync(context, 200, w =>
        {
            w.WriteStartArray("responses");
            foreach (var answer in answers)
            {
                w.WriteStartObject();
                w.WriteString("id", answer.Id);
                w.WriteNumber("status", answer.Status);
                w.WriteStartObject("headers");
                foreach (var (name, value) in answer.Headers)
                {
                    w.WriteString(name, value);
                }

                w.WriteEndObject();
                if (answer.Body.Length > 0)
                {
                    w.WritePropertyName("body");
                    w.WriteRawValue(answer.Body, skipInputValidation: false);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }).ConfigureAwait(false);
        return 200;
    }

    private async Task<BatchAnswer> RunBatchStepAsync(JsonElement step, string? token)
    {
        var id = GetString(step, "id")!;
        var method = GetString(step, "method")!.ToUpperInvariant();
        var url = GetString(step, "url")!;
        var arrived = _tenant.Now;
        var question = url.IndexOf('?', StringComparison.Ordinal);
        var pathPart = (question < 0 ? url : url[..question]).TrimStart('/');
        var path = "/v1.0/" + pathPart;
        var segments = pathPart.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var operation = Uri.IsWellFormedUriString(url, UriKind.Absolute) || segments.Length == 0 ? GraphEmulatorOperation.Other : Classify(method, segments);

        var inner = new DefaultHttpContext();
        inner.Request.Method = method;
        inner.Request.Path = path;
        inner.Request.QueryString = question < 0 ? QueryString.Empty : new QueryString(url[question..]);
        if (step.TryGetProperty("headers", out var headers) && headers.ValueKind == JsonValueKind.Object)
        {
            foreach (var header in headers.EnumerateObject())
            {
                inner.Request.Headers[header.Name] = header.Value.ValueKind == JsonValueKind.String ? header.Value.GetString() : header.Value.GetRawText();
            }
        }

        if (step.TryGetProperty("body", out var body) && body.ValueKind != JsonValueKind.Null)
        {
            var bytes = Encoding.UTF8.GetBytes(body.GetRawText());
            inner.Request.Body = new MemoryStream(bytes);
            inner.Request.ContentLength = bytes.Length;
            inner.Request.ContentType ??= "application/json";
        }

        using var output = new MemoryStream();
        inner.Response.Body = output;
        var budgeted = false;
        if (operation is GraphEmulatorOperation.Other or GraphEmulatorOperation.Batch)
        {
            await WriteErrorAsync(inner, 400, "BadRequest", $"Unsupported request in a batch: {method} {url}").ConfigureAwait(false);
        }
        else if (Faults.Take(operation) is { } fault)
        {
            if (fault.Kind == GraphEmulatorFaults.FaultKind.Throttle)
            {
                if (fault.RetryAfter is { } retryAfter)
                {
                    inner.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                }

                await WriteErrorAsync(inner, 429, "TooManyRequests", "Too many requests (injected fault).").ConfigureAwait(false);
            }
            else
            {
                // A dropped connection has no meaning inside a batch: the step fails as a gateway timeout.
                var status = fault.Kind == GraphEmulatorFaults.FaultKind.Drop ? 504 : fault.StatusCode;
                await WriteErrorAsync(inner, status, "ServiceUnavailable", "Injected fault.").ConfigureAwait(false);
            }
        }
        else if (IsBudgeted(operation) && TakeBudget() is { } wait)
        {
            await WriteThrottledAsync(inner, wait).ConfigureAwait(false);
        }
        else
        {
            budgeted = IsBudgeted(operation);
            await DispatchAsync(inner, operation, segments).ConfigureAwait(false);
        }

        Record(operation, arrived, inner.Response.StatusCode, path, token, budgeted, insideBatch: true);
        var answerHeaders = new List<(string, string)>();
        if (inner.Response.ContentType is { Length: > 0 } contentType)
        {
            answerHeaders.Add(("Content-Type", contentType));
        }

        if (inner.Response.Headers.RetryAfter.ToString() is { Length: > 0 } retry)
        {
            answerHeaders.Add(("Retry-After", retry));
        }

        return new BatchAnswer(id, inner.Response.StatusCode, answerHeaders, output.ToArray());
    }

    private sealed record BatchAnswer(string Id, int Status, List<(string Name, string Value)> Headers, byte[] Body);
}
