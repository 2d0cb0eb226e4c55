using CardGame.Contracts.Grains;

namespace CardGame.Grains;

/// <summary>
/// A table's latest events (at most <paramref name="capacity"/>), for <c>Resume</c>, for edges that missed some
/// (<c>EventsAfter</c>) and for the table's next activation when it migrates. Kept as bytes
/// (<see cref="TableEventCodec"/>), each event's length then its encoding, back to back in one array, decoded only when
/// asked for; the recipients once for each run of events sent to the same seats. Why: kept as objects, the logs of
/// 2,500 busy tables were 340,000 objects that every full collection of the silo marked (a <see cref="TableNotification"/>
/// and its event per kept event, about 190 bytes; docs/benchmarks.md, "A compact resume log"); now a log is a few
/// objects whatever its length, about 26 bytes a move.
/// </summary>
public sealed class TableEventLog(string roomId, int capacity)
{
    /// <summary>The first byte of <see cref="Export"/>; a log in any other format is not taken (<see cref="Import"/> throws).</summary>
    private const byte FormatVersion = 1;

    private const int InitialBytes = 256;

    /// <summary>The recipients of the events from the <c>From</c>-th (counting every event this log took) on.</summary>
    private readonly List<(long From, ImmutableArray<string> Recipients)> _runs = [];

    private byte[] _bytes = [];
    private int _head;
    private int _tail;

    /// <summary>The number of the oldest kept event, counting every event this log took.</summary>
    private long _first;

    /// <summary>How many events the log holds.</summary>
    public int Count { get; private set; }

    /// <summary>The seq of the oldest event held; null when the log is empty.</summary>
    public long? OldestSeq => Count == 0 ? null : TableEventCodec.ReadSeq(RecordAt(_head, out _));

    /// <summary>Appends an event (the next in seq order); the oldest goes when the log holds more than its capacity.</summary>
    public void Add(TableNotification notification)
    {
        var recipients = notification.Recipients;
        if (_runs.Count > 0 && SameIds(_runs[^1].Recipients, recipients))
        {
            recipients = _runs[^1].Recipients;
        }
        else
        {
            _runs.Add((_first + Count, recipients));
        }

        // The body goes one byte in, room for a length under 128; a longer one moves up to make room for its length.
        MakeRoom(TableEventCodec.MaxSize(notification) + 5);
        var length = TableEventCodec.Write(notification, roomId, recipients, _bytes.AsSpan(_tail + 1));
        Span<byte> prefix = stackalloc byte[10];
        var prefixLength = TableEventCodec.WriteVarInt((ulong)length, prefix);
        if (prefixLength > 1)
        {
            _bytes.AsSpan(_tail + 1, length).CopyTo(_bytes.AsSpan(_tail + prefixLength));
        }

        prefix[..prefixLength].CopyTo(_bytes.AsSpan(_tail));
        _tail += prefixLength + length;
        Count++;
        while (Count > capacity)
        {
            RemoveOldest();
        }
    }

    /// <summary>The events held whose seq is after <paramref name="seq"/>, in order, as they were added.</summary>
    public List<TableNotification> After(long seq)
    {
        var events = new List<TableNotification>();
        var run = 0;
        var offset = _head;
        for (var entry = _first; entry < _first + Count; entry++)
        {
            var record = RecordAt(offset, out offset);
            while (run + 1 < _runs.Count && _runs[run + 1].From <= entry)
            {
                run++;
            }

            if (TableEventCodec.ReadSeq(record) > seq)
            {
                events.Add(TableEventCodec.Read(record, roomId, _runs[run].Recipients));
            }
        }

        return events;
    }

    public void Clear()
    {
        _first += Count;
        Count = 0;
        _head = _tail = 0;
        _runs.Clear();
    }

    /// <summary>
    /// The log as one array, for the table's next activation (<see cref="TableMemory.CompactLog"/>): a format byte, the
    /// number of events, the runs of recipients (each from which event on, and its ids), then the events' bytes as held.
    /// Null when it holds nothing.
    /// </summary>
    public byte[]? Export()
    {
        if (Count == 0)
        {
            return null;
        }

        var size = 1 + 10 + 10 + (_tail - _head);
        foreach (var (_, recipients) in _runs)
        {
            size += 10 + TableEventCodec.MaxIdsSize(recipients);
        }

        var bytes = new byte[size];
        bytes[0] = FormatVersion;
        var at = 1;
        at += TableEventCodec.WriteVarInt((ulong)Count, bytes.AsSpan(at));
        at += TableEventCodec.WriteVarInt((ulong)_runs.Count, bytes.AsSpan(at));
        foreach (var (from, recipients) in _runs)
        {
            at += TableEventCodec.WriteVarInt((ulong)Math.Max(0, from - _first), bytes.AsSpan(at));
            at += TableEventCodec.WriteIds(recipients, bytes.AsSpan(at));
        }

        _bytes.AsSpan(_head, _tail - _head).CopyTo(bytes.AsSpan(at));
        return bytes.AsSpan(0, at + (_tail - _head)).ToArray();
    }

    /// <summary>
    /// Adds what a table's previous activation handed over, up to <paramref name="lastSeq"/>: its <see cref="TableMemory.CompactLog"/>,
    /// or from a version before it, its events as objects (<see cref="TableMemory.Log"/>).
    /// </summary>
    public void Restore(TableMemory memory, long lastSeq)
    {
        if (memory.CompactLog is { } compact)
        {
            Import(compact, lastSeq);
            return;
        }

        foreach (var notification in memory.Log.IsDefault ? [] : memory.Log)
        {
            if (notification.Event.Seq <= lastSeq)
            {
                Add(notification);
            }
        }
    }

    /// <summary>
    /// Adds the events of an <see cref="Export"/> (of this version or another that writes <see cref="FormatVersion"/>),
    /// those up to <paramref name="lastSeq"/> only. Each is decoded on the way in, so a log that is not in this format
    /// throws <see cref="FormatException"/> (or <see cref="ArgumentOutOfRangeException"/> when it is cut short); what
    /// was added before it then stays.
    /// </summary>
    public void Import(byte[] exported, long lastSeq)
    {
        ReadOnlySpan<byte> bytes = exported;
        if (bytes.Length == 0 || bytes[0] != FormatVersion)
        {
            throw new FormatException($"a table log in format {(bytes.Length == 0 ? "(none)" : bytes[0])}, not {FormatVersion}");
        }

        var at = 1;
        at += TableEventCodec.ReadVarInt(bytes[at..], out var count);
        at += TableEventCodec.ReadVarInt(bytes[at..], out var runCount);
        var runs = new List<(ulong From, ImmutableArray<string> Recipients)>();
        for (var i = 0ul; i < runCount; i++)
        {
            at += TableEventCodec.ReadVarInt(bytes[at..], out var from);
            at += TableEventCodec.ReadIds(bytes[at..], out var recipients);
            runs.Add((from, recipients));
        }

        var run = -1;
        for (var entry = 0ul; entry < count; entry++)
        {
            at += TableEventCodec.ReadVarInt(bytes[at..], out var length);
            var record = bytes.Slice(at, checked((int)length));
            at += record.Length;
            while (run + 1 < runs.Count && runs[run + 1].From <= entry)
            {
                run++;
            }

            var notification = TableEventCodec.Read(record, roomId, run < 0 ? throw new FormatException("an event before any recipients") : runs[run].Recipients);
            if (notification.Event.Seq <= lastSeq)
            {
                Add(notification);
            }
        }

        if (at != bytes.Length)
        {
            throw new FormatException("a table log's bytes go on past its last event");
        }
    }

    private static bool SameIds(ImmutableArray<string> a, ImmutableArray<string> b) =>
        a == b || (!a.IsDefault && !b.IsDefault && a.AsSpan().SequenceEqual(b.AsSpan()));

    /// <summary>The bytes of the event whose record starts at <paramref name="offset"/>; <paramref name="next"/>: where the next starts.</summary>
    private ReadOnlySpan<byte> RecordAt(int offset, out int next)
    {
        var prefix = TableEventCodec.ReadVarInt(_bytes.AsSpan(offset, _tail - offset), out var length);
        next = offset + prefix + (int)length;
        return _bytes.AsSpan(offset + prefix, (int)length);
    }

    private void RemoveOldest()
    {
        RecordAt(_head, out _head);
        Count--;
        _first++;
        while (_runs.Count > 1 && _runs[1].From <= _first)
        {
            _runs.RemoveAt(0);
        }
    }

    /// <summary>
    /// Makes <paramref name="size"/> bytes free after the last event: the events move to the array's start when that
    /// leaves a quarter of it free, else to an array half as large again (so each byte is moved about once as events
    /// come and go).
    /// </summary>
    private void MakeRoom(int size)
    {
        if (_tail + size <= _bytes.Length)
        {
            return;
        }

        var live = _tail - _head;
        var target = live + size <= _bytes.Length * 3 / 4
            ? _bytes
            : new byte[Math.Max(InitialBytes, Math.Max(_bytes.Length * 3 / 2, ((live + size) * 4 / 3) + 1))];
        _bytes.AsSpan(_head, live).CopyTo(target);
        _bytes = target;
        _head = 0;
        _tail = live;
    }
}
