using System.Text;
using System.Text.RegularExpressions;

namespace OssBackup.Engine.Operations;

/// <summary>PowerShell-style wildcards (* ? [abc]) for key selection, without a PowerShell reference.</summary>
public static class Wildcard
{
    public static Regex ToRegex(string pattern)
    {
        var regex = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            switch (c)
            {
                case '*': regex.Append(".*"); break;
                case '?': regex.Append('.'); break;
                case '`' when i + 1 < pattern.Length: regex.Append(Regex.Escape(pattern[++i].ToString())); break;
                case '[':
                    var close = pattern.IndexOf(']', i + 1);
                    if (close > i + 1)
                    {
                        regex.Append('[').Append(pattern[(i + 1)..close].Replace("\\", "\\\\", StringComparison.Ordinal)).Append(']');
                        i = close;
                    }
                    else
                    {
                        regex.Append("\\[");
                    }
                    break;
                default: regex.Append(Regex.Escape(c.ToString())); break;
            }
        }
        return new Regex(regex.Append('$').ToString(), RegexOptions.CultureInvariant | RegexOptions.Singleline);
    }

    public static bool HasWildcards(string pattern) => pattern.IndexOfAny(['*', '?', '[']) >= 0;
}
