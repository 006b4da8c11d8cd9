using Microsoft.Data.Sqlite;
using OssBackup.Engine.Catalog;
using OssBackup.Engine.Operations;
using OssBackup.Engine.Source;
using OssBackup.Engine.Storage;
using OssBackup.Engine.Vault;

namespace OssBackup.Engine.Tests;

/// <summary>What the service checks and does before any S3 request (the S3 paths are in EndToEnd/).</summary>
public sealed class OssBackupServiceTests : IDisposable
{
    private static readonly S3Credentials AnyCredentials = new("AKIDTEST", "secret");
    private readonly TempFolder _folder = new("service");
    private readonly OssBackupService _service;

    public OssBackupServiceTests()
    {
        _service = new OssBackupService(BackupCatalog.Open(_folder.Combine("catalog.db")));
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _folder.Dispose();
    }

    [Fact]
    public async Task A_new_vault_in_a_new_folder_is_created_and_registered()
    {
        var registration = await _service.NewVaultAsync("main", _folder.Combine("vaults", "main"), CancellationToken.None);

        var vault = await VaultRepository.OpenAsync(new FileBlobStore(registration.Location), CancellationToken.None);
        Assert.Equal(vault.Config.Id, registration.VaultId);
        Assert.Equal(vault.Config.Id, _service.Catalog.GetVault("main").VaultId);
        Assert.False(registration.Encrypted);
    }

    [Fact]
    public async Task A_folder_that_already_holds_a_vault_is_registered_as_it_is()
    {
        var path = _folder.Combine("existing");
        var existing = await VaultRepository.CreateAsync(new FileBlobStore(path), CancellationToken.None);

        var registration = await _service.NewVaultAsync("existing", path, CancellationToken.None);

        Assert.Equal(existing.Config.Id, registration.VaultId);
    }

    [Fact]
    public async Task A_folder_that_is_not_empty_and_holds_no_vault_is_refused()
    {
        var path = _folder.Combine("photos");
        Directory.CreateDirectory(path);
        await File.WriteAllTextAsync(Path.Combine(path, "holiday.jpg"), "not a vault");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _service.NewVaultAsync("photos", path, CancellationToken.None));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.Catalog.GetVaults());
        Assert.False(File.Exists(Path.Combine(path, VaultRepository.ConfigName)));
    }

    [Fact]
    public async Task A_vault_path_that_is_a_file_is_refused()
    {
        var path = _folder.Combine("file.txt");
        await File.WriteAllTextAsync(path, "x");

        await Assert.ThrowsAsync<ArgumentException>(() => _service.NewVaultAsync("file", path, CancellationToken.None));

        Assert.Empty(_service.Catalog.GetVaults());
    }

    [Fact]
    public async Task A_second_vault_of_the_same_name_is_a_conflict()
    {
        await _service.NewVaultAsync("main", _folder.Combine("one"), CancellationToken.None);

        await Assert.ThrowsAsync<CatalogConflictException>(() => _service.NewVaultAsync("main", _folder.Combine("two"), CancellationToken.None));

        Assert.False(Directory.Exists(_folder.Combine("two")));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("tab\there")]
    public async Task Vault_and_plan_names_with_slashes_or_control_characters_or_blank_are_refused(string name)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _service.NewVaultAsync(name, _folder.Combine("v"), CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentException>(() => _service.NewPlanAsync(Plan(name, "main"), AnyCredentials, CancellationToken.None));
    }

    [Fact]
    public async Task A_name_longer_than_128_characters_is_refused()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _service.NewVaultAsync(new string('v', 129), _folder.Combine("v"), CancellationToken.None));

        Assert.Equal("v", (await _service.NewVaultAsync(new string('v', 128), _folder.Combine("v"), CancellationToken.None)).Name[..1]);
    }

    [Fact]
    public async Task A_plan_naming_an_unknown_vault_is_refused_before_contacting_the_source()
    {
        var error = await Assert.ThrowsAsync<CatalogNotFoundException>(() =>
            _service.NewPlanAsync(Plan("nightly", "no-such-vault"), AnyCredentials, CancellationToken.None));

        Assert.Contains("no-such-vault", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.Catalog.GetPlans());
    }

    [Fact]
    public async Task A_plan_with_an_invalid_exclude_pattern_is_refused_naming_the_parameter_and_pattern()
    {
        await _service.NewVaultAsync("main", _folder.Combine("main"), CancellationToken.None);
        var plan = Plan("nightly", "main");
        plan.Exclude = ["*.tmp"];

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _service.NewPlanAsync(plan, AnyCredentials, CancellationToken.None));

        Assert.Contains("-Exclude", error.Message, StringComparison.Ordinal);
        Assert.Contains("'*.tmp'", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.Catalog.GetPlans());
    }

    [Fact]
    public async Task A_plan_with_only_one_of_inventory_bucket_and_inventory_id_is_refused()
    {
        await _service.NewVaultAsync("main", _folder.Combine("main"), CancellationToken.None);
        var plan = Plan("nightly", "main");
        plan.InventoryId = "daily";

        var error = await Assert.ThrowsAsync<ArgumentException>(() => _service.NewPlanAsync(plan, AnyCredentials, CancellationToken.None));

        Assert.Contains("-InventoryBucket", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_backup_of_an_unknown_plan_is_refused_naming_it()
    {
        var error = await Assert.ThrowsAsync<CatalogNotFoundException>(() =>
            _service.StartBackupAsync("no-such-plan", AnyCredentials, NullObserver.Instance, CancellationToken.None));

        Assert.Contains("no-such-plan", error.Message, StringComparison.Ordinal);
        Assert.Empty(_service.Catalog.GetBackupJobs());
    }

    [Fact]
    public async Task Listing_the_objects_of_an_unknown_backup_point_is_refused_naming_it()
    {
        var error = await Assert.ThrowsAsync<CatalogNotFoundException>(async () =>
        {
            await foreach (var _ in _service.GetObjectsAsync("0011223344556677", null, null, CancellationToken.None))
            {
            }
        });

        Assert.Contains("0011223344556677", error.Message, StringComparison.Ordinal);
    }

    private static BackupPlan Plan(string name, string vault) => new()
    {
        Name = name,
        SourceBucket = "photos",
        Endpoint = "http://127.0.0.1:1",
        Region = "us-east-1",
        ForcePathStyle = true,
        Vault = vault,
    };
}
