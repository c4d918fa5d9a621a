using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>Every manifest check by name, so one theory runs them all on the real manifests.</summary>
public static class AllChecks
{
    /// <summary>Check name to check.</summary>
    public static readonly IReadOnlyDictionary<string, Func<ManifestSet, IEnumerable<string>>> ByName =
        new Dictionary<string, Func<ManifestSet, IEnumerable<string>>>
        {
            [nameof(StructureChecks.Identity)] = StructureChecks.Identity,
            [nameof(StructureChecks.KustomizationFiles)] = StructureChecks.KustomizationFiles,
            [nameof(StructureChecks.Selectors)] = StructureChecks.Selectors,
            [nameof(StructureChecks.Services)] = StructureChecks.Services,
            [nameof(SiloPodChecks.Roles)] = SiloPodChecks.Roles,
            [nameof(SiloPodChecks.OrleansLabels)] = SiloPodChecks.OrleansLabels,
            [nameof(SiloPodChecks.DownwardApi)] = SiloPodChecks.DownwardApi,
            [nameof(SiloPodChecks.Ports)] = SiloPodChecks.Ports,
            [nameof(SiloPodChecks.Gpu)] = SiloPodChecks.Gpu,
            [nameof(SiloPodChecks.ConfigFromConfigMap)] = SiloPodChecks.ConfigFromConfigMap,
            [nameof(SiloPodChecks.ClientConfigAgrees)] = SiloPodChecks.ClientConfigAgrees,
            [nameof(SiloPodChecks.KubernetesHostingAndBlobWeights)] = SiloPodChecks.KubernetesHostingAndBlobWeights,
            [nameof(SiloPodChecks.SharedRunVolume)] = SiloPodChecks.SharedRunVolume,
            [nameof(RbacChecks.SiloPermissions)] = RbacChecks.SiloPermissions,
            [nameof(SecretChecks.FromSecret)] = SecretChecks.FromSecret,
            [nameof(SecretChecks.NoLiterals)] = SecretChecks.NoLiterals,
            [nameof(DevOverlayChecks.BuildsOnBase)] = DevOverlayChecks.BuildsOnBase,
            [nameof(DevOverlayChecks.AzuriteInCluster)] = DevOverlayChecks.AzuriteInCluster,
            [nameof(DevOverlayChecks.SecretPointsAtAzurite)] = DevOverlayChecks.SecretPointsAtAzurite,
            [nameof(DevOverlayChecks.PatchesTargetBase)] = DevOverlayChecks.PatchesTargetBase,
        };
}
