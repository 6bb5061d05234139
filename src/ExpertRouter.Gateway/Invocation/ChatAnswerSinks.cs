using System.Text;
using System.Text.Json;
using ExpertRouter.Core.Experts;
using ExpertRouter.Gateway.OpenAI;
using ExpertRouter.Gateway.OpenAI.Usage;

namespace ExpertRouter.Gateway.Invocation;

/// <summary>Keeps a whole (non-streamed) answer for reading once the call ends.</summary>
internal sealed class JsonAnswerSink : BackgroundSink, IUsageSource
{
    private readonly MemoryStream _bytes = new();

    public override bool Delivered => false;

    public ReadOnlySpan<byte> Bytes => _bytes.GetBuffer().AsSpan(0, (int)_bytes.Length);

    public UsageReport? Usage => UsageReport.FromDocument(Bytes);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _bytes.Write(bytes.Span);
        return ValueTask.CompletedTask;
    }

    public override void Reset() => _bytes.SetLength(0);
}

/// <summary>
/// Reads a streamed chat answer's server-sent events as they arrive (whatever the chunking), hands each content delta
/// on, and keeps the text, the usage, whether it ended with <c>[DONE]</c> or an error event, and the raw events (for
/// the response cache).
/// </summary>
internal sealed class ChatEventSink(Func<string, CancellationToken, ValueTask> onContent) : BackgroundSink, IUsageSource
{
    private readonly MemoryStream _raw = new();
    private readonly List<byte> _line = [];
    private bool _delivered;

    public override bool Delivered => _delivered;

    public StringBuilder Text { get; } = new();

    public (int Prompt, int Completion)? Usage { get; private set; }

    UsageReport? IUsageSource.Usage => Usage is { } usage ? new UsageReport(usage.Prompt, usage.Completion) : null;

    public bool Done { get; private set; }

    public bool ErrorEvent { get; private set; }

    public byte[] RawEvents => _raw.ToArray();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        _raw.Write(bytes.Span);
        foreach (var piece in Pieces(bytes.Span))
        {
            Text.Append(piece);
            _delivered = true;
            await onContent(piece, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The content deltas of every line the bytes complete; an unfinished line waits for the next write.</summary>
    private List<string> Pieces(ReadOnlySpan<byte> bytes)
    {
        var pieces = new List<string>();
        int newline;
        while ((newline = bytes.IndexOf((byte)'\n')) >= 0)
        {
            _line.AddRange(bytes[..newline]);
            bytes = bytes[(newline + 1)..];
            var line = Encoding.UTF8.GetString([.. _line]).TrimEnd('\r');
            _line.Clear();
            if (Read(line) is { Length: > 0 } piece)
            {
                pieces.Add(piece);
            }
        }

        _line.AddRange(bytes);
        return pieces;
    }

    public override void Reset()
    {
        _raw.SetLength(0);
        _line.Clear();
        Text.Clear();
        (Usage, Done, ErrorEvent) = (null, false, false);
    }

    /// <summary>The content delta one event line carries, if any; notes usage, the end and error events.</summary>
    private string? Read(string line)
    {
        if (!line.StartsWith("data:", StringComparison.Ordinal))
        {
            return null;
        }

        var data = line.AsSpan(5).Trim();
        if (data.SequenceEqual("[DONE]"))
        {
            Done = true;
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(data.ToString());
            var root = document.RootElement;
            if (root.TryGetProperty("error", out _))
            {
                ErrorEvent = true;
                return null;
            }

            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
                && ExpertJson.Int32(usage, "prompt_tokens") is { } prompt && ExpertJson.Int32(usage, "completion_tokens") is { } completion)
            {
                Usage = (prompt, completion);
            }

            return root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0
                && choices[0].TryGetProperty("delta", out var delta) && delta.TryGetProperty("content", out var piece) && piece.ValueKind == JsonValueKind.String
                ? piece.GetString()
                : null;
        }
        catch (JsonException)
        {
            ErrorEvent = true;
            return null;
        }
    }
}

/// <summary>Reads a whole chat completion into a call result.</summary>
internal static class ChatAnswer
{
    public static ExpertCallResult Parse(ExpertDefinition expert, ReadOnlySpan<byte> json, int promptTokens, TimeSpan elapsed)
    {
        try
        {
            var reader = new Utf8JsonReader(json);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var content = root.GetProperty("choices")[0].GetProperty("message").TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String
                ? c.GetString()!
                : "";
            var (prompt, completion) = root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
                ? (ExpertJson.Int32(usage, "prompt_tokens") ?? promptTokens, ExpertJson.Int32(usage, "completion_tokens") ?? TokenEstimate.FromText(content))
                : (promptTokens, TokenEstimate.FromText(content));
            return new ExpertCallResult(expert, ExpertCallStatus.Ok, content, prompt, completion, null, elapsed) { Body = Encoding.UTF8.GetString(json) };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or IndexOutOfRangeException)
        {
            return new ExpertCallResult(expert, ExpertCallStatus.Failed, "", 0, 0, "unreadable response", elapsed);
        }
    }
}
