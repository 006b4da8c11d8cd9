namespace OssBackup.Engine.Policy;

/// <summary>
/// Which backup points to keep; see <see cref="Retention"/> for the semantics. A rule is set when its
/// value is positive: <c>null</c>, <c>0</c> and <see cref="TimeSpan.Zero"/> all mean "rule not set", so
/// a zero can never make a policy delete more. Negative values are invalid.
/// </summary>
public sealed record RetentionPolicy
{
    /// <summary>Keeps the n newest points.</summary>
    public int? KeepLast { get; init; }

    /// <summary>Keeps every point created at or after <c>now - KeepWithin</c>.</summary>
    public TimeSpan? KeepWithin { get; init; }

    /// <summary>Keeps the newest point of each of the n most recent calendar days that have points.</summary>
    public int? KeepDaily { get; init; }

    /// <summary>Keeps the newest point of each of the n most recent ISO 8601 weeks that have points.</summary>
    public int? KeepWeekly { get; init; }

    /// <summary>Keeps the newest point of each of the n most recent calendar months that have points.</summary>
    public int? KeepMonthly { get; init; }

    /// <summary>Keeps the newest point of each of the n most recent calendar years that have points.</summary>
    public int? KeepYearly { get; init; }

    /// <summary>The zone days, weeks, months and years are counted in. UTC unless set.</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>True when no rule is set: such a policy keeps every point.</summary>
    public bool IsEmpty =>
        !(KeepLast > 0 || KeepWithin > TimeSpan.Zero || KeepDaily > 0 || KeepWeekly > 0 || KeepMonthly > 0 || KeepYearly > 0);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid field.</summary>
    public void Validate()
    {
        NotNegative(KeepLast, nameof(KeepLast));
        if (KeepWithin < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(KeepWithin), KeepWithin, "KeepWithin must not be negative.");
        }
        NotNegative(KeepDaily, nameof(KeepDaily));
        NotNegative(KeepWeekly, nameof(KeepWeekly));
        NotNegative(KeepMonthly, nameof(KeepMonthly));
        NotNegative(KeepYearly, nameof(KeepYearly));
        if (TimeZone is null)
        {
            throw new ArgumentException("TimeZone must be set.", nameof(TimeZone));
        }
    }

    private static void NotNegative(int? value, string field)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(field, value, $"{field} must not be negative.");
        }
    }
}
