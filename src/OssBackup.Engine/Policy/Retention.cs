using System.Globalization;

namespace OssBackup.Engine.Policy;

/// <summary>
/// The retention policy as a pure function: (points, policy, now) to a keep/remove decision with its
/// reasons for every point. It follows the semantics of restic's <c>forget</c>, with these choices:
/// <list type="bullet">
/// <item>Points are ordered newest first by instant (<see cref="DateTimeOffset.UtcTicks"/>; the offset
/// does not matter). Points with the same instant are ordered by <see cref="RetentionPoint.Id"/>,
/// ordinal: the greater id counts as the newer. Ids must be unique.</item>
/// <item>A point is kept when ANY rule keeps it, and it carries every rule that does, in this order:
/// newest, last, within, daily, weekly, monthly, yearly.</item>
/// <item>A policy with no rule set (<see cref="RetentionPolicy.IsEmpty"/>) keeps every point, with the
/// reason "no rule set": a plan without retention never deletes.</item>
/// <item>Otherwise the newest point is always kept, as a rule of its own (reason "newest"), so that
/// no policy can remove the most recent restorable state. It is listed even when other rules keep
/// that point too.</item>
/// <item>KeepLast n ("last n") keeps the n newest points.</item>
/// <item>KeepWithin d ("within d", d in the "c" format, e.g. 30.00:00:00) keeps the points created at
/// or after <c>now - d</c> (the cut-off itself included; points after <c>now</c> too). Unlike restic,
/// which counts from the newest snapshot, it counts from <c>now</c>, as an operator reads "keep
/// within 30 days": relative to today. If backups stop, old points therefore leave the window, but
/// the newest point stays (see above), as do the points the other rules keep.</item>
/// <item>KeepDaily/KeepWeekly/KeepMonthly/KeepYearly n keep the newest point of each of the n most
/// recent buckets that have points: calendar day ("daily 2026-11-25"), ISO 8601 week
/// ("weekly 2026-W48", with the ISO week-numbering year, so 2021-01-01 is "2020-W53"), calendar month
/// ("monthly 2026-11") and calendar year ("yearly 2026"). Buckets come from each point's local time in
/// <see cref="RetentionPolicy.TimeZone"/>; a bucket is "recent" by its newest point. Empty days,
/// weeks... do not count towards n.</item>
/// <item>A removed point has the single reason "no rule keeps it".</item>
/// </list>
/// </summary>
public static class Retention
{
    public const string NoRuleSet = "no rule set";
    public const string Newest = "newest";
    public const string NoRuleKeepsIt = "no rule keeps it";

    /// <summary>Decides for every point; the decisions come newest first.</summary>
    /// <exception cref="ArgumentNullException">points or policy is null.</exception>
    /// <exception cref="ArgumentException">A negative count or duration (named), a null point or id, or a duplicate id.</exception>
    public static IReadOnlyList<RetentionDecision> Apply(IEnumerable<RetentionPoint> points, RetentionPolicy policy, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        var ordered = NewestFirst(points);

        if (policy.IsEmpty)
        {
            return ordered.Select(point => new RetentionDecision(point, true, [NoRuleSet])).ToList();
        }

        var reasons = ordered.Select(_ => new List<string>()).ToArray();
        if (ordered.Count > 0)
        {
            reasons[0].Add(Newest);
        }

        if (policy.KeepLast is > 0 and var last)
        {
            var reason = string.Create(CultureInfo.InvariantCulture, $"last {last}");
            for (var i = 0; i < Math.Min(last, ordered.Count); i++)
            {
                reasons[i].Add(reason);
            }
        }

        if (policy.KeepWithin is { } within && within > TimeSpan.Zero)
        {
            var utcNow = now.ToUniversalTime();
            var cutoff = within >= utcNow - DateTimeOffset.MinValue ? DateTimeOffset.MinValue : utcNow - within;
            var reason = "within " + within.ToString("c", CultureInfo.InvariantCulture);
            for (var i = 0; i < ordered.Count; i++)
            {
                if (ordered[i].CreatedAt >= cutoff)
                {
                    reasons[i].Add(reason);
                }
            }
        }

        var localTimes = ordered.Select(point => TimeZoneInfo.ConvertTime(point.CreatedAt, policy.TimeZone).DateTime).ToArray();
        KeepPerBucket(policy.KeepDaily, "daily", Day, localTimes, reasons);
        KeepPerBucket(policy.KeepWeekly, "weekly", IsoWeek, localTimes, reasons);
        KeepPerBucket(policy.KeepMonthly, "monthly", Month, localTimes, reasons);
        KeepPerBucket(policy.KeepYearly, "yearly", Year, localTimes, reasons);

        return ordered
            .Select((point, i) => reasons[i].Count > 0
                ? new RetentionDecision(point, true, reasons[i])
                : new RetentionDecision(point, false, [NoRuleKeepsIt]))
            .ToList();
    }

    /// <summary>Walking newest first, the first point seen in a bucket is that bucket's newest.</summary>
    private static void KeepPerBucket(int? count, string rule, Func<DateTime, string> bucketOf, DateTime[] localTimes, List<string>[] reasons)
    {
        if (count is not (> 0 and var n))
        {
            return;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < localTimes.Length && seen.Count < n; i++)
        {
            var bucket = bucketOf(localTimes[i]);
            if (seen.Add(bucket))
            {
                reasons[i].Add(rule + " " + bucket);
            }
        }
    }

    private static string Day(DateTime local) => local.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string IsoWeek(DateTime local) =>
        string.Create(CultureInfo.InvariantCulture, $"{ISOWeek.GetYear(local):D4}-W{ISOWeek.GetWeekOfYear(local):D2}");

    private static string Month(DateTime local) => local.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    private static string Year(DateTime local) => local.ToString("yyyy", CultureInfo.InvariantCulture);

    private static List<RetentionPoint> NewestFirst(IEnumerable<RetentionPoint> points)
    {
        var list = new List<RetentionPoint>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var point in points)
        {
            if (point is null)
            {
                throw new ArgumentException("A point is null.", nameof(points));
            }
            if (point.Id is null)
            {
                throw new ArgumentException("A point has no id.", nameof(points));
            }
            if (!ids.Add(point.Id))
            {
                throw new ArgumentException($"The point id '{point.Id}' appears more than once.", nameof(points));
            }
            list.Add(point);
        }
        list.Sort(static (a, b) =>
        {
            var byTime = b.CreatedAt.UtcTicks.CompareTo(a.CreatedAt.UtcTicks);
            return byTime != 0 ? byTime : string.CompareOrdinal(b.Id, a.Id);
        });
        return list;
    }
}
