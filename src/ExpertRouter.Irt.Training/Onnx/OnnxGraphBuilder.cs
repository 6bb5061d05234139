using System.Runtime.InteropServices;
using ExpertRouter.Irt.Onnx.Proto;
using Google.Protobuf;

namespace ExpertRouter.Irt.Onnx;

/// <summary>
/// Builds an ONNX model with the project's own protobuf subset (no ONNX-building package is reachable). Tensors are
/// stored as little-endian <c>raw_data</c>; node names are generated in insertion order so output is deterministic.
/// </summary>
public sealed class OnnxGraphBuilder
{
    public const int OpsetVersion = 17;
    public const long IrVersion = 8;

    private readonly GraphProto _graph;
    private int _nodeCount;

    public OnnxGraphBuilder(string graphName) => _graph = new GraphProto { Name = graphName };

    public OnnxGraphBuilder AddInput(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Input.Add(ValueInfo(name, type, dims));
        return this;
    }

    public OnnxGraphBuilder AddOutput(string name, TensorProto.Types.DataType type, params object[] dims)
    {
        _graph.Output.Add(ValueInfo(name, type, dims));
        return this;
    }

    public string AddInitializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        _graph.Initializer.Add(Tensor(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), dims));
        return name;
    }

    /// <summary>Stores float values as IEEE half precision (half the bytes); a Cast node turns them back into float.</summary>
    public string AddHalfInitializer(string name, ReadOnlySpan<float> values, params long[] dims)
    {
        var halves = new Half[values.Length];
        for (var i = 0; i < halves.Length; i++)
        {
            halves[i] = (Half)values[i];
        }

        _graph.Initializer.Add(Tensor(name, TensorProto.Types.DataType.Float16, MemoryMarshal.AsBytes(halves.AsSpan()), dims));
        return name;
    }

    public string AddInitializer(string name, ReadOnlySpan<long> values, params long[] dims)
    {
        _graph.Initializer.Add(Tensor(name, TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values), dims));
        return name;
    }

    /// <summary>Adds a node with one output named <paramref name="output"/>; returns that name for chaining.</summary>
    public string AddNode(string opType, string output, string[] inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType}_{_nodeCount++}" };
        node.Input.Add(inputs);
        node.Output.Add(output);
        node.Attribute.Add(attributes);
        _graph.Node.Add(node);
        return output;
    }

    public static AttributeProto IntAttribute(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto IntsAttribute(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    public ModelProto Build(string producer, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var model = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = producer,
            ProducerVersion = "1",
            Graph = _graph,
        };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OpsetVersion });
        foreach (var (key, value) in (metadata ?? new Dictionary<string, string>()).OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            model.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        return model;
    }

    private static TensorProto Tensor(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> data, long[] dims)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("ONNX raw_data is little-endian; big-endian hosts are not supported.");
        }

        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(data) };
        tensor.Dims.Add(dims);
        return tensor;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                long size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"Dimension '{dim}' of '{name}' must be a symbol or a size."),
            });
        }

        var tensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape };
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = tensorType } };
    }
}
