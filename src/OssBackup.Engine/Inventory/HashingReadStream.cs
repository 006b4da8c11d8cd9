using System.Security.Cryptography;

namespace OssBackup.Engine.Inventory;

/// <summary>Passes reads through while counting the bytes and hashing them with MD5; owns the inner stream.</summary>
internal sealed class HashingReadStream(Stream inner, Action<int>? onRead = null) : Stream
{
    private readonly IncrementalHash _md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);

    /// <summary>Bytes read so far.</summary>
    public long Count { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Count; set => throw new NotSupportedException(); }

    /// <summary>The MD5 of the bytes read so far.</summary>
    public byte[] Md5() => _md5.GetCurrentHash();

    /// <summary>Reads (and hashes) whatever the consumer above left unread, up to the end of the inner stream.</summary>
    public async Task DrainAsync(CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 16];
        while (await ReadAsync(buffer, cancellationToken) > 0)
        {
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        Consumed(buffer[..n]);
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await inner.ReadAsync(buffer, cancellationToken);
        Consumed(buffer.Span[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            _md5.Dispose();
        }
        base.Dispose(disposing);
    }

    private void Consumed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > 0)
        {
            _md5.AppendData(bytes);
            Count += bytes.Length;
            onRead?.Invoke(bytes.Length);
        }
    }
}
