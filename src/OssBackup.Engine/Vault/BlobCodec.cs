using ZstdSharp;

namespace OssBackup.Engine.Vault;

/// <summary>
/// Compresses blobs with zstd and keeps the plaintext when compression does not pay (already compressed
/// media, archives). One instance per thread: the zstd contexts are reused, not shared.
/// </summary>
public sealed class BlobCodec : IDisposable
{
    /// <summary>Below this saving the blob is stored as is; decompressing costs more than it saves.</summary>
    private const double MinimumSaving = 0.03;

    private readonly Compressor _compressor;
    private readonly Decompressor _decompressor = new();

    public BlobCodec(int level)
    {
        _compressor = new Compressor(level);
    }

    /// <summary>Encodes <paramref name="plaintext"/> into <paramref name="output"/> (sized with <see cref="MaxEncodedLength"/>).</summary>
    public (int Length, BlobCompression Compression) Encode(ReadOnlySpan<byte> plaintext, Span<byte> output, bool tryCompress)
    {
        var compressed = TryCompress(plaintext, output, tryCompress);
        if (compressed >= 0)
        {
            return (compressed, BlobCompression.Zstd);
        }
        plaintext.CopyTo(output);
        return (plaintext.Length, BlobCompression.None);
    }

    /// <summary>
    /// Compresses <paramref name="plaintext"/> into <paramref name="output"/> when that pays and returns the
    /// compressed length; -1 when the blob is to be stored as it is (then the caller stores the plaintext
    /// itself, without copying it). <paramref name="output"/> is sized with <see cref="MaxEncodedLength"/>.
    /// </summary>
    public int TryCompress(ReadOnlySpan<byte> plaintext, Span<byte> output, bool tryCompress)
    {
        // A large chunk of media or archive data costs a full compression attempt for nothing: try a sample first.
        if (tryCompress && plaintext.Length > 4 * SampleSize && !SampleCompresses(plaintext[..SampleSize], output))
        {
            return -1;
        }
        if (tryCompress && plaintext.Length >= 64)
        {
            var written = _compressor.Wrap(plaintext, output);
            if (written < plaintext.Length * (1 - MinimumSaving))
            {
                return written;
            }
        }
        return -1;
    }

    private const int SampleSize = 64 << 10;

    private bool SampleCompresses(ReadOnlySpan<byte> sample, Span<byte> scratch) =>
        _compressor.Wrap(sample, scratch) < sample.Length * (1 - MinimumSaving);

    public static int MaxEncodedLength(int plaintextLength) => Math.Max(Compressor.GetCompressBound(plaintextLength), plaintextLength);

    public void Decode(ReadOnlySpan<byte> stored, BlobCompression compression, Span<byte> plaintext)
    {
        switch (compression)
        {
            case BlobCompression.None:
                if (stored.Length != plaintext.Length)
                {
                    throw new InvalidDataException("Stored blob length does not match its recorded length.");
                }
                stored.CopyTo(plaintext);
                break;
            case BlobCompression.Zstd:
                int written;
                try
                {
                    written = _decompressor.Unwrap(stored, plaintext);
                }
                catch (ZstdException e)
                {
                    throw new InvalidDataException($"Compressed blob data is damaged: {e.Message}", e);
                }
                if (written != plaintext.Length)
                {
                    throw new InvalidDataException("Decompressed blob length does not match its recorded length.");
                }
                break;
            default:
                throw new InvalidDataException($"Unknown blob compression {(byte)compression}.");
        }
    }

    public void Dispose()
    {
        _compressor.Dispose();
        _decompressor.Dispose();
    }
}
