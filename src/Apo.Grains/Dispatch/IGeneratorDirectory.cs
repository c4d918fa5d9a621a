namespace Apo.Grains.Dispatch;

/// <summary>
/// Which generators are live right now: the keys of the <c>IGeneratorGrain</c>s work can go to, one per
/// generator silo. A cluster reads it from membership (Apo.Hosting); it is asked again every time the
/// dispatcher looks for a free generator, so silos that join take work within a poll interval.
/// </summary>
public interface IGeneratorDirectory
{
    /// <summary>Keys of the live generators, in a stable order.</summary>
    IReadOnlyList<string> LiveGenerators();
}
