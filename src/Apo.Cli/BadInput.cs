namespace Apo.Cli;

/// <summary>
/// The project-wide convention: libraries report bad user input by throwing
/// <see cref="InvalidDataException"/>, <see cref="FileNotFoundException"/> or
/// <see cref="DirectoryNotFoundException"/> with a message that names the file, line, field or tensor.
/// The CLI prints that message alone; anything else is a bug and keeps its stack trace.
/// </summary>
static class BadInput
{
    public static bool Describes(Exception e) => Unwrap(e) is InvalidDataException or FileNotFoundException
        or DirectoryNotFoundException or UsageException;

    public static string Message(Exception e) => Unwrap(e).Message;

    static Exception Unwrap(Exception e) => e is AggregateException { InnerExceptions.Count: 1 } a ? Unwrap(a.InnerExceptions[0]) : e;
}

/// <summary>A command-line usage error the parser cannot see (e.g. two options that exclude each other).</summary>
public sealed class UsageException(string message) : Exception(message);
