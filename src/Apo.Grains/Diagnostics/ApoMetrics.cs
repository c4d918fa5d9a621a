using System.Diagnostics.Metrics;

namespace Apo.Grains.Diagnostics;

/// <summary>
/// The pipeline's own instruments (System.Diagnostics.Metrics, meter <see cref="MeterName"/>), beside Orleans' built-in
/// <c>Microsoft.Orleans</c> meter. Exporting them (Prometheus, OTLP) is the host's business: these only count.
/// Rates (prompts/s, rollouts/s, tokens/s) are what a scraper derives from the counters.
/// </summary>
public static class ApoMetrics
{
    /// <summary>The meter's name, to subscribe to (<c>AddMeter("Apo")</c>).</summary>
    public const string MeterName = "Apo";

    static readonly Meter Meter = new(MeterName);

    /// <summary>Stage-1 prompts a generator sampled and recorded (V̂* now known).</summary>
    public static readonly Counter<long> StageOnePrompts = Meter.CreateCounter<long>("apo.stage1.prompts", "{prompt}",
        "Stage-1 prompts whose reference samples and V̂* a generator recorded");

    /// <summary>Stage-2 rollouts the trainer received.</summary>
    public static readonly Counter<long> Rollouts = Meter.CreateCounter<long>("apo.stage2.rollouts", "{rollout}",
        "Stage-2 rollouts the trainer received from the generators");

    /// <summary>Response tokens sampled by this silo's generator, stage 1 and stage 2.</summary>
    public static readonly Counter<long> GeneratedTokens = Meter.CreateCounter<long>("apo.generated.tokens", "{token}",
        "Response tokens sampled by this silo's generator");

    /// <summary>Responses whose verifier failed (timed out, crashed, refused the input): scored 0.</summary>
    public static readonly Counter<long> VerifierFailures = Meter.CreateCounter<long>("apo.verifier.failures", "{response}",
        "Responses whose verifier failed and were scored 0");

    /// <summary>Wall time of one trainer step: collecting rollouts, the update, publishing the weights.</summary>
    public static readonly Histogram<double> StepSeconds = Meter.CreateHistogram<double>("apo.trainer.step.duration", "s",
        "Wall time of one stage-2 step");

    /// <summary>Versions between the trainer's newest weights and the weights that sampled a step's rollouts (0 when synchronous).</summary>
    public static readonly Histogram<long> WeightVersionLag = Meter.CreateHistogram<long>("apo.trainer.weight_version_lag", "{version}",
        "Weight versions between the trainer's newest policy and the policy that sampled the step's rollouts");

    /// <summary>Units of work (stage-1 units, stage-2 chunks) waiting for or running on a generator.</summary>
    public static readonly UpDownCounter<long> PendingWork = Meter.CreateUpDownCounter<long>("apo.dispatch.pending", "{unit}",
        "Units of work of the generator pool not finished yet (queue depth)");
}
