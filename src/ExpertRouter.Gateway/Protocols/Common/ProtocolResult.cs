using System.Diagnostics.CodeAnalysis;
using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>A translation's outcome: a value, or the typed error the client gets in its protocol's shape.</summary>
public readonly record struct ProtocolResult<T>(T? Value, ApiError? Error)
    where T : class
{
    [MemberNotNullWhen(true, nameof(Value))]
    [MemberNotNullWhen(false, nameof(Error))]
    public bool Succeeded => Error is null && Value is not null;

    public static implicit operator ProtocolResult<T>(T value) => new(value, null);

    public static implicit operator ProtocolResult<T>(ApiError error) => new(null, error);
}
