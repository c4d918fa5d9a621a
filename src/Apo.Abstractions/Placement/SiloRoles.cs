namespace Apo.Abstractions.Placement;

/// <summary>
/// Silo roles, declared in Orleans silo metadata under <see cref="MetadataKey"/> as a comma-separated
/// list (e.g. <c>trainer,generator</c>).
/// </summary>
public static class SiloRoles
{
    /// <summary>The silo metadata key that carries the silo's roles.</summary>
    public const string MetadataKey = "apo.role";

    /// <summary>The silo hosts the trainer (one per run).</summary>
    public const string Trainer = "trainer";

    /// <summary>The silo hosts generator replicas (one model replica on the silo's device).</summary>
    public const string Generator = "generator";

    /// <summary>All roles a silo may declare.</summary>
    public static IReadOnlyList<string> All { get; } = [Trainer, Generator];

    /// <summary>Splits a role list such as <c>"trainer, generator"</c> into trimmed, lower-case role names.</summary>
    public static string[] Parse(string? roles) =>
        (roles ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(r => r.ToLowerInvariant())
            .ToArray();

    /// <summary>True when the comma-separated role list contains <paramref name="role"/>.</summary>
    public static bool Contains(string? roles, string role) =>
        Parse(roles).Contains(role, StringComparer.Ordinal);
}
