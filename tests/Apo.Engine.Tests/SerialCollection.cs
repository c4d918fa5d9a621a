namespace Apo.Engine.Tests;

/// <summary>Tests that read TorchSharp's process-wide live-tensor count run alone.</summary>
[CollectionDefinition(nameof(SerialCollection), DisableParallelization = true)]
public class SerialCollection;
