using Apo.Deploy.Tests.Manifests;
using YamlDotNet.RepresentationModel;

namespace Apo.Deploy.Tests.Checks;

/// <summary>
/// Health checks, graceful shutdown, rollouts and disruption budgets of the silo pods. The per-workload rules take
/// the silo's config text, so they run on the committed base (config from the ConfigMap's source file) and on
/// rendered builds (config from the rendered ConfigMap) alike.
/// </summary>
public static class LifecycleChecks
{
    /// <summary>The container port name the probes use, and the silo's health paths.</summary>
    public const string HealthPortName = "health", LivePath = "/health/live", ReadyPath = "/health/ready";

    /// <summary>How long a silo may take to answer its first liveness check (model loads of big checkpoints).</summary>
    public const int MinStartupSeconds = 600;

    /// <summary>What the kubelet must leave the silo beyond its own ShutdownTimeoutSeconds before it sends SIGKILL.</summary>
    public const int ShutdownMarginSeconds = 10;

    /// <summary>Probes of every silo of the base.</summary>
    public static IEnumerable<string> HealthProbes(ManifestSet set) =>
        SiloPodChecks.Silos(set).SelectMany(w => Probes(w, SiloPodChecks.ConfigText(set, w)));

    /// <summary>Grace period of every silo of the base.</summary>
    public static IEnumerable<string> GracefulShutdown(ManifestSet set) =>
        SiloPodChecks.Silos(set).SelectMany(w => Shutdown(w, SiloPodChecks.ConfigText(set, w)));

    /// <summary>Update strategies of the silo workloads of the base.</summary>
    public static IEnumerable<string> Rollout(ManifestSet set) => SiloPodChecks.Silos(set).SelectMany(RolloutOf);

    /// <summary>Disruption budgets of the base.</summary>
    public static IEnumerable<string> DisruptionBudgets(ManifestSet set) =>
        Budgets(set.ResourcesUnder("base").ToList(), SiloPodChecks.Silos(set));

    /// <summary>
    /// A container port <c>health</c> equal to <c>Silo:Health:Port</c>; readiness on <c>/health/ready</c>, liveness
    /// and startup on <c>/health/live</c>, all by that port's name; a startup budget of at least 10 minutes.
    /// </summary>
    public static IEnumerable<string> Probes(Workload w, (string Text, string Source)? config)
    {
        var c = w.SiloContainer;
        var declared = c.Maps("ports").FirstOrDefault(p => p.Str("name") == HealthPortName)?.Str("containerPort");
        var json = SiloJson.Parse(config?.Text, config?.Source ?? "");
        var port = json?.Int("Health:Port");
        if (declared is null)
            yield return $"{w.Doc.Where}: container {c.Str("name")} declares no port named \"{HealthPortName}\" (the silo's HTTP health checks)";
        else if (json is not null && port?.ToString() != declared)
            yield return $"{json.Source}: field \"Silo:Health:Port\" = {port?.ToString() ?? "(unset: no health endpoint)"} but {w.Doc.Where} declares port \"{HealthPortName}\" {declared}";

        foreach (var (probe, path) in new[] { ("readinessProbe", ReadyPath), ("livenessProbe", LivePath), ("startupProbe", LivePath) })
        {
            var get = c.Map(probe).Map("httpGet");
            if (get is null)
                yield return $"{w.Doc.Where}: {probe} must be an httpGet on port {HealthPortName}, path {path} (found {(c.Has(probe) ? "another kind of probe" : "none")})";
            else if (get.Str("path") != path || get.Str("port") != HealthPortName)
                yield return $"{w.Doc.Where}: {probe}.httpGet must be path {path} on port {HealthPortName} (found path {get.Str("path") ?? "none"} on port {get.Str("port") ?? "none"})";
        }
        var startup = c.Map("startupProbe");
        if (startup is not null)
        {
            var budget = Seconds(startup, "periodSeconds", 10) * Seconds(startup, "failureThreshold", 3);
            if (budget < MinStartupSeconds)
                yield return $"{w.Doc.Where}: startupProbe allows {budget} s (periodSeconds x failureThreshold) before the first success; " +
                             $"a model load can take minutes, give it at least {MinStartupSeconds} s";
        }
    }

    /// <summary><c>terminationGracePeriodSeconds</c> at least the silo's <c>ShutdownTimeoutSeconds</c> plus 10 s.</summary>
    public static IEnumerable<string> Shutdown(Workload w, (string Text, string Source)? config)
    {
        var grace = w.PodSpec.Str("terminationGracePeriodSeconds");
        var json = SiloJson.Parse(config?.Text, config?.Source ?? "");
        var timeout = json?.Int("ShutdownTimeoutSeconds");
        if (json is not null && timeout is null)
        {
            yield return $"{json.Source}: field \"Silo:ShutdownTimeoutSeconds\" is unset; {w.Doc.Where} sizes its grace period from it";
            yield break;
        }
        var needed = (timeout ?? 0) + ShutdownMarginSeconds;
        if (!int.TryParse(grace, out var g) || g < needed)
            yield return $"{w.Doc.Where}: terminationGracePeriodSeconds is {grace ?? "unset (default 30)"}, but the silo may take " +
                         $"ShutdownTimeoutSeconds = {timeout} s to leave the cluster: use at least {needed} (a {ShutdownMarginSeconds} s margin before SIGKILL)";
    }

    /// <summary>
    /// Generators roll one extra pod at a time and never drop below the wanted count (RollingUpdate, maxSurge 1,
    /// maxUnavailable 0, a progress deadline longer than the startup budget); the trainer's StatefulSet says RollingUpdate.
    /// </summary>
    public static IEnumerable<string> RolloutOf(Workload w)
    {
        var spec = w.Doc.Root.Map("spec");
        if (w.Doc.Kind == "Deployment")
        {
            var strategy = spec.Map("strategy");
            var rolling = strategy.Map("rollingUpdate");
            if (strategy.Str("type") != "RollingUpdate" || rolling.Str("maxUnavailable") != "0" || rolling.Str("maxSurge") != "1")
                yield return $"{w.Doc.Where}: spec.strategy must be RollingUpdate with maxUnavailable 0 and maxSurge 1, so a rollout never shrinks the generator pool " +
                             $"(found {strategy.Str("type") ?? "default"}, maxUnavailable {rolling.Str("maxUnavailable") ?? "default 25%"}, maxSurge {rolling.Str("maxSurge") ?? "default 25%"})";
            var startup = w.SiloContainer.Map("startupProbe");
            var budget = startup is null ? 0 : Seconds(startup, "periodSeconds", 10) * Seconds(startup, "failureThreshold", 3);
            var deadline = Seconds(spec, "progressDeadlineSeconds", 600);
            if (deadline <= budget)
                yield return $"{w.Doc.Where}: spec.progressDeadlineSeconds {deadline} is not longer than the startupProbe's {budget} s: a slow start would be reported as a failed rollout";
        }
        else if (w.Doc.Kind == "StatefulSet" && spec.Map("updateStrategy").Str("type") != "RollingUpdate")
            yield return $"{w.Doc.Where}: spec.updateStrategy.type must be RollingUpdate (found {spec.Map("updateStrategy").Str("type") ?? "unset"}): " +
                         "OnDelete would keep the old trainer until someone deletes the pod";
    }

    /// <summary>
    /// One policy/v1 PodDisruptionBudget selects exactly the generator pods with <c>maxUnavailable: 1</c>; no budget
    /// selects the trainer in a way that refuses every eviction (one replica: a drain would wait forever).
    /// </summary>
    public static IEnumerable<string> Budgets(IReadOnlyList<ManifestDoc> docs, IReadOnlyList<Workload> silos)
    {
        var pdbs = docs.Where(d => d.Kind == "PodDisruptionBudget").ToList();
        var generator = silos.FirstOrDefault(w => w.ConfigPath?.EndsWith("/cluster-generator.json") == true);
        var trainer = silos.FirstOrDefault(w => w.ConfigPath?.EndsWith("/cluster-trainer.json") == true);
        if (generator is not null)
        {
            var selector = generator.Doc.Root.Map("spec").Map("selector").Map("matchLabels").StrMap();
            var forGenerators = pdbs.Where(p => Selects(p, generator)).ToList();
            if (forGenerators.Count != 1)
                yield return $"{generator.Doc.Where}: expected one PodDisruptionBudget selecting the generator pods, found {forGenerators.Count}" +
                             (pdbs.Count > 0 ? $" (budgets: {string.Join(", ", pdbs.Select(p => p.Where))})" : "");
            foreach (var p in forGenerators)
            {
                var spec = p.Root.Map("spec");
                if (p.Root.Str("apiVersion") != "policy/v1")
                    yield return $"{p.Where}: apiVersion {p.Root.Str("apiVersion")}; use policy/v1 (policy/v1beta1 is gone since Kubernetes 1.25)";
                if (spec.Str("maxUnavailable") != "1" || spec.Has("minAvailable"))
                    yield return $"{p.Where}: generators need maxUnavailable: 1 and no minAvailable, so a drain evicts one generator at a time " +
                                 $"(found maxUnavailable {spec.Str("maxUnavailable") ?? "unset"}, minAvailable {spec.Str("minAvailable") ?? "unset"})";
                var own = spec.Map("selector").Map("matchLabels").StrMap();
                if (!own.OrderBy(kv => kv.Key).SequenceEqual(selector.OrderBy(kv => kv.Key)))
                    yield return $"{p.Where}: selector {Show(own)} differs from {generator.Doc.Where}'s selector {Show(selector)}";
            }
        }
        if (trainer is not null)
        {
            var replicas = int.TryParse(trainer.Doc.Root.Map("spec").Str("replicas"), out var r) ? r : 1;
            foreach (var p in pdbs.Where(p => Selects(p, trainer)))
            {
                var spec = p.Root.Map("spec");
                var maxUnavailable = spec.Str("maxUnavailable");
                var minAvailable = spec.Str("minAvailable");
                var blocks = maxUnavailable is "0" or "0%" ||
                             (int.TryParse(minAvailable, out var min) && min >= replicas) || minAvailable == "100%";
                if (blocks)
                    yield return $"{p.Where}: selects the trainer's {replicas} pod(s) with maxUnavailable {maxUnavailable ?? "unset"} / minAvailable {minAvailable ?? "unset"}: " +
                                 "every eviction is refused and a node drain waits forever";
            }
        }
    }

    private static bool Selects(ManifestDoc pdb, Workload w)
    {
        var selector = pdb.Root.Map("spec").Map("selector").Map("matchLabels").StrMap();
        return selector.Count > 0 && selector.All(kv => w.PodLabels.GetValueOrDefault(kv.Key) == kv.Value);
    }

    private static int Seconds(YamlMappingNode? node, string key, int fallback) =>
        int.TryParse(node.Str(key), out var n) ? n : fallback;

    private static string Show(IReadOnlyDictionary<string, string> labels) =>
        "{" + string.Join(", ", labels.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value}")) + "}";
}
