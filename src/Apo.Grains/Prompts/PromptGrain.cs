using System.Collections.Immutable;
using Apo.Abstractions;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.StageOne;
using Apo.Algorithm.OptimalValues;

namespace Apo.Grains.Prompts;

/// <summary>
/// One training prompt and its stage-1 result. The single source of truth for V̂*: it computes
/// V̂* itself from the rewards and stores it at most once per provenance. Orleans runs one call
/// at a time on a grain (not reentrant), so racing duplicates are serialized and all but the first
/// see the stored record.
/// </summary>
public sealed class PromptGrain(
    [PersistentState("prompt", ApoStorageNames.Grains)] IPersistentState<PromptState> state) : Grain, IPromptGrain
{
    private string Key => this.GetPrimaryKeyString();

    /// <inheritdoc />
    public async Task Initialize(PromptSpec spec)
    {
        PromptChecks.Spec(Key, spec);
        var stored = state.State.Spec;
        if (stored is not null)
        {
            if (stored.Equals(spec)) return;
            throw new InvalidDataException(
                $"{spec.DataSource}: prompt '{spec.PromptId}' differs from the prompt already stored under that id " +
                $"(from {stored.DataSource}); prompt ids must be unique and stable");
        }
        await Write(new PromptState { Spec = spec, StageOne = state.State.StageOne });
    }

    /// <inheritdoc />
    public Task<PromptSpec?> GetSpec() => Task.FromResult(state.State.Spec);

    /// <inheritdoc />
    public Task<StageOneOutcome> RecordStageOne(StageOneProvenance provenance, ImmutableArray<StageOneSample> samples) =>
        Store(provenance, samples, StageOneOrigin.Sampled);

    /// <inheritdoc />
    public Task<StageOneOutcome> ImportStageOne(StageOneProvenance provenance, ImmutableArray<StageOneSample> samples) =>
        Store(provenance, samples, StageOneOrigin.Imported);

    /// <inheritdoc />
    public Task<StageOneRecord?> GetStageOne(StageOneProvenance provenance) =>
        Task.FromResult(Matching(provenance));

    /// <inheritdoc />
    public Task<double?> GetVStar(StageOneProvenance provenance) =>
        Task.FromResult(Matching(provenance)?.VStar);

    /// <inheritdoc />
    public Task<StageOneProvenance?> GetStoredProvenance() =>
        Task.FromResult(state.State.StageOne?.Provenance);

    private StageOneRecord? Matching(StageOneProvenance provenance) =>
        state.State.StageOne is { } record && record.Provenance.Equals(provenance) ? record : null;

    private async Task<StageOneOutcome> Store(StageOneProvenance provenance, ImmutableArray<StageOneSample> samples, StageOneOrigin origin)
    {
        var spec = state.State.Spec
            ?? throw new InvalidDataException($"prompt '{Key}': stage-1 samples arrived before the prompt was initialized");
        PromptChecks.StageOne(spec, provenance, samples, origin);

        var existing = state.State.StageOne;
        if (existing is not null && existing.Provenance.Equals(provenance))
            return new StageOneOutcome(existing, StageOneWrite.Duplicate, null);

        var rewards = new double[samples.Length];
        for (var i = 0; i < rewards.Length; i++) rewards[i] = samples[i].Reward;
        var record = new StageOneRecord(provenance, samples, OptimalValue.Estimate(rewards, provenance.Beta1), origin);

        await Write(new PromptState { Spec = spec, StageOne = record });
        return existing is null
            ? new StageOneOutcome(record, StageOneWrite.Recorded, null)
            : new StageOneOutcome(record, StageOneWrite.Replaced, existing.Provenance);
    }

    // If storage rejects the write, the in-memory state goes back to what is durably stored, so the
    // grain never answers with a record that a reactivation would not find.
    private async Task Write(PromptState next)
    {
        var previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            state.State = previous;
            throw;
        }
    }
}
