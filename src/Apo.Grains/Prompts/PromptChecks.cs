using System.Collections.Immutable;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;

namespace Apo.Grains.Prompts;

/// <summary>
/// Validation of what a PromptGrain is asked to store. Every failure is an
/// <see cref="InvalidDataException"/> naming the prompt, its data source and the field, because
/// the input comes from a dataset file or a generator's output.
/// </summary>
internal static class PromptChecks
{
    public static void Spec(string grainKey, PromptSpec? spec)
    {
        if (spec is null)
            throw new InvalidDataException($"prompt '{grainKey}': the prompt spec is missing");
        var where = $"{spec.DataSource}: prompt '{spec.PromptId}'";
        if (string.IsNullOrWhiteSpace(spec.PromptId))
            throw new InvalidDataException($"{spec.DataSource}: field \"prompt id\" is empty");
        if (spec.PromptId != grainKey)
            throw new InvalidDataException($"{where}: the spec was sent to the PromptGrain of '{grainKey}'; prompt id and grain key must match");
        if (spec.PromptText is null)
            throw new InvalidDataException($"{where}: field \"prompt text\" is missing");
        if (spec.PromptTokenIds.IsDefaultOrEmpty)
            throw new InvalidDataException($"{where}: field \"prompt token ids\" is empty");
        if (spec.GroundTruth is null)
            throw new InvalidDataException($"{where}: field \"ground truth\" is missing");
        if (string.IsNullOrWhiteSpace(spec.Task))
            throw new InvalidDataException($"{where}: field \"task\" is empty");
    }

    public static void StageOne(PromptSpec spec, StageOneProvenance? provenance, ImmutableArray<StageOneSample> samples, StageOneOrigin origin)
    {
        var where = $"{spec.DataSource}: prompt '{spec.PromptId}'";
        if (provenance is null)
            throw new InvalidDataException($"{where}: stage-1 provenance is missing");
        if (provenance.Problem() is { } problem)
            throw new InvalidDataException($"{where}: {problem}");
        var count = samples.IsDefault ? 0 : samples.Length;
        if (count != provenance.Samples)
            throw new InvalidDataException($"{where}: stage 1 has {count} samples but its provenance says N = {provenance.Samples}");
        for (var i = 0; i < count; i++)
        {
            var sample = samples[i];
            if (sample is null)
                throw new InvalidDataException($"{where}: stage-1 sample {i} is missing");
            if (!double.IsFinite(sample.Reward))
                throw new InvalidDataException($"{where}: stage-1 sample {i}: field \"reward\" is {sample.Reward}; rewards must be finite numbers");
            if (sample.ResponseText is null)
                throw new InvalidDataException($"{where}: stage-1 sample {i}: field \"response text\" is missing");
            // Imports (A*-PO export files) may carry text and rewards only; our own samples always have tokens.
            if (origin == StageOneOrigin.Sampled && sample.ResponseTokenIds.IsDefaultOrEmpty)
                throw new InvalidDataException($"{where}: stage-1 sample {i}: field \"response token ids\" is empty");
        }
    }
}
