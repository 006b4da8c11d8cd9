using System.Buffers;
using System.Text;

namespace OssBackup.Engine.Util;

/// <summary>Appends LEB128 varints and length-prefixed strings to a growable buffer.</summary>
internal sealed class BinaryWriterBuffer
{
    private readonly ArrayBufferWriter<byte> _buffer;

    public BinaryWriterBuffer(int initialCapacity = 1 << 16)
    {
        _buffer = new ArrayBufferWriter<byte>(initialCapacity);
    }

    public int Length => _buffer.WrittenCount;
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.WrittenMemory;

    public void Clear() => _buffer.ResetWrittenCount();

    public void WriteBytes(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    public void WriteByte(byte value)
    {
        _buffer.GetSpan(1)[0] = value;
        _buffer.Advance(1);
    }

    public void WriteUVarint(ulong value) => _buffer.Advance(WriteUVarint(_buffer.GetSpan(10), value));

    public void WriteVarint(long value) => WriteUVarint((ulong)((value << 1) ^ (value >> 63)));

    /// <summary>Room for at least <paramref name="length"/> bytes at the end, for a writer that fills it and then calls <see cref="Advance"/>.</summary>
    public Span<byte> GetSpan(int length) => _buffer.GetSpan(length);

    public void Advance(int count) => _buffer.Advance(count);

    /// <summary>Bytes <see cref="WriteUVarint"/> takes for <paramref name="value"/>.</summary>
    public static int UVarintLength(ulong value) => Math.Max(1, (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 6) / 7);

    /// <summary>Writes <paramref name="value"/> as <see cref="WriteUVarint"/> does at the start of <paramref name="span"/>; returns the bytes written.</summary>
    public static int WriteUVarint(Span<byte> span, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[i++] = (byte)value;
        return i;
    }

    public void WriteString(string value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteUVarint((ulong)count);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(count));
        _buffer.Advance(count);
    }
}

/// <summary>Reads what <see cref="BinaryWriterBuffer"/> wrote, failing loudly on truncated input.</summary>
internal ref struct BinarySpanReader(ReadOnlySpan<byte> data)
{
    private readonly ReadOnlySpan<byte> _data = data;
    private int _position;

    public readonly bool AtEnd => _position >= _data.Length;

    /// <summary>Bytes read so far.</summary>
    public readonly int Position => _position;

    public ReadOnlySpan<byte> ReadBytes(int count)
    {
        if (count < 0 || _position + count > _data.Length)
        {
            throw new InvalidDataException("Truncated record in vault data.");
        }
        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }

    public byte ReadByte() => ReadBytes(1)[0];

    public ulong ReadUVarint()
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = ReadByte();
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }
        throw new InvalidDataException("Malformed varint in vault data.");
    }

    public long ReadVarint()
    {
        var raw = ReadUVarint();
        return (long)(raw >> 1) ^ -(long)(raw & 1);
    }

    public string ReadString() => Encoding.UTF8.GetString(ReadBytes(checked((int)ReadUVarint())));
}
