using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;

namespace Apo.Grains.Prompts;

/// <summary>The durable state of one PromptGrain. Replaced wholesale on every write, never edited in place.</summary>
[GenerateSerializer, Alias("apo.PromptState")]
public sealed class PromptState
{
    /// <summary>The prompt, or null before Initialize.</summary>
    [Id(0)] public PromptSpec? Spec { get; set; }

    /// <summary>The one stage-1 record kept (the latest provenance), or null.</summary>
    [Id(1)] public StageOneRecord? StageOne { get; set; }
}
