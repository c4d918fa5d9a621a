using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// The static-batch sampler the rollout engine replaced, kept as its baseline and cross-check: prompts
/// left-padded into one batch, a KV cache of rows × (longest prompt + longest response), finished rows
/// decoding on until the last row ends. <see cref="Sampler"/> is what the pipeline uses; benchmarks and
/// tests compare the two (same seeds, same token chooser).
/// </summary>
public static class StaticSampler
{
    /// <summary>
    /// Generates one response per prompt. Sequence i draws its step-t uniform from
    /// <see cref="CounterRandom.Uniform"/>(seeds[i], t), so its tokens do not depend on which other
    /// prompts share the batch; same seeds and inputs give the same tokens. A sequence stops at its
    /// first stop token (kept in the output); the batch stops when all have stopped or at MaxNewTokens.
    /// </summary>
    /// <param name="useKvCache">False recomputes the whole prefix at every step (slow; for testing and benchmarks).</param>
    /// <param name="tokenLimits">Per sequence, at most this many tokens (capped by MaxNewTokens); null = MaxNewTokens for all.</param>
    public static GenerationResult Generate(Qwen2ForCausalLM model, IReadOnlyList<int[]> prompts, SamplingOptions options,
        IReadOnlyList<long> seeds, bool useKvCache = true, IReadOnlyList<int>? tokenLimits = null)
    {
        options.Validate();
        if (seeds.Count != prompts.Count) throw new ArgumentException($"{prompts.Count} prompts but {seeds.Count} seeds", nameof(seeds));
        if (tokenLimits is not null && tokenLimits.Count != prompts.Count) throw new ArgumentException($"{prompts.Count} prompts but {tokenLimits.Count} token limits", nameof(tokenLimits));
        var stopIds = new HashSet<long>((options.StopTokenIds ?? model.Config.EosTokenIds).Select(id => (long)id));
        long padId = options.PadTokenId ?? (stopIds.Count > 0 ? stopIds.Min() : 0);

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        using var batch = PaddedBatch.Create(prompts, model.Config.VocabSize, model.Device);
        int size = batch.BatchSize, promptWidth = batch.PromptWidth;
        var limits = Enumerable.Range(0, size).Select(b => options.TokenLimit(tokenLimits?[b])).ToArray();
        int maxNew = limits.Max();
        // Mask over every slot the run can reach: prompt mask, then ones for generated tokens
        // (a finished sequence keeps feeding the pad id, whose outputs are never read).
        var fullMask = cat([batch.AttentionMask, ones(size, maxNew, dtype: ScalarType.Int64, device: model.Device)], dim: 1);
        using var cache = useKvCache ? model.CreateKvCache(size, promptWidth + maxNew) : null;

        var generated = Enumerable.Range(0, size).Select(_ => new List<int>()).ToArray();
        var logProbs = Enumerable.Range(0, size).Select(_ => new List<float>()).ToArray();
        var finished = new bool[size];
        var stopped = new bool[size]; // at its own token limit, without a stop token
        var allIds = new List<long[]>(); // generated columns, for recomputation without a cache

        Tensor nextLogits = LastLogits(model, batch.InputIds, batch.PositionIds, fullMask.narrow(1, 0, promptWidth), cache, 0);
        for (int step = 0; step < maxNew; step++)
        {
            var uniforms = new float[size];
            for (int b = 0; b < size; b++) uniforms[b] = (float)CounterRandom.Uniform(seeds[b], step);
            var (tokens, stepLogProbs) = TokenChooser.ChooseOnHost(nextLogits, uniforms, options);
            nextLogits.Dispose();
            for (int b = 0; b < size; b++)
            {
                if (finished[b] || stopped[b]) { tokens[b] = padId; continue; }
                generated[b].Add((int)tokens[b]);
                logProbs[b].Add(stepLogProbs[b]);
                if (stopIds.Contains(tokens[b])) finished[b] = true;
                else if (generated[b].Count == limits[b]) stopped[b] = true;
            }
            allIds.Add(tokens);
            if (Enumerable.Range(0, size).All(b => finished[b] || stopped[b]) || step == maxNew - 1) break;

            using var stepScope = NewDisposeScope();
            int slots = promptWidth + step + 1;
            if (cache is not null)
            {
                var ids = tensor(tokens, [size, 1], device: model.Device);
                var positions = tensor(Enumerable.Range(0, size).Select(b => (long)(batch.PromptLengths[b] + step)).ToArray(), [size, 1], device: model.Device);
                nextLogits = LastLogits(model, ids, positions, fullMask.narrow(1, 0, slots), cache, promptWidth + step);
            }
            else
            {
                var (ids, positions) = Recomputed(batch, allIds, model.Device);
                nextLogits = LastLogits(model, ids, positions, fullMask.narrow(1, 0, slots), null, 0);
            }
            nextLogits.MoveToOuterDisposeScope();
        }
        var sequences = Enumerable.Range(0, size)
            .Select(b => new GeneratedSequence(generated[b].ToArray(), logProbs[b].ToArray(), finished[b])).ToArray();
        return new GenerationResult(sequences);
    }

    /// <summary>Logits [B, V] at the last input position, projecting only that position through the head.</summary>
    static Tensor LastLogits(Qwen2ForCausalLM model, Tensor ids, Tensor positions, Tensor mask, KvCache? cache, int offset)
    {
        using var scope = NewDisposeScope();
        var hidden = model.ForwardHidden(ids, positions, mask, cache, offset);
        var last = hidden.select(1, hidden.shape[1] - 1);
        return model.Logits(last).MoveToOuterDisposeScope();
    }

    /// <summary>Prompt plus every generated column so far, with positions continuing each prompt's count.</summary>
    static (Tensor Ids, Tensor Positions) Recomputed(PaddedBatch batch, List<long[]> columns, Device device)
    {
        int size = batch.BatchSize, generatedWidth = columns.Count;
        var ids = new long[size * generatedWidth];
        var positions = new long[size * generatedWidth];
        for (int b = 0; b < size; b++)
            for (int t = 0; t < generatedWidth; t++)
            {
                ids[b * generatedWidth + t] = columns[t][b];
                positions[b * generatedWidth + t] = batch.PromptLengths[b] + t;
            }
        var newIds = tensor(ids, [size, generatedWidth], device: device);
        var newPositions = tensor(positions, [size, generatedWidth], device: device);
        return (cat([batch.InputIds, newIds], dim: 1), cat([batch.PositionIds, newPositions], dim: 1));
    }
}
