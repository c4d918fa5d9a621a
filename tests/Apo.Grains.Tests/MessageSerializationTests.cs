using System.Collections.Immutable;
using Apo.Abstractions.Generation;
using Apo.Abstractions.Prompts;
using Apo.Abstractions.Runs;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Grains.Prompts;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Xunit.Abstractions;

namespace Apo.Grains.Tests;

/// <summary>Every message crosses the wire intact: each field comes back with the literal value it was built with.</summary>
[Collection(ClusterCollection.Name)]
public sealed class MessageSerializationTests(ClusterFixture fixture, ITestOutputHelper output)
{
    private readonly Serializer serializer = fixture.Cluster.Client.ServiceProvider.GetRequiredService<Serializer>();

    private T RoundTrip<T>(T value) where T : class
    {
        var bytes = serializer.SerializeToArray(value);
        var back = serializer.Deserialize<T>(bytes);
        Assert.NotNull(back);
        Assert.NotSame(value, back);
        return back;
    }

    private static readonly SamplingSettings Sampling = new(0.6, 0.95, 20, 512);
    private static readonly StageOneProvenance Provenance = new("sha256:abc", 0.5, 8, Sampling, -42);

    [Fact]
    public void SamplingSettings_and_provenance_round_trip()
    {
        var s = RoundTrip(Sampling);
        Assert.Equal((0.6, 0.95, 20, 512), (s.Temperature, s.TopP, s.TopK, s.MaxNewTokens));

        var p = RoundTrip(Provenance);
        Assert.Equal(("sha256:abc", 0.5, 8, -42L), (p.ReferenceModelHash, p.Beta1, p.Samples, p.Seed));
        Assert.Equal(new SamplingSettings(0.6, 0.95, 20, 512), p.Sampling);
        Assert.Equal(new StageOneProvenance("sha256:abc", 0.5, 8, new SamplingSettings(0.6, 0.95, 20, 512), -42), p);
    }

    [Fact]
    public void PromptSpec_round_trips()
    {
        var p = RoundTrip(new PromptSpec("gsm8k-17", "Tom has 3 apples…", [1, 2, 151643], "18", "gsm8k", "data/train.jsonl line 17"));
        Assert.Equal(("gsm8k-17", "Tom has 3 apples…", "18", "gsm8k", "data/train.jsonl line 17"),
            (p.PromptId, p.PromptText, p.GroundTruth, p.Task, p.DataSource));
        Assert.Equal([1, 2, 151643], p.PromptTokenIds.ToArray());
    }

    [Fact]
    public void Stage_one_record_and_outcome_round_trip()
    {
        var samples = ImmutableArray.Create(
            new StageOneSample([5, 6, 151643], "#### 18", 1.0, true, null),
            new StageOneSample([7], "no answer", 0.0, false, "verifier timed out after 2 s"));
        var record = new StageOneRecord(Provenance, samples, 0.25, StageOneOrigin.Imported);

        var o = RoundTrip(new StageOneOutcome(record, StageOneWrite.Replaced, Provenance with { Beta1 = 1.0 }));

        Assert.Equal(StageOneWrite.Replaced, o.Write);
        Assert.False(o.WasDuplicate);
        Assert.Equal(1.0, o.ReplacedProvenance!.Beta1);
        Assert.Equal(Provenance, o.Record.Provenance);
        Assert.Equal(0.25, o.Record.VStar);
        Assert.Equal(StageOneOrigin.Imported, o.Record.Origin);
        Assert.Equal(2, o.Record.Samples.Length);
        var (a, b) = (o.Record.Samples[0], o.Record.Samples[1]);
        Assert.Equal([5, 6, 151643], a.ResponseTokenIds.ToArray());
        Assert.Equal(("#### 18", 1.0, true, (string?)null), (a.ResponseText, a.Reward, a.FinishedAtEos, a.VerifierFailure));
        Assert.Equal([7], b.ResponseTokenIds.ToArray());
        Assert.Equal(("no answer", 0.0, false, "verifier timed out after 2 s"), (b.ResponseText, b.Reward, b.FinishedAtEos, b.VerifierFailure));
    }

    [Fact]
    public void Prompt_state_round_trips()
    {
        var state = new PromptState
        {
            Spec = new PromptSpec("p", "q", [3], "a", "math", "x.parquet row 2"),
            StageOne = new StageOneRecord(Provenance, [new StageOneSample([9], "r", 1.0, true, null)], 1.0, StageOneOrigin.Sampled),
        };
        var s = RoundTrip(state);
        Assert.Equal(new PromptSpec("p", "q", [3], "a", "math", "x.parquet row 2"), s.Spec);
        Assert.Equal(1.0, s.StageOne!.VStar);
        Assert.Equal(Provenance, s.StageOne.Provenance);
        Assert.Equal("r", Assert.Single(s.StageOne.Samples).ResponseText);
    }

    [Fact]
    public void Weights_and_reference_round_trip()
    {
        Assert.Equal(new WeightVersion(12, "/runs/r1/weights/v12"), RoundTrip(new WeightVersion(12, "/runs/r1/weights/v12")));
        Assert.Equal(new ReferenceModel("/models/qwen2.5-1.5b", "sha256:ff"), RoundTrip(new ReferenceModel("/models/qwen2.5-1.5b", "sha256:ff")));
    }

    [Fact]
    public void Generation_request_and_result_round_trip()
    {
        var request = RoundTrip(new GenerationRequest("req-3", new WeightVersion(2, "w/v2"), Sampling,
            [new GenerationPrompt("a", [1, 2], 1001), new GenerationPrompt("b", [3], -5)]));
        Assert.Equal("req-3", request.RequestId);
        Assert.Equal(new WeightVersion(2, "w/v2"), request.Weights);
        Assert.Equal(Sampling, request.Sampling);
        Assert.Equal(("a", 1001L), (request.Sequences[0].PromptId, request.Sequences[0].Seed));
        Assert.Equal([1, 2], request.Sequences[0].PromptTokenIds.ToArray());
        Assert.Equal(("b", -5L), (request.Sequences[1].PromptId, request.Sequences[1].Seed));

        var result = RoundTrip(new GenerationResult("req-3", 2, [new GeneratedSequence("a", [7, 151643], [-0.5f, -1.25f], true)]));
        Assert.Equal(("req-3", 2L), (result.RequestId, result.WeightVersion));
        var seq = Assert.Single(result.Sequences);
        Assert.Equal(("a", true), (seq.PromptId, seq.FinishedAtEos));
        Assert.Equal([7, 151643], seq.ResponseTokenIds.ToArray());
        Assert.Equal([-0.5f, -1.25f], seq.LogProbs.ToArray());
    }

    [Fact]
    public void Stage_one_work_messages_round_trip()
    {
        var unit = RoundTrip(new StageOneWorkUnit("run-1", "unit-4", new ReferenceModel("m", "h"), Provenance, ["a", "b"]));
        Assert.Equal(("run-1", "unit-4"), (unit.RunId, unit.WorkUnitId));
        Assert.Equal(new ReferenceModel("m", "h"), unit.Reference);
        Assert.Equal(Provenance, unit.Provenance);
        Assert.Equal(["a", "b"], unit.PromptIds.ToArray());

        Assert.Equal(new StageOneWorkResult("unit-4", 30, 2, 1), RoundTrip(new StageOneWorkResult("unit-4", 30, 2, 1)));
    }

    [Fact]
    public void Rollout_request_and_rollout_round_trip()
    {
        var request = RoundTrip(new RolloutRequest("run-1", 9, new WeightVersion(9, "w/9"), Sampling, Provenance, ["p1"], 2, 77));
        Assert.Equal(("run-1", 9L, 2, 77L), (request.RunId, request.Step, request.SamplesPerPrompt, request.Seed));
        Assert.Equal(new WeightVersion(9, "w/9"), request.Weights);
        Assert.Equal(Sampling, request.Sampling);
        Assert.Equal(Provenance, request.StageOne);
        Assert.Equal(["p1"], request.PromptIds.ToArray());

        var r = RoundTrip(new Rollout("p1", 9, 1, [10, 11], [12, 151643], [-0.75f, -0.125f], true, 1.0, 0.6112838, 9));
        Assert.Equal(("p1", 9L, 1, true, 1.0, 0.6112838, 9L), (r.PromptId, r.Step, r.SampleIndex, r.FinishedAtEos, r.Reward, r.VStar, r.WeightVersion));
        Assert.Equal([10, 11], r.PromptTokenIds.ToArray());
        Assert.Equal([12, 151643], r.ResponseTokenIds.ToArray());
        Assert.Equal([-0.75f, -0.125f], r.SamplingLogProbs.ToArray());
    }

    [Fact]
    public void A_16k_token_rollout_chunk_round_trips_whole()
    {
        // Rollouts travel in the generator's response, not in a 64 KB queue message: a chunk of 16,384-token
        // responses with ids near the top of Qwen2's vocabulary must come back exactly.
        var chunk = Enumerable.Range(0, 4).Select(k => new Rollout($"math-train-{k:D6}", 1_000_000, k % 2,
            Enumerable.Range(151_000, 256).ToImmutableArray(),
            Enumerable.Range(0, 16_384).Select(i => 135_000 + (i * 7919 + k) % 16_000).ToImmutableArray(),
            Enumerable.Range(0, 16_384).Select(i => -1.2345f - i * 1e-3f).ToImmutableArray(),
            false, 1.0, 0.75, 123)).ToImmutableArray();

        var bytes = serializer.SerializeToArray(chunk);
        var back = serializer.Deserialize<ImmutableArray<Rollout>>(bytes);
        output.WriteLine($"4 rollouts of 16,640 tokens: {bytes.Length:N0} B serialized");

        Assert.True(bytes.Length > 65_536, "the chunk is larger than one Azure queue message could be");
        Assert.Equal(chunk.Length, back.Length);
        for (int k = 0; k < chunk.Length; k++)
        {
            Assert.Equal(chunk[k].ResponseTokenIds.ToArray(), back[k].ResponseTokenIds.ToArray());
            Assert.Equal(chunk[k].SamplingLogProbs.ToArray(), back[k].SamplingLogProbs.ToArray());
            Assert.Equal(chunk[k].PromptId, back[k].PromptId);
        }
    }

    [Fact]
    public void Trainer_messages_round_trip()
    {
        var settings = new StageTwoSettings("astar-po", 1e-3, 1e-6, 0.01, 1.0, 256, 2, 100, Sampling, 10, 0.0, 5);
        Assert.Equal(new StageTwoSettings("astar-po", 1e-3, 1e-6, 0.01, 1.0, 256, 2, 100, new SamplingSettings(0.6, 0.95, 20, 512), 10, 0.0, 5),
            RoundTrip(settings));

        var plan = RoundTrip(new StageTwoPlan("run-1", new ReferenceModel("m", "h"), Provenance, ["a"], settings, "/out"));
        Assert.Equal(("run-1", "/out"), (plan.RunId, plan.OutputDirectory));
        Assert.Equal(new ReferenceModel("m", "h"), plan.Reference);
        Assert.Equal(Provenance, plan.StageOne);
        Assert.Equal(["a"], plan.PromptIds.ToArray());
        Assert.Equal(settings, plan.Settings);

        Assert.Equal(new TrainerStatus("run-1", TrainerPhase.Training, 3, 4, 768, 0.0125, null),
            RoundTrip(new TrainerStatus("run-1", TrainerPhase.Training, 3, 4, 768, 0.0125, null)));
        Assert.Equal(new TrainerStatus("run-1", TrainerPhase.Failed, 0, 0, 0, null, "boom"),
            RoundTrip(new TrainerStatus("run-1", TrainerPhase.Failed, 0, 0, 0, null, "boom")));
    }

    [Fact]
    public void Run_messages_round_trip()
    {
        var stageOne = new StageOneSettings(8, 0.5, SamplingSettings.StageOneDefault, 1, true, 64);
        Assert.Equal(new StageOneSettings(8, 0.5, new SamplingSettings(1.0, 1.0, 0, 1024), 1, true, 64), RoundTrip(stageOne));

        var stageTwo = new StageTwoSettings("grpo", 1e-3, 1e-6, 0.01, 1.0, 8, 2, 3, Sampling, 1, 1e-4, 2);
        var spec = RoundTrip(new RunSpec("run-2", new ReferenceModel("m", "h"), ["t1", "t2"], ["e1"], stageOne, stageTwo, "/runs/2"));
        Assert.Equal(("run-2", "/runs/2"), (spec.RunId, spec.OutputDirectory));
        Assert.Equal(["t1", "t2"], spec.TrainPromptIds.ToArray());
        Assert.Equal(["e1"], spec.EvalPromptIds.ToArray());
        Assert.Equal(stageOne, spec.StageOne);
        Assert.Equal(stageTwo, spec.StageTwo);

        Assert.Equal(new RunStatus("run-2", RunPhase.StageOne, 10, 20, 0, null), RoundTrip(new RunStatus("run-2", RunPhase.StageOne, 10, 20, 0, null)));
    }

    [Fact]
    public void Stage_one_settings_make_the_provenance_of_their_records()
    {
        var settings = new StageOneSettings(4, 0.25, Sampling, 3, false, 16);
        Assert.Equal(new StageOneProvenance("sha256:r", 0.25, 4, Sampling, 3), settings.ProvenanceFor("sha256:r"));
    }
}
