using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Language;
using OssBackup.Engine.Operations;

namespace OssBackup.Commands;

/// <summary>Tab completion for -StorageClass: the S3 API's writable classes, plus the target bucket's default.</summary>
public sealed class StorageClassCompleter : IArgumentCompleter
{
    private static readonly string[] Classes =
        ["STANDARD", "STANDARD_IA", "ONEZONE_IA", "INTELLIGENT_TIERING", "GLACIER_IR", "REDUCED_REDUNDANCY", RestoreTarget.BucketDefaultClass];

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        Classes.Where(c => c.StartsWith(wordToComplete, StringComparison.OrdinalIgnoreCase))
            .Select(c => new CompletionResult(c, c, CompletionResultType.ParameterValue, c));
}
