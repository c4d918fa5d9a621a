using System.CommandLine;
using Apo.Cli.Commands;

namespace Apo.Cli;

/// <summary>Builds the `apo` command tree and turns bad input into one clear line and exit code 2.</summary>
public static class ApoCommandLine
{
    public const int BadInputExitCode = 2;
    /// <summary>The run started but a phase failed (the reason is printed; rerunning resumes).</summary>
    public const int RunFailedExitCode = 1;
    /// <summary>Anything else went wrong (a bug, a lost device, a full disk): the reason and the stack trace are printed.</summary>
    public const int UnexpectedFailureExitCode = 1;

    public static RootCommand Build()
    {
        var root = new RootCommand("apo: A*-PO reinforcement-learning post-training for language models.");
        foreach (var command in AllCommands()) root.Subcommands.Add(command);
        return root;
    }

    static IEnumerable<Command> AllCommands()
    {
        yield return DoctorCommand.Create();
        yield return InitModelCommand.Create();
        yield return GenerateCommand.Create();
        yield return LogProbCommand.Create();
        yield return TokenizeCommand.Create();
        yield return SyntheticCommand.Create();
        yield return ScoreCommand.Create();
        yield return EvalCommand.Create();
        yield return RunCommand.Create();
        yield return StageOneCommand.Create();
        yield return TrainCommand.Create();
        yield return BenchTrainCommand.Create();
        yield return BenchCommand.Create();
        yield return AblateCommand.Create();
        yield return BenchModelCommand.Create();
        yield return BenchRolloutCommand.Create();
        yield return SiloCommand.Create();
        yield return StatusCommand.Create();
        yield return CertsCommand.Create();
    }

    public static int Run(string[] args)
    {
        var parse = Build().Parse(args);
        try
        {
            return parse.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (BadInput.Describes(e))
        {
            Console.Error.WriteLine($"apo: error: {BadInput.Message(e)}");
            return BadInputExitCode;
        }
        catch (Runs.RunFailedException e)
        {
            Console.Error.WriteLine($"apo: error: {e.Message}");
            return RunFailedExitCode;
        }
        catch (Exception e)
        {
            // Not bad input: a bug or an environment failure. Exit 1 with the reason on the first line, and keep the
            // stack trace below it for the report (the runtime's own crash would exit 134 with a less readable dump).
            Console.Error.WriteLine($"apo: failed: {e.GetType().Name}: {e.Message.Split('\n')[0]}");
            Console.Error.WriteLine(e);
            return UnexpectedFailureExitCode;
        }
    }
}
