using System.Globalization;

namespace ExpertRouter.Gateway.Protocols;

/// <summary>
/// Tool names as the client knows them and as a chat backend accepts them (<c>^[a-zA-Z0-9_-]{1,64}$</c>). Names
/// that already fit pass unchanged; others (longer, or with dots, colons, spaces) get a stable stand-in made of the
/// fitting characters and a hash, and answers are mapped back, so the client never sees the stand-in.
/// </summary>
public sealed class ToolNameMap
{
    private const int MaxLength = 64;

    // Made at the first name that needs a stand-in: most requests have none, and every request has a map.
    private Dictionary<string, string>? toExpert;
    private Dictionary<string, string>? toClient;

    public static ToolNameMap Empty { get; } = new();

    /// <summary>How many names needed a stand-in.</summary>
    public int Count => toExpert?.Count ?? 0;

    /// <summary>The name to send the expert: the client's own when it fits, else its stand-in.</summary>
    public string ToExpert(string clientName) => toExpert?.GetValueOrDefault(clientName, clientName) ?? clientName;

    /// <summary>The name to show the client; a name the expert invented passes unchanged.</summary>
    public string ToClient(string expertName) => toClient?.GetValueOrDefault(expertName, expertName) ?? expertName;

    internal static bool Fits(string name) =>
        name.Length is > 0 and <= MaxLength && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>Registers a client's tool name (idempotent) and returns what the expert gets.</summary>
    internal string Add(string clientName)
    {
        if (Fits(clientName))
        {
            return clientName;
        }

        toExpert ??= new Dictionary<string, string>(StringComparer.Ordinal);
        toClient ??= new Dictionary<string, string>(StringComparer.Ordinal);
        if (toExpert.TryGetValue(clientName, out var known))
        {
            return known;
        }

        var hash = Fnv1a(clientName).ToString("x8", CultureInfo.InvariantCulture);
        var kept = new string(clientName.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_').ToArray());
        var standIn = kept[..Math.Min(kept.Length, MaxLength - hash.Length - 1)] + "_" + hash;
        toExpert[clientName] = standIn;
        toClient[standIn] = clientName;
        return standIn;
    }

    private static uint Fnv1a(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return hash;
    }
}
