using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Apo.Algorithm.Optimization;

/// <summary>
/// One AdamW optimizer over a set of parameters, stepping once per mini-batch:
/// zero the gradients, back-propagate the mini-batch loss, clip the total gradient norm, update.
/// Half-precision parameters (bf16, fp16) train through float32 master weights and float32 moments
/// (<see cref="MasterWeights"/>); float32 ones are updated in place. Tensor work runs synchronously on
/// the calling thread; call it from the device's thread.
/// </summary>
public sealed class PolicyOptimizer : IDisposable
{
    private readonly Parameter[] _parameters;
    private readonly MasterWeights _masters;
    private readonly AdamWMoments _adamW;
    private bool _disposed;

    /// <param name="parameters">The trainable parameters (their order is part of the saved state).</param>
    /// <param name="settings">Validated here.</param>
    public PolicyOptimizer(IEnumerable<Parameter> parameters, OptimizerSettings settings)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        _parameters = parameters.ToArray();
        if (_parameters.Length == 0) throw new ArgumentException("the optimizer needs at least one parameter.", nameof(parameters));
        Settings = settings;
        _masters = new MasterWeights(_parameters);
        _adamW = new AdamWMoments(_masters.Masters);
    }

    /// <summary>The settings in force (after <see cref="LoadState"/> too: saved hyperparameters never override them).</summary>
    public OptimizerSettings Settings { get; }

    /// <summary>Optimizer steps taken, restored by <see cref="LoadState"/>.</summary>
    public long StepCount { get; private set; }

    /// <summary>The parameters this optimizer updates, in state order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>True when some parameter is half precision and trains through a float32 master copy.</summary>
    public bool HasMasterWeights => _masters.Any;

    internal AdamWMoments Moments => _adamW;

    internal MasterWeights MasterWeights => _masters;

    /// <summary>The float32 weights the optimizer updates for parameter <paramref name="index"/> (the parameter itself unless it is half precision).</summary>
    public Tensor MasterWeightsOf(int index) => _masters.Masters[index];

    /// <summary>
    /// One optimizer step on one mini-batch. Every tensor <paramref name="computeLoss"/> creates is
    /// disposed before this returns. A non-finite loss or gradient norm throws
    /// InvalidOperationException and leaves the parameters untouched.
    /// </summary>
    public StepResult Step(Func<Tensor> computeLoss)
    {
        ArgumentNullException.ThrowIfNull(computeLoss);
        return Step([computeLoss]);
    }

    /// <summary>
    /// One optimizer step whose gradient is accumulated over micro-batches (for mini-batches too
    /// large for one forward pass): the sum of the returned losses must be the mini-batch loss,
    /// so the caller weights each micro-batch (e.g. by its share of the sequences).
    /// </summary>
    public StepResult Step(IReadOnlyList<Func<Tensor>> microBatchLosses)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(microBatchLosses);
        if (microBatchLosses.Count == 0) throw new ArgumentException("a step needs at least one loss.", nameof(microBatchLosses));

        ZeroGradients();
        var total = 0.0;
        for (var i = 0; i < microBatchLosses.Count; i++)
        {
            using var scope = NewDisposeScope();
            var loss = microBatchLosses[i]() ?? throw new InvalidOperationException($"micro-batch {i} returned no loss tensor.");
            if (loss.numel() != 1)
                throw new InvalidOperationException($"micro-batch {i} returned a loss of shape [{string.Join(", ", loss.shape)}]; a scalar is needed.");
            var value = loss.ToDouble();
            if (!double.IsFinite(value))
            {
                ZeroGradients();
                throw new InvalidOperationException($"micro-batch {i} loss is {value}; the step was not taken.");
            }
            loss.backward();
            _masters.AccumulateGradients();
            total += value;
        }

        var norm = GradientClipping.ClipTotalNorm(_masters.Masters, Settings.ClipGradNorm);
        if (!double.IsFinite(norm))
        {
            ZeroGradients();
            throw new InvalidOperationException($"gradient norm is {norm}; the step was not taken.");
        }

        _adamW.Step(Settings);
        _masters.CopyToModel();
        StepCount++;
        return new StepResult(total, norm, StepCount);
    }

    /// <summary>Writes the AdamW moments, per-parameter step counts and <see cref="StepCount"/> atomically.</summary>
    public void SaveState(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        OptimizerStateFile.Save(this, path);
    }

    /// <summary>
    /// Restores what <see cref="SaveState"/> wrote into this optimizer (same parameters, same
    /// order and shapes), so training continues bit for bit. The hyperparameters stay those of
    /// <see cref="Settings"/>. Throws FileNotFoundException or InvalidDataException naming the file;
    /// the header (magic, version, parameter count and shapes) is checked before any state is
    /// touched, but after a failure inside the AdamW payload discard this optimizer.
    /// </summary>
    public void LoadState(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        StepCount = OptimizerStateFile.Load(this, path);
        _masters.CopyToModel();
    }

    private void ZeroGradients()
    {
        // Gradients are freed, not zeroed (PyTorch's set_to_none): between steps they take no memory at all.
        using var scope = NewDisposeScope();
        foreach (var p in _masters.Masters) p.grad = null;
        _masters.ZeroHalfGradients();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _adamW.Dispose();
        _masters.Dispose();
    }
}
