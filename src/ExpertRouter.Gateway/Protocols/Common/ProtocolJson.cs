using System.Text.Encodings.Web;
using System.Text.Json;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// How the translators write JSON: text stays UTF-8 as OpenAI and Anthropic send it (the default encoder would turn
/// every non-ASCII character, and even '+', into \u escapes). These bodies are API payloads, never HTML.
/// </summary>
internal static class ProtocolJson
{
    public static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
