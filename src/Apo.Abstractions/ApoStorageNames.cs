namespace Apo.Abstractions;

/// <summary>Names of the grain storage providers the host must register.</summary>
public static class ApoStorageNames
{
    /// <summary>Durable state of every grain (prompts, trainer, runs): local files embedded, Azure in a cluster.</summary>
    public const string Grains = "apo";
}
