using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>One item of a response's <c>output</c>.</summary>
internal abstract record ResponseOutputItem(string Id, string Status);

/// <summary>An assistant <c>message</c> item: an <c>output_text</c> part, a <c>refusal</c> part, or both.</summary>
internal sealed record ResponseMessageItem(string Id, string Status, string Text, string Refusal) : ResponseOutputItem(Id, Status)
{
    /// <summary>As announced by <c>response.output_item.added</c>: its parts follow in their own events.</summary>
    public bool HasNoParts { get; init; }

    /// <summary>A message that refuses and says nothing else has only its refusal part.</summary>
    public bool HasTextPart => !HasNoParts && (Text.Length > 0 || Refusal.Length == 0);

    public bool HasRefusalPart => !HasNoParts && Refusal.Length > 0;
}

/// <summary>A <c>function_call</c> item: <see cref="CallId"/> is what the client's function_call_output answers.</summary>
internal sealed record ResponseFunctionCallItem(string Id, string Status, string CallId, string Name, string Arguments) : ResponseOutputItem(Id, Status);

/// <summary>A response as it stands: in progress, completed, incomplete (and why) or failed (and with what error).</summary>
internal sealed record ResponseSnapshot(
    string Status,
    string Model,
    IReadOnlyList<ResponseOutputItem> Output,
    TokenUsage? Usage,
    string? IncompleteReason = null,
    ApiError? Error = null)
{
    public static ResponseSnapshot InProgress(string model) => new("in_progress", model, [], null);
}

/// <summary>Chat's finish_reason in Responses API terms.</summary>
internal static class ResponseStatus
{
    public static (string Status, string? IncompleteReason) FromFinishReason(string? finishReason) => finishReason switch
    {
        "length" => ("incomplete", "max_output_tokens"),
        "content_filter" => ("incomplete", "content_filter"),
        _ => ("completed", null),
    };

    /// <summary>A response's items, built from a whole answer with fresh ids; a message comes first unless the answer only calls tools.</summary>
    public static List<ResponseOutputItem> ItemsOf(AssistantTurn turn, string itemStatus, ProtocolIds ids)
    {
        var items = new List<ResponseOutputItem>();
        if (turn.Text.Length > 0 || turn.Refusal.Length > 0 || turn.ToolCalls.Count == 0)
        {
            items.Add(new ResponseMessageItem(ids.Message(), itemStatus, turn.Text, turn.Refusal));
        }

        foreach (var call in turn.ToolCalls)
        {
            items.Add(new ResponseFunctionCallItem(ids.FunctionCallItem(), itemStatus, ids.Call(), call.Name, call.Arguments));
        }

        return items;
    }
}
