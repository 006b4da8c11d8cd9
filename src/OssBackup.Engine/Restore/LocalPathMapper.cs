using System.Text;

namespace OssBackup.Engine.Restore;

/// <summary>
/// Maps object keys to paths under a restore folder, refusing every key that could escape it or that a
/// file system would silently alter. Rules (docs/architecture.md, "Restoring to a folder"):
/// '/' separates folders; a key whose segments include '', '.' or '..' (also written with fullwidth or
/// other dot look-alikes), a backslash, a drive letter, NUL or another control character, or a segment
/// longer than 255 UTF-8 bytes is unsafe and reported with its own code, never written.
/// </summary>
public sealed class LocalPathMapper
{
    private const int MaxSegmentBytes = 255;
    private const int MaxPathBytes = 4000;
    private readonly string _root;

    public LocalPathMapper(string root)
    {
        _root = Path.GetFullPath(root);
    }

    public string Root => _root;

    /// <summary>The full path for a key; a key ending in '/' maps to a folder.</summary>
    /// <exception cref="UnsafeKeyException">The key cannot be written safely.</exception>
    public string Map(string key)
    {
        if (key.Length == 0)
        {
            throw new UnsafeKeyException(key, "EmptyKey", "the key is empty");
        }
        var isFolder = key.EndsWith('/');
        var segments = (isFolder ? key[..^1] : key).Split('/');
        if (segments.Length == 1 && segments[0].Length == 0 && isFolder)
        {
            throw new UnsafeKeyException(key, "EmptySegment", "the key is only '/'");
        }
        foreach (var segment in segments)
        {
            CheckSegment(key, segment);
        }
        if (segments[0].Length >= 2 && char.IsAsciiLetter(segments[0][0]) && segments[0][1] == ':')
        {
            throw new UnsafeKeyException(key, "DriveLetter", $"'{segments[0]}' would name a drive on Windows");
        }
        var path = Path.Combine([_root, .. segments]);
        if (Encoding.UTF8.GetByteCount(path) > MaxPathBytes)
        {
            throw new UnsafeKeyException(key, "PathTooLong", $"the path would be longer than {MaxPathBytes} bytes");
        }
        // Defence in depth: whatever the rules above missed, nothing may land outside the root.
        var full = Path.GetFullPath(path);
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new UnsafeKeyException(key, "OutsideTarget", "the path would be outside the restore folder");
        }
        return full;
    }

    private static void CheckSegment(string key, string segment)
    {
        if (segment.Length == 0)
        {
            throw new UnsafeKeyException(key, "EmptySegment", "it has an empty path segment (a leading '/' or '//')");
        }
        if (IsDotSegment(segment))
        {
            throw new UnsafeKeyException(key, "DotSegment", $"the segment '{segment}' means this or the parent folder");
        }
        foreach (var c in segment)
        {
            if (c == '\\')
            {
                throw new UnsafeKeyException(key, "Backslash", "it contains a backslash, a folder separator on Windows");
            }
            if (char.IsControl(c))
            {
                throw new UnsafeKeyException(key, "ControlCharacter", $"it contains the control character U+{(int)c:X4}");
            }
        }
        if (Encoding.UTF8.GetByteCount(segment) > MaxSegmentBytes)
        {
            throw new UnsafeKeyException(key, "NameTooLong", $"a segment is longer than {MaxSegmentBytes} bytes");
        }
    }

    /// <summary>'.', '..' and their look-alikes (fullwidth full stop, one-dot leader...), which some systems fold to dots.</summary>
    private static bool IsDotSegment(string segment) =>
        segment.Length <= 2 && segment.All(c => c is '.' or '\uFF0E' or '\u2024' or '\uFE52' or '\u3002' or '\uFF61');
}

public sealed class UnsafeKeyException(string key, string code, string reason)
    : Exception($"Key '{Printable(key)}' cannot be restored to a folder: {reason}.")
{
    public string Key { get; } = key;
    public string Code { get; } = code;

    private static string Printable(string key) =>
        string.Concat(key.Select(c => char.IsControl(c) ? $"\\u{(int)c:X4}" : c.ToString()));
}
