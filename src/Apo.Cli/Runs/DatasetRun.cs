using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.Runs;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Algorithm;
using Apo.Common.IO;
using Apo.Model;
using Apo.Model.Text;
using Apo.Tasks.Data;

namespace Apo.Cli.Runs;

/// <summary>
/// `apo stage1` / `apo train` on any dataset and Hugging Face model directory, through the same
/// grains as the embedded run. The dataset is read and validated completely before the run
/// directory is created, so bad data leaves nothing behind.
/// </summary>
public static class DatasetRun
{
    public const string RunId = "run";
    public const string StageOneExportName = "stage1.parquet";

    public sealed record Request(string ModelDirectory, string DataPath, IReadOnlyList<PromptExample> Examples, RunLayout Layout,
        StageOneSettings StageOne, StageTwoSettings StageTwo, string SiloConfig, bool ChatTemplate, int MaxPromptTokens);

    /// <param name="StageOneExport">The stage-1 export (parquet); null for a baseline, which has no stage 1.</param>
    public sealed record Result(StageOneSummary StageOne, string? StageOneExport, RunStatus Status);

    public static async Task<Result> ExecuteAsync(Request request)
    {
        if (request.Examples.Count == 0) throw new InvalidDataException($"{request.DataPath}: no prompts to train on");
        var tokenizer = TextTokenizer.Load(request.ModelDirectory);
        var reference = new ReferenceModel(Path.GetFullPath(request.ModelDirectory), ModelDirectory.ContentHash(request.ModelDirectory));
        Claim(request, reference);

        await using var session = await EmbeddedSession.StartAsync(request.SiloConfig, request.Layout,
            asynchronous: request.StageTwo.MaxStaleness > 0);
        var keys = await PipelineDriver.InitializePromptsAsync(session.Grains, RunId, request.Examples, tokenizer, request.DataPath,
            request.MaxPromptTokens, request.ChatTemplate);
        var provenance = request.StageOne.ProvenanceFor(reference.Hash);
        await ImportExistingSamplesAsync(session.Grains, keys, request.Examples, provenance);

        var spec = new RunSpec(RunId, reference, keys, [], request.StageOne, request.StageTwo, request.Layout.Root)
        {
            Engine = new Apo.Abstractions.Generation.GenerationEngine(session.Options.GenerationBatchSize, session.Options.GenerationKvTokens),
        };
        var (status, _) = await PipelineDriver.RunAsync(session.Grains, spec);

        var records = await Task.WhenAll(keys.Select(k => session.Grains.GetGrain<IPromptGrain>(k).GetStageOne(provenance)));
        if (!StageTwoAlgorithms.Parse(request.StageTwo.Algorithm).UsesOptimalValues())
            return new Result(new StageOneSummary(keys.Length, 0, double.NaN), null, status); // the baselines have no stage 1
        string export = Path.Combine(request.Layout.Root, StageOneExportName);
        DatasetWriter.WriteStageOne(export, request.Examples.Zip(records).Where(p => p.Second is not null).Select(p => p.First with
        {
            StageOne = p.Second!.Samples.Select(s => new Apo.Tasks.Data.StageOneSample(s.ResponseText, s.Reward)).ToList(),
        }));
        var vstars = records.Where(r => r is not null).Select(r => r!.VStar).ToList();
        var summary = new StageOneSummary(keys.Length, vstars.Count, vstars.Count > 0 ? vstars.Average() : double.NaN);
        AtomicFile.WriteAllText(Path.Combine(request.Layout.Root, "stage1-summary.json"),
            new JsonObject { ["prompts"] = summary.Prompts, ["prompts_with_vstar"] = summary.PromptsWithVStar, ["mean_vstar"] = summary.MeanVStar }.ToJsonString());
        return new Result(summary, export, status);
    }

    /// <summary>An A*-PO stage-1 export already holds the N samples: import them instead of sampling again.</summary>
    static async Task ImportExistingSamplesAsync(IGrainFactory grains, ImmutableArray<string> keys, IReadOnlyList<PromptExample> examples,
        StageOneProvenance provenance)
    {
        var imports = new List<Task>();
        for (int i = 0; i < examples.Count; i++)
        {
            if (examples[i].StageOne is not { Count: > 0 } samples) continue;
            if (samples.Count != provenance.Samples)
                throw new InvalidDataException($"prompt \"{examples[i].Id}\": the data holds {samples.Count} stage-1 samples but --n is {provenance.Samples}");
            var converted = samples.Select(s => new Apo.Abstractions.StageOne.StageOneSample([], s.Response, s.Reward, true, null)).ToImmutableArray();
            imports.Add(grains.GetGrain<IPromptGrain>(keys[i]).ImportStageOne(provenance, converted));
        }
        await Task.WhenAll(imports);
    }

    /// <summary>Same rule as the embedded run: a run directory belongs to one model, dataset and setting.</summary>
    static void Claim(Request request, ReferenceModel reference)
    {
        string identity = new JsonObject
        {
            ["model"] = reference.Location,
            ["model_hash"] = reference.Hash,
            ["data"] = Path.GetFullPath(request.DataPath),
            ["prompts"] = request.Examples.Count,
            ["stage1"] = System.Text.Json.JsonSerializer.SerializeToNode(request.StageOne),
            ["stage2"] = System.Text.Json.JsonSerializer.SerializeToNode(request.StageTwo),
            ["chat_template"] = request.ChatTemplate,
            ["max_prompt_tokens"] = request.MaxPromptTokens,
        }.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
        request.Layout.Claim(identity, "model, data or settings");
    }
}
