using Apo.Model.Inference;
using Apo.Model.Qwen2;
using TorchSharp;
using static TorchSharp.torch;

namespace Apo.Model.Tests;

public class ValueModelTests
{
    /// <summary>Gives the head non-zero weights from a seed, so values carry information.</summary>
    static void RandomiseHead(Qwen2ValueModel model, ulong seed)
    {
        var generator = new Generator(seed);
        using var noGrad = no_grad();
        foreach (var (name, parameter) in model.named_parameters().Where(p => p.name.StartsWith("score.")))
        {
            using var noise = randn(parameter.shape, generator: generator);
            parameter.copy_(noise);
        }
    }

    static float[] Values(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    [Fact]
    public void CopyHasTheBackboneOfTheSourceAndAZeroHead()
    {
        using var source = TinyModels.Create(tied: false);
        using var critic = Qwen2ValueModel.CopyOf(source);
        var names = critic.ParametersByName();
        var sourceParameters = source.ParametersByName();
        // HF Qwen2ForTokenClassification(num_labels=1): the backbone's names plus score.weight [1, H] and score.bias [1].
        Assert.Equal(sourceParameters.Keys.Where(n => n.StartsWith("model.")).Append("score.weight").Append("score.bias").Order(),
            names.Keys.Order());
        Assert.Equal([1L, source.Config.HiddenSize], names["score.weight"].shape);
        Assert.Equal([1L], names["score.bias"].shape);
        Assert.All(Values(names["score.weight"]).Concat(Values(names["score.bias"])), v => Assert.Equal(0f, v));
        foreach (var (name, parameter) in names.Where(p => p.Key.StartsWith("model.")))
            Assert.Equal(Values(sourceParameters[name]), Values(parameter));
    }

    [Fact]
    public void ValuesHaveOneEntryPerResponseTokenAndMatchTheBackboneHiddenStates()
    {
        using var source = TinyModels.Create();
        using var critic = Qwen2ValueModel.CopyOf(source);
        RandomiseHead(critic, 7);
        int[] prompt = [5, 9, 11], response = [7, 8, TinyModels.Eos];
        using var output = ValueForcing.Forward(critic, [prompt], [response]);
        Assert.Equal([1L, 3L], output.Values.shape);
        Assert.Equal([1f, 1f, 1f], Values(output.Mask));

        // Independent reference: the source LM's hidden states (same backbone weights) through score = w·h + b,
        // read at positions P−1+t = 2, 3, 4 of the unpadded sequence.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var ids = tensor(prompt.Concat(response).Select(i => (long)i).ToArray()).unsqueeze(0);
        var hidden = source.ForwardHidden(ids, arange(6L).unsqueeze(0), ones_like(ids));
        var w = critic.ParametersByName()["score.weight"];
        var b = critic.ParametersByName()["score.bias"];
        var expected = Values((hidden.narrow(1, 2, 3).matmul(w.t()).squeeze(-1) + b));
        var actual = Values(output.Values);
        for (int t = 0; t < 3; t++) Assert.Equal(expected[t], actual[t], 5);
    }

    [Fact]
    public void TrainingTheCopyLeavesTheSourceUnchanged()
    {
        using var source = TinyModels.Create();
        using var critic = Qwen2ValueModel.CopyOf(source);
        var before = source.ParametersByName().ToDictionary(p => p.Key, p => Values(p.Value));
        var criticBefore = critic.ParametersByName().ToDictionary(p => p.Key, p => Values(p.Value));
        using var optimizer = optim.SGD(critic.parameters(), 0.5);
        for (int step = 0; step < 3; step++)
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            using var output = ValueForcing.Forward(critic, [[5, 9, 11]], [[7, 8, TinyModels.Eos]]);
            (output.Values - 1.0).square().sum().backward();
            optimizer.step();
        }
        // The critic moved, in the backbone too (the head is non-zero after the first step) ...
        var criticAfter = critic.ParametersByName();
        Assert.NotEqual(criticBefore["score.weight"], Values(criticAfter["score.weight"]));
        Assert.NotEqual(criticBefore["model.embed_tokens.weight"], Values(criticAfter["model.embed_tokens.weight"]));
        // ... and the source did not.
        foreach (var (name, parameter) in source.ParametersByName()) Assert.Equal(before[name], Values(parameter));
    }

    [Fact]
    public void SaveThenLoadRestoresEveryParameterBitForBit()
    {
        using var source = TinyModels.Create(tied: false);
        using var critic = Qwen2ValueModel.CopyOf(source);
        RandomiseHead(critic, 3);
        using var dir = new TempDirectory();
        critic.Save(dir.File("critic.safetensors"));

        using var other = TinyModels.Create(tied: false, seed: 99);
        using var restored = Qwen2ValueModel.CopyOf(other);
        restored.Load(dir.File("critic.safetensors"));
        var expected = critic.ParametersByName();
        foreach (var (name, parameter) in restored.ParametersByName()) Assert.Equal(Values(expected[name]), Values(parameter));
        Assert.Single(Directory.GetFiles(dir.Path)); // the atomic write leaves no temporary file behind
    }

    [Fact]
    public void LoadRejectsAFileOfAnotherModel()
    {
        using var source = TinyModels.Create(tied: false);
        using var critic = Qwen2ValueModel.CopyOf(source);
        using var dir = new TempDirectory();
        var path = dir.File("lm.safetensors");
        Apo.Model.Checkpoints.SafeTensorsWriter.Write(path,
            source.ParametersByName().Select(p => new KeyValuePair<string, Tensor>(p.Key, p.Value)).ToList());
        var error = Assert.Throws<InvalidDataException>(() => critic.Load(path));
        Assert.Contains(path, error.Message);
        Assert.Contains("lm_head.weight", error.Message);
    }

    [Fact]
    public void LeftPaddedBatchValuesEqualEachSequenceAlone()
    {
        using var source = TinyModels.Create();
        using var critic = Qwen2ValueModel.CopyOf(source);
        RandomiseHead(critic, 5);
        var prompts = TinyModels.Prompts(5, seed: 3, minLength: 1, maxLength: 10);
        var responses = TinyModels.Prompts(5, seed: 4, minLength: 1, maxLength: 8);
        using var noGrad = no_grad();
        using var batched = ValueForcing.Forward(critic, prompts, responses);
        var width = (int)batched.Values.shape[1];
        var all = Values(batched.Values);
        var mask = Values(batched.Mask);
        for (int i = 0; i < prompts.Length; i++)
        {
            using var alone = ValueForcing.Forward(critic, [prompts[i]], [responses[i]]);
            var single = Values(alone.Values);
            Assert.Equal(responses[i].Length, single.Length);
            for (int t = 0; t < width; t++)
            {
                if (t < single.Length)
                {
                    Assert.Equal(1f, mask[i * width + t]);
                    Assert.True(Math.Abs(single[t] - all[i * width + t]) < 1e-5, $"sequence {i} token {t}: {single[t]} vs {all[i * width + t]}");
                }
                else
                {
                    Assert.Equal(0f, mask[i * width + t]);
                    Assert.Equal(0f, all[i * width + t]);
                }
            }
        }
    }
}
