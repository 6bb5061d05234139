using System.Collections.Frozen;
using System.Security.Cryptography;

namespace ExpertRouter.Gateway.Console.Assets;

/// <summary>
/// The console's stylesheet and script, embedded in the gateway's assembly (so the natively compiled gateway serves
/// them too, and the console works with no network), served with an ETag so a browser revalidates cheaply.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, Asset> Files = new Dictionary<string, Asset>(StringComparer.Ordinal)
    {
        ["console.css"] = Load("console.css", "text/css; charset=utf-8"),
        ["console.js"] = Load("console.js", "text/javascript; charset=utf-8"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static async Task HandleAsync(HttpContext http)
    {
        var name = http.Request.RouteValues["name"]?.ToString() ?? "";
        if (!Files.TryGetValue(name, out var asset))
        {
            http.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var response = http.Response;
        response.Headers.ETag = asset.ETag;
        response.Headers.CacheControl = "no-cache";
        if (http.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return;
        }

        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        await response.Body.WriteAsync(asset.Bytes, http.RequestAborted);
    }

    private static Asset Load(string name, string contentType)
    {
        using var stream = typeof(ConsoleAssets).Assembly.GetManifestResourceStream("ExpertRouter.Gateway.Console.Assets." + name)
            ?? throw new InvalidOperationException($"The console asset '{name}' is not embedded in the gateway.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var bytes = copy.ToArray();
        return new Asset(bytes, contentType, "\"" + Convert.ToHexStringLower(SHA256.HashData(bytes))[..16] + "\"");
    }

    private sealed record Asset(byte[] Bytes, string ContentType, string ETag);
}
