namespace ExpertRouter.Simulation;

/// <summary>
/// One answer, as the pieces that are streamed one per SSE event (each piece is one token, or about four characters
/// of a replayed response) and the usage that is reported for it.
/// </summary>
internal sealed class SimulatedAnswer
{
    private SimulatedAnswer(ReadOnlyMemory<char>[] pieces, int pieceCount, int completionTokens, string finishReason, SimulatedToolCall? toolCall)
    {
        Pieces = pieces;
        PieceCount = pieceCount;
        CompletionTokens = completionTokens;
        FinishReason = finishReason;
        ToolCall = toolCall;
    }

    /// <summary>Content pieces, or the argument fragments of <see cref="ToolCall"/>; only the first <see cref="PieceCount"/> are sent.</summary>
    public ReadOnlyMemory<char>[] Pieces { get; }

    public int PieceCount { get; }

    public int CompletionTokens { get; }

    /// <summary>"stop", "length" or "tool_calls".</summary>
    public string FinishReason { get; }

    public SimulatedToolCall? ToolCall { get; }

    public int TextLength
    {
        get
        {
            var length = 0;
            for (var i = 0; i < PieceCount; i++)
            {
                length += Pieces[i].Length;
            }

            return length;
        }
    }

    /// <summary>The sent pieces joined: the text, or the tool call's arguments.</summary>
    public string Text() => string.Concat(Pieces.Take(PieceCount).Select(piece => piece.ToString()));

    /// <summary>Cut short by the token limit: a tool call's arguments are then not whole JSON.</summary>
    public bool IsCut => FinishReason == "length";

    /// <summary>Cuts the answer at <paramref name="maxTokens"/> the way OpenAI does: finish_reason "length".</summary>
    public static SimulatedAnswer Create(ReadOnlyMemory<char>[] pieces, int completionTokens, int? maxTokens, SimulatedToolCall? toolCall = null)
    {
        var finish = toolCall is null ? "stop" : "tool_calls";
        if (maxTokens is { } limit && limit < completionTokens)
        {
            return new SimulatedAnswer(pieces, Math.Min(limit, pieces.Length), limit, "length", toolCall);
        }

        return new SimulatedAnswer(pieces, pieces.Length, completionTokens, finish, toolCall);
    }

    /// <summary>Slices text into pieces of about four characters (one estimated token), never splitting a surrogate pair.</summary>
    public static ReadOnlyMemory<char>[] Slice(string text)
    {
        var pieces = new List<ReadOnlyMemory<char>>((text.Length + 3) / 4);
        var start = 0;
        while (start < text.Length)
        {
            var length = Math.Min(4, text.Length - start);
            if (start + length < text.Length && char.IsHighSurrogate(text[start + length - 1]))
            {
                length++;
            }

            pieces.Add(text.AsMemory(start, length));
            start += length;
        }

        return [.. pieces];
    }
}

internal sealed record SimulatedToolCall(string Id, string Name);
