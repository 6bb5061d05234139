namespace ExpertRouter.Gateway.Tests.Fuzzing;

/// <summary>One generated request: everything needed to send it, and the family it came from for failure messages.</summary>
public sealed record FuzzRequest(string Family, string Method, string Path, byte[]? Body, string? ContentType, IReadOnlyList<KeyValuePair<string, string>> Headers, bool Authenticated);
