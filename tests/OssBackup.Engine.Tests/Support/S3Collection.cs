namespace OssBackup.Engine.Tests.Support;

/// <summary>
/// Every test that needs the S3 server belongs to this collection: one server per test run, shared by
/// the classes in turn, and OSSBACKUP_HOME pointed at a temp folder while they run.
/// </summary>
[CollectionDefinition(Name)]
public sealed class S3Collection : ICollectionFixture<S3TestServer>, ICollectionFixture<TestHome>
{
    public const string Name = "S3 server";
}

/// <summary>A fact that needs the S3 server: skipped only when OSSBACKUP_ALLOW_NO_S3=1 and no server is configured.</summary>
public sealed class S3FactAttribute : FactAttribute
{
    public S3FactAttribute()
    {
        Skip = S3TestServer.SkipReason;
    }
}

/// <summary>A theory that needs the S3 server; see <see cref="S3FactAttribute"/>.</summary>
public sealed class S3TheoryAttribute : TheoryAttribute
{
    public S3TheoryAttribute()
    {
        Skip = S3TestServer.SkipReason;
    }
}
