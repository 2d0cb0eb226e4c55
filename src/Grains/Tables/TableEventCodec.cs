using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Text;
using System.Text.Unicode;
using CardGame.Contracts.Grains;
using CardGame.Contracts.Protocol;

namespace CardGame.Grains;

/// <summary>
/// One <see cref="TableNotification"/> as the bytes <see cref="TableEventLog"/> keeps, and back: every member of the event
/// and of the notification, so what comes back equals what went in (its recipients are kept beside, once for a run of
/// events sent to the same seats). A move is about 25 bytes: the seq, one byte of flags, one byte for each text (the
/// room id, an event kind, a suit, a card: codes into <see cref="KnownTexts"/>; a player id: its place among the
/// recipients) and the turn's end. Other text (a display name, a seed) is written out as UTF-8, or as UTF-16 when it
/// holds a lone surrogate, which UTF-8 cannot carry. The format travels between silos (<see cref="TableMemory.CompactLog"/>):
/// change it only by appending to <see cref="KnownTexts"/> and to the flags, never by changing a code.
/// </summary>
internal static class TableEventCodec
{
    /// <summary>Texts written as a one-byte code. Append only: the codes travel to silos of other versions.</summary>
    private static readonly string[] KnownTexts =
    [
        EventKinds.Joined, EventKinds.Left, EventKinds.Started, EventKinds.Took, EventKinds.Put, EventKinds.Finished,
        EventKinds.Connection,
        .. Enum.GetValues<Suit>().Select(SuitNames.ToWire),
        .. Card.FullDeck.Select(card => card.ToString()),
    ];

    private static readonly FrozenDictionary<string, int> KnownCodes =
        KnownTexts.Select((text, i) => (text, i)).ToFrozenDictionary(p => p.text, p => p.i, StringComparer.Ordinal);

    // Text codes: then KnownTexts[code - FirstKnown]. Player codes: then recipients[code - FirstRecipient].
    private const int NullText = 0;
    private const int InlineUtf8 = 1;
    private const int InlineUtf16 = 2;
    private const int ThisRoom = 3;
    private const int FirstKnown = 4;
    private const int FirstRecipient = 3;

    [Flags]
    private enum Fields : byte
    {
        HandCount = 1,
        Auto = 2,
        AutoTrue = 4,
        Connected = 8,
        ConnectedTrue = 16,
        Hand = 32,
        TurnEndsAt = 64,
        Hands = 128,
    }

    /// <summary>At least as many bytes as <see cref="Write"/> takes for <paramref name="notification"/>.</summary>
    public static int MaxSize(TableNotification notification)
    {
        var e = notification.Event;
        var size = 10 + 1 + 5 + 8 + 5;
        foreach (var text in (ReadOnlySpan<string?>)[e.RoomId, e.Kind, e.PlayerId, e.Card, e.Suit, e.Turn, e.Winner, e.Name, e.DeckCommitment, e.DeckSeed])
        {
            size += MaxSize(text);
        }

        if (e.Hand is { } hand)
        {
            size += 5;
            foreach (var card in hand)
            {
                size += MaxSize(card);
            }
        }

        if (notification.Hands is { } hands)
        {
            size += 5;
            foreach (var (playerId, cards) in hands)
            {
                size += MaxSize(playerId) + 5;
                foreach (var card in cards.IsDefault ? [] : cards)
                {
                    size += MaxSize(card);
                }
            }
        }

        return size;
    }

    private static int MaxSize(string? text) => text is null ? 1 : 6 + (3 * text.Length);

    /// <summary>The seq of the event written at the start of <paramref name="bytes"/>, read without decoding the rest.</summary>
    public static long ReadSeq(ReadOnlySpan<byte> bytes)
    {
        var reader = new Reader(bytes);
        return (long)reader.VarInt();
    }

    /// <summary>
    /// Writes <paramref name="notification"/> into <paramref name="bytes"/> (at least <see cref="MaxSize(TableNotification)"/>
    /// long) and returns how many it took. Its recipients are not written: they must be <paramref name="recipients"/>
    /// (the same ids in the same order) when it is read back.
    /// </summary>
    public static int Write(TableNotification notification, string roomId, ImmutableArray<string> recipients, Span<byte> bytes)
    {
        var e = notification.Event;
        var w = new Writer(bytes, roomId, recipients);
        w.VarInt((ulong)e.Seq);
        var fields = (e.HandCount is null ? 0 : Fields.HandCount)
            | (e.Auto is { } auto ? Fields.Auto | (auto ? Fields.AutoTrue : 0) : 0)
            | (e.Connected is { } connected ? Fields.Connected | (connected ? Fields.ConnectedTrue : 0) : 0)
            | (e.Hand is null ? 0 : Fields.Hand)
            | (e.TurnEndsAt is null ? 0 : Fields.TurnEndsAt)
            | (notification.Hands is null ? 0 : Fields.Hands);
        w.Byte((byte)fields);
        w.Text(e.RoomId);
        w.Text(e.Kind);
        w.Player(e.PlayerId);
        w.Text(e.Card);
        w.Text(e.Suit);
        w.Player(e.Turn);
        w.Player(e.Winner);
        w.Text(e.Name);
        w.Text(e.DeckCommitment);
        w.Text(e.DeckSeed);
        if (e.HandCount is { } handCount)
        {
            w.VarInt(ZigZag(handCount));
        }

        if (e.TurnEndsAt is { } endsAt)
        {
            w.Long(endsAt.UtcTicks);
            w.VarInt(ZigZag((long)endsAt.Offset.TotalMinutes));
        }

        if (e.Hand is { } hand)
        {
            w.VarInt((ulong)hand.Count);
            foreach (var card in hand)
            {
                w.Text(card);
            }
        }

        if (notification.Hands is { } hands)
        {
            w.VarInt((ulong)hands.Count);
            foreach (var (playerId, cards) in hands)
            {
                w.Player(playerId);
                w.VarInt(cards.IsDefault ? 0 : (ulong)cards.Length + 1);
                foreach (var card in cards.IsDefault ? [] : cards)
                {
                    w.Text(card);
                }
            }
        }

        return w.Position;
    }

    /// <summary>The notification <see cref="Write"/> wrote into <paramref name="bytes"/>, sent to <paramref name="recipients"/>.</summary>
    public static TableNotification Read(ReadOnlySpan<byte> bytes, string roomId, ImmutableArray<string> recipients)
    {
        var r = new Reader(bytes, roomId, recipients);
        var seq = (long)r.VarInt();
        var fields = (Fields)r.Byte();
        var eventRoomId = r.Text();
        var kind = r.Text();
        var playerId = r.Player();
        var card = r.Text();
        var suit = r.Text();
        var turn = r.Player();
        var winner = r.Player();
        var name = r.Text();
        var deckCommitment = r.Text();
        var deckSeed = r.Text();
        int? handCount = fields.HasFlag(Fields.HandCount) ? (int)UnZigZag(r.VarInt()) : null;
        DateTimeOffset? turnEndsAt = null;
        if (fields.HasFlag(Fields.TurnEndsAt))
        {
            var utcTicks = r.Long();
            turnEndsAt = new DateTimeOffset(utcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(UnZigZag(r.VarInt())));
        }

        IReadOnlyList<string>? hand = null;
        if (fields.HasFlag(Fields.Hand))
        {
            var cards = new string[(int)r.VarInt()];
            for (var i = 0; i < cards.Length; i++)
            {
                cards[i] = r.Text()!;
            }

            hand = ImmutableArray.Create(cards);
        }

        ImmutableDictionary<string, ImmutableArray<string>>? hands = null;
        if (fields.HasFlag(Fields.Hands))
        {
            var builder = ImmutableDictionary.CreateBuilder<string, ImmutableArray<string>>();
            for (var count = (int)r.VarInt(); count > 0; count--)
            {
                var owner = r.Player()!;
                var length = (int)r.VarInt();
                if (length == 0)
                {
                    builder.Add(owner, default);
                    continue;
                }

                var cards = new string[length - 1];
                for (var i = 0; i < cards.Length; i++)
                {
                    cards[i] = r.Text()!;
                }

                builder.Add(owner, ImmutableArray.Create(cards));
            }

            hands = builder.ToImmutable();
        }

        if (!r.AtEnd)
        {
            throw new FormatException("a table event's bytes go on past its last field");
        }

        var tableEvent = new TableEvent(eventRoomId!, seq, kind!, playerId, card, suit, handCount, turn, winner,
            fields.HasFlag(Fields.Auto) ? fields.HasFlag(Fields.AutoTrue) : null,
            fields.HasFlag(Fields.Connected) ? fields.HasFlag(Fields.ConnectedTrue) : null,
            hand, name, turnEndsAt, deckCommitment, deckSeed);
        return new TableNotification(tableEvent, recipients, hands);
    }

    /// <summary>Writes a list of player ids (a run's recipients) as self-contained text, for the log's export.</summary>
    public static int WriteIds(ImmutableArray<string> ids, Span<byte> bytes)
    {
        var w = new Writer(bytes, "", []);
        w.VarInt(ids.IsDefault ? 0 : (ulong)ids.Length + 1);
        foreach (var id in ids.IsDefault ? [] : ids)
        {
            w.Text(id);
        }

        return w.Position;
    }

    /// <summary>At least as many bytes as <see cref="WriteIds"/> takes.</summary>
    public static int MaxIdsSize(ImmutableArray<string> ids)
    {
        var size = 5;
        foreach (var id in ids.IsDefault ? [] : ids)
        {
            size += MaxSize(id);
        }

        return size;
    }

    /// <summary>Reads what <see cref="WriteIds"/> wrote; returns how many bytes it took.</summary>
    public static int ReadIds(ReadOnlySpan<byte> bytes, out ImmutableArray<string> ids)
    {
        var r = new Reader(bytes, "", []);
        var length = (int)r.VarInt();
        if (length == 0)
        {
            ids = default;
            return r.Position;
        }

        var builder = ImmutableArray.CreateBuilder<string>(length - 1);
        for (var i = 1; i < length; i++)
        {
            builder.Add(r.Text() ?? throw new FormatException("a null player id"));
        }

        ids = builder.MoveToImmutable();
        return r.Position;
    }

    /// <summary>Writes an unsigned LEB128 number; returns how many bytes it took (at most 10).</summary>
    public static int WriteVarInt(ulong value, Span<byte> bytes)
    {
        var w = new Writer(bytes, "", []);
        w.VarInt(value);
        return w.Position;
    }

    /// <summary>Reads an unsigned LEB128 number; returns how many bytes it took.</summary>
    public static int ReadVarInt(ReadOnlySpan<byte> bytes, out ulong value)
    {
        var r = new Reader(bytes);
        value = r.VarInt();
        return r.Position;
    }

    private static ulong ZigZag(long value) => (ulong)((value << 1) ^ (value >> 63));

    private static long UnZigZag(ulong value) => (long)(value >> 1) ^ -(long)(value & 1);

    private ref struct Writer(Span<byte> bytes, string roomId, ImmutableArray<string> recipients)
    {
        private readonly Span<byte> _bytes = bytes;

        public int Position { get; private set; }

        public void Byte(byte value) => _bytes[Position++] = value;

        public void Long(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_bytes[Position..], value);
            Position += sizeof(long);
        }

        public void VarInt(ulong value)
        {
            while (value >= 0x80)
            {
                _bytes[Position++] = (byte)(value | 0x80);
                value >>= 7;
            }

            _bytes[Position++] = (byte)value;
        }

        public void Text(string? text)
        {
            if (text is null)
            {
                VarInt(NullText);
            }
            else if (ReferenceEquals(text, roomId) || (text.Length == roomId.Length && text == roomId))
            {
                VarInt(ThisRoom);
            }
            else if (KnownCodes.TryGetValue(text, out var code))
            {
                VarInt((ulong)(FirstKnown + code));
            }
            else
            {
                Inline(text);
            }
        }

        public void Player(string? playerId)
        {
            if (playerId is null)
            {
                VarInt(NullText);
                return;
            }

            for (var i = 0; !recipients.IsDefault && i < recipients.Length; i++)
            {
                if (ReferenceEquals(recipients[i], playerId) || recipients[i] == playerId)
                {
                    VarInt((ulong)(FirstRecipient + i));
                    return;
                }
            }

            Inline(playerId);
        }

        private void Inline(string text)
        {
            // A lone surrogate (possible in a display name) has no UTF-8 form: such a text keeps its UTF-16 code units.
            var utf8 = _bytes[(Position + 1 + 5)..];
            if (Utf8.FromUtf16(text, utf8, out _, out var written, replaceInvalidSequences: false) == OperationStatus.Done)
            {
                VarInt(InlineUtf8);
                VarInt((ulong)written);
                // The length took at most 5 bytes where 5 were left: move the text up to it.
                utf8[..written].CopyTo(_bytes[Position..]);
                Position += written;
            }
            else
            {
                VarInt(InlineUtf16);
                VarInt((ulong)text.Length);
                foreach (var unit in text)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(_bytes[Position..], unit);
                    Position += sizeof(char);
                }
            }
        }
    }

    private ref struct Reader(ReadOnlySpan<byte> bytes, string roomId = "", ImmutableArray<string> recipients = default)
    {
        private readonly ReadOnlySpan<byte> _bytes = bytes;

        public int Position { get; private set; }

        public readonly bool AtEnd => Position == _bytes.Length;

        public byte Byte() => _bytes[Position++];

        public long Long()
        {
            var value = BinaryPrimitives.ReadInt64LittleEndian(_bytes[Position..]);
            Position += sizeof(long);
            return value;
        }

        public ulong VarInt()
        {
            ulong value = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                var b = _bytes[Position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new FormatException("a number of more than 10 bytes");
        }

        public string? Text()
        {
            var code = VarInt();
            return code switch
            {
                NullText => null,
                InlineUtf8 or InlineUtf16 => Inline(code),
                ThisRoom => roomId,
                _ when code - FirstKnown < (ulong)KnownTexts.Length => KnownTexts[(int)(code - FirstKnown)],
                _ => throw new FormatException($"no text has the code {code}"),
            };
        }

        public string? Player()
        {
            var code = VarInt();
            return code switch
            {
                NullText => null,
                InlineUtf8 or InlineUtf16 => Inline(code),
                _ when !recipients.IsDefault && code - FirstRecipient < (ulong)recipients.Length => recipients[(int)(code - FirstRecipient)],
                _ => throw new FormatException($"no recipient has the place {code}"),
            };
        }

        private string Inline(ulong code)
        {
            var length = (int)VarInt();
            if (code == InlineUtf8)
            {
                var text = Encoding.UTF8.GetString(_bytes.Slice(Position, length));
                Position += length;
                return text;
            }

            var units = _bytes.Slice(Position, length * sizeof(char));
            Position += units.Length;
            return string.Create(length, units, static (chars, source) =>
            {
                for (var i = 0; i < chars.Length; i++)
                {
                    chars[i] = (char)BinaryPrimitives.ReadUInt16LittleEndian(source[(i * sizeof(char))..]);
                }
            });
        }
    }
}
