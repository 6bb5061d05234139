using ExpertRouter.Core.Identifiers;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// The ids the gateway mints for its clients (<c>resp_</c>, <c>msg_</c>, <c>fc_</c>, <c>call_</c>, <c>toolu_</c>),
/// drawn from an injected GUID source (<see cref="RandomIds"/> in production) so tests can make them deterministic.
/// </summary>
public sealed class ProtocolIds(Func<Guid> newGuid)
{
    /// <summary>Random ids, for production.</summary>
    public static ProtocolIds Random { get; } = new(RandomIds.NewGuid);

    /// <summary>A Responses API response: <c>resp_</c> and 32 hex digits.</summary>
    public string Response() => Next("resp_");

    /// <summary>A message: a Responses API output message item, or an Anthropic message.</summary>
    public string Message() => Next("msg_");

    /// <summary>A Responses API function_call output item's own id.</summary>
    public string FunctionCallItem() => Next("fc_");

    /// <summary>A Responses API function call's <c>call_id</c>, which the client's function_call_output refers to.</summary>
    public string Call() => Next("call_");

    /// <summary>An Anthropic tool_use block's id, which the client's tool_result refers to.</summary>
    public string ToolUse() => Next("toolu_");

    /// <summary>The prefix and the GUID's digits written into one string, not into a string of digits first.</summary>
    private string Next(string prefix) =>
        string.Create(prefix.Length + 32, (prefix, Guid: newGuid()), static (id, state) =>
        {
            state.prefix.CopyTo(id);
            state.Guid.TryFormat(id[state.prefix.Length..], out _, "N");
        });
}
