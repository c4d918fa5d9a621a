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
    /// The baseline: tensors other tests leaked to the garbage collector are finalised first, so
    /// their disposal cannot land between the two readings. No collection is forced before the
    /// second reading, so a tensor this test forgets to dispose still shows up as growth.
    /// </summary>
    static long BaselineLiveTensors()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return Tensor.TotalCount;
    }

    [Fact]
    public void LiveTensorCountDoesNotGrowOverManyCalls()
    {
        using var model = TinyModels.Create();
        var prompts = TinyModels.Prompts(2, seed: 31);
        var options = new SamplingOptions { MaxNewTokens = 4, TopP = 0.9, TopK = 10 };
        void Round(int i)
        {
            var result = Sampler.Generate(model, prompts, options, [i, i + 1], useKvCache: i % 2 == 0);
            Scorer.Score(model, prompts, result.Sequences.Select(s => s.TokenIds).ToArray(), maxTokens: 8);
            Sampler.Generate(model, prompts, options with { Greedy = true }, [0, 0]);
        }
        Round(0); // warm-up: anything created once and kept (e.g. lazily built state) is counted before the baseline
        long before = BaselineLiveTensors();
        for (int i = 1; i <= 100; i++) Round(i);
        Assert.Equal(before, LiveTensors());
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
        Assert.InRange(LiveTensors() - before, 0, gradients);
    }
}
