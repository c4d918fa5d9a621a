using TorchSharp;
using Apo.Algorithm.Baselines.Ppo;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Baselines.Ppo;

public class KlRewardShapingTests
{
    [Fact]
    public void Kl_penalty_on_every_token_and_score_on_the_last_response_token()
    {
        // coef 0.1. Row 0: k1 = old − ref = [0.5, 0, −1] → −0.1·k1 = [−0.05, 0, 0.1]; score 1 at t=2 → [−0.05, 0, 1.1].
        // Row 1 (t=2 is padding): k1 = [1, 0, ·] → [−0.1, 0, 0]; score 0.5 at t=1 → [−0.1, 0.5, 0].
        using var scope = NewDisposeScope();
        var rewards = KlRewardShaping.TokenRewards(
            Vec(1, 0.5),
            Mat(new double[,] { { -1, -2, -3 }, { -1, -1, -7 } }),
            Mat(new double[,] { { -1.5, -2, -2 }, { -2, -1, 0 } }),
            Mat(new double[,] { { 1, 1, 1 }, { 1, 1, 0 } }),
            klCoefficient: 0.1);
        double[] expected = [-0.05, 0, 1.1, -0.1, 0.5, 0];
        var actual = Values(rewards);
        for (var i = 0; i < 6; i++) Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void A_response_without_tokens_is_an_error()
    {
        using var scope = NewDisposeScope();
        var z = Mat(new double[,] { { 0, 0 } });
        Assert.Throws<ArgumentException>(() => KlRewardShaping.TokenRewards(Vec(1), z, z, z));
    }
}
