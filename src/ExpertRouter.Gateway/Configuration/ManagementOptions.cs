using ExpertRouter.Core.Tenants;

namespace ExpertRouter.Gateway.Configuration;

/// <summary>
/// <c>ExpertRouter:Management</c>: where operators scrape <c>/metrics</c>, which names tenants and their spend. With
/// <see cref="Urls"/> set, <c>/metrics</c> is served only on those listeners (a port the API's clients cannot reach),
/// and they serve nothing but <c>/metrics</c>, <c>/healthz</c> and <c>/readyz</c>. Without it, <c>/metrics</c> on the
/// API port asks for a bearer key: the metrics key, or the admin key.
/// </summary>
public sealed record ManagementOptions
{
    /// <summary>HTTP listeners for management only, such as <c>http://0.0.0.0:9464</c> (port 0 picks a free port).</summary>
    public IReadOnlyList<string> Urls { get; init; } = [];

    /// <summary>SHA-256 (lower-case hex) of a key that may scrape <c>/metrics</c> on the API port (the admin key may too).</summary>
    public string? MetricsKeySha256 { get; init; }

    public void CollectProblems(List<string> problems)
    {
        foreach (var url in Urls)
        {
            if (!ListenAddress.TryParse(url, out _))
            {
                problems.Add($"Management:Urls: '{url}' is not an http://host:port address (host: an IP address, localhost, * or +).");
            }
        }

        if (MetricsKeySha256 is { } hash && !ApiKeyHash.IsSha256Hex(hash))
        {
            problems.Add("Management:MetricsKeySha256 must be a lower-case hex SHA-256 (expertrouter keys hash <key>).");
        }
    }
}

/// <summary>One listener address, as Kestrel's URL forms allow it for plain HTTP.</summary>
public readonly record struct ListenAddress(string Host, int Port)
{
    public static bool TryParse(string url, out ListenAddress address)
    {
        address = default;
        var text = url.Trim();
        const string scheme = "http://";
        if (!text.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var rest = text[scheme.Length..].TrimEnd('/');
        var colon = rest.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(rest[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            || port > 65535)
        {
            return false;
        }

        var host = rest[..colon].Trim('[', ']');
        if (host is not ("localhost" or "*" or "+") && !System.Net.IPAddress.TryParse(host, out _))
        {
            return false;
        }

        address = new ListenAddress(host, port);
        return true;
    }
}
