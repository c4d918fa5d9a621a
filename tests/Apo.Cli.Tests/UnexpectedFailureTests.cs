namespace Apo.Cli.Tests;

/// <summary>
/// The other half of the error contract: a failure that is not bad input (here the environment refusing a write: /sys
/// takes no new directories, not even from root) exits 1 with its reason on the first line, never 2 and never a runtime crash.
/// </summary>
public class UnexpectedFailureTests
{
    [Fact]
    public void AFailureThatIsNotBadInputExitsOneWithItsReasonFirst()
    {
        var result = ApoProcess.Run("synthetic", "--preset", "tiny", "--out", "/sys/apo-unexpected-failure-test");
        Assert.True(result.ExitCode == 1, $"exit code {result.ExitCode}; stderr:\n{result.StdErr}");
        string first = result.StdErr.Split('\n')[0];
        Assert.StartsWith("apo: failed: ", first);
        Assert.Contains("/sys/apo-unexpected-failure-test", first);
        Assert.DoesNotContain("apo: error: ", result.StdErr); // "error" is kept for bad input
        Assert.False(Directory.Exists("/sys/apo-unexpected-failure-test"));
    }
}
