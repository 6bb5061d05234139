using System.Buffers;

namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// A prompt's hashed features, as <see cref="HashedFeatures"/>, in arrays rented from the shared pool: for a caller
/// that is done with them before it returns, which gives them back with <see cref="Dispose"/>. A ref struct, so it
/// cannot outlive that caller's frame.
/// </summary>
public ref struct RentedFeatures : IDisposable
{
    private int[]? _ids;
    private float[]? _weights;

    internal RentedFeatures(int count)
    {
        _ids = ArrayPool<int>.Shared.Rent(count);
        _weights = ArrayPool<float>.Shared.Rent(count);
        Count = count;
    }

    public readonly int Count { get; }

    /// <summary>Distinct ids in ascending order.</summary>
    public readonly ReadOnlySpan<int> Ids => _ids.AsSpan(0, Count);

    /// <summary>The ids' weights, unit L2 norm.</summary>
    public readonly ReadOnlySpan<float> Weights => _weights.AsSpan(0, Count);

    internal readonly Span<int> WritableIds => _ids.AsSpan(0, Count);

    internal readonly Span<float> WritableWeights => _weights.AsSpan(0, Count);

    public void Dispose()
    {
        if (_ids is not null)
        {
            ArrayPool<int>.Shared.Return(_ids);
            ArrayPool<float>.Shared.Return(_weights!);
            (_ids, _weights) = (null, null);
        }
    }
}
