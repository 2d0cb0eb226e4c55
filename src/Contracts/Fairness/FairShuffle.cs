using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;

namespace CardGame.Contracts.Fairness;

/// <summary>
/// The provably fair shuffle (docs/fair-shuffle.md): every deal draws a secret seed; the deal and each reshuffle are
/// Fisher–Yates shuffles driven by SHA-256(seed ‖ label ‖ counter), so anyone holding the seed revealed at the end can
/// redo them. The server's rules and every verifier use this one definition.
/// </summary>
public static class FairShuffle
{
    /// <summary>The size of the seeds the server draws (256 bits).</summary>
    public const int SeedBytes = 32;

    /// <summary>The smallest seed a verifier accepts (128 bits, the contract's minimum).</summary>
    public const int MinSeedBytes = 16;

    /// <summary>The label of the shuffle that orders the deck before the deal.</summary>
    public const string DealLabel = "deal";

    /// <summary>
    /// The 52 cards in their order before any shuffle: clubs, diamonds, hearts, spades, each from ace to king; index 0
    /// is AC, 51 is KS.
    /// </summary>
    public static IReadOnlyList<string> Deck { get; } = Array.AsReadOnly(
        "CDHS".SelectMany(suit => new[] { "A", "2", "3", "4", "5", "6", "7", "8", "9", "10", "J", "Q", "K" }.Select(rank => rank + suit)).ToArray());

    /// <summary>The label of the <paramref name="number"/>th reshuffle of a game (1 for the first).</summary>
    public static string ReshuffleLabel(int number) =>
        number >= 1 ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"reshuffle:{number}") : throw new ArgumentOutOfRangeException(nameof(number));

    /// <summary>A fresh secret seed from the operating system's cryptographic random source.</summary>
    public static byte[] NewSeed() => RandomNumberGenerator.GetBytes(SeedBytes);

    /// <summary>The commitment published before play: lowercase hex of SHA-256 over the seed's bytes.</summary>
    public static string Commitment(ReadOnlySpan<byte> seed) => Convert.ToHexStringLower(SHA256.HashData(seed));

    /// <summary>Lowercase hex of the seed, as <c>finished</c> reveals it.</summary>
    public static string ToHex(ReadOnlySpan<byte> seed) => Convert.ToHexStringLower(seed);

    /// <summary>Reads a revealed seed: lowercase hex of at least <see cref="MinSeedBytes"/> bytes.</summary>
    public static bool TryParseSeed([NotNullWhen(true)] string? hex, [NotNullWhen(true)] out byte[]? seed)
    {
        seed = null;
        if (hex is null || hex.Length < 2 * MinSeedBytes || hex.Length % 2 != 0 || !hex.All(char.IsAsciiHexDigitLower))
        {
            return false;
        }

        seed = Convert.FromHexString(hex);
        return true;
    }

    /// <summary>
    /// Fisher–Yates from the last position down: for i = n−1 … 1, swap items[i] with items[j], j uniform in [0, i] from
    /// the stream of <paramref name="label"/>.
    /// </summary>
    public static void Shuffle<T>(IList<T> items, ReadOnlySpan<byte> seed, string label)
    {
        ArgumentNullException.ThrowIfNull(items);
        var stream = new WordStream(seed, label);
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = stream.NextBelow((uint)i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// The words of one label: block k is SHA-256(seed ‖ ASCII label ‖ k as 4 bytes big-endian), k = 0, 1, …, read as
    /// eight 32-bit big-endian unsigned integers each.
    /// </summary>
    private sealed class WordStream
    {
        private readonly byte[] _input;
        private readonly byte[] _block = new byte[SHA256.HashSizeInBytes];
        private uint _counter;
        private int _used = SHA256.HashSizeInBytes;

        public WordStream(ReadOnlySpan<byte> seed, string label)
        {
            var labelBytes = Encoding.ASCII.GetBytes(label);
            _input = new byte[seed.Length + labelBytes.Length + 4];
            seed.CopyTo(_input);
            labelBytes.CopyTo(_input, seed.Length);
        }

        /// <summary>Uniform in [0, n): a word at or above the largest multiple of n below 2^32 is dropped and the next one read.</summary>
        public int NextBelow(uint n)
        {
            var limit = (1UL << 32) / n * n;
            while (true)
            {
                var word = Next();
                if (word < limit)
                {
                    return (int)(word % n);
                }
            }
        }

        private uint Next()
        {
            if (_used == _block.Length)
            {
                BinaryPrimitives.WriteUInt32BigEndian(_input.AsSpan(_input.Length - 4), _counter++);
                SHA256.HashData(_input, _block);
                _used = 0;
            }

            var word = BinaryPrimitives.ReadUInt32BigEndian(_block.AsSpan(_used));
            _used += 4;
            return word;
        }
    }
}
