using System.Text.RegularExpressions;

namespace OssBackup.Engine.Operations;

/// <summary>A plan's include/exclude patterns. A key matching an exclude pattern is excluded even when it also matches an include pattern.</summary>
public sealed class KeyFilter
{
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;

    public KeyFilter(IEnumerable<string> include, IEnumerable<string> exclude)
    {
        _include = include.Select(p => Compile(p, "-Include")).ToArray();
        _exclude = exclude.Select(p => Compile(p, "-Exclude")).ToArray();
    }

    /// <summary>True when the plan has neither include nor exclude patterns.</summary>
    public bool AcceptsAll => _include.Length == 0 && _exclude.Length == 0;

    public bool Accepts(string key) =>
        (_include.Length == 0 || Array.Exists(_include, r => r.IsMatch(key))) && !Array.Exists(_exclude, r => r.IsMatch(key));

    /// <summary>Compiles a pattern, naming the parameter and the pattern when it is invalid.</summary>
    public static Regex Compile(string pattern, string parameter)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"{parameter} pattern '{pattern}' is not a valid regular expression: {e.Message}", parameter, e);
        }
    }
}
