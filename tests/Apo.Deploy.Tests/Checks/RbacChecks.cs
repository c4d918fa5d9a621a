using Apo.Deploy.Tests.Manifests;

namespace Apo.Deploy.Tests.Checks;

/// <summary>The RBAC Microsoft.Orleans.Hosting.Kubernetes needs: pods get, watch, list, delete, patch for the silos' ServiceAccount.</summary>
public static class RbacChecks
{
    /// <summary>The verbs on pods the Kubernetes hosting package uses.</summary>
    public static readonly string[] PodVerbs = ["get", "watch", "list", "delete", "patch"];

    /// <summary>
    /// Every silo pod runs as a ServiceAccount that exists, is bound (in the kustomization's namespace)
    /// to a Role that exists and grants the pod verbs in the core API group.
    /// </summary>
    public static IEnumerable<string> SiloPermissions(ManifestSet set)
    {
        var docs = set.ResourcesUnder("base").ToList();
        var ns = set.KustomizationIn("base")?.Root.Str("namespace");
        var accounts = docs.Where(d => d.Kind == "ServiceAccount").Select(d => d.Name).ToHashSet();
        foreach (var w in SiloPodChecks.Silos(set))
        {
            var account = w.PodSpec.Str("serviceAccountName");
            if (account is null || !accounts.Contains(account))
            {
                yield return $"{w.Doc.Where}: serviceAccountName {account ?? "(unset: the namespace's default account)"} is not a ServiceAccount of the base";
                continue;
            }
            var bindings = docs.Where(d => d.Kind == "RoleBinding" && d.Root.Maps("subjects").Any(s =>
                s.Str("kind") == "ServiceAccount" && s.Str("name") == account && s.Str("namespace") == ns)).ToList();
            if (bindings.Count == 0)
            {
                yield return $"{w.Doc.Where}: no RoleBinding has the subject ServiceAccount {account} in namespace {ns ?? "(none)"}";
                continue;
            }
            var granted = new HashSet<string>();
            foreach (var b in bindings)
            {
                var roleRef = b.Root.Map("roleRef");
                var role = docs.FirstOrDefault(d => d.Kind == roleRef.Str("kind") && d.Kind == "Role" && d.Name == roleRef.Str("name"));
                if (role is null)
                {
                    yield return $"{b.Where}: roleRef {roleRef.Str("kind")} {roleRef.Str("name")} is not a Role of the base";
                    continue;
                }
                foreach (var rule in role.Root.Maps("rules").Where(r => r.Strs("apiGroups").Contains("") && r.Strs("resources").Contains("pods")))
                    granted.UnionWith(rule.Strs("verbs"));
            }
            var missing = PodVerbs.Where(v => !granted.Contains(v) && !granted.Contains("*")).ToList();
            if (missing.Count > 0)
                yield return $"{w.Doc.Where}: ServiceAccount {account} may not {string.Join(", ", missing)} pods (Role rules on apiGroup \"\" resource pods)";
        }
    }
}
