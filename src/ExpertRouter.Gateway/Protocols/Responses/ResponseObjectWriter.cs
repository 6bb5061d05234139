using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols.Responses;

/// <summary>Writes a Responses API <c>response</c> object: the snapshot, and the request members it echoes.</summary>
internal static class ResponseObjectWriter
{
    public static void Write(Utf8JsonWriter json, ResponsesCall call, ResponseSnapshot snapshot)
    {
        var echo = call.Request.Echo;
        json.WriteStartObject();
        json.WriteString("id", call.ResponseId);
        json.WriteString("object", "response");
        json.WriteNumber("created_at", call.CreatedAt);
        json.WriteString("status", snapshot.Status);
        WriteError(json, snapshot);
        if (snapshot.IncompleteReason is { } reason)
        {
            json.WriteStartObject("incomplete_details");
            json.WriteString("reason", reason);
            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("incomplete_details");
        }

        json.WriteString("instructions", echo.Instructions);
        WriteNullable(json, "max_output_tokens", echo.MaxOutputTokens);
        // The echoed members are JSON the parser read or wrote itself: checking them again on every write is waste.
        json.WritePropertyName("metadata");
        json.WriteRawValue(echo.MetadataJson, skipInputValidation: true);
        json.WriteString("model", snapshot.Model);
        json.WriteStartArray("output");
        foreach (var item in snapshot.Output)
        {
            WriteItem(json, item);
        }

        json.WriteEndArray();
        json.WriteBoolean("parallel_tool_calls", echo.ParallelToolCalls);
        json.WriteString("previous_response_id", call.Request.PreviousResponseId);
        json.WriteBoolean("store", call.Request.Store);
        WriteNullable(json, "temperature", echo.Temperature);
        json.WritePropertyName("text");
        json.WriteRawValue(echo.TextJson, skipInputValidation: true);
        json.WritePropertyName("tool_choice");
        json.WriteRawValue(echo.ToolChoiceJson, skipInputValidation: true);
        json.WritePropertyName("tools");
        json.WriteRawValue(echo.ToolsJson, skipInputValidation: true);
        WriteNullable(json, "top_p", echo.TopP);
        json.WriteString("truncation", "disabled");
        WriteUsage(json, snapshot.Usage);
        if (echo.User is { } user)
        {
            json.WriteString("user", user);
        }

        json.WriteEndObject();
    }

    public static void WriteItem(Utf8JsonWriter json, ResponseOutputItem item)
    {
        json.WriteStartObject();
        json.WriteString("id", item.Id);
        switch (item)
        {
            case ResponseMessageItem message:
                json.WriteString("type", "message");
                json.WriteString("status", message.Status);
                json.WriteString("role", "assistant");
                json.WriteStartArray("content");
                if (message.HasTextPart)
                {
                    WriteTextPart(json, message.Text);
                }

                if (message.HasRefusalPart)
                {
                    WriteRefusalPart(json, message.Refusal);
                }

                json.WriteEndArray();
                break;
            case ResponseFunctionCallItem call:
                json.WriteString("type", "function_call");
                json.WriteString("status", call.Status);
                json.WriteString("arguments", call.Arguments);
                json.WriteString("call_id", call.CallId);
                json.WriteString("name", call.Name);
                break;
        }

        json.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter json, string text)
    {
        json.WriteStartObject();
        json.WriteString("type", "output_text");
        json.WriteString("text", text);
        json.WriteStartArray("annotations");
        json.WriteEndArray();
        json.WriteStartArray("logprobs");
        json.WriteEndArray();
        json.WriteEndObject();
    }

    public static void WriteRefusalPart(Utf8JsonWriter json, string refusal)
    {
        json.WriteStartObject();
        json.WriteString("type", "refusal");
        json.WriteString("refusal", refusal);
        json.WriteEndObject();
    }

    private static void WriteError(Utf8JsonWriter json, ResponseSnapshot snapshot)
    {
        if (snapshot.Error is not { } error)
        {
            json.WriteNull("error");
            return;
        }

        json.WriteStartObject("error");
        json.WriteString("code", ResponsesErrors.FailureCode(error));
        json.WriteString("message", error.Message);
        json.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter json, TokenUsage? usage)
    {
        if (usage is null)
        {
            json.WriteNull("usage");
            return;
        }

        json.WriteStartObject("usage");
        json.WriteNumber("input_tokens", usage.InputTokens);
        json.WriteStartObject("input_tokens_details");
        json.WriteNumber("cached_tokens", usage.CachedInputTokens);
        json.WriteEndObject();
        json.WriteNumber("output_tokens", usage.OutputTokens);
        json.WriteStartObject("output_tokens_details");
        json.WriteNumber("reasoning_tokens", usage.ReasoningTokens);
        json.WriteEndObject();
        json.WriteNumber("total_tokens", usage.TotalTokens);
        json.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter json, string name, double? value)
    {
        if (value is { } number)
        {
            json.WriteNumber(name, number);
        }
        else
        {
            json.WriteNull(name);
        }
    }
}
