using System.Collections.Concurrent;
using System.Security.Cryptography;
using ExpertRouter.Irt.Encoding;

namespace ExpertRouter.Irt.Building;

/// <summary>
/// Sentence embeddings on disk for training, so each data set is embedded once (MiniLM costs milliseconds a prompt on
/// a CPU, and cross-validation trains many routers on the same prompts). One file per encoder and model hash under
/// <c>&lt;cache&gt;/embeddings/</c>; a record is the SHA-256 of the prompt's UTF-8 text and its floats. New
/// embeddings are appended every 256 and by <see cref="Flush"/>. The cache is derived data: keep it out of the repository
/// (<c>EXPERTROUTER_CACHE</c> or the user's local application data; <c>.cache/</c> is git-ignored).
/// </summary>
public sealed class DiskEmbeddingStore : IEmbeddingStore
{
    private const int KeyBytes = 32;
    private const int FlushEvery = 256;

    private readonly ConcurrentDictionary<string, float[]> _known = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<(string Key, float[] Embedding)> _pending = new();
    private readonly string _path;
    private readonly int _dimensions;
    private readonly Lock _gate = new();

    private DiskEmbeddingStore(string path, int dimensions)
    {
        _path = path;
        _dimensions = dimensions;
    }

    public int Count => _known.Count;

    public string Path => _path;

    public static DiskEmbeddingStore Open(string cacheRoot, PretrainedEncoder encoder)
    {
        var folder = System.IO.Path.Combine(cacheRoot, "embeddings");
        Directory.CreateDirectory(folder);
        var path = System.IO.Path.Combine(folder, $"{encoder.Name}-{encoder.ModelSha256[..12]}-{encoder.MaxTokens}.bin");
        var store = new DiskEmbeddingStore(path, encoder.Dimensions);
        store.Load();
        return store;
    }

    public bool TryGet(string text, out float[] embedding) => _known.TryGetValue(Key(text), out embedding!);

    public void Add(string text, float[] embedding)
    {
        var key = Key(text);
        if (embedding.Length == _dimensions && _known.TryAdd(key, embedding))
        {
            _pending.Enqueue((key, embedding));
            // Embedding a large data set takes many minutes on a loaded CPU: keep what is done if the run is stopped.
            if (_pending.Count >= FlushEvery)
            {
                Flush();
            }
        }
    }

    /// <summary>Appends the embeddings added since the last flush.</summary>
    public void Flush()
    {
        lock (_gate)
        {
            if (_pending.IsEmpty)
            {
                return;
            }

            using var file = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read);
            using var writer = new BinaryWriter(file);
            while (_pending.TryDequeue(out var entry))
            {
                writer.Write(Convert.FromHexString(entry.Key));
                foreach (var value in entry.Embedding)
                {
                    writer.Write(value);
                }
            }
        }
    }

    private void Load()
    {
        if (!File.Exists(_path))
        {
            return;
        }

        using var reader = new BinaryReader(File.OpenRead(_path));
        var record = KeyBytes + _dimensions * sizeof(float);
        // A torn last record (a run killed while appending) is ignored.
        while (reader.BaseStream.Length - reader.BaseStream.Position >= record)
        {
            var key = Convert.ToHexStringLower(reader.ReadBytes(KeyBytes));
            var embedding = new float[_dimensions];
            for (var c = 0; c < embedding.Length; c++)
            {
                embedding[c] = reader.ReadSingle();
            }

            _known[key] = embedding;
        }
    }

    private static string Key(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
