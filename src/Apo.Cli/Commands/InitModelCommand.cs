using System.CommandLine;
using Apo.Cli.Embedded;
using Apo.Model;
using Apo.Model.Qwen2;
using Apo.Model.Text;
using TorchSharp;

namespace Apo.Cli.Commands;

/// <summary>`apo init-model`: a randomly initialised model directory for any Qwen2 config.</summary>
static class InitModelCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config") { Description = "Hugging Face config.json of a Qwen2 model.", Required = true };
        var seed = new Option<long>("--seed") { Description = "Seed of the random initialisation.", DefaultValueFactory = _ => 0 };
        var output = new Option<DirectoryInfo>("--out") { Description = "Directory to create.", Required = true };
        var tokenizer = new Option<DirectoryInfo?>("--tokenizer") { Description = "Take the tokenizer from this directory instead of the embedded small vocabulary." };
        var force = new Option<bool>("--force") { Description = "Replace an existing, non-empty output directory." };
        var command = new Command("init-model", "Write a randomly initialised Qwen2 model directory (config, safetensors, tokenizer).")
        {
            config, seed, output, tokenizer, force,
        };
        command.SetAction(parse =>
        {
            string outDir = parse.GetValue(output)!.FullName;
            if (Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any() && !parse.GetValue(force))
                throw new UsageException($"{outDir} already exists and is not empty (use --force to replace it)");
            var modelConfig = Qwen2Config.Load(parse.GetValue(config)!.FullName);
            var text = parse.GetValue(tokenizer) is { } dir ? TextTokenizer.Load(dir.FullName) : EmbeddedTokenizer.Create();
            modelConfig = WithTokenizerIds(modelConfig, text, usesEmbedded: parse.GetValue(tokenizer) is null);

            torch.manual_seed(parse.GetValue(seed));
            using var model = new Qwen2ForCausalLM(modelConfig);
            ModelDirectory.Save(outDir, model, text);
            Console.WriteLine($"wrote {outDir}: {modelConfig.ParameterCount:N0} parameters, vocabulary {text.VocabSize} of {modelConfig.VocabSize}, eos {string.Join(",", modelConfig.EosTokenIds)}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// The embedded vocabulary decides its own special-token ids, so the config's are replaced; a
    /// user's tokenizer must already agree with the user's config, and a mismatch is reported.
    /// </summary>
    static Qwen2Config WithTokenizerIds(Qwen2Config config, TextTokenizer tokenizer, bool usesEmbedded)
    {
        if (usesEmbedded) return config with { EosTokenIdList = [tokenizer.EosId], BosTokenId = null };
        foreach (int id in config.EosTokenIds)
            if (id >= tokenizer.VocabSize && id >= config.VocabSize)
                throw new InvalidDataException($"config eos_token_id {id} is outside the vocabulary");
        return config;
    }
}
