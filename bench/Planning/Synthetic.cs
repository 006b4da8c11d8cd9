using System.Globalization;
using System.Text;

namespace OssBackup.PlanningBench;

/// <summary>What happened to one object between the previous point and the current inventory.</summary>
internal enum Fate : byte
{
    Same,
    Changed,
    Deleted,
    New,
}

/// <summary>One object's description at one time: what the listing or the inventory says of it.</summary>
internal readonly record struct Version(long Size, string ETag, DateTimeOffset Modified);

/// <summary>
/// A deterministic bucket of objects, addressed by a universe index i in [0, Universe): every property of
/// object i is a hash of (seed, i), so the previous point, the inventory and the truth can be produced in
/// separate streaming passes without holding anything in memory. Keys are strictly increasing in i in
/// KeyOrder (and in ordinal order): each key is a family prefix (families are in byte order), fields that
/// are non-decreasing in i, then i itself as 10 fixed-width digits.
/// Fates are drawn per object: 1% changed, 0.5% deleted (in the previous point only), 0.5% new (in the
/// inventory only), the rest the same; the universe is N * 1.005 so both sides hold about N objects.
/// Storage classes: 88% Standard, 10% IA, 2% Archive (a new or changed Archive object is a Skip).
/// </summary>
internal sealed class Synthetic
{
    public const string SourceBucket = "acme-prod-assets";

    private static readonly DateTimeOffset PreviousEpoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset NewEpoch = new(2025, 4, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly FirstDay = new(2024, 1, 1);

    private readonly ulong _seed;
    private readonly Family[] _families;

    public Synthetic(long rows, ulong seed)
    {
        Rows = rows;
        _seed = seed;
        Universe = rows + rows / 200;
        _families = Family.Split(Universe);
    }

    /// <summary>The N the dataset was made for.</summary>
    public long Rows { get; }

    /// <summary>Objects in either the previous point or the inventory (or both).</summary>
    public long Universe { get; }

    public Fate FateOf(long i) => (Hash(i, 0) % 1000) switch
    {
        < 10 => Fate.Changed,
        < 15 => Fate.Deleted,
        < 20 => Fate.New,
        _ => Fate.Same,
    };

    public string StorageClass(long i) => (Hash(i, 9) % 100) switch
    {
        < 2 => "Archive",
        < 12 => "IA",
        _ => "Standard",
    };

    public string ContentType(long i) => FamilyOf(i).ContentType;

    /// <summary>The object as the previous point recorded it (not for new objects).</summary>
    public Version Previous(long i)
    {
        var size = SizeFrom(Hash(i, 1));
        var modified = PreviousEpoch.AddSeconds((long)(Hash(i, 4) % (365UL * 86400)));
        return new Version(size, ETagFrom(i, 2, size), modified);
    }

    /// <summary>The object as the inventory lists it now (not for deleted objects).</summary>
    public Version Current(long i)
    {
        switch (FateOf(i))
        {
            case Fate.Changed:
                var before = Previous(i);
                var size = before.Size + 1 + (long)(Hash(i, 5) % 4096);
                return new Version(size, ETagFrom(i, 6, size), before.Modified.AddSeconds(1 + (long)(Hash(i, 8) % (30UL * 86400))));
            case Fate.New:
                var newSize = SizeFrom(Hash(i, 5));
                return new Version(newSize, ETagFrom(i, 6, newSize), NewEpoch.AddSeconds((long)(Hash(i, 8) % (12UL * 86400))));
            default:
                return Previous(i);
        }
    }

    /// <summary>The content chunks of the previous version: one per started 8 MiB, with made-up locations.</summary>
    public int ChunkCount(long size) => size == 0 ? 0 : (int)((size + (8L << 20) - 1) / (8L << 20));

    public ulong Hash(long i, int salt)
    {
        // SplitMix64 of (seed, i, salt)
        var z = _seed + (ulong)i * 0x9E3779B97F4A7C15UL + (ulong)salt * 0xD1B54A32D192ED03UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>The decoded key of object i: 40-60 characters for the ASCII families.</summary>
    public string Key(long i)
    {
        var family = FamilyOf(i);
        var local = i - family.Start;
        var day = FirstDay.AddDays((int)(local * 366 / family.Count));
        var group = (int)(local * family.Groups / family.Count);
        var inv = CultureInfo.InvariantCulture;
        return family.Kind switch
        {
            0 => string.Create(inv, $"backups/mysql/prod-cluster-{group:D2}/binlog.{i:D10}"),
            1 => string.Create(inv, $"data/warehouse/events/dt={day:yyyy-MM-dd}/part-{i:D10}.parquet"),
            2 => string.Create(inv, $"images/products/{group:D4}/{i:D10}_{Width(i)}x{Width(i) * 3 / 4}.jpg"),
            3 => string.Create(inv, $"logs/app-server-{group:D2}/{day:yyyy/MM/dd}/access-{i:D10}.log.gz"),
            4 => string.Create(inv, $"user uploads/用户-{group:D5}/照片 {i:D10}.jpeg"),
            _ => string.Create(inv, $"videos/raw/camera-{group:D3}/{day:yyyy-MM-dd}/clip_{i:D10}.mp4"),
        };
    }

    private int Width(long i) => 200 * (1 + (int)(Hash(i, 11) % 8));

    private Family FamilyOf(long i)
    {
        var families = _families;
        for (var f = families.Length - 1; f > 0; f--)
        {
            if (i >= families[f].Start)
            {
                return families[f];
            }
        }
        return families[0];
    }

    private static long SizeFrom(ulong h)
    {
        // 1% large (16 MiB .. 528 MiB, uploaded in parts, several chunks), the rest 64 B .. 16 MiB, log-uniform.
        if (h % 100 < 1)
        {
            return (16L << 20) + (long)((h >> 8) % (1UL << 29));
        }
        var exponent = 6 + (int)((h >> 8) % 18);
        return (1L << exponent) + (long)((h >> 16) % (1UL << exponent));
    }

    /// <summary>32 uppercase hex digits; "-N" for objects uploaded in parts (over 16 MiB).</summary>
    private string ETagFrom(long i, int salt, long size)
    {
        var text = string.Create(CultureInfo.InvariantCulture, $"{Hash(i, salt):X16}{Hash(i, salt + 1):X16}");
        return size > 16L << 20 ? string.Create(CultureInfo.InvariantCulture, $"{text}-{(size + (8L << 20) - 1) / (8L << 20)}") : text;
    }

    /// <summary>A key family: a share of the universe, in byte order of the prefixes.</summary>
    private sealed record Family(int Kind, long Start, long Count, int Groups, string ContentType)
    {
        private static readonly (double Share, int Groups, string ContentType)[] Shares =
        [
            (0.10, 100, "application/octet-stream"),
            (0.25, 1, "application/vnd.apache.parquet"),
            (0.20, 10000, "image/jpeg"),
            (0.30, 100, "application/gzip"),
            (0.03, 100000, "image/jpeg"),
            (0.12, 1000, "video/mp4"),
        ];

        public static Family[] Split(long universe)
        {
            var families = new Family[Shares.Length];
            long start = 0;
            for (var f = 0; f < Shares.Length; f++)
            {
                var count = f == Shares.Length - 1 ? universe - start : Math.Max(1, (long)(universe * Shares[f].Share));
                families[f] = new Family(f, start, count, (int)Math.Min(Shares[f].Groups, count), Shares[f].ContentType);
                start += count;
            }
            return families;
        }
    }
}

/// <summary>Key encoding as OSS inventories write it: a form value, '/' as %2F, a space as '+'.</summary>
internal static class OssKeyEncoding
{
    public static void Append(StringBuilder builder, string key)
    {
        Span<byte> utf8 = stackalloc byte[Encoding.UTF8.GetMaxByteCount(key.Length)];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        foreach (var b in utf8[..length])
        {
            if (b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
            {
                builder.Append((char)b);
            }
            else if (b == (byte)' ')
            {
                builder.Append('+');
            }
            else
            {
                builder.Append('%').Append(Hex[b >> 4]).Append(Hex[b & 15]);
            }
        }
    }

    private const string Hex = "0123456789ABCDEF";
}
