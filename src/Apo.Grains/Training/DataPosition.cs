namespace Apo.Grains.Training;

/// <summary>Where the next batch starts: the epoch (which permutation) and the offset into it.</summary>
public readonly record struct DataPosition(long Epoch, int Offset)
{
    public static DataPosition Start => new(0, 0);
}
