using Orleans.Runtime;

namespace Apo.Hosting.Tests;

/// <summary>
/// The fatal-error handler of the silos these tests start in their own process. A silo the others declare dead
/// (one that never finished joining and was only disposed, or one stopped past its timeout) learns it from the
/// membership table; Orleans' handler then ends the process with Environment.FailFast, which here is the test host,
/// losing every test after it (seen in CI: 55 of 124 reported). This one records the error and leaves the
/// process alone; a test that depends on the silo still fails on its own assertions.
/// </summary>
sealed class StopOnlyTheSilo : IFatalErrorHandler
{
    public bool IsUnexpected(Exception exception) => exception is not OperationCanceledException;

    public void OnFatalException(object? sender = null, string? context = null, Exception? exception = null) =>
        Console.Error.WriteLine($"fatal error in a test silo (the process goes on): {sender} {context} {exception?.Message}");
}
