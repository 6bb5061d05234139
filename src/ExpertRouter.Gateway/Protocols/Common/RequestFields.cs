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

    public string? String(JsonElement owner, string name, string path)
    {
        if (!RequestFields.TryGet(owner, name, out var member))
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

    public string RequiredString(JsonElement owner, string name, string path)
    {
        var present = RequestFields.TryGet(owner, name, out _);
        var value = String(owner, name, path);
        if (!present)
        {
            Fail(RequestProblems.Missing(path));
        }

        return value ?? "";
    }

    public double? Number(JsonElement owner, string name, string path, double min, double max)
    {
        if (!RequestFields.TryGet(owner, name, out var member))
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

    public int? Integer(JsonElement owner, string name, string path, int min)
    {
        if (!RequestFields.TryGet(owner, name, out var member))
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

    public bool? Boolean(JsonElement owner, string name, string path)
    {
        if (!RequestFields.TryGet(owner, name, out var member))
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
    public JsonElement OfKind(JsonElement owner, string name, string path, JsonValueKind kind)
    {
        if (!RequestFields.TryGet(owner, name, out var member))
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
        member = default;
        return owner.ValueKind == JsonValueKind.Object
            && owner.TryGetProperty(name, out member) && member.ValueKind is not (JsonValueKind.Null or JsonValueKind.Undefined);
    }

    /// <summary>The member as a string when it is one, else null.</summary>
    public static string? StringOrNull(JsonElement owner, string name) =>
        TryGet(owner, name, out var member) && member.ValueKind == JsonValueKind.String ? member.GetString() : null;
}
