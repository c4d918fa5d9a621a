using Apo.Model.Checkpoints;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Model.Qwen2;

/// <summary>
/// A Qwen2 decoder with a scalar head instead of the language-model head: one number per position,
/// laid out as Hugging Face's <c>Qwen2ForTokenClassification</c> with one label
/// (<c>model.*</c> backbone, <c>score.weight</c> [1, hidden], <c>score.bias</c> [1]).
/// Build it with <see cref="CopyOf"/>: the backbone starts as an independent copy of a language model.
/// </summary>
public sealed class Qwen2ValueModel : nn.Module
{
    /// <summary>The head's parameter prefix (HF's name for a token-classification head).</summary>
    public const string HeadName = "score";

    readonly Qwen2Model model;
    readonly Projection score;

    Qwen2ValueModel(Qwen2Config config, Device device, ScalarType dtype) : base(nameof(Qwen2ValueModel))
    {
        config.Validate();
        Config = config;
        Device = device;
        DType = dtype;
        model = new Qwen2Model(config, device, dtype);
        register_module("model", model);
        score = new Projection(config.HiddenSize, 1, hasBias: true, device, dtype);
        register_module(HeadName, score);
    }

    public Qwen2Config Config { get; }
    public Device Device { get; }
    public ScalarType DType { get; }

    /// <summary>
    /// A new model on <paramref name="source"/>'s device and dtype whose backbone holds a COPY of the
    /// source's <c>model.*</c> weights (no shared storage: training one never moves the other).
    /// The head starts at zero weight and zero bias, so every prediction starts at exactly 0:
    /// deterministic without drawing random numbers, and a neutral start (no prior about any
    /// sequence) whose weight gradient (the hidden state) is non-zero, so it learns from the first step.
    /// </summary>
    public static Qwen2ValueModel CopyOf(Qwen2ForCausalLM source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var copy = new Qwen2ValueModel(source.Config, source.Device, source.DType);
        var sourceParameters = source.ParametersByName();
        using var noGrad = no_grad();
        foreach (var (name, parameter) in copy.named_parameters())
        {
            if (name.StartsWith(HeadName + ".", StringComparison.Ordinal)) parameter.zero_();
            else parameter.copy_(sourceParameters[name]);
        }
        return copy;
    }

    /// <summary>Recompute each decoder layer in backward instead of keeping its activations.</summary>
    public bool ActivationCheckpointing
    {
        get => model.ActivationCheckpointing;
        set => model.ActivationCheckpointing = value;
    }

    /// <summary>One value per position, [B, T] float32. Arguments as <see cref="Qwen2ForCausalLM.ForwardHidden"/> (no cache).</summary>
    public Tensor forward(Tensor inputIds, Tensor positionIds, Tensor? attentionMask)
    {
        using var scope = NewDisposeScope();
        var hidden = ForwardHidden(inputIds, positionIds, attentionMask);
        return Values(hidden).MoveToOuterDisposeScope();
    }

    /// <summary>Final hidden states [B, T, hidden]; pair with <see cref="Values"/> to project only the positions you need.</summary>
    /// <remarks>A null <paramref name="attentionMask"/> means right padding only: plain causal attention.</remarks>
    public Tensor ForwardHidden(Tensor inputIds, Tensor positionIds, Tensor? attentionMask)
    {
        if (inputIds.dim() != 2 || !positionIds.shape.SequenceEqual(inputIds.shape) || (attentionMask is not null && !attentionMask.shape.SequenceEqual(inputIds.shape)))
            throw new ArgumentException($"input ids, position ids and attention mask must all be [B, T]; got [{string.Join(", ", inputIds.shape)}], " +
                $"[{string.Join(", ", positionIds.shape)}], [{string.Join(", ", attentionMask?.shape ?? [])}]");
        return model.Forward(inputIds, positionIds, attentionMask, null, 0);
    }

    /// <summary>Projects hidden states [..., hidden] to values [...] in float32.</summary>
    public Tensor Values(Tensor hidden)
    {
        using var scope = NewDisposeScope();
        return score.forward(hidden).squeeze(-1).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Parameters by Hugging Face name.</summary>
    public IReadOnlyDictionary<string, Parameter> ParametersByName() =>
        named_parameters().ToDictionary(p => p.name, p => p.parameter);

    /// <summary>Writes every parameter, as stored in memory (bit-exact), to one .safetensors file, atomically.</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SafeTensorsWriter.Write(path, named_parameters().Select(p => new KeyValuePair<string, Tensor>(p.name, p.parameter)).ToList(),
            metadata: new Dictionary<string, string> { ["format"] = "pt" });
    }

    /// <summary>
    /// Reads <see cref="Save"/>'s file back into this model (same shape). Every parameter must be present
    /// and no other tensor may be; errors name the file and the tensor.
    /// </summary>
    public void Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var file = SafeTensorsFile.Open(path);
        var parameters = ParametersByName();
        foreach (var name in file.Entries.Keys.OrderBy(n => n, StringComparer.Ordinal))
            if (!parameters.ContainsKey(name))
                throw new InvalidDataException($"{path}: tensor \"{name}\" is not a parameter of {nameof(Qwen2ValueModel)}");
        foreach (var (name, parameter) in parameters)
        {
            if (!file.Entries.ContainsKey(name)) throw new InvalidDataException($"{path}: tensor \"{name}\" is missing");
            file.ReadInto(name, parameter);
        }
    }
}
