namespace Apo.Abstractions.Weights;

/// <summary>The frozen reference checkpoint π_ref: where it is and its content hash (part of every V̂* provenance).</summary>
/// <param name="Location">Checkpoint directory (config.json, safetensors, tokenizer) or blob prefix.</param>
/// <param name="Hash">Content hash of the weights.</param>
[GenerateSerializer, Immutable, Alias("apo.ReferenceModel")]
public sealed record ReferenceModel(
    [property: Id(0)] string Location,
    [property: Id(1)] string Hash);
