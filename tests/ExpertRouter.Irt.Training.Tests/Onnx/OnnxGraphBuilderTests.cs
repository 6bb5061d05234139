using ExpertRouter.Irt.Onnx;
using ExpertRouter.Irt.Onnx.Proto;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace ExpertRouter.Irt.Training.Tests.Onnx;

public sealed class OnnxGraphBuilderTests
{
    private static ModelProto AffineModel()
    {
        var builder = new OnnxGraphBuilder("affine");
        builder.AddInput("x", TensorProto.Types.DataType.Float, "batch", 2);
        var w = builder.AddInitializer("w", [1f, 2f, 3f, 4f, 5f, 6f], 2, 3);
        var b = builder.AddInitializer("b", [0.5f, -0.5f, 1f], 3);
        builder.AddNode("Add", "y", [builder.AddNode("MatMul", "xw", ["x", w]), b]);
        builder.AddOutput("y", TensorProto.Types.DataType.Float, "batch", 3);
        return builder.Build("test", new Dictionary<string, string> { ["purpose"] = "round trip" });
    }

    [Fact]
    public void Serialize_ThenParse_GivesTheSameModel()
    {
        var model = AffineModel();
        var bytes = OnnxModelFile.Serialize(model);

        var parsed = ModelProto.Parser.ParseFrom(bytes);

        Assert.Equal(model, parsed);
        Assert.Equal(OnnxGraphBuilder.IrVersion, parsed.IrVersion);
        Assert.Equal(["MatMul", "Add"], parsed.Graph.Node.Select(n => n.OpType));
        Assert.Equal([1f, 2f, 3f, 4f, 5f, 6f], OnnxModelFile.ReadFloats(parsed.Graph.Initializer[0]));
        Assert.Equal("round trip", parsed.MetadataProps.Single().Value);
    }

    [Fact]
    public void Serialize_TwiceFromTheSameInputs_GivesIdenticalBytes()
    {
        Assert.Equal(OnnxModelFile.Serialize(AffineModel()), OnnxModelFile.Serialize(AffineModel()));
    }

    [Fact]
    public void OnnxRuntime_RunsTheWrittenModel_WithTheExpectedResult()
    {
        using var session = new InferenceSession(OnnxModelFile.Serialize(AffineModel()));
        var x = new DenseTensor<float>(new[] { 1f, 1f, 0f, 2f }, [2, 2]);

        using var results = session.Run([NamedOnnxValue.CreateFromTensor("x", x)]);

        var y = results.Single().AsTensor<float>().ToArray();
        Assert.Equal([5.5f, 6.5f, 10f, 8.5f, 9.5f, 13f], y);
        Assert.Equal("test", session.ModelMetadata.ProducerName);
    }
}
