using System.Globalization;
using Microsoft.Diagnostics.Runtime;

// Live managed heap of a running .NET process by type: attaches to a snapshot (fork) of the process, marks every
// object reachable from the roots, and prints the types that hold the most bytes. Used by bench/profile.sh heap.
//
//   CardGame.Bench.HeapStats <pid> [top=30] [per=N]   (per: also print bytes per N, e.g. per connected player)
//
// HEAPSTATS_STRINGS=N adds the N string shapes holding the most bytes; HEAPSTATS_DEAD=N the N types holding the most
// unreachable (dead, not yet collected) bytes, by generation (0-1: allocated since the last GCs; older: promoted, then
// dead, waiting for a full collection). HEAPSTATS_HOLDERS=text1,text2 adds, for the objects whose type name contains
// one of the texts, the chains of types that hold them (each object's first referrer in the walk, 4 levels up): who
// keeps them alive.
if (args.Length < 1 || !int.TryParse(args[0], CultureInfo.InvariantCulture, out var pid))
{
    Console.Error.WriteLine("usage: CardGame.Bench.HeapStats <pid> [top] [per]");
    return 2;
}

var top = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 30;
var per = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 0;
using var target = DataTarget.CreateSnapshotAndAttach(pid);
var heap = target.ClrVersions[0].CreateRuntime().Heap;

var marked = new HashSet<ulong>();
var pending = new Stack<ulong>();
var holdersWanted = (Environment.GetEnvironmentVariable("HEAPSTATS_HOLDERS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
// With HEAPSTATS_HOLDERS: each object's first referrer (0 for a root), and each root's kind.
var parents = holdersWanted.Length > 0 ? new Dictionary<ulong, ulong>() : null;
var rootKinds = holdersWanted.Length > 0 ? new Dictionary<ulong, string>() : null;
foreach (var root in heap.EnumerateRoots())
{
    if (root.Object.Address != 0 && marked.Add(root.Object.Address))
    {
        pending.Push(root.Object.Address);
        rootKinds?.Add(root.Object.Address, root.RootKind.ToString());
    }
}

var byType = new Dictionary<string, (long Count, long Bytes)>();
// HEAPSTATS_STRINGS=N: also the N string shapes holding the most bytes.
var shapesWanted = int.TryParse(Environment.GetEnvironmentVariable("HEAPSTATS_STRINGS"), CultureInfo.InvariantCulture, out var wanted) ? wanted : 0;
var stringShapes = shapesWanted > 0 ? new Dictionary<string, (long Count, long Bytes)>() : null;
long live = 0;
while (pending.Count > 0)
{
    var obj = heap.GetObject(pending.Pop());
    if (!obj.IsValid)
    {
        continue;
    }

    var name = obj.Type?.Name ?? "?";
    var size = (long)obj.Size;
    if (stringShapes is not null && obj.Type?.IsString == true)
    {
        // Strings by shape (their first characters, digits masked): which strings the process holds many of.
        var text = obj.AsString(48) ?? "";
        var shape = new string([.. text.Take(20).Select(c => char.IsAsciiDigit(c) ? '9' : char.IsControl(c) ? '.' : c)]) + (text.Length > 20 ? "…" : "");
        var (n, b) = stringShapes.GetValueOrDefault(shape);
        stringShapes[shape] = (n + 1, b + size);
    }

    live += size;
    var (count, bytes) = byType.GetValueOrDefault(name);
    byType[name] = (count + 1, bytes + size);
    foreach (var reference in obj.EnumerateReferences(carefully: true, considerDependantHandles: true))
    {
        if (reference.Address != 0 && marked.Add(reference.Address))
        {
            pending.Push(reference.Address);
            parents?.Add(reference.Address, obj.Address);
        }
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"pid {pid}: live managed heap {live / 1048576.0:F1} MiB in {marked.Count:N0} objects{(per > 0 ? $", {live / (double)per / 1024:F1} KiB per {per:N0}" : "")}"));
// What the GC holds beyond the live objects: committed memory of its regions by kind, and the dead or free space in it.
var committed = heap.Segments.GroupBy(s => s.Kind).Select(g => (Kind: g.Key, Bytes: g.Sum(s => (long)s.CommittedMemory.Length), Count: g.Count())).ToList();
long objectBytes = 0, freeBytes = 0;
var deadWanted = int.TryParse(Environment.GetEnvironmentVariable("HEAPSTATS_DEAD"), CultureInfo.InvariantCulture, out var dead) ? dead : 0;
var deadByType = new Dictionary<string, (long Count, long Bytes)>();
// With HEAPSTATS_DEAD: the dead byte arrays by size and first bytes (printable ASCII, else '.'): whose buffers they were.
var deadBytes = new Dictionary<string, (long Count, long Bytes)>();
foreach (var obj in heap.EnumerateObjects(carefully: true))
{
    if (!obj.IsValid)
    {
        continue;
    }

    if (obj.IsFree)
    {
        freeBytes += (long)obj.Size;
    }
    else
    {
        objectBytes += (long)obj.Size;
        if (deadWanted > 0 && !marked.Contains(obj.Address))
        {
            var young = heap.GetSegmentByAddress(obj.Address)?.GetGeneration(obj.Address) is Generation.Generation0 or Generation.Generation1;
            var deadName = (young ? "gen0-1 " : "older  ") + (obj.Type?.Name ?? "?");
            var (n, b) = deadByType.GetValueOrDefault(deadName);
            deadByType[deadName] = (n + 1, b + (long)obj.Size);
            if (obj.Type?.Name == "System.Byte[]")
            {
                var length = obj.AsArray().Length;
                var head = obj.AsArray().ReadValues<byte>(0, Math.Min(length, 24)) ?? [];
                var shape = $"{length,6} {new string([.. head.Select(c => c is >= 32 and < 127 ? (char)c : '.')])}";
                var (dn, db) = deadBytes.GetValueOrDefault(shape);
                deadBytes[shape] = (dn + 1, db + (long)obj.Size);
            }
        }
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"GC committed {committed.Sum(c => c.Bytes) / 1048576.0:F1} MiB ({string.Join(", ", committed.Select(c => $"{c.Kind} {c.Bytes / 1048576.0:F1} MiB in {c.Count}"))}); objects {objectBytes / 1048576.0:F1} MiB (dead included), free {freeBytes / 1048576.0:F1} MiB"));
Console.WriteLine("     MiB    objects  type");
foreach (var (name, (count, bytes)) in byType.OrderByDescending(t => t.Value.Bytes).Take(top))
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F2} {count,10:N0}  {(name.Length > 140 ? name[..140] : name)}"));
}

if (deadWanted > 0)
{
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"dead: {deadByType.Values.Sum(t => t.Bytes) / 1048576.0:F2} MiB in {deadByType.Values.Sum(t => t.Count):N0} objects"));
    Console.WriteLine("     MiB    objects  type");
    foreach (var (name, (count, bytes)) in deadByType.OrderByDescending(t => t.Value.Bytes).Take(deadWanted))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F2} {count,10:N0}  {(name.Length > 140 ? name[..140] : name)}"));
    }

    Console.WriteLine("     MiB     arrays  dead byte[]: length, first bytes");
    foreach (var (shape, (count, bytes)) in deadBytes.OrderByDescending(t => t.Value.Bytes).Take(deadWanted))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F2} {count,10:N0}  {shape}"));
    }
}

if (parents is not null)
{
    // Who holds the objects of the wanted types: the type names of their first referrers, 4 levels up, by count.
    var chains = new Dictionary<string, (long Count, long Bytes)>();
    foreach (var address in marked)
    {
        var obj = heap.GetObject(address);
        var name = obj.Type?.Name ?? "?";
        if (!holdersWanted.Any(w => name.Contains(w, StringComparison.Ordinal)))
        {
            continue;
        }

        var chain = new List<string> { Short(name) };
        var at = address;
        for (var level = 0; level < 4; level++)
        {
            if (!parents.TryGetValue(at, out var parent))
            {
                chain.Add("root:" + rootKinds!.GetValueOrDefault(at, "?"));
                break;
            }

            chain.Add(Short(heap.GetObjectType(parent)?.Name ?? "?"));
            at = parent;
        }

        var key = string.Join(" <- ", chain);
        var (n, b) = chains.GetValueOrDefault(key);
        chains[key] = (n + 1, b + (long)obj.Size);
    }

    Console.WriteLine("     MiB    objects  held by (first referrer, 4 levels)");
    foreach (var (chain, (count, bytes)) in chains.OrderByDescending(t => t.Value.Bytes).Take(top))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F2} {count,10:N0}  {chain}"));
    }
}

if (stringShapes is not null)
{
    Console.WriteLine("     MiB    strings  shape");
    foreach (var (shape, (count, bytes)) in stringShapes.OrderByDescending(t => t.Value.Bytes).Take(shapesWanted))
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes / 1048576.0,8:F2} {count,10:N0}  {shape}"));
    }
}

return 0;

// A type name without namespaces, generic arguments cut short: enough to tell holders apart in one line.
static string Short(string name)
{
    var generic = name.IndexOf('<', StringComparison.Ordinal);
    var head = generic < 0 ? name : name[..generic];
    var dot = head.LastIndexOf('.');
    var shortName = (dot < 0 ? head : head[(dot + 1)..]) + (generic < 0 ? "" : name[generic..]);
    return shortName.Length > 70 ? shortName[..70] + "…" : shortName;
}
