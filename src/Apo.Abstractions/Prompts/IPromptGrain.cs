using System.Collections.Immutable;
using Apo.Abstractions.StageOne;

namespace Apo.Abstractions.Prompts;

/// <summary>
/// One training prompt, keyed by its prompt id: the spec, the stage-1 samples and V̂* with
/// its provenance. Durable, and the single source of truth for V̂*.
/// </summary>
[Alias("apo.IPromptGrain")]
public interface IPromptGrain : IGrainWithStringKey
{
    /// <summary>
    /// Stores the spec. Idempotent for an equal spec; a different spec for the same key throws
    /// <see cref="System.IO.InvalidDataException"/> and changes nothing.
    /// </summary>
    [Alias("Initialize")]
    Task Initialize(PromptSpec spec);

    /// <summary>The stored spec, or null before <see cref="Initialize"/>.</summary>
    [Alias("GetSpec")]
    Task<PromptSpec?> GetSpec();

    /// <summary>
    /// Records the N reference samples drawn by this system and computes V̂* from their rewards.
    /// Exactly once per provenance: a repeat with the same provenance is ignored and answers the
    /// stored record; a different provenance replaces the old record. Bad input throws
    /// <see cref="System.IO.InvalidDataException"/> and changes nothing.
    /// </summary>
    [Alias("RecordStageOne")]
    Task<StageOneOutcome> RecordStageOne(StageOneProvenance provenance, ImmutableArray<StageOneSample> samples);

    /// <summary>
    /// Same rules as <see cref="RecordStageOne"/> for samples that come with the dataset (A*-PO
    /// export files); token ids may be empty there.
    /// </summary>
    [Alias("ImportStageOne")]
    Task<StageOneOutcome> ImportStageOne(StageOneProvenance provenance, ImmutableArray<StageOneSample> samples);

    /// <summary>The stored record if its provenance equals <paramref name="provenance"/>, else null.</summary>
    [Alias("GetStageOne")]
    Task<StageOneRecord?> GetStageOne(StageOneProvenance provenance);

    /// <summary>V̂* if a record with this provenance is stored, else null.</summary>
    [Alias("GetVStar")]
    Task<double?> GetVStar(StageOneProvenance provenance);

    /// <summary>The provenance of whatever record is stored (to report why a resume must redo stage 1), or null.</summary>
    [Alias("GetStoredProvenance")]
    Task<StageOneProvenance?> GetStoredProvenance();
}
