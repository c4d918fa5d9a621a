using Apo.Common.IO;

namespace Apo.Common.Tests.IO;

/// <summary>
/// JsonLines' contract: every non-blank line is one JSON object, or the error names the file and the
/// 1-based line; blank lines are skipped but still counted, so numbers match what an editor shows.
/// </summary>
public class JsonLinesTests
{
    [Fact]
    public void BlankLinesAreSkippedButCountedAndATrailingNewlineAddsNoRecord()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("in.jsonl", "{\"a\": 1}\n\n   \n\t\n{\"a\": 2}\n");
        var lines = JsonLines.ReadAll(path);
        Assert.Equal([1, 5], lines.Select(l => l.Line));
        Assert.Equal([1, 2], lines.Select(l => (int)l.Row["a"]!));
        Assert.All(lines, l => Assert.Equal(path, l.File));
        Assert.Equal($"{path} line 5", lines[1].Where);
    }

    [Fact]
    public void WindowsLineEndingsAndAMissingFinalNewlineReadTheSame()
    {
        using var dir = new TempDirectory();
        var unix = JsonLines.ReadAll(dir.Write("unix.jsonl", "{\"a\": 1}\n{\"a\": 2}\n"));
        var windows = JsonLines.ReadAll(dir.Write("windows.jsonl", "{\"a\": 1}\r\n{\"a\": 2}"));
        Assert.Equal(unix.Select(l => (l.Line, l.Row.ToJsonString())), windows.Select(l => (l.Line, l.Row.ToJsonString())));
    }

    [Fact]
    public void ADuplicateKeyIsBadInputNamingTheLine()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("in.jsonl", "{\"a\": 1}\n{\"a\": 1, \"a\": 2}\n");
        var error = Assert.Throws<InvalidDataException>(() => JsonLines.ReadAll(path));
        Assert.StartsWith($"{path} line 2: ", error.Message);
        Assert.Contains("a key appears twice", error.Message);
    }

    [Fact]
    public void AnEmptyOrBlankFileIsNoRecordsNotAnError()
    {
        using var dir = new TempDirectory();
        Assert.Empty(JsonLines.ReadAll(dir.Write("empty.jsonl", "")));
        Assert.Empty(JsonLines.ReadAll(dir.Write("blank.jsonl", "\n  \n")));
    }

    [Fact]
    public void AMalformedLineNamesTheFileAndLine()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("in.jsonl", "{\"a\": 1}\n\n{\"a\": \n{\"a\": 3}\n");
        var e = Assert.Throws<InvalidDataException>(() => JsonLines.ReadAll(path));
        Assert.StartsWith($"{path} line 3: not valid JSON (", e.Message);
    }

    [Theory]
    [InlineData("[1, 2]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    [InlineData("null")]
    public void ALineThatIsValidJsonButNotAnObjectIsRejected(string line)
    {
        using var dir = new TempDirectory();
        string path = dir.Write("in.jsonl", "{\"a\": 1}\n" + line + "\n");
        var e = Assert.Throws<InvalidDataException>(() => JsonLines.ReadAll(path));
        Assert.Equal($"{path} line 2: expected a JSON object", e.Message);
    }

    [Fact]
    public void AMissingFileIsAFileNotFoundErrorNamingIt()
    {
        using var dir = new TempDirectory();
        string path = dir.File("absent.jsonl");
        var e = Assert.Throws<FileNotFoundException>(() => JsonLines.ReadAll(path));
        Assert.Equal($"{path}: file not found", e.Message);
    }

    [Fact]
    public void TypedFieldsNameTheLineAndFieldWhenMissingOrOfTheWrongType()
    {
        using var dir = new TempDirectory();
        string path = dir.Write("in.jsonl", "\n{\"s\": \"x\", \"n\": 5, \"ids\": [1, 2, 3], \"bad\": [1, \"two\"]}\n");
        var line = Assert.Single(JsonLines.ReadAll(path));

        Assert.Equal("x", line.RequiredString("s"));
        Assert.Equal([1, 2, 3], line.RequiredIntArray("ids"));
        Assert.Equal($"{path} line 2: field \"t\" is missing", Assert.Throws<InvalidDataException>(() => line.RequiredString("t")).Message);
        Assert.Equal($"{path} line 2: field \"n\" is not a string", Assert.Throws<InvalidDataException>(() => line.RequiredString("n")).Message);
        Assert.Equal($"{path} line 2: field \"s\" is not an array of integers", Assert.Throws<InvalidDataException>(() => line.RequiredIntArray("s")).Message);
        Assert.Equal($"{path} line 2: field \"t\" is missing", Assert.Throws<InvalidDataException>(() => line.RequiredIntArray("t")).Message);
        Assert.Equal($"{path} line 2: field \"bad\"[1] is not an integer", Assert.Throws<InvalidDataException>(() => line.RequiredIntArray("bad")).Message);
    }
}
