using System.Globalization;

namespace CoreFileProfiler.IntegrationTests.Support;

/// <summary>Every kind of download request a client makes (ranges, validators, HEAD), asked of the owning gateway and through another.</summary>
public static class DownloadMatrix
{
    /// <summary>
    /// Asks each request of <paramref name="owner"/>'s gateway and of <paramref name="through"/>'s, and asserts that
    /// the client reads the same answer from both; the statuses seen.
    /// </summary>
    public static async Task<HashSet<int>> AssertForwardedAlikeAsync(SiloProcess owner, SiloProcess through, string file, long length)
    {
        using var first = await owner.Http.GetAsync(file);
        var etag = first.Headers.ETag!.Tag;
        var modified = first.Content.Headers.LastModified!.Value.ToString("R", CultureInfo.InvariantCulture);

        var requests = new (string Method, string Headers)[]
        {
            ("GET", ""),
            ("GET", "Range: bytes=0-99"),
            ("GET", "Range: bytes=-100"),
            ("GET", $"Range: bytes={length / 3}-"),
            ("GET", $"Range: bytes={length - 1}-{length + 1000}"),
            ("GET", "Range: bytes=0-9,20-29"),
            ("GET", $"Range: bytes={length}-"),        // unsatisfiable: 416
            ("GET", "Range: bytes=oops"),
            ("GET", $"Range: bytes=10-\r\nIf-Range: {etag}"),
            ("GET", "Range: bytes=10-\r\nIf-Range: \"0-0\""),
            ("GET", $"Range: bytes=10-\r\nIf-Range: {modified}"),
            ("GET", $"If-None-Match: {etag}"),         // 304
            ("GET", $"If-Match: \"0-0\""),           // 412
            ("HEAD", ""),
            ("HEAD", "Range: bytes=0-99"),
        };
        var statuses = new HashSet<int>();
        foreach (var (method, headers) in requests)
        {
            var direct = await RawHttp.AnswerAsync(owner.Port, method, file, headers);
            var forwarded = await RawHttp.AnswerAsync(through.Port, method, file, headers);
            Assert.True(direct == forwarded, $"{method} {headers}:\n{direct}\n--- through {through.Node} ---\n{forwarded}");
            statuses.Add(int.Parse(direct.Split(' ', 3)[1], CultureInfo.InvariantCulture));
        }

        return statuses;
    }
}
