using Apo.Abstractions.Weights;
using Apo.Model;
using Apo.Model.Checkpoints;
using Apo.Model.Qwen2;
using Apo.Model.Text;

namespace Apo.Grains.Weights;

/// <summary>
/// A weight store on a file system shared by the trainer and the generators: version v of run r is
/// a complete Hugging Face model directory <c>{root}/{r}/v{v}/</c> (config.json, safetensors
/// written by <see cref="CheckpointWriter"/>, tokenizer), so any published version also loads in
/// transformers or vLLM. It is built in a staging folder beside the target and renamed into place,
/// so a reader sees either nothing or the complete version. <see cref="WeightVersion.Location"/>
/// is that directory's full path.
/// </summary>
public sealed class DirectoryWeightStore(string root) : IWeightStore
{
    /// <summary>The folder that holds one folder per run.</summary>
    public string Root { get; } = Path.GetFullPath(root);

    /// <summary>Where a version of a run is (or would be) stored.</summary>
    public string DirectoryOf(string runId, long version)
    {
        WeightPaths.CheckRunId(runId);
        return Path.Combine(Root, runId, WeightPaths.VersionFolder(version));
    }

    /// <inheritdoc />
    public WeightVersion Publish(string runId, long version, Qwen2ForCausalLM policy, TextTokenizer tokenizer, int retain = IWeightStore.DefaultRetain)
    {
        if (version < 0) throw new ArgumentOutOfRangeException(nameof(version), version, "weight versions are ≥ 0");
        string target = DirectoryOf(runId, version);
        // ModelDirectory.Save stages the whole directory beside the target and renames it into place;
        // republishing a version (a trainer resumed from its checkpoint) swaps the folder the same way.
        ModelDirectory.Save(target, policy, tokenizer);
        return new WeightVersion(version, target) { ContentHash = WeightContent.HashOf(target) };
    }

    /// <inheritdoc />
    public void LoadInto(WeightVersion version, Qwen2ForCausalLM replica)
    {
        string directory = version.Location ?? "";
        if (!Path.IsPathFullyQualified(directory) || Path.GetFileName(Path.TrimEndingDirectorySeparator(directory)) != WeightPaths.VersionFolder(version.Version))
            throw new InvalidDataException(
                $"weight location \"{directory}\" is not a directory of version {version.Version} " +
                $"(expected an absolute path ending in {WeightPaths.VersionFolder(version.Version)})");
        if (!Directory.Exists(directory))
            throw new DirectoryNotFoundException($"{directory}: weight version {version.Version} was not published (directory not found)");
        WeightContent.Require(directory, version, directory);
        using var reader = CheckpointReader.Open(directory);
        replica.LoadWeights(reader, directory);
    }
}
