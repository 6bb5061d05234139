namespace ExpertRouter.Testing;

/// <summary>
/// What Redis Cluster hashes for a key's slot: the text inside the first {…} when not empty, else the whole key.
/// Computed here because the client's HashSlot answers -1 for every key against a standalone server, so a test that
/// compared slots there would pass whatever the keys were.
/// </summary>
internal static class ClusterHashTag
{
    public static string Of(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        var close = open < 0 ? -1 : key.IndexOf('}', open + 1);
        return close > open + 1 ? key[(open + 1)..close] : key;
    }
}
