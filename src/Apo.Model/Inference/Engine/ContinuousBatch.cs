using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Inference;

/// <summary>
/// One <see cref="Sampler.Generate(Qwen2ForCausalLM, IReadOnlyList{PromptSamples}, SamplingOptions, SamplerSettings?)"/>
/// run. Each step: move sequences that outgrew their slab up a slab; decode one token for every sequence
/// with room; admit waiting prompts into free slots and prefill them; choose the next token of all of
/// those at once (the only device-to-host copy of the step); release the slots of finished sequences.
/// </summary>
sealed class ContinuousBatch : IDisposable
{
    readonly Qwen2ForCausalLM model;
    readonly IReadOnlyList<PromptSamples> groups;
    readonly SamplingOptions options;
    readonly SamplerSettings settings;
    readonly HashSet<long> stopIds;
    readonly int slots;
    readonly SlotCache cache;
    readonly GeneratedSequence[][] results;
    readonly List<Sequence> live = [];
    readonly Queue<(int Group, int Sample)> waiting = new();

    public ContinuousBatch(Qwen2ForCausalLM model, IReadOnlyList<PromptSamples> groups, SamplingOptions options, SamplerSettings settings)
    {
        this.model = model;
        this.groups = groups;
        this.options = options;
        this.settings = settings;
        stopIds = [.. (options.StopTokenIds ?? model.Config.EosTokenIds).Select(id => (long)id)];
        results = groups.Select(g => new GeneratedSequence[g.Seeds.Count]).ToArray();
        int longest = 1, shortestPrompt = int.MaxValue;
        for (int g = 0; g < groups.Count; g++)
        {
            shortestPrompt = Math.Min(shortestPrompt, groups[g].PromptIds.Length);
            for (int j = 0; j < groups[g].Seeds.Count; j++)
            {
                waiting.Enqueue((g, j));
                // The last token of a response is chosen, never fed, so it takes no cache slot.
                longest = Math.Max(longest, groups[g].PromptIds.Length + Limit(g, j) - 1);
            }
        }
        // Never more slots than sequences: a small call does not allocate a large batch's cache.
        slots = Math.Min(settings.Slots, waiting.Count);
        var plan = KvSlabPlan.For(slots, longest, shortestPrompt, settings.KvTokens);
        cache = new SlotCache(model.Config, plan, model.Device, model.DType);
    }

    int Limit(int group, int sample) => options.TokenLimit(groups[group].TokenLimits?[sample]);

    public IReadOnlyList<GeneratedSequence[]> Run()
    {
        while (waiting.Count > 0 || live.Count > 0)
        {
            using var step = NewDisposeScope();
            Promote();
            var decoding = live.Where(s => s.Pending >= 0 && s.Length < cache.Slabs[s.Slab].Capacity)
                .OrderBy(s => s.Slab).ThenBy(s => s.Row).ToList();
            var decodeLogits = decoding.Count > 0 ? Decode(decoding) : null;
            var (admitted, prefillLogits) = Admit();
            var ready = decoding.Concat(admitted).ToList();
            if (ready.Count == 0)
                throw new InvalidOperationException($"the rollout scheduler made no progress: {live.Count} live sequences, {waiting.Count} waiting");
            var logits = decodeLogits is null ? prefillLogits! : prefillLogits is null ? decodeLogits : cat([decodeLogits, prefillLogits], 0);
            var uniforms = ready.Select(s => (float)CounterRandom.Uniform(s.Seed, s.Tokens.Count)).ToArray();
            var (tokens, logProbs) = TokenChooser.ChooseOnHost(logits, uniforms, options);
            for (int i = 0; i < ready.Count; i++)
            {
                var s = ready[i];
                s.Tokens.Add((int)tokens[i]);
                s.LogProbs.Add(logProbs[i]);
                bool stopped = stopIds.Contains(tokens[i]);
                if (stopped || s.Tokens.Count == s.Limit) Finish(s, stopped);
                else s.Pending = tokens[i];
            }
        }
        return results;
    }

    /// <summary>Moves each sequence whose next token falls past its slab into the smallest larger slab with a free row; the others wait.</summary>
    void Promote()
    {
        foreach (var s in live.Where(s => s.Pending >= 0 && s.Length == cache.Slabs[s.Slab].Capacity).ToList())
        {
            int target = Array.FindIndex(cache.Slabs, slab => slab.Capacity > s.Length && slab.Free > 0);
            if (target < 0) continue;
            var to = cache.Slabs[target];
            int row = to.Active++;
            SlotCache.CopyRow(cache.Slabs[s.Slab], s.Row, to, row, s.Length);
            Release(s);
            (s.Slab, s.Row) = (target, row);
        }
    }

    /// <summary>Feeds each decoding sequence's pending token at its own position; logits [n, V] in the same order.</summary>
    Tensor Decode(List<Sequence> decoding)
    {
        var device = model.Device;
        var ids = tensor(decoding.Select(s => s.Pending).ToArray(), [decoding.Count, 1], device: device);
        var positions = tensor(decoding.Select(s => (long)s.Length).ToArray(), [decoding.Count, 1], device: device);
        var parts = new List<DecodeAttention.Part>();
        for (int offset = 0; offset < decoding.Count;)
        {
            int slabIndex = decoding[offset].Slab, count = 0;
            while (offset + count < decoding.Count && decoding[offset + count].Slab == slabIndex) count++;
            var members = decoding.GetRange(offset, count);
            parts.Add(Part(cache.Slabs[slabIndex], slabIndex, offset, members));
            offset += count;
        }
        var hidden = model.ForwardHidden(ids, positions, new DecodeAttention(parts));
        foreach (var s in decoding)
        {
            s.Length++;
            s.Pending = -1;
        }
        return model.Logits(hidden.select(1, 0));
    }

    DecodeAttention.Part Part(SlotCache.Slab slab, int slabIndex, int offset, List<Sequence> members)
    {
        // Cached tokens each row of the slab may attend to after this step's write.
        var visible = new long[slab.Active];
        foreach (var s in live.Where(s => s.Slab == slabIndex)) visible[s.Row] = Math.Max(1, s.Length);
        foreach (var s in members) visible[s.Row] = s.Length + 1;
        int width = (int)visible.Max();
        var device = model.Device;
        var lengths = tensor(visible, device: device).unsqueeze(1);                                   // [A, 1]
        var admitted = arange(width, dtype: ScalarType.Int64, device: device).unsqueeze(0).lt(lengths); // [A, W]
        var mask = where(admitted, zeros(1, dtype: model.DType, device: device), full(1, finfo(model.DType).min, dtype: model.DType, device: device));
        bool packed = members.Count == slab.Active;
        return new DecodeAttention.Part(slab, offset, members.Count,
            tensor(members.Select(s => (long)s.Row).ToArray(), device: device),
            tensor(members.Select(s => (long)s.Length).ToArray(), device: device),
            mask.view(slab.Active, 1, 1, width), width, packed);
    }

    /// <summary>
    /// Admits waiting samples in order while slots are free: each prompt goes to the smallest slab with a
    /// free row that holds it, and one prefill row serves all its samples admitted together. The head of
    /// the queue blocks the rest (first come, first served), which keeps the schedule a function of the inputs.
    /// </summary>
    (List<Sequence> Admitted, Tensor? Logits) Admit()
    {
        var admitted = new List<Sequence>();
        var prefillRows = new List<(int Group, List<Sequence> Samples)>();
        int promptWidth = 0;
        while (waiting.Count > 0 && live.Count < slots)
        {
            var (group, _) = waiting.Peek();
            int length = groups[group].PromptIds.Length;
            int slabIndex = Array.FindIndex(cache.Slabs, slab => slab.Capacity >= length && slab.Free > 0);
            if (slabIndex < 0) break;
            int width = Math.Max(promptWidth, length);
            if (prefillRows.Count > 0 && (long)width * (prefillRows.Count + 1) > settings.PrefillTokens) break;
            promptWidth = width;
            var slab = cache.Slabs[slabIndex];
            var samples = new List<Sequence>();
            while (waiting.Count > 0 && waiting.Peek().Group == group && slab.Free > 0 && live.Count < slots
                   && (settings.SharePrefill || samples.Count == 0))
            {
                var (_, sample) = waiting.Dequeue();
                var s = new Sequence(group, sample, groups[group].Seeds[sample], Limit(group, sample), slabIndex, slab.Active++, length);
                live.Add(s);
                samples.Add(s);
            }
            prefillRows.Add((group, samples));
            admitted.AddRange(samples);
        }
        return (admitted, prefillRows.Count == 0 ? null : Prefill(prefillRows, promptWidth));
    }

    /// <summary>One forward over the admitted prompts (right-padded); logits [n, V] of each admitted sample, in admission order.</summary>
    Tensor Prefill(List<(int Group, List<Sequence> Samples)> rows, int width)
    {
        var device = model.Device;
        var ids = new long[rows.Count * width];
        var positions = new long[rows.Count * width];
        var targets = new List<PrefillAttention.Target>();
        var sampleRows = new List<long>();
        for (int r = 0; r < rows.Count; r++)
        {
            var prompt = groups[rows[r].Group].PromptIds;
            for (int t = 0; t < width; t++)
            {
                ids[r * width + t] = t < prompt.Length ? prompt[t] : prompt[^1];
                positions[r * width + t] = t;
            }
            var slab = cache.Slabs[rows[r].Samples[0].Slab];
            targets.Add(new PrefillAttention.Target(r, prompt.Length, slab,
                tensor(rows[r].Samples.Select(s => (long)s.Row).ToArray(), device: device)));
            sampleRows.AddRange(rows[r].Samples.Select(_ => (long)r));
        }
        var hidden = model.ForwardHidden(tensor(ids, [rows.Count, width], device: device),
            tensor(positions, [rows.Count, width], device: device), new PrefillAttention(targets));
        var last = tensor(rows.Select(r => (long)groups[r.Group].PromptIds.Length - 1).ToArray(), device: device);
        var lastHidden = hidden.gather(1, last.view(-1, 1, 1).expand(-1, 1, hidden.shape[2])).squeeze(1); // [rows, hidden]
        var logits = model.Logits(lastHidden);
        return sampleRows.Count == rows.Count ? logits : logits.index_select(0, tensor(sampleRows.ToArray(), device: device));
    }

    void Finish(Sequence s, bool stopped)
    {
        results[s.Group][s.Sample] = new GeneratedSequence(s.Tokens.ToArray(), s.LogProbs.ToArray(), stopped);
        Release(s);
        live.Remove(s);
    }

    /// <summary>Frees a sequence's row, moving the slab's last live row into it so live rows stay packed at the front.</summary>
    void Release(Sequence s)
    {
        var slab = cache.Slabs[s.Slab];
        int last = slab.Active - 1;
        if (s.Row != last)
        {
            var moved = live.First(o => o != s && o.Slab == s.Slab && o.Row == last);
            SlotCache.CopyRow(slab, last, slab, s.Row, moved.Length);
            moved.Row = s.Row;
        }
        slab.Active--;
    }

    public void Dispose() => cache.Dispose();

    /// <summary>A live sequence: its slot, its cached length, the token chosen but not yet fed.</summary>
    sealed class Sequence(int group, int sample, long seed, int limit, int slab, int row, int length)
    {
        public int Group { get; } = group;
        public int Sample { get; } = sample;
        public long Seed { get; } = seed;
        public int Limit { get; } = limit;
        public int Slab { get; set; } = slab;
        public int Row { get; set; } = row;
        public int Length { get; set; } = length;
        public long Pending { get; set; } = -1;
        public List<int> Tokens { get; } = [];
        public List<float> LogProbs { get; } = [];
    }
}
