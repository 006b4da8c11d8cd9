using OssBackup.Engine.Source;

namespace OssBackup.Engine.Tests.Source;

public sealed class CredentialResolverTests
{
    [Fact]
    public void Explicit_credentials_win_over_a_profile_name()
    {
        var given = new S3Credentials("AKIDEXPLICIT", "explicit-secret");

        Assert.Same(given, CredentialResolver.Resolve(given, "some-profile-that-does-not-exist", "plan 'p'"));
    }

    [Fact]
    public void A_profile_that_does_not_exist_is_reported_by_name_and_purpose()
    {
        var profile = $"ossbackup-test-missing-{Guid.NewGuid():N}";

        var error = Assert.Throws<CredentialsNotFoundException>(() => CredentialResolver.Resolve(null, profile, "plan 'nightly'"));

        Assert.Contains(profile, error.Message, StringComparison.Ordinal);
        Assert.Contains("plan 'nightly'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Credentials_never_show_their_secret_as_text()
    {
        var credentials = new S3Credentials("AKIDVISIBLE", "very-secret-value");

        Assert.DoesNotContain("very-secret-value", credentials.ToString(), StringComparison.Ordinal);
        Assert.Contains("AKIDVISIBLE", credentials.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("very-secret-value", new S3Connection("http://h", "r", true, credentials).ToString(), StringComparison.Ordinal);
    }
}
