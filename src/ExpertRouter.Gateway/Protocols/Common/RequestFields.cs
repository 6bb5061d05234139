using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// Typed reads of request members that keep the first problem as a value (<see cref="Error"/>) instead of throwing,
/// so a parser reads every member it needs and then checks once. A member set to <c>null</c> counts as absent, as it
/// does for OpenAI and Anthropic; <c>path</c> names the member in the error.
/// </summary>
internal sealed class FieldReader
{
    public ApiError? Error { get; private set; }

    /// <summary>Records a problem found by the caller, unless an earlier one is already recorded.</summary>
    public void Fail(ApiError error) => Error ??= error;

    public string? String(JsonElement owner, string name, string path) => String(RequestFields.Get(owner, name), path);

    /// <summary>A member already looked up (<c>default</c> when absent): see <see cref="RequestFields.Get"/>.</summary>
    public string? String(JsonElement member, string path)
    {
        if (!RequestFields.Present(member))
        {
            return null;
        }

        if (member.ValueKind != JsonValueKind.String)
        {
            Fail(RequestProblems.WrongType(path, "a string", member));
            return null;
        }

        return member.GetString();
    }

    public string RequiredString(JsonElement owner, string name, string path) => RequiredString(RequestFields.Get(owner, name), path);

    public string RequiredString(JsonElement member, string path)
    {
        var value = String(member, path);
        if (!RequestFields.Present(member))
        {
            Fail(RequestProblems.Missing(path));
        }

        return value ?? "";
    }

    public double? Number(JsonElement owner, string name, string path, double min, double max) =>
        Number(RequestFields.Get(owner, name), path, min, max);

    public double? Number(JsonElement member, string path, double min, double max)
    {
        if (!RequestFields.Present(member))
        {
            return null;
        }

        if (member.ValueKind != JsonValueKind.Number)
        {
            Fail(RequestProblems.WrongType(path, "a number", member));
            return null;
        }

        var number = member.GetDouble();
        if (number < min || number > max)
        {
            Fail(RequestProblems.Invalid(path, $"must be between {min} and {max} (was {number})."));
            return null;
        }

        return number;
    }

    public int? Integer(JsonElement owner, string name, string path, int min) => Integer(RequestFields.Get(owner, name), path, min);

    public int? Integer(JsonElement member, string path, int min)
    {
        if (!RequestFields.Present(member))
        {
            return null;
        }

        if (member.ValueKind != JsonValueKind.Number || !member.TryGetInt32(out var number))
        {
            Fail(RequestProblems.WrongType(path, "an integer", member));
            return null;
        }

        if (number < min)
        {
            Fail(RequestProblems.Invalid(path, $"must be at least {min} (was {number})."));
            return null;
        }

        return number;
    }

    public bool? Boolean(JsonElement owner, string name, string path) => Boolean(RequestFields.Get(owner, name), path);

    public bool? Boolean(JsonElement member, string path)
    {
        if (!RequestFields.Present(member))
        {
            return null;
        }

        if (member.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            Fail(RequestProblems.WrongType(path, "a boolean", member));
            return null;
        }

        return member.GetBoolean();
    }

    /// <summary>An optional array or object member; <c>default</c> (Undefined) when absent or of another kind.</summary>
    public JsonElement OfKind(JsonElement owner, string name, string path, JsonValueKind kind) =>
        OfKind(RequestFields.Get(owner, name), path, kind);

    public JsonElement OfKind(JsonElement member, string path, JsonValueKind kind)
    {
        if (!RequestFields.Present(member))
        {
            return default;
        }

        if (member.ValueKind != kind)
        {
            Fail(RequestProblems.WrongType(path, kind == JsonValueKind.Array ? "an array" : "an object", member));
            return default;
        }

        return member;
    }
}

/// <summary>Reads of members whose type is not the client's problem: absent, null and wrongly typed read alike.</summary>
internal static class RequestFields
{
    /// <summary>The member, unless the owner is no object or the member is absent or null.</summary>
    public static bool TryGet(JsonElement owner, string name, out JsonElement member)
    {
        member = Get(owner, name);
        return Present(member);
    }

    /// <summary>The member as it is (null included); <c>default</c> (Undefined) when the owner is no object or lacks it.</summary>
    public static JsonElement Get(JsonElement owner, string name) =>
        owner.ValueKind == JsonValueKind.Object && owner.TryGetProperty(name, out var member) ? member : default;

    /// <summary>Whether a member looked up counts as given: a member set to null does not.</summary>
    public static bool Present(JsonElement member) => member.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);

    /// <summary>The member as a string when it is one, else null.</summary>
    public static string? StringOrNull(JsonElement owner, string name) =>
        TryGet(owner, name, out var member) && member.ValueKind == JsonValueKind.String ? member.GetString() : null;

    /// <summary>
    /// A member's name as UTF-8 for comparing with the names a reader knows, so an object's members are sorted out in
    /// one pass instead of one scan per name. Names are almost never escaped; one that is is unescaped.
    /// </summary>
    public static ReadOnlySpan<byte> Name(JsonProperty member)
    {
        var raw = JsonMarshal.GetRawUtf8PropertyName(member);
        return raw.Contains((byte)'\\') ? Encoding.UTF8.GetBytes(member.Name) : raw;
    }
}
