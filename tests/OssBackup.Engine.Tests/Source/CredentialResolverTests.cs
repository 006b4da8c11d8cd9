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

    [Fact]
    public void Temporary_credentials_from_the_environment_keep_their_session_token_and_never_show_it()
    {
        string[] names = ["OSS_ACCESS_KEY_ID", "OSS_ACCESS_KEY_SECRET", "OSS_SESSION_TOKEN"];
        var previous = names.Select(Environment.GetEnvironmentVariable).ToArray();
        try
        {
            Environment.SetEnvironmentVariable(names[0], "STSKEYID");
            Environment.SetEnvironmentVariable(names[1], "sts-secret");
            Environment.SetEnvironmentVariable(names[2], "sts-session-token");

            var credentials = CredentialResolver.Resolve(null, null, "plan 'p'");

            Assert.Equal(new S3Credentials("STSKEYID", "sts-secret", "sts-session-token"), credentials);
            Assert.DoesNotContain("sts-session-token", credentials.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            for (var i = 0; i < names.Length; i++)
            {
                Environment.SetEnvironmentVariable(names[i], previous[i]);
            }
        }
    }
}
