using TorchSharp;
using Apo.Algorithm.Baselines.Grpo;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines.Grpo;

public class GroupAdvantagesTests
{
    [Fact]
    public void Advantages_use_the_unbiased_group_std()
    {
        // group 7 = {1, 0}: mean 0.5, unbiased std √((0.25 + 0.25)/1) = √0.5 → ±0.5/(√0.5 + 1e-6)
        // group 3 = {1, 1}: std 0 → 0/(0 + 1e-6) = 0
        // group 5 = {0, 0.5, 1} (not contiguous): mean 0.5, unbiased var (0.25 + 0 + 0.25)/2 = 0.25 → std 0.5
        // group 9 = {0.7} alone: verl uses mean 0, std 1 → 0.7/(1 + 1e-6)
        double[] scores = [1, 0, 1, 0, 1, 0.5, 1, 0.7];
        int[] groups = [7, 7, 3, 5, 3, 5, 5, 9];
        var a = GroupAdvantages.Compute(scores, groups);

        Assert.Equal(0.5 / (Math.Sqrt(0.5) + 1e-6), a[0], 12);
        Assert.Equal(-0.5 / (Math.Sqrt(0.5) + 1e-6), a[1], 12);
        Assert.Equal(0.0, a[2], 12);
        Assert.Equal(0.0, a[4], 12);
        Assert.Equal(-0.5 / (0.5 + 1e-6), a[3], 12);
        Assert.Equal(0.0, a[5], 12);
        Assert.Equal(0.5 / (0.5 + 1e-6), a[6], 12);
        Assert.Equal(0.7 / (1 + 1e-6), a[7], 12);
    }

    [Fact]
    public void Group_std_agrees_with_torch_std_which_verl_uses()
    {
        using var scope = NewDisposeScope();
        double[] scores = [0.3, 1.0, 0.0, 0.9];
        var torchStd = Vec(scores).std().ToDouble();      // torch.std: unbiased by default
        var mean = scores.Average();
        var a = GroupAdvantages.Compute(scores, [1, 1, 1, 1], epsilon: 0);
        for (var i = 0; i < scores.Length; i++) Assert.Equal((scores[i] - mean) / torchStd, a[i], 12);
    }

    [Fact]
    public void Advantages_are_broadcast_to_response_tokens_only()
    {
        using var scope = NewDisposeScope();
        var mask = Mat(new double[,] { { 1, 1, 0 }, { 1, 0, 0 } });
        var tokens = Values(GroupAdvantages.ToTokens([0.5, -1.0], mask));
        Assert.Equal([0.5, 0.5, 0, -1, 0, 0], tokens);
    }

    [Fact]
    public void Mismatched_inputs_are_rejected()
    {
        Assert.Throws<ArgumentException>(() => GroupAdvantages.Compute([1, 0], [0]));
        Assert.Throws<ArgumentException>(() => GroupAdvantages.Compute([1, double.NaN], [0, 0]));
    }
}
