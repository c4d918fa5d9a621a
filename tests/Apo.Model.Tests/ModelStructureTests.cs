using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

public class ModelStructureTests
{
    static HashSet<string> ExpectedNames(int layers, bool tied)
    {
        var names = new HashSet<string> { "model.embed_tokens.weight", "model.norm.weight" };
        for (int i = 0; i < layers; i++)
        {
            foreach (var p in new[] { "q", "k", "v" })
            {
                names.Add($"model.layers.{i}.self_attn.{p}_proj.weight");
                names.Add($"model.layers.{i}.self_attn.{p}_proj.bias");
            }
            names.Add($"model.layers.{i}.self_attn.o_proj.weight");
            foreach (var p in new[] { "gate", "up", "down" }) names.Add($"model.layers.{i}.mlp.{p}_proj.weight");
            names.Add($"model.layers.{i}.input_layernorm.weight");
            names.Add($"model.layers.{i}.post_attention_layernorm.weight");
        }
        if (!tied) names.Add("lm_head.weight");
        return names;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ParameterNamesAreExactlyHuggingFaces(bool tied)
    {
        using var model = new Qwen2ForCausalLM(TinyModels.Config(tied));
        var names = model.named_parameters().Select(p => p.name).ToList();
        Assert.Equal(names.Count, names.Distinct().Count());
        Assert.Equal(ExpectedNames(2, tied), names.ToHashSet());
        Assert.Equal(names.ToHashSet(), model.ParametersByName().Keys.ToHashSet());
        Assert.Equal(names.ToHashSet(), model.state_dict().Keys.ToHashSet());
    }

    [Fact]
    public void TiedHeadIsTheEmbeddingParameterAndStaysSoAfterAdamW()
    {
        using var model = TinyModels.Create(tied: true);
        var embedding = model.ParametersByName()["model.embed_tokens.weight"];
        Assert.Same(embedding, model.LmHeadWeight);
        Assert.Equal(embedding.Handle, model.LmHeadWeight.Handle);

        var optimizer = optim.AdamW(model.parameters(), lr: 0.01, weight_decay: 0.01);
        using (var scope = NewDisposeScope())
        {
            var prompts = TinyModels.Prompts(3);
            using var output = Apo.Model.Inference.TeacherForcing.Forward(model, prompts, prompts.Select(p => p.Reverse().ToArray()).ToArray());
            var before = embedding.detach().clone();
            output.SequenceLogProbs.sum().neg().backward();
            Assert.NotNull(embedding.grad);
            optimizer.step();
            Assert.False(before.allclose(embedding), "the step should have changed the shared matrix");
        }
        Assert.Equal(embedding.Handle, model.LmHeadWeight.Handle);
        Assert.True(model.LmHeadWeight.eq(embedding).all().item<bool>());
        // Same storage: writing through one name is visible through the other.
        using (no_grad()) embedding[0, 0] = tensor(123.0f);
        Assert.Equal(123.0f, model.LmHeadWeight[0, 0].item<float>());
        Assert.Equal(model.Config.ParameterCount, model.parameters().Sum(p => p.numel()));
    }

    [Fact]
    public void UntiedHeadIsItsOwnParameter()
    {
        using var model = TinyModels.Create(tied: false);
        var parameters = model.ParametersByName();
        Assert.Same(parameters["lm_head.weight"], model.LmHeadWeight);
        Assert.NotEqual(parameters["model.embed_tokens.weight"].Handle, model.LmHeadWeight.Handle);
    }

    [Fact]
    public void BFloat16ModelRunsAndStaysCloseToFloat32()
    {
        using var scope = NewDisposeScope();
        using var model32 = TinyModels.Create(dtype: ScalarType.Float32);
        using var model16 = TinyModels.Create(dtype: ScalarType.BFloat16);
        Assert.All(model16.parameters(), p => Assert.Equal(ScalarType.BFloat16, p.dtype));
        var ids = tensor(new long[] { 5, 9, 14, 3 }, [1, 4]);
        var positions = arange(4L).unsqueeze(0);
        var mask = ones(1, 4, dtype: ScalarType.Int64);
        var logits32 = model32.forward(ids, positions, mask);
        var logits16 = model16.forward(ids, positions, mask);
        Assert.Equal(ScalarType.BFloat16, logits16.dtype);
        var p32 = logits32.softmax(-1);
        var p16 = logits16.to(ScalarType.Float32).softmax(-1);
        Assert.True((p32 - p16).abs().max().item<float>() < 0.1f);
    }

    [Fact]
    public void HalfBillionModelBuildsOnTheMetaDeviceWithTheAnalyticCount()
    {
        var config = new Qwen2Config
        {
            VocabSize = 151936, HiddenSize = 896, IntermediateSize = 4864, NumHiddenLayers = 24,
            NumAttentionHeads = 14, NumKeyValueHeads = 2, RopeTheta = 1e6, MaxPositionEmbeddings = 32768,
            TieWordEmbeddings = true, TorchDtype = "bfloat16",
        };
        using var model = new Qwen2ForCausalLM(config, new Device(DeviceType.META));
        Assert.Equal(494_032_768L, model.parameters().Sum(p => p.numel()));
    }
}
