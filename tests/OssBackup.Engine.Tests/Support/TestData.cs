using System.Security.Cryptography;
using System.Text;

namespace OssBackup.Engine.Tests.Support;

/// <summary>Deterministic test content and the hashes used to compare it.</summary>
public static class TestData
{
    public static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Text that zstd shrinks a lot: numbered lines of a few repeated words.</summary>
    public static byte[] CompressibleText(int length, int seed = 0)
    {
        var text = new StringBuilder(length + 64);
        for (var line = seed; text.Length < length; line++)
        {
            text.Append("line ").Append(line).Append(": the quick brown fox jumps over the lazy dog\n");
        }
        return Encoding.UTF8.GetBytes(text.ToString(0, length));
    }

    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes));

    public static async Task<string> Sha256Async(Stream stream) => Convert.ToHexString(await SHA256.HashDataAsync(stream));
}
