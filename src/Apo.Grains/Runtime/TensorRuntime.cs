using Apo.Model;
using Apo.Model.Devices;

namespace Apo.Grains.Runtime;

/// <summary>
/// The silo's tensor runtime: one <see cref="DeviceExecutor"/> (every tensor operation of every
/// grain on this silo runs on its thread) and the model directories loaded onto that device,
/// each loaded once and shared read-only (e.g. the frozen reference used by stage 1 and stage 2).
/// Register one per silo as a singleton.
/// </summary>
public sealed class TensorRuntime : IDisposable
{
    readonly Dictionary<string, LoadedModel> models = new(StringComparer.Ordinal);

    public DeviceExecutor Executor { get; }

    /// <summary>The <see cref="ComputePrecision"/> setting models are loaded with (auto: a bf16 checkpoint computes in bf16 only where that is fast).</summary>
    public string ComputeDtype { get; }

    public TensorRuntime(string device = "cpu", int torchThreads = 0, string computeDtype = ComputePrecision.Auto)
    {
        if (!ComputePrecision.IsValid(computeDtype))
            throw new ArgumentException($"compute dtype \"{computeDtype}\" is not one of {string.Join(", ", ComputePrecision.Names)}", nameof(computeDtype));
        ComputeDtype = computeDtype;
        Executor = new DeviceExecutor(device);
        if (torchThreads > 0) Executor.Run(() => TorchSharp.torch.set_num_threads(torchThreads)).GetAwaiter().GetResult();
    }

    /// <summary>A model directory loaded onto this device in its compute dtype (<see cref="ComputeDtype"/>), once. Call on <see cref="Executor"/>'s thread.</summary>
    public LoadedModel Shared(string modelDirectory)
    {
        EnsureOnDeviceThread();
        string key = Path.GetFullPath(modelDirectory);
        if (!models.TryGetValue(key, out var model))
        {
            var config = Apo.Model.Qwen2.Qwen2Config.Load(Path.Combine(key, ModelDirectory.ConfigFileName));
            Apo.Common.Memory.NativeHeap.PrepareFor(config.ParameterCount);
            model = ModelDirectory.Load(key, Executor.Device, ComputePrecision.Resolve(ComputeDtype, config.ScalarType, Executor.Device), forInference: true);
            models[key] = model;
        }
        return model;
    }

    /// <summary>Drops a shared model (e.g. when a run finishes). Call on <see cref="Executor"/>'s thread.</summary>
    public void Release(string modelDirectory)
    {
        EnsureOnDeviceThread();
        if (models.Remove(Path.GetFullPath(modelDirectory), out var model)) model.Dispose();
    }

    public void EnsureOnDeviceThread()
    {
        if (!Executor.IsCurrentThread) throw new InvalidOperationException("tensor work must run on the device executor's thread");
    }

    public void Dispose()
    {
        Executor.Run(() =>
        {
            foreach (var model in models.Values) model.Dispose();
            models.Clear();
        }).GetAwaiter().GetResult();
        Executor.Dispose();
    }
}
