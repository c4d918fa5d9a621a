using System.IO;

namespace Apo.Tasks.Verifiers;

/// <summary>
/// Creates the verifier for a task name. (Named VerifierFactory rather than "Verifiers" because a
/// class named like its namespace would be shadowed by the namespace inside Apo.Tasks.*.)
/// </summary>
public static class VerifierFactory
{
    /// <summary>The task names <see cref="ForTask"/> accepts (case-insensitive).</summary>
    public static IReadOnlyList<string> TaskNames { get; } = ["gsm8k", "gsm8k-flexible", "math"];

    /// <summary>
    /// The guarded verifier for <paramref name="task"/>: "gsm8k" (strict "####"), "gsm8k-flexible"
    /// (last number) or "math" (last \boxed{}). Results are counted in <paramref name="stats"/>
    /// (a new one when null, reachable through <see cref="GuardedVerifier.Stats"/>).
    /// </summary>
    /// <exception cref="InvalidDataException">Unknown task name; the message lists the known ones.</exception>
    public static GuardedVerifier ForTask(string task, VerifierStats? stats = null, VerifierLimits? limits = null) =>
        new(CreateUnguarded(task), limits, stats);

    /// <summary>The bare verifier for <paramref name="task"/>, without caps, budget or counters.</summary>
    /// <exception cref="InvalidDataException">Unknown task name.</exception>
    public static IVerifier CreateUnguarded(string task) => task?.Trim().ToLowerInvariant() switch
    {
        "gsm8k" => new Gsm8kVerifier(flexible: false),
        "gsm8k-flexible" => new Gsm8kVerifier(flexible: true),
        "math" => new MathVerifier(),
        _ => throw new InvalidDataException(
            $"unknown verifier task \"{task}\"; known tasks: {string.Join(", ", TaskNames)}"),
    };
}
