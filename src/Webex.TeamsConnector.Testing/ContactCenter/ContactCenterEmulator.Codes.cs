using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Webex.TeamsConnector.Testing;

/// <summary>Idle, wrap-up and auxiliary codes: <c>GET /organization/{orgId}/v2/auxiliary-code</c>.</summary>
public sealed partial class ContactCenterEmulator
{
    /// <summary>Adds an idle code.</summary>
    /// <param name="name">The name (at most 80 characters).</param>
    /// <param name="active">Whether it is active.</param>
    /// <param name="isSystemCode">Whether it is a system code.</param>
    /// <param name="id">The id; generated when <see langword="null"/>.</param>
    /// <returns>The id.</returns>
    public string AddIdleCode(string name, bool active = true, bool isSystemCode = false, string? id = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return AddCodeLocked(name, isSystemCode, active, idle: true, id).Id;
        }
    }

    /// <summary>Adds a wrap-up code (<c>WRAP_UP_CODE</c>).</summary>
    /// <param name="name">The name.</param>
    /// <param name="id">The id; generated when <see langword="null"/>.</param>
    /// <returns>The id.</returns>
    public string AddWrapUpCode(string name, string? id = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return AddCodeLocked(name, isSystem: false, active: true, idle: false, id).Id;
        }
    }

    /// <summary>Adds an auxiliary code with any <c>workTypeCode</c>, including none or one WxCC does not define (to test how readers cope).</summary>
    /// <param name="name">The name.</param>
    /// <param name="workTypeCode">The <c>workTypeCode</c> served; omitted from the JSON when <see langword="null"/>.</param>
    /// <param name="id">The id; generated when <see langword="null"/>.</param>
    /// <returns>The id.</returns>
    public string AddAuxiliaryCode(string name, string? workTypeCode, string? id = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        lock (_gate)
        {
            return AddCodeLocked(name, isSystem: false, active: true, workTypeCode, id).Id;
        }
    }

    private (int, JsonNode?) Codes(IQueryCollection query)
    {
        lock (_gate)
        {
            return Page(query, _codes, c =>
            {
                var json = new JsonObject
                {
                    ["id"] = c.Id,
                    ["name"] = c.Name,
                    ["description"] = c.Name,
                    ["defaultCode"] = false,
                    ["active"] = c.Active,
                    ["isSystemCode"] = c.IsSystem,
                    ["createdTime"] = c.CreatedMs,
                    ["lastUpdatedTime"] = c.CreatedMs,
                };
                if (c.WorkTypeCode is not null)
                {
                    json["workTypeCode"] = c.WorkTypeCode;
                }

                return json;
            });
        }
    }

    private CodeRecord AddCodeLocked(string name, bool isSystem, bool active, bool idle, string? id) =>
        AddCodeLocked(name, isSystem, active, idle ? "IDLE_CODE" : "WRAP_UP_CODE", id);

    private CodeRecord AddCodeLocked(string name, bool isSystem, bool active, string? workTypeCode, string? id)
    {
        var code = new CodeRecord(id ?? Guid.NewGuid().ToString(), name, isSystem, active, workTypeCode, NowMs());
        _codes.Add(code);
        return code;
    }
}
