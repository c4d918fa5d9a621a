using System.Text.RegularExpressions;
using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>The restricted Pod Security Standard on every pod (silos and Azurite), and the namespace that enforces it.</summary>
public static partial class PodSecurityChecks
{
    /// <summary>The namespace labels of Pod Security Admission, each of which must say <c>restricted</c>.</summary>
    public static readonly string[] NamespaceLabelKeys =
        ["pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/warn", "pod-security.kubernetes.io/audit"];

    /// <summary>Every workload of every kustomization (patches excluded) meets the restricted standard.</summary>
    public static IEnumerable<string> Restricted(ManifestSet set)
    {
        var imageUser = DockerfileUser();
        foreach (var w in Workload.In(set.Resources))
            foreach (var problem in RestrictedPod(w, w.SiloContainer is null ? null : imageUser))
                yield return problem;
    }

    /// <summary>The base's Namespace carries the enforce, warn and audit labels, all <c>restricted</c>.</summary>
    public static IEnumerable<string> NamespaceLabels(ManifestSet set)
    {
        var ns = set.ResourcesUnder("base").Where(d => d.Kind == "Namespace").ToList();
        var wanted = set.KustomizationIn("base")?.Root.Str("namespace");
        var doc = ns.FirstOrDefault(d => d.Name == wanted);
        if (doc is null)
        {
            yield return $"k8s/base: no Namespace object named {wanted ?? "(the kustomization sets no namespace)"}";
            yield break;
        }
        foreach (var problem in LabelsOf(doc))
            yield return problem;
    }

    /// <summary>Pod Security Admission labels of one Namespace object.</summary>
    public static IEnumerable<string> LabelsOf(ManifestDoc ns)
    {
        var labels = ns.Root.Map("metadata").Map("labels").StrMap();
        foreach (var key in NamespaceLabelKeys)
            if (labels.GetValueOrDefault(key) != "restricted")
                yield return $"{ns.Where}: label {key} must be \"restricted\" (found {labels.GetValueOrDefault(key) ?? "none"})";
    }

    /// <summary>
    /// One pod against the restricted standard: non-root with a fixed uid/gid (the image's, when
    /// <paramref name="expectedUid"/> is given), fsGroup, RuntimeDefault seccomp, no host namespaces or hostPath;
    /// each container without privilege escalation, capabilities dropped, a read-only root with an emptyDir at /tmp.
    /// </summary>
    public static IEnumerable<string> RestrictedPod(Workload w, string? expectedUid)
    {
        var pod = w.PodSpec.Map("securityContext");
        if (pod.Str("runAsNonRoot") != "true")
            yield return $"{w.Doc.Where}: spec.template.spec.securityContext.runAsNonRoot must be true (found {pod.Str("runAsNonRoot") ?? "unset"})";
        foreach (var field in new[] { "runAsUser", "runAsGroup", "fsGroup" })
        {
            var value = pod.Str(field);
            if (!long.TryParse(value, out var id) || id <= 0)
                yield return $"{w.Doc.Where}: spec.template.spec.securityContext.{field} must be a non-zero id (found {value ?? "unset"})";
        }
        if (expectedUid is not null && pod.Str("runAsUser") is { } uid && uid != expectedUid)
            yield return $"{w.Doc.Where}: securityContext.runAsUser {uid} is not the image's user {expectedUid} (k8s/Dockerfile USER)";
        if (pod.Map("seccompProfile").Str("type") is not ("RuntimeDefault" or "Localhost"))
            yield return $"{w.Doc.Where}: spec.template.spec.securityContext.seccompProfile.type must be RuntimeDefault (found {pod.Map("seccompProfile").Str("type") ?? "unset"})";
        foreach (var field in new[] { "hostNetwork", "hostPID", "hostIPC" })
            if (w.PodSpec.Str(field) == "true")
                yield return $"{w.Doc.Where}: {field} is not allowed by the restricted standard";
        foreach (var v in w.PodSpec.Maps("volumes").Where(v => v.Has("hostPath")))
            yield return $"{w.Doc.Where}: volume {v.Str("name")} is a hostPath, which the restricted standard forbids";

        foreach (var c in w.AllContainers())
        {
            var where = $"{w.Doc.Where} container {c.Str("name")}";
            var sc = c.Map("securityContext");
            if (sc.Str("allowPrivilegeEscalation") != "false")
                yield return $"{where}: securityContext.allowPrivilegeEscalation must be false (found {sc.Str("allowPrivilegeEscalation") ?? "unset"})";
            if (sc.Str("privileged") == "true")
                yield return $"{where}: securityContext.privileged is not allowed";
            if (!sc.Map("capabilities").Strs("drop").Contains("ALL"))
                yield return $"{where}: securityContext.capabilities.drop must contain ALL";
            foreach (var cap in sc.Map("capabilities").Strs("add").Where(a => a != "NET_BIND_SERVICE"))
                yield return $"{where}: securityContext.capabilities.add {cap} is not allowed (only NET_BIND_SERVICE)";
            if (sc.Str("runAsUser") == "0" || sc.Str("runAsNonRoot") == "false")
                yield return $"{where}: the container overrides the pod and runs as root";
            if (sc.Str("readOnlyRootFilesystem") != "true")
                yield return $"{where}: securityContext.readOnlyRootFilesystem must be true (found {sc.Str("readOnlyRootFilesystem") ?? "unset"})";
            var tmp = PodParts.MountAt(c, "/tmp");
            if (tmp is null || w.Volume(tmp.Str("name"))?.Has("emptyDir") != true)
                yield return $"{where}: /tmp must be an emptyDir mount (the root filesystem is read-only; .NET and Node write temporary files there)";
        }
    }

    /// <summary>The numeric <c>USER</c> of the runtime stage of k8s/Dockerfile, or null.</summary>
    public static string? DockerfileUser()
    {
        var file = Path.Combine(RepoPaths.K8s, "Dockerfile");
        return File.Exists(file)
            ? File.ReadAllLines(file).Select(l => UserLine().Match(l)).LastOrDefault(m => m.Success)?.Groups[1].Value
            : null;
    }

    [GeneratedRegex(@"^\s*USER\s+(\d+)\s*$")]
    private static partial Regex UserLine();
}
