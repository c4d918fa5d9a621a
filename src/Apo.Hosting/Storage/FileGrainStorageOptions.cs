using Orleans.Storage;

namespace Apo.Hosting.Storage;

/// <summary>Options of <see cref="FileGrainStorage"/>.</summary>
public sealed class FileGrainStorageOptions : IStorageProviderSerializerOptions
{
    /// <summary>The folder that holds one file per grain state; created on first write.</summary>
    public string RootDirectory { get; set; } = "";

    /// <summary>
    /// Serializer of the state payload. Left null, the Orleans binary serializer is used, which handles
    /// every <c>[GenerateSerializer]</c> type and tolerates added/removed <c>[Id]</c> members.
    /// </summary>
    public IGrainStorageSerializer GrainStorageSerializer { get; set; } = null!;
}
