using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>
/// The members of a <c>POST /v1/responses</c> body that the parser and its readers take, found in one pass over the
/// body instead of one scan per name (<c>default</c> when absent; the last of a repeated name wins, as with a lookup).
/// </summary>
internal struct ResponsesRootMembers
{
    public JsonElement Model;

    public JsonElement Stream;

    public JsonElement Store;

    public JsonElement PreviousResponseId;

    public JsonElement Instructions;

    public JsonElement Metadata;

    public JsonElement Temperature;

    public JsonElement TopP;

    public JsonElement MaxOutputTokens;

    public JsonElement User;

    public JsonElement Conversation;

    public JsonElement Prompt;

    public JsonElement Background;

    public JsonElement Input;

    public JsonElement Tools;

    public JsonElement ParallelToolCalls;

    public JsonElement ToolChoice;

    public JsonElement Text;

    public static ResponsesRootMembers Read(JsonElement root)
    {
        var members = default(ResponsesRootMembers);
        foreach (var member in root.EnumerateObject())
        {
            var name = RequestFields.Name(member);
            if (name.SequenceEqual("model"u8))
            {
                members.Model = member.Value;
            }
            else if (name.SequenceEqual("stream"u8))
            {
                members.Stream = member.Value;
            }
            else if (name.SequenceEqual("store"u8))
            {
                members.Store = member.Value;
            }
            else if (name.SequenceEqual("previous_response_id"u8))
            {
                members.PreviousResponseId = member.Value;
            }
            else if (name.SequenceEqual("instructions"u8))
            {
                members.Instructions = member.Value;
            }
            else if (name.SequenceEqual("metadata"u8))
            {
                members.Metadata = member.Value;
            }
            else if (name.SequenceEqual("temperature"u8))
            {
                members.Temperature = member.Value;
            }
            else if (name.SequenceEqual("top_p"u8))
            {
                members.TopP = member.Value;
            }
            else if (name.SequenceEqual("max_output_tokens"u8))
            {
                members.MaxOutputTokens = member.Value;
            }
            else if (name.SequenceEqual("user"u8))
            {
                members.User = member.Value;
            }
            else if (name.SequenceEqual("conversation"u8))
            {
                members.Conversation = member.Value;
            }
            else if (name.SequenceEqual("prompt"u8))
            {
                members.Prompt = member.Value;
            }
            else if (name.SequenceEqual("background"u8))
            {
                members.Background = member.Value;
            }
            else if (name.SequenceEqual("input"u8))
            {
                members.Input = member.Value;
            }
            else if (name.SequenceEqual("tools"u8))
            {
                members.Tools = member.Value;
            }
            else if (name.SequenceEqual("parallel_tool_calls"u8))
            {
                members.ParallelToolCalls = member.Value;
            }
            else if (name.SequenceEqual("tool_choice"u8))
            {
                members.ToolChoice = member.Value;
            }
            else if (name.SequenceEqual("text"u8))
            {
                members.Text = member.Value;
            }
        }

        return members;
    }
}
