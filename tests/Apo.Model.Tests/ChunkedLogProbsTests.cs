using Apo.Model.Inference;
using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

/// <summary>
/// The chunked log-prob kernel and the teacher-forcing path built on it, against the plain computation
/// (full logits, log_softmax, gather; the left-padded masked layout for the model) as the reference.
/// </summary>
public class ChunkedLogProbsTests
{
    const int Vocab = 50, Hidden = 8, Positions = 13;

    static (Tensor Hidden, Tensor Weight, Tensor Targets) Inputs(long seed)
    {
        var generator = new Generator((ulong)seed);
        var hidden = (randn([Positions, Hidden], generator: generator) * 2).requires_grad_(true);
        var weight = randn([Vocab, Hidden], generator: generator).requires_grad_(true);
        var targets = randint(0, Vocab, [Positions], generator: generator);
        return (hidden, weight, targets);
    }

    static float[] Values(Tensor t) => t.detach().to(ScalarType.Float32).contiguous().data<float>().ToArray();

    static void AssertClose(float[] expected, float[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * Math.Max(1, Math.Abs(expected[i])),
                $"{what}[{i}]: expected {expected[i]}, got {actual[i]}");
    }

    [Theory]
    [InlineData(3 * Vocab, true)]   // 3 positions per chunk: 5 chunks, the last one short
    [InlineData(1, true)]           // one position per chunk
    [InlineData(1L << 25, true)]    // everything in one chunk
    [InlineData(4 * Vocab, false)]
    public void ValuesAndGradientsEqualTheFullLogSoftmax(long chunkElements, bool withEntropy)
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(seed: 3);
        var generator = new Generator(4);
        var a = randn([Positions], generator: generator);
        var b = randn([Positions], generator: generator);

        var (logp, entropy) = ChunkedLogProbs.Compute(hidden, weight, targets, withEntropy, chunkElements);
        var loss = (logp * a).sum() + (entropy is null ? zeros(1) : (entropy * b).sum());
        loss.backward();
        var gradHidden = Values(hidden.grad!);
        var gradWeight = Values(weight.grad!);
        hidden.grad!.zero_();
        weight.grad!.zero_();

        var full = nn.functional.linear(hidden, weight).log_softmax(-1);
        var expectedLogp = full.gather(1, targets.unsqueeze(1)).squeeze(1);
        var expectedEntropy = (full.exp() * full).sum(-1).neg();
        var expectedLoss = (expectedLogp * a).sum() + (withEntropy ? (expectedEntropy * b).sum() : zeros(1));
        expectedLoss.backward();

        AssertClose(Values(expectedLogp), Values(logp), 1e-6, "log-prob");
        if (withEntropy) AssertClose(Values(expectedEntropy), Values(entropy!), 1e-6, "entropy");
        else Assert.Null(entropy);
        AssertClose(Values(hidden.grad!), gradHidden, 1e-5, "∂/∂hidden");
        AssertClose(Values(weight.grad!), gradWeight, 1e-5, "∂/∂weight");
    }

    [Fact]
    public void AnEntropyNobodyUsesGetsNoGradient()
    {
        using var scope = NewDisposeScope();
        var (hidden, weight, targets) = Inputs(seed: 5);
        var (logp, _) = ChunkedLogProbs.Compute(hidden, weight, targets, withEntropy: true, chunkElements: 2 * Vocab);
        logp.sum().backward();
        var chunked = Values(weight.grad!);
        weight.grad!.zero_();
        nn.functional.linear(hidden, weight).log_softmax(-1).gather(1, targets.unsqueeze(1)).sum().backward();
        AssertClose(Values(weight.grad!), chunked, 1e-5, "∂/∂weight");
    }

    /// <summary>The model path: today's right-padded, mask-free, chunked teacher forcing against the plain
    /// left-padded layout with an attention mask and a full-vocabulary log_softmax.</summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void TeacherForcingEqualsTheMaskedFullVocabularyPath(bool tied)
    {
        using var model = TinyModels.Create(tied: tied);
        var prompts = TinyModels.Prompts(4, seed: 21, minLength: 1, maxLength: 7);
        var responses = TinyModels.Prompts(4, seed: 22, minLength: 1, maxLength: 9);
        using var scope = NewDisposeScope();

        using (var output = TeacherForcing.Forward(model, prompts, responses, withEntropy: true))
            ((output.SequenceLogProbs * tensor(new[] { 1f, -0.5f, 2f, 0.25f })).sum() + output.TokenEntropy.sum() * 0.3).backward();
        var chunked = model.ParametersByName().ToDictionary(p => p.Key, p => Values(p.Value.grad!));
        var chunkedValues = Values(TeacherForcing.Forward(model, prompts, responses).TokenLogProbs);
        foreach (var p in model.parameters()) p.grad!.zero_();

        var (ids, attention, positions, responseMask, promptWidth, responseWidth) = LeftPaddedLayout(prompts, responses);
        var logits = model.forward(ids, positions, attention).narrow(1, promptWidth - 1, responseWidth).log_softmax(-1);
        var tokenLogProbs = logits.gather(-1, ids.narrow(1, promptWidth, responseWidth).unsqueeze(-1)).squeeze(-1) * responseMask;
        var entropy = (logits.exp() * logits).sum(-1).neg() * responseMask;
        ((tokenLogProbs.sum(1) * tensor(new[] { 1f, -0.5f, 2f, 0.25f })).sum() + entropy.sum() * 0.3).backward();

        AssertClose(Values(tokenLogProbs), chunkedValues, 1e-5, "token log-probs");
        foreach (var (name, parameter) in model.ParametersByName())
            AssertClose(Values(parameter.grad!), chunked[name], 1e-4, name);
    }

    /// <summary>The layout scoring used before: prompts left-padded to P, responses right-padded after them, an attention mask.</summary>
    static (Tensor Ids, Tensor Attention, Tensor Positions, Tensor ResponseMask, int PromptWidth, int ResponseWidth) LeftPaddedLayout(
        int[][] prompts, int[][] responses)
    {
        int batch = prompts.Length, p = prompts.Max(x => x.Length), r = responses.Max(x => x.Length), width = p + r;
        var ids = new long[batch * width];
        var attention = new long[batch * width];
        var positions = new long[batch * width];
        var mask = new float[batch * r];
        for (int b = 0; b < batch; b++)
        {
            int start = p - prompts[b].Length;
            for (int i = 0; i < prompts[b].Length; i++) (ids[b * width + start + i], attention[b * width + start + i], positions[b * width + start + i]) = (prompts[b][i], 1, i);
            for (int t = 0; t < responses[b].Length; t++)
            {
                (ids[b * width + p + t], attention[b * width + p + t], positions[b * width + p + t]) = (responses[b][t], 1, prompts[b].Length + t);
                mask[b * r + t] = 1;
            }
        }
        return (tensor(ids, [batch, width]), tensor(attention, [batch, width]), tensor(positions, [batch, width]), tensor(mask, [batch, r]), p, r);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    public void ActivationCheckpointingGivesThePlainGradients(ScalarType dtype)
    {
        using var model = TinyModels.Create(dtype: dtype);
        var prompts = TinyModels.Prompts(3, seed: 31, minLength: 2, maxLength: 6);
        var responses = TinyModels.Prompts(3, seed: 32, minLength: 3, maxLength: 8);
        Dictionary<string, float[]> Gradients(bool checkpointing)
        {
            using var scope = NewDisposeScope();
            model.ActivationCheckpointing = checkpointing;
            foreach (var p in model.parameters()) p.grad?.zero_();
            using (var output = TeacherForcing.Forward(model, prompts, responses, withEntropy: true))
                (output.SequenceLogProbs.sum() - output.TokenEntropy.sum() * 0.1).backward();
            return model.ParametersByName().ToDictionary(p => p.Key, p => Values(p.Value.grad!));
        }
        var plain = Gradients(checkpointing: false);
        var recomputed = Gradients(checkpointing: true);
        foreach (var (name, gradient) in plain) AssertClose(gradient, recomputed[name], 1e-5, name);
        Assert.Contains(plain.Values, g => g.Any(x => x != 0));
    }

    [Fact]
    public void CheckpointingDoesNothingWithoutGradients()
    {
        using var model = TinyModels.Create();
        model.ActivationCheckpointing = true;
        var prompts = TinyModels.Prompts(2, seed: 41);
        var responses = TinyModels.Prompts(2, seed: 42);
        var withCheckpointing = Scorer.Score(model, prompts, responses, maxTokens: 0);
        model.ActivationCheckpointing = false;
        var without = Scorer.Score(model, prompts, responses, maxTokens: 0);
        for (int i = 0; i < prompts.Length; i++) Assert.Equal(without[i].TokenLogProbs, withCheckpointing[i].TokenLogProbs);
    }
}
