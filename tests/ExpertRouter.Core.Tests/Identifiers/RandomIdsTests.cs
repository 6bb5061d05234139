using ExpertRouter.Core.Identifiers;

namespace ExpertRouter.Core.Tests.Identifiers;

public sealed class RandomIdsTests
{
    [Fact]
    public void Ids_are_distinct_across_batches_and_threads()
    {
        // Three batches on each of four threads: a refill that repeated a batch, or threads sharing one, shows as a duplicate.
        var perThread = 3 * 4096 / 16;
        var ids = new System.Collections.Concurrent.ConcurrentBag<Guid>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
        {
            for (var i = 0; i < perThread; i++)
            {
                ids.Add(RandomIds.NewGuid());
            }
        });

        Assert.Equal(4 * perThread, ids.Distinct().Count());
    }

    [Fact]
    public void Ids_are_version_4_with_the_rfc_variant()
    {
        for (var i = 0; i < 600; i++)
        {
            var text = RandomIds.NewGuid().ToString("D");
            Assert.Equal('4', text[14]);
            Assert.Contains(text[19], "89ab");
            Assert.Equal(4, RandomIds.NewGuid().Version);
        }
    }

    [Fact]
    public void Bits_are_spread_evenly()
    {
        // 4,096 GUIDs of 122 random bits each: every random bit position is set in about half of them (a byte stuck at
        // zero, say from a buffer never filled, would fail this by thousands).
        var counts = new int[128];
        const int n = 4096;
        Span<byte> bytes = stackalloc byte[16];
        for (var i = 0; i < n; i++)
        {
            RandomIds.NewGuid().TryWriteBytes(bytes);
            for (var bit = 0; bit < 128; bit++)
            {
                counts[bit] += (bytes[bit / 8] >> (bit % 8)) & 1;
            }
        }

        var fixedBits = new HashSet<int> { 7 * 8 + 4, 7 * 8 + 5, 7 * 8 + 6, 7 * 8 + 7, 8 * 8 + 6, 8 * 8 + 7 };
        for (var bit = 0; bit < 128; bit++)
        {
            if (!fixedBits.Contains(bit))
            {
                Assert.InRange(counts[bit], (n / 2) - 250, (n / 2) + 250);
            }
        }
    }
}
