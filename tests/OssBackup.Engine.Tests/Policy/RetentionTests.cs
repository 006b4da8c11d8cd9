using System.Globalization;
using OssBackup.Engine.Policy;

namespace OssBackup.Engine.Tests.Policy;

/// <summary>
/// The retention policy as a pure function. Each case lists its points as "id time", the policy,
/// `now`, and the exact set of ids kept (every other id is removed).
/// </summary>
public sealed class RetentionTests
{
    private static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    private static readonly TimeZoneInfo NewYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");

    private sealed record Case(RetentionPolicy Policy, string Now, string[] Points, string[] Kept);

    /// <summary>Backups over two years, in UTC; the ISO weeks are in the comments.</summary>
    private static readonly string[] History =
    [
        "p01 2026-12-01T02:00:00Z", // Tue, 2026-W49
        "p02 2026-11-30T14:00:00Z", // Mon, 2026-W49
        "p03 2026-11-30T02:00:00Z", // Mon, 2026-W49, same day as p02 but older
        "p04 2026-11-29T02:00:00Z", // Sun, 2026-W48
        "p05 2026-11-25T02:00:00Z", // Wed, 2026-W48
        "p06 2026-11-20T02:00:00Z", // Fri, 2026-W47
        "p07 2026-11-02T02:00:00Z", // Mon, 2026-W45
        "p08 2026-10-31T02:00:00Z", // Sat, 2026-W44
        "p09 2026-10-15T02:00:00Z",
        "p10 2026-09-30T02:00:00Z",
        "p11 2025-12-31T02:00:00Z",
        "p12 2025-06-01T02:00:00Z",
        "p13 2024-12-31T02:00:00Z",
    ];

    private const string HistoryNow = "2026-12-01T12:00:00Z";

    private static readonly string[] IsoYearEnd =
    [
        "w01-2021 2021-01-04T12:00:00Z", // Mon, 2021-W01
        "sun-2021 2021-01-03T12:00:00Z", // Sun, 2020-W53
        "fri-2021 2021-01-01T12:00:00Z", // Fri, 2020-W53
        "thu-2020 2020-12-31T12:00:00Z", // Thu, 2020-W53
        "mon-2020 2020-12-28T12:00:00Z", // Mon, 2020-W53
        "w52-2020 2020-12-27T12:00:00Z", // Sun, 2020-W52
    ];

    private static readonly string[] AcrossShanghaiMidnight =
    [
        "d 2026-11-24T17:00:00Z", // Shanghai 11-25 01:00
        "c 2026-11-24T15:00:00Z", // Shanghai 11-24 23:00
        "b 2026-11-24T10:00:00Z", // Shanghai 11-24 18:00
        "a 2026-11-23T20:00:00Z", // Shanghai 11-24 04:00, UTC 11-23
    ];

    private static readonly string[] AcrossShanghaiWeek =
    [
        "w1 2026-11-29T16:30:00Z", // UTC Sun 2026-W48; Shanghai Mon 11-30 00:30, 2026-W49
        "w2 2026-11-29T10:00:00Z", // Sun 2026-W48 in both
        "w3 2026-11-22T10:00:00Z", // Sun 2026-W47 in both
    ];

    private static readonly string[] AcrossShanghaiNewYear =
    [
        "x 2026-12-31T16:30:00Z", // UTC 2026; Shanghai 2027-01-01 00:30
        "y 2026-12-31T10:00:00Z", // 2026 in both
        "z 2026-06-01T10:00:00Z",
        "w 2025-05-01T10:00:00Z",
    ];

    /// <summary>New York falls back on 2026-11-01 at 02:00 EDT to 01:00 EST: 01:30 happens twice.</summary>
    private static readonly string[] AcrossFallBack =
    [
        "e3 2026-11-02T04:30:00Z", // NY 11-01 23:30 EST; UTC 11-02
        "e2 2026-11-01T06:30:00Z", // NY 11-01 01:30 EST (the second 01:30)
        "e1 2026-11-01T05:30:00Z", // NY 11-01 01:30 EDT (the first 01:30)
        "e0 2026-10-31T04:30:00Z", // NY 10-31 00:30 EDT
    ];

    /// <summary>New York springs forward on 2026-03-08 at 02:00 EST to 03:00 EDT: that day has 23 hours.</summary>
    private static readonly string[] AcrossSpringForward =
    [
        "s3 2026-03-09T03:30:00Z", // NY 03-08 23:30 EDT; UTC 03-09
        "s2 2026-03-08T07:30:00Z", // NY 03-08 03:30 EDT
        "s1 2026-03-08T06:30:00Z", // NY 03-08 01:30 EST
        "s0 2026-03-07T12:00:00Z", // NY 03-07 07:00 EST
    ];

    private static readonly Dictionary<string, Case> Cases = new()
    {
        // No rule: keep everything.
        ["empty policy keeps every point"] = new(new RetentionPolicy(), HistoryNow, History,
            ["p01", "p02", "p03", "p04", "p05", "p06", "p07", "p08", "p09", "p10", "p11", "p12", "p13"]),
        ["zero counts and zero duration are not rules"] = new(
            new RetentionPolicy { KeepLast = 0, KeepWithin = TimeSpan.Zero, KeepDaily = 0, KeepWeekly = 0, KeepMonthly = 0, KeepYearly = 0 },
            HistoryNow, ["a 2020-01-01T00:00:00Z", "b 2021-01-01T00:00:00Z"], ["a", "b"]),
        ["empty policy with a time zone keeps every point"] = new(new RetentionPolicy { TimeZone = Shanghai }, HistoryNow,
            ["a 2020-01-01T00:00:00Z", "b 2020-01-01T00:00:01Z"], ["a", "b"]),
        ["no points, no decisions"] = new(new RetentionPolicy { KeepLast = 3 }, HistoryNow, [], []),

        // The newest point is always kept.
        ["a single point is kept by keep-last 1"] = new(new RetentionPolicy { KeepLast = 1 }, HistoryNow, ["only 2020-01-01T00:00:00Z"], ["only"]),
        ["a single point outside keep-within is kept as the newest"] = new(new RetentionPolicy { KeepWithin = TimeSpan.FromDays(1) }, HistoryNow,
            ["only 2020-01-01T00:00:00Z"], ["only"]),
        ["only the newest survives when keep-within covers none"] = new(new RetentionPolicy { KeepWithin = TimeSpan.FromDays(30) }, HistoryNow,
            ["old1 2026-10-01T00:00:00Z", "old2 2026-09-01T00:00:00Z", "old3 2026-08-01T00:00:00Z"], ["old1"]),

        // Each rule alone.
        ["keep-last 3 keeps the three newest"] = new(new RetentionPolicy { KeepLast = 3 }, HistoryNow, History, ["p01", "p02", "p03"]),
        ["keep-last 1 keeps the newest only"] = new(new RetentionPolicy { KeepLast = 1 }, HistoryNow, History, ["p01"]),
        ["keep-last larger than the count keeps all"] = new(new RetentionPolicy { KeepLast = 10 }, HistoryNow,
            ["a 2026-01-01T00:00:00Z", "b 2026-01-02T00:00:00Z", "c 2026-01-03T00:00:00Z"], ["a", "b", "c"]),
        ["keep-within 30 days counts from now, cut-off included"] = new(new RetentionPolicy { KeepWithin = TimeSpan.FromDays(30) }, "2026-12-01T12:00:00Z",
            [
                "in 2026-11-30T12:00:00Z",
                "edge 2026-11-01T12:00:00Z",
                "just-out 2026-11-01T11:59:59Z",
                "out 2026-08-01T00:00:00Z",
            ],
            ["in", "edge"]),
        ["keep-within 10 days over the history"] = new(new RetentionPolicy { KeepWithin = TimeSpan.FromDays(10) }, HistoryNow, History,
            ["p01", "p02", "p03", "p04", "p05"]),
        ["keep-within keeps points after now"] = new(new RetentionPolicy { KeepWithin = TimeSpan.FromHours(1) }, "2026-12-01T12:00:00Z",
            ["future 2026-12-02T00:00:00Z", "recent 2026-12-01T11:30:00Z", "old 2026-12-01T10:00:00Z"], ["future", "recent"]),
        ["keep-within of TimeSpan.MaxValue keeps all"] = new(new RetentionPolicy { KeepWithin = TimeSpan.MaxValue }, HistoryNow,
            ["a 0001-01-01T00:00:00Z", "b 2026-01-01T00:00:00Z"], ["a", "b"]),
        ["keep-daily 3 keeps the newest point of the three newest days"] = new(new RetentionPolicy { KeepDaily = 3 }, HistoryNow, History,
            ["p01", "p02", "p04"]),
        ["keep-daily counts days that have points, not calendar days"] = new(new RetentionPolicy { KeepDaily = 2 }, HistoryNow,
            ["a 2026-11-25T08:00:00Z", "b 2026-11-25T20:00:00Z", "c 2026-11-20T10:00:00Z", "d 2026-11-20T09:00:00Z", "e 2026-11-10T10:00:00Z"],
            ["b", "c"]),
        ["keep-weekly 2 keeps the newest point of the two newest ISO weeks"] = new(new RetentionPolicy { KeepWeekly = 2 }, HistoryNow, History,
            ["p01", "p04"]),
        ["keep-weekly 4 skips weeks without points"] = new(new RetentionPolicy { KeepWeekly = 4 }, HistoryNow, History,
            ["p01", "p04", "p06", "p07"]),
        ["keep-monthly 3 keeps the newest point of the three newest months"] = new(new RetentionPolicy { KeepMonthly = 3 }, HistoryNow, History,
            ["p01", "p02", "p08"]),
        ["keep-yearly 2 keeps the newest point of the two newest years"] = new(new RetentionPolicy { KeepYearly = 2 }, HistoryNow, History,
            ["p01", "p11"]),
        ["keep-yearly 5 keeps one per year when there are fewer years"] = new(new RetentionPolicy { KeepYearly = 5 }, HistoryNow, History,
            ["p01", "p11", "p13"]),

        // Combinations: a point is kept if any rule keeps it.
        ["last 2 + daily 3 + weekly 2 + monthly 3 + yearly 2"] = new(
            new RetentionPolicy { KeepLast = 2, KeepDaily = 3, KeepWeekly = 2, KeepMonthly = 3, KeepYearly = 2 }, HistoryNow, History,
            ["p01", "p02", "p04", "p08", "p11"]),
        ["within 10 days + yearly 3"] = new(new RetentionPolicy { KeepWithin = TimeSpan.FromDays(10), KeepYearly = 3 }, HistoryNow, History,
            ["p01", "p02", "p03", "p04", "p05", "p11", "p13"]),
        ["last 4 + within 2 days overlap"] = new(new RetentionPolicy { KeepLast = 4, KeepWithin = TimeSpan.FromDays(2) }, HistoryNow, History,
            ["p01", "p02", "p03", "p04"]),
        ["daily 2 + monthly 2 share their newest point"] = new(new RetentionPolicy { KeepDaily = 2, KeepMonthly = 2 }, HistoryNow, History,
            ["p01", "p02"]),

        // Ties: same instant, ordered by id (ordinal): the greater id is the newer.
        ["tie: keep-last 1 keeps the greater id"] = new(new RetentionPolicy { KeepLast = 1 }, HistoryNow,
            ["a 2026-11-30T00:00:00Z", "b 2026-11-30T00:00:00Z"], ["b"]),
        ["tie: keep-last 1 keeps the greater id whatever the input order"] = new(new RetentionPolicy { KeepLast = 1 }, HistoryNow,
            ["b 2026-11-30T00:00:00Z", "a 2026-11-30T00:00:00Z"], ["b"]),
        ["tie: ids compare ordinally"] = new(new RetentionPolicy { KeepLast = 1 }, HistoryNow,
            ["B 2026-11-30T00:00:00Z", "a 2026-11-30T00:00:00Z", "Z 2026-11-30T00:00:00Z"], ["a"]),
        ["tie: the same instant in two offsets is a tie"] = new(new RetentionPolicy { KeepDaily = 1 }, HistoryNow,
            ["b 2026-11-30T08:00:00+08:00", "a 2026-11-30T00:00:00Z"], ["b"]),
        ["tie: keep-last 2 of three equal instants"] = new(new RetentionPolicy { KeepLast = 2 }, HistoryNow,
            ["p2 2026-11-30T00:00:00Z", "p3 2026-11-30T00:00:00Z", "p1 2026-11-30T00:00:00Z", "older 2026-11-29T00:00:00Z"], ["p3", "p2"]),
        ["tie: keep-daily picks the greater id of the day's newest instant"] = new(new RetentionPolicy { KeepDaily = 2 }, HistoryNow,
            ["y 2026-11-30T10:00:00Z", "x 2026-11-30T10:00:00Z", "z 2026-11-30T09:00:00Z", "m 2026-11-29T10:00:00Z", "n 2026-11-29T10:00:00Z"],
            ["y", "n"]),

        // ISO 8601 weeks at year boundaries.
        ["weekly: 2020-12-28 to 2021-01-03 are all 2020-W53"] = new(new RetentionPolicy { KeepWeekly = 3 }, "2021-01-05T00:00:00Z", IsoYearEnd,
            ["w01-2021", "sun-2021", "w52-2020"]),
        ["yearly: calendar years, not ISO years"] = new(new RetentionPolicy { KeepYearly = 2 }, "2021-01-05T00:00:00Z", IsoYearEnd,
            ["w01-2021", "thu-2020"]),
        ["weekly: 2019-12-30 is 2020-W01"] = new(new RetentionPolicy { KeepWeekly = 2 }, "2020-01-05T00:00:00Z",
            ["tue 2019-12-31T12:00:00Z", "mon 2019-12-30T12:00:00Z", "sun 2019-12-29T12:00:00Z", "sat 2019-12-28T12:00:00Z"],
            ["tue", "sun"]),

        // Time zones: buckets are computed in the policy's zone.
        ["daily across midnight in UTC"] = new(new RetentionPolicy { KeepDaily = 2 }, HistoryNow, AcrossShanghaiMidnight, ["d", "a"]),
        ["daily across midnight in Asia/Shanghai"] = new(new RetentionPolicy { KeepDaily = 2, TimeZone = Shanghai }, HistoryNow, AcrossShanghaiMidnight,
            ["d", "c"]),
        ["weekly across Sunday midnight in UTC"] = new(new RetentionPolicy { KeepWeekly = 2 }, HistoryNow, AcrossShanghaiWeek, ["w1", "w3"]),
        ["weekly across Sunday midnight in Asia/Shanghai"] = new(new RetentionPolicy { KeepWeekly = 2, TimeZone = Shanghai }, HistoryNow, AcrossShanghaiWeek,
            ["w1", "w2"]),
        ["yearly across New Year in UTC"] = new(new RetentionPolicy { KeepYearly = 2 }, "2027-01-02T00:00:00Z", AcrossShanghaiNewYear, ["x", "w"]),
        ["yearly across New Year in Asia/Shanghai"] = new(new RetentionPolicy { KeepYearly = 2, TimeZone = Shanghai }, "2027-01-02T00:00:00Z",
            AcrossShanghaiNewYear, ["x", "y"]),
        ["monthly across New Year in Asia/Shanghai"] = new(new RetentionPolicy { KeepMonthly = 3, TimeZone = Shanghai }, "2027-01-02T00:00:00Z",
            AcrossShanghaiNewYear, ["x", "y", "z"]),
        ["the points' own offsets do not matter, only the policy's zone"] = new(new RetentionPolicy { KeepDaily = 2, TimeZone = Shanghai }, HistoryNow,
            ["d 2026-11-24T12:00:00-05:00", "c 2026-11-24T23:00:00+08:00", "b 2026-11-24T10:00:00Z", "a 2026-11-24T04:00:00+08:00"],
            ["d", "c"]),
        ["DST fall-back: daily in America/New_York"] = new(new RetentionPolicy { KeepDaily = 2, TimeZone = NewYork }, "2026-11-03T00:00:00Z", AcrossFallBack,
            ["e3", "e0"]),
        ["DST fall-back: daily in UTC"] = new(new RetentionPolicy { KeepDaily = 2 }, "2026-11-03T00:00:00Z", AcrossFallBack, ["e3", "e2"]),
        ["DST fall-back: the repeated 01:30 keeps the later instant"] = new(new RetentionPolicy { KeepDaily = 1, TimeZone = NewYork }, "2026-11-03T00:00:00Z",
            ["e2 2026-11-01T06:30:00Z", "e1 2026-11-01T05:30:00Z"], ["e2"]),
        ["DST spring-forward: daily in America/New_York"] = new(new RetentionPolicy { KeepDaily = 2, TimeZone = NewYork }, "2026-03-10T00:00:00Z",
            AcrossSpringForward, ["s3", "s0"]),
        ["DST spring-forward: daily in UTC"] = new(new RetentionPolicy { KeepDaily = 2 }, "2026-03-10T00:00:00Z", AcrossSpringForward, ["s3", "s2"]),
        ["DST spring-forward: keep-within is elapsed time, not wall-clock time"] = new(
            new RetentionPolicy { KeepLast = 1, KeepWithin = TimeSpan.FromMinutes(90), TimeZone = NewYork }, "2026-03-08T07:45:00Z",
            ["s2 2026-03-08T07:30:00Z", "s1 2026-03-08T06:30:00Z", "s0 2026-03-08T06:00:00Z"], // 03:30 EDT, 01:30 EST, 01:00 EST
            ["s2", "s1"]),
    };

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in Cases.Keys)
        {
            data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Keeps_exactly_the_expected_points(string name)
    {
        var c = Cases[name];
        var points = c.Points.Select(Point).ToList();

        var decisions = Retention.Apply(points, c.Policy, Time(c.Now));

        var expectedKept = c.Kept.Order(StringComparer.Ordinal).ToArray();
        var expectedRemoved = points.Select(p => p.Id).Except(c.Kept).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(expectedKept, decisions.Where(d => d.Keep).Select(d => d.Point.Id).Order(StringComparer.Ordinal).ToArray());
        Assert.Equal(expectedRemoved, decisions.Where(d => !d.Keep).Select(d => d.Point.Id).Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Decides_once_per_point_newest_first_whatever_the_input_order(string name)
    {
        var c = Cases[name];
        var points = c.Points.Select(Point).ToList();
        var now = Time(c.Now);

        var decisions = Retention.Apply(points, c.Policy, now);
        var reversed = Retention.Apply(Enumerable.Reverse(points), c.Policy, now);
        var byId = Retention.Apply(points.OrderBy(p => p.Id, StringComparer.Ordinal), c.Policy, now);

        Assert.Equal(points.Select(p => p.Id).Order(StringComparer.Ordinal), decisions.Select(d => d.Point.Id).Order(StringComparer.Ordinal));
        var expectedOrder = points
            .OrderByDescending(p => p.CreatedAt.UtcTicks)
            .ThenByDescending(p => p.Id, StringComparer.Ordinal)
            .Select(p => p.Id);
        Assert.Equal(expectedOrder, decisions.Select(d => d.Point.Id));
        Assert.Equal(Lines(decisions), Lines(reversed));
        Assert.Equal(Lines(decisions), Lines(byId));
        Assert.All(decisions, d => Assert.NotEmpty(d.Reasons));
    }

    private sealed record ReasonCase(RetentionPolicy Policy, string Now, string[] Points, string[] Lines);

    private static readonly Dictionary<string, ReasonCase> ReasonCases = new()
    {
        ["every rule over the history"] = new(
            new RetentionPolicy { KeepLast = 2, KeepWithin = TimeSpan.FromDays(2), KeepDaily = 3, KeepWeekly = 2, KeepMonthly = 3, KeepYearly = 2 },
            HistoryNow, History,
            [
                "p01 keep: newest | last 2 | within 2.00:00:00 | daily 2026-12-01 | weekly 2026-W49 | monthly 2026-12 | yearly 2026",
                "p02 keep: last 2 | within 2.00:00:00 | daily 2026-11-30 | monthly 2026-11",
                "p03 keep: within 2.00:00:00",
                "p04 keep: daily 2026-11-29 | weekly 2026-W48",
                "p05 remove: no rule keeps it",
                "p06 remove: no rule keeps it",
                "p07 remove: no rule keeps it",
                "p08 keep: monthly 2026-10",
                "p09 remove: no rule keeps it",
                "p10 remove: no rule keeps it",
                "p11 keep: yearly 2025",
                "p12 remove: no rule keeps it",
                "p13 remove: no rule keeps it",
            ]),
        ["within 30 days and 1.5 hours"] = new(new RetentionPolicy { KeepWithin = new TimeSpan(30, 1, 30, 0) }, HistoryNow,
            ["a 2026-11-30T00:00:00Z", "b 2026-01-01T00:00:00Z"],
            ["a keep: newest | within 30.01:30:00", "b remove: no rule keeps it"]),
        ["the newest point kept by no other rule"] = new(new RetentionPolicy { KeepWithin = TimeSpan.FromDays(1) }, HistoryNow,
            ["a 2026-11-01T00:00:00Z", "b 2026-10-01T00:00:00Z"],
            ["a keep: newest", "b remove: no rule keeps it"]),
        ["a point's own offset does not choose its bucket"] = new(new RetentionPolicy { KeepYearly = 1 }, "2027-01-02T00:00:00Z",
            ["new 2027-01-01T00:00:00+01:00", "old 2026-06-01T00:00:00Z"], // 2026-12-31 23:00 UTC
            ["new keep: newest | yearly 2026", "old remove: no rule keeps it"]),
        ["empty policy"] = new(new RetentionPolicy(), HistoryNow,
            ["a 2026-11-30T00:00:00Z", "b 2026-01-01T00:00:00Z"],
            ["a keep: no rule set", "b keep: no rule set"]),
        ["ISO weeks at the 2020/2021 boundary"] = new(new RetentionPolicy { KeepWeekly = 3, KeepYearly = 2 }, "2021-01-05T00:00:00Z", IsoYearEnd,
            [
                "w01-2021 keep: newest | weekly 2021-W01 | yearly 2021",
                "sun-2021 keep: weekly 2020-W53",
                "fri-2021 remove: no rule keeps it",
                "thu-2020 keep: yearly 2020",
                "mon-2020 remove: no rule keeps it",
                "w52-2020 keep: weekly 2020-W52",
            ]),
        ["days in Asia/Shanghai"] = new(new RetentionPolicy { KeepDaily = 2, KeepWeekly = 1, TimeZone = Shanghai }, HistoryNow, AcrossShanghaiMidnight,
            [
                "d keep: newest | daily 2026-11-25 | weekly 2026-W48",
                "c keep: daily 2026-11-24",
                "b remove: no rule keeps it",
                "a remove: no rule keeps it",
            ]),
        ["ties by id"] = new(new RetentionPolicy { KeepLast = 1, KeepDaily = 1 }, HistoryNow,
            ["a 2026-11-30T00:00:00Z", "b 2026-11-30T00:00:00Z"],
            ["b keep: newest | last 1 | daily 2026-11-30", "a remove: no rule keeps it"]),
    };

    public static TheoryData<string> ReasonCaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in ReasonCases.Keys)
        {
            data.Add(name);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ReasonCaseNames))]
    public void Gives_the_reasons_for_each_decision(string name)
    {
        var c = ReasonCases[name];

        var decisions = Retention.Apply(c.Points.Select(Point), c.Policy, Time(c.Now));

        Assert.Equal(c.Lines, Lines(decisions));
    }

    [Theory]
    [InlineData("KeepLast")]
    [InlineData("KeepWithin")]
    [InlineData("KeepDaily")]
    [InlineData("KeepWeekly")]
    [InlineData("KeepMonthly")]
    [InlineData("KeepYearly")]
    public void A_negative_count_or_duration_is_rejected_by_name(string field)
    {
        var policy = field switch
        {
            "KeepLast" => new RetentionPolicy { KeepLast = -1 },
            "KeepWithin" => new RetentionPolicy { KeepWithin = TimeSpan.FromTicks(-1) },
            "KeepDaily" => new RetentionPolicy { KeepDaily = -1 },
            "KeepWeekly" => new RetentionPolicy { KeepWeekly = -1 },
            "KeepMonthly" => new RetentionPolicy { KeepMonthly = -1 },
            "KeepYearly" => new RetentionPolicy { KeepYearly = -1 },
            _ => throw new ArgumentOutOfRangeException(nameof(field)),
        };

        var error = Assert.ThrowsAny<ArgumentException>(() => Retention.Apply([Point("a 2026-01-01T00:00:00Z")], policy, Time(HistoryNow)));

        Assert.Equal(field, error.ParamName);
        Assert.Contains(field, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_count_is_rejected_even_without_points()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Retention.Apply([], new RetentionPolicy { KeepDaily = -3 }, Time(HistoryNow)));
        Assert.Equal("KeepDaily", error.ParamName);
    }

    [Fact]
    public void A_missing_time_zone_is_rejected()
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => Retention.Apply([], new RetentionPolicy { TimeZone = null! }, Time(HistoryNow)));
        Assert.Equal("TimeZone", error.ParamName);
    }

    [Fact]
    public void A_duplicate_id_is_rejected()
    {
        var points = new[] { Point("a 2026-01-01T00:00:00Z"), Point("a 2026-01-02T00:00:00Z") };
        var error = Assert.ThrowsAny<ArgumentException>(() => Retention.Apply(points, new RetentionPolicy { KeepLast = 1 }, Time(HistoryNow)));
        Assert.Equal("points", error.ParamName);
        Assert.Contains("'a'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_null_point_or_id_is_rejected()
    {
        Assert.Equal("points", Assert.ThrowsAny<ArgumentException>(
            () => Retention.Apply([null!], new RetentionPolicy(), Time(HistoryNow))).ParamName);
        Assert.Equal("points", Assert.ThrowsAny<ArgumentException>(
            () => Retention.Apply([new RetentionPoint(null!, Time(HistoryNow))], new RetentionPolicy(), Time(HistoryNow))).ParamName);
    }

    [Fact]
    public void Null_arguments_are_rejected()
    {
        Assert.Throws<ArgumentNullException>("points", () => Retention.Apply(null!, new RetentionPolicy(), Time(HistoryNow)));
        Assert.Throws<ArgumentNullException>("policy", () => Retention.Apply([], null!, Time(HistoryNow)));
    }

    [Theory]
    [InlineData(null, null, null, null, null, null, true)]
    [InlineData(0, 0, 0, 0, 0, 0, true)]
    [InlineData(1, null, null, null, null, null, false)]
    [InlineData(null, 1, null, null, null, null, false)]
    [InlineData(null, null, 1, null, null, null, false)]
    [InlineData(null, null, null, 1, null, null, false)]
    [InlineData(null, null, null, null, 1, null, false)]
    [InlineData(null, null, null, null, null, 1, false)]
    public void A_policy_is_empty_when_no_rule_is_positive(int? last, int? withinSeconds, int? daily, int? weekly, int? monthly, int? yearly, bool empty)
    {
        var policy = new RetentionPolicy
        {
            KeepLast = last,
            KeepWithin = withinSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
            KeepDaily = daily,
            KeepWeekly = weekly,
            KeepMonthly = monthly,
            KeepYearly = yearly,
            TimeZone = Shanghai,
        };

        Assert.Equal(empty, policy.IsEmpty);
    }

    [Fact]
    public void The_default_time_zone_is_utc()
    {
        Assert.Equal(TimeZoneInfo.Utc, new RetentionPolicy().TimeZone);
    }

    [Fact]
    public void The_points_are_returned_as_given()
    {
        var point = new RetentionPoint("a", new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.FromHours(8)));

        var decision = Assert.Single(Retention.Apply([point], new RetentionPolicy { KeepLast = 1 }, Time(HistoryNow)));

        Assert.Same(point, decision.Point);
        Assert.Equal(TimeSpan.FromHours(8), decision.Point.CreatedAt.Offset);
    }

    private static RetentionPoint Point(string spec)
    {
        var parts = spec.Split(' ');
        return new RetentionPoint(parts[0], Time(parts[1]));
    }

    private static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);

    private static string[] Lines(IEnumerable<RetentionDecision> decisions) =>
        decisions.Select(d => $"{d.Point.Id} {(d.Keep ? "keep" : "remove")}: {string.Join(" | ", d.Reasons)}").ToArray();
}
