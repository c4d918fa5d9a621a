using System.Collections.Immutable;
using Apo.Abstractions.Placement;
using Apo.Hosting;
using Orleans.Runtime;
using Orleans.Streams;

namespace Apo.Hosting.Tests;

[GenerateSerializer]
public sealed class CounterState
{
    [Id(0)] public int Value { get; set; }
    [Id(1)] public List<string> History { get; set; } = [];
}

/// <summary>A grain with durable state in the "apo" storage.</summary>
public interface ICounterGrain : IGrainWithStringKey
{
    Task<int> Add(int amount, string note);
    Task<CounterState> Get();
    Task Clear();
    Task Deactivate();
}

public sealed class CounterGrain([PersistentState("counter", ApoStorage.Name)] IPersistentState<CounterState> state)
    : Grain, ICounterGrain
{
    public async Task<int> Add(int amount, string note)
    {
        state.State.Value += amount;
        state.State.History.Add(note);
        await state.WriteStateAsync();
        return state.State.Value;
    }

    public Task<CounterState> Get() => Task.FromResult(state.State);

    public Task Clear() => state.ClearStateAsync();

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }
}

/// <summary>A grain that may run only on generator silos and reports where it runs.</summary>
public interface IGeneratorProbeGrain : IGrainWithIntegerKey
{
    Task<SiloAddress> Where();
}

[GeneratorSilosOnly]
public sealed class GeneratorProbeGrain(ILocalSiloDetails silo) : Grain, IGeneratorProbeGrain
{
    public Task<SiloAddress> Where() => Task.FromResult(silo.SiloAddress);
}

/// <summary>The same probe without the filter, to show placement would otherwise spread.</summary>
public interface IAnywhereProbeGrain : IGrainWithIntegerKey
{
    Task<SiloAddress> Where();
}

[Orleans.Placement.RandomPlacement]
public sealed class AnywhereProbeGrain(ILocalSiloDetails silo) : Grain, IAnywhereProbeGrain
{
    public Task<SiloAddress> Where() => Task.FromResult(silo.SiloAddress);
}

/// <summary>Subscribes explicitly to a stream of the "apo-streams" provider (exercises the PubSubStore).</summary>
public interface IStreamSumGrain : IGrainWithStringKey
{
    Task Subscribe();
    Task<int> Sum();
    Task<int> Count();
}

public sealed class StreamSumGrain : Grain, IStreamSumGrain
{
    private int _sum;
    private int _count;

    public async Task Subscribe()
    {
        var stream = this.GetStreamProvider(ApoStorage.StreamProviderName)
            .GetStream<int>(StreamId.Create("numbers", this.GetPrimaryKeyString()));
        await stream.SubscribeAsync((item, _) => { _sum += item; _count++; return Task.CompletedTask; });
    }

    public Task<int> Sum() => Task.FromResult(_sum);

    public Task<int> Count() => Task.FromResult(_count);
}

/// <summary>A grain that may run only on trainer silos and reports where it runs.</summary>
public interface ITrainerProbeGrain : IGrainWithIntegerKey
{
    Task<SiloAddress> Where();
}

[TrainerSilosOnly]
public sealed class TrainerProbeGrain(ILocalSiloDetails silo) : Grain, ITrainerProbeGrain
{
    public Task<SiloAddress> Where() => Task.FromResult(silo.SiloAddress);
}

/// <summary>A generator-role grain pinned to the silo its key names, as the generator pool keys its GeneratorGrains.</summary>
public interface ISiloBoundProbeGrain : IGrainWithStringKey
{
    Task<SiloAddress> Where();
}

[GeneratorSilosOnly]
[SiloBound]
public sealed class SiloBoundProbeGrain(ILocalSiloDetails silo) : Grain, ISiloBoundProbeGrain
{
    public Task<SiloAddress> Where() => Task.FromResult(silo.SiloAddress);
}

/// <summary>On a generator silo: answers a chunk of long rollouts (deterministic tokens), as GeneratorGrain.SampleRollouts does.</summary>
public interface ILongRolloutProbeGrain : IGrainWithIntegerKey
{
    Task<System.Collections.Immutable.ImmutableArray<Apo.Abstractions.Training.Rollout>> Make(int rollouts, int tokens);

    /// <summary>The token a probe puts at position i of rollout k.</summary>
    static int TokenAt(int k, int i) => 100_000 + (i * 7919 + k * 104_729) % 51_000;
}

[GeneratorSilosOnly]
public sealed class LongRolloutProbeGrain : Grain, ILongRolloutProbeGrain
{
    public Task<System.Collections.Immutable.ImmutableArray<Apo.Abstractions.Training.Rollout>> Make(int rollouts, int tokens) =>
        Task.FromResult(Enumerable.Range(0, rollouts).Select(k => new Apo.Abstractions.Training.Rollout($"p{k}", 7, 0,
            Enumerable.Range(0, 300).Select(i => 151_000 + i).ToImmutableArray(),
            Enumerable.Range(0, tokens).Select(i => ILongRolloutProbeGrain.TokenAt(k, i)).ToImmutableArray(),
            Enumerable.Range(0, tokens).Select(i => -0.001f * i).ToImmutableArray(), false, 1.0, 0.5, 7)).ToImmutableArray());
}

/// <summary>On a trainer silo: asks a generator silo for long rollouts, as the trainer does, and checks what arrived.</summary>
public interface IRolloutRelayGrain : IGrainWithIntegerKey
{
    /// <summary>How many response tokens arrived, and how many of them differ from what the probe made.</summary>
    Task<(long Tokens, long Wrong, SiloAddress From)> Fetch(int rollouts, int tokens);
}

[TrainerSilosOnly]
public sealed class RolloutRelayGrain(ILocalSiloDetails silo) : Grain, IRolloutRelayGrain
{
    public async Task<(long Tokens, long Wrong, SiloAddress From)> Fetch(int rollouts, int tokens)
    {
        var chunk = await GrainFactory.GetGrain<ILongRolloutProbeGrain>(0).Make(rollouts, tokens);
        long wrong = 0, count = 0;
        for (int k = 0; k < chunk.Length; k++)
            for (int i = 0; i < chunk[k].ResponseTokenIds.Length; i++, count++)
                if (chunk[k].ResponseTokenIds[i] != ILongRolloutProbeGrain.TokenAt(k, i)) wrong++;
        return (count, wrong, silo.SiloAddress);
    }
}
