using Apo.Hosting.Azure;

namespace Apo.Hosting.Tests;

/// <summary>How a process reaches the Azure Storage account: a connection string, or a token credential.</summary>
[Collection(EnvironmentCollection.Name)]
public sealed class StorageAccountTests
{
    private static void With(string? connection, string? account, Action test)
    {
        var before = (Environment.GetEnvironmentVariable(ApoStorageConnection.EnvironmentVariable), Environment.GetEnvironmentVariable(ApoStorageConnection.AccountVariable));
        Environment.SetEnvironmentVariable(ApoStorageConnection.EnvironmentVariable, connection);
        Environment.SetEnvironmentVariable(ApoStorageConnection.AccountVariable, account);
        try { test(); }
        finally
        {
            Environment.SetEnvironmentVariable(ApoStorageConnection.EnvironmentVariable, before.Item1);
            Environment.SetEnvironmentVariable(ApoStorageConnection.AccountVariable, before.Item2);
        }
    }

    [Fact]
    public void An_account_name_without_a_connection_string_signs_in_with_a_token_credential_at_the_accounts_endpoints() =>
        With(null, "apotraining", () =>
        {
            var account = ApoStorageConnection.Require("f", "Silo:Clustering:Kind");
            Assert.True(account.UsesTokenCredential);
            Assert.Equal(new Uri("https://apotraining.table.core.windows.net"), account.Tables().Uri);
            Assert.Equal(new Uri("https://apotraining.blob.core.windows.net/"), account.Blobs().Uri);
            Assert.Equal(new Uri("https://apotraining.queue.core.windows.net/"), account.Queues().Uri);
        });

    [Fact]
    public void A_connection_string_wins_over_an_account_name() =>
        With("UseDevelopmentStorage=true", "apotraining", () =>
        {
            var account = ApoStorageConnection.Require("f", "Silo:Clustering:Kind");
            Assert.False(account.UsesTokenCredential);
            Assert.Equal("devstoreaccount1", account.Blobs().AccountName);
        });

    [Fact]
    public void A_bad_account_name_or_no_setting_at_all_is_an_error_naming_the_variables() =>
        With(null, "Not_An_Account", () =>
        {
            var bad = Assert.Throws<InvalidDataException>(() => ApoStorageConnection.Require("cfg.json", "Silo:Storage:Kind"));
            Assert.Equal("cfg.json: environment variable APO_STORAGE_ACCOUNT = \"Not_An_Account\" is not a storage account name (3-24 lower-case letters and digits)", bad.Message);
            With(null, null, () =>
            {
                var none = Assert.Throws<InvalidDataException>(() => ApoStorageConnection.Require("cfg.json", "Silo:Storage:Kind"));
                Assert.StartsWith("cfg.json: field \"Silo:Storage:Kind\" is \"azure\", but neither APO_STORAGE_CONNECTION nor APO_STORAGE_ACCOUNT is set", none.Message);
            });
        });
}
