# Dot-sourced first thing in each Pester file's BeforeAll: a fresh OSSBACKUP_HOME, the built module, and
# the test server's client, credential and endpoint as $testHome, $s3, $cred and $endpoint.
Import-Module (Join-Path $PSScriptRoot 'TestSupport.psm1') -Force
$testHome = Enter-TestHome
Import-Module (Get-BuiltModulePath) -Force
$s3 = Get-TestS3
$cred = Get-TestCredential
$endpoint = $env:OSSBACKUP_TEST_S3_ENDPOINT
