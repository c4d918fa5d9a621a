using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Apo.Abstractions.Training;

namespace Apo.Grains.Training;

/// <summary>
/// The identity of a stage-2 plan: SHA-256 of its JSON form. Records holding immutable arrays compare
/// those arrays by reference, so two equal plans that travelled through serialization are not
/// <c>Equals</c>; their hashes are. Stored in the grain state and in every checkpoint so a resume
/// never continues a different plan's weights.
/// </summary>
public static class PlanHash
{
    static readonly JsonSerializerOptions Options = new()
    {
        NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Compute(StageTwoPlan plan)
    {
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(plan, Options);
        return "sha256:" + Convert.ToHexString(SHA256.HashData(json)).ToLowerInvariant();
    }
}
