using Apo.Cli.Embedded;
using Apo.Engine.Presets;
using Apo.Engine.Sft;
using Apo.Model;
using Apo.Model.Qwen2;
using Apo.Tasks.Data;
using TorchSharp;

namespace Apo.Cli.Runs;

/// <summary>
/// The embedded default's reference policy: a tiny Qwen2 trained from scratch by supervised
/// learning on the synthetic task's training split (prompt: the GSM8K template; target: the worked
/// solution ending "#### N", then end-of-text), then cached as a model directory in the run
/// (saved atomically, so a directory that exists is complete and a rerun skips this phase).
/// </summary>
public static class ReferencePolicy
{
    /// <returns>True when it was trained now, false when the cached one was reused.</returns>
    public static bool EnsureTrained(string directory, EmbeddedPreset preset, IReadOnlyList<Gsm8kRow> train, Action<int, double>? progress = null)
    {
        if (Directory.Exists(directory)) return false;
        var tokenizer = EmbeddedTokenizer.Create();
        torch.manual_seed(preset.Seed);
        using var model = new Qwen2ForCausalLM(preset.Model.ToConfig(tokenizer.EosId));
        SupervisedTrainer.Train(model, SupervisedExamples.FromGsm8k(train, tokenizer), preset.Sft, progress);
        ModelDirectory.Save(directory, model, tokenizer);
        return true;
    }
}
