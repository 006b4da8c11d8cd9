namespace OssBackup.Engine.Tests.Support;

/// <summary>
/// Points OSSBACKUP_HOME (process-wide: catalog default and scratch folders) at a temp folder once for
/// the tests that run the engine end to end, and puts the previous value back afterwards.
/// </summary>
public sealed class TestHome : IDisposable
{
    private const string Variable = "OSSBACKUP_HOME";
    private readonly string? _previous = Environment.GetEnvironmentVariable(Variable);
    private readonly TempFolder _folder = new("home");

    public TestHome()
    {
        Environment.SetEnvironmentVariable(Variable, _folder.Path);
    }

    public string Path => _folder.Path;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(Variable, _previous);
        _folder.Dispose();
    }
}
