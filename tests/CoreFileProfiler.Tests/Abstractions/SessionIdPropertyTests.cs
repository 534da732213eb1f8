using CsCheck;

namespace CoreFileProfiler.Tests.Abstractions;

/// <summary>
/// A session id is a capability that also names a node and lands in grain keys and URLs: an id the
/// profiler made always parses back to its node; anything else, however close, is refused.
/// </summary>
public sealed class SessionIdPropertyTests
{
    private static readonly Gen<string> NodeNames = Gen.OneOf(
        Gen.Const("node-a"),
        Gen.Const("ip-10-0-1-17.eu-west-1.compute.internal"),
        Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789"].Array[1, 63].Select(chars => new string(chars)),
        Gen.Const(new string('n', 253)));

    private static readonly Gen<DateTimeOffset> IssueTimes =
        Gen.Long[0, uint.MaxValue].Select(DateTimeOffset.FromUnixTimeSeconds);

    private static readonly Gen<string> ValidIds = Gen.Select(NodeNames, IssueTimes, SessionId.Create);

    /// <summary>What someone guessing or forging an id would type, made from a valid one.</summary>
    private static readonly Gen<string> Forgeries = Gen.OneOf(
        ValidIds.Select(id => id + "\n"),
        ValidIds.Select(id => id + "\r\n"),
        ValidIds.Select(id => " " + id),
        ValidIds.Select(id => id + "A"),
        ValidIds.Select(id => id[..^1]),
        ValidIds.Select(id => "../" + id),
        ValidIds.Select(id => "node/../" + id),
        ValidIds.Select(id => "..%2f" + id),
        ValidIds.Select(id => id[..^1] + "="),
        ValidIds.Select(id => id[..^1] + "/"),
        ValidIds.Select(id => id[..^1] + "+"),
        ValidIds.Select(id => "-" + id),
        ValidIds.Select(id => "." + id),
        ValidIds.Select(id => id[(id.LastIndexOf('.') + 1)..]),
        ValidIds.Select(id => new string('n', 254) + id[id.LastIndexOf('.')..]),
        Gen.Select(ValidIds, Gen.Int[0, 27], Gen.Char["\0\n/\\%.=é "], (id, back, c) => Replace(id, id.Length - 1 - back, c)),
        Gen.Const(""));

    /// <summary>Strings near the id's shape, from id characters and the ones an attacker would slip in.</summary>
    private static readonly Gen<string> Guesses = Gen.OneOf(
        Gen.Select(Gen.Char["aZ0._-/\n %é"].Array[0, 12], Gen.Char["aZ0_-+/=.\n"].Array[26, 30], (node, token) => $"{new string(node)}.{new string(token)}"),
        Gen.String);

    private static string Replace(string id, int index, char c) => string.Concat(id.AsSpan(0, index), c.ToString(), id.AsSpan(index + 1));

    [Fact]
    public void Ids_it_made_parse_back_to_their_node_and_time() => Gen.Select(NodeNames, IssueTimes).Sample((node, issued) =>
    {
        var id = SessionId.Create(node, issued);

        Assert.True(SessionId.TryGetNode(id, out var parsed), id);
        Assert.Equal(node, parsed);
        Assert.Equal(issued, SessionId.IssuedAt(id));
    }, iter: 2_000);

    [Fact]
    public void Forged_and_mangled_ids_are_refused() =>
        Forgeries.Sample(forgery => Assert.False(SessionId.TryGetNode(forgery, out _), forgery), iter: 5_000);

    [Fact]
    public void A_guessed_id_parses_only_when_shaped_like_an_id_of_a_valid_node() => Guesses.Sample(guess =>
    {
        if (SessionId.TryGetNode(guess, out var node))
        {
            Assert.True(NodeName.IsValid(node), guess);
            Assert.Matches(@"\A[A-Za-z0-9._-]+\.[A-Za-z0-9_-]{28}\z", guess);
        }
    }, iter: 20_000);

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("/")]
    [InlineData("/../x")]
    [InlineData("\0")]
    public void An_id_with_anything_appended_is_refused(string suffix)
    {
        var id = SessionId.Create("node-a", DateTimeOffset.UnixEpoch);

        Assert.False(SessionId.TryGetNode(id + suffix, out _));
        Assert.True(SessionId.TryGetNode(id, out var node));
        Assert.Equal("node-a", node);
    }

    [Theory]
    [InlineData("..")]
    [InlineData("-node")]
    [InlineData("node-")]
    [InlineData("a/b")]
    [InlineData("node a")]
    public void An_id_whose_node_part_is_no_node_name_is_refused(string node)
    {
        var token = SessionId.Create("x", DateTimeOffset.UnixEpoch)[2..];

        Assert.False(SessionId.TryGetNode($"{node}.{token}", out _));
    }

    [Fact]
    public void An_id_whose_node_part_is_over_long_is_refused()
    {
        var token = SessionId.Create("x", DateTimeOffset.UnixEpoch)[2..];

        Assert.True(SessionId.TryGetNode($"{new string('n', 253)}.{token}", out _));
        Assert.False(SessionId.TryGetNode($"{new string('n', 254)}.{token}", out _));
    }
}
