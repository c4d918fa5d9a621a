namespace Apo.Algorithm.Optimization;

/// <summary>A contiguous run of batch items [Start, Start + Count).</summary>
public readonly record struct MiniBatchSlice(int Start, int Count)
{
    /// <summary>One past the last item.</summary>
    public int End => Start + Count;

    /// <summary>The item indices, in order.</summary>
    public IEnumerable<int> Indices => Enumerable.Range(Start, Count);
}
