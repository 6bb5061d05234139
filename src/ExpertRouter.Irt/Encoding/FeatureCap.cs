namespace ExpertRouter.Irt.Encoding;

/// <summary>
/// Turns a prompt's bucket counts into its features: every counted id, or under a cap (a router's
/// <c>reads.maxFeatures</c>) those counted most often, the lower ids among equal counts; ids ascending, weights the
/// counts scaled to unit L2 norm.
/// </summary>
internal static class FeatureCap
{
    /// <summary>
    /// Every counted feature, or the <paramref name="ids"/>' length of them counted most often when there are more:
    /// ids ascending, weights the counts scaled to unit norm.
    /// </summary>
    public static void WriteFeatures(BucketCounts counts, Span<int> ids, Span<float> weights)
    {
        if (counts.Distinct > ids.Length)
        {
            WriteCappedFeatures(counts, ids, weights);
            return;
        }

        counts.WriteSortedIds(ids);
        double norm = 0;
        for (var k = 0; k < ids.Length; k++)
        {
            var count = counts.CountOf(ids[k]);
            weights[k] = count;
            norm += (double)count * count;
        }

        var scale = norm > 0 ? (float)(1.0 / Math.Sqrt(norm)) : 0f;
        for (var k = 0; k < weights.Length; k++)
        {
            weights[k] *= scale;
        }
    }

    /// <summary>
    /// The <paramref name="ids"/>' length of features counted most often, in id order: the count threshold comes from
    /// a histogram of the counts, and one pass over the bitset keeps every id above it and the lowest ids at it, so a
    /// cap costs a pass over what was counted, not a sort.
    /// </summary>
    private static void WriteCappedFeatures(BucketCounts counts, Span<int> ids, Span<float> weights)
    {
        var max = ids.Length;
        // One pass for the histogram: counts from HistogramTop up share its last slot, and only a threshold that lands
        // there (a prompt whose max-th commonest n-gram repeats 64 times or more) needs two more passes over the exact counts.
        Span<int> histogram = stackalloc int[HistogramTop + 1];
        foreach (var id in counts.Touched)
        {
            histogram[Math.Min(counts.CountOf(id), HistogramTop)]++;
        }

        var (threshold, above) = ThresholdOf(histogram, max);
        if (threshold == HistogramTop)
        {
            (threshold, above) = ExactThreshold(counts, max);
        }

        var atThreshold = max - above;
        var k = 0;
        double norm = 0;
        // The touched ids in ascending order straight from the bitset: no array of every distinct id on the way.
        foreach (var id in counts.AscendingIds())
        {
            var count = counts.CountOf(id);
            if (count > threshold || (count == threshold && atThreshold-- > 0))
            {
                (ids[k], weights[k]) = (id, count);
                norm += (double)count * count;
                if (++k == max)
                {
                    break;
                }
            }
        }

        var scale = (float)(1.0 / Math.Sqrt(norm));
        for (var j = 0; j < weights.Length; j++)
        {
            weights[j] *= scale;
        }
    }

    private const int HistogramTop = 64;

    /// <summary>The threshold and the number of ids above it, from every count however high.</summary>
    private static (int Threshold, int Above) ExactThreshold(BucketCounts counts, int max)
    {
        var highest = 0;
        foreach (var id in counts.Touched)
        {
            highest = Math.Max(highest, counts.CountOf(id));
        }

        Span<int> histogram = highest < 256 ? stackalloc int[highest + 1] : new int[highest + 1];
        foreach (var id in counts.Touched)
        {
            histogram[counts.CountOf(id)]++;
        }

        return ThresholdOf(histogram, max);
    }

    /// <summary>
    /// The threshold t of a histogram of counts (its last slot the highest): fewer than max ids are counted more than
    /// t, at least max are counted t or more; and how many are counted more.
    /// </summary>
    private static (int Threshold, int Above) ThresholdOf(ReadOnlySpan<int> histogram, int max)
    {
        var above = 0;
        var threshold = histogram.Length - 1;
        while (above + histogram[threshold] < max)
        {
            above += histogram[threshold--];
        }

        return (threshold, above);
    }
}
