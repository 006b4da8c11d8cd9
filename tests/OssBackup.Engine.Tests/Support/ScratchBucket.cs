namespace OssBackup.Engine.Tests.Support;

/// <summary>A class fixture: one empty bucket of the test class's own on the shared S3 server.</summary>
public sealed class ScratchBucket(S3TestServer server) : IAsyncLifetime
{
    public string Name { get; private set; } = "";

    public async Task InitializeAsync()
    {
        if (server.IsAvailable)
        {
            Name = await server.CreateBucketAsync("scratch");
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;
}
