using Apo.Model.Checkpoints;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using static TorchSharp.torch;

namespace Apo.Model;

/// <summary>A model loaded from a directory, with the tokenizer that belongs to it.</summary>
public sealed class LoadedModel(string directory, Qwen2ForCausalLM model, TextTokenizer tokenizer) : IDisposable
{
    public string Directory { get; } = directory;
    public Qwen2ForCausalLM Model { get; } = model;
    public TextTokenizer Tokenizer { get; } = tokenizer;
    public Qwen2Config Config => Model.Config;

    public void Dispose() => Model.Dispose();
}

/// <summary>
/// A Hugging Face model directory: <c>config.json</c>, <c>model.safetensors</c> (or shards and their
/// index) and the tokenizer files. What this project writes, transformers and vLLM can load, and
/// what they write, this project can load.
/// </summary>
public static class ModelDirectory
{
    public const string ConfigFileName = "config.json";

    /// <param name="forInference">Never trained: stored in the layout that samples fastest (see <see cref="Qwen2ForCausalLM.Uninitialised"/>).</param>
    public static LoadedModel Load(string directory, Device? device = null, ScalarType? dtype = null, bool forInference = false)
    {
        var model = LoadModel(directory, device, dtype, forInference);
        try
        {
            var tokenizer = TextTokenizer.Load(directory);
            CheckTokenizerFits(directory, model.Config, tokenizer);
            return new LoadedModel(directory, model, tokenizer);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Builds the model from config.json (allocated, not initialised) and copies every weight in, tensor by tensor.</summary>
    public static Qwen2ForCausalLM LoadModel(string directory, Device? device = null, ScalarType? dtype = null, bool forInference = false)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: model directory not found");
        var config = Qwen2Config.Load(Path.Combine(directory, ConfigFileName));
        using var reader = CheckpointReader.Open(directory);
        var model = Qwen2ForCausalLM.Uninitialised(config, device, dtype, forInference);
        try
        {
            model.LoadWeights(reader, directory);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Writes config, weights and tokenizer into <paramref name="directory"/>. The whole directory is
    /// built beside the target and swapped in, so a crash leaves either the old model or the new one.
    /// </summary>
    public static void Save(string directory, Qwen2ForCausalLM model, TextTokenizer tokenizer,
        ScalarType? storeAs = null, long maxShardBytes = 0)
    {
        CheckTokenizerFits(directory, model.Config, tokenizer);
        string target = Path.GetFullPath(directory);
        string parent = Path.GetDirectoryName(target)!;
        System.IO.Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            System.IO.Directory.CreateDirectory(staging);
            var dtype = storeAs ?? model.DType;
            var config = model.Config with { TorchDtype = SafeTensorsDType.ToTorchDtypeName(dtype) };
            config.Save(Path.Combine(staging, ConfigFileName));
            var weights = model.ParametersByName()
                .OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => KeyValuePair.Create(p.Key, (Tensor)p.Value))
                .ToList();
            CheckpointWriter.Write(staging, weights, dtype, maxShardBytes);
            tokenizer.Save(staging);
            Swap(staging, target);
        }
        catch
        {
            if (System.IO.Directory.Exists(staging)) System.IO.Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// A content hash of the model (config.json, generation_config.json if any, and every weight file, in name order): the
    /// reference-model identity recorded in each V̂*'s provenance, so a changed reference
    /// invalidates stage-1 results instead of silently reusing them.
    /// </summary>
    public static string ContentHash(string directory)
    {
        if (!System.IO.Directory.Exists(directory)) throw new DirectoryNotFoundException($"{directory}: model directory not found");
        var files = System.IO.Directory.GetFiles(directory, "*.safetensors").Append(Path.Combine(directory, ConfigFileName))
            .Append(Path.Combine(directory, Qwen2Config.GenerationConfigFileName)) // its stop ids change what is sampled
            .Where(File.Exists).OrderBy(f => Path.GetFileName(f), StringComparer.Ordinal).ToList();
        using var hash = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        foreach (string file in files)
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(file) + "\n"));
            using var stream = File.OpenRead(file);
            var buffer = new byte[1 << 20];
            int read;
            while ((read = stream.Read(buffer)) > 0) hash.AppendData(buffer, 0, read);
        }
        return "sha256:" + Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant();
    }

    static void Swap(string staging, string target)
    {
        if (!System.IO.Directory.Exists(target))
        {
            System.IO.Directory.Move(staging, target);
            return;
        }
        string retired = $"{target}.{Guid.NewGuid():N}.old";
        System.IO.Directory.Move(target, retired);
        System.IO.Directory.Move(staging, target);
        System.IO.Directory.Delete(retired, recursive: true);
    }

    static void CheckTokenizerFits(string directory, Qwen2Config config, TextTokenizer tokenizer)
    {
        if (tokenizer.VocabSize > config.VocabSize)
            throw new InvalidDataException(
                $"{directory}: the tokenizer has {tokenizer.VocabSize} tokens but config.json vocab_size is {config.VocabSize}");
    }
}
