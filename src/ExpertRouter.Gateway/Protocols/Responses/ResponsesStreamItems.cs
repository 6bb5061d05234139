using System.Text;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>An output item while its stream is being rendered.</summary>
internal abstract class ItemState(string id, int outputIndex)
{
    public string Id { get; } = id;

    /// <summary>The item's place in <c>output</c>; -1 while it is not announced yet.</summary>
    public int OutputIndex { get; set; } = outputIndex;

    /// <summary>Its done events are sent; nothing more is added to it.</summary>
    public bool Closed { get; set; }

    public abstract ResponseOutputItem ToItem(string status);

    /// <summary>The item as <c>response.output_item.added</c> shows it: in progress and empty.</summary>
    public abstract ResponseOutputItem Started();
}

internal sealed class MessageState(string id, int outputIndex) : ItemState(id, outputIndex)
{
    public StringBuilder Text { get; } = new();

    public StringBuilder Refusal { get; } = new();

    public int TextPart { get; set; } = -1;

    public int RefusalPart { get; set; } = -1;

    public int PartCount { get; set; }

    public override ResponseOutputItem ToItem(string status) => new ResponseMessageItem(Id, status, Text.ToString(), Refusal.ToString());

    public override ResponseOutputItem Started() => new ResponseMessageItem(Id, "in_progress", "", "") { HasNoParts = true };
}

internal sealed class CallState(string id, string callId) : ItemState(id, -1)
{
    public string CallId { get; } = callId;

    public string? Name { get; set; }

    public StringBuilder Arguments { get; } = new();

    public override ResponseOutputItem ToItem(string status) => new ResponseFunctionCallItem(Id, status, CallId, Name ?? "", Arguments.ToString());

    public override ResponseOutputItem Started() => new ResponseFunctionCallItem(Id, "in_progress", CallId, Name ?? "", "");
}
