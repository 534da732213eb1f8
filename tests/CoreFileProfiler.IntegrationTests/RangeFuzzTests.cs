using System.Globalization;
using System.Net;
using CoreFileProfiler.IntegrationTests.Support;
using CsCheck;

namespace CoreFileProfiler.IntegrationTests;

/// <summary>
/// Random <c>Range</c> and <c>If-Range</c> headers, as a hostile or broken client sends them, against a real
/// silo serving a real core: every answer is the whole file (200), exactly the bytes asked for (206), or 416;
/// never a 5xx, and the silo stays up.
/// </summary>
[Collection(SiloTests.Name)]
public sealed class RangeFuzzTests(SiloFixture fixture)
{
    [Fact]
    public async Task Any_range_header_gets_the_whole_file_the_exact_bytes_asked_for_or_416()
    {
        var (session, file) = await fixture.CrashAndOpenAsync("range-fuzz-pod");
        var url = session + "files/" + file;
        var content = await File.ReadAllBytesAsync(Path.Join(fixture.Silo.CoreRoot, "kubernetes", SiloFixture.Namespace, "range-fuzz-pod", file));
        using var head = await fixture.Silo.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, url));
        var etag = head.Headers.ETag!.ToString();
        var modified = head.Content.Headers.LastModified!.Value.ToString("R", CultureInfo.InvariantCulture);
        var size = content.LongLength;

        // Positions around the file's edges and beyond, and numbers no file has.
        var position = Gen.OneOf(
            Gen.Long[0, size * 2].Select(n => n.ToString(CultureInfo.InvariantCulture)),
            Gen.OneOf("0", "1", (size - 1).ToString(CultureInfo.InvariantCulture), size.ToString(CultureInfo.InvariantCulture),
                "-1", "99999999999999999999", "9223372036854775807", "9223372036854775808", "", " 5", "0x10", "1e3", "+7"));
        var spec = Gen.OneOf(
            Gen.Select(position, position, (a, b) => $"{a}-{b}"),
            position.Select(a => $"{a}-"),
            position.Select(n => $"-{n}"),
            Gen.OneOf("-", "--1", "0-0", "-0", "a-b", "0-1-2", ""));
        var range = Gen.OneOf(
            Gen.Select(Gen.OneOf("bytes=", "bytes =", "BYTES=", "items=", "bytes", ""), spec.Array[1, 4],
                (unit, specs) => unit + string.Join(Gen.OneOf(",", ", ", " , ").Single(), specs)),
            Gen.Char[' ', '~'].Array[0, 40].Select(chars => new string(chars))); // HttpClient sends printable ASCII only
        var seen = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        var ifRange = Gen.OneOf(etag, modified, "\"0-0\"", "W/" + etag, "Thu, 01 Jan 1970 00:00:00 GMT", "garbage", "");

        await Gen.Select(range, Gen.Bool, ifRange).SampleAsync(async (rangeValue, withIfRange, ifRangeValue) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.TryAddWithoutValidation("Range", rangeValue);
            if (withIfRange) request.Headers.TryAddWithoutValidation("If-Range", ifRangeValue);
            using var response = await fixture.Silo.Http.SendAsync(request);
            var body = await response.Content.ReadAsByteArrayAsync();
            seen.AddOrUpdate(response.StatusCode, 1, (_, n) => n + 1);
            var what = $"Range: {rangeValue} / If-Range: {(withIfRange ? ifRangeValue : "-")} → {(int)response.StatusCode} {response.Content.Headers.ContentRange}";

            switch (response.StatusCode)
            {
                case HttpStatusCode.OK:
                    Assert.True(body.AsSpan().SequenceEqual(content), what);
                    break;
                case HttpStatusCode.PartialContent:
                    var served = response.Content.Headers.ContentRange!;
                    Assert.True(served is { From: { } from, To: { } to, Length: { } length } && length == size && from <= to && to < size, what);
                    Assert.True(body.AsSpan().SequenceEqual(content.AsSpan((int)served.From!.Value, (int)(served.To!.Value - served.From.Value + 1))), what);
                    break;
                case HttpStatusCode.RequestedRangeNotSatisfiable:
                    Assert.True(response.Content.Headers.ContentRange is { Length: { } total } && total == size, what);
                    break;
                default:
                    Assert.Fail(what);
                    break;
            }
        }, iter: 400, threads: 2);

        // The generator reaches every kind of answer, so each check above has run.
        Assert.All(new[] { HttpStatusCode.OK, HttpStatusCode.PartialContent, HttpStatusCode.RequestedRangeNotSatisfiable }, status => Assert.True(seen.ContainsKey(status), string.Join(", ", seen)));

        Assert.True(await fixture.Silo.IsReadyAsync());
        Assert.DoesNotContain("\"StatusCode\":500", fixture.Silo.Log(), StringComparison.Ordinal);
    }
}
