namespace Apo.Grains.Tests.Training;

/// <summary>Trainer tests share one tiny reference model (each test starts its own clusters).</summary>
[CollectionDefinition(Name)]
public sealed class TrainerCollection : ICollectionFixture<TrainerWorld>
{
    public const string Name = "trainer";
}
