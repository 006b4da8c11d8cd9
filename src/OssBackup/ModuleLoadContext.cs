using System.Reflection;
using System.Runtime.Loader;

namespace OssBackup;

/// <summary>
/// Loads the cmdlet assembly, the engine and every third-party dependency (AWSSDK, SQLite and its native
/// library, zstd) in a context of their own, so another module holding other versions of the same
/// assemblies in the same pwsh process cannot collide with ours. Resolution follows the cmdlet
/// assembly's .deps.json, which names managed files and the RID-specific native ones alike.
/// </summary>
public sealed class ModuleLoadContext : AssemblyLoadContext
{
    private static readonly object Gate = new();
    private static ModuleLoadContext? _instance;

    private readonly AssemblyDependencyResolver _resolver;
    private readonly string _sharedAssemblyName = typeof(ModuleLoadContext).Assembly.GetName().Name!;

    private ModuleLoadContext(string mainAssemblyPath)
        : base("OssBackup", isCollectible: false)
    {
        _resolver = new AssemblyDependencyResolver(mainAssemblyPath);
    }

    /// <summary>Loads the cmdlet assembly once per process and returns it for Import-Module -Assembly.</summary>
    public static Assembly LoadCommandAssembly(string commandAssemblyPath)
    {
        lock (Gate)
        {
            _instance ??= new ModuleLoadContext(commandAssemblyPath);
            return _instance.LoadFromAssemblyPath(commandAssemblyPath);
        }
    }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // The public output types must be the very ones users see in the default context.
        if (string.Equals(assemblyName.Name, _sharedAssemblyName, StringComparison.Ordinal))
        {
            return typeof(ModuleLoadContext).Assembly;
        }

        var path = _resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = _resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
