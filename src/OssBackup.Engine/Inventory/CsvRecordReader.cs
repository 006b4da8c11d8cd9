using System.Buffers;
using System.Text;

namespace OssBackup.Engine.Inventory;

/// <summary>
/// A streaming RFC 4180 reader over UTF-8 bytes, built for the hot loop of inventory planning: it reads a large
/// block at a time into one reused buffer and exposes each field of the current record as a span of that buffer,
/// so nothing is allocated per field unless the caller asks for a string.
/// <list type="bullet">
/// <item>Quoted and unquoted fields mix freely in one record; inside quotes, <c>""</c> is a quote and commas,
/// CR and LF are data.</item>
/// <item>Records end with LF or CRLF (or the end of the stream). Blank lines are skipped but counted, so
/// <see cref="RecordNumber"/> is the line number whenever no field holds a line break.</item>
/// <item>There is no header row: the caller maps fields by position.</item>
/// </list>
/// Malformed input (text after a closing quote, a quote left open at the end) throws <see cref="CsvFormatException"/>
/// naming the record number.
/// </summary>
public sealed class CsvRecordReader : IDisposable
{
    private const int MaxRecordBytes = 64 << 20;
    private const int QuotedFlag = 1;
    private const int EscapedFlag = 2;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _pos;
    private int _end;
    private bool _eof;
    private int[] _starts = new int[16];
    private int[] _lengths = new int[16];
    private byte[] _flags = new byte[16];
    private int _fieldCount;
    private long _recordNumber;

    /// <param name="stream">UTF-8 CSV (already decompressed); not disposed by this reader.</param>
    /// <param name="bufferSize">Bytes read at a time; the buffer grows when one record is longer.</param>
    public CsvRecordReader(Stream stream, int bufferSize = 1 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 16);
        _stream = stream;
        _buffer = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>The 1-based number of the current record in the stream, blank lines included.</summary>
    public long RecordNumber => _recordNumber;

    /// <summary>The number of fields of the current record.</summary>
    public int FieldCount => _fieldCount;

    /// <summary>Advances to the next non-blank record; false at the end of the stream.</summary>
    public ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            switch (TryParseRecord())
            {
                case ParseResult.Record:
                    return ValueTask.FromResult(true);
                case ParseResult.Blank:
                    continue;
                case ParseResult.End:
                    return ValueTask.FromResult(false);
                default:
                    return ReadSlowAsync(cancellationToken);
            }
        }
    }

    /// <summary>What <see cref="ReadBuffered"/> found in the bytes already read.</summary>
    internal enum BufferedRead
    {
        Record,
        End,
        NeedMore,
    }

    /// <summary>
    /// Advances to the next non-blank record if it is whole in the buffer, without reading the stream: a caller that
    /// parses many short records loops on this and awaits <see cref="FillBufferAsync"/> only on <see cref="BufferedRead.NeedMore"/>.
    /// </summary>
    internal BufferedRead ReadBuffered()
    {
        while (true)
        {
            switch (TryParseRecord())
            {
                case ParseResult.Record:
                    return BufferedRead.Record;
                case ParseResult.Blank:
                    continue;
                case ParseResult.End:
                    return BufferedRead.End;
                default:
                    return BufferedRead.NeedMore;
            }
        }
    }

    /// <summary>Reads more of the stream after <see cref="ReadBuffered"/> said <see cref="BufferedRead.NeedMore"/>.</summary>
    internal ValueTask FillBufferAsync(CancellationToken cancellationToken) => FillAsync(cancellationToken);

    /// <summary>Whether field <paramref name="index"/> was written in quotes.</summary>
    public bool IsQuoted(int index) => (Flags(index) & QuotedFlag) != 0;

    /// <summary>
    /// The bytes of a field without its enclosing quotes and with <c>""</c> turned into <c>"</c> (done in place,
    /// once). Valid until the next <see cref="ReadAsync"/>.
    /// </summary>
    public ReadOnlySpan<byte> GetField(int index)
    {
        if ((Flags(index) & EscapedFlag) != 0)
        {
            Unescape(index);
        }
        return _buffer.AsSpan(_starts[index], _lengths[index]);
    }

    /// <summary>A field decoded as UTF-8 (invalid bytes become U+FFFD).</summary>
    public string GetString(int index) => Encoding.UTF8.GetString(GetField(index));

    public void Dispose()
    {
        var buffer = _buffer;
        _buffer = [];
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte Flags(int index)
    {
        if ((uint)index >= (uint)_fieldCount)
        {
            throw new ArgumentOutOfRangeException(nameof(index), index, $"Record {_recordNumber} has {_fieldCount} fields.");
        }
        return _flags[index];
    }

    private async ValueTask<bool> ReadSlowAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await FillAsync(cancellationToken);
            while (true)
            {
                var result = TryParseRecord();
                if (result == ParseResult.Record)
                {
                    return true;
                }
                if (result == ParseResult.End)
                {
                    return false;
                }
                if (result == ParseResult.NeedMore)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Keeps the unparsed tail, then reads until the buffer is full or the stream ends.</summary>
    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        var pending = _end - _pos;
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buffer, _pos, _buffer, 0, pending);
            _pos = 0;
            _end = pending;
        }
        if (_end == _buffer.Length)
        {
            // One record fills the whole buffer: grow it.
            if (_buffer.Length >= MaxRecordBytes)
            {
                throw new CsvFormatException(_recordNumber + 1, $"the record is longer than {MaxRecordBytes >> 20} MiB: this is not an inventory CSV file");
            }
            var larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
            Buffer.BlockCopy(_buffer, 0, larger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = larger;
        }
        while (_end < _buffer.Length)
        {
            var n = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            if (n == 0)
            {
                _eof = true;
                return;
            }
            _end += n;
        }
    }

    private enum ParseResult
    {
        Record,
        Blank,
        End,
        NeedMore,
    }

    /// <summary>
    /// Parses one record from <c>_buffer[_pos.._end]</c>. When the record is not complete in the buffer and more
    /// data may come, returns <see cref="ParseResult.NeedMore"/> without consuming anything: the caller reads more
    /// and the record is parsed again from its start (the buffer holds at most one partial record).
    /// </summary>
    private ParseResult TryParseRecord()
    {
        var buffer = _buffer;
        var end = _end;
        var p = _pos;
        var fields = 0;
        if (p == end)
        {
            return _eof ? ParseResult.End : ParseResult.NeedMore;
        }
        while (true)
        {
            if (p == end)
            {
                // Only reachable after a comma: the record's last field is empty.
                if (!_eof)
                {
                    return ParseResult.NeedMore;
                }
                AddField(ref fields, p, 0, 0);
                return Complete(p, fields);
            }
            if (buffer[p] == (byte)'"')
            {
                var start = p + 1;
                var q = start;
                byte flags = QuotedFlag;
                while (true)
                {
                    var at = buffer.AsSpan(q, end - q).IndexOf((byte)'"');
                    if (at < 0)
                    {
                        if (_eof)
                        {
                            throw new CsvFormatException(_recordNumber + 1, $"field {fields + 1} opens a quote that is never closed");
                        }
                        return ParseResult.NeedMore;
                    }
                    q += at;
                    if (q + 1 == end && !_eof)
                    {
                        // Cannot tell a closing quote from the first half of "" yet.
                        return ParseResult.NeedMore;
                    }
                    if (q + 1 < end && buffer[q + 1] == (byte)'"')
                    {
                        flags |= EscapedFlag;
                        q += 2;
                        continue;
                    }
                    break;
                }
                AddField(ref fields, start, q - start, flags);
                p = q + 1;
                if (p == end)
                {
                    if (!_eof)
                    {
                        return ParseResult.NeedMore;
                    }
                    return Complete(p, fields);
                }
                var next = buffer[p];
                if (next == (byte)',')
                {
                    p++;
                    continue;
                }
                if (next == (byte)'\n')
                {
                    return Complete(p + 1, fields);
                }
                if (next == (byte)'\r')
                {
                    if (p + 1 == end && !_eof)
                    {
                        return ParseResult.NeedMore;
                    }
                    return Complete(p + 1 < end && buffer[p + 1] == (byte)'\n' ? p + 2 : p + 1, fields);
                }
                throw new CsvFormatException(_recordNumber + 1, $"field {fields} has text after its closing quote");
            }
            else
            {
                var at = buffer.AsSpan(p, end - p).IndexOfAny((byte)',', (byte)'\n');
                if (at < 0)
                {
                    if (!_eof)
                    {
                        return ParseResult.NeedMore;
                    }
                    var length = end - p;
                    if (length > 0 && buffer[end - 1] == (byte)'\r')
                    {
                        length--;
                    }
                    AddField(ref fields, p, length, 0);
                    return Complete(end, fields);
                }
                var stop = p + at;
                if (buffer[stop] == (byte)',')
                {
                    AddField(ref fields, p, at, 0);
                    p = stop + 1;
                    continue;
                }
                var fieldLength = at > 0 && buffer[stop - 1] == (byte)'\r' ? at - 1 : at;
                AddField(ref fields, p, fieldLength, 0);
                return Complete(stop + 1, fields);
            }
        }
    }

    private ParseResult Complete(int next, int fields)
    {
        _pos = next;
        _fieldCount = fields;
        _recordNumber++;
        return fields == 1 && _lengths[0] == 0 && _flags[0] == 0 ? ParseResult.Blank : ParseResult.Record;
    }

    private void AddField(ref int fields, int start, int length, byte flags)
    {
        if (fields == _starts.Length)
        {
            Array.Resize(ref _starts, fields * 2);
            Array.Resize(ref _lengths, fields * 2);
            Array.Resize(ref _flags, fields * 2);
        }
        _starts[fields] = start;
        _lengths[fields] = length;
        _flags[fields] = flags;
        fields++;
    }

    private void Unescape(int index)
    {
        var span = _buffer.AsSpan(_starts[index], _lengths[index]);
        var write = 0;
        for (var read = 0; read < span.Length; read++)
        {
            var b = span[read];
            span[write++] = b;
            if (b == (byte)'"')
            {
                read++; // skip the second quote of the pair
            }
        }
        _lengths[index] = write;
        _flags[index] = QuotedFlag;
    }
}
