using CoreFileProfiler.Silo.Hosting;

namespace CoreFileProfiler.Tests.Hosting;

public sealed class AllowedOriginsTests
{
    [Theory]
    [InlineData("http://localhost:8090", "http://localhost:8090")]
    [InlineData("http://LOCALHOST", "http://localhost:80")]
    [InlineData("https://Profiler.Example.com/", "https://profiler.example.com:443")]
    [InlineData("http://[::1]:8090", "http://[::1]:8090")]
    [InlineData("http://127.0.0.1:8090", "http://127.0.0.1:8090")]
    [InlineData("http://bücher.example", "http://xn--bcher-kva.example:80")]
    public void An_origin_is_compared_as_scheme_host_and_port(string origin, string normalized) =>
        Assert.Equal(normalized, AllowedOrigins.Normalize(origin));

    [Theory]
    [InlineData("null")]
    [InlineData("profiler.example.com")]
    [InlineData("https://profiler.example.com/path")]
    [InlineData("https://user@profiler.example.com")]
    [InlineData("file:///etc/passwd")]
    [InlineData("ftp://profiler.example.com")]
    public void Anything_but_an_http_origin_is_none(string origin) =>
        Assert.Null(AllowedOrigins.Normalize(origin));

    [Fact]
    public void A_configured_entry_that_is_not_an_origin_refuses_the_start()
    {
        var refused = Assert.Throws<StartupRefusedException>(() => AllowedOrigins.Parse(["https://ok.example", "ok.example/path"]));

        Assert.Equal("Auth:AllowedOrigins", refused.Setting);
        Assert.Contains("'ok.example/path' is not an origin", refused.Message, StringComparison.Ordinal);
    }
}
