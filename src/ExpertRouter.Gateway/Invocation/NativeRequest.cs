using ExpertRouter.Core.Experts;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>
/// A client's request as its own API put it (Responses, Anthropic Messages), for the experts of a call that speak that
/// API natively: they get this body at this path, the others the call's chat body.
/// </summary>
/// <param name="Api">One of <see cref="ExpertApis"/>: the experts whose <see cref="ExpertDefinition.Apis"/> list it get this request.</param>
/// <param name="Path">The path below the expert's base URL, such as <c>/responses</c>.</param>
/// <param name="Body">The client's JSON body.</param>
/// <param name="ModelToken">The body's top-level <c>model</c> string token, rewritten to each expert's backend model name.</param>
public sealed record NativeRequest(string Api, string Path, ReadOnlyMemory<byte> Body, Range? ModelToken)
{
    /// <summary>Whether <paramref name="expert"/> gets this request rather than the chat body.</summary>
    public bool IsFor(ExpertDefinition expert) => expert.Speaks(Api);
}
