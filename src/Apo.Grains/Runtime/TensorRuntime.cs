using Apo.Model.Devices;

namespace Apo.Grains.Runtime;

/// <summary>
/// The silo's tensor runtime: the lanes its grains' tensor work runs on. With one lane (the default) every tensor
/// operation of the silo runs on one thread. With two, the trainer's work (updates, publishing, checkpoints) and the
/// generators' (stage 1, rollouts) run on separate threads, each with its own torch thread count and its own copy
/// of any shared model, so asynchronous stage 2 really samples and trains at the same time on one machine.
/// Register one per silo as a singleton.
/// </summary>
public sealed class TensorRuntime : IDisposable
{
    /// <summary>The most lanes a silo runs: one for training, one for generation.</summary>
    public const int MaxLanes = 2;

    /// <summary>The <see cref="ComputePrecision"/> setting models are loaded with (auto: a bf16 checkpoint computes in bf16 only where that is fast).</summary>
    public string ComputeDtype { get; }

    /// <summary>The lane of the trainer's tensor work (and of anything that is not generation).</summary>
    public TensorLane Training { get; }

    /// <summary>The lane of the generators' sampling: <see cref="Training"/> itself when the silo has one lane.</summary>
    public TensorLane Generation { get; }

    /// <param name="torchThreads">Torch threads of each lane; 0 = torch's default with one lane, and the cores shared out with two.</param>
    /// <param name="lanes">1, or 2 for separate training and generation lanes.</param>
    public TensorRuntime(string device = "cpu", int torchThreads = 0, string computeDtype = ComputePrecision.Auto, int lanes = 1)
    {
        if (!ComputePrecision.IsValid(computeDtype))
            throw new ArgumentException($"compute dtype \"{computeDtype}\" is not one of {string.Join(", ", ComputePrecision.Names)}", nameof(computeDtype));
        if (lanes is < 1 or > MaxLanes) throw new ArgumentOutOfRangeException(nameof(lanes), lanes, $"a silo runs 1 or {MaxLanes} tensor lanes");
        ComputeDtype = computeDtype;
        // Two OpenMP teams that together ask for more threads than there are cores stall each other badly: share them out.
        int perLane = torchThreads > 0 || lanes == 1 ? torchThreads : Math.Max(1, Environment.ProcessorCount / lanes);
        Training = new TensorLane(device, lanes == 1 ? device : $"{device}-train", perLane, computeDtype);
        Generation = lanes == 1 ? Training : new TensorLane(device, $"{device}-generate", perLane, computeDtype);
    }

    /// <summary>True when generation has a lane of its own.</summary>
    public bool SeparateLanes => !ReferenceEquals(Training, Generation);

    public void Dispose()
    {
        if (SeparateLanes) Generation.Dispose();
        Training.Dispose();
    }
}
