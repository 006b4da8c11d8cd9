global using OssBackup.Engine.Tests.Support;
global using Xunit;
