using Apo.Model.Inference;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

/// <summary>Runs alone: TorchSharp's live-tensor count is process-wide, so parallel tests would disturb it.</summary>
[CollectionDefinition(nameof(MemoryTests), DisableParallelization = true)]
public class MemoryTestsCollection;

[Collection(nameof(MemoryTests))]
public class MemoryTests
{
    /// <summary>Native tensors currently alive (TorchSharp counts construction and disposal).</summary>
    static long LiveTensors() => Tensor.TotalCount;

    /// <summary>
    /// The baseline, read WITHOUT a garbage collection: a collection would finalise exactly the tensors a leak
    /// test exists to find. The finaliser thread may still release tensors earlier tests left to the GC between
    /// the two readings, which can only lower the count, so the checks allow a smaller count, never a larger one.
    /// </summary>
    static long BaselineLiveTensors() => Tensor.TotalCount;

    [Fact]
    public void WithTheFixedMmapThresholdFreedTensorsLeaveTheResidentSet()
    {
        // glibc's default would serve these 2 MiB blocks from the heap once its threshold had risen past them,
        // and keep the freed space resident. With the fixed 1 MiB threshold each is mapped on its own and unmapped
        // when freed, so 400 MiB allocated and freed leaves resident memory where it was.
        Assert.True(Apo.Common.Memory.NativeHeap.ReturnLargeBlocksToTheSystem());
        static long Resident() => long.Parse(File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:"))[6..].Trim().Split(' ')[0]) * 1024;
        long before = Resident();
        var blocks = Enumerable.Range(0, 200).Select(_ => ones(512 * 1024)).ToList(); // 200 × 2 MiB, touched
        long held = Resident();
        foreach (var block in blocks) block.Dispose();
        long after = Resident();
        Assert.True(held - before > 300L << 20, $"the blocks should be resident while alive: +{(held - before) >> 20} MiB");
        Assert.True(after - before < 64L << 20, $"{(after - before) >> 20} MiB stayed resident after freeing 400 MiB");
    }

    [Fact]
    public void LiveTensorCountDoesNotGrowOverManyCalls()
    {
        using var model = TinyModels.Create();
        var prompts = TinyModels.Prompts(2, seed: 31);
        var options = new SamplingOptions { MaxNewTokens = 4, TopP = 0.9, TopK = 10 };
        void Round(int i)
        {
            var result = i % 3 == 0 ? StaticSampler.Generate(model, prompts, options, [i, i + 1], useKvCache: i % 2 == 0)
                : Sampler.Generate(model, prompts, options, [i, i + 1], new SamplerSettings { Slots = 1 + i % 2, KvTokens = i % 4 == 1 ? 20 : 0 });
            Scorer.Score(model, prompts, result.Sequences.Select(s => s.TokenIds).ToArray(), maxTokens: 8);
            Sampler.Generate(model, prompts, options with { Greedy = true }, [0, 0]);
        }
        Round(0); // warm-up: anything created once and kept (e.g. lazily built state) is counted before the baseline
        long before = BaselineLiveTensors();
        for (int i = 1; i <= 100; i++) Round(i);
        Assert.True(LiveTensors() <= before, $"{LiveTensors() - before} more live tensors than before");
    }

    [Fact]
    public void TeacherForcingOutputReleasesItsTensors()
    {
        using var model = TinyModels.Create();
        var prompts = TinyModels.Prompts(2, seed: 32);
        long before = BaselineLiveTensors();
        for (int i = 0; i < 20; i++)
        {
            // As PolicyOptimizer does: the gradients the custom autograd functions hand to the engine belong
            // to the dispose scope that is current when backward() runs.
            using var scope = NewDisposeScope();
            using var output = TeacherForcing.Forward(model, prompts, prompts, withEntropy: i % 2 == 0);
            using var loss = output.SequenceLogProbs.sum() + (i % 2 == 0 ? output.TokenEntropy.sum() : zeros(1));
            loss.backward();
        }
        model.zero_grad();
        // Gradient buffers are allocated once by the first backward and kept by the parameters.
        long gradients = model.parameters().Count();
        Assert.True(LiveTensors() - before <= gradients, $"{LiveTensors() - before} more live tensors; at most {gradients} gradient buffers may be new");
    }
}
