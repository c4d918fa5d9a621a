using System.Text.Json;
using Apo.Model.Checkpoints;
using Apo.Model.Inference;
using Apo.Model.Qwen2;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

/// <summary>
/// Log-probs against Golden/make_golden.py: an independent float64 Qwen2 forward in plain torch,
/// run once on tiny checkpoints it wrote itself (tied and untied heads).
/// </summary>
public class GoldenTests
{
    sealed record Case(int[] Prompt, int[] Response, double[] Expected);

    static string Dir(string variant) => Path.Combine(AppContext.BaseDirectory, "Golden", variant);

    static Qwen2ForCausalLM Load(string variant, bool forInference = false)
    {
        var config = Qwen2Config.Load(Dir(variant));
        var model = Qwen2ForCausalLM.Uninitialised(config, forInference: forInference);
        using var reader = CheckpointReader.Open(Dir(variant));
        Assert.Equal(model.ParametersByName().Keys.Order(), reader.Names.Order());
        model.LoadWeights(reader, Dir(variant));
        return model;
    }

    static List<Case> Cases(string variant)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir(variant), "golden.json")));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => new Case(
            c.GetProperty("prompt").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            c.GetProperty("response").EnumerateArray().Select(x => x.GetInt32()).ToArray(),
            c.GetProperty("token_logprobs").EnumerateArray().Select(x => x.GetDouble()).ToArray())).ToList();
    }

    [Theory]
    [InlineData("tied", 1, false)]     // a budget of one token: every sequence in a pass of its own
    [InlineData("tied", 0, false)]     // unlimited: every sequence in one padded pass
    [InlineData("untied", 1, false)]
    [InlineData("untied", 0, false)]
    [InlineData("tied", 0, true)]      // the inference layout (matrices stored transposed)
    [InlineData("untied", 0, true)]
    public void ScorerMatchesTheReference(string variant, int maxTokens, bool forInference)
    {
        using var model = Load(variant, forInference);
        Assert.Equal(variant == "tied", model.Config.TieWordEmbeddings);
        var cases = Cases(variant);
        var scores = Scorer.Score(model, cases.Select(c => c.Prompt).ToArray(), cases.Select(c => c.Response).ToArray(), maxTokens);
        for (int i = 0; i < cases.Count; i++)
        {
            Assert.Equal(cases[i].Expected.Length, scores[i].TokenLogProbs.Length);
            for (int t = 0; t < cases[i].Expected.Length; t++)
                Assert.True(Math.Abs(cases[i].Expected[t] - scores[i].TokenLogProbs[t]) < 1e-4,
                    $"case {i} token {t}: expected {cases[i].Expected[t]}, got {scores[i].TokenLogProbs[t]}");
            Assert.True(Math.Abs(cases[i].Expected.Sum() - scores[i].Sum) < 1e-4 * cases[i].Expected.Length);
        }
    }

    [Theory]
    [InlineData("tied")]
    [InlineData("untied")]
    public void TheEnginesSamplingLogProbsAreTheReferencesTokenLogProbs(string variant)
    {
        // The rollout engine (prefill, slot cache, grouped-query decode, inference layout) samples at
        // temperature 1; its log-probs must be the teacher-forced ones the golden-checked scorer gives.
        using var sampler = Load(variant, forInference: true);
        using var scorer = Load(variant);
        var prompts = Cases(variant).Select(c => c.Prompt).ToArray();
        var groups = prompts.Select((p, i) => new PromptSamples(p, [10L * i, 10L * i + 1])).ToList();
        var sampled = Sampler.Generate(sampler, groups, new SamplingOptions { MaxNewTokens = 16, StopTokenIds = [] },
            new SamplerSettings { Slots = 3 }).SelectMany(g => g).ToArray();
        var scores = Scorer.Score(scorer, groups.SelectMany(g => g.Seeds.Select(_ => g.PromptIds)).ToArray(), sampled.Select(s => s.TokenIds).ToArray(), 0);
        for (int i = 0; i < sampled.Length; i++)
        {
            Assert.Equal(16, sampled[i].TokenIds.Length);
            for (int t = 0; t < 16; t++)
                Assert.True(Math.Abs(scores[i].TokenLogProbs[t] - sampled[i].LogProbs[t]) < 1e-4,
                    $"sequence {i} token {t}: scored {scores[i].TokenLogProbs[t]}, sampled with {sampled[i].LogProbs[t]}");
        }
    }

    [Fact]
    public void LoadingNamesMissingAndUnknownTensors()
    {
        using var model = new Qwen2ForCausalLM(Qwen2Config.Load(Dir("tied")));
        using var scope = NewDisposeScope();
        var weights = model.ParametersByName().ToDictionary(p => p.Key, p => (Tensor)p.Value.detach().clone());
        weights["lm_head.weight"] = zeros(64, 32); // tolerated for a tied model (some exporters write it)
        model.LoadWeights(weights, "ckpt");
        weights.Remove("model.norm.weight");
        Assert.Contains("ckpt: tensor \"model.norm.weight\" is missing", Assert.Throws<InvalidDataException>(() => model.LoadWeights(weights, "ckpt")).Message);
        weights["model.norm.weight"] = zeros(31);
        Assert.Contains("\"model.norm.weight\" has shape [31], expected [32]", Assert.Throws<InvalidDataException>(() => model.LoadWeights(weights, "ckpt")).Message);
        weights["model.norm.weight"] = zeros(32);
        weights["model.extra"] = zeros(1);
        Assert.Contains("\"model.extra\" is not a parameter", Assert.Throws<InvalidDataException>(() => model.LoadWeights(weights, "ckpt")).Message);
    }

    [Fact]
    public void TeacherForcingMatchesTheReference()
    {
        using var model = Load("tied");
        var cases = Cases("tied");
        using var scope = NewDisposeScope();
        using var output = TeacherForcing.Forward(model, cases.Select(c => c.Prompt).ToArray(), cases.Select(c => c.Response).ToArray());
        for (int i = 0; i < cases.Count; i++)
        {
            for (int t = 0; t < cases[i].Expected.Length; t++)
                Assert.True(Math.Abs(cases[i].Expected[t] - output.TokenLogProbs[i, t].item<float>()) < 1e-4);
            Assert.True(Math.Abs(cases[i].Expected.Sum() - output.SequenceLogProbs[i].item<float>()) < 1e-3);
        }
    }

    [Fact]
    public void TokenByTokenCachedDecodingMatchesTheReference()
    {
        // The generation path (prefill the prompt, then one token per step through the KV cache),
        // forced along the golden responses.
        using var model = Load("untied");
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var c in Cases("untied"))
        {
            int total = c.Prompt.Length + c.Response.Length;
            using var cache = model.CreateKvCache(1, total);
            var mask = ones(1, total, dtype: ScalarType.Int64);
            var prompt = tensor(c.Prompt.Select(x => (long)x).ToArray(), [1, c.Prompt.Length]);
            var logits = model.forward(prompt, arange(c.Prompt.Length, dtype: ScalarType.Int64).unsqueeze(0), mask.narrow(1, 0, c.Prompt.Length), cache, 0)[0, -1];
            for (int t = 0; t < c.Response.Length; t++)
            {
                float logp = logits.log_softmax(-1)[c.Response[t]].item<float>();
                Assert.True(Math.Abs(c.Expected[t] - logp) < 1e-4, $"token {t}: expected {c.Expected[t]}, got {logp}");
                int slot = c.Prompt.Length + t;
                logits = model.forward(tensor(new long[] { c.Response[t] }, [1, 1]), tensor(new long[] { slot }, [1, 1]), mask.narrow(1, 0, slot + 1), cache, slot)[0, -1];
            }
        }
    }
}
