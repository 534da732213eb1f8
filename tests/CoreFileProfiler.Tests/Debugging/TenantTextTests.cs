using CoreFileProfiler.Node.Debugging;

namespace CoreFileProfiler.Tests.Debugging;

public sealed class TenantTextTests
{
    [Theory]
    [InlineData("/app/server", "executable-server")]
    [InlineData(null, "executable-none")]
    [InlineData("/app/..", "executable-none")]
    [InlineData("/app/x\u001b[2J\u001b]0;t\u0007/evil\nname", "executable-evil_name")]
    public void A_hand_over_name_keeps_a_tame_basename(string? path, string expected) =>
        Assert.Equal(expected, TenantText.FileName("executable-", path));

    [Fact]
    public void A_basename_as_long_as_a_file_name_may_be_still_gives_a_name_the_filesystem_takes()
    {
        var name = TenantText.FileName("executable-", "/app/" + new string('L', 255));

        Assert.Equal("executable-" + new string('L', TenantText.MaxNameChars), name);
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(name) <= 255);
    }

    [Theory]
    [InlineData("/app/server", "/app/server")]
    [InlineData("/app/x\u001b[2J\u001b]0;title\u0007", "/app/x\\x1b[2J\\x1b]0;title\\x07")]
    [InlineData("/app/a\r\n(gdb) \u009b31m", "/app/a\\x0d\\x0a(gdb) \\x9b31m")]
    public void A_tenants_name_reaches_the_terminal_as_text_and_no_escape_sequence(string name, string shown) =>
        Assert.Equal(shown, TenantText.Printable(name));
}
