using System.Diagnostics;

namespace OssBackup.Bench;

/// <summary>One rclone command as run: its arguments (remote name only, no secrets) and wall time.</summary>
public sealed record RcloneRun(string CommandLine, double Seconds);

/// <summary>
/// Runs Debian's rclone against the test S3 server. The remote is configured only through RCLONE_CONFIG_*
/// variables of the child process (nothing on the command line or on disk holds the keys), with an empty
/// config file so a user's own rclone.conf cannot change what is measured.
/// </summary>
public sealed class Rclone
{
    /// <summary>The remote name to use in paths: <c>benchs3:bucket</c>.</summary>
    public const string Remote = "benchs3";

    private readonly Dictionary<string, string> _environment;
    private readonly string _executable;

    public Rclone(string executable, string endpoint, string accessKey, string secretKey, string region, string emptyConfigFile)
    {
        _executable = executable;
        File.WriteAllText(emptyConfigFile, "");
        var prefix = $"RCLONE_CONFIG_{Remote.ToUpperInvariant()}_";
        _environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["RCLONE_CONFIG"] = emptyConfigFile,
            [prefix + "TYPE"] = "s3",
            [prefix + "PROVIDER"] = "Ceph",
            [prefix + "ENDPOINT"] = endpoint,
            [prefix + "REGION"] = region,
            [prefix + "ACCESS_KEY_ID"] = accessKey,
            [prefix + "SECRET_ACCESS_KEY"] = secretKey,
            [prefix + "FORCE_PATH_STYLE"] = "true",
        };
    }

    /// <summary>`rclone version`'s first line.</summary>
    public string Version()
    {
        var (code, output, _) = Start(["version"]);
        return code == 0 ? output.Split('\n')[0].Trim() : "unknown";
    }

    /// <summary>Runs rclone with <paramref name="arguments"/>, timed; throws with its error output when it fails.</summary>
    public RcloneRun Run(IReadOnlyList<string> arguments)
    {
        var clock = Stopwatch.StartNew();
        var (code, _, errors) = Start(arguments);
        var seconds = clock.Elapsed.TotalSeconds;
        var commandLine = "rclone " + string.Join(' ', arguments);
        if (code != 0)
        {
            throw new InvalidOperationException($"'{commandLine}' exited with {code}: {Tail(errors)}");
        }
        return new RcloneRun(commandLine, seconds);
    }

    private (int Code, string Output, string Errors) Start(IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(_executable) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        foreach (var (name, value) in _environment)
        {
            info.Environment[name] = value;
        }
        // A CA bundle meant for HTTPS elsewhere makes rclone fail against the plain-http test endpoint.
        info.Environment.Remove("AWS_CA_BUNDLE");
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {_executable}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.GetAwaiter().GetResult(), errors.GetAwaiter().GetResult());
    }

    private static string Tail(string text) => text.Length <= 2000 ? text.Trim() : "..." + text[^2000..].Trim();
}
