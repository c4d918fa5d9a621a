using Apo.Model.Checkpoints;
using Apo.Model.Inference;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// Qwen2 causal language model with Hugging Face parameter names (<c>model.embed_tokens.weight</c>,
/// <c>model.layers.{i}.self_attn.q_proj.weight</c>, …, <c>lm_head.weight</c>). With tied embeddings there
/// is no <c>lm_head.weight</c> parameter at all: the head multiplies by the embedding Parameter itself,
/// so one tensor receives both gradients and an optimizer step keeps them identical by construction.
/// </summary>
public sealed class Qwen2ForCausalLM : nn.Module
{
    readonly Qwen2Model model;
    readonly Projection? lm_head; // null when tied: the embedding Parameter is the head

    /// <summary>Builds a randomly initialised model (HF's init: normal(0, 0.02), zero biases, unit norms).
    /// Seed with <c>torch.manual_seed</c> beforehand for a reproducible init. Build it on the device and dtype
    /// it will run on (<see cref="Device"/> and <see cref="DType"/> are fixed; do not move it with <c>.to()</c>).</summary>
    /// <param name="forInference">Store matrices transposed for sampling and scoring only (see <see cref="Uninitialised"/>).</param>
    public Qwen2ForCausalLM(Qwen2Config config, Device? device = null, ScalarType? dtype = null, bool forInference = false)
        : this(config, device, dtype, initialise: true, forInference)
    {
    }

    Qwen2ForCausalLM(Qwen2Config config, Device? device, ScalarType? dtype, bool initialise, bool forInference) : base(nameof(Qwen2ForCausalLM))
    {
        config.Validate();
        Config = config;
        Device = device ?? CPU;
        DType = dtype ?? config.ScalarType;
        if (DType is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16))
            throw new ArgumentException($"unsupported model dtype {DType}", nameof(dtype));
        ForInference = forInference;
        model = new Qwen2Model(config, Device, DType, columnMajor: forInference);
        register_module("model", model);
        if (!config.TieWordEmbeddings)
        {
            lm_head = new Projection(config.HiddenSize, config.VocabSize, hasBias: false, Device, DType, columnMajor: forInference);
            register_module("lm_head", lm_head);
        }
        LmHeadWeight = lm_head?.Weight ?? model.EmbedTokens.Weight;
        if (initialise) InitialiseWeights();
    }

    /// <summary>
    /// A model whose parameters are allocated but not initialised (their values are whatever the allocator
    /// left): for loading a checkpoint into, without seconds of random draws that the checkpoint overwrites.
    /// </summary>
    /// <param name="forInference">
    /// A model that samples and scores but is never trained (a generator's replica, the frozen reference):
    /// its matrices are stored transposed (<see cref="Projection"/>), which makes a decode step's
    /// decode step 1.2× faster at batch 1 on this CPU's BLAS (docs/BENCHMARKS.md). Same names, shapes and values.
    /// </param>
    public static Qwen2ForCausalLM Uninitialised(Qwen2Config config, Device? device = null, ScalarType? dtype = null, bool forInference = false) =>
        new(config, device, dtype, initialise: false, forInference);

    public Qwen2Config Config { get; }
    /// <summary>Built for sampling and scoring only (transposed storage); do not train it.</summary>
    public bool ForInference { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    /// <summary>The matrix that maps hidden states to logits: the embedding Parameter itself when tied.</summary>
    public Parameter LmHeadWeight { get; }

    /// <summary>Recompute each decoder layer in backward instead of keeping its activations (see <see cref="Qwen2Model.ActivationCheckpointing"/>).</summary>
    public bool ActivationCheckpointing
    {
        get => model.ActivationCheckpointing;
        set => model.ActivationCheckpointing = value;
    }

    /// <summary>
    /// Logits [B, T, vocab] (model dtype).
    /// </summary>
    /// <param name="inputIds">Token ids [B, T] (int64).</param>
    /// <param name="positionIds">Rotary positions [B, T]: the count of real tokens before each token.</param>
    /// <param name="attentionMask">[B, S] over every key slot (cached ones included), 1 = real token, 0 = padding; S = cacheOffset + T.
    /// Null when no row has padding before a real token and there is no cache offset: plain causal attention, no mask tensor.</param>
    /// <param name="cache">Optional preallocated cache; keys/values of these T tokens are written at slots cacheOffset..cacheOffset+T.</param>
    /// <param name="cacheOffset">Slot of the first input token (0 without a cache).</param>
    public Tensor forward(Tensor inputIds, Tensor positionIds, Tensor? attentionMask, KvCache? cache = null, int cacheOffset = 0)
    {
        using var scope = NewDisposeScope();
        var hidden = ForwardHidden(inputIds, positionIds, attentionMask, cache, cacheOffset);
        return Logits(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>Final hidden states [B, T, hidden]; pair with <see cref="Logits"/> to project only the positions you need.</summary>
    public Tensor ForwardHidden(Tensor inputIds, Tensor positionIds, Tensor? attentionMask, KvCache? cache = null, int cacheOffset = 0)
    {
        CheckShapes(inputIds, positionIds, attentionMask, cache, cacheOffset);
        return model.Forward(inputIds, positionIds, attentionMask, cache, cacheOffset);
    }

    /// <summary>Final hidden states [B, T, hidden] with attention done by <paramref name="attention"/> (the rollout engine's caches).</summary>
    public Tensor ForwardHidden(Tensor inputIds, Tensor positionIds, IAttentionBackend attention)
    {
        if (inputIds.dim() != 2 || !positionIds.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"input ids [B, T] and position ids of the same shape expected, got [{string.Join(", ", inputIds.shape)}] and [{string.Join(", ", positionIds.shape)}]");
        return model.Forward(inputIds, positionIds, attention);
    }

    /// <summary>Projects hidden states [..., hidden] to logits [..., vocab] with the (possibly tied) head.</summary>
    public Tensor Logits(Tensor hidden) => nn.functional.linear(hidden, LmHeadWeight);

    /// <summary>An empty cache for <paramref name="batchSize"/> sequences of up to <paramref name="capacity"/> tokens, on this model's device and dtype.</summary>
    public KvCache CreateKvCache(int batchSize, int capacity) => new(Config, batchSize, capacity, Device, DType);

    /// <summary>Parameters by Hugging Face name (the same names <c>named_parameters()</c> yields).</summary>
    public IReadOnlyDictionary<string, Parameter> ParametersByName() =>
        named_parameters().ToDictionary(p => p.name, p => p.parameter);

    /// <summary>
    /// Copies weights in by Hugging Face name. Every parameter must be present with its exact shape;
    /// a tied model ignores an <c>lm_head.weight</c> entry (some exporters write one). Other unknown names
    /// are an error. <paramref name="source"/> names the checkpoint in messages.
    /// </summary>
    public void LoadWeights(IReadOnlyDictionary<string, Tensor> weights, string source)
    {
        var parameters = ParametersChecked(weights.Keys, source);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            if (!weights.TryGetValue(name, out var tensor))
                throw new InvalidDataException($"{source}: tensor \"{name}\" is missing");
            if (!tensor.shape.SequenceEqual(parameter.shape))
                throw new InvalidDataException($"{source}: tensor \"{name}\" has shape [{string.Join(", ", tensor.shape)}], expected [{string.Join(", ", parameter.shape)}]");
            parameter.copy_(tensor);
        }
    }

    /// <summary>
    /// Reads every parameter from a checkpoint (single file or shards) straight into place, converting dtype.
    /// Same rules as <see cref="LoadWeights"/>: all parameters required, a tied model ignores <c>lm_head.weight</c>,
    /// unknown tensors are an error naming <paramref name="source"/> (e.g. the model directory).
    /// </summary>
    public void LoadWeights(CheckpointReader reader, string source)
    {
        var parameters = ParametersChecked(reader.Names, source);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in parameters)
        {
            if (!reader.Contains(name)) throw new InvalidDataException($"{source}: tensor \"{name}\" is missing");
            reader.ReadInto(name, parameter);
        }
    }

    /// <summary>Parameters by name, after checking that every stored name is one of them (or a tied model's redundant head).</summary>
    IReadOnlyDictionary<string, Parameter> ParametersChecked(IEnumerable<string> storedNames, string source)
    {
        var parameters = ParametersByName();
        foreach (var name in storedNames.OrderBy(n => n, StringComparer.Ordinal))
            if (!parameters.ContainsKey(name) && !(name == "lm_head.weight" && Config.TieWordEmbeddings))
                throw new InvalidDataException($"{source}: tensor \"{name}\" is not a parameter of Qwen2ForCausalLM");
        return parameters;
    }

    void CheckShapes(Tensor inputIds, Tensor positionIds, Tensor? attentionMask, KvCache? cache, int cacheOffset)
    {
        if (inputIds.dim() != 2) throw new ArgumentException($"input ids must be [B, T], got [{string.Join(", ", inputIds.shape)}]");
        long batch = inputIds.shape[0], time = inputIds.shape[1];
        if (!positionIds.shape.SequenceEqual(inputIds.shape))
            throw new ArgumentException($"position ids [{string.Join(", ", positionIds.shape)}] must match input ids [{batch}, {time}]");
        if (attentionMask is null)
        {
            if (cacheOffset != 0) throw new ArgumentException("attention without a mask starts at slot 0; a cache offset needs a mask");
        }
        else if (attentionMask.dim() != 2 || attentionMask.shape[0] != batch || attentionMask.shape[1] != cacheOffset + time)
            throw new ArgumentException($"attention mask must be [{batch}, {cacheOffset + time}] (cache offset + new tokens), got [{string.Join(", ", attentionMask.shape)}]");
        if (cache is null && cacheOffset != 0) throw new ArgumentException("a cache offset needs a cache");
        if (cache is not null && (cache.BatchSize != batch || cacheOffset + time > cache.Capacity))
            throw new ArgumentException($"cache holds {cache.BatchSize} sequences of {cache.Capacity} slots; asked for {batch} sequences up to slot {cacheOffset + time}");
    }

    void InitialiseWeights()
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("layernorm.weight") || name == "model.norm.weight") nn.init.ones_(parameter);
            else if (name.EndsWith(".bias")) nn.init.zeros_(parameter);
            else nn.init.normal_(parameter, 0.0, 0.02);
        }
    }
}
