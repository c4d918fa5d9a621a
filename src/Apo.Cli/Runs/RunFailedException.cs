namespace Apo.Cli.Runs;

/// <summary>
/// A run's grains reported a failed phase. Its message is the grain's; the stack trace was logged where
/// the failure happened, so the CLI prints the message alone and exits with 1 (rerunning resumes).
/// </summary>
public sealed class RunFailedException(string message) : Exception(message);
