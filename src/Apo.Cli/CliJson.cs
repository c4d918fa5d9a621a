using System.Text.Encodings.Web;
using System.Text.Json;

namespace Apo.Cli;

/// <summary>JSON as the CLI prints it: one compact line, quotes and non-ASCII text left readable.</summary>
static class CliJson
{
    public static readonly JsonSerializerOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Report files (summary.json, bench.json): indented, and a non-finite number (a baseline's absent
    /// V̂*, a diverged KL) written as "NaN" rather than failing the whole report.
    /// </summary>
    public static readonly JsonSerializerOptions Report = new()
    {
        WriteIndented = true,
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };
}
