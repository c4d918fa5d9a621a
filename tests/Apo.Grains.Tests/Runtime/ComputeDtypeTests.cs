using System.Collections.Immutable;
using Apo.Abstractions.StageOne;
using Apo.Abstractions.Training;
using Apo.Abstractions.Weights;
using Apo.Grains.Runtime;
using Apo.Grains.Tests.Generation;
using Apo.Grains.Training;
using Apo.Model;
using Apo.Model.Checkpoints;
using Apo.Model.Devices;
using static TorchSharp.torch;

namespace Apo.Grains.Tests.Runtime;

/// <summary>
/// A bf16 checkpoint computes in the silo's compute dtype and the trained policy is saved in the checkpoint's own
/// dtype (what Hugging Face tools expect), whichever dtype it trained in.
/// </summary>
public sealed class ComputeDtypeTests : IDisposable
{
    readonly TinyReference tiny = new();
    readonly string bf16Directory;

    public ComputeDtypeTests()
    {
        bf16Directory = Path.Combine(tiny.Root, "reference-bf16");
        using var model = tiny.Create(seed: 1);
        ModelDirectory.Save(bf16Directory, model, tiny.Tokenizer, storeAs: ScalarType.BFloat16);
    }

    public void Dispose() => tiny.Dispose();

    [Theory]
    [InlineData("float32", ScalarType.Float32)]
    [InlineData("checkpoint", ScalarType.BFloat16)]
    [InlineData("bfloat16", ScalarType.BFloat16)]
    public async Task ModelsLoadInTheSilosComputeDtype(string setting, ScalarType expected)
    {
        using var runtime = new TensorRuntime("cpu", 1, setting);
        var (dtype, stored) = await runtime.Training.Executor.Run(() =>
        {
            var loaded = runtime.Training.Shared(bf16Directory);
            return (loaded.Model.DType, loaded.Config.ScalarType);
        });
        Assert.Equal(expected, dtype);
        Assert.Equal(ScalarType.BFloat16, stored);
    }

    [Fact]
    public async Task AutoComputesHalfPrecisionOnlyWhereItsKernelsAreFast()
    {
        using var runtime = new TensorRuntime("cpu", 1);
        Assert.Equal(ComputePrecision.Auto, runtime.ComputeDtype);
        var dtype = await runtime.Training.Executor.Run(() => runtime.Training.Shared(bf16Directory).Model.DType);
        // What "fast" means on this CPU is read from /proc/cpuinfo (AVX-512 BW/VL/DQ or AMX for bf16).
        Assert.Equal(ComputePrecision.HasFastKernels(ScalarType.BFloat16, CPU) ? ScalarType.BFloat16 : ScalarType.Float32, dtype);
    }

    [Fact]
    public async Task APolicyTrainedInFloat32IsSavedInTheCheckpointsBf16()
    {
        using var runtime = new TensorRuntime("cpu", 1, "float32");
        var settings = new StageTwoSettings("astar-po", 0.1, 1e-3, 0.01, 1.0, 2, 1, 1, new SamplingSettings(1.0, 1.0, 0, 6), 1, 0, 1);
        var plan = new StageTwoPlan("run", new ReferenceModel(bf16Directory, ModelDirectory.ContentHash(bf16Directory)),
            tiny.Provenance(), ImmutableArray<string>.Empty, settings, tiny.Root);
        string saved = Path.Combine(tiny.Root, "checkpoint");
        await runtime.Training.Executor.Run(() =>
        {
            using var session = TrainerSession.Open(runtime.Training, plan, checkpoint: null);
            Assert.Equal(ScalarType.Float32, session.Policy.DType);
            Assert.Equal(ScalarType.BFloat16, session.CheckpointDtype);
            session.SaveTo(saved);
        });
        Assert.Equal("bfloat16", Apo.Model.Qwen2.Qwen2Config.Load(saved).TorchDtype);
        using var reader = CheckpointReader.Open(saved);
        Assert.All(reader.Names, name => Assert.Equal(ScalarType.BFloat16, reader.Entry(name).DType));
    }

    [Fact]
    public void AnUnknownComputeDtypeIsRefusedNamingIt()
    {
        var error = Assert.Throws<ArgumentException>(() => new TensorRuntime("cpu", 1, "float64"));
        Assert.Contains("\"float64\"", error.Message);
        Assert.Contains("auto, checkpoint, float32, bfloat16, float16", error.Message);
    }
}
