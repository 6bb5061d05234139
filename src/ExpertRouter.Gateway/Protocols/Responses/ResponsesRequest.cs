namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// A validated <c>POST /v1/responses</c> request, already in chat-completions terms: the input items as chat
/// messages and the chat options, plus what the response side echoes back.
/// </summary>
public sealed record ResponsesRequest
{
    /// <summary>The model the client asked for (e.g. <c>auto</c>), carried into the chat body unchanged.</summary>
    public required string Model { get; init; }

    public bool Stream { get; init; }

    /// <summary><c>store</c> (default true): whether the response is kept for a later <c>previous_response_id</c>.</summary>
    public bool Store { get; init; } = true;

    public string? PreviousResponseId { get; init; }

    /// <summary>Sent as a system message first; not carried to later turns, as OpenAI does not carry them either.</summary>
    public string? Instructions { get; init; }

    /// <summary>The input items as a JSON array of chat messages (UTF-8), spliced into the chat body as they are.</summary>
    public required byte[] InputMessagesJson { get; init; }

    /// <summary>Call ids of <c>function_call_output</c> items whose call is not in the input: it must be in the history.</summary>
    public IReadOnlyList<string> CallIdsFromHistory { get; init; } = [];

    /// <summary>
    /// A JSON object (UTF-8) of the chat options (tools, tool_choice, response_format, sampling, limits, stream), whose
    /// members are spliced into the chat body as they are.
    /// </summary>
    public required byte[] ChatOptionsJson { get; init; }

    /// <summary>Request members a <c>response</c> object repeats.</summary>
    public required ResponsesEcho Echo { get; init; }

    /// <summary>Characters of instructions and input text, for an estimate of input tokens before usage is known.</summary>
    public int PromptCharacters { get; init; }
}

/// <summary>The request members a Responses API <c>response</c> object reports back, as the client sent them.</summary>
public sealed record ResponsesEcho
{
    public string? Instructions { get; init; }

    /// <summary>The metadata object as JSON (<c>{}</c> when absent).</summary>
    public string MetadataJson { get; init; } = "{}";

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    public int? MaxOutputTokens { get; init; }

    public bool ParallelToolCalls { get; init; } = true;

    /// <summary>tool_choice as JSON (<c>"auto"</c> when absent).</summary>
    public string ToolChoiceJson { get; init; } = "\"auto\"";

    /// <summary>The function tools as JSON, in the Responses API's shape (<c>[]</c> when absent).</summary>
    public string ToolsJson { get; init; } = "[]";

    /// <summary>The <c>text</c> configuration as JSON.</summary>
    public string TextJson { get; init; } = """{"format":{"type":"text"}}""";

    public string? User { get; init; }
}
