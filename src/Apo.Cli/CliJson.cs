using System.Text.Encodings.Web;
using System.Text.Json;

namespace Apo.Cli;

/// <summary>JSON as the CLI prints it: one compact line, quotes and non-ASCII text left readable.</summary>
static class CliJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}
