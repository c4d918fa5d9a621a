using Apo.Algorithm.AStarPo;
using Apo.Algorithm.OptimalValues;
using Apo.Algorithm.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Optimization;

/// <summary>
/// End to end on a problem with a known optimum: log π_θ(y_i) = x_i·θ is linear in the parameters,
/// π_ref is θ0, and with fewer sequences than parameters some θ makes every residual
/// β2·x_i·(θ − θ0) − (r_i − V̂*_i) zero, so the A*-PO loss can reach 0.
/// </summary>
public class AStarPoRegressionTests
{
    [Fact]
    public void A_few_hundred_steps_drive_the_loss_towards_zero()
    {
        using var scope = NewDisposeScope();
        const int sequences = 16, features = 32;
        const double beta2 = 0.1;
        var random = new Random(1234);
        double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

        var x = tensor(Enumerable.Range(0, sequences * features).Select(_ => (float)Gaussian()).ToArray()).view(sequences, features);
        var theta0 = tensor(Enumerable.Range(0, features).Select(_ => (float)Gaussian()).ToArray());
        var rewards = tensor(Enumerable.Range(0, sequences).Select(_ => random.NextDouble() < 0.4 ? 1f : 0f).ToArray());
        // V̂* from 8 stage-1 samples per prompt, as in the real pipeline.
        var vStar = tensor(Enumerable.Range(0, sequences).Select(_ =>
            (float)OptimalValue.Estimate(
                Enumerable.Range(0, 8).Select(_ => random.NextDouble() < 0.4 ? 1.0 : 0.0).ToArray(), 0.5)).ToArray());
        var referenceLogProbs = x.matmul(theta0);

        var theta = new Parameter(theta0.clone());
        var settings = new OptimizerSettings(LearningRate: 0.02, WeightDecay: 0.0);
        using var optimizer = new PolicyOptimizer([theta], settings);
        var slices = MiniBatches.Split(sequences, settings.MiniBatches);

        Tensor FullLoss() => AStarPoLoss.Compute(x.matmul(theta), referenceLogProbs, rewards, vStar, beta2);
        double initial;
        using (no_grad()) using (var l = FullLoss()) initial = l.ToDouble();

        for (var batch = 0; batch < 150; batch++)   // 150 batches × 2 mini-batches = 300 optimizer steps
        {
            foreach (var slice in slices)
            {
                optimizer.Step(() =>
                {
                    var rows = torch.arange(slice.Start, slice.End, dtype: int64);
                    return AStarPoLoss.Compute(x.index_select(0, rows).matmul(theta),
                        referenceLogProbs.index_select(0, rows), rewards.index_select(0, rows), vStar.index_select(0, rows), beta2);
                });
            }
        }

        double final;
        using (no_grad()) using (var l = FullLoss()) final = l.ToDouble();
        Assert.Equal(300, optimizer.StepCount);
        Assert.True(initial > 0.05, $"the problem should start far from the optimum (initial loss {initial}).");
        Assert.True(final < 1e-3 * initial, $"loss went from {initial} to {final}.");
    }
}
