using Microsoft.Win32.SafeHandles;

namespace OssBackup.Engine.Util;

internal static class FileReads
{
    /// <summary>Reads at <paramref name="offset"/> until <paramref name="destination"/> is full or the file ends; returns the bytes read.</summary>
    public static int ReadFully(SafeFileHandle file, Span<byte> destination, long offset)
    {
        var done = 0;
        while (done < destination.Length)
        {
            var n = RandomAccess.Read(file, destination[done..], offset + done);
            if (n == 0)
            {
                break;
            }
            done += n;
        }
        return done;
    }
}
