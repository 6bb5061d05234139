using ExpertRouter.Core.OpenAI;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>Turns an expert's chat stream, chunk by chunk, into one client protocol's events.</summary>
internal interface IChatStreamRenderer
{
    /// <summary>A finish_reason has arrived: the answer is whole once its usage (or the end) follows.</summary>
    bool SawFinish { get; }

    /// <summary>The expert's usage, once its usage chunk has arrived.</summary>
    TokenUsage? Usage { get; }

    /// <summary>Writes the events a chunk makes; an error when the chunk cannot be rendered (the stream then fails).</summary>
    ApiError? Render(ChatStreamChunk chunk, SseEventBuffer output);

    /// <summary>The answer ended cleanly: writes the closing events.</summary>
    void Complete(SseEventBuffer output);

    /// <summary>The expert broke mid-way: writes the protocol's failure events.</summary>
    void Fail(ApiError error, SseEventBuffer output);
}
