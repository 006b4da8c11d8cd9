using System.Diagnostics;
using System.Security.Cryptography;
using ZstdSharp;

namespace OssBackup.Bench;

/// <summary>Single-thread throughput of one per-byte operation the engine does, in MB/s (10^6 bytes).</summary>
public sealed record PrimitiveSpeed(string Operation, string Input, double MBPerSecond);

/// <summary>
/// Measures, on one thread, the CPU cost of what the engine does to every byte it backs up: SHA-256 per
/// chunk (BlobId), MD5 per object (ETag check), zstd level 3 (BlobCodec, via ZstdSharp), so a backup's
/// CPU budget can be compared with the cores the machine has.
/// </summary>
public static class Primitives
{
    public static IReadOnlyList<PrimitiveSpeed> Measure(double secondsEach = 1.0)
    {
        var random = new byte[8 << 20];
        new Random(1).NextBytes(random);
        var text = BenchS3.SmallContent(1, 2048, 2048, 1);
        var output = new byte[Compressor.GetCompressBound(random.Length)];
        var hash = new byte[32];
        using var compressor = new Compressor(3);
        var results = new List<PrimitiveSpeed>
        {
            Time("SHA-256", "8 MiB random", random.Length, secondsEach, () => SHA256.HashData(random, hash)),
            Time("MD5", "8 MiB random", random.Length, secondsEach, () => MD5.HashData(random, hash)),
            Time("zstd-3 compress (ZstdSharp)", "8 MiB random", random.Length, secondsEach, () => compressor.Wrap(random, output)),
            Time("copy (memcpy)", "8 MiB random", random.Length, secondsEach, () => random.AsSpan().CopyTo(output)),
            Time("SHA-256", "2 KiB text", text.Length, secondsEach, () => SHA256.HashData(text, hash)),
            Time("MD5", "2 KiB text", text.Length, secondsEach, () => MD5.HashData(text, hash)),
            Time("zstd-3 compress (ZstdSharp)", "2 KiB text", text.Length, secondsEach, () => compressor.Wrap(text, output)),
        };
        return results;
    }

    private static PrimitiveSpeed Time(string operation, string input, int size, double seconds, Action action)
    {
        // Untimed first: ZstdSharp is managed code and runs unoptimised (tier-0) code until the JIT tiers it up.
        var warmup = Stopwatch.StartNew();
        while (warmup.Elapsed.TotalSeconds < Math.Min(0.5, seconds))
        {
            action();
        }
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            action();
            bytes += size;
        }
        return new PrimitiveSpeed(operation, input, bytes / 1e6 / clock.Elapsed.TotalSeconds);
    }
}
