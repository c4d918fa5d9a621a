using Apo.Algorithm.Optimization;
using TorchSharp;
using TorchSharp.Modules;
using static Apo.Algorithm.Tests.TestTensors;
using static TorchSharp.torch;

namespace Apo.Algorithm.Tests.Optimization;

public sealed class OptimizerStateTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("apo-optimizer-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly OptimizerSettings Settings = new(LearningRate: 0.05, WeightDecay: 0.01, ClipGradNorm: 1.0);

    // A small model: y = W x + b on fixed data, float32 like a real policy.
    private sealed class Model
    {
        public Parameter W { get; }
        public Parameter B { get; }
        public Model(float[] w, float[] b)
        {
            W = new Parameter(tensor(w).view(3, 4));
            B = new Parameter(tensor(b));
        }
        public Parameter[] Parameters => [W, B];
        public Tensor Loss(int step)
        {
            // Data changes with the step so later steps are not a repeat of earlier ones.
            var x = torch.linspace(-1, 1, 8 * 4).view(8, 4) * (1 + 0.1f * step);
            var target = torch.sin(torch.arange(8 * 3, dtype: float32)).view(8, 3);
            var prediction = x.matmul(W.t()) + B;
            return (prediction - target).square().mean();
        }
    }

    private static Model NewModel() => new(
        Enumerable.Range(0, 12).Select(i => (float)Math.Cos(i)).ToArray(),
        [0.1f, -0.2f, 0.3f]);

    private static Model CopyOf(Model m) => new(
        m.W.detach().contiguous().data<float>().ToArray(),
        m.B.detach().contiguous().data<float>().ToArray());

    [Fact]
    public void Saved_and_loaded_state_continues_bit_for_bit()
    {
        using var scope = NewDisposeScope();
        var original = NewModel();
        using var first = new PolicyOptimizer(original.Parameters, Settings);
        for (var s = 0; s < 3; s++) first.Step(() => original.Loss(s));

        var path = Path.Combine(_dir, "optimizer.bin");
        first.SaveState(path);

        var resumed = CopyOf(original);
        using var second = new PolicyOptimizer(resumed.Parameters, Settings);
        second.LoadState(path);
        Assert.Equal(3, second.StepCount);

        // A fresh optimizer without the saved moments, to show the state matters.
        var cold = CopyOf(original);
        using var third = new PolicyOptimizer(cold.Parameters, Settings);

        for (var s = 3; s < 5; s++)
        {
            var a = first.Step(() => original.Loss(s));
            var b = second.Step(() => resumed.Loss(s));
            third.Step(() => cold.Loss(s));
            Assert.Equal(a.Loss, b.Loss);
            Assert.Equal(a.GradientNorm, b.GradientNorm);
        }

        // Exact equality of every float32 (widened to double without rounding).
        Assert.Equal(Values(original.W), Values(resumed.W));
        Assert.Equal(Values(original.B), Values(resumed.B));
        Assert.NotEqual(Values(original.W), Values(cold.W));
        Assert.Equal(5, second.StepCount);
    }

    [Fact]
    public void Save_is_atomic_and_leaves_no_temporary_file()
    {
        using var scope = NewDisposeScope();
        var model = NewModel();
        using var optimizer = new PolicyOptimizer(model.Parameters, Settings);
        optimizer.Step(() => model.Loss(0));
        var path = Path.Combine(_dir, "nested", "opt.bin");
        optimizer.SaveState(path);
        optimizer.Step(() => model.Loss(1));
        optimizer.SaveState(path);   // overwrite in place
        Assert.Equal(["opt.bin"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void Loading_a_wrong_file_names_the_file()
    {
        using var scope = NewDisposeScope();
        var model = NewModel();
        using var optimizer = new PolicyOptimizer(model.Parameters, Settings);

        var missing = Path.Combine(_dir, "missing.bin");
        Assert.Throws<FileNotFoundException>(() => optimizer.LoadState(missing));

        var garbage = Path.Combine(_dir, "garbage.bin");
        File.WriteAllText(garbage, "not an optimizer");
        var bad = Assert.Throws<InvalidDataException>(() => optimizer.LoadState(garbage));
        Assert.Contains(garbage, bad.Message);

        // State of a model with different shapes.
        var other = new Parameter(torch.zeros(5));
        using var otherOptimizer = new PolicyOptimizer([other, new Parameter(torch.zeros(3))], Settings);
        var otherPath = Path.Combine(_dir, "other.bin");
        otherOptimizer.SaveState(otherPath);
        var shape = Assert.Throws<InvalidDataException>(() => optimizer.LoadState(otherPath));
        Assert.Contains("parameter 0", shape.Message);

        // Truncated file.
        var good = Path.Combine(_dir, "good.bin");
        optimizer.SaveState(good);
        var bytes = File.ReadAllBytes(good);
        var truncated = Path.Combine(_dir, "truncated.bin");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length - 7)]);
        var cut = Assert.Throws<InvalidDataException>(() => optimizer.LoadState(truncated));
        Assert.Contains("truncated", cut.Message);
    }

    [Fact]
    public void Current_settings_win_over_saved_hyperparameters()
    {
        using var scope = NewDisposeScope();
        var model = NewModel();
        using var saver = new PolicyOptimizer(model.Parameters, Settings);
        saver.Step(() => model.Loss(0));
        var path = Path.Combine(_dir, "lr.bin");
        saver.SaveState(path);

        // An AdamW step moves p by lr·(wd·p + m̂/(√v̂ + ε)): linear in lr. Loaded at 10× the saved lr, the same
        // next step moves every weight exactly 10× as far as it does at the saved lr.
        var fast = CopyOf(model);
        var slow = CopyOf(model);
        using var loader = new PolicyOptimizer(fast.Parameters, Settings with { LearningRate = Settings.LearningRate * 10 });
        using var same = new PolicyOptimizer(slow.Parameters, Settings);
        loader.LoadState(path);
        same.LoadState(path);
        var start = Values(model.W);
        loader.Step(() => fast.Loss(1));
        same.Step(() => slow.Loss(1));
        var fastMoves = Values(fast.W).Zip(start, (a, b) => a - b).ToArray();
        var slowMoves = Values(slow.W).Zip(start, (a, b) => a - b).ToArray();
        for (var i = 0; i < start.Length; i++) Assert.Equal(10.0, fastMoves[i] / slowMoves[i], 4);
    }
}
