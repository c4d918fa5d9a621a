using Apo.Common.IO;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using TorchSharp;

namespace Apo.Model.Qwen2;

/// <summary>
/// The shape of a Qwen2 / Qwen2.5 causal LM, as read from (and written to) a Hugging Face <c>config.json</c>.
/// Optional fields take the defaults of transformers' <c>Qwen2Config</c>.
/// </summary>
public sealed record Qwen2Config
{
    public required int VocabSize { get; init; }
    public required int HiddenSize { get; init; }
    public required int IntermediateSize { get; init; }
    public required int NumHiddenLayers { get; init; }
    public required int NumAttentionHeads { get; init; }
    public required int NumKeyValueHeads { get; init; }
    public double RmsNormEps { get; init; } = 1e-6;
    public double RopeTheta { get; init; } = 10000.0;
    public int MaxPositionEmbeddings { get; init; } = 32768;
    public bool TieWordEmbeddings { get; init; }
    /// <summary>"float32", "bfloat16" or "float16" (the HF spelling).</summary>
    public string TorchDtype { get; init; } = "float32";
    public int? BosTokenId { get; init; }
    /// <summary>HF allows one id or a list; kept as a list. Use <see cref="EosTokenIds"/>.</summary>
    public IReadOnlyList<int> EosTokenIdList { get; init; } = [];

    /// <summary>Size of one attention head.</summary>
    public int HeadDim => HiddenSize / NumAttentionHeads;

    /// <summary>Every token id that ends a response (config.json's, plus generation_config.json's when loaded from a directory that has one).</summary>
    public IReadOnlyList<int> EosTokenIds => EosTokenIdList;

    /// <summary>The tensor element type named by <see cref="TorchDtype"/>.</summary>
    public torch.ScalarType ScalarType => ParseDtype(TorchDtype)
        ?? throw new InvalidDataException($"torch_dtype \"{TorchDtype}\" is not one of float32, bfloat16, float16");

    /// <summary>
    /// Number of trainable parameters, computed from the shapes alone (nothing is allocated).
    /// A tied LM head adds nothing: it is the embedding matrix.
    /// </summary>
    public long ParameterCount
    {
        get
        {
            long h = HiddenSize, kv = (long)NumKeyValueHeads * HeadDim;
            long attention = (h * h + h) + 2 * (h * kv + kv) + h * h; // q (+bias), k and v (+bias), o (no bias)
            long mlp = 3 * h * IntermediateSize;                        // gate, up, down
            long norms = 2 * h;                                         // input and post-attention RMSNorm
            long embedding = (long)VocabSize * h;
            long head = TieWordEmbeddings ? 0 : (long)VocabSize * h;
            return embedding + NumHiddenLayers * (attention + mlp + norms) + h + head;
        }
    }

    /// <summary>Checks the invariants the model relies on; <paramref name="source"/> names the file in errors.</summary>
    public void Validate(string source = "config")
    {
        void Positive(int value, string field)
        {
            if (value <= 0) throw new InvalidDataException($"{source}: field \"{field}\" must be positive, got {value}");
        }
        Positive(VocabSize, "vocab_size");
        Positive(HiddenSize, "hidden_size");
        Positive(IntermediateSize, "intermediate_size");
        Positive(NumHiddenLayers, "num_hidden_layers");
        Positive(NumAttentionHeads, "num_attention_heads");
        Positive(NumKeyValueHeads, "num_key_value_heads");
        Positive(MaxPositionEmbeddings, "max_position_embeddings");
        if (HiddenSize % NumAttentionHeads != 0)
            throw new InvalidDataException($"{source}: field \"num_attention_heads\" ({NumAttentionHeads}) does not divide \"hidden_size\" ({HiddenSize})");
        if (NumAttentionHeads % NumKeyValueHeads != 0)
            throw new InvalidDataException($"{source}: field \"num_key_value_heads\" ({NumKeyValueHeads}) does not divide \"num_attention_heads\" ({NumAttentionHeads})");
        if (HeadDim % 2 != 0)
            throw new InvalidDataException($"{source}: head size hidden_size/num_attention_heads = {HeadDim} must be even for rotary embeddings");
        if (!(RmsNormEps > 0)) throw new InvalidDataException($"{source}: field \"rms_norm_eps\" must be positive, got {RmsNormEps}");
        if (!(RopeTheta > 0)) throw new InvalidDataException($"{source}: field \"rope_theta\" must be positive, got {RopeTheta}");
        if (ParseDtype(TorchDtype) is null)
            throw new InvalidDataException($"{source}: field \"torch_dtype\" is \"{TorchDtype}\"; expected float32, bfloat16 or float16");
        foreach (var id in EosTokenIdList)
            if (id < 0 || id >= VocabSize) throw new InvalidDataException($"{source}: field \"eos_token_id\" value {id} is outside the vocabulary (0..{VocabSize - 1})");
        if (BosTokenId is { } bos && (bos < 0 || bos >= VocabSize))
            throw new InvalidDataException($"{source}: field \"bos_token_id\" value {bos} is outside the vocabulary (0..{VocabSize - 1})");
    }

    /// <summary>The generation defaults file beside <c>config.json</c>; its <c>eos_token_id</c> adds stop ids.</summary>
    public const string GenerationConfigFileName = "generation_config.json";

    /// <summary>
    /// Reads a Hugging Face <c>config.json</c> (a file, or a directory containing one). When a
    /// <c>generation_config.json</c> sits beside it, its <c>eos_token_id</c> (one id or a list) joins the
    /// stop ids, as transformers' <c>generate</c> and vLLM stop on them: Qwen2.5 instruct checkpoints list
    /// <c>&lt;|im_end|&gt;</c> in config.json but both it and <c>&lt;|endoftext|&gt;</c> in generation_config.json.
    /// </summary>
    public static Qwen2Config Load(string path)
    {
        if (Directory.Exists(path)) path = Path.Combine(path, "config.json");
        if (!File.Exists(path)) throw new FileNotFoundException($"{path}: model config not found", path);
        var config = FromJson(ReadObject(path), path);
        string generationPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, GenerationConfigFileName);
        if (!File.Exists(generationPath)) return config;
        var stopIds = new FieldReader(ReadObject(generationPath), generationPath).IntOrIntList("eos_token_id");
        foreach (var id in stopIds)
            if (id < 0 || id >= config.VocabSize)
                throw new InvalidDataException($"{generationPath}: field \"eos_token_id\" value {id} is outside the vocabulary (0..{config.VocabSize - 1})");
        return config with { EosTokenIdList = config.EosTokenIdList.Concat(stopIds).Distinct().ToArray() };
    }

    static JsonObject ReadObject(string path)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path} line {(e.LineNumber ?? 0) + 1}: malformed JSON: {e.Message}", e);
        }
        return root as JsonObject ?? throw new InvalidDataException($"{path}: expected a JSON object at the top level");
    }

    /// <summary>Builds a config from a parsed <c>config.json</c> object; <paramref name="source"/> names it in errors.</summary>
    public static Qwen2Config FromJson(JsonObject obj, string source)
    {
        var reader = new FieldReader(obj, source);
        var modelType = reader.OptionalString("model_type");
        if (modelType is not null && modelType != "qwen2")
            throw new InvalidDataException($"{source}: field \"model_type\" is \"{modelType}\"; only \"qwen2\" is supported");
        if (obj["rope_scaling"] is JsonObject)
            throw new InvalidDataException($"{source}: field \"rope_scaling\" is set; scaled rotary embeddings are not supported");
        if (reader.OptionalBool("use_sliding_window") == true)
            throw new InvalidDataException($"{source}: field \"use_sliding_window\" is true; sliding-window attention is not supported");

        int heads = reader.RequiredInt("num_attention_heads");
        var config = new Qwen2Config
        {
            VocabSize = reader.RequiredInt("vocab_size"),
            HiddenSize = reader.RequiredInt("hidden_size"),
            IntermediateSize = reader.RequiredInt("intermediate_size"),
            NumHiddenLayers = reader.RequiredInt("num_hidden_layers"),
            NumAttentionHeads = heads,
            NumKeyValueHeads = reader.OptionalInt("num_key_value_heads") ?? heads,
            RmsNormEps = reader.OptionalDouble("rms_norm_eps") ?? 1e-6,
            RopeTheta = reader.OptionalDouble("rope_theta") ?? 10000.0,
            MaxPositionEmbeddings = reader.OptionalInt("max_position_embeddings") ?? 32768,
            TieWordEmbeddings = reader.OptionalBool("tie_word_embeddings") ?? false,
            // transformers >= 4.56 writes "dtype"; older versions "torch_dtype".
            TorchDtype = reader.OptionalString("torch_dtype") ?? reader.OptionalString("dtype") ?? "float32",
            BosTokenId = reader.OptionalInt("bos_token_id"),
            EosTokenIdList = reader.IntOrIntList("eos_token_id"),
        };
        config.Validate(source);
        return config;
    }

    /// <summary>Writes a <c>config.json</c> that transformers and vLLM load as <c>Qwen2ForCausalLM</c>, atomically.</summary>
    public void Save(string path)
    {
        Validate(path);
        var json = ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true });
        AtomicFile.WriteAllText(path, json + "\n");
    }

    /// <summary>The Hugging Face JSON form of this config.</summary>
    public JsonObject ToJson() => new()
    {
        ["architectures"] = new JsonArray("Qwen2ForCausalLM"),
        ["model_type"] = "qwen2",
        ["vocab_size"] = VocabSize,
        ["hidden_size"] = HiddenSize,
        ["intermediate_size"] = IntermediateSize,
        ["num_hidden_layers"] = NumHiddenLayers,
        ["num_attention_heads"] = NumAttentionHeads,
        ["num_key_value_heads"] = NumKeyValueHeads,
        ["hidden_act"] = "silu",
        ["max_position_embeddings"] = MaxPositionEmbeddings,
        ["initializer_range"] = 0.02,
        ["rms_norm_eps"] = RmsNormEps,
        ["rope_theta"] = RopeTheta,
        ["rope_scaling"] = null,
        ["attention_dropout"] = 0.0,
        ["use_sliding_window"] = false,
        ["sliding_window"] = MaxPositionEmbeddings,
        ["max_window_layers"] = NumHiddenLayers,
        ["tie_word_embeddings"] = TieWordEmbeddings,
        ["torch_dtype"] = TorchDtype,
        ["use_cache"] = true,
        ["bos_token_id"] = BosTokenId,
        ["eos_token_id"] = EosTokenIdList.Count switch
        {
            0 => null,
            1 => JsonValue.Create(EosTokenIdList[0]),
            _ => new JsonArray(EosTokenIdList.Select(id => (JsonNode?)JsonValue.Create(id)).ToArray()),
        },
        ["transformers_version"] = "4.45.0",
    };

    static torch.ScalarType? ParseDtype(string name) => name switch
    {
        "float32" => torch.ScalarType.Float32,
        "bfloat16" => torch.ScalarType.BFloat16,
        "float16" => torch.ScalarType.Float16,
        _ => null,
    };

    /// <summary>Typed access to config fields with errors that name the file and the field.</summary>
    sealed class FieldReader(JsonObject obj, string source)
    {
        InvalidDataException Bad(string field, string expected, JsonNode? node) =>
            new($"{source}: field \"{field}\" must be {expected}, got {node?.ToJsonString() ?? "null"}");

        public int RequiredInt(string field) =>
            OptionalInt(field) ?? throw new InvalidDataException($"{source}: field \"{field}\" is missing");

        public int? OptionalInt(string field)
        {
            var node = obj[field];
            if (node is null) return null;
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i)) return i;
            if (node is JsonValue d && d.GetValueKind() == JsonValueKind.Number && d.TryGetValue<double>(out var x) && x == Math.Floor(x) && Math.Abs(x) <= int.MaxValue) return (int)x;
            throw Bad(field, "an integer", node);
        }

        public double? OptionalDouble(string field)
        {
            var node = obj[field];
            if (node is null) return null;
            if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number) return v.GetValue<double>();
            throw Bad(field, "a number", node);
        }

        public bool? OptionalBool(string field)
        {
            var node = obj[field];
            if (node is null) return null;
            return node.GetValueKind() switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => throw Bad(field, "true or false", node),
            };
        }

        public string? OptionalString(string field)
        {
            var node = obj[field];
            if (node is null) return null;
            if (node.GetValueKind() == JsonValueKind.String) return node.GetValue<string>();
            throw Bad(field, "a string", node);
        }

        public IReadOnlyList<int> IntOrIntList(string field)
        {
            var node = obj[field];
            if (node is null) return [];
            if (node is JsonArray array)
            {
                var ids = new List<int>();
                for (int i = 0; i < array.Count; i++)
                {
                    var item = array[i];
                    if (item is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var id)) ids.Add(id);
                    else throw new InvalidDataException($"{source}: field \"{field}\" item {i} must be an integer, got {item?.ToJsonString() ?? "null"}");
                }
                return ids;
            }
            return [OptionalInt(field)!.Value];
        }
    }
}
