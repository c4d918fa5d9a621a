namespace Apo.Abstractions.StageOne;

/// <summary>Where a stage-1 record came from.</summary>
[GenerateSerializer, Alias("apo.StageOneOrigin")]
public enum StageOneOrigin
{
    /// <summary>Sampled by this system from the reference model.</summary>
    Sampled = 0,

    /// <summary>Imported from a dataset that already carries stage-1 samples (A*-PO export files).</summary>
    Imported = 1,
}
