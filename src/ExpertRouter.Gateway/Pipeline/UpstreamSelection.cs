using System.Text.Json;
using ExpertRouter.Gateway.Hosting;
using ExpertRouter.Gateway.Resilience;
using Yarp.ReverseProxy;

namespace ExpertRouter.Gateway.Pipeline;

/// <summary>
/// Points the request at the best-ranked expert from a rank onwards that has a healthy destination and whose circuit
/// lets the attempt through (in half-open, this request becomes the probe); shared by first choice and fallback.
/// </summary>
internal static class UpstreamSelection
{
    public static bool TrySelect(HttpContext context, IExpertRoutingFeature feature, IProxyStateLookup proxyState, ExpertCircuits circuits, int fromRank, Action<string> skipped)
    {
        var ranking = feature.Decision!.Ranking;
        for (var rank = fromRank; rank < ranking.Count; rank++)
        {
            var score = ranking[rank];
            if (!proxyState.TryGetCluster(score.Expert.Id, out var cluster) || cluster.DestinationsState.AvailableDestinations.Count == 0
                || !circuits.TryEnter(score.Expert.Id))
            {
                skipped(score.Expert.Id);
                continue;
            }

            feature.Chosen = score;
            feature.ChosenRank = rank;
            context.ReassignProxyRequest(cluster);
            ReplaceBody(context.Request, feature.Request!, score.Expert.UpstreamModel);
            return true;
        }

        return false;
    }

    private static void ReplaceBody(HttpRequest http, OpenAIRequest request, string upstreamModel)
    {
        var body = request.Body;
        if (!string.Equals(upstreamModel, request.Model, StringComparison.Ordinal))
        {
            var (start, length) = request.ModelToken.GetOffsetAndLength(body.Length);
            var model = JsonSerializer.SerializeToUtf8Bytes(upstreamModel, GatewayJson.Default.String);
            var patched = new byte[body.Length - length + model.Length];
            body.Span[..start].CopyTo(patched);
            model.CopyTo(patched.AsSpan(start));
            body.Span[(start + length)..].CopyTo(patched.AsSpan(start + model.Length));
            body = patched;
        }

        http.Body = new ReadOnlyMemoryStream(body);
        http.ContentLength = body.Length;
        http.Headers.TransferEncoding = default;
    }
}
