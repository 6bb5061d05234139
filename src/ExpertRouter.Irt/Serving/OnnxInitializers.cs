using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace ExpertRouter.Irt.Serving;

/// <summary>A float initializer of an ONNX graph: its shape and values (half precision widened to float).</summary>
internal sealed record OnnxFloatTensor(string Name, long[] Dims, float[] Values);

/// <summary>
/// Reads the float and half-precision initializers of an ONNX model file (ModelProto → graph → initializer) straight
/// from protobuf's wire format: the serving project carries no protobuf library, and this needs four fields of one
/// message. Tensors stored outside the file, or as anything but float16/float, are left out; malformed input throws
/// <see cref="InvalidDataException"/>.
/// </summary>
internal static class OnnxInitializers
{
    private const int ModelGraph = 7;
    private const int GraphInitializer = 5;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorFloatData = 4;
    private const int TensorName = 8;
    private const int TensorRawData = 9;
    private const int TensorDataLocation = 14;

    private const int Float = 1;
    private const int Float16 = 10;

    public static Dictionary<string, OnnxFloatTensor> ReadFloats(ReadOnlySpan<byte> model)
    {
        var tensors = new Dictionary<string, OnnxFloatTensor>(StringComparer.Ordinal);
        var reader = new WireReader(model);
        while (reader.Next(out var field, out var wire))
        {
            if (field == ModelGraph && wire == WireReader.LengthWire)
            {
                var graph = new WireReader(reader.Bytes());
                while (graph.Next(out var graphField, out var graphWire))
                {
                    if (graphField == GraphInitializer && graphWire == WireReader.LengthWire)
                    {
                        if (ReadTensor(graph.Bytes()) is { } tensor)
                        {
                            tensors[tensor.Name] = tensor;
                        }
                    }
                    else
                    {
                        graph.Skip(graphWire);
                    }
                }
            }
            else
            {
                reader.Skip(wire);
            }
        }

        return tensors;
    }

    private static OnnxFloatTensor? ReadTensor(ReadOnlySpan<byte> message)
    {
        var dims = new List<long>();
        var (type, name, external) = (0, "", false);
        ReadOnlySpan<byte> raw = default;
        List<float>? floats = null;
        var reader = new WireReader(message);
        while (reader.Next(out var field, out var wire))
        {
            switch (field)
            {
                case TensorDims when wire == WireReader.LengthWire:
                    var packed = new WireReader(reader.Bytes());
                    while (!packed.AtEnd)
                    {
                        dims.Add((long)packed.Varint());
                    }

                    break;
                case TensorDims when wire == WireReader.VarintWire:
                    dims.Add((long)reader.Varint());
                    break;
                case TensorDataType when wire == WireReader.VarintWire:
                    type = (int)reader.Varint();
                    break;
                case TensorFloatData when wire == WireReader.LengthWire:
                    floats ??= [];
                    floats.AddRange(MemoryMarshal.Cast<byte, float>(reader.Bytes()));
                    break;
                case TensorFloatData when wire == WireReader.Fixed32Wire:
                    (floats ??= []).Add(BitConverter.Int32BitsToSingle((int)reader.Fixed32()));
                    break;
                case TensorName when wire == WireReader.LengthWire:
                    name = System.Text.Encoding.UTF8.GetString(reader.Bytes());
                    break;
                case TensorRawData when wire == WireReader.LengthWire:
                    raw = reader.Bytes();
                    break;
                case TensorDataLocation when wire == WireReader.VarintWire:
                    external = reader.Varint() == 1;
                    break;
                default:
                    reader.Skip(wire);
                    break;
            }
        }

        if (external || name.Length == 0)
        {
            return null;
        }

        float[] values;
        switch (type)
        {
            case Float when raw.Length > 0:
                values = MemoryMarshal.Cast<byte, float>(raw).ToArray();
                break;
            case Float:
                values = floats?.ToArray() ?? [];
                break;
            case Float16 when raw.Length > 0:
                var halves = MemoryMarshal.Cast<byte, Half>(raw);
                values = new float[halves.Length];
                for (var i = 0; i < halves.Length; i++)
                {
                    values[i] = (float)halves[i];
                }

                break;
            default:
                return null;
        }

        var count = dims.Aggregate(1L, (product, d) => product * d);
        return count == values.Length
            ? new OnnxFloatTensor(name, [.. dims], values)
            : throw new InvalidDataException($"Initializer '{name}' has {values.Length} values for shape [{string.Join(", ", dims)}].");
    }

    /// <summary>Protobuf's wire format, just enough to walk messages and read their scalar and length-delimited fields.</summary>
    private ref struct WireReader(ReadOnlySpan<byte> data)
    {
        public const int VarintWire = 0;
        public const int Fixed64Wire = 1;
        public const int LengthWire = 2;
        public const int Fixed32Wire = 5;

        private readonly ReadOnlySpan<byte> _data = data;
        private int _at;

        public readonly bool AtEnd => _at >= _data.Length;

        public bool Next(out int field, out int wire)
        {
            if (AtEnd)
            {
                (field, wire) = (0, 0);
                return false;
            }

            var key = Varint();
            (field, wire) = ((int)(key >> 3), (int)(key & 7));
            return true;
        }

        public ulong Varint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                if (_at >= _data.Length)
                {
                    throw new InvalidDataException("Truncated varint in the ONNX file.");
                }

                var b = _data[_at++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("Overlong varint in the ONNX file.");
        }

        public uint Fixed32()
        {
            var value = BinaryPrimitives.ReadUInt32LittleEndian(Take(4));
            return value;
        }

        public ReadOnlySpan<byte> Bytes()
        {
            var length = Varint();
            return length > int.MaxValue ? throw new InvalidDataException("Oversized field in the ONNX file.") : Take((int)length);
        }

        public void Skip(int wire)
        {
            _ = wire switch
            {
                VarintWire => (int)Varint(),
                Fixed64Wire => Take(8).Length,
                LengthWire => Bytes().Length,
                Fixed32Wire => Take(4).Length,
                _ => throw new InvalidDataException($"Unsupported protobuf wire type {wire} in the ONNX file."),
            };
        }

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count < 0 || _at > _data.Length - count)
            {
                throw new InvalidDataException("Truncated field in the ONNX file.");
            }

            var slice = _data.Slice(_at, count);
            _at += count;
            return slice;
        }
    }
}
