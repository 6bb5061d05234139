using ExpertRouter.Irt.Onnx.Proto;
using Google.Protobuf;

namespace ExpertRouter.Irt.Onnx;

/// <summary>Reads and writes ONNX model files with the project's protobuf subset.</summary>
public static class OnnxModelFile
{
    public static byte[] Serialize(ModelProto model) => model.ToByteArray();

    public static void Write(ModelProto model, string path)
    {
        File.WriteAllBytes(path, model.ToByteArray());
    }

    public static ModelProto Read(string path) => ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));

    /// <summary>The float values of an initializer stored as raw_data (as this project writes them).</summary>
    public static float[] ReadFloats(TensorProto tensor)
    {
        if (tensor.DataType == (int)TensorProto.Types.DataType.Float16)
        {
            var halves = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, Half>(tensor.RawData.Span);
            var floats = new float[halves.Length];
            for (var i = 0; i < floats.Length; i++)
            {
                floats[i] = (float)halves[i];
            }

            return floats;
        }

        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new InvalidDataException($"Initializer '{tensor.Name}' is not float.");
        }

        return tensor.RawData.Length > 0
            ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : tensor.FloatData.ToArray();
    }
}
